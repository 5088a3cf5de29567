"""``flask outreach ...``: the outreach ledger from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lawlearn.cli_input import check_out_path, parse_day
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db
from lawlearn.outreach.activity_summary import export_docx
from lawlearn.outreach.export import EXPORT_FORMATS, export_xlsx
from lawlearn.outreach.ledger import STATUS_SCOPES, LedgerFilters, ledger_totals
from lawlearn.outreach.models import Campaign

outreach_cli = AppGroup("outreach", help="The outreach ledger (普法台账).")


@outreach_cli.command("export")
@click.option("--from", "date_from", metavar="DATE", help="First day, YYYY-MM-DD (included).")
@click.option("--to", "date_to", metavar="DATE", help="Last day, YYYY-MM-DD (included).")
@click.option("--campaign", "campaign_id", type=int, metavar="ID",
              help="Only this campaign's events (then --from/--to may be left out).")
@click.option("--format", "export_format", type=click.Choice(EXPORT_FORMATS), required=True,
              help="xlsx: the ledger workbook; docx: the activity summary.")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="File to write.")
@click.option("--status", type=click.Choice(list(STATUS_SCOPES)), default="reported",
              show_default=True, help="Which events count (reported: submitted and verified).")
def export_command(date_from, date_to, campaign_id, export_format, out: Path, status):
    """Export the ledger as XLSX, or the activity summary as DOCX, for a period and/or a
    campaign. Bad arguments: every problem is printed, the exit status is 1 and no file is
    written."""
    problems: list[str] = []
    first = parse_day(date_from, "--from", problems)
    last = parse_day(date_to, "--to", problems)
    campaign = None
    if campaign_id is not None:
        campaign = db.session.get(Campaign, campaign_id)
        if campaign is None:
            problems.append(f"--campaign: there is no campaign {campaign_id}.")
    elif date_from is None or date_to is None:
        problems.append("--from and --to are required (unless --campaign is given).")
    if first and last and last < first:
        problems.append(f"--to {last} is before --from {first}.")
    check_out_path(out, export_format, problems)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(1)

    filters = LedgerFilters(date_from=first, date_to=last,
                            campaign_id=campaign.id if campaign else None, status=status)
    try:
        data = export_xlsx(filters, utcnow()) if export_format == "xlsx" else \
            export_docx(filters, utcnow(), campaign)
        events = ledger_totals(filters).events
    except DomainError as error:
        click.echo(error.message, err=True)
        sys.exit(1)
    out.write_bytes(data)
    click.echo(f"Wrote {out} ({export_format}, {events} events).")


@outreach_cli.command("campaigns")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_campaigns_command(as_json):
    """List the campaigns (主题宣传) with their ids, for `outreach export --campaign`,
    newest first."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(),
                                                             Campaign.id.desc())).all()
    if as_json:
        click.echo(json.dumps([{"id": c.id, "title": c.title, "starts_on": c.starts_on.isoformat(),
                                "ends_on": c.ends_on.isoformat()} for c in campaigns],
                              ensure_ascii=False))
        return
    for campaign in campaigns:
        click.echo(f"{campaign.id}\t{campaign.title}\t{campaign.starts_on} – {campaign.ends_on}")
