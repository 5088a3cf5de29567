"""Builders for report tests, and a hand-built office whose figures are known.

The builders work in the current app context (use the ``ctx`` fixture) and go through the
domains' own services where that is practical: sessions are scheduled, checked in, marked
and closed by lawlearn.sessions.services; quizzes are answered and submitted by
lawlearn.quiz.services; plans are authored and published by lawlearn.plans. Daily practice
days and outreach events are inserted directly.

``office`` builds the first half of 2025 for eight people (see its docstring); the report
tests spell out every figure it should give.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from lawlearn.accounts.models import Department, User
from lawlearn.accounts.services import UserFields, set_user_active, update_user
from lawlearn.extensions import db
from lawlearn.plans.actions import submit_reflection
from lawlearn.plans.models import Plan
from lawlearn.plans.reflection_reviews import accept_reflection, return_reflection
from tests.conftest import STAFF_JOINED

NOW = datetime(2025, 6, 30, 4, 0)  # naive UTC: 12:00 on 30 June in Shanghai
PERIOD = (date(2025, 1, 1), date(2025, 6, 30))
ACTOR_NOTE = "报表测试"


# --- people and departments ---------------------------------------------------------------


def new_department(name: str, parent_id: int | None = None) -> Department:
    from lawlearn.accounts.departments import create_department

    return create_department(None, name, parent_id)


def make_person(username: str, *, name: str | None = None, department_id: int | None = None,
                roles: tuple[str, ...] = ("staff",), active: bool = True) -> User:
    from lawlearn.accounts.services import create_user

    user = create_user(None, username, "correct-horse-9",
                       UserFields(name or f"职工{username}", department_id, set(roles)),
                       must_change_password=False, audit=False)
    user.active = active
    user.created_at = user.joined_at = STAFF_JOINED  # long before the office's dates (see make_user)
    db.session.flush()
    return user


# --- sessions -------------------------------------------------------------------------------


def make_session(starts_at: datetime, *, title: str = "集中学法", minutes: int = 120,
                 hours: float = 0, department_ids: tuple[int, ...] = (),
                 user_ids: tuple[int, ...] = (), exit_quiz_id: int | None = None,
                 checkin_closes_at: datetime | None = None):
    """A session of kind 集中学法; everyone is expected unless narrowed to departments (with
    their sections) or people. Check-in closes at the end unless ``checkin_closes_at``."""
    from lawlearn.sessions.models import SessionKind
    from lawlearn.sessions.services import SessionFields, create_sessions

    kind = db.session.scalar(select(SessionKind).where(SessionKind.name == "集中学法"))
    if kind is None:
        kind = SessionKind(name="集中学法")
        db.session.add(kind)
        db.session.flush()
    fields = SessionFields(title, kind.id, starts_at, starts_at + timedelta(minutes=minutes),
                           study_hours=hours, exit_quiz_id=exit_quiz_id,
                           checkin_closes_at=checkin_closes_at,
                           audience_all=not (department_ids or user_ids),
                           department_ids=list(department_ids), user_ids=list(user_ids))
    return create_sessions(None, fields)[0]


def check_in(person: User, session, minutes_after_start: int = 0):
    """Check in by QR code this many minutes after the start (late past 10 minutes)."""
    from lawlearn.sessions.services import check_in as do_check_in

    return do_check_in(person, session, session.starts_at
                       + timedelta(minutes=minutes_after_start))[0]


def mark(actor: User, session, person: User, status: str, at: datetime | None = None):
    """Mark by hand (present, late, excused, absent), as an admin or dept_lead does."""
    from lawlearn.sessions.services import mark as do_mark

    return do_mark(actor, session, person, status, ACTOR_NOTE, at or session.starts_at)


def close(session) -> bool:
    """Close the session when check-in ends: everyone expected without a record is absent."""
    from lawlearn.sessions.services import close_session

    return close_session(session, session.closes_at)


# --- quizzes --------------------------------------------------------------------------------


def make_quiz(title: str, *, questions: int = 4, opens_at: datetime, closes_at: datetime,
              is_exam: bool = False, pass_percent: int = 60):
    """A published quiz of true/false questions (1 point each, the answer is always 对),
    any number of attempts."""
    from lawlearn.quiz.authoring import QuizFields, create_quiz
    from lawlearn.quiz.bank import QuestionFields, create_question

    ids = [create_question(None, QuestionFields("true_false", f"{title}：判断题第{n + 1}题", [],
                                                True), audit=False).id
           for n in range(questions)]
    return create_quiz(None, QuizFields(title, is_exam=is_exam, opens_at=opens_at,
                                        closes_at=closes_at, attempts_allowed=None,
                                        pass_percent=pass_percent, question_ids=ids),
                       published=True)


def take_quiz(person: User, quiz, at: datetime, correct: int, *, submit: bool = True):
    """Start an attempt at ``at``, answer the first ``correct`` questions right and the rest
    wrong, and submit ten minutes later (unless ``submit`` is False)."""
    from lawlearn.quiz.services import save_answer, start_attempt, submit_attempt

    attempt, _created = start_attempt(person, quiz, at, random.Random(0))
    for index, item in enumerate(attempt.items):
        save_answer(attempt, item.question_id, index < correct, at)
    if submit:
        submit_attempt(attempt, at + timedelta(minutes=10))
    return attempt


# --- plans ----------------------------------------------------------------------------------


def make_plan(title: str, starts_on: date, ends_on: date, items: list, *,
              required_hours: float = 0, department_ids: tuple[int, ...] = (),
              user_ids: tuple[int, ...] = (), roles: tuple[str, ...] = (),
              publish: bool = True, kind: str = "annual"):
    """A plan with ``items`` (plans.authoring.ItemFields) for everyone unless narrowed,
    published on its first day unless ``publish`` is False.

    The office's 2025 plan for everyone asks for 执法局's own session: a plan made before an
    item's session or quiz had to reach the whole audience (plans.reach). Such plans exist,
    and the report must count them right, so the reach check is off here."""
    from unittest import mock

    from lawlearn.plans.authoring import PlanFields, add_item, create_plan
    from lawlearn.plans.publishing import publish_plan, set_audience

    at = datetime.combine(starts_on, datetime.min.time())
    with mock.patch("lawlearn.plans.authoring.check_reach"), \
            mock.patch("lawlearn.plans.publishing.check_reach"):
        plan = create_plan(None, PlanFields(title, starts_on, ends_on, kind=kind,
                                            required_hours=required_hours), at)
        for fields in items:
            add_item(None, plan, fields, at)
        if department_ids or user_ids or roles:
            set_audience(None, plan, at, everyone=False, department_ids=list(department_ids),
                         user_ids=list(user_ids), roles=list(roles))
        if publish:
            publish_plan(None, plan, at)
    db.session.flush()
    return plan


def item(kind: str, due_on: date | None, *, hours: float = 0, required: bool = True,
         **settings):
    from lawlearn.plans.authoring import ItemFields

    return ItemFields(kind, due_on=due_on, hours=hours, required=required, settings=settings)


def plan_item(plan, kind: str):
    """The plan's first item of ``kind``."""
    return next(entry for entry in plan.items if entry.kind == kind)


def stamp_completions(person: User, now: datetime) -> int:
    """What viewing one's plans does: stamp the items seen done (study hours count from
    then), for every published plan of the person, ended or not."""
    from lawlearn.plans.models import Plan
    from lawlearn.plans.progress import audience_condition, progress_for, sync_completions

    plans = list(db.session.scalars(select(Plan).where(
        Plan.status.in_(("published", "closed")), audience_condition(person))))
    return sync_completions(person, progress_for(person, now, plans), now)


# --- daily practice and outreach --------------------------------------------------------------


def practice_day(person: User, day: date, *, completed: bool = True, hurried: bool = False):
    """A daily practice set of ``day`` (local), completed at 10:00 that day or not
    (``hurried``: with an answer too fast)."""
    from lawlearn.practice.models import DailySet

    at = datetime.combine(day, datetime.min.time()) + timedelta(hours=2)
    row = DailySet(user_id=person.id, day=day, created_at=at,
                   completed_at=at if completed else None, hurried=hurried)
    db.session.add(row)
    db.session.flush()
    return row


def outreach_event(category: str, department_id: int, starts_at: datetime, *,
                   participants: int = 0, quiz_completions: int = 0, campaign=None,
                   status: str = "submitted", title: str = "普法宣传"):
    """An event of one of the "七进" categories (or a new category of that name)."""
    from lawlearn.outreach.categories import ensure_categories
    from lawlearn.outreach.models import OutreachCategory, OutreachEvent

    ensure_categories()
    found = db.session.scalar(select(OutreachCategory).where(OutreachCategory.name == category))
    if found is None:
        found = OutreachCategory(name=category, position=50)
        db.session.add(found)
        db.session.flush()
    event = OutreachEvent(
        title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
        category_id=found.id, department_id=department_id,
        campaign_id=campaign.id if campaign else None, status=status,
        participants=participants, quiz_completions=quiz_completions, audiences=["residents"],
        channel="onsite", submitted_at=starts_at if status != "draft" else None)
    db.session.add(event)
    db.session.flush()
    return event


def make_campaign(title: str, starts_on: date, ends_on: date):
    from lawlearn.outreach.campaigns import CampaignFields, create_campaign

    return create_campaign(None, CampaignFields(title, starts_on, ends_on),
                           datetime.combine(starts_on, datetime.min.time()))


# --- the hand-built office ----------------------------------------------------------------------


@dataclass
class Office:
    """Ids of what ``office`` built: departments, people by key, sessions, quizzes, plans."""

    unit: int  # 执法局
    section: int  # 执法局/法制科
    inspection: int  # 执法局/督查科
    office: int  # 办公室
    people: dict[str, int] = field(default_factory=dict)
    sessions: dict[str, int] = field(default_factory=dict)
    quizzes: dict[str, int] = field(default_factory=dict)
    campaign: int = 0

    def user(self, key: str) -> User:
        return db.session.get(User, self.people[key])


def at(month: int, day: int, hour: int = 2, minute: int = 0, year: int = 2025) -> datetime:
    """Naive UTC; 02:00 UTC is 10:00 in Shanghai, the same local day."""
    return datetime(year, month, day, hour, minute)


@pytest.fixture
def office(ctx) -> Office:
    """执法局 (with 法制科 and 督查科) and 办公室; eight people, the first half of 2025.

    lead (执法局, dept_lead) · clerk (法制科) · inspector (督查科) · secretary (办公室) ·
    mover (办公室 until 15 March, then 法制科) · gone (法制科, deactivated 20 February) ·
    idle (办公室, deactivated, never did anything) · loner (no department).
    """
    unit = new_department("执法局")
    section = new_department("法制科", unit.id)
    inspection = new_department("督查科", unit.id)
    office_unit = new_department("办公室")
    built = Office(unit.id, section.id, inspection.id, office_unit.id)
    _play(built)
    db.session.commit()
    return built


def _play(built: Office) -> None:
    """The half year, in the order it happened (departments and deactivation matter when a
    session is closed)."""
    unit, section, inspection, office = built.unit, built.section, built.inspection, \
        built.office
    lead = make_person("lead", name="局长甲", department_id=unit, roles=("dept_lead", "staff"))
    clerk = make_person("clerk", name="科员乙", department_id=section)
    inspector = make_person("inspector", name="督查丙", department_id=inspection)
    secretary = make_person("secretary", name="文员丁", department_id=office)
    mover = make_person("mover", name="调动戊", department_id=office)
    gone = make_person("gone", name="离职己", department_id=section)
    idle = make_person("idle", name="停用庚", department_id=office, active=False)
    loner = make_person("loner", name="无部门辛")
    built.people = {user.username: user.id for user in
                    (lead, clerk, inspector, secretary, mover, gone, idle, loner)}

    # Quizzes: Q0 for 2024, Q1 宪法小测 and Q2 民法典考试 for 2025, Q3 an exit quiz.
    q0 = make_quiz("2024年度测试", opens_at=at(12, 1, year=2024), closes_at=at(12, 31, year=2024))
    q1 = make_quiz("宪法小测", opens_at=at(1, 1), closes_at=at(12, 31))
    q2 = make_quiz("民法典考试", opens_at=at(1, 1), closes_at=at(12, 31), is_exam=True)
    q3 = make_quiz("随堂测验", opens_at=at(1, 1), closes_at=at(12, 31))
    built.quizzes = {"q0": q0.id, "q1": q1.id, "q2": q2.id, "q3": q3.id}

    # Sessions (UTC; +8 h in Shanghai).
    s_f = make_session(datetime(2024, 12, 31, 15, 30), title="上年末学法", minutes=60, hours=1)
    s_g = make_session(datetime(2024, 12, 31, 16, 30), title="元旦零点学法", minutes=60, hours=1,
                       user_ids=(loner.id,))
    s_a = make_session(at(2, 10, 1), title="二月集中学法", hours=2)
    s_b = make_session(at(3, 10, 1), title="办公室学法", hours=1.5, department_ids=(office,),
                       user_ids=(clerk.id,))
    s_d = make_session(at(4, 1, 1), title="取消的学法", hours=2)
    s_c = make_session(at(5, 12, 1), title="执法局学法", hours=2, department_ids=(unit,))
    s_h = make_session(at(6, 27, 1), title="待关闭的学法", hours=1, department_ids=(office,),
                       user_ids=(inspector.id,))
    s_i = make_session(at(6, 30, 3, 30), title="进行中的学法", hours=0.5,
                       user_ids=(lead.id, loner.id), exit_quiz_id=q3.id)
    s_e = make_session(at(6, 30, 8), title="尚未开始的学法", hours=2)
    built.sessions = {"F": s_f.id, "G": s_g.id, "A": s_a.id, "B": s_b.id, "C": s_c.id,
                      "D": s_d.id, "E": s_e.id, "H": s_h.id, "I": s_i.id}

    # Plans. P1 everyone (i1 quiz, i2 session, i3 reviewed reflection; i4 due after the
    # period, i5 optional); P2 执法局 with its sections (a streak due on its last day);
    # P3 dept_leads (a reflection due on the period's last day); P4 a draft; P5 last
    # year's; P6 for loner alone (due after the period).
    make_plan("2025年度学法计划", date(2025, 1, 1), date(2025, 12, 31), [
        item("quiz", date(2025, 3, 31), hours=1, quiz_id=q1.id, require="passed"),
        item("session", date(2025, 5, 31), session_id=s_c.id),
        item("reflection", date(2025, 6, 15), hours=1, min_length=5, review="1"),
        item("streak", date(2025, 9, 30), hours=1, days=3),
        item("quiz", date(2025, 4, 30), hours=1, required=False, quiz_id=q2.id,
             require="attempted"),
    ], required_hours=40)
    make_plan("执法局专题学习", date(2025, 4, 1), date(2025, 6, 20), [
        item("streak", None, hours=0.5, days=2)], required_hours=12, department_ids=(unit,),
        kind="thematic")
    make_plan("领导干部学法", date(2025, 1, 1), date(2025, 12, 31), [
        item("reflection", date(2025, 6, 30), hours=2, min_length=5)], required_hours=50,
        roles=("dept_lead",))
    make_plan("草稿计划", date(2025, 1, 1), date(2025, 12, 31), [
        item("reflection", date(2025, 6, 1), hours=9, min_length=5)], required_hours=99,
        publish=False)
    p5 = make_plan("2024年度学法计划", date(2024, 1, 1), date(2024, 12, 31), [
        item("quiz", date(2024, 12, 31), hours=3, quiz_id=q0.id, require="attempted"),
        item("reflection", date(2024, 12, 31), hours=1, min_length=5, review="1"),
    ], required_hours=30)
    make_plan("个人补学计划", date(2025, 6, 1), date(2025, 7, 31), [
        item("quiz", date(2025, 7, 15), hours=1, quiz_id=q2.id, require="attempted")],
        required_hours=45, user_ids=(loner.id,))
    p1 = db.session.scalar(select(Plan).where(Plan.title == "2025年度学法计划"))
    p3 = db.session.scalar(select(Plan).where(Plan.title == "领导干部学法"))

    # 2024: last year's quiz and reflection, the session on New Year's Eve (local).
    take_quiz(clerk, q0, at(12, 20, year=2024), 1)
    reflection = submit_reflection(secretary, plan_item(p5, "reflection"), "二〇二四年学习心得",
                                   at(12, 27, year=2024))
    accept_reflection(lead, reflection, "", at(12, 28, year=2024))
    check_in(lead, s_f, 5)
    close(s_f)
    check_in(loner, s_g, 5)  # 00:35 on 1 January in Shanghai
    close(s_g)
    practice_day(lead, date(2024, 12, 31))
    practice_day(loner, date(2025, 1, 1))

    take_quiz(lead, q1, at(2, 1), 2)
    take_quiz(lead, q1, at(2, 2), 4)
    take_quiz(clerk, q1, at(2, 5), 3)
    mark(lead, s_a, inspector, "excused", at(2, 9))
    check_in(lead, s_a, 0)
    check_in(gone, s_a, 2)
    check_in(loner, s_a, 3)
    check_in(mover, s_a, 5)
    check_in(clerk, s_a, 20)  # late
    close(s_a)  # secretary absent
    take_quiz(gone, q1, at(2, 11), 3)
    set_user_active(lead, gone, False)  # 20 February
    take_quiz(lead, q2, at(3, 1), 3)
    take_quiz(inspector, q1, at(3, 3), 1)
    check_in(secretary, s_b, -5)
    check_in(mover, s_b, 15)  # late
    close(s_b)  # clerk absent
    update_user(lead, mover, UserFields(mover.name, section, mover.roles))  # 15 March
    db.session.flush()
    db.session.expire(mover, ["department"])  # as the next request would see it
    check_in(lead, s_d, 0)
    from lawlearn.sessions.services import cancel_session

    cancel_session(lead, s_d, "场地冲突", at(4, 1, 1, 30))
    for day in (1, 2, 3):
        practice_day(mover, date(2025, 4, day))
    take_quiz(mover, q2, at(4, 4), 4)
    take_quiz(mover, q1, at(4, 5), 2)
    take_quiz(mover, q1, at(4, 6), 0)
    practice_day(lead, date(2025, 4, 10))
    practice_day(lead, date(2025, 4, 11))
    practice_day(clerk, date(2025, 5, 1))
    practice_day(clerk, date(2025, 5, 2), completed=False)
    practice_day(clerk, date(2025, 5, 3), hurried=True)  # an answer too fast: no day
    mark(lead, s_c, mover, "excused", at(5, 11))
    check_in(clerk, s_c, -10)
    check_in(lead, s_c, 30)  # late
    mark(lead, s_c, inspector, "absent", at(5, 12, 2))
    close(s_c)
    reflection_item = plan_item(p1, "reflection")
    submit_reflection(lead, reflection_item, "学习宪法的心得体会", at(6, 1))
    clerks = submit_reflection(clerk, reflection_item, "学习宪法的心得体会", at(6, 10))
    movers = submit_reflection(mover, reflection_item, "学习宪法的心得", at(6, 10))
    accept_reflection(lead, clerks, "写得好", at(6, 16))
    return_reflection(lead, movers, "请结合工作再写", at(6, 16))
    submit_reflection(lead, plan_item(p3, "reflection"), "领导干部学法心得", at(6, 20))
    check_in(secretary, s_h, 0)  # inspector never comes; s_h is not closed yet
    take_quiz(loner, q1, at(6, 29), 4)
    take_quiz(inspector, q2, at(6, 29), 4, submit=False)  # still answering
    mark(lead, s_e, clerk, "excused", at(6, 29))  # leave for a session not started yet
    check_in(lead, s_i, 5)  # exit quiz still to pass
    check_in(loner, s_i, 10)
    for person in (lead, clerk, inspector, secretary, mover, gone, loner):
        stamp_completions(person, NOW)

    # Outreach: reported events of the period (a draft and last year's do not count).
    campaign = make_campaign("2025年民法典宣传月", date(2025, 3, 1), date(2025, 5, 31))
    built.campaign = campaign.id
    outreach_event("进社区", unit, at(3, 5), participants=100, quiz_completions=20,
                   campaign=campaign, title="民法典进社区")
    outreach_event("进学校", section, at(5, 20), participants=50, status="verified",
                   title="法治课进校园")
    outreach_event("进社区", office, at(5, 21), participants=30, campaign=campaign,
                   title="民法典宣传摊位")
    outreach_event("进社区", unit, at(5, 22), participants=999, status="draft", title="草稿")
    outreach_event("进企业", unit, datetime(2024, 12, 31, 15, 0), participants=77,
                   title="上年末宣传")  # 23:00 on 31 December in Shanghai
    db.session.flush()
