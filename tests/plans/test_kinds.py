"""Each item kind's completion rule (through kinds.item_states) and the actions of an item's
own page, with a clock the tests control."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from lawlearn.accounts.models import User
from lawlearn.accounts.services import UserFields, create_user
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library import services as library
from lawlearn.library.models import Law, LawArticle, LawDivision
from lawlearn.plans import actions
from lawlearn.plans.kinds import PENDING, ItemState, can_confirm, item_states
from lawlearn.plans.models import Plan, PlanAudience, PlanItem, PlanItemProgress, Reflection
from lawlearn.practice.models import DailySet
from lawlearn.quiz.models import Attempt, Quiz
from lawlearn.sessions.models import Attendance, SessionKind, StudySession

NOW = datetime(2026, 6, 1, 2, 0)  # 10:00 on 1 June 2026 in Shanghai
LAW_TEXT = ("中华人民共和国测试法\n\n第一章 总则\n\n第一条 总则一。\n\n第二条 总则二。\n\n"
            "第二章 分则\n\n第一节 一般规定\n\n第三条 分则一。\n\n第四条 分则二。\n\n"
            "第二节 特别规定\n\n第五条 分则三。\n\n第三章 附则\n\n第六条 本法自公布之日起施行。\n"
            ).encode()


# --- factories shared by the plans tests ------------------------------------------------------


def make_person(username: str, *, roles=("staff",), department_id: int | None = None) -> User:
    user = create_user(None, username, "correct-horse-9",
                       UserFields(f"测试{username}", department_id, set(roles)),
                       must_change_password=False, audit=False)
    db.session.flush()
    return user


def make_plan(title: str = "年度学法计划", *, status: str = "published", audience_all=True,
              starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), required_hours=0.0,
              audience=()) -> Plan:
    plan = Plan(title=title, kind="annual", starts_on=starts_on, ends_on=ends_on,
                status=status, required_hours=required_hours, audience_all=audience_all,
                published_at=None if status == "draft" else NOW)
    plan.audience = [PlanAudience(**target) for target in audience]
    db.session.add(plan)
    db.session.flush()
    return plan


def add_item(plan: Plan, kind: str, *, title: str | None = None, settings=None,
             stage=None, **fields) -> PlanItem:
    position = len(plan.items)
    item = PlanItem(kind=kind, title=title or f"{kind} 任务 {position + 1}",
                    settings=settings or {}, stage_id=stage.id if stage else None,
                    position=position, **fields)
    plan.items.append(item)
    db.session.flush()
    return item


def import_law(text: bytes = LAW_TEXT) -> Law:
    law = library.import_law(None, text)
    db.session.flush()
    return law


def article(law: Law, number: int) -> LawArticle:
    return db.session.scalar(select(LawArticle).filter_by(law_id=law.id, number=number))


def study(user: User, law: Law, *numbers: int, when: datetime = NOW) -> None:
    for number in numbers:
        library.set_studied(user, article(law, number), True, when)
    db.session.flush()


def make_quiz(title: str = "宪法小测") -> Quiz:
    quiz = Quiz(title=title, published=True, points={})
    db.session.add(quiz)
    db.session.flush()
    return quiz


def attempt(quiz: Quiz, user: User, *, passed: bool | None, number: int = 1,
            submitted_at: datetime | None = NOW) -> Attempt:
    row = Attempt(quiz_id=quiz.id, user_id=user.id, number=number,
                  started_at=(submitted_at or NOW) - timedelta(minutes=10),
                  submitted_at=submitted_at, passed=passed, score=8 if passed else 2,
                  max_score=10)
    db.session.add(row)
    db.session.flush()
    return row


def make_session(title: str = "集中学法", *, starts_at: datetime = NOW - timedelta(days=1),
                 hours: float = 2.0, cancelled: bool = False) -> StudySession:
    kind = db.session.scalar(select(SessionKind)) or SessionKind(name="集中学法")
    session = StudySession(title=title, kind=kind, starts_at=starts_at,
                           ends_at=starts_at + timedelta(hours=2), study_hours=hours,
                           cancelled_at=starts_at if cancelled else None)
    db.session.add(session)
    db.session.flush()
    return session


def attend(session: StudySession, user: User, status: str) -> Attendance:
    checked = session.starts_at + timedelta(minutes=5) if status in ("present", "late") else None
    row = Attendance(session_id=session.id, user_id=user.id, status=status,
                     checked_in_at=checked, source="manual",
                     updated_at=session.starts_at + timedelta(hours=3))
    db.session.add(row)
    db.session.flush()
    return row


def practice_day(user: User, day: date, *, completed: bool = True) -> DailySet:
    row = DailySet(user_id=user.id, day=day, created_at=datetime.combine(day, datetime.min.time()),
                   completed_at=datetime.combine(day, datetime.min.time()) + timedelta(hours=2)
                   if completed else None)
    db.session.add(row)
    db.session.flush()
    return row


def count_queries(run) -> int:
    """How many SQL statements ``run()`` sends."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def state_of(item: PlanItem, user: User, now: datetime = NOW) -> ItemState:
    return item_states([item], [user.id], now).get((item.id, user.id), PENDING)


# --- read law articles -------------------------------------------------------------------------


def test_articles_by_number_range_are_done_when_each_is_studied(ctx):
    law = import_law()
    ann, bob = make_person("ann"), make_person("bob")
    item = add_item(make_plan(), "articles",
                    settings={"law_id": law.id, "from_number": 1, "to_number": 2})
    assert state_of(item, ann) == PENDING

    study(ann, law, 1, 6)  # article 6 lies outside the range
    assert state_of(item, ann) == ItemState("in_progress", None, "1/2")

    later = NOW + timedelta(hours=1)
    study(ann, law, 2, when=later)
    assert state_of(item, ann) == ItemState("done", later, "2/2")
    assert state_of(item, bob) == PENDING  # someone else's marks do not count

    library.set_studied(ann, article(law, 2), False, NOW)  # taking a mark back undoes it
    db.session.flush()
    assert state_of(item, ann).status == "in_progress"


def test_articles_by_chapter_include_its_sections_only(ctx):
    law = import_law()
    ann = make_person("ann")
    chapter = db.session.scalar(select(LawDivision).filter_by(law_id=law.id, kind="chapter",
                                                              title="分则"))
    item = add_item(make_plan(), "articles",
                    settings={"law_id": law.id, "division_id": chapter.id})
    study(ann, law, 1, 2, 6, 3)  # 1, 2 and 6 are in other chapters
    assert state_of(item, ann) == ItemState("in_progress", None, "1/3")
    study(ann, law, 4, 5)  # both sit in sections of the chapter
    assert state_of(item, ann) == ItemState("done", NOW, "3/3")


def test_many_article_items_cost_the_same_queries_as_one(ctx):
    law = import_law()
    ann = make_person("ann")
    plan = make_plan()
    first = add_item(plan, "articles", settings={"law_id": law.id, "from_number": 1,
                                                 "to_number": 2})
    study(ann, law, 1, 2, 3)
    one = count_queries(lambda: item_states([first], [ann.id], NOW))
    for low in range(1, 7):
        add_item(plan, "articles", settings={"law_id": law.id, "from_number": low,
                                             "to_number": low})
    many = count_queries(lambda: item_states(plan.items, [ann.id], NOW))
    assert one == many
    states = item_states(plan.items, [ann.id], NOW)
    assert [states.get((i.id, ann.id), PENDING).status for i in plan.items] == \
        ["done", "done", "done", "done", "pending", "pending", "pending"]


# --- read a material, watch a video: the server measures the time ------------------------------


@pytest.mark.parametrize("kind, words", [("material", "阅读"), ("video", "观看")])
def test_open_then_confirm_after_the_minimum_time(ctx, kind, words):
    ann = make_person("ann")
    settings = {"min_seconds": 30, "url": "https://example.org/v.mp4"} if kind == "video" \
        else {"min_seconds": 30}
    item = add_item(make_plan(), kind, settings=settings)

    with pytest.raises(Conflict) as never_opened:  # confirming without opening
        actions.confirm_item(ann, item, NOW)
    assert never_opened.value.code == "not_opened"
    assert db.session.scalar(select(func.count()).select_from(PlanItemProgress)) == 0

    actions.open_item(ann, item, NOW)
    assert state_of(item, ann) == ItemState("in_progress")
    actions.open_item(ann, item, NOW + timedelta(seconds=20))  # a reload keeps the first time
    with pytest.raises(Conflict) as early:
        actions.confirm_item(ann, item, NOW + timedelta(seconds=12))
    assert early.value.code == "too_early"
    assert early.value.message == f"还需{words} 18 秒才能确认。"
    row = actions.get_progress(ann, item)
    assert row.opened_at == NOW and row.confirmed_at is None  # nothing written
    assert state_of(item, ann).status == "in_progress"

    done_at = NOW + timedelta(seconds=30)
    actions.confirm_item(ann, item, done_at)
    assert state_of(item, ann) == ItemState("done", done_at)
    actions.confirm_item(ann, item, done_at + timedelta(minutes=5))  # idempotent
    assert actions.get_progress(ann, item).confirmed_at == done_at


def test_seconds_to_wait_round_up():
    assert can_confirm(NOW, 30, NOW + timedelta(seconds=29, milliseconds=500)) == 1
    assert can_confirm(NOW, 30, NOW + timedelta(seconds=30)) == 0
    assert can_confirm(None, 30, NOW) == 30


def test_only_material_and_video_are_opened_and_only_in_my_plans(ctx, make_department):
    ann = make_person("ann")
    quiz_item = add_item(make_plan(), "quiz", settings={"quiz_id": 1})
    with pytest.raises(NotFound):
        actions.open_item(ann, quiz_item, NOW)
    draft = add_item(make_plan(status="draft"), "material", settings={"min_seconds": 0})
    closed = add_item(make_plan(status="closed"), "material", settings={"min_seconds": 0})
    someone = make_person("bob")
    theirs = add_item(make_plan(audience_all=False, audience=[{"user_id": someone.id}]),
                      "material", settings={"min_seconds": 0})
    for item in (draft, closed, theirs):
        with pytest.raises(NotFound):
            actions.open_item(ann, item, NOW)
        with pytest.raises(NotFound):
            actions.confirm_item(ann, item, NOW)
    assert db.session.scalar(select(func.count()).select_from(PlanItemProgress)) == 0
    actions.open_item(someone, theirs, NOW)  # the person it is for may


# --- take a quiz -------------------------------------------------------------------------------


def test_quiz_done_when_passed_or_when_attempted_as_the_item_says(ctx):
    ann, bob = make_person("ann"), make_person("bob")
    quiz = make_quiz()
    plan = make_plan()
    passed = add_item(plan, "quiz", settings={"quiz_id": quiz.id, "require": "passed"})
    tried = add_item(plan, "quiz", settings={"quiz_id": quiz.id, "require": "attempted"})
    attempt(quiz, ann, passed=None, submitted_at=None)  # still in progress: nothing yet
    assert state_of(passed, ann) == PENDING and state_of(tried, ann) == PENDING

    attempt(make_quiz("另一测验"), ann, passed=True)  # another quiz does not count
    db.session.execute(Attempt.__table__.update().where(Attempt.user_id == ann.id,
                                                        Attempt.quiz_id == quiz.id)
                       .values(submitted_at=NOW, passed=False))
    assert state_of(passed, ann) == ItemState("in_progress")
    assert state_of(tried, ann) == ItemState("done", NOW)

    later = NOW + timedelta(days=1)
    attempt(quiz, ann, passed=True, number=2, submitted_at=later)
    assert state_of(passed, ann) == ItemState("done", later)
    assert state_of(passed, bob) == PENDING


# --- attend a session --------------------------------------------------------------------------


def test_session_present_late_and_excused_as_configured(ctx):
    people = {status: make_person(status) for status in
              ("present", "late", "excused", "absent", "nobody")}
    session = make_session()
    plan = make_plan()
    strict = add_item(plan, "session", settings={"session_id": session.id})
    lenient = add_item(plan, "session", settings={"session_id": session.id,
                                                  "excused_counts": True})
    for status in ("present", "late", "excused", "absent"):
        attend(session, people[status], status)

    checked = session.starts_at + timedelta(minutes=5)
    for item in (strict, lenient):
        assert state_of(item, people["present"]) == ItemState("done", checked)
        assert state_of(item, people["late"]) == ItemState("done", checked)
        assert state_of(item, people["absent"]) == PENDING
        assert state_of(item, people["nobody"]) == PENDING
    assert state_of(strict, people["excused"]) == ItemState("excused")
    assert state_of(lenient, people["excused"]).done


# --- write a reflection ------------------------------------------------------------------------


def test_reflection_without_review_is_done_once_submitted_and_final(ctx):
    ann = make_person("ann")
    item = add_item(make_plan(), "reflection", settings={"min_length": 10})
    with pytest.raises(ValidationFailed) as short:
        actions.submit_reflection(ann, item, "   太短了，只有八字   ", NOW)
    assert short.value.message == "学习心得至少需要 10 字，目前 8 字。"
    assert short.value.field == "body"
    assert state_of(item, ann) == PENDING

    actions.submit_reflection(ann, item, "  学习宪法，增强法治观念，依法履职。  ", NOW)
    reflection = actions.get_reflection(ann, item)
    assert reflection.body == "学习宪法，增强法治观念，依法履职。"
    assert state_of(item, ann) == ItemState("done", NOW)
    with pytest.raises(Conflict):
        actions.submit_reflection(ann, item, "改一改，再交一次，行不行呢？", NOW)


def test_reflection_with_review_goes_submitted_returned_resubmitted_accepted(ctx):
    ann, lead = make_person("ann"), make_person("lead", roles=("staff", "dept_lead"))
    item = add_item(make_plan(), "reflection", settings={"min_length": 5, "review": True})
    actions.submit_reflection(ann, item, "第一稿：学习心得体会。", NOW)
    assert state_of(item, ann) == ItemState("submitted")
    with pytest.raises(Conflict):  # waiting for the reviewer
        actions.submit_reflection(ann, item, "改一改：学习心得体会。", NOW)

    reflection = actions.get_reflection(ann, item)
    reflection.status, reflection.comment = "returned", "请结合工作实际。"
    reflection.reviewer_id, reflection.reviewed_at = lead.id, NOW
    db.session.flush()
    assert state_of(item, ann) == ItemState("returned")

    later = NOW + timedelta(days=1)
    actions.submit_reflection(ann, item, "第二稿：结合依法行政的工作实际。", later)
    assert (reflection.status, reflection.submitted_at, reflection.reviewed_at) == \
        ("submitted", later, None)
    assert state_of(item, ann) == ItemState("submitted")

    reflection.status, reflection.reviewer_id = "accepted", lead.id
    reflection.reviewed_at = later + timedelta(hours=1)
    db.session.flush()
    assert state_of(item, ann) == ItemState("done", later + timedelta(hours=1))
    with pytest.raises(Conflict) as accepted:
        actions.submit_reflection(ann, item, "第三稿：再改也不行了吧。", later)
    assert accepted.value.code == "accepted"
    assert db.session.scalar(select(func.count()).select_from(Reflection)) == 1


# --- keep up the daily practice ----------------------------------------------------------------


def test_streak_counts_completed_days_within_the_window_only(ctx):
    ann, bob = make_person("ann"), make_person("bob")
    item = add_item(make_plan(), "streak", settings={"days": 3, "from": "2026-05-01"},
                    due_on=date(2026, 5, 31))
    practice_day(ann, date(2026, 4, 30))  # before the window
    practice_day(ann, date(2026, 5, 1))
    practice_day(ann, date(2026, 5, 2), completed=False)  # started, not finished
    practice_day(ann, date(2026, 5, 20))
    practice_day(ann, date(2026, 6, 1))  # after the due date
    for day in (1, 2, 3):
        practice_day(bob, date(2026, 5, day))
    assert state_of(item, ann) == ItemState("in_progress", None, "2/3")
    assert state_of(item, bob).done

    last = practice_day(ann, date(2026, 5, 31))
    assert state_of(item, ann) == ItemState("done", last.completed_at, "3/3")


def test_streak_window_defaults_to_the_plan_and_its_end(ctx):
    ann = make_person("ann")
    plan = make_plan(starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 10))
    item = add_item(plan, "streak", settings={"days": 2})
    practice_day(ann, date(2026, 4, 30))
    practice_day(ann, date(2026, 5, 10))
    practice_day(ann, date(2026, 5, 11))
    assert state_of(item, ann).detail == "1/2"
    practice_day(ann, date(2026, 5, 1))
    assert state_of(item, ann).done
