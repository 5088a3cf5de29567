"""The leaders' dashboard (数据看板) and the admins' form of the year's targets.

Leaders and admins see the dashboard (dept_leads and staff get 403); only admins change the
targets. Admins see it in the admin layout, leaders in the staff layout, widened.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lawlearn.accounts.departments import department_choices
from lawlearn.converters import record_id
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.i18n import display_count, display_rate
from lawlearn.localtime import local_day
from lawlearn.reports import reports_bp
from lawlearn.reports.access import sees_every_department
from lawlearn.reports.charts import BarChart, TrendChart, bar_chart, trend_chart
from lawlearn.reports.dashboard import (
    FIRST_YEAR,
    Dashboard,
    build_dashboard,
    change_targets,
    current_targets,
)
from lawlearn.reports.dashboard_forms import TargetsForm, target_values
from lawlearn.sessions.services import close_ended_sessions

YEARS_OFFERED = 5


def leader_or_admin(view):
    """Logged in as a leader or an admin; anyone else gets 403."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not sees_every_department(current_user):
            abort(403)
        return view(*args, **kwargs)

    return guarded


@dataclass
class TrendFigure:
    """A monthly chart and the rows of its table (one cell per month)."""

    key: str
    chart: TrendChart
    rows: list[tuple[str, list[str]]]


def _rate_or_dash(value: float | None) -> str:
    return "—" if value is None else display_rate(value)


def _count_or_dash(value: int | None) -> str:
    return "—" if value is None else display_count(value)


def _percent_tick(value: float) -> str:
    return f"{value * 100:g}%"


def trend_figures(board: Dashboard) -> list[TrendFigure]:
    trends = board.trends
    months = [(str(m), _("%(month)d月", month=m)) for m in range(1, 13)]
    targets = {t.spec.key: t for t in board.targets}

    def so_far(values: list) -> list:
        return [v if i < trends.months else None for i, v in enumerate(values)]

    def counts(a: list[int], b: list[int]) -> list[str]:
        return so_far([f"{display_count(x)} / {display_count(y)}" for x, y in zip(a, b, strict=True)])

    def rate_chart(key: str, title: str, values: list[float | None]) -> TrendChart:
        target = targets[key]
        return trend_chart(title, months, values, [_rate_or_dash(v) for v in values], kind="line",
                           max_value=1.0, tick_label=_percent_tick, zero_is_data=True,
                           reference=target.target if target.has_target else None,
                           reference_label=_("目标 %(rate)s", rate=_rate_or_dash(target.target)))

    def count_chart(title: str, values: list[int | None]) -> TrendChart:
        return trend_chart(title, months, values, [_count_or_dash(v) for v in values])

    dash = "—"
    return [
        TrendFigure("sessions", count_chart(_("每月集中学法场次"), trends.sessions),
                    [(_("场次"), [_count_or_dash(v) for v in trends.sessions])]),
        TrendFigure("attendance", rate_chart("attendance_rate", _("每月参学率"),
                                             trends.attendance_rate),
                    [(_("参学率"), [_rate_or_dash(v) for v in trends.attendance_rate]),
                     (_("参学 / 应计人次"), [c or dash for c in counts(trends.attended,
                                                                   trends.counted)])]),
        TrendFigure("quizzes", rate_chart("quiz_pass_rate", _("每月测试通过率"),
                                          trends.quiz_pass_rate),
                    [(_("通过率"), [_rate_or_dash(v) for v in trends.quiz_pass_rate]),
                     (_("通过 / 参加人次"), [c or dash for c in counts(trends.quiz_passed,
                                                                   trends.quiz_takers)])]),
        TrendFigure("outreach", count_chart(_("每月普法宣传活动场次"), trends.outreach_events),
                    [(_("场次"), [_count_or_dash(v) for v in trends.outreach_events])]),
    ]


def department_chart(board: Dashboard) -> BarChart:
    return bar_chart(_("各部门参学率"), [
        (row.name, row.values.get("attendance_rate"),
         _rate_or_dash(row.values.get("attendance_rate"))) for row in board.departments],
        max_value=1.0)


def _year_arg(this_year: int, problems: list[str]) -> int:
    raw = request.args.get("year", "").strip()
    if not raw:
        return this_year
    if raw.isdigit() and FIRST_YEAR <= int(raw) <= this_year:
        return int(raw)
    problems.append(_("年份须在 %(first)d 年到 %(last)d 年之间，已显示今年。", first=FIRST_YEAR,
                      last=this_year))
    return this_year


def _department_arg(problems: list[str]) -> int | None:
    raw = request.args.get("department", "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return record_id(raw)
    problems.append(_("部门不存在，已显示全部部门。"))
    return None


def _page_args() -> dict[str, str]:
    """The dashboard's own query arguments (year, department), to come back to."""
    return {name: request.args[name] for name in ("year", "department") if request.args.get(name)}


def _render(form: TargetsForm | None, status: int = 200):
    now = utcnow()
    problems: list[str] = []
    this_year = local_day(now).year
    year = _year_arg(this_year, problems)
    department_id = _department_arg(problems)
    try:
        board = build_dashboard(year, department_id=department_id, now=now)
    except ValidationFailed:  # the year is checked above: the department does not exist
        problems.append(_("部门不存在，已显示全部部门。"))
        department_id = None
        board = build_dashboard(year, now=now)
    report_url = None
    if "reports.report" in current_app.view_functions:
        report_url = url_for("reports.report", department=department_id, **{
            "from": board.date_from.isoformat(), "to": board.date_to.isoformat()})
    return render_template(
        "reports/dashboard.html", board=board, trends=trend_figures(board),
        department_chart=department_chart(board), form=form, problems=problems,
        years=sorted({board.year, *range(max(FIRST_YEAR, this_year - YEARS_OFFERED + 1),
                                         this_year + 1)}, reverse=True),
        departments=department_choices(), department_id=department_id,
        admin_layout=current_user.is_admin, report_url=report_url), status


@reports_bp.route("/dashboard")
@leader_or_admin
def dashboard():
    """数据看板: the year's figures against targets, trends, rankings and follow-ups."""
    if close_ended_sessions(utcnow()):
        db.session.commit()
    form = TargetsForm(data=current_targets(), formdata=None) if current_user.is_admin else None
    return _render(form)


@reports_bp.route("/dashboard/targets", methods=["POST"])
@login_required
def targets():
    """Save the year's targets (admins); errors re-render the dashboard with the form."""
    if not current_user.is_admin:
        abort(403)
    form = TargetsForm()
    if form.validate_on_submit():
        try:
            changed = change_targets(current_user, target_values(form))
        except ValidationFailed as error:
            db.session.rollback()
            form[error.field].errors = [*form[error.field].errors, error.message]
        else:
            db.session.commit()
            flash(_("已保存 %(n)d 项目标。", n=changed) if changed else _("目标没有变化。"),
                  "success")
            return redirect(url_for("reports.dashboard", **_page_args()))
    return _render(form, 422)
