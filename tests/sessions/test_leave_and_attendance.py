"""Leave requests, absentees and attendance rates: services without HTTP, then the pages."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict, PermissionDenied, ValidationFailed
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.plans.models import Notice
from lawlearn.sessions import attendance, leave, roster
from lawlearn.sessions.models import Attendance, LeaveRequest, SessionKind, StudySession
from lawlearn.sessions.services import (
    SessionFields,
    cancel_session,
    check_in,
    close_session,
    create_sessions,
)
from tests.conftest import csrf_from, post_with_csrf

NOW = datetime(2025, 3, 10, 1, 0)  # naive UTC: 09:00 in Shanghai
YEAR = (date(2025, 1, 1), date(2025, 12, 31))


@dataclass
class Org:
    """Two units (执法局 with its section 法制科, and 办公室) and people in each."""

    unit: int
    section: int
    office: int
    admin: object
    unit_lead: object  # dept_lead of 执法局 (and so of 法制科)
    section_lead: object  # dept_lead of 法制科 only
    office_lead: object
    clerk: object  # staff in 法制科
    officer: object  # staff in 执法局 itself
    secretary: object  # staff in 办公室


@pytest.fixture
def org(make_department, make_user) -> Org:
    unit = make_department("执法局")
    section = make_department("法制科", unit)
    office = make_department("办公室")
    return Org(
        unit, section, office,
        admin=make_user("root", roles=("admin", "staff"), name="管理员甲"),
        unit_lead=make_user("unitlead", roles=("dept_lead", "staff"), name="局长乙",
                            department_id=unit),
        section_lead=make_user("seclead", roles=("dept_lead", "staff"), name="科长丙",
                               department_id=section),
        office_lead=make_user("offlead", roles=("dept_lead", "staff"), name="主任丁",
                              department_id=office),
        clerk=make_user("clerk", name="科员戊", department_id=section),
        officer=make_user("officer", name="干部己", department_id=unit),
        secretary=make_user("secretary", name="文员庚", department_id=office),
    )


def user(ref) -> User:
    return db.session.get(User, ref.id)


def make_session(starts_at: datetime, *, title: str = "集中学法", minutes: int = 60,
                 department_ids: tuple[int, ...] = (), user_ids: tuple[int, ...] = ()) -> StudySession:
    """A session (in the current app context); everyone is expected unless narrowed."""
    kind = db.session.scalar(select(SessionKind))
    if kind is None:
        kind = SessionKind(name="集中学法")
        db.session.add(kind)
        db.session.flush()
    fields = SessionFields(title, kind.id, starts_at, starts_at + timedelta(minutes=minutes),
                           audience_all=not (department_ids or user_ids),
                           department_ids=list(department_ids), user_ids=list(user_ids))
    session = create_sessions(None, fields)[0]
    db.session.commit()
    return session


def record(session: StudySession, person, status: str) -> None:
    source = {"excused": "leave", "absent": "closing"}.get(status, "qr")
    db.session.add(Attendance(session_id=session.id, user_id=person.id, status=status,
                              source=source, checked_in_at=session.starts_at
                              if status in ("present", "late") else None))
    db.session.flush()


# --- leave: asking ------------------------------------------------------------------------


def test_request_leave_then_update_while_pending(ctx, org):
    session = make_session(NOW + timedelta(days=1))
    clerk = user(org.clerk)
    request, created = leave.request_leave(clerk, session, "  外出执行公务  ", NOW)
    assert created and request.status == "pending" and request.reason == "外出执行公务"
    again, created = leave.request_leave(clerk, session, "参加市里培训", NOW)
    assert not created and again.id == request.id and again.reason == "参加市里培训"
    assert db.session.scalar(select(db.func.count()).select_from(LeaveRequest)) == 1


@pytest.mark.parametrize("after_start", [timedelta(0), timedelta(minutes=30)])
def test_leave_is_refused_once_the_session_has_started(ctx, org, after_start):
    session = make_session(NOW)
    with pytest.raises(Conflict, match="活动已开始"):
        leave.request_leave(user(org.clerk), session, "临时有事", NOW + after_start)


def test_leave_after_the_session_says_it_is_over_not_started(ctx, org, client, login):
    """Days later, "活动已开始" misleads: the page and the refusal say it has ended."""
    session = make_session(datetime(2026, 1, 5, 1, 0))
    db.session.commit()
    with pytest.raises(Conflict, match="活动已结束"):
        leave.request_leave(user(org.clerk), session, "临时有事", datetime(2026, 1, 9))
    login(org.clerk)
    page = client.get(f"/sessions/{session.id}/leave").get_data(as_text=True)
    assert "活动已结束，不能再请假" in page and "活动已开始" not in page


def test_leave_is_refused_when_not_expected_cancelled_or_without_reason(ctx, org):
    office_only = make_session(NOW + timedelta(days=1), department_ids=(org.office,))
    with pytest.raises(Conflict, match="不在本次活动的应到人员名单"):
        leave.request_leave(user(org.clerk), office_only, "有事", NOW)
    with pytest.raises(ValidationFailed, match="请填写请假事由"):
        leave.request_leave(user(org.secretary), office_only, "   ", NOW)
    cancel_session(user(org.admin), office_only, "场地冲突", NOW)
    with pytest.raises(Conflict, match="已取消"):
        leave.request_leave(user(org.secretary), office_only, "有事", NOW)


def test_a_section_is_expected_when_its_unit_is(ctx, org):
    session = make_session(NOW + timedelta(days=1), department_ids=(org.unit,))
    assert leave.is_expected(user(org.clerk), session)
    assert not leave.is_expected(user(org.secretary), session)


def test_leave_is_refused_after_checking_in(ctx, org):
    session = make_session(NOW + timedelta(minutes=20))
    check_in(user(org.clerk), session, NOW)
    with pytest.raises(Conflict, match="已签到"):
        leave.request_leave(user(org.clerk), session, "有事", NOW)


# --- leave: deciding ----------------------------------------------------------------------


def test_who_may_decide(ctx, org):
    session = make_session(NOW + timedelta(days=1))
    requests = {name: leave.request_leave(user(getattr(org, name)), session, "有事", NOW)[0]
                for name in ("clerk", "officer", "secretary", "unit_lead", "section_lead",
                             "admin")}

    def deciders(name: str) -> set[str]:
        return {who for who in ("admin", "unit_lead", "section_lead", "office_lead", "clerk")
                if leave.can_decide(user(getattr(org, who)), requests[name])}

    # The unit's lead covers the unit and its section; a section's lead only the section.
    assert deciders("clerk") == {"admin", "unit_lead", "section_lead"}
    assert deciders("officer") == {"admin", "unit_lead"}
    assert deciders("secretary") == {"admin", "office_lead"}
    # Nobody decides their own request, not even an admin.
    assert deciders("unit_lead") == {"admin"}
    assert deciders("section_lead") == {"admin", "unit_lead"}
    assert deciders("admin") == set()


def test_self_approval_is_refused(ctx, org):
    session = make_session(NOW + timedelta(days=1))
    own, _created = leave.request_leave(user(org.admin), session, "出差", NOW)
    with pytest.raises(PermissionDenied, match="不能审批自己"):
        leave.decide(user(org.admin), own, True, "", NOW)
    assert own.status == "pending"


def test_a_lead_cannot_decide_for_another_department(ctx, org):
    session = make_session(NOW + timedelta(days=1))
    request, _created = leave.request_leave(user(org.secretary), session, "有事", NOW)
    with pytest.raises(PermissionDenied):
        leave.decide(user(org.unit_lead), request, True, "", NOW)
    leave.decide(user(org.office_lead), request, True, "", NOW)
    assert request.status == "approved"


def test_approval_makes_the_person_excused_and_is_audited(ctx, org):
    session = make_session(NOW + timedelta(days=1))
    request, _created = leave.request_leave(user(org.clerk), session, "外出执法", NOW)
    leave.decide(user(org.unit_lead), request, True, "同意", NOW + timedelta(hours=1))
    db.session.commit()
    assert (request.status, request.decided_by_id, request.decision_note) == \
        ("approved", org.unit_lead.id, "同意")
    row = db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                         user_id=org.clerk.id))
    assert (row.status, row.source, row.marked_by_id) == ("excused", "leave", org.unit_lead.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "leave.approve"))
    assert entry.actor_id == org.unit_lead.id and entry.target_id == request.id
    assert "科员戊" in entry.summary
    # Decided once: no second decision, no new request, no withdrawal.
    with pytest.raises(Conflict, match="已处理"):
        leave.decide(user(org.admin), request, False, "", NOW)
    with pytest.raises(Conflict, match="已批准"):
        leave.request_leave(user(org.clerk), session, "改个理由", NOW)
    with pytest.raises(Conflict, match="不能撤回"):
        leave.withdraw(user(org.clerk), request, NOW)


def test_approval_after_closing_turns_absent_into_excused(ctx, org):
    session = make_session(NOW + timedelta(hours=1), department_ids=(org.section,))
    request, _created = leave.request_leave(user(org.clerk), session, "病假", NOW)
    close_session(session, NOW + timedelta(hours=3))
    leave.decide(user(org.section_lead), request, True, None, NOW + timedelta(hours=4))
    statuses = dict(db.session.execute(select(Attendance.user_id, Attendance.status)
                                       .where(Attendance.session_id == session.id)).all())
    assert statuses[org.clerk.id] == "excused"


def test_approval_keeps_a_check_in(ctx, org):
    session = make_session(NOW + timedelta(minutes=20))
    request, _created = leave.request_leave(user(org.clerk), session, "可能来不了", NOW)
    check_in(user(org.clerk), session, NOW + timedelta(minutes=5))
    leave.decide(user(org.unit_lead), request, True, "", NOW + timedelta(minutes=10))
    row = db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                         user_id=org.clerk.id))
    assert row.status == "present" and request.status == "approved"


def test_rejection_changes_no_attendance(ctx, org):
    session = make_session(NOW + timedelta(days=1))
    request, _created = leave.request_leave(user(org.secretary), session, "有事", NOW)
    leave.decide(user(org.office_lead), request, False, "会议重要，请参加", NOW)
    assert request.status == "rejected" and request.decision_note == "会议重要，请参加"
    assert db.session.scalar(select(Attendance).filter_by(session_id=session.id)) is None
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.target_type == "leave_request")) == "leave.reject"
    with pytest.raises(Conflict, match="未获批准"):
        leave.request_leave(user(org.secretary), session, "再申请", NOW)


def test_the_person_is_told_of_the_decision(ctx, org):
    from lawlearn.plans.models import Notice

    session = make_session(NOW + timedelta(days=1), title="宪法专题学习")
    refused, _created = leave.request_leave(user(org.secretary), session, "有事", NOW)
    leave.decide(user(org.office_lead), refused, False, "会议重要，请参加", NOW)
    granted, _created = leave.request_leave(user(org.clerk), session, "出差", NOW)
    leave.decide(user(org.admin), granted, True, "", NOW)
    # (The approvers' bells of the requests aside: the decisions' notices.)
    notices = {n.user_id: (n.title, n.body, n.link) for n in db.session.scalars(
        select(Notice).where(Notice.link != "/leave-requests"))}
    assert notices == {
        org.secretary.id: ("请假未批准：宪法专题学习", "审批意见：会议重要，请参加",
                           f"/sessions/{session.id}/leave"),
        org.clerk.id: ("请假已批准：宪法专题学习", "", f"/sessions/{session.id}/leave")}


def test_a_decision_racing_another_one_loses(ctx, org):
    session = make_session(NOW + timedelta(days=1))
    request, _created = leave.request_leave(user(org.clerk), session, "有事", NOW)
    db.session.commit()
    # Another approver rejects it from another worker; this session still sees it pending.
    db.session.execute(LeaveRequest.__table__.update().where(LeaveRequest.id == request.id)
                       .values(status="rejected", decided_by_id=org.unit_lead.id))
    assert request.status == "pending"
    with pytest.raises(Conflict, match="已被处理或撤回"):
        leave.decide(user(org.admin), request, True, "", NOW)
    with pytest.raises(Conflict, match="不能撤回"):
        leave.withdraw(user(org.clerk), request, NOW)
    assert db.session.scalar(select(Attendance).filter_by(session_id=session.id)) is None


def test_withdraw_while_pending_then_ask_again(ctx, org):
    session = make_session(NOW + timedelta(days=1))
    request, _created = leave.request_leave(user(org.clerk), session, "有事", NOW)
    with pytest.raises(PermissionDenied):
        leave.withdraw(user(org.officer), request, NOW)
    leave.withdraw(user(org.clerk), request, NOW)
    assert leave.request_of(user(org.clerk), session) is None
    _again, created = leave.request_leave(user(org.clerk), session, "还是有事", NOW)
    assert created


def test_pending_for_lists_what_each_approver_may_decide(ctx, org):
    soon, later = make_session(NOW + timedelta(days=1)), make_session(NOW + timedelta(days=2))
    for person in (org.clerk, org.officer, org.secretary, org.unit_lead):
        leave.request_leave(user(person), later, "有事", NOW)
    leave.request_leave(user(org.clerk), soon, "有事", NOW)
    decided, _created = leave.request_leave(user(org.officer), soon, "有事", NOW)
    leave.decide(user(org.admin), decided, True, "", NOW)

    def names(who) -> list[tuple[str, int]]:
        return [(r.user.username, r.session_id) for r in leave.pending_for(user(who))]

    assert names(org.unit_lead) == [("clerk", soon.id), ("clerk", later.id),
                                    ("officer", later.id)]
    assert names(org.section_lead) == [("clerk", soon.id), ("clerk", later.id)]
    assert {name for name, _id in names(org.admin)} == {"clerk", "officer", "secretary",
                                                        "unitlead"}
    assert names(org.clerk) == []
    for who in (org.unit_lead, org.section_lead, org.admin, org.clerk):  # the badge's count
        assert leave.pending_count(user(who)) == len(names(who))


def test_pending_for_takes_one_query_for_few_or_many(ctx, org, make_user, count_queries):
    session = make_session(NOW + timedelta(days=1))
    counts = []
    made = 0
    for size in (2, 20):
        # Made first: make_user writes on a connection of its own, which would wait for
        # this test's open transaction.
        people = [make_user(f"p{index}", department_id=org.section)
                  for index in range(made, size)]
        for person in people:
            leave.request_leave(user(person), session, "有事", NOW)
        made = size
        db.session.commit()
        db.session.expire_all()
        lead = user(org.unit_lead)
        assert lead.has_role("dept_lead")  # roles loaded before counting
        with count_queries.recording() as statements:
            pending = [(r.user.name, r.user.department.full_name, r.session.title)
                       for r in leave.pending_for(lead)]
        counts.append(len(statements))
        assert len(pending) == size
    assert counts[0] == counts[1] == 1


# --- absentees ----------------------------------------------------------------------------


def test_absentees_after_close(ctx, org, make_user):
    extra = make_user("late2", name="科员辛", department_id=org.section)
    gone = make_user("gone", name="离职壬", department_id=org.section, active=False)
    session = make_session(NOW - timedelta(hours=2), department_ids=(org.unit,))
    record(session, org.clerk, "present")
    record(session, org.officer, "late")
    asked, _created = leave.request_leave(user(extra), session, "病假", NOW - timedelta(hours=3))
    leave.decide(user(org.section_lead), asked, True, "", NOW - timedelta(hours=3))
    # Not closed yet, but check-in closed an hour ago: no-shows already count.
    assert {u.username for u in roster.absentees(session, NOW)} == \
        {"unitlead", "seclead"}
    # Before check-in closes only people marked absent are listed.
    assert roster.absentees(session, NOW - timedelta(hours=1, minutes=30)) == []
    assert close_session(session, NOW)
    db.session.commit()
    assert {u.username for u in roster.absentees(session, NOW)} == {"unitlead", "seclead"}
    # Records are the truth after closing: someone who joins later is not an absentee.
    make_user("newcomer", department_id=org.section)
    groups = roster.absentees_by_department(session, NOW)
    assert [(g.name, [p.username for p in g.people]) for g in groups] == [
        ("执法局", ["unitlead"]), ("执法局/法制科", ["seclead"])]
    assert gone.id not in {p.id for g in groups for p in g.people}
    expected, counts = roster.session_counts(session, NOW)
    assert expected == 5  # everyone with a record once closed; not the newcomer
    assert (counts.present, counts.late, counts.excused, counts.absent) == (1, 1, 1, 2)


def test_absentees_of_a_cancelled_session_are_none(ctx, org):
    session = make_session(NOW - timedelta(hours=2))
    cancel_session(user(org.admin), session, "停电", NOW - timedelta(hours=3))
    assert roster.absentees(session, NOW) == []


# --- rates --------------------------------------------------------------------------------


def five_sessions(person) -> list[StudySession]:
    """present, present, late, excused, absent for ``person``."""
    sessions = [make_session(NOW - timedelta(days=10 - i), title=f"第{i + 1}次学法")
                for i in range(5)]
    for session, status in zip(sessions, ("present", "present", "late", "excused", "absent"),
                               strict=True):
        record(session, person, status)
    for session in sessions:
        close_session(session, NOW - timedelta(days=1))
    return sessions


@pytest.mark.parametrize(("rule", "rate"), [
    ({}, 3 / 4),  # default: late counts as present, excused leaves the denominator
    ({"late_counts_as_present": False}, 2 / 4),
    ({"excused_counts": "present"}, 4 / 5),
    ({"excused_counts": "absent"}, 3 / 5),
    ({"late_counts_as_present": False, "excused_counts": "absent"}, 2 / 5),
])
def test_rates_under_each_rule(ctx, org, rule, rate):
    five_sessions(org.clerk)
    summary = attendance.attendance_summary(user_ids=[org.clerk.id], date_from=YEAR[0],
                                            date_to=YEAR[1], rule=rule, now=NOW)
    [person] = summary.people
    c = person.counts
    assert (c.expected, c.present, c.late, c.excused, c.absent) == (5, 2, 1, 1, 1)
    assert person.rate == pytest.approx(rate)
    assert summary.rate == pytest.approx(rate)


@pytest.mark.app_config(ATTENDANCE_RULE={"late_counts_as_present": False,
                                         "excused_counts": "present"})
def test_the_rule_comes_from_the_configuration(ctx, org):
    five_sessions(org.clerk)
    summary = attendance.attendance_summary(user_ids=[org.clerk.id], date_from=YEAR[0],
                                            date_to=YEAR[1], now=NOW)
    assert summary.rule == attendance.AttendanceRule(False, "present")
    assert summary.people[0].rate == pytest.approx(3 / 5)
    with pytest.raises(ValueError):
        attendance.AttendanceRule.from_config({"excused_counts": "half"})


def test_the_period_and_cancelled_or_future_sessions(ctx, org):
    old = make_session(datetime(2024, 12, 31, 16, 30))  # 2025-01-01 00:30 in Shanghai: counts
    older = make_session(datetime(2024, 12, 31, 15, 59))  # 2024-12-31 23:59 there: does not
    cancelled = make_session(NOW - timedelta(days=2))
    future = make_session(NOW + timedelta(days=2))
    for session in (old, older, cancelled, future):
        record(session, org.clerk, "present")
    cancel_session(user(org.admin), cancelled, "改期", NOW - timedelta(days=3))
    summary = attendance.attendance_summary(user_ids=[org.clerk.id], date_from=YEAR[0],
                                            date_to=YEAR[1], now=NOW)
    assert summary.people[0].counts.present == 1
    assert summary.sessions == 1


def test_an_ended_session_not_yet_closed_counts_no_shows_as_absent(ctx, org):
    session = make_session(NOW - timedelta(hours=2), department_ids=(org.section,))
    running = make_session(NOW - timedelta(minutes=10), department_ids=(org.section,))
    record(session, org.clerk, "present")
    summary = attendance.attendance_summary(department_id=org.section, date_from=YEAR[0],
                                            date_to=YEAR[1], now=NOW)
    by_name = {p.username: p.counts for p in summary.people}
    assert (by_name["clerk"].present, by_name["clerk"].absent) == (1, 0)
    # The running session counts nobody yet; the ended one counts the section lead absent.
    assert (by_name["seclead"].expected, by_name["seclead"].absent) == (1, 1)
    assert running.closed_at is None


def test_departments_roll_up_their_sections(ctx, org):
    session = make_session(NOW - timedelta(days=1))
    for person, status in ((org.clerk, "present"), (org.section_lead, "late"),
                           (org.officer, "absent"), (org.unit_lead, "excused"),
                           (org.secretary, "present"), (org.office_lead, "absent")):
        record(session, person, status)
    close_session(session, NOW)  # the admin (no department) becomes absent

    summary = attendance.attendance_summary(date_from=YEAR[0], date_to=YEAR[1], now=NOW)
    rows = {row.name: row for row in summary.departments}
    assert [row.name for row in summary.departments] == ["办公室", "执法局", "执法局/本级",
                                                          "执法局/法制科", "未分配部门"]
    unit = rows["执法局"]
    assert (unit.people, unit.counts.present, unit.counts.late, unit.counts.absent,
            unit.counts.excused) == (4, 1, 1, 1, 1)
    assert unit.rate == pytest.approx(2 / 3)
    assert not unit.is_section and rows["执法局/法制科"].is_section
    assert rows["执法局/法制科"].rate == pytest.approx(1.0)
    assert rows["办公室"].rate == pytest.approx(0.5)
    assert rows["未分配部门"].counts.absent == 1
    assert summary.total.expected == 7
    # The unit's own people (the officer and its lead): with the section, the whole unit.
    own = rows["执法局/本级"]
    assert (own.own_staff, own.is_section, own.department_id) == (True, True, org.unit)
    assert (own.people, own.counts.absent, own.counts.excused, own.counts.present) == (2, 1, 1, 0)
    assert own.rate == pytest.approx(0.0)
    section = rows["执法局/法制科"]
    assert own.counts.expected + section.counts.expected == unit.counts.expected

    by_unit = attendance.attendance_summary(department_id=org.unit, date_from=YEAR[0],
                                            date_to=YEAR[1], now=NOW)
    assert [row.name for row in by_unit.departments] == ["执法局", "执法局/本级", "执法局/法制科"]
    assert {p.username for p in by_unit.people} == {"clerk", "seclead", "officer", "unitlead"}
    by_section = attendance.attendance_summary(department_id=org.section, date_from=YEAR[0],
                                               date_to=YEAR[1], now=NOW)
    assert [row.name for row in by_section.departments] == ["执法局/法制科"]
    assert by_section.departments[0].people == 2


def test_no_own_staff_row_for_a_unit_whose_sections_list_nobody(ctx, org, make_department,
                                                                make_user):
    """办公室's only section holds someone deactivated with nothing counted: not listed, so
    办公室 has no sections listed and no 本级 row (as the participation report)."""
    archive = make_department("档案室", org.office)
    make_user("gone", name="离职者", department_id=archive, active=False)
    session = make_session(NOW - timedelta(days=1))
    record(session, org.secretary, "present")
    close_session(session, NOW)
    summary = attendance.attendance_summary(date_from=YEAR[0], date_to=YEAR[1], now=NOW)
    names = [row.name for row in summary.departments]
    assert "办公室" in names and "办公室/本级" not in names and "办公室/档案室" not in names
    assert "执法局/本级" in names


def test_my_record_shows_only_mine_and_agrees_with_the_summary(ctx, org):
    five_sessions(org.clerk)  # closing them makes everyone else absent
    office_only = make_session(NOW - timedelta(days=1), department_ids=(org.office,))
    close_session(office_only, NOW)
    mine = attendance.my_record(user(org.clerk), YEAR[0], YEAR[1], now=NOW)
    assert [e.session.title for e in mine.entries] == [f"第{i}次学法" for i in (5, 4, 3, 2, 1)]
    assert [e.status for e in mine.entries] == ["absent", "excused", "late", "present", "present"]
    summary = attendance.attendance_summary(user_ids=[org.clerk.id], date_from=YEAR[0],
                                            date_to=YEAR[1], now=NOW)
    assert mine.counts == summary.people[0].counts and mine.rate == summary.people[0].rate
    theirs = attendance.my_record(user(org.officer), YEAR[0], YEAR[1], now=NOW)
    assert [e.status for e in theirs.entries] == ["absent"] * 5


def test_report_takes_the_same_number_of_queries_for_few_or_many(ctx, org, make_user,
                                                                 count_queries):
    counts = []
    for size in (3, 30):
        people = [make_user(f"r{size}-{i}", department_id=org.section if i % 2 else org.office)
                  for i in range(size)]
        for day in range(3):
            session = make_session(NOW - timedelta(days=day + 1, hours=size))
            for index, person in enumerate(people):
                if index % 3:
                    record(session, person, ("present", "late")[index % 2])
        ended = make_session(NOW - timedelta(hours=3))  # ended, not closed: bulk no-shows
        record(ended, people[0], "present")
        db.session.commit()
        db.session.expire_all()
        with count_queries.recording() as statements:
            summary = attendance.attendance_summary(date_from=YEAR[0], date_to=YEAR[1], now=NOW)
        counts.append(len(statements))
        assert summary.people and summary.departments
    assert counts[0] == counts[1], counts
    assert counts[0] <= 6


# --- pages --------------------------------------------------------------------------------


def test_staff_asks_for_leave_updates_and_withdraws(app, client, login, org):
    with app.app_context():
        session_id = make_session(utcnow() + timedelta(days=1), title="宪法学习").id
    login(org.clerk)
    url = f"/sessions/{session_id}/leave"
    page = client.get(url)
    assert page.status_code == 200 and "提交请假申请" in page.get_data(as_text=True)
    token = csrf_from(page)
    empty = client.post(url, data={"reason": "", "csrf_token": token})
    assert empty.status_code == 422 and "请填写请假事由" in empty.get_data(as_text=True)
    response = client.post(url, data={"reason": "外出执法", "csrf_token": token},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已提交请假申请" in text and "待审批" in text and "撤回请假申请" in text
    response = client.post(url, data={"reason": "参加培训", "csrf_token": token},
                           follow_redirects=True)
    assert "已更新请假事由" in response.get_data(as_text=True)
    # 我的学法活动 says so beside the session, not only its own page.
    assert "宪法学习</strong></a>\n      <span class=\"badge\">请假（待审批）</span>" in \
        client.get("/sessions").get_data(as_text=True)
    # And on the session's own page, as 我的出勤 (it said 尚无记录), the button leading to the
    # request by what it does (it repeated the state).
    own = client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "<dd><span class=\"badge\">请假（待审批）</span></dd>" in own
    assert "尚无记录" not in own and ">查看请假申请</a>" in own
    response = post_with_csrf(client, url, f"{url}/withdraw", follow_redirects=True)
    assert "已撤回请假申请" in response.get_data(as_text=True)
    assert "请假（待审批）" not in client.get("/sessions").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(LeaveRequest)) is None


def test_leave_page_after_start_offers_no_form(app, client, login, org):
    with app.app_context():
        session_id = make_session(utcnow() - timedelta(minutes=5)).id
    login(org.clerk)
    page = client.get(f"/sessions/{session_id}/leave")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "活动已开始" in text and "提交请假申请" not in text
    response = client.post(f"/sessions/{session_id}/leave",
                           data={"reason": "晚了", "csrf_token": csrf_from(page)},
                           follow_redirects=True)
    assert "活动已开始" in response.get_data(as_text=True)
    assert client.get("/sessions/99999/leave").status_code == 404
    # Its hours with their unit, as everywhere else (学时 2 had stood bare).
    assert re.search(r"<dt>学时</dt><dd>[\d.]+ 学时</dd>", client.get(
        f"/sessions/{session_id}").get_data(as_text=True))


def test_a_session_for_others_has_no_leave_page_of_mine(app, client, login, org):
    """Its title, time and place stay with its audience, as on the session's own page."""
    with app.app_context():
        session_id = make_session(utcnow() + timedelta(days=1), title="办公室内部学法",
                                  department_ids=(org.office,)).id
    login(org.clerk)  # 法制科
    assert client.get(f"/sessions/{session_id}").status_code == 404
    refused = client.get(f"/sessions/{session_id}/leave")
    assert refused.status_code == 404 and "办公室内部学法" not in refused.get_data(as_text=True)
    for person in (org.secretary, org.admin):  # 办公室; an admin reads every session
        client.delete_cookie("session")
        login(person)
        assert client.get(f"/sessions/{session_id}/leave").status_code == 200


def test_staff_cannot_open_the_approval_queue(client, login, org):
    login(org.clerk)
    assert client.get("/leave-requests").status_code == 403
    assert client.post("/leave-requests/1/decide", data={}).status_code in (400, 403)


def test_a_lead_sees_and_decides_only_their_departments_requests(app, client, login, org):
    with app.app_context():
        session = make_session(utcnow() + timedelta(days=1), title="民法典讲座")
        mine, _c = leave.request_leave(user(org.clerk), session, "下乡执法", utcnow())
        other, _c = leave.request_leave(user(org.secretary), session, "接待来访", utcnow())
        db.session.commit()
        mine_id, other_id = mine.id, other.id
    login(org.unit_lead)
    page = client.get("/leave-requests")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "科员戊" in text and "下乡执法" in text and "文员庚" not in text
    token = csrf_from(page)
    refused = client.post(f"/leave-requests/{other_id}/decide",
                          data={"decision": "approve", "csrf_token": token})
    assert refused.status_code == 403
    response = client.post(f"/leave-requests/{mine_id}/decide",
                           data={"decision": "approve", "note": "同意", "csrf_token": token},
                           follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "已批准 科员戊" in text and "暂无待审批的请假申请" in text
    with app.app_context():
        assert db.session.get(LeaveRequest, other_id).status == "pending"
        row = db.session.scalar(select(Attendance).filter_by(user_id=org.clerk.id))
        assert row.status == "excused"
    bad = client.post(f"/leave-requests/{mine_id}/decide",
                      data={"decision": "maybe", "csrf_token": token}, follow_redirects=True)
    assert bad.status_code == 200


def test_the_leave_page_names_who_decides(app, client, login, org, make_department,
                                          make_user):
    """staff in a section with no head of department read 等待科室负责人或管理员审批 while
    only an admin could decide: each is told who will."""
    annex = make_department("档案室")
    archivist = make_user("archivist", name="档案员辛", department_id=annex)
    with app.app_context():
        session = make_session(utcnow() + timedelta(days=1))
        for ref in (org.clerk, org.section_lead, org.unit_lead, archivist):
            leave.request_leave(user(ref), session, "外出执行公务", utcnow())
        db.session.commit()
        session_id = session.id
    for ref, said in ((org.clerk, "等待科室负责人或管理员审批。"),  # 科长丙 heads 法制科
                      (org.section_lead, "等待上级部门负责人或管理员审批。"),  # 局长乙, above
                      (org.unit_lead, "等待管理员审批。"),  # nobody above 执法局
                      (archivist, "等待管理员审批（本部门暂未设负责人）。")):
        login(ref)
        text = client.get(f"/sessions/{session_id}/leave").get_data(as_text=True)
        assert said in text, ref.username
        post_with_csrf(client, "/me", "/logout")
    with app.app_context():
        db.session.get(User, org.section_lead.id).active = False  # a head who left
        db.session.commit()
    login(org.clerk)  # 执法局's head decides for 法制科 too
    assert "等待上级部门负责人或管理员审批。" in client.get(f"/sessions/{session_id}/leave") \
        .get_data(as_text=True)
    post_with_csrf(client, "/me", "/logout")
    make_user("deputy", roles=("dept_lead", "staff"), name="副局长", department_id=org.unit)
    login(org.unit_lead)  # a co-head of 执法局 decides for the other
    assert "等待本部门其他负责人或管理员审批。" in client.get(f"/sessions/{session_id}/leave") \
        .get_data(as_text=True)


def test_a_refusal_needs_a_reason(app, client, login, org):
    """不批准 with the note empty went through: the person heard "请假未批准" and no why."""
    with app.app_context():
        session = make_session(utcnow() + timedelta(days=1))
        request, _c = leave.request_leave(user(org.clerk), session, "外出执行公务", utcnow())
        db.session.commit()
        request_id = request.id
        with pytest.raises(ValidationFailed, match="不批准时请填写审批意见"):
            leave.decide(user(org.admin), request, False, "  ", utcnow())
        db.session.rollback()
    login(org.admin)
    refused = post_with_csrf(client, "/leave-requests", f"/leave-requests/{request_id}/decide",
                             {"decision": "reject", "note": ""}, follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert "不批准时请填写审批意见，告诉对方原因。" in text and "审批意见（不批准时必填）" in text
    with app.app_context():
        assert db.session.get(LeaveRequest, request_id).status == "pending"
        assert db.session.scalar(select(func.count()).select_from(Notice).where(
            Notice.link != "/leave-requests")) == 0  # no decision told (the request was)
    approved = post_with_csrf(client, "/leave-requests", f"/leave-requests/{request_id}/decide",
                              {"decision": "approve", "note": ""}, follow_redirects=True)
    assert "已批准" in approved.get_data(as_text=True)  # approving needs no note


def test_admin_rejects_from_the_queue(app, client, login, org):
    with app.app_context():
        session = make_session(utcnow() + timedelta(days=1))
        request, _c = leave.request_leave(user(org.unit_lead), session, "出差", utcnow())
        db.session.commit()
        request_id, session_id = request.id, session.id
    login(org.unit_lead)  # nobody heads the unit above theirs: an admin decides
    assert "等待管理员审批。审批前" in client.get(f"/sessions/{session_id}/leave").get_data(
        as_text=True)
    post_with_csrf(client, "/me", "/logout")
    login(org.admin)
    response = post_with_csrf(client, "/leave-requests", f"/leave-requests/{request_id}/decide",
                              {"decision": "reject", "note": "请安排他人出差"},
                              follow_redirects=True)
    assert "未批准 局长乙 在《" in response.get_data(as_text=True)
    post_with_csrf(client, "/me", "/logout")
    login(org.unit_lead)
    text = client.get(f"/sessions/{session_id}/leave").get_data(as_text=True)
    assert "未批准" in text and "请安排他人出差" in text and "管理员甲" in text


def test_my_attendance_page(app, client, login, org):
    with app.app_context():
        past = make_session(utcnow() - timedelta(days=2), title="上周学法")
        record(past, org.clerk, "late")
        other = make_session(utcnow() - timedelta(days=3), title="办公室专场",
                             department_ids=(org.office,))
        close_session(past, utcnow())
        close_session(other, utcnow())
        db.session.commit()
    login(org.clerk)
    page = client.get("/me/attendance")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "上周学法" in text and "迟到" in text and "100.0%" in text
    assert "<dt>应参学</dt><dd>1 场</dd>" in text  # as 学法档案 says it
    assert "办公室专场" not in text
    earlier = client.get("/me/attendance?from=2001-01-01&to=2001-12-31").get_data(as_text=True)
    assert "上周学法" not in earlier and "没有需要参加的学法活动" in earlier
    bad = client.get("/me/attendance?from=bad")
    assert bad.status_code == 200
    assert "开始日期“bad”无效（应为 1900—2999 年间的日期" in bad.get_data(as_text=True)
    assert "上周学法" in bad.get_data(as_text=True)  # this year, as by default
    reversed_ = client.get("/me/attendance?from=2001-12-31&to=2001-01-01").get_data(as_text=True)
    assert "结束日期早于开始日期，已按对调后的期间统计。" in reversed_
    assert 'value="2001-01-01"' in reversed_ and 'value="2001-12-31"' in reversed_
    assert "日期无效" not in page.get_data(as_text=True) and "对调" not in text


def test_leave_approved_for_a_session_to_come_shows_in_my_attendance(app, client, login, org):
    """The notice and the session said 请假; 我的出勤 listed only sessions begun."""
    with app.app_context():
        coming = make_session(utcnow() + timedelta(days=2), title="下周专题学法")
        request, _created = leave.request_leave(user(org.clerk), coming, "外出培训", utcnow())
        leave.decide(user(org.admin), request, True, None, utcnow())
        make_session(utcnow() + timedelta(days=3), title="另一场未来学法")  # nothing of mine
        db.session.commit()
        today = local_day(utcnow())
    login(org.clerk)
    text = client.get(f"/me/attendance?from={(today - timedelta(days=7)).isoformat()}"
                      f"&to={(today + timedelta(days=7)).isoformat()}").get_data(as_text=True)
    entry = text[text.index("下周专题学法"):]
    assert entry.index('<span class="badge">请假</span>') < entry.index("签到结束后计入统计")
    assert "另一场未来学法" not in text


@pytest.fixture
def admin_client(client, login, org):
    login(org.admin)
    return client


def test_admin_absentee_page_and_csv(app, admin_client, org):
    with app.app_context():
        session = make_session(utcnow() - timedelta(hours=3), title="=HYPERLINK 讲座",
                               department_ids=(org.unit, org.office))
        record(session, org.clerk, "present")
        db.session.commit()
        session_id = session.id
    page = admin_client.get(f"/admin/sessions/{session_id}/absentees")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "执法局/法制科" in text and "科长丙" in text and "科员戊" not in text
    export = admin_client.get(f"/admin/sessions/{session_id}/absentees?format=csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0] == ["活动", "活动时间", "部门", "姓名", "用户名"]
    assert {row[3] for row in rows[1:]} == {"局长乙", "干部己", "科长丙", "主任丁", "文员庚"}
    assert rows[1][0].startswith("'=")  # no formula in a spreadsheet
    with app.app_context():  # opening the page closed the session
        assert db.session.get(StudySession, session_id).closed_at is not None


def test_the_admin_sessions_page_leads_to_the_leave_queue(app, admin_client, org):
    assert "待审" not in admin_client.get("/admin/sessions/").get_data(as_text=True)
    with app.app_context():
        leave.request_leave(user(org.clerk), make_session(utcnow() + timedelta(days=1)), "有事",
                            utcnow())
        db.session.commit()
    html = admin_client.get("/admin/sessions/").get_data(as_text=True)
    assert 'href="/leave-requests">请假审批 <span class="badge warn">1 条待审</span>' in html


def test_admin_report_page_and_csv(app, admin_client, org):
    with app.app_context():
        session = make_session(utcnow() - timedelta(days=1))
        record(session, org.clerk, "present")
        record(session, org.officer, "absent")
        db.session.commit()
    page = admin_client.get(f"/admin/sessions/report?department={org.unit}&sort=rate")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "各部门出勤" in text and "执法局/法制科" in text and "文员庚" not in text
    assert "签到已结束且未取消的学法活动 1 场" in text  # what is counted, in words
    assert text.index("干部己") < text.index("科员戊")  # lowest rate first
    export = admin_client.get(f"/admin/sessions/report?department={org.unit}&format=csv")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["统计期间", "范围", "姓名"]
    clerk = next(row for row in rows if row[2] == "科员戊")
    assert clerk[1] == "执法局" and clerk[-1] == "100.0%"
    unknown = admin_client.get("/admin/sessions/report?department=99999")  # said, not a 404
    assert "所选的部门不存在，已不按它筛选。" in unknown.get_data(as_text=True)


def test_staff_and_leads_cannot_open_admin_pages(app, client, login, org):
    with app.app_context():
        session_id = make_session(utcnow() - timedelta(days=1)).id
    login(org.unit_lead)
    assert client.get("/admin/sessions/report").status_code == 403
    assert client.get(f"/admin/sessions/{session_id}/absentees").status_code == 403


def test_report_page_takes_the_same_number_of_queries_for_few_or_many(app, admin_client, org,
                                                                      make_user, count_queries):
    counts = []
    for size in (3, 30):
        people = [make_user(f"w{size}-{i}", department_id=org.section) for i in range(size)]
        with app.app_context():
            session = make_session(utcnow() - timedelta(days=1, hours=size))
            for person in people:
                record(session, person, "present")
            db.session.commit()
        with count_queries.recording() as statements:
            response = admin_client.get("/admin/sessions/report")
        assert response.status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_attendance_report_says_which_dates_it_changed(admin_client):
    bad = admin_client.get("/admin/sessions/report?from=2026-13-40&to=1999-02-01")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200
    # The bad start becomes the first day of the end's year: the period asked for, not a
    # swap into decades nobody asked for.
    assert "开始日期“2026-13-40”无效" in html and "已按 1999-01-01 统计。" in html
    assert "对调" not in html
    assert 'name="from" value="1999-01-01"' in html and 'name="to" value="1999-02-01"' in html
    swapped = admin_client.get("/admin/sessions/report?from=1999-03-01&to=1999-02-01")
    assert "结束日期早于开始日期，已按对调后的期间统计。" in swapped.get_data(as_text=True)
    assert 'name="from" value="1999-02-01"' in swapped.get_data(as_text=True)
    for department in ("9999", "abc", "99999999999999999999"):
        page = admin_client.get(f"/admin/sessions/report?department={department}")
        assert page.status_code == 200, department
        assert "所选的部门不存在，已不按它筛选。" in page.get_data(as_text=True)
    clean = admin_client.get("/admin/sessions/report?from=2026-01-01&to=2026-02-01")
    assert 'role="alert"' not in clean.get_data(as_text=True)


def test_home_tells_a_lead_what_waits_for_them(app, client, login, org, count_queries):
    """The home page answers "what next?" for a lead too: requests to decide and
    reflections to review, counted, in the same number of queries however many."""
    from lawlearn.plans.models import Reflection
    from tests.plans.test_kinds import add_item, make_plan

    with app.app_context():
        soon = make_session(utcnow() + timedelta(days=2))
        leave.request_leave(user(org.clerk), soon, "外出执行公务", utcnow())
        item = add_item(make_plan(), "reflection", settings={"min_length": 5, "review": True})
        db.session.add(Reflection(item_id=item.id, user_id=org.clerk.id, body="学习心得正文",
                                  status="submitted", submitted_at=utcnow()))
        db.session.commit()
    login(org.section_lead)
    page = client.get("/").get_data(as_text=True)
    assert "待我处理" in page
    assert '<a href="/leave-requests">请假申请待审批 1 条</a>' in page
    assert '<a href="/plans/reviews">学习心得待审阅 1 篇</a>' in page
    queries = count_queries(lambda: client.get("/"))
    with app.app_context():
        leave.request_leave(user(org.officer), make_session(utcnow() + timedelta(days=3)),
                            "培训", utcnow())
        db.session.commit()
    assert count_queries(lambda: client.get("/")) == queries
    office = app.test_client()  # another department's lead has nothing waiting
    token = csrf_from(office.get("/login"))
    office.post("/login", data={"username": "offlead", "password": org.office_lead.password,
                                "csrf_token": token})
    assert "待我处理" not in office.get("/").get_data(as_text=True)


def test_home_leads_the_head_of_the_office_and_of_a_department_to_their_figures(
        client, login, org, make_user):
    """The leader opens the site to read figures: the dashboard is on the home page, not
    twelve links down 我的; a head of department has their reports and progress there."""
    leader = make_user("chief", roles=("leader",), name="主任甲")
    login(leader)
    page = client.get("/").get_data(as_text=True)
    assert "统计与督促" in page
    for link in ('href="/reports/dashboard">领导看板', 'href="/reports/">统计报表',
                 'href="/admin/sessions/">学法活动出勤', 'href="/admin/quiz/quizzes">测验成绩',
                 'href="/plans/department">部门学习进度', 'href="/outreach/ledger">普法台账汇总'):
        assert link in page, link
    post_with_csrf(client, "/me", "/logout")
    login(org.section_lead)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/reports/">统计报表' in page and 'href="/plans/department">部门学习进度' in page
    assert "领导看板" not in page and "普法台账汇总" not in page
    post_with_csrf(client, "/me", "/logout")
    login(org.clerk)
    assert "统计与督促" not in client.get("/").get_data(as_text=True)


def test_the_leader_reads_sessions_attendance_and_absentees_and_changes_nothing(
        app, client, login, org, make_user):
    """主要负责人: read-only everything. The sessions, a session's attendance, its absentees,
    the sign-in sheet and 出勤统计 open; marking is refused and the pages offer no change;
    every admin link on them opens for the leader too."""
    with app.app_context():
        past = make_session(utcnow() - timedelta(days=2), title="宪法学习会")
        record(past, org.clerk, "present")
        db.session.commit()
        session_id = past.id
    login(make_user("chief", roles=("leader",)))
    pages = {}
    for url in ("/admin/sessions/?when=past", f"/admin/sessions/{session_id}/attendance",
                f"/admin/sessions/{session_id}/absentees", "/admin/sessions/report"):
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.get_data(as_text=True)
    attendance_page = pages[f"/admin/sessions/{session_id}/attendance"]
    assert "科员戊" in attendance_page and "出席" in attendance_page
    assert "干部己" in pages[f"/admin/sessions/{session_id}/absentees"]  # absent: listed
    for url, html in pages.items():
        assert 'method="post"' not in html, url
        assert '<nav class="bottom-nav"' in html, url  # the staff frame
        for link in set(re.findall(r'href="(/admin/[^"#]*)"', html)):
            assert client.get(link.replace("&amp;", "&")).status_code == 200, (url, link)
    assert "安排活动" not in pages["/admin/sessions/?when=past"]
    assert "签到大屏" not in attendance_page and "补签 / 修改" not in attendance_page
    sheet = client.get(f"/admin/sessions/{session_id}/attendance/sheet")
    assert sheet.status_code == 200 and sheet.data.startswith(b"PK")
    # A mark posted anyway is refused and changes nothing; editing stays the admins'.
    marked = post_with_csrf(client, "/me", f"/admin/sessions/{session_id}/attendance",
                            {"user_id": str(org.officer.id), "status": "present"})
    assert marked.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(Attendance.status).filter_by(
            session_id=session_id, user_id=org.officer.id)) == "absent"
    for url in (f"/admin/sessions/{session_id}", "/admin/sessions/new",
                f"/admin/sessions/{session_id}/projector", "/admin/users"):
        assert client.get(url).status_code == 403, url


def test_a_lead_looks_back_at_the_requests_decided(app, client, login, org, count_queries,
                                                    make_user):
    """已处理: what was decided among the requests a lead decides — by them or by an admin —
    the latest first, with who decided, when and why; another department's are not there."""
    with app.app_context():
        soon = make_session(utcnow() + timedelta(days=2), title="民法典学习会")
        later = make_session(utcnow() + timedelta(days=3), title="宪法学习会")
        first, _c = leave.request_leave(user(org.clerk), soon, "外出执行公务", utcnow())
        second, _c = leave.request_leave(user(org.clerk), later, "培训", utcnow())
        leave.request_leave(user(org.secretary), soon, "病假", utcnow())
        leave.decide(user(org.section_lead), first, True, "同意", utcnow())
        leave.decide(user(org.admin), second, False, "请按时参加", utcnow() + timedelta(minutes=1))
        db.session.commit()
        later_id = later.id
    login(org.section_lead)
    pending = client.get("/leave-requests").get_data(as_text=True)
    assert 'href="/leave-requests?show=decided"' in pending and "已处理" in pending
    page = as_text(client.get("/leave-requests?show=decided"))
    assert page.index("宪法学习会") < page.index("民法典学习会")  # the latest decision first
    for text in ("已批准", "未批准", "科长丙", "管理员甲", "同意", "请按时参加", "外出执行公务"):
        assert text in page, text
    assert "文员庚" not in page and 'method="post"' not in page
    queries = count_queries(lambda: client.get("/leave-requests?show=decided"))
    with app.app_context():
        third, _c = leave.request_leave(user(org.officer), db.session.get(StudySession, later_id),
                                        "出差", utcnow())
        leave.decide(user(org.unit_lead), third, True, "", utcnow())
        db.session.commit()
    post_with_csrf(client, "/me", "/logout")
    login(org.unit_lead)  # the unit's lead sees their sections' too
    page = as_text(client.get("/leave-requests?show=decided"))
    assert "科员戊" in page and "干部己" in page and "局长乙" in page
    assert count_queries(lambda: client.get("/leave-requests?show=decided")) == queries
    post_with_csrf(client, "/me", "/logout")
    login(org.office_lead)
    assert "还没有处理过的请假申请" in as_text(client.get("/leave-requests?show=decided"))
    post_with_csrf(client, "/me", "/logout")
    login(org.clerk)
    assert client.get("/leave-requests?show=decided").status_code == 403
    post_with_csrf(client, "/me", "/logout")
    login(make_user("nodept", roles=("dept_lead", "staff")))  # an old account: no department
    assert "还没有处理过的请假申请" in as_text(client.get("/leave-requests?show=decided"))


def as_text(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_leave_approved_for_a_plan_session_pays_the_item_at_once(app, client, login, org):
    """A plan item "attend this session" where approved leave counts: the approval finishes it,
    so its points are paid then (dated at the session), as an admin's mark pays at once —
    not when the person next opens a page."""
    from lawlearn.localtime import local_day
    from lawlearn.plans.models import PlanItemProgress
    from lawlearn.practice.models import PointAward
    from tests.plans.test_kinds import add_item, make_plan

    with app.app_context():
        soon = make_session(utcnow() + timedelta(days=2), title="民法典学习会")
        today = local_day(utcnow())
        plan = make_plan(starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30))
        item = add_item(plan, "session", points=2,
                        settings={"session_id": soon.id, "excused_counts": True})
        request, _c = leave.request_leave(user(org.clerk), soon, "外出执行公务", utcnow())
        db.session.commit()
        request_id, item_id, starts_at = request.id, item.id, soon.starts_at
    login(org.section_lead)
    post_with_csrf(client, "/leave-requests", f"/leave-requests/{request_id}/decide",
                   {"decision": "approve", "note": ""})
    with app.app_context():
        paid = db.session.execute(select(PointAward.source, PointAward.amount).where(
            PointAward.user_id == org.clerk.id, PointAward.rule == "plan_item")).all()
        assert paid == [(f"plan_item:{item_id}", 2)]
        assert db.session.scalar(select(PlanItemProgress.completed_at).filter_by(
            user_id=org.clerk.id, item_id=item_id)) == starts_at


def test_a_head_of_department_reads_who_of_theirs_came_to_a_session(
        app, client, login, org, count_queries, make_user):
    """本部门出勤: the session's roster limited to the lead's department and its sections, with
    their figures; nobody else's people; read-only; linked from the lead's 统计报表."""
    with app.app_context():
        past = make_session(utcnow() - timedelta(days=2), title="宪法学习会")
        record(past, org.clerk, "present")
        record(past, org.officer, "excused")
        record(past, org.secretary, "present")
        db.session.commit()
        session_id = past.id
    login(org.unit_lead)
    url = f"/sessions/{session_id}/department"
    page = as_text(client.get(url))
    assert "本部门出勤：宪法学习会" in page and "执法局（含下属科室）" in page
    for name in ("科员戊", "干部己", "局长乙", "科长丙"):
        assert name in page, name
    assert "文员庚" not in page and "主任丁" not in page  # another department's
    # 4 expected: clerk present, officer on leave, the two leads absent once check-in closed.
    assert "应到 4 人 · 出席 1 · 迟到 0 · 请假 1 · 缺席 2" in page
    assert 'method="post"' not in page
    # Back to the session's page as well as to the report (it led to the report only).
    assert f'<a href="/sessions/{session_id}">宪法学习会</a> · <a href="/reports/">统计报表</a>' \
        in page
    queries = count_queries(lambda: client.get(url))
    with app.app_context():
        for n in range(3):
            make_user(f"more{n}", department_id=org.section)
    assert count_queries(lambda: client.get(url)) == queries
    day = (utcnow() - timedelta(days=3)).date().isoformat()
    report = as_text(client.get(f"/reports/?from={day}&to={utcnow().date().isoformat()}"))
    assert f'href="/sessions/{session_id}/department">宪法学习会' in report
    post_with_csrf(client, "/me", "/logout")
    login(org.clerk)
    assert client.get(url).status_code == 403
    post_with_csrf(client, "/me", "/logout")
    login(org.admin)
    assert client.get(url).headers["Location"].endswith(f"/admin/sessions/{session_id}/attendance")


def test_a_new_request_rings_the_bell_of_those_who_decide_it(ctx, org, make_department,
                                                             make_user):
    """A head of department saw a request only under 待我处理 on the home page; the session
    could start before they came by."""
    session = make_session(utcnow() + timedelta(days=1), title="宪法学习")

    def bells() -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for notice in db.session.scalars(select(Notice).order_by(Notice.id)):
            found.setdefault(notice.user_id, []).append(f"{notice.title}|{notice.link}")
        return found

    # A section's clerk: the section's head and the unit's.
    leave.request_leave(user(org.clerk), session, "外出执法", utcnow())
    assert bells() == {org.section_lead.id: ["请假申请待审批：科员戊|/leave-requests"],
                       org.unit_lead.id: ["请假申请待审批：科员戊|/leave-requests"]}
    body = db.session.scalar(select(Notice.body).where(Notice.user_id == org.unit_lead.id))
    assert body.startswith("《宪法学习》（") and body.endswith("）：外出执法")
    # Changing the reason rings nobody again.
    leave.request_leave(user(org.clerk), session, "参加培训", utcnow())
    assert len(db.session.scalars(select(Notice)).all()) == 2
    # A head asking for themself: the other heads who may decide, not themself.
    leave.request_leave(user(org.section_lead), session, "出差", utcnow())
    assert org.section_lead.id not in {n.user_id for n in db.session.scalars(
        select(Notice).where(Notice.title == "请假申请待审批：科长丙"))}
    # A department with no head: the admins.
    db.session.commit()  # the fixtures below write from a context of their own
    lonely = make_department("档案馆")
    archivist = make_user("archivist", name="档案员", department_id=lonely)
    leave.request_leave(user(archivist), session, "病假", utcnow())
    assert set(db.session.scalars(select(Notice.user_id).where(
        Notice.title == "请假申请待审批：档案员"))) == {org.admin.id}


def test_a_pending_request_stays_put_once_the_session_has_started(app, client, login, org):
    """The page still said "审批前可以修改事由或撤回" with a 撤回 button days after the session:
    a withdrawal then only turned a leave still to be decided into an absence."""
    with app.app_context():
        session = make_session(utcnow() + timedelta(minutes=30), title="宪法学习")
        request, _created = leave.request_leave(user(org.clerk), session, "外出执法", utcnow())
        session.starts_at = utcnow() - timedelta(hours=2)  # it has started since
        session.ends_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        session_id = session.id
        with pytest.raises(Conflict, match="活动已开始，请假申请不能再撤回"):
            leave.withdraw(user(org.clerk), db.session.get(LeaveRequest, request.id), utcnow())
    login(org.clerk)
    page = client.get(f"/sessions/{session_id}/leave").get_data(as_text=True)
    assert "活动已开始，申请仍在等待审批" in page
    assert "撤回请假申请" not in page and "审批前可以修改事由或撤回" not in page
    response = post_with_csrf(client, f"/sessions/{session_id}/leave",
                              f"/sessions/{session_id}/leave/withdraw", follow_redirects=True)
    assert "请假申请不能再撤回" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(LeaveRequest.status)) == "pending"
