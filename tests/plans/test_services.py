"""The admin side of study plans, without HTTP: plan and item validation per kind, stages,
audience through the department tree, publish and its notices, copy to next year, delete,
reminders."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library import services as library
from lawlearn.library.models import LawDivision, Material
from lawlearn.plans import actions, authoring, item_settings, oversight, publishing, stages
from lawlearn.plans.models import Notice, Plan, PlanAudience, PlanItem, Reflection
from lawlearn.plans.progress import plans_for
from tests.plans.test_kinds import (
    LAW_TEXT,
    NOW,
    attend,
    department,
    import_law,
    make_person,
    make_quiz,
    make_session,
)
from tests.races import twin_at, updates

YEAR = date(2026, 1, 1), date(2026, 12, 31)


# --- factories through the services (also used by test_admin_views and test_reviews) ---


def new_plan(title: str = "2026年度学法计划", *, starts_on: date = YEAR[0],
             ends_on: date = YEAR[1], actor: User | None = None, **extra) -> Plan:
    return authoring.create_plan(actor, authoring.PlanFields(
        title=title, starts_on=starts_on, ends_on=ends_on, **extra), NOW)


def item(plan: Plan, kind: str, settings: dict | None = None, **fields) -> PlanItem:
    return authoring.add_item(None, plan, authoring.ItemFields(kind=kind, settings=settings or {},
                                                             **fields), NOW)


def published_material(title: str = "宪法学习辅导") -> Material:
    material = Material(title=title, kind="article", published=True)
    db.session.add(material)
    db.session.flush()
    return material


def reflection_plan(*, review: bool = True, status: str = "published") -> tuple[Plan, PlanItem]:
    """A published plan for everyone with one reflection item (10 characters at least)."""
    plan = new_plan()
    reflection = item(plan, "reflection", {"min_length": 10, "review": review},
                      title="学习宪法心得")
    plan.status = status
    db.session.flush()
    return plan, reflection


@pytest.fixture
def admin_user(ctx) -> User:
    return make_person("boss", roles=("admin", "staff"))


# --- plans -------------------------------------------------------------------------------------


def test_a_plan_needs_a_title_a_period_in_order_and_hours_not_negative(ctx, admin_user):
    bad = [({"title": "  "}, "title"),
           ({"ends_on": date(2025, 12, 31)}, "ends_on"),
           ({"starts_on": None}, "starts_on"),
           ({"required_hours": -1}, "required_hours"),
           ({"kind": "weekly"}, "kind")]
    for change, field in bad:
        values = {"title": "年度学法计划", "starts_on": YEAR[0], "ends_on": YEAR[1], **change}
        with pytest.raises(ValidationFailed) as caught:
            authoring.create_plan(admin_user, authoring.PlanFields(**values), NOW)
        assert caught.value.field == field
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0

    plan = new_plan("  年度学法计划 ", actor=admin_user, required_hours=40, kind="thematic",
                    ends_on=YEAR[0])  # a one-day plan is fine
    assert (plan.title, plan.status, plan.audience_all, plan.kind) == \
        ("年度学法计划", "draft", True, "thematic")
    assert plan.required_hours == 40 and plan.created_by_id == admin_user.id
    entry = db.session.scalar(select(AuditEntry).filter_by(action="plan.create"))
    assert entry.actor_id == admin_user.id and entry.target_id == plan.id


def test_editing_keeps_items_within_the_period_and_a_closed_plan_is_frozen(ctx):
    plan = new_plan()
    item(plan, "reflection", due_on=date(2026, 6, 30))
    shorter = authoring.PlanFields(title="上半年", starts_on=YEAR[0], ends_on=date(2026, 5, 31))
    with pytest.raises(ValidationFailed) as caught:
        authoring.update_plan(None, plan, shorter, NOW)
    assert caught.value.field == "ends_on" and "撰写学习心得" in caught.value.message
    shorter.ends_on = date(2026, 6, 30)
    authoring.update_plan(None, plan, shorter, NOW)
    assert (plan.title, plan.ends_on) == ("上半年", date(2026, 6, 30))
    plan.status = "closed"
    for change in (lambda: authoring.update_plan(None, plan, shorter, NOW),
                   lambda: item(plan, "reflection"),
                   lambda: stages.add_stage(None, plan, "一月", NOW),
                   lambda: publishing.set_audience(None, plan, NOW, everyone=True)):
        with pytest.raises(Conflict):
            change()


# --- items and their settings ------------------------------------------------------------------


def test_articles_take_a_chapter_or_a_range_of_the_current_version(ctx):
    law = import_law()
    plan = new_plan()
    chapter = db.session.scalar(select(LawDivision).filter_by(law_id=law.id, kind="chapter",
                                                              number=2))
    section = db.session.scalar(select(LawDivision).filter_by(law_id=law.id, kind="section",
                                                              number=1))
    by_chapter = item(plan, "articles", {"law_id": law.id, "division_id": chapter.id})
    assert by_chapter.settings == {"law_id": law.id, "division_id": chapter.id}
    assert by_chapter.title == "学习《测试法》第二章 分则"
    by_section = item(plan, "articles", {"law_id": str(law.id), "division_id": str(section.id)})
    assert by_section.settings == {"law_id": law.id, "division_id": section.id}
    by_range = item(plan, "articles", {"law_id": law.id, "from_number": 2, "to_number": 4,
                                       "material_id": 9})  # another kind's key is dropped
    assert by_range.settings == {"law_id": law.id, "from_number": 2, "to_number": 4}
    assert by_range.title == "学习《测试法》第 2 至 4 条"
    open_ended = item(plan, "articles", {"law_id": law.id, "from_number": 5})
    assert open_ended.settings["to_number"] == 6

    other = import_law(LAW_TEXT.replace("测试法".encode(), "另一法".encode()))
    foreign = db.session.scalar(select(LawDivision).filter_by(law_id=other.id, kind="chapter"))
    part_like = LawDivision(law_id=law.id, kind="supplementary", label="附则", title="",
                            position=99)
    db.session.add(part_like)
    db.session.flush()
    wrong = [({}, "law_id"),
             ({"law_id": law.id}, "division_id"),
             ({"law_id": law.id, "division_id": chapter.id, "from_number": 1}, "division_id"),
             ({"law_id": law.id, "division_id": foreign.id}, "division_id"),
             ({"law_id": law.id, "division_id": part_like.id}, "division_id"),
             ({"law_id": law.id, "from_number": 4, "to_number": 2}, "to_number"),
             ({"law_id": law.id, "from_number": 1, "to_number": 7}, "to_number"),
             ({"law_id": law.id, "from_number": 0}, "from_number"),
             ({"law_id": law.id, "from_number": "三"}, "from_number")]
    for settings, field in wrong:
        with pytest.raises(ValidationFailed) as caught:
            item(plan, "articles", settings)
        assert caught.value.field == field, settings
    newer = library.import_law(None, LAW_TEXT.replace("总则一".encode(), "总则一（修订）".encode()))
    db.session.flush()
    assert newer.is_current and not law.is_current
    with pytest.raises(ValidationFailed) as caught:
        item(plan, "articles", {"law_id": law.id, "from_number": 1, "to_number": 2})
    assert "新版本" in caught.value.message
    assert len(plan.items) == 4


def test_each_kind_checks_its_own_settings(ctx):
    plan = new_plan()
    material = published_material()
    hidden = Material(title="草稿资料", kind="article", published=False)
    db.session.add(hidden)
    quiz = make_quiz()
    session, cancelled = make_session(), make_session("取消的", cancelled=True)
    db.session.flush()

    ok = [("material", {"material_id": material.id},
           {"material_id": material.id, "min_seconds": 60}),
          ("material", {"material_id": material.id, "min_seconds": "0"},
           {"material_id": material.id, "min_seconds": 0}),
          ("quiz", {"quiz_id": quiz.id}, {"quiz_id": quiz.id, "require": "passed"}),
          ("quiz", {"quiz_id": quiz.id, "require": "attempted"},
           {"quiz_id": quiz.id, "require": "attempted"}),
          ("session", {"session_id": session.id, "excused_counts": "y"},
           {"session_id": session.id, "excused_counts": True}),
          ("reflection", {}, {"min_length": 200, "review": False}),
          ("reflection", {"min_length": 50, "review": True}, {"min_length": 50, "review": True}),
          ("streak", {"days": 20}, {"days": 20}),
          ("streak", {"days": 5, "from": date(2026, 3, 1)}, {"days": 5, "from": "2026-03-01"}),
          ("streak", {"days": 5, "from": "2026-03-01"}, {"days": 5, "from": "2026-03-01"})]
    for kind, settings, expected in ok:
        assert item(plan, kind, settings).settings == expected, (kind, settings)
    video = item(plan, "video", {"url": " https://example.org/v/1 "}, title="宪法宣传片")
    assert video.settings == {"url": "https://example.org/v/1", "min_seconds": 60}
    titles = [i.title for i in plan.items]
    assert "阅读《宪法学习辅导》" in titles and "参加测验《宪法小测》" in titles
    assert "参加《集中学法》" in titles and "坚持每日一练 20 天" in titles

    wrong = [("material", {}, "material_id"),
             ("material", {"material_id": hidden.id}, "material_id"),
             ("material", {"material_id": material.id, "min_seconds": -5}, "min_seconds"),
             ("quiz", {"quiz_id": quiz.id + 100}, "quiz_id"),
             ("quiz", {"quiz_id": quiz.id, "require": "perfect"}, "require"),
             ("session", {}, "session_id"),
             ("session", {"session_id": cancelled.id}, "session_id"),
             ("reflection", {"min_length": 0}, "min_length"),
             ("video", {"url": "ftp://example.org/v"}, "url"),
             ("video", {"url": "javascript:alert(1)"}, "url"),
             ("video", {"url": "https://"}, "url"),
             ("streak", {}, "days"),
             ("streak", {"days": 0}, "days"),
             ("streak", {"days": 3, "from": date(2025, 12, 31)}, "streak_from"),
             ("streak", {"days": 3, "from": "明天"}, "streak_from"),
             ("lecture", {}, "kind")]
    count = len(plan.items)
    for kind, settings, field in wrong:
        with pytest.raises(ValidationFailed) as caught:
            item(plan, kind, settings, title="某事项")
        assert caught.value.field == field, (kind, settings)
    with pytest.raises(ValidationFailed) as caught:  # a video needs a title of its own
        item(plan, "video", {"url": "https://example.org/v/2"})
    assert caught.value.field == "title"
    common = [({"due_on": date(2027, 1, 1)}, "due_on"), ({"hours": -1}, "hours"),
              ({"points": -3}, "points"), ({"stage_id": 999}, "stage_id")]
    for fields, field in common:
        with pytest.raises(ValidationFailed) as caught:
            item(plan, "reflection", **fields)
        assert caught.value.field == field
    assert len(plan.items) == count


def test_stages_group_items_and_deleting_one_keeps_its_items(ctx):
    plan = new_plan()
    january = stages.add_stage(None, plan, "一月", NOW)
    february = stages.add_stage(None, plan, "二月", NOW)
    with pytest.raises(ValidationFailed):
        stages.add_stage(None, plan, "  ", NOW)
    loose = item(plan, "reflection", title="不分组")
    first = item(plan, "reflection", title="一月甲", stage_id=january.id)
    second = item(plan, "reflection", title="二月甲", stage_id=february.id)
    third = item(plan, "reflection", title="一月乙", stage_id=january.id)
    assert [i.title for i in plan.items] == ["一月甲", "一月乙", "二月甲", "不分组"]

    authoring.move_item(None, third, -1, NOW)
    assert [i.title for i in plan.items] == ["一月乙", "一月甲", "二月甲", "不分组"]
    authoring.move_item(None, third, -1, NOW)  # already first of its stage: nothing moves
    stages.move_stage(None, february, -1, NOW)
    assert [s.title for s in plan.stages] == ["二月", "一月"]
    assert [i.title for i in plan.items] == ["二月甲", "一月乙", "一月甲", "不分组"]
    stages.rename_stage(None, february, "第一阶段", NOW)
    assert plan.stages[0].title == "第一阶段"

    assert stages.delete_stage(None, january, NOW) == 2
    assert [s.title for s in plan.stages] == ["第一阶段"]
    assert {i.title: i.stage_id for i in plan.items} == {
        "二月甲": february.id, "一月乙": None, "一月甲": None, "不分组": None}
    assert [i.position for i in plan.items] == [0, 1, 2, 3]
    assert {first.id, second.id, third.id, loose.id} == {i.id for i in plan.items}
    other = new_plan("另一个计划")
    with pytest.raises(NotFound):
        stages.get_stage(other, february.id)
    with pytest.raises(NotFound):
        authoring.get_item(other, first.id)


def test_an_item_someone_has_worked_on_cannot_be_deleted(ctx):
    ann = make_person("ann")
    plan, reflection = reflection_plan(review=False)
    spare = item(plan, "reflection", title="备用")
    actions.submit_reflection(ann, reflection, "学习宪法的一点体会和收获。", NOW)
    with pytest.raises(Conflict):
        authoring.delete_item(None, reflection, NOW)
    authoring.delete_item(None, spare, NOW)
    assert [i.title for i in plan.items] == ["学习宪法心得"]
    assert db.session.scalar(select(func.count()).select_from(Reflection)) == 1


# --- audience ----------------------------------------------------------------------------------


def test_audience_reaches_a_department_with_its_sections_roles_and_people(ctx):
    office = department("区政府办公室")
    legal = department("法制科", office)
    finance = department("财政局")
    audit = department("审计科", finance)
    in_unit = make_person("ann", department_id=office.id)
    in_section = make_person("bob", department_id=legal.id)
    gone = make_person("cat", department_id=legal.id)
    gone.active = False
    elsewhere = make_person("dan", department_id=audit.id)
    leader = make_person("eve", roles=("staff", "leader"), department_id=finance.id)
    named = make_person("fay", department_id=audit.id)
    make_person("gus")  # no department

    plan = new_plan()
    assert publishing.set_audience(None, plan, NOW, everyone=False, department_ids=[office.id],
                                 roles=["leader"], user_ids=[named.id]) == 0  # a draft
    assert publishing.audience_ids(plan) == {in_unit.id, in_section.id, leader.id, named.id}
    summary = publishing.audience_summary(plan)
    assert summary == {"departments": ["区政府办公室"], "people": ["测试fay（fay）"],
                       "roles": ["主要负责人"]}
    # The same audience, seen from each person (the staff side's query).
    plan.status = "published"
    item(plan, "reflection")
    db.session.flush()
    for person, sees in ((in_unit, True), (in_section, True), (leader, True), (named, True),
                         (elsewhere, False)):
        assert (plan in plans_for(person, NOW)) is sees, person.username

    section_only = new_plan("审计科学法")
    publishing.set_audience(None, section_only, NOW, everyone=False, department_ids=[audit.id])
    assert publishing.audience_ids(section_only) == {elsewhere.id, named.id}

    for bad, field in (({}, "department_ids"), ({"roles": ["chief"]}, "roles"),
                       ({"department_ids": [9999]}, "department_ids"),
                       ({"user_ids": [9999]}, "usernames")):
        with pytest.raises(ValidationFailed) as caught:
            publishing.set_audience(None, section_only, NOW, everyone=False, **bad)
        assert caught.value.field == field
    publishing.set_audience(None, section_only, NOW, everyone=True, department_ids=[audit.id])
    assert section_only.audience_all and section_only.audience == []
    everyone = {u.id for u in db.session.scalars(select(User).where(User.active.is_(True)))}
    assert publishing.audience_ids(section_only) == everyone


def test_adding_people_to_a_published_plan_notifies_only_the_newcomers(ctx):
    office = department("办公室")
    finance = department("财政局")
    ann = make_person("ann", department_id=office.id)
    bob = make_person("bob", department_id=finance.id)
    plan = new_plan()
    item(plan, "reflection")
    publishing.set_audience(None, plan, NOW, everyone=False, department_ids=[office.id])
    assert publishing.publish_plan(None, plan, NOW) == 1
    assert publishing.set_audience(None, plan, NOW, everyone=False,
                                 department_ids=[office.id, finance.id]) == 1
    notices = db.session.execute(select(Notice.user_id, Notice.title)).all()
    assert sorted(notices) == sorted([(ann.id, "新的学习计划：2026年度学法计划"),
                                      (bob.id, "新的学习计划：2026年度学法计划")])


# --- publish, close, delete --------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "words"), [
    ({"department_ids": [99999999]}, "所选部门不存在"),
    ({"department_ids": [2**40]}, "所选部门不存在"),  # past the id column: no database error
    ({"user_ids": [99999999]}, "所选人员不存在"),
])
def test_an_audience_naming_no_row_is_refused(ctx, changes, words):
    plan = new_plan()
    with pytest.raises(ValidationFailed, match=words):
        publishing.set_audience(None, plan, NOW, everyone=False, **changes)
    assert plan.audience == [] and plan.audience_all


def test_publishing_notifies_exactly_the_audience_once(ctx, admin_user):
    office = department("办公室")
    legal = department("法制科", office)
    members = [make_person("ann", department_id=office.id),
               make_person("bob", department_id=legal.id)]
    make_person("cat")  # not in the audience
    plan = new_plan(actor=admin_user)
    publishing.set_audience(None, plan, NOW, everyone=False, department_ids=[office.id])
    with pytest.raises(ValidationFailed):  # no items yet
        publishing.publish_plan(admin_user, plan, NOW)
    item(plan, "reflection", due_on=date(2026, 3, 31))

    assert publishing.publish_plan(admin_user, plan, NOW) == 2
    assert (plan.status, plan.published_at) == ("published", NOW)
    rows = db.session.scalars(select(Notice).order_by(Notice.user_id)).all()
    assert [n.user_id for n in rows] == sorted(m.id for m in members)
    assert {(n.title, n.link, n.read_at) for n in rows} == {
        ("新的学习计划：2026年度学法计划", f"/plans/{plan.id}", None)}
    assert "共 1 项" in rows[0].body
    with pytest.raises(Conflict):
        publishing.publish_plan(admin_user, plan, NOW)
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 2
    assert db.session.scalar(select(AuditEntry.summary).filter_by(action="plan.publish")) == \
        "发布学习计划《2026年度学法计划》，通知 2 人"

    with pytest.raises(Conflict):
        publishing.delete_plan(admin_user, plan, NOW)
    publishing.close_plan(admin_user, plan, NOW)
    assert plan.status == "closed"
    with pytest.raises(Conflict):
        publishing.close_plan(admin_user, plan, NOW)


def test_a_plan_with_an_unusable_item_is_not_published(ctx):
    plan = new_plan()
    material = published_material()
    item(plan, "material", {"material_id": material.id})
    material.published = False
    with pytest.raises(ValidationFailed) as caught:
        publishing.publish_plan(None, plan, NOW)
    assert "尚未发布" in caught.value.message
    assert plan.status == "draft"
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0


def test_a_draft_quiz_is_no_item_and_a_quiz_withdrawn_since_stops_publishing(ctx):
    """A draft quiz is open to no one: an item on it could never be done."""
    plan = new_plan()
    draft = make_quiz("草稿测验")
    draft.published = False
    with pytest.raises(ValidationFailed, match="测验《草稿测验》尚未发布") as caught:
        item(plan, "quiz", {"quiz_id": draft.id})
    assert caught.value.field == "quiz_id"
    quiz = make_quiz()
    item(plan, "quiz", {"quiz_id": quiz.id})
    quiz.published = False
    with pytest.raises(ValidationFailed, match="尚未发布"):
        publishing.publish_plan(None, plan, NOW)
    assert plan.status == "draft"


def test_a_quiz_or_session_part_of_the_audience_cannot_open_is_no_item(ctx):
    """A plan for everyone asking for a quiz open to one unit: the others could never do
    it and would count as behind. Refused, naming how many are left out; a plan for that
    unit takes it; widening the plan's audience afterwards stops publishing."""
    from lawlearn.quiz.models import QuizAudience
    from lawlearn.sessions.models import SessionAudience

    justice = department("区司法局")
    section = department("法制科", justice)
    office = department("区政府办公室")
    make_person("ann", department_id=section.id)  # reached through her unit
    make_person("bob", department_id=office.id)
    make_person("cat")  # no department
    quiz = make_quiz("司法局测验")
    quiz.audience_all = False
    quiz.audience = [QuizAudience(department_id=justice.id)]
    session = make_session("司法局学法", starts_at=NOW + timedelta(days=3))
    session.audience_all = False
    session.audience = [SessionAudience(department_id=justice.id)]
    db.session.flush()

    plan = new_plan()  # everyone
    with pytest.raises(ValidationFailed, match="本计划对象中有 2 人打不开它") as caught:
        item(plan, "quiz", {"quiz_id": quiz.id})
    assert caught.value.field == "quiz_id"
    with pytest.raises(ValidationFailed, match="本计划对象中有 2 人不在其中") as caught:
        item(plan, "session", {"session_id": session.id})
    assert caught.value.field == "session_id"
    assert plan.items == []

    publishing.set_audience(None, plan, NOW, everyone=False, department_ids=[justice.id])
    quiz_item = item(plan, "quiz", {"quiz_id": quiz.id})
    item(plan, "session", {"session_id": session.id})
    publishing.set_audience(None, plan, NOW, everyone=True)
    with pytest.raises(ValidationFailed, match="2 人打不开它"):
        publishing.publish_plan(None, plan, NOW)
    assert plan.status == "draft"

    # Published for 司法局: widening the audience is refused as long as the items are not
    # open to the newcomers; the audience stays.
    publishing.set_audience(None, plan, NOW, everyone=False, department_ids=[justice.id])
    publishing.publish_plan(None, plan, NOW)
    with pytest.raises(ValidationFailed, match="计划对象不能这样改：.*2 人打不开它"), \
            db.session.begin_nested():  # the page rolls the request back
        publishing.set_audience(None, plan, NOW, everyone=True)
    db.session.expire(plan)
    assert not plan.audience_all and [a.department_id for a in plan.audience] == [justice.id]
    # An item made before the rule (its quiz narrowed since) still takes a new due date;
    # only choosing a quiz again is held to the rule.
    quiz_item = db.session.get(PlanItem, quiz_item.id)
    plan.audience_all, plan.audience = True, []
    db.session.flush()
    authoring.update_item(None, quiz_item, authoring.ItemFields(
        kind="quiz", settings={"quiz_id": quiz.id}, due_on=date(2026, 6, 30)), NOW)
    assert quiz_item.due_on == date(2026, 6, 30)
    other = make_quiz("司法局测验二")
    other.audience_all = False
    other.audience = [QuizAudience(department_id=justice.id)]
    db.session.flush()
    with pytest.raises(ValidationFailed, match="2 人打不开它"):
        authoring.update_item(None, quiz_item, authoring.ItemFields(
            kind="quiz", settings={"quiz_id": other.id}, due_on=date(2026, 6, 30)), NOW)


def test_a_session_item_left_undated_is_due_on_its_session_day_and_moves_with_it(ctx):
    """Left without a due date, a session item is due on its session's local day: after it
    nobody can attend, and whoever joined later never owed it. Moving the session moves
    that date; a date chosen otherwise stays; a session outside the plan leaves it blank."""
    from lawlearn.plans.kind_base import owes
    from lawlearn.sessions import services as sessions

    evening = datetime(2026, 3, 10, 17, 30)  # 01:30 on 11 March in Shanghai
    session = make_session("三月集中学法", starts_at=evening)
    plan = new_plan()
    undated = item(plan, "session", {"session_id": session.id})
    chosen = item(plan, "session", {"session_id": session.id}, due_on=date(2026, 3, 31))
    assert (undated.due_on, chosen.due_on) == (date(2026, 3, 11), date(2026, 3, 31))
    assert not owes(undated, date(2026, 3, 12)) and owes(undated, date(2026, 3, 11))

    week = timedelta(days=7)
    sessions.update_session(None, session, sessions.SessionFields(
        session.title, session.kind_id, evening + week, session.ends_at + week))
    assert (undated.due_on, chosen.due_on) == (date(2026, 3, 18), date(2026, 3, 31))
    # Edited with the date cleared, it takes the session's day again.
    authoring.update_item(None, chosen, authoring.ItemFields(
        kind="session", settings={"session_id": session.id}), NOW)
    assert chosen.due_on == date(2026, 3, 18)

    # Pointed at another session with the date the form shows kept: the new session's day.
    april = make_session("四月集中学法", starts_at=datetime(2026, 4, 8, 1, 0))
    authoring.update_item(None, undated, authoring.ItemFields(
        kind="session", settings={"session_id": april.id}, due_on=date(2026, 3, 18)), NOW)
    assert undated.due_on == date(2026, 4, 8)
    # A copy for next year asks for a new session: no date until one is chosen.
    copy, _cleared = publishing.copy_plan(None, plan, NOW)
    assert [item.due_on for item in copy.items] == [None, None]

    # A session before the plan starts: nothing to default to; moved out of its plan's
    # period, the item is due at the plan's end (as an undated one is).
    spring = new_plan("春季计划", starts_on=date(2026, 3, 15), ends_on=date(2026, 6, 30))
    assert item(spring, "session", {"session_id": make_session(
        "二月集中学法", starts_at=datetime(2026, 2, 10, 1, 0)).id}).due_on is None
    later = item(spring, "session", {"session_id": session.id})
    assert later.due_on == date(2026, 3, 18)
    sessions.update_session(None, session, sessions.SessionFields(
        session.title, session.kind_id, evening, evening + timedelta(hours=2)))
    assert (later.due_on, chosen.due_on) == (None, date(2026, 3, 11))

    # A closed plan is frozen: its items stay as they were when the session moves or is
    # cancelled. Cancelled, an open plan's item is due at the plan's end again.
    publishing.publish_plan(None, spring, NOW)
    publishing.close_plan(None, spring, NOW)
    frozen = item(plan, "session", {"session_id": april.id})  # plan stays open
    closed_item = PlanItem(kind="session", title="已关闭", position=9, due_on=date(2026, 4, 8),
                           settings={"session_id": april.id})
    spring.items.append(closed_item)
    db.session.flush()
    sessions.cancel_session(None, april, "场地冲突", NOW)
    assert (frozen.due_on, undated.due_on, closed_item.due_on) == (None, None,
                                                                   date(2026, 4, 8))
    assert frozen.settings["session_cancelled"] and "session_cancelled" not in closed_item.settings


def test_only_a_draft_is_deleted_with_its_items(ctx, admin_user):
    draft = new_plan("草稿计划")
    stage = stages.add_stage(None, draft, "一月", NOW)
    item(draft, "reflection", stage_id=stage.id)
    publishing.set_audience(None, draft, NOW, everyone=False, roles=["leader"])
    copy, _cleared = publishing.copy_plan(None, draft, NOW)
    publishing.delete_plan(admin_user, draft, NOW)
    assert db.session.get(Plan, draft.id) is None
    assert db.session.scalar(select(func.count()).select_from(PlanItem)) == 1  # the copy's
    db.session.refresh(copy)
    assert copy.copied_from_id is None
    assert db.session.scalar(select(AuditEntry.summary).filter_by(action="plan.delete")) == \
        "删除学习计划草稿《草稿计划》"
    closed = new_plan("已结束")
    closed.status = "closed"
    with pytest.raises(Conflict):
        publishing.delete_plan(admin_user, closed, NOW)


# --- copy to next year -------------------------------------------------------------------------


def test_titles_of_copies(ctx):
    assert publishing.next_year_title("2025年度学法计划", 2025) == "2026年度学法计划"
    assert publishing.next_year_title("2025—2026学年 2025 专题", 2025) == "2026—2026学年 2026 专题"
    assert publishing.next_year_title("新入职人员学法", 2025) == "新入职人员学法（复制）"
    assert len(publishing.next_year_title("长" * 200, 2025)) == 200


def test_copying_shifts_every_date_and_asks_again_for_quizzes_and_sessions(ctx, admin_user):
    office = department("办公室")
    quiz, session, material = make_quiz(), make_session(), published_material()
    plan = new_plan("2024年度学法计划", starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31),
                    required_hours=40, description="全年学法安排")
    spring = stages.add_stage(None, plan, "第一季度", NOW)
    stages.add_stage(None, plan, "第二季度", NOW)
    read = item(plan, "material", {"material_id": material.id, "min_seconds": 120},
                stage_id=spring.id, due_on=date(2024, 2, 29), hours=2, points=5, required=False)
    test = item(plan, "quiz", {"quiz_id": quiz.id, "require": "attempted"}, stage_id=spring.id,
                due_on=date(2024, 3, 31))
    attend_it = item(plan, "session", {"session_id": session.id, "excused_counts": True})
    streak = item(plan, "streak", {"days": 10, "from": date(2024, 2, 29)})
    reflect = item(plan, "reflection", {"min_length": 100})  # titled after the plan
    assert reflect.title == "撰写学习心得：2024年度学法计划"
    publishing.set_audience(None, plan, NOW, everyone=False, department_ids=[office.id],
                          roles=["leader"])
    plan.status = "closed"

    copy, cleared = publishing.copy_plan(admin_user, plan, NOW)
    assert (copy.title, copy.status, copy.starts_on, copy.ends_on) == (
        "2025年度学法计划", "draft", date(2025, 1, 1), date(2025, 12, 31))
    assert (copy.required_hours, copy.description, copy.kind, copy.copied_from_id) == (
        40, "全年学法安排", "annual", plan.id)
    assert copy.published_at is None and copy.created_by_id == admin_user.id
    assert [s.title for s in copy.stages] == ["第一季度", "第二季度"]
    assert {s.id for s in copy.stages}.isdisjoint({s.id for s in plan.stages})
    assert not copy.audience_all
    assert [(a.department_id, a.role) for a in copy.audience] == [(office.id, None),
                                                                    (None, "leader")]
    by_title = {i.title: i for i in copy.items}
    assert [i.title for i in copy.items] == [i.title for i in plan.items[:-1]] + [
        "撰写学习心得：2025年度学法计划"]  # the plan's name follows the copy's
    new_read = by_title[read.title]
    assert (new_read.due_on, new_read.stage_id, new_read.hours, new_read.points,
            new_read.required) == (date(2025, 2, 28), copy.stages[0].id, 2, 5, False)
    assert new_read.settings == {"material_id": material.id, "min_seconds": 120}
    assert by_title[streak.title].settings == {"days": 10, "from": "2025-02-28"}
    assert by_title[test.title].settings == {"require": "attempted"}
    assert by_title[attend_it.title].settings == {"excused_counts": True}
    assert {i.title for i in cleared} == {test.title, attend_it.title}
    assert {i.id for i in copy.items if item_settings.needs_target(i)} == {i.id for i in cleared}
    # The original is untouched.
    assert test.settings["quiz_id"] == quiz.id and read.due_on == date(2024, 2, 29)
    with pytest.raises(ValidationFailed) as caught:
        publishing.publish_plan(admin_user, copy, NOW)
    assert "需重新选择" in caught.value.message
    authoring.update_item(admin_user, by_title[test.title], authoring.ItemFields(
        kind="quiz", title=test.title, due_on=date(2025, 3, 31),
        settings={"quiz_id": make_quiz("2025宪法小测").id, "require": "attempted"}), NOW)
    assert not item_settings.needs_target(by_title[test.title])

    untitled = new_plan("新入职人员学法")
    assert publishing.copy_plan(None, untitled, NOW)[0].title == "新入职人员学法（复制）"


# --- reminders ---------------------------------------------------------------------------------


def test_reminders_go_to_those_behind_and_a_dept_lead_reminds_only_their_own(ctx, admin_user):
    office = department("办公室")
    section = department("秘书科", office)
    finance = department("财政局")
    lead = make_person("lead", roles=("staff", "dept_lead"), department_id=office.id)
    done = make_person("ann", department_id=section.id)
    behind = make_person("bob", department_id=section.id)
    far = make_person("cat", department_id=finance.id)
    session = make_session(starts_at=NOW - timedelta(days=3))
    plan = new_plan()
    item(plan, "session", {"session_id": session.id}, due_on=date(2026, 5, 31))
    upcoming = item(plan, "reflection", {"min_length": 10}, due_on=date(2026, 12, 31))
    with pytest.raises(Conflict):  # a draft has nobody to remind
        oversight.remind(admin_user, plan, NOW)
    publishing.publish_plan(admin_user, plan, NOW)
    attend(session, done, "present")
    actions.submit_reflection(done, upcoming, "学习宪法的一点体会和收获。", NOW)
    db.session.execute(Notice.__table__.delete())

    # bob; not the lead, behind too, who is the one sending the reminder
    assert oversight.remind(lead, plan, NOW, department_id=office.id).sent == 1
    notices = db.session.execute(select(Notice.user_id, Notice.title, Notice.body)).all()
    assert {n.user_id for n in notices} == {behind.id}
    assert notices[0].title == "学习提醒：2026年度学法计划" and "已过截止日期" in notices[0].body
    with pytest.raises(PermissionDenied):
        oversight.remind(lead, plan, NOW, department_id=finance.id)
    with pytest.raises(PermissionDenied):
        oversight.remind(lead, plan, NOW)  # everyone: only an admin

    db.session.execute(Notice.__table__.delete())
    assert oversight.remind(admin_user, plan, NOW).sent == 3  # lead, bob, cat; not the admin
    assert db.session.scalar(select(func.count()).select_from(Notice).where(
        Notice.user_id == admin_user.id)) == 0
    attend(session, far, "present")
    attend(session, lead, "late")
    db.session.execute(Notice.__table__.delete())
    assert oversight.remind(admin_user, plan, NOW, department_id=finance.id).sent == 0
    assert oversight.remind(admin_user, plan, NOW, department_id=finance.id,
                            not_done=True).sent == 1
    body = db.session.scalar(select(Notice.body).where(Notice.user_id == far.id))
    assert "还有必修事项未完成" in body
    assert db.session.scalar(select(func.count()).select_from(AuditEntry).filter_by(
        action="plan.remind")) == 4


# --- fixes after a walk-through as new users ---------------------------------------------------


def test_only_a_title_made_from_the_plan_follows_the_copy():
    renamed = publishing._renamed
    assert renamed("撰写学习心得：2024年度学法计划", "2024年度学法计划", "2025年度学法计划") == \
        "撰写学习心得：2025年度学法计划"
    assert renamed("Write a reflection: 2024 plan", "2024 plan", "2025 plan") == \
        "Write a reflection: 2025 plan"
    # A plan called 计划 leaves 学习计划 alone: only the made title's ending is its name.
    assert renamed("学习计划第一阶段", "计划", "计划（复制）") == "学习计划第一阶段"
    assert renamed("我的心得：学习计划", "计划", "计划（复制）") == "我的心得：学习计划"


def test_copying_again_is_refused_and_names_the_copy(ctx, admin_user):
    plan = new_plan("2026年度学法计划")
    item(plan, "reflection", {"min_length": 10})
    copy, _cleared = publishing.copy_plan(admin_user, plan, NOW)
    assert publishing.existing_copy(plan) == copy
    with pytest.raises(Conflict) as caught:  # posted twice
        publishing.copy_plan(admin_user, plan, NOW)
    assert caught.value.code == "already_copied"
    assert "2027年度学法计划" in caught.value.message and "不能重复复制" in caught.value.message
    assert db.session.scalar(select(func.count()).select_from(Plan).where(
        Plan.copied_from_id == plan.id)) == 1
    # A copy whose period the admin moved is no longer next year's copy; nor a deleted one.
    copy.starts_on = date(2027, 3, 1)
    db.session.flush()
    assert publishing.existing_copy(plan) is None
    publishing.delete_plan(admin_user, copy, NOW)
    again, _cleared = publishing.copy_plan(admin_user, plan, NOW)
    assert again.starts_on == date(2027, 1, 1)


def test_a_streak_must_fit_in_its_window(ctx):
    week = new_plan("宪法宣传周", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 7))
    with pytest.raises(ValidationFailed) as caught:
        item(week, "streak", {"days": 30})
    assert caught.value.field == "days"
    assert caught.value.message == "2026年12月1日 至 2026年12月7日 只有 7 天，每日一练天数不能超过 7 天。"
    assert item(week, "streak", {"days": 7}).settings == {"days": 7}
    for settings, due_on, field in (
            ({"days": 4, "from": "2026-12-05"}, None, "days"),  # 5 to 7 December: 3 days
            ({"days": 3}, date(2026, 12, 2), "days"),  # 1 to 2 December
            ({"days": 1, "from": "2026-12-05"}, date(2026, 12, 3), "streak_from")):
        with pytest.raises(ValidationFailed) as caught:
            item(week, "streak", settings, due_on=due_on)
        assert caught.value.field == field, settings
    fits = item(week, "streak", {"days": 3, "from": "2026-12-05"})
    assert [i.settings for i in week.items] == [{"days": 7}, {"days": 3, "from": "2026-12-05"}]

    # Shortening the plan may not leave a streak that cannot be done.
    shorter = authoring.PlanFields(title="宪法宣传周", starts_on=date(2026, 12, 1),
                                   ends_on=date(2026, 12, 4))
    with pytest.raises(ValidationFailed) as caught:
        authoring.update_plan(None, week, shorter, NOW)
    assert caught.value.field == "ends_on" and "坚持每日一练 7 天" in caught.value.message
    # An impossible streak written before this rule is caught when publishing.
    fits.settings = {"days": 30, "from": "2026-12-05"}
    db.session.flush()
    assert [message for _item, message in publishing.item_problems(week)] == \
        ["2026年12月5日 至 2026年12月7日 只有 3 天，每日一练天数不能超过 3 天。"]


def test_every_problem_of_a_plan_is_reported_at_once(ctx):
    problems = authoring.plan_problems(authoring.PlanFields(
        title=" ", starts_on=date(2026, 12, 31), ends_on=date(2026, 1, 1), required_hours=-4))
    assert [p.field for p in problems] == ["title", "ends_on", "required_hours"]
    assert authoring.plan_problems(authoring.PlanFields(
        title="年度学法计划", starts_on=YEAR[0], ends_on=YEAR[1], required_hours=40)) == []


def test_an_untitled_reflection_is_named_after_its_stage_or_plan(ctx):
    plan = new_plan("宪法学习月")
    stage = stages.add_stage(None, plan, "第二阶段：民法典", NOW)
    assert item(plan, "reflection").title == "撰写学习心得：宪法学习月"
    assert item(plan, "reflection", stage_id=stage.id).title == "撰写学习心得：第二阶段：民法典"
    assert item(plan, "reflection", title="我的体会").title == "我的体会"


CIVIL_CODE = ("中华人民共和国民法典\n\n第一编 总则\n\n第一章 基本规定\n\n第一条 总则一。\n\n"
              "第二章 自然人\n\n第一节 民事权利能力\n\n第二条 自然人一。\n\n"
              "第二编 物权\n\n第一分编 通则\n\n第一章 一般规定\n\n第三条 物权一。\n").encode()


def test_chapters_are_named_with_their_parts(ctx):
    law = import_law(CIVIL_CODE)
    paths = item_settings.division_paths({law.id})
    assert sorted(paths.values()) == [
        "第一编 总则", "第一编 总则 · 第一章 基本规定", "第一编 总则 · 第二章 自然人",
        "第一编 总则 · 第二章 自然人 · 第一节 民事权利能力", "第二编 物权",
        "第二编 物权 · 第一分编 通则", "第二编 物权 · 第一分编 通则 · 第一章 一般规定"]
    second_first = db.session.scalar(select(LawDivision).where(
        LawDivision.law_id == law.id, LawDivision.kind == "chapter",
        LawDivision.title == "一般规定"))
    plan = new_plan()
    chosen = item(plan, "articles", {"law_id": law.id, "division_id": second_first.id})
    assert chosen.title == \
        f"学习《{law.display_title}》第二编 物权 · 第一分编 通则 · 第一章 一般规定"
    assert item_settings.item_targets([chosen])[chosen.id] == \
        f"《{law.display_title}》第二编 物权 · 第一分编 通则 · 第一章 一般规定"


def test_reminders_name_the_items_and_are_not_repeated_within_12_hours(ctx, admin_user):
    ann, bob = make_person("ann"), make_person("bob")
    plan = new_plan()
    for n in range(1, 5):
        item(plan, "reflection", {"min_length": 5}, title=f"心得{n}", due_on=date(2026, 5, n))
    item(plan, "reflection", {"min_length": 5}, title="年底心得", due_on=date(2026, 12, 31))
    item(plan, "reflection", {"min_length": 5}, title="选修心得", required=False,
         due_on=date(2026, 5, 1))
    publishing.publish_plan(admin_user, plan, NOW)
    for n in (1, 2, 3, 4):
        actions.submit_reflection(bob, plan.items[n - 1], "按时提交的心得。", NOW)
    db.session.execute(Notice.__table__.delete())

    first = oversight.remind(admin_user, plan, NOW, not_done=True)
    # ann and bob; the admin sending it is behind too, and is not sent a notice
    assert first == oversight.Reminders(sent=2, skipped=0)
    bodies = dict(db.session.execute(select(Notice.user_id, Notice.body)).all())
    assert bodies[ann.id] == ("您在学习计划《2026年度学法计划》中有已过截止日期的必修事项尚未完成："
                              "“心得1”、“心得2”、“心得3”等 4 项。请尽快完成。")
    assert bodies[bob.id] == "您在学习计划《2026年度学法计划》中还有必修事项未完成：“年底心得”。请按时完成。"
    links = set(db.session.scalars(select(Notice.link)))
    assert links == {f"/plans/{plan.id}?from=reminder"}

    # Posted again half a second later, or by someone else within 12 hours: nobody twice.
    again = oversight.remind(admin_user, plan, NOW + timedelta(seconds=0.5), not_done=True)
    assert again == oversight.Reminders(sent=0, skipped=2)
    assert oversight.remind(admin_user, plan, NOW + timedelta(hours=11, minutes=59)) == \
        oversight.Reminders(sent=0, skipped=1)  # only the overdue: ann
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 2
    later = oversight.remind(admin_user, plan, NOW + timedelta(hours=12, seconds=1))
    assert later == oversight.Reminders(sent=1, skipped=0)
    assert db.session.scalar(select(func.count()).select_from(Notice).where(
        Notice.user_id == ann.id)) == 2


def test_a_double_click_on_the_audience_announces_the_newcomers_once(app):
    """The first save commits while the second is starting: the second must see the
    audience the first wrote, and announce nobody again."""
    with app.app_context():
        office, finance = department("办公室"), department("财政局")
        make_person("ann", department_id=office.id)
        bob_id = make_person("bob", department_id=finance.id).id
        plan = new_plan()
        item(plan, "reflection")
        publishing.set_audience(None, plan, NOW, everyone=False, department_ids=[office.id])
        publishing.publish_plan(None, plan, NOW)
        db.session.commit()
        plan_id, wanted = plan.id, [office.id, finance.id]

    def save() -> int:
        return publishing.set_audience(None, db.session.get(Plan, plan_id), NOW,
                                       everyone=False, department_ids=wanted)

    def first_click() -> None:
        assert save() == 1

    def reads_the_audience(statement: str) -> bool:
        return statement.startswith("SELECT") and "plan_audience" in statement

    with app.app_context():
        # just before it takes the plan's lock, or (without one) after it read the audience
        with twin_at(app, first_click, before=updates("plan"), after=reads_the_audience) as ran:
            announced = save()
        db.session.commit()
        assert ran and announced == 0
        assert db.session.scalars(select(Notice.user_id).where(
            Notice.user_id == bob_id)).all() == [bob_id]
        assert db.session.scalar(select(func.count()).select_from(PlanAudience)) == 2


def test_targets_nest_the_titles_they_quote(ctx):
    """A session, quiz or material whose title quotes a law: 《学习〈宪法〉》, not 《学习《宪法》》
    (the 内容 column of a plan's items)."""
    plan = new_plan()
    session = make_session("今日集中学法：《中华人民共和国宪法》第二章")
    quiz = make_quiz("《民法典》知识测验")
    chosen = [item(plan, "session", {"session_id": session.id}),
              item(plan, "quiz", {"quiz_id": quiz.id})]
    targets = item_settings.item_targets(chosen)
    assert targets[chosen[0].id].startswith("《今日集中学法：〈中华人民共和国宪法〉第二章》")
    assert targets[chosen[1].id] == "《〈民法典〉知识测验》，须通过"
