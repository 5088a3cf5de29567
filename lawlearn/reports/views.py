"""Report and personal record pages (thin: the figures come from the services)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.localtime import local_day
from lawlearn.pagination import Page, page_arg, page_of
from lawlearn.reports import reports_bp
from lawlearn.reports.access import can_view_reports, report_department, sees_every_department
from lawlearn.reports.columns import Column
from lawlearn.reports.export_record import build_my_record
from lawlearn.reports.export_tables import (
    CSV_TABLES,
    TABLE_NAMES,
    plan_rule_text,
    rate_rule_text,
    scope_text,
)
from lawlearn.reports.forms import PeriodForm, ReportFilterForm, department_options
from lawlearn.reports.participation import DepartmentRow, ParticipationReport, build_report
from lawlearn.rounding import half_up
from lawlearn.sessions import attendance

PEOPLE_PER_PAGE = 50
MY_EXPORT_FORMATS = ("xlsx", "csv")
# The figures the cards of 我的学法档案 show; any other column gets a line of its own.
RECORD_CARD_KEYS = frozenset((
    "sessions_expected", "sessions_present", "sessions_late", "sessions_excused",
    "sessions_absent", "attendance_rate", "hours_earned", "hours_required", "items_due",
    "items_done", "items_rate", "quizzes_taken", "quizzes_passed", "best_score",
    "average_score", "items_answered", "practice_days", "reflections_accepted", "points"))


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
        Headline(_l("参学率"), total.get("attendance_rate"), "rate"),
        Headline(_l("人均学时"), report.total.per_capita("hours_earned"), "hours"),
        Headline(_l("在线测试参测人次"), total.get("quizzes_taken")),
        Headline(_l("测试参测率"), report.quiz_take_rate, "rate"),
        Headline(_l("测试通过率"), _ratio(total.get("quizzes_passed"), total.get("quizzes_taken")),
                 "rate"),
        Headline(_l("答题数"), total.get("items_answered")),
        Headline(_l("普法活动（场）"), outreach.events if outreach else None),
        Headline(_l("覆盖群众（人次）"), outreach.reach if outreach else None),
    ]


def _quiz_endpoint() -> str | None:
    """Where a quiz of the report's table leads: its results for an admin or the leader,
    a head of department's own people for one (本部门参加情况)."""
    if current_user.has_role("admin", "leader"):
        return "quiz_admin.quiz_results" if "quiz_admin.quiz_results" in \
            current_app.view_functions else None
    return "quiz.department_takers" if current_user.has_role("dept_lead") else None


def _today() -> date:
    return local_day(utcnow())


def quick_periods(today: date, department_id: int | None) -> list[tuple[str, dict[str, str]]]:
    """The periods an office reports on, a tap each: this year so far and last year whole
    (typing two dates each time was the only way), the department kept."""
    kept = {"department": str(department_id)} if department_id is not None else {}
    return [(_("今年（截至今天）"), {"from": date(today.year, 1, 1).isoformat(),
                                "to": today.isoformat(), **kept}),
            (_("%(year)d年全年", year=today.year - 1),
             {"from": date(today.year - 1, 1, 1).isoformat(),
              "to": date(today.year - 1, 12, 31).isoformat(), **kept})]


def _layout() -> str:
    """Admins keep their admin navigation; leaders and dept_leads read it in the staff frame."""
    return "admin_base.html" if current_user.is_admin else "staff_base.html"


def _session_endpoint() -> str | None:
    """Where a session's row leads: its roster for an admin or the leader, the lead's own
    people for a head of department (None when the app has no such page)."""
    endpoint = "sessions_admin.attendance" if current_user.has_role("admin", "leader") \
        else "sessions.department_attendance"
    return endpoint if endpoint in current_app.view_functions else None


def _search(people: list, q: str) -> list:
    needle = q.casefold()
    return [p for p in people if needle in p.name.casefold() or needle in p.username.casefold()]


@dataclass
class DepartmentLine:
    """A row of the department table as shown: a section under its unit by its own name,
    indented; otherwise by its full name (单位/科室)."""

    row: DepartmentRow
    label: str
    indent: bool = False


def department_lines(rows: list[DepartmentRow]) -> list[DepartmentLine]:
    """The rows come unit by unit, each followed by its sections (full names "单位/科室")."""
    lines, unit = [], None
    for row in rows:
        if not row.is_section:
            unit = row.name if row.department_id is not None else None
            lines.append(DepartmentLine(row, row.name))
        elif unit is not None and row.name.startswith(unit + "/"):
            lines.append(DepartmentLine(row, row.name[len(unit) + 1:], indent=True))
        else:  # a section reported alone
            lines.append(DepartmentLine(row, row.name))
    return lines


@dataclass
class PageLink:
    number: int | None  # None: pages left out (…)
    url: str = ""
    current: bool = False


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The pages a pager offers: the first, the last and ``around`` either side of the
    current one; None stands for the pages left out (a single page is shown instead)."""
    wanted = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    numbers: list[int | None] = []
    previous = 0
    for number in wanted:
        if number - previous == 2:
            numbers.append(previous + 1)
        elif number - previous > 2:
            numbers.append(None)
        numbers.append(number)
        previous = number
    return numbers


def people_pager(people: Page) -> dict[str, Any]:
    """Links to the pages of the people table, with the same filters, landing on the table
    (``#people``) rather than the top of the page."""
    args = {key: value for key, value in request.args.items() if key != "page"}

    def url(number: int) -> str:
        return url_for("reports.report", **args, page=number, _anchor="people")

    return {"links": [PageLink(n, url(n) if n else "", n == people.page)
                      for n in page_numbers(people.page, people.pages)],
            "prev": url(people.prev_num) if people.has_prev else "",
            "next": url(people.next_num) if people.has_next else ""}


@reports_bp.route("/")
@login_required
def report():
    """The participation report for a period and a department (or the whole office)."""
    if not can_view_reports(current_user):
        abort(403)
    wide = sees_every_department(current_user)
    form = ReportFilterForm(request.args, _today(), department_options() if wide else None)
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
        people = page_of(_search(result.people, q) if q else result.people, page_arg(),
                         PEOPLE_PER_PAGE)
        context = {
            "people": people, "pager": people_pager(people), "q": q,
            "headlines": headlines(result), "export_args": period,
            "department_lines": department_lines(result.departments),
            # One department's people all in it: no 部门 column (it filled a phone's width).
            "one_department": len({person.department_id for person in result.people}) <= 1,
            "scope": scope_text(result),
            "csv_tables": [(table, TABLE_NAMES[table]) for table in CSV_TABLES],
            "rule_text": rate_rule_text(result.rule),
            "plan_rule": plan_rule_text(result.date_to, result.generated_at),
            "session_endpoint": _session_endpoint(),
            "quiz_endpoint": _quiz_endpoint()}
    own = current_user.department
    return render_template(
        "reports/report.html", layout=_layout(), form=form, report=result, wide=wide,
        quick=quick_periods(_today(), department_id if wide else None),
        own_department=own, own_has_sections=bool(own and not own.parent_id and own.children),
        **context), 200 if result else 400


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
            score = half_up(100 * float(attempt.score or 0) / float(attempt.max_score))
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
        other_columns=[c for c in record.columns if c.key not in RECORD_CARD_KEYS],
        record=record.sessions, rule_text=rate_rule_text(record.sessions.rule),
        plan_rule=plan_rule_text(record.date_to, record.generated_at),
        status_label=attendance.status_label, quizzes=best_per_quiz(record.attempts),
        export_args={"from": record.date_from.isoformat(), "to": record.date_to.isoformat()},
        export_formats=MY_EXPORT_FORMATS)
