"""Someone who joins the office later is not in the periods that ended before their account
was made: last year's report reads the same after this year's new staff are added, and a
plan that ended before someone joined is not theirs (reports/scope.Scope.counts_in_full,
plans.progress.audience_users_query and audience_condition).

Sessions keep their audience whatever the accounts' age: an office that starts using the
site mid-year enters the year's earlier sessions and marks its people by hand."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.plans.models import Plan
from lawlearn.plans.progress import audience_condition as plan_audience
from lawlearn.plans.progress import audience_users_query
from lawlearn.reports.participation import build_report
from tests.reports.conftest import NOW, PERIOD, at, item, make_person, make_plan


def _newcomer(department_id: int, joined: datetime, username: str = "newcomer"):
    person = make_person(username, name="新人壬", department_id=department_id)
    person.created_at = joined
    db.session.flush()
    return person


def _figures(report) -> dict:
    return {"people": [(p.user_id, p.values) for p in report.people],
            "departments": [(d.department_id, d.people, d.values) for d in report.departments],
            "total": (report.total.people, report.total.values),
            "sessions": [asdict(row) for row in report.sessions]}


def test_a_past_periods_report_reads_the_same_after_new_staff_join(office):
    whole, unit = build_report(*PERIOD, now=NOW), build_report(
        *PERIOD, department_id=office.unit, now=NOW)
    newcomer = _newcomer(office.section, datetime(2025, 7, 3, 2))

    assert _figures(build_report(*PERIOD, now=NOW)) == _figures(whole)
    assert _figures(build_report(*PERIOD, department_id=office.unit, now=NOW)) \
        == _figures(unit)
    # The period they joined in counts them in full: 2025's plan's streak is due 30 Sept.
    later = build_report(date(2025, 7, 1), date(2025, 12, 31), now=datetime(2025, 12, 31, 4))
    row = next(p for p in later.people if p.user_id == newcomer.id)
    assert row.values["items_due"] >= 1 and row.values["items_done"] == 0


def test_a_plan_that_ended_before_someone_joined_is_not_theirs(office):
    first_quarter = make_plan("一季度学习", date(2025, 1, 1), date(2025, 3, 31), [
        item("reflection", date(2025, 3, 15), hours=1, min_length=5)])
    newcomer = _newcomer(office.section, at(5, 1))
    clerk = office.user("clerk")

    audience = set(db.session.scalars(audience_users_query(first_quarter)
                                      .with_only_columns(db.text("id"))))
    assert clerk.id in audience and newcomer.id not in audience
    theirs = set(db.session.scalars(select(Plan.title).where(plan_audience(newcomer))))
    assert "一季度学习" not in theirs and "2025年度学法计划" in theirs
    assert "一季度学习" in set(db.session.scalars(select(Plan.title).where(
        plan_audience(clerk))))

    report = build_report(*PERIOD, now=NOW)
    rows = {p.user_id: p.values for p in report.people}
    # Joined mid-period: counted, owing what was not over when they came.
    assert rows[newcomer.id]["items_due"] == rows[clerk.id]["items_due"] - 1
