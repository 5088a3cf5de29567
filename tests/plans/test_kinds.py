"""Each item kind's completion rule (through kinds.item_states) and the actions of an item's
own page, with a clock the tests control."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import Department, User
from lawlearn.accounts.services import UserFields, create_user
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library import services as library
from lawlearn.library.models import Law, LawArticle, LawDivision
from lawlearn.plans import actions
from lawlearn.plans.kind_base import PENDING, ItemState
from lawlearn.plans.kinds import can_confirm, item_states
from lawlearn.plans.models import Plan, PlanAudience, PlanItem, PlanItemProgress, Reflection
from lawlearn.practice.models import DailySet
from lawlearn.quiz.models import Attempt, Quiz
from lawlearn.sessions.models import Attendance, SessionKind, StudySession
from tests.conftest import STAFF_JOINED

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
    user.created_at = user.joined_at = STAFF_JOINED  # long before the plans' dates (see make_user)
    db.session.flush()
    return user


def department(name: str, parent: Department | None = None) -> Department:
    row = Department(name=name, parent=parent)
    db.session.add(row)
    db.session.flush()
    return row


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


def practice_day(user: User, day: date, *, completed: bool = True,
                 hurried: bool = False) -> DailySet:
    row = DailySet(user_id=user.id, day=day, created_at=datetime.combine(day, datetime.min.time()),
                   completed_at=datetime.combine(day, datetime.min.time()) + timedelta(hours=2)
                   if completed else None, hurried=hurried)
    db.session.add(row)
    db.session.flush()
    return row


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


def test_many_article_items_cost_the_same_queries_as_one(ctx, count_queries):
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
    # Dated at the session, not at the record's last edit: a note added a month later left
    # a closed month's reports one completion short.
    from lawlearn.sessions.models import Attendance

    record = db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                            user_id=people["excused"].id))
    record.note, record.updated_at = "补充说明", session.starts_at + timedelta(days=30)
    db.session.flush()
    assert state_of(lenient, people["excused"]) == ItemState("done", session.starts_at)


# --- write a reflection ------------------------------------------------------------------------


def test_a_reflections_length_leaves_out_spaces_and_line_breaks(ctx):
    """A form sends a line break as two characters and the page's counter saw one: 195
    characters on 7 lines passed a 200 minimum and were listed as 201 字."""
    ann = make_person("ann")
    item = add_item(make_plan(), "reflection", settings={"min_length": 20})
    lines = ["学习宪法增强法治观念"] * 2 + ["依法履职"] * 5  # 40 characters on 7 lines
    submitted = actions.submit_reflection(ann, item, "\r\n".join(lines), NOW)
    assert submitted.body == "\n".join(lines) and submitted.character_count == 40
    bob = make_person("bob")
    with pytest.raises(ValidationFailed) as padded:
        actions.submit_reflection(bob, item, "学习宪法\r\n\r\n\r\n   \r\n增强法治观念\r\n依法", NOW)
    assert padded.value.message == "学习心得至少需要 20 字（不计空格、换行和标点），目前 12 字。"


def test_a_reflections_length_counts_no_punctuation_or_symbols(ctx):
    """250 "。" are not a reflection: punctuation and symbols are not 字, digits are."""
    ann = make_person("ann")
    item = add_item(make_plan(), "reflection", settings={"min_length": 10})
    for text, count in (("。" * 250, 0), ("……！！？？★★~~--" * 20, 0),
                        ("《宪法》第1条、第2条。", 8)):
        with pytest.raises(ValidationFailed) as short:
            actions.submit_reflection(ann, item, text, NOW)
        assert short.value.message == \
            f"学习心得至少需要 10 字（不计空格、换行和标点），目前 {count} 字。"
    assert actions.get_reflection(ann, item) is None
    assert actions.submit_reflection(ann, item, "学习《宪法》第1条至第3条。", NOW) \
        .character_count == 11


def test_reflection_without_review_is_done_once_submitted_and_final(ctx):
    ann = make_person("ann")
    item = add_item(make_plan(), "reflection", settings={"min_length": 10})
    with pytest.raises(ValidationFailed) as short:
        actions.submit_reflection(ann, item, "   太短了，只有八字   ", NOW)
    assert short.value.message == "学习心得至少需要 10 字（不计空格、换行和标点），目前 7 字。"
    assert short.value.field == "body"
    assert state_of(item, ann) == PENDING

    actions.submit_reflection(ann, item, "  学习宪法，增强法治观念，依法履职。  ", NOW)
    reflection = actions.get_reflection(ann, item)
    assert reflection.body == "学习宪法，增强法治观念，依法履职。"
    assert state_of(item, ann) == ItemState("done", NOW)
    with pytest.raises(Conflict):
        actions.submit_reflection(ann, item, "改一改，再交一次，行不行呢？", NOW)


def test_reflection_with_review_goes_submitted_returned_resubmitted_accepted(ctx):
    ann = make_person("ann")
    lead = make_person("lead", roles=("staff", "dept_lead"), department_id=department("法制科").id)
    item = add_item(make_plan(), "reflection", settings={"min_length": 5, "review": True})
    actions.submit_reflection(ann, item, "第一稿：学习心得体会。", NOW)
    assert state_of(item, ann) == ItemState("submitted")
    # Waiting for the reviewer: corrected in place, the new text's time its version.
    corrected = NOW + timedelta(minutes=5)
    actions.submit_reflection(ann, item, "改一改：学习心得体会。", corrected)
    reflection = actions.get_reflection(ann, item)
    assert (reflection.body, reflection.status, reflection.submitted_at) == \
        ("改一改：学习心得体会。", "submitted", corrected)
    assert state_of(item, ann) == ItemState("submitted")
    # Saved again unchanged: nothing corrected, the version stays (a reviewer reading it
    # is not sent back to read it again).
    actions.submit_reflection(ann, item, "  改一改：学习心得体会。 ", corrected + timedelta(hours=1))
    assert reflection.submitted_at == corrected

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
    practice_day(ann, date(2026, 5, 3), hurried=True)  # an answer too fast: no day of practice
    for day in (1, 2, 3):
        practice_day(bob, date(2026, 5, day))
    assert state_of(item, ann) == ItemState("in_progress", None, "2/3")
    assert state_of(item, bob).done

    last = practice_day(ann, date(2026, 5, 31))
    assert state_of(item, ann) == ItemState("done", last.completed_at, "3/3")


def test_a_streak_is_done_when_its_last_needed_day_was_completed(ctx):
    """Practising on after the streak is reached does not move the moment it was done: a
    past period's hours and items stay the same."""
    ann = make_person("ann")
    item = add_item(make_plan(), "streak", settings={"days": 2, "from": "2026-05-01"},
                    due_on=date(2026, 5, 31))
    practice_day(ann, date(2026, 5, 3))
    second = practice_day(ann, date(2026, 5, 4))
    practice_day(ann, date(2026, 5, 20))
    practice_day(ann, date(2026, 5, 25))
    assert state_of(item, ann) == ItemState("done", second.completed_at, "2/2")


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


# --- what was done before the plan started does not count ---------------------------------------

DECEMBER = dict(starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 7))
# The plan's first day begins at 00:00 in Shanghai: 16:00 UTC the day before.
PLAN_START = datetime(2026, 11, 30, 16, 0)
IN_DECEMBER = datetime(2026, 12, 3, 2, 0)


def test_articles_and_quizzes_count_from_the_plans_first_local_day(ctx):
    law = import_law()
    ann, bob = make_person("ann"), make_person("bob")
    quiz = make_quiz()
    plan = make_plan("宪法宣传周", **DECEMBER)
    articles = add_item(plan, "articles", settings={"law_id": law.id, "from_number": 1,
                                                     "to_number": 2})
    tried = add_item(plan, "quiz", settings={"quiz_id": quiz.id, "require": "attempted"})
    passed = add_item(plan, "quiz", settings={"quiz_id": quiz.id, "require": "passed"})
    # November: studied both articles, passed the quiz; at 23:59 on 30 November in Shanghai.
    study(ann, law, 1, 2, when=datetime(2026, 11, 10, 2, 0))
    attempt(quiz, ann, passed=True, submitted_at=PLAN_START - timedelta(minutes=1))
    for item in (articles, tried, passed):
        assert state_of(item, ann, IN_DECEMBER) == PENDING, item.kind

    attempt(quiz, ann, passed=False, number=2, submitted_at=PLAN_START)  # 00:00 on 1 December
    assert state_of(tried, ann, IN_DECEMBER) == ItemState("done", PLAN_START)
    assert state_of(passed, ann, IN_DECEMBER) == ItemState("in_progress")
    later = PLAN_START + timedelta(days=1)
    attempt(quiz, ann, passed=True, number=3, submitted_at=later)
    assert state_of(passed, ann, IN_DECEMBER) == ItemState("done", later)

    study(bob, law, 1, when=datetime(2026, 11, 10, 2, 0))
    study(bob, law, 2, when=later)
    assert state_of(articles, bob, IN_DECEMBER) == ItemState("in_progress", None, "1/2")
    library.set_studied(bob, article(law, 1), False, later)  # marked again in December
    study(bob, law, 1, when=later + timedelta(hours=1))
    assert state_of(articles, bob, IN_DECEMBER) == \
        ItemState("done", later + timedelta(hours=1), "2/2")

    # Nothing done in November is stamped or paid when the December plan is shown.
    from lawlearn.plans.progress import progress_for, sync_completions

    assert sync_completions(ann, progress_for(ann, IN_DECEMBER, [plan]), IN_DECEMBER) == 2
    stamped = set(db.session.scalars(select(PlanItemProgress.item_id).where(
        PlanItemProgress.user_id == ann.id, PlanItemProgress.completed_at.is_not(None))))
    assert stamped == {tried.id, passed.id}


def _material(title: str = "宪法学习辅导"):
    from lawlearn.library.models import Material

    material = Material(title=title, body_html="<p>正文</p>", published=True)
    db.session.add(material)
    db.session.flush()
    return material


def _read_in_library(user: User, material, opened: datetime, seconds: int):
    from lawlearn.library.models import MaterialRead

    row = MaterialRead(user_id=user.id, material_id=material.id, opened_at=opened,
                       confirmed_at=opened + timedelta(seconds=seconds))
    db.session.add(row)
    db.session.flush()
    return row


def test_a_material_read_in_the_library_long_enough_since_the_plan_started_counts(ctx):
    material, other = _material(), _material("另一份资料")
    ann, bob, cat, dan = (make_person(name) for name in ("ann", "bob", "cat", "dan"))
    plan = make_plan("宪法宣传周", **DECEMBER)
    item = add_item(plan, "material", settings={"material_id": material.id, "min_seconds": 90})
    _read_in_library(ann, material, IN_DECEMBER, 90)  # long enough, in the plan
    _read_in_library(bob, material, IN_DECEMBER, 89)  # one second short of the item's rule
    _read_in_library(cat, material, PLAN_START - timedelta(minutes=10), 300)  # before it
    _read_in_library(dan, other, IN_DECEMBER, 600)  # another material
    assert state_of(item, ann, IN_DECEMBER) == ItemState("done", IN_DECEMBER
                                                          + timedelta(seconds=90))
    for person in (bob, cat, dan):
        assert state_of(item, person, IN_DECEMBER) == PENDING, person.username

    # Opened on the item's page and confirmed in the library: done; the earlier one stands.
    actions.open_item(bob, item, IN_DECEMBER - timedelta(hours=1))
    assert state_of(item, bob, IN_DECEMBER).status == "in_progress"
    actions.open_item(cat, item, IN_DECEMBER)
    actions.confirm_item(cat, item, IN_DECEMBER + timedelta(seconds=95))
    assert state_of(item, cat, IN_DECEMBER) == ItemState("done", IN_DECEMBER
                                                          + timedelta(seconds=95))


def test_each_kind_still_takes_a_fixed_number_of_queries(ctx, count_queries):
    law = import_law()
    people = [make_person(f"p{n}") for n in range(4)]
    quiz = make_quiz()
    plan = make_plan()

    def add_of_each(n: int) -> None:
        material = _material(f"资料{n}")
        add_item(plan, "articles", settings={"law_id": law.id, "from_number": 1,
                                             "to_number": 2})
        add_item(plan, "material", settings={"material_id": material.id, "min_seconds": 5})
        add_item(plan, "quiz", settings={"quiz_id": quiz.id})
        for person in people:
            _read_in_library(person, material, NOW, 30)

    add_of_each(0)
    for person in people:
        attempt(quiz, person, passed=True)
        study(person, law, 1)
    one = {kind: count_queries(lambda kind=kind: item_states(
        [i for i in plan.items if i.kind == kind], [p.id for p in people], NOW))
        for kind in ("articles", "material", "quiz")}
    for n in range(1, 5):
        add_of_each(n)
    many = {kind: count_queries(lambda kind=kind: item_states(
        [i for i in plan.items if i.kind == kind], [p.id for p in people], NOW))
        for kind in ("articles", "material", "quiz")}
    assert one == many == {"articles": 3, "material": 1, "quiz": 1}
    states = item_states(plan.items, None, NOW)
    assert sum(1 for state in states.values() if state.done) == 5 * 4 * 2  # materials, quizzes
