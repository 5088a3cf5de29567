"""The leaders' dashboard (数据看板) and the admins' form of the shown year's targets.

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
from lawlearn.converters import plain_digits, record_id
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.i18n import display_count, display_rate
from lawlearn.localtime import local_day
from lawlearn.reports import reports_bp
from lawlearn.reports.access import sees_every_department
from lawlearn.reports.charts import BarChart, TrendChart, bar_chart, trend_chart
from lawlearn.reports.dashboard import Dashboard, build_dashboard
from lawlearn.reports.dashboard_forms import TargetsForm, target_values
from lawlearn.reports.dashboard_targets import FIRST_YEAR, change_targets, targets_for
from lawlearn.sessions.attendance import AttendanceRule, rule_clauses
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
    """A monthly chart and its table: months as rows (only the months so far), one column
    per figure, so the table stays narrow at any width."""

    key: str
    chart: TrendChart
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    note: str = ""  # under the table: how its months add up


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

    def table(columns: list[str], *series: list[str]) -> tuple[list[str], list]:
        return columns, [(months[m][1], [cells[m] for cells in series])
                         for m in range(trends.months)]

    def of(a: list[int], b: list[int]) -> list[str]:
        """"3 / 4" for each month; "—" for a month with nothing to count."""
        return [f"{display_count(x)} / {display_count(y)}" if y else "—"
                for x, y in zip(a, b, strict=True)]

    def rate_chart(key: str, title: str, values: list[float | None]) -> TrendChart:
        target = targets[key]
        return trend_chart(title, months, values, [_rate_or_dash(v) for v in values], kind="line",
                           max_value=1.0, tick_label=_percent_tick, zero_is_data=True,
                           reference=target.target if target.has_target else None,
                           reference_label=_("目标 %(rate)s", rate=_rate_or_dash(target.target)))

    def count_chart(title: str, values: list[int | None]) -> TrendChart:
        return trend_chart(title, months, values, [_count_or_dash(v) for v in values])

    return [
        TrendFigure("sessions", count_chart(_("每月集中学法场次"), trends.sessions),
                    *table([_("集中学法（场）")], [_count_or_dash(v) for v in trends.sessions])),
        TrendFigure("attendance", rate_chart("attendance_rate", _("每月参学率"),
                                             trends.attendance_rate),
                    *table([_("参学率"), _("计为参学 / 计入参学率（人次）")],
                           [_rate_or_dash(v) for v in trends.attendance_rate],
                           of(trends.attended, trends.counted))),
        TrendFigure("quizzes", rate_chart("quiz_pass_rate", _("每月在线测试通过率"),
                                          trends.quiz_pass_rate),
                    *table([_("通过率"), _("通过 / 参加（人次）")],
                           [_rate_or_dash(v) for v in trends.quiz_pass_rate],
                           of(trends.quiz_passed, trends.quiz_takers)),
                    note=_("每月按当月参加的人次计：同一人同一测试跨月参加的，在各月各计一次，"
                           "以当月结果为准，故各月之和可能大于全年数。")),
        TrendFigure("outreach", count_chart(_("每月普法宣传活动场次"), trends.outreach_events),
                    *table([_("普法宣传活动（场）")],
                           [_count_or_dash(v) for v in trends.outreach_events])),
    ]


def rule_words(rule: AttendanceRule) -> str:
    """How late arrivals and approved leave count in the rate, in the glossary's words."""
    late, excused = rule_clauses(rule)
    return _("%(late)s，%(excused)s", late=late, excused=excused)


def follow_up_note(board: Dashboard) -> str:
    """Who the follow-up list holds, in words."""
    follow, year = board.follow_up, board.year
    if follow.threshold is not None:
        rate = display_rate(follow.threshold)
        if not follow.total:
            return _("参学率均达到%(year)d年目标 %(rate)s。", year=year, rate=rate)
        if follow.total > len(follow.people):
            return _("参学率低于%(year)d年目标 %(rate)s 的共 %(total)s 人，以下为参学率最低的 "
                     "%(n)d 人。", year=year, rate=rate, total=display_count(follow.total),
                     n=len(follow.people))
        return _("参学率低于%(year)d年目标 %(rate)s 的共 %(total)s 人，按参学率从低到高排列。",
                 year=year, rate=rate, total=display_count(follow.total))
    if not follow.total:
        return _("%(year)d年不设参学率目标，也没有因缺席而参学率低于 100%% 的人员。", year=year)
    if follow.total > len(follow.people):
        return _("%(year)d年不设参学率目标，以下为有缺席、参学率低于 100%% 的人员（共 "
                 "%(total)s 人）中参学率最低的 %(n)d 人。", year=year,
                 total=display_count(follow.total), n=len(follow.people))
    return _("%(year)d年不设参学率目标，以下为有缺席、参学率低于 100%% 的人员，共 %(total)s "
             "人，按参学率从低到高排列。", year=year, total=display_count(follow.total))


def department_chart(board: Dashboard) -> BarChart:
    return bar_chart(_("各部门参学率"), [
        (row.name, row.values.get("attendance_rate"),
         _rate_or_dash(row.values.get("attendance_rate"))) for row in board.departments],
        max_value=1.0)


def _year_arg(this_year: int, problems: list[str]) -> int:
    raw = request.args.get("year", "").strip()
    if not raw:
        return this_year
    if plain_digits(raw) and FIRST_YEAR <= int(raw) <= this_year:
        return int(raw)
    problems.append(_("年份须在 %(first)d 年到 %(last)d 年之间，已显示今年。", first=FIRST_YEAR,
                      last=this_year))
    return this_year


def _department_arg(problems: list[str]) -> int | None:
    raw = request.args.get("department", "").strip()
    if not raw:
        return None
    if plain_digits(raw):
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
    if current_user.is_admin and form is None:
        form = TargetsForm(formdata=None, data={"year": board.year,
                                                **board.year_targets.values})
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
        admin_layout=current_user.is_admin, report_url=report_url,
        next_year=this_year + 1 if form is not None and board.year == this_year else None,
        rule_text=rule_words(board.report.rule), follow_up_note=follow_up_note(board)), status


@reports_bp.route("/dashboard")
@leader_or_admin
def dashboard():
    """数据看板: the year's figures against targets, trends, rankings and follow-ups."""
    if close_ended_sessions(utcnow()):
        db.session.commit()
    return _render(None)


def _next_year() -> int:
    """The one year whose targets can be set before it begins (December's planning)."""
    return local_day(utcnow()).year + 1


def _render_next_year(form: TargetsForm, year: int, status: int = 200):
    return render_template("reports/next_year_targets.html", form=form, year=year,
                           year_targets=targets_for(year)), status


@reports_bp.route("/dashboard/targets", methods=["GET", "POST"])
@login_required
def targets():
    """Save one year's targets (admins); errors re-render the dashboard with the form (422).
    Next year has no dashboard yet, so its targets have a page of their own (a GET with
    ``year`` = next year); any other GET (a reload or a copied address after an error)
    goes back to the dashboard."""
    next_year = _next_year()
    if request.method == "GET":
        if current_user.is_admin and request.args.get("year") == str(next_year):
            return _render_next_year(TargetsForm(formdata=None, data={
                "year": next_year, **targets_for(next_year).values}), next_year)
        return redirect(url_for("reports.dashboard", **_page_args()))
    if not current_user.is_admin:
        abort(403)
    form = TargetsForm()
    if form.validate_on_submit():
        year = int(form.year.data)
        had_own = targets_for(year).own
        try:
            changed = change_targets(current_user, year, target_values(form))
        except ValidationFailed as error:
            db.session.rollback()
            form[error.field].errors = [*form[error.field].errors, error.message]
        else:
            db.session.commit()
            if changed:
                flash(_("已保存%(year)d年的 %(n)d 项目标。", year=year, n=changed), "success")
            elif not had_own:
                flash(_("已将沿用的目标保存为%(year)d年的目标，数值没有变化。", year=year),
                      "success")
            else:
                flash(_("%(year)d年目标没有变化。", year=year), "success")
            if year == next_year:
                return redirect(url_for("reports.targets", year=year))
            return redirect(url_for("reports.dashboard", **_page_args()))
    if form.year.data == str(next_year):
        return _render_next_year(form, next_year, 422)
    return _render(form, 422)
