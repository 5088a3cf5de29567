"""Admin pages: points rules and practice settings; the report of machine-like timing."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lawlearn.database import utcnow
from lawlearn.exports import CSV_MIMETYPE, download, filename_part
from lawlearn.extensions import db
from lawlearn.localtime import local_day, parse_day
from lawlearn.pagination import page_arg
from lawlearn.practice import points, practice_admin_bp, timing
from lawlearn.practice.admin_forms import field_name, rules_form_class
from lawlearn.settings import get_settings

REPORT_DAYS = 30


def _initial(rules: dict[str, points.Rule], settings: dict[str, int]) -> dict[str, object]:
    data: dict[str, object] = {}
    for key, rule in rules.items():
        data[field_name(key, "amount")] = rule.amount
        data[field_name(key, "cap")] = rule.daily_cap
        data[field_name(key, "enabled")] = rule.enabled
    for key, value in settings.items():
        data[field_name(key, "value")] = value
    return data


@practice_admin_bp.route("/rules", methods=["GET", "POST"])
def rules():
    """积分规则: every rule's points, daily cap and switch, and the practice settings."""
    current = points.current_rules()
    settings = get_settings(*points.PRACTICE_SETTINGS)
    form = rules_form_class()(data=_initial(current, settings))
    if form.validate_on_submit():
        changed = points.save_configuration(
            current_user,
            {key: (form[field_name(key, "amount")].data, form[field_name(key, "cap")].data,
                   form[field_name(key, "enabled")].data) for key in current},
            {key: form[field_name(key, "value")].data for key in points.PRACTICE_SETTINGS})
        db.session.commit()
        flash(_("已保存 %(n)d 项修改。", n=changed) if changed else _("没有需要保存的修改。"),
              "success")
        return redirect(url_for("practice_admin.rules"))
    status = 422 if form.errors else 200
    return render_template("practice/admin_rules.html", form=form, rules=current,
                           settings=points.PRACTICE_SETTINGS, field_name=field_name), status


def _date_arg(name: str) -> date | None:
    """A date from the query string; None when missing, malformed or out of range (year 1
    or 9999 would overflow once moved to UTC)."""
    return request.args.get(name, type=parse_day)


# Endpoint ``practice_admin.timing``; the function has another name so as not to hide the
# ``timing`` services module.
@practice_admin_bp.route("/timing", endpoint="timing")
def timing_report():
    """Accounts with too-fast answers over a period (default 30 days); ``format=csv`` too."""
    today = local_day(utcnow())
    date_from = _date_arg("from") or today - timedelta(days=REPORT_DAYS - 1)
    date_to = _date_arg("to") or today
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    if request.args.get("format") == "csv":
        data = timing.export_timing_csv(timing.timing_report_rows(date_from, date_to),
                                        date_from, date_to)
        name = _("答题用时异常-%(start)s至%(end)s", start=date_from.isoformat(),
                 end=date_to.isoformat())
        return download(data, f"{filename_part(name)}.csv", CSV_MIMETYPE,
                        fallback=f"timing-{date_from.isoformat()}-{date_to.isoformat()}.csv")
    report = timing.timing_report(date_from, date_to, page=page_arg(),
                                  per_page=current_app.config["PER_PAGE"])
    floors = get_settings("practice.floor_base_ms", "practice.floor_ms_per_char")
    return render_template(
        "practice/admin_timing.html", report=report, date_from=date_from, date_to=date_to,
        floors=floors, csv_url=url_for("practice_admin.timing", format="csv",
                                       **{"from": date_from.isoformat(),
                                          "to": date_to.isoformat()}))
