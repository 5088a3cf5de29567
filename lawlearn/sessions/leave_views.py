"""Leave requests, the approvers' queue, my attendance record, and the admin absentee list
and attendance report."""

from __future__ import annotations

from datetime import date
from functools import wraps
from typing import Any

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from lawlearn.accounts.departments import department_choices, get_department
from lawlearn.accounts.forms import ConfirmForm
from lawlearn.accounts.models import User
from lawlearn.converters import record_id
from lawlearn.database import utcnow
from lawlearn.errors import DomainError, ValidationFailed
from lawlearn.exports import CSV_MIMETYPE, download, filename_part
from lawlearn.extensions import db
from lawlearn.i18n import inner_title
from lawlearn.localtime import YEARS, parse_day
from lawlearn.pagination import page_arg, page_of, paginate
from lawlearn.security import leader_reads
from lawlearn.sessions import (
    attendance,
    attendance_export,
    leave,
    roster,
    sessions_admin_bp,
    sessions_bp,
)
from lawlearn.sessions.models import ATTENDANCE_STATUSES, LEAVE_STATUSES
from lawlearn.sessions.services import close_ended_sessions, get_session
from lawlearn.sessions.views import readable_session


class LeaveForm(FlaskForm):
    reason = TextAreaField(_l("请假事由"),
                           validators=[DataRequired(message=_l("请填写请假事由。")),
                                       Length(max=leave.MAX_REASON,
                                              message=_l("请假事由最多 %(max)d 字。"))],
                           description=_l("例如：外出执行公务、参加其他会议、病假。"))


class DecisionForm(FlaskForm):
    decision = StringField(validators=[AnyOf(("approve", "reject"),
                                             message=_l("请选择批准或不批准。"))])
    note = TextAreaField(_l("审批意见（不批准时必填）"),
                         validators=[Optional(), Length(max=leave.MAX_NOTE,
                                                        message=_l("审批意见最多 %(max)d 字。"))])


def _endpoint_url(endpoint: str, **values: Any) -> str | None:
    """A link to a page another part of the module provides, when it exists."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def _period() -> tuple[date, date, list[str]]:
    """``?from=…&to=…`` (ISO dates), defaulting to this year, and the problems found. A bad
    date is reported with the day used instead (the other date's year when that one is
    good, so that the period stays the one asked for); a reversed period is reported and
    swapped, as the outreach ledger does."""
    this_year = attendance.this_year()
    problems: list[str] = []
    given: dict[str, date | None] = {}
    bad: list[tuple[str, str, str]] = []
    for name, label in (("from", _("开始日期")), ("to", _("结束日期"))):
        raw = request.args.get(name, "").strip()
        try:
            given[name] = parse_day(raw) if raw else None
        except ValueError:
            given[name] = None
            bad.append((name, label, raw))
    date_from = given["from"] or (date(given["to"].year, 1, 1) if given["to"] else this_year[0])
    date_to = given["to"] or (date(given["from"].year, 12, 31) if given["from"] else this_year[1])
    for name, label, raw in bad:
        problems.append(_("%(label)s“%(value)s”无效（应为 %(first)d—%(last)d 年间的日期，如 "
                          "2024-12-01），已按 %(day)s 统计。", label=label, value=raw[:20],
                          first=YEARS[0], last=YEARS[1],
                          day=(date_from if name == "from" else date_to).isoformat()))
    if date_from > date_to:
        problems.append(_("结束日期早于开始日期，已按对调后的期间统计。"))
        date_from, date_to = date_to, date_from
    return date_from, date_to, problems


# --- staff: asking for leave ---------------------------------------------------------------


# Endpoint ``sessions.leave``; the function has another name so as not to hide the
# ``leave`` services module.
@sessions_bp.route("/sessions/<int:session_id>/leave", methods=["GET", "POST"], endpoint="leave")
@login_required
def leave_page(session_id: int):
    """请假: ask for leave from a session, see the request's state, withdraw it."""
    session = readable_session(session_id)
    mine = leave.request_of(current_user, session)
    form = LeaveForm(obj=mine if mine is not None and mine.status == "pending" else None)
    status = 200
    if form.validate_on_submit():
        try:
            _request, created = leave.request_leave(current_user, session, form.reason.data,
                                                    utcnow())
        except ValidationFailed as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, error.message]
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("sessions.leave", session_id=session.id))
        else:
            db.session.commit()
            flash(_("已提交请假申请，请等待审批。") if created else _("已更新请假事由。"), "success")
            return redirect(url_for("sessions.leave", session_id=session.id))
    if form.errors:
        status = 422
    now = utcnow()
    expected = leave.is_expected(current_user, session)
    decided_by = db.session.get(User, mine.decided_by_id) if mine and mine.decided_by_id else None
    can_request = (expected and session.cancelled_at is None and now < session.starts_at
                   and (mine is None or mine.status == "pending"))
    return render_template(
        "sessions/leave.html", session=session, mine=mine, form=form, expected=expected,
        can_request=can_request, started=now >= session.starts_at,
        ended=now >= session.ends_at, decided_by=decided_by,
        approver=leave.department_approver(current_user)
        if mine is not None and mine.status == "pending" else None,
        withdraw_form=ConfirmForm(), leave_statuses=LEAVE_STATUSES,
        session_url=_endpoint_url("sessions.session", session_id=session.id)), status


@sessions_bp.route("/sessions/<int:session_id>/leave/withdraw", methods=["POST"])
@login_required
def leave_withdraw(session_id: int):
    """Withdraw my pending leave request."""
    session = readable_session(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    mine = leave.request_of(current_user, session)
    if mine is None:
        flash(_("没有可撤回的请假申请。"), "error")
        return redirect(url_for("sessions.leave", session_id=session.id))
    try:
        leave.withdraw(current_user, mine, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("已撤回请假申请。"), "success")
    return redirect(url_for("sessions.leave", session_id=session.id))


# --- staff: my record ----------------------------------------------------------------------


@sessions_bp.route("/me/attendance")
@login_required
def my_attendance():
    """My attendance over a period (this year by default): the rate and every session."""
    date_from, date_to, problems = _period()
    record = attendance.my_record(current_user, date_from, date_to)
    return render_template("sessions/my_attendance.html", record=record, problems=problems,
                           rule_text=attendance.rule_description(record.rule),
                           status_label=attendance.status_label,
                           session_url=lambda s: _endpoint_url("sessions.session",
                                                               session_id=s.id))


# --- approvers -----------------------------------------------------------------------------


def approver_required(view):
    """Only a dept_lead or an admin; others get 403."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not leave.is_approver(current_user):
            abort(403)
        return view(*args, **kwargs)

    return guarded


@sessions_bp.route("/leave-requests")
@approver_required
def leave_requests():
    """Pending leave requests I may decide, with approve / reject buttons; ``?show=decided``:
    those decided, a page at a time, with who decided and when."""
    if request.args.get("show") == "decided":
        decided = paginate(leave.decided_query(current_user))
        deciders = {user.id: user for user in db.session.scalars(select(User).where(
            User.id.in_({item.decided_by_id for item in decided.items})))}
        return render_template("sessions/leave_decided.html", pagination=decided,
                               deciders=deciders, statuses=LEAVE_STATUSES)
    return render_template("sessions/leave_requests.html", requests=leave.pending_for(current_user),
                           form=DecisionForm())


@sessions_bp.route("/leave-requests/<int:request_id>/decide", methods=["POST"])
@approver_required
def leave_decide(request_id: int):
    """Approve or reject one leave request (a refusal with a note saying why)."""
    request_ = leave.get_leave_request(request_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("sessions.leave_requests"))
    approve = form.decision.data == "approve"
    try:
        leave.decide(current_user, request_, approve, form.note.data, utcnow())
    except DomainError as error:
        db.session.rollback()
        if error.status == 403:
            raise
        flash(error.message, "error")
        return redirect(url_for("sessions.leave_requests"))
    db.session.commit()
    name, title = request_.user.name, inner_title(request_.session.title)
    flash(_("已批准 %(name)s 在《%(title)s》的请假。", name=name, title=title) if approve
          else _("未批准 %(name)s 在《%(title)s》的请假申请。", name=name, title=title), "success")
    return redirect(url_for("sessions.leave_requests"))


# --- admin ---------------------------------------------------------------------------------


def _csv_response(data: bytes, name: str, fallback: str):
    return download(data, f"{filename_part(name)}.csv", CSV_MIMETYPE, fallback=f"{fallback}.csv")


def _close_ended() -> None:
    """Sessions whose check-in has closed get their absentees written (cheap when none)."""
    if close_ended_sessions(utcnow()):
        db.session.commit()


@sessions_admin_bp.route("/<int:session_id>/absentees")
@leader_reads
def absentees(session_id: int):
    """Absentees of one session, by department; ``?format=csv`` downloads them."""
    _close_ended()
    session = get_session(session_id)
    now = utcnow()
    if request.args.get("format") == "csv":
        day = attendance.local_today(session.starts_at).isoformat()
        return _csv_response(attendance_export.export_absentees(session, now),
                             _("%(title)s-%(day)s-缺席名单", title=session.title, day=day),
                             f"absentees-{day}")
    groups = roster.absentees_by_department(session, now)
    expected, counts = roster.session_counts(session, now)
    return render_template(
        "sessions_admin/absentees.html", session=session, groups=groups, expected=expected,
        counts=counts, absent_total=sum(len(g.people) for g in groups),
        check_in_closed=session.closes_at <= now, statuses=ATTENDANCE_STATUSES,
        attendance_url=_endpoint_url("sessions_admin.attendance", session_id=session.id),
        sessions_url=_endpoint_url("sessions_admin.sessions"))


REPORT_SORTS = {"name": _l("按部门和姓名"), "rate": _l("按参学率（低到高）")}


@sessions_admin_bp.route("/report")
@leader_reads
def attendance_report():
    """Attendance rates per department and per person over a period; ``?format=csv``."""
    _close_ended()
    date_from, date_to, problems = _period()
    department_id, department = None, None
    raw_department = request.args.get("department", "").strip()
    if raw_department:  # a department that is not there is reported, not a 404 page
        try:
            department_id = record_id(raw_department)
            department = get_department(department_id)
        except (ValueError, DomainError):
            problems.append(_("所选的%(what)s不存在，已不按它筛选。", what=_("部门")))
            department_id, department = None, None
    summary = attendance.attendance_summary(department_id=department_id, date_from=date_from,
                                            date_to=date_to)
    scope = department.full_name if department else _("全部部门")
    if request.args.get("format") == "csv":
        return _csv_response(attendance_export.export_summary(summary, scope),
                             _("出勤统计-%(scope)s-%(start)s至%(end)s", scope=scope,
                               start=date_from.isoformat(), end=date_to.isoformat()),
                             f"attendance-{date_from.isoformat()}-{date_to.isoformat()}")
    sort = request.args.get("sort", "name")
    # The summary comes in name (pinyin) order: a stable sort keeps it among equals.
    people = summary.people
    if sort == "rate":
        # Lowest rate first; people with nothing counted last.
        people = sorted(people, key=lambda p: (p.rate is None, p.rate or 0))
    else:
        sort = "name"
        # Departments in the office's order, as the table above lists them.
        rank: dict[int | None, int] = {}
        for index, row in enumerate(summary.departments):
            rank.setdefault(row.department_id, index)
        people = sorted(people, key=lambda p: rank.get(p.department_id, len(rank)))
    page = page_of(people, page_arg(), current_app.config["PER_PAGE"])
    return render_template(
        "sessions_admin/attendance_report.html", summary=summary, people=page, scope=scope,
        problems=problems,
        department_id=department_id, department_choices=department_choices(), sort=sort,
        sorts=REPORT_SORTS, rule_text=attendance.rule_description(summary.rule),
        sessions_url=_endpoint_url("sessions_admin.sessions"),
        csv_url=url_for("sessions_admin.attendance_report", **{
            **({"department": department_id} if department_id else {}),
            "format": "csv", "from": date_from.isoformat(), "to": date_to.isoformat()}))
