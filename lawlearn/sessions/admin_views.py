"""Admin pages: schedule sessions (with repeats), cancel, mark attendance, session kinds."""

from __future__ import annotations

import re
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user
from sqlalchemy import or_, select

from lawlearn.accounts.departments import department_choices
from lawlearn.accounts.forms import ConfirmForm
from lawlearn.accounts.models import Department, User
from lawlearn.database import utcnow
from lawlearn.errors import (
    DomainError,
    ValidationFailed,
    accepted,
    add_service_problems,
    raise_all,
    reading_into,
    show_beside_fields,
    submitted_with_a_token,
)
from lawlearn.exports import XLSX_MIMETYPE, download, filename_part
from lawlearn.extensions import db
from lawlearn.i18n import display_datetime
from lawlearn.library.models import Material
from lawlearn.library.references import format_references, resolve_article_references
from lawlearn.localtime import local_day
from lawlearn.pagination import paginate
from lawlearn.quiz.authoring import user_ids_for, usernames_of
from lawlearn.quiz.models import Quiz
from lawlearn.security import leader_reads
from lawlearn.sessions import (
    bulk_marking,
    closing,
    deletion,
    leave,
    roster,
    services,
    sessions_admin_bp,
)
from lawlearn.sessions.attendance_sheet import sign_in_sheet
from lawlearn.sessions.forms import BulkMarkForm, CancelForm, KindForm, MarkForm, SessionForm
from lawlearn.sessions.kinds import add_kind, session_kinds
from lawlearn.sessions.models import ATTENDANCE_STATUSES, CHECKIN_SOURCES, SessionKind, StudySession
from lawlearn.submissions import once_per_submission


def _local(value: datetime | None) -> datetime | None:
    return to_user_timezone(value).replace(tzinfo=None) if value else None


@sessions_admin_bp.route("/")
@leader_reads
def sessions():
    """Upcoming or past sessions, newest first for the past."""
    now = utcnow()
    if services.close_ended_sessions(now):
        db.session.commit()
    past = request.args.get("when") == "past"
    query = select(StudySession).order_by(
        StudySession.starts_at.desc() if past else StudySession.starts_at)
    query = query.where(StudySession.ends_at < now) if past else \
        query.where(StudySession.ends_at >= now)
    pagination = paginate(query)
    return render_template("sessions_admin/sessions.html", pagination=pagination, past=past,
                           now=now, pending_leave=leave.pending_count(current_user))


def _form_fields(form: SessionForm) -> tuple[services.SessionFields, list[ValidationFailed]]:
    """What the form says, for the service, and the problems met reading it (unknown
    usernames or article references), so that they are named with the service's own.
    Tolerates what the form's own checks refused (None), for the same reason."""
    problems: list[ValidationFailed] = []
    read = reading_into(problems)

    # Names that could not be read are not "nobody named": None skips that check.
    user_ids = read(lambda: user_ids_for(re.split(r"[\s,，、;；]+", accepted(form.usernames) or "")),
                    None)
    article_ids = read(lambda: [a.id for a in resolve_article_references(
        accepted(form.article_refs) or "")], [])
    fields = services.SessionFields(
        title=accepted(form.title) or "", kind_id=accepted(form.kind_id),
        starts_at=_utc(accepted(form.starts_at)), ends_at=_utc(accepted(form.ends_at)),
        place=accepted(form.place) or "", speaker=accepted(form.speaker) or "",
        description=accepted(form.description) or "",
        study_hours=accepted(form.study_hours) or 0,
        checkin_opens_minutes=accepted(form.checkin_opens_minutes),
        late_after_minutes=accepted(form.late_after_minutes),
        checkin_closes_at=_utc(accepted(form.checkin_closes_at)),
        exit_quiz_id=accepted(form.exit_quiz_id) or None, audience_all=form.audience_all.data,
        department_ids=accepted(form.department_ids) or [], user_ids=user_ids,
        material_ids=accepted(form.material_ids) or [], article_ids=article_ids)
    return fields, problems


def _utc(local: datetime | None) -> datetime | None:
    return to_utc(local) if local else None


@sessions_admin_bp.route("/new", methods=["GET", "POST"])
@sessions_admin_bp.route("/<int:session_id>", methods=["GET", "POST"])
@once_per_submission(lambda: url_for("sessions_admin.sessions"))
def session_edit(session_id: int | None = None):
    """Schedule a session (or a weekly/monthly series), or edit one or the rest of a series."""
    study = services.get_session(session_id) if session_id else None
    form = SessionForm()
    form.kind_id.choices = [(k.id, k.name) for k in session_kinds() if k.active or
                            (study and k.id == study.kind_id)]
    form.department_ids.choices = department_choices()
    form.material_ids.choices = [(m.id, m.title) for m in db.session.scalars(
        select(Material).where(Material.published.is_(True)).order_by(Material.title))]
    form.exit_quiz_id.choices = [("", _("（无）"))] + [
        (q.id, q.title) for q in db.session.scalars(
            select(Quiz).where(or_(Quiz.published.is_(True),
                                   Quiz.id == (study.exit_quiz_id if study else None)))
            .order_by(Quiz.id.desc()))]
    if study is not None and request.method == "GET":
        for name in ("title", "kind_id", "place", "speaker", "description", "study_hours",
                     "checkin_opens_minutes", "late_after_minutes", "exit_quiz_id",
                     "audience_all"):
            getattr(form, name).data = getattr(study, name)
        form.starts_at.data, form.ends_at.data = _local(study.starts_at), _local(study.ends_at)
        form.checkin_closes_at.data = _local(study.checkin_closes_at)
        form.department_ids.data = [a.department_id for a in study.audience if a.department_id]
        form.material_ids.data = [link.material_id for link in study.links if link.material_id]
        form.article_refs.data = format_references([link.article for link in study.links
                                                    if link.article_id])
        form.usernames.data = " ".join(usernames_of([a.user_id for a in study.audience
                                                     if a.user_id]))
    status = 200
    if form.validate_on_submit():
        try:
            fields, problems = _form_fields(form)
            if problems:  # named with the rest (the service checks only what it is given)
                raise_all(problems + services.session_problems(fields))
            if study is None:
                until = to_utc(datetime.combine(form.repeat_until.data, datetime.max.time())) \
                    if form.repeat_until.data else None
                created = services.create_sessions(
                    current_user, fields, repeat=form.repeat.data or None, until=until,
                    now=utcnow(), past_confirmed=form.past_confirmed.data)
                study = created[0]
                message = _("已安排 %(n)d 场活动。", n=len(created))
            else:
                changed = services.update_session(
                    current_user, study, fields, whole_series=form.whole_series.data,
                    now=utcnow(), past_confirmed=form.past_confirmed.data)
                message = _("已保存 %(n)d 场活动。", n=changed)
        except DomainError as error:
            db.session.rollback()
            show_beside_fields(form, error, "title")
            status = 422
        else:
            db.session.commit()
            flash(message, "success")
            if study.checkin_closes_at is not None and study.checkin_closes_at > study.ends_at:
                # Allowed (latecomers, an online session), but easily a slip of the date.
                flash(_("注意：签到截止时间晚于活动结束时间，活动结束后直到 %(when)s 仍可签到。",
                        when=display_datetime(study.checkin_closes_at)), "warning")
            return redirect(url_for("sessions_admin.session_edit", session_id=study.id))
    elif request.method == "POST":
        status = 422
        if submitted_with_a_token(form):
            fields, problems = _form_fields(form)
            add_service_problems(form, problems + services.session_problems(fields), "title")
    return render_template("sessions_admin/session_form.html", form=form, study=study,
                           cancel_form=CancelForm(), plan_items=_plan_items(study),
                           blockers=deletion.deletion_blockers(study) if study else [],
                           delete_form=ConfirmForm()), status


def _plan_items(study) -> str:
    """The running published plans' items asking for ``study``, in words ("" for none): a
    cancelled session leaves them impossible until the plan names another session."""
    from lawlearn.plans.targets import items_pointing_at, named_items  # plans import us

    if study is None:
        return ""
    return named_items(items_pointing_at("session", study.id, open_on=local_day(utcnow())))


@sessions_admin_bp.route("/<int:session_id>/cancel", methods=["POST"])
def session_cancel(session_id: int):
    """Cancel a session with a reason that staff will see."""
    study = services.get_session(session_id)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            told = services.cancel_session(current_user, study, form.reason.data, utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("已取消本次活动，并通知了应参加的 %(n)d 人。", n=told) if told
                  else _("已取消本次活动。"), "success")
            if items := _plan_items(study):
                flash(_("学习计划的事项要求参加本次活动：%(items)s。请在计划中改选其他场次；"
                        "改选前，这些事项不计入任何人的完成情况。", items=items), "warning")
    else:
        flash(_("请填写取消原因。"), "error")
    return redirect(url_for("sessions_admin.session_edit", session_id=study.id))


@sessions_admin_bp.route("/<int:session_id>/delete", methods=["POST"])
def session_delete(session_id: int):
    """Delete a session scheduled by mistake, when nothing records or points at it."""
    study = services.get_session(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = study.title
    try:
        deletion.delete_session(current_user, study)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("sessions_admin.session_edit", session_id=session_id))
    db.session.commit()
    flash(_("已删除学法活动《%(title)s》。", title=title), "success")
    return redirect(url_for("sessions_admin.sessions"))


@sessions_admin_bp.route("/<int:session_id>/close-checkin", methods=["POST"])
def close_checkin(session_id: int):
    """结束签到 now: the absentees are written and the figures final (audited)."""
    study = services.get_session(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        absent = closing.close_checkin_now(current_user, study, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("已结束签到，未签到的 %(n)d 人记为缺席。", n=absent), "success")
    return redirect(url_for("sessions_admin.attendance", session_id=study.id))


@sessions_admin_bp.route("/<int:session_id>/attendance", methods=["GET", "POST"])
@leader_reads
def attendance(session_id: int):
    """Who is expected and their status, a page at a time (search, filter by status), with
    manual marking and shared-device flags."""
    # Absentees written once check-in has closed, so the figures match the absentee list.
    if services.close_ended_sessions(utcnow()):
        db.session.commit()
    study = services.get_session(session_id)
    # Marking posts to this URL, query string included: back to the same page and filter.
    here = url_for("sessions_admin.attendance", session_id=study.id, **_roster_args())
    form = MarkForm()
    if form.validate_on_submit():
        person = db.session.get(User, form.user_id.data)
        if person is None:
            flash(_("用户不存在。"), "error")
        else:
            now = utcnow()
            try:
                services.mark(current_user, study, person, form.status.data, form.note.data or "",
                              now)
            except DomainError as error:
                flash(error.message, "error")
            else:
                # A plan item "attend this session" done by the mark was stamped and paid with
                # it (plans.progress listens to attendance_recorded), dated at the session.
                db.session.commit()
                flash(_("已标记 %(name)s。", name=person.name), "success")
        return redirect(here)
    if request.method == "POST":
        flash(_("标记失败：请选择出勤状态，备注不超过 500 字。"), "error")
        return redirect(here)
    status = request.args.get("status", "")
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    pagination = paginate(roster.roster_query(
        study, q=request.args.get("q", "").strip() or None,
        status=status if status in roster.FILTERS else None,
        departments=list(departments.values())))
    people = list(pagination.items)
    return render_template("sessions_admin/attendance.html", study=study,
                           pagination=pagination, people=people,
                           records=roster.records_of(study, people),
                           flagged=roster.shared_device_users(study, people),
                           counts=roster.roster_counts(study), departments=departments,
                           filters=_roster_filters(), status=status, mark_form=MarkForm(),
                           bulk_form=BulkMarkForm(), roster_args=_roster_args(),
                           sources=CHECKIN_SOURCES, closable=_closable(study))


def _closable(study: StudySession) -> bool:
    """Whether 结束签到 is offered: the session has started and its check-in still runs."""
    now = utcnow()
    return study.cancelled_at is None and study.closed_at is None \
        and study.starts_at <= now < study.closes_at


@sessions_admin_bp.route("/<int:session_id>/attendance/sheet")
@leader_reads
def attendance_sheet(session_id: int):
    """The sign-in sheet (签到表) as XLSX: everyone on the roster, to print or to file."""
    if services.close_ended_sessions(utcnow()):  # as the 出勤 page: the same figures
        db.session.commit()
    study = services.get_session(session_id)
    day = local_day(study.starts_at).isoformat()
    name = filename_part(_("%(title)s-%(day)s-签到表", title=study.title, day=day))
    return download(sign_in_sheet(study, utcnow()), f"{name}.xlsx", XLSX_MIMETYPE,
                    fallback=f"sign-in-sheet-{day}.xlsx")


@sessions_admin_bp.route("/<int:session_id>/attendance/bulk", methods=["POST"])
def attendance_bulk(session_id: int):
    """Mark the rows ticked on the roster at once (a paper sign-in sheet): all or none."""
    study = services.get_session(session_id)
    here = url_for("sessions_admin.attendance", session_id=study.id, **_roster_args())
    form = BulkMarkForm()
    if not form.validate_on_submit() or form.chosen_ids() is None:
        flash(_("批量标记失败：请勾选人员并选择出勤状态，备注不超过 500 字。"), "error")
        return redirect(here)
    now = utcnow()
    try:
        people = bulk_marking.mark_many(current_user, study, form.chosen_ids(),
                                        form.status.data, form.note.data or "", now)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(here)
    # Each mark settled the person's plan items (plans.progress listens to attendance_recorded).
    db.session.commit()
    flash(_("已将 %(n)d 人标记为%(status)s。", n=len(people),
            status=ATTENDANCE_STATUSES[form.status.data]), "success")
    return redirect(here)


def _roster_args() -> dict[str, str]:
    """The roster's search, filter and page from the query string, for links back to it."""
    return {key: value for key, value in request.args.items() if key in ("q", "status", "page")}


def _roster_filters() -> dict[str, str]:
    return {roster.NOT_CHECKED_IN: _("未签到"),
            **{key: str(label) for key, label in ATTENDANCE_STATUSES.items()},
            roster.SHARED_DEVICE: _("同设备签到")}


@sessions_admin_bp.route("/kinds", methods=["GET", "POST"])
def kinds():
    """The list of session kinds (集中学法, 会前学法 …); admins may add more."""
    form = KindForm()
    if form.validate_on_submit():
        try:
            add_kind(form.name.data)
        except ValidationFailed as error:
            form.name.errors = [error.message]
        else:
            db.session.commit()
            flash(_("已添加。"), "success")
            return redirect(url_for("sessions_admin.kinds"))
    return render_template("sessions_admin/kinds.html", form=form, kinds=session_kinds())


@sessions_admin_bp.route("/kinds/<int:kind_id>/toggle", methods=["POST"])
def kind_toggle(kind_id: int):
    """Hide a kind from new sessions (past sessions keep it), or show it again."""
    kind = db.get_or_404(SessionKind, kind_id)
    kind.active = not kind.active
    db.session.commit()
    return redirect(url_for("sessions_admin.kinds"))
