"""Report and personal record pages (thin: the figures come from the services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from lawlearn.accounts.departments import department_choices
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.localtime import local_day
from lawlearn.pagination import page_arg, page_of
from lawlearn.reports import reports_bp
from lawlearn.reports.access import can_view_reports, report_department, sees_every_department
from lawlearn.reports.columns import Column
from lawlearn.reports.export_record import build_my_record
from lawlearn.reports.forms import PeriodForm, ReportFilterForm
from lawlearn.reports.participation import ParticipationReport, build_report
from lawlearn.sessions import attendance

PEOPLE_PER_PAGE = 50
EXPORT_FORMATS = ("xlsx", "csv", "docx")
MY_EXPORT_FORMATS = ("xlsx", "csv")


@reports_bp.app_template_global("column_groups")
def column_groups(columns: list[Column], per_capita: bool = False) -> list[tuple[Any, int]]:
    """Consecutive columns under the same heading, as (heading, width) for a two-row table
    header; with ``per_capita`` a column shown with its 人均 figure is two wide."""
    groups: list[list[Any]] = []
    for column in columns:
        width = 2 if per_capita and column.per_capita else 1
        if groups and str(groups[-1][0]) == str(column.group):
            groups[-1][1] += width
        else:
            groups.append([column.group, width])
    return [(heading, width) for heading, width in groups]


@dataclass
class Headline:
    label: Any
    value: Any
    kind: str = "count"  # a Column kind: how the value is shown


def _ratio(numerator: Any, denominator: Any) -> float | None:
    return numerator / denominator if numerator is not None and denominator else None


def headlines(report: ParticipationReport) -> list[Headline]:
    """The figures at the top of the report page: what the annual report quotes first."""
    total = report.total.values
    outreach = report.outreach.totals if report.outreach else None
    return [
        Headline(_l("统计人数"), len(report.people)),
        Headline(_l("集中学法（场）"), len(report.sessions)),
        Headline(_l("参学人次"), total.get("sessions_attended")),
        Headline(_l("平均参学率"), total.get("attendance_rate"), "rate"),
        Headline(_l("人均学时"), report.total.per_capita("hours_earned"), "hours"),
        Headline(_l("在线测试参测人次"), total.get("quizzes_taken")),
        Headline(_l("测试通过率"), _ratio(total.get("quizzes_passed"), total.get("quizzes_taken")),
                 "rate"),
        Headline(_l("普法活动（场）"), outreach.events if outreach else None),
        Headline(_l("覆盖群众（人次）"), outreach.reach if outreach else None),
    ]


def _today() -> date:
    return local_day(utcnow())


def _layout() -> str:
    """Admins keep their admin navigation; leaders and dept_leads read it in the staff frame."""
    return "admin_base.html" if current_user.is_admin else "staff_base.html"


def _search(people: list, q: str) -> list:
    needle = q.casefold()
    return [p for p in people if needle in p.name.casefold() or needle in p.username.casefold()]


@reports_bp.route("/")
@login_required
def report():
    """The participation report for a period and a department (or the whole office)."""
    if not can_view_reports(current_user):
        abort(403)
    wide = sees_every_department(current_user)
    form = ReportFilterForm(request.args, _today(), department_choices() if wide else None)
    department_id = report_department(current_user, form.department.data)
    result = None
    if form.validate():
        try:
            # The page shows the outreach totals, not the events (the exports list them).
            result = build_report(form.date_from.data, form.date_to.data,
                                  department_id=department_id, with_events=False)
        except ValidationFailed as error:
            form.add_error(error.field, error.message)
    context: dict[str, Any] = {}
    if result is not None:
        q = form.q.data or ""
        period = {"from": result.date_from.isoformat(), "to": result.date_to.isoformat()}
        if department_id is not None:
            period["department"] = str(department_id)
        context = {
            "people": page_of(_search(result.people, q) if q else result.people, page_arg(),
                              PEOPLE_PER_PAGE),
            "q": q, "headlines": headlines(result), "export_args": period,
            "export_formats": EXPORT_FORMATS,
            "rule_text": attendance.rule_description(result.rule)}
    return render_template(
        "reports/report.html", layout=_layout(), form=form, report=result, wide=wide,
        own_department=current_user.department, **context), 200 if result else 400


# --- 我的学法档案 ---------------------------------------------------------------------------


@dataclass
class QuizResult:
    """My answers to one quiz in the period: attempts, the best score (percent), passed."""

    quiz_id: int
    title: str
    is_exam: bool
    attempts: int
    best_score: float | None
    passed: bool
    last_submitted_at: datetime


def best_per_quiz(attempts: list[Any]) -> list[QuizResult]:
    """Submitted answers (with their quiz loaded) grouped by quiz, the best score of each,
    latest quiz first; scores as the report counts them (percent of the maximum)."""
    results: dict[int, QuizResult] = {}
    for attempt in attempts:
        quiz = attempt.quiz
        result = results.setdefault(quiz.id, QuizResult(quiz.id, quiz.title, quiz.is_exam, 0,
                                                        None, False, attempt.submitted_at))
        result.attempts += 1
        result.passed = result.passed or bool(attempt.passed)
        result.last_submitted_at = max(result.last_submitted_at, attempt.submitted_at)
        if attempt.max_score:
            score = round(100 * float(attempt.score or 0) / float(attempt.max_score), 1)
            result.best_score = score if result.best_score is None \
                else max(result.best_score, score)
    return sorted(results.values(), key=lambda r: (r.last_submitted_at, r.quiz_id),
                  reverse=True)


@reports_bp.route("/me")
@login_required
def my_record():
    """我的学法档案: my own figures, sessions and quizzes for a period (nobody else's)."""
    form = PeriodForm(request.args, _today())
    record = None
    if form.validate():
        try:
            record = build_my_record(current_user, form.date_from.data, form.date_to.data)
        except ValidationFailed as error:
            form.add_error(error.field, error.message)
    if record is None:
        return render_template("reports/my_record.html", form=form, figures=None), 400
    return render_template(
        "reports/my_record.html", form=form, figures=record.values, columns=record.columns,
        record=record.sessions, rule_text=attendance.rule_description(record.sessions.rule),
        status_label=attendance.status_label, quizzes=best_per_quiz(record.attempts),
        export_args={"from": record.date_from.isoformat(), "to": record.date_to.isoformat()},
        export_formats=MY_EXPORT_FORMATS)
