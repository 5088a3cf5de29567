"""A person's progress across plans: audience, next up, completions paid once, study hours,
and the JSON payload of GET /api/v1/me/progress."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import jsonschema
import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select

from lawlearn.api.plans_api import ME_PROGRESS_OPENAPI, ME_PROGRESS_SCHEMA, me_progress_payload
from lawlearn.errors import NotFound
from lawlearn.extensions import db
from lawlearn.plans import actions, oversight
from lawlearn.plans.matrix import matrix
from lawlearn.plans.models import Notice, PlanItemProgress, PlanStage, Reflection
from lawlearn.plans.progress import (
    fill_hours,
    hours_ledger,
    next_up,
    plans_for,
    progress_for,
    required_hours,
    sync_completions,
)
from lawlearn.practice.models import PointAward
from lawlearn.practice.points import total_points
from tests.plans.test_kinds import (
    NOW,
    add_item,
    attend,
    department,
    import_law,
    make_person,
    make_plan,
    make_quiz,
    make_session,
    study,
)


def _plan_points(user_id: int) -> int:
    """Points paid to ``user_id`` for plan items (other rules may pay for the same acts)."""
    return db.session.scalar(select(func.coalesce(func.sum(PointAward.amount), 0)).where(
        PointAward.user_id == user_id, PointAward.rule == "plan_item"))


# --- audience ----------------------------------------------------------------------------------


def test_a_department_plan_reaches_its_sections_and_a_role_plan_only_that_role(ctx):
    office = department("区政府办公室")
    legal = department("法制科", office)
    other = department("财政局")
    in_section = make_person("ann", department_id=legal.id)
    in_unit = make_person("bob", department_id=office.id)
    elsewhere = make_person("cat", department_id=other.id)
    leader = make_person("dan", roles=("staff", "leader"), department_id=other.id)
    named = make_person("eve", department_id=other.id)

    for_office = make_plan("办公室学法", audience_all=False,
                           audience=[{"department_id": office.id}])
    for_leaders = make_plan("中心组学法", audience_all=False, audience=[{"role": "leader"}])
    for_eve = make_plan("个人计划", audience_all=False, audience=[{"user_id": named.id}])
    for_all = make_plan("全员学法")

    def titles(user):
        return [p.title for p in plans_for(user, NOW)]

    assert titles(in_section) == ["办公室学法", "全员学法"]
    assert titles(in_unit) == ["办公室学法", "全员学法"]
    assert titles(elsewhere) == ["全员学法"]
    assert titles(leader) == ["中心组学法", "全员学法"]
    assert titles(named) == ["个人计划", "全员学法"]
    assert actions.get_plan_for(in_section, for_office.id) == for_office
    for user, plan in ((elsewhere, for_office), (in_section, for_leaders),
                       (leader, for_eve)):
        with pytest.raises(NotFound):
            actions.get_plan_for(user, plan.id)
        with pytest.raises(NotFound):
            actions.get_item_for(user, add_item(plan, "material").id)
    assert actions.get_item_for(elsewhere, add_item(for_all, "material").id).plan == for_all


def test_unpublished_closed_and_ended_plans_are_not_mine(ctx):
    ann = make_person("ann")
    draft, closed = make_plan("草稿", status="draft"), make_plan("已结束", status="closed")
    ended = make_plan("去年", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    current = make_plan("今年")
    assert [p.title for p in plans_for(ann, NOW)] == ["今年"]
    for plan in (draft, closed):
        item = add_item(plan, "reflection", settings={"min_length": 1})
        with pytest.raises(NotFound):
            actions.get_plan_for(ann, plan.id)
        with pytest.raises(NotFound):
            actions.get_item_for(ann, item.id)
        with pytest.raises(NotFound):
            actions.submit_reflection(ann, item, "心得", NOW)
    # An ended plan is still readable by its link (a notice may point to it).
    assert actions.get_plan_for(ann, ended.id) == ended
    with pytest.raises(NotFound):
        actions.get_plan_for(ann, current.id + 100)


# --- next up -----------------------------------------------------------------------------------


def test_next_up_puts_overdue_items_first_then_by_due_date(ctx):
    ann = make_person("ann")
    law = import_law()
    today = date(2026, 6, 1)
    first, second = make_plan("一"), make_plan("二")
    later = add_item(first, "material", title="稍后", due_on=today + timedelta(days=20))
    undated = add_item(first, "material", title="不限期")
    done = add_item(first, "articles", title="已完成", due_on=today - timedelta(days=9),
                    settings={"law_id": law.id, "from_number": 1, "to_number": 1})
    soon = add_item(first, "material", title="即将到期", due_on=today + timedelta(days=2))
    overdue = add_item(second, "material", title="已逾期", due_on=today - timedelta(days=3))
    optional = add_item(second, "material", title="选修", required=False,
                        due_on=today + timedelta(days=2))
    due_today = add_item(second, "material", title="今天截止", due_on=today)
    study(ann, law, 1)

    progress = progress_for(ann, NOW)
    upcoming = next_up(progress, limit=10)
    assert [e.item.title for e in upcoming] == ["已逾期", "今天截止", "即将到期", "选修", "稍后",
                                               "不限期"]
    assert [e.overdue for e in upcoming] == [True] + [False] * 5
    assert [e.item.title for e in next_up(progress)] == ["已逾期", "今天截止", "即将到期"]
    assert done.id not in {e.item.id for e in upcoming}
    assert {later.id, undated.id, soon.id, overdue.id, optional.id, due_today.id} == \
        {e.item.id for e in upcoming}


def test_overdue_and_my_plans_follow_the_local_day_in_shanghai(ctx):
    ann = make_person("ann")
    ending = make_plan("六月一日结束", starts_on=date(2026, 5, 1), ends_on=date(2026, 6, 1))
    running = make_plan("全年")
    due_june_first = add_item(running, "material", due_on=date(2026, 6, 1))
    before_midnight = datetime(2026, 6, 1, 15, 59)  # 23:59 on 1 June in Shanghai
    after_midnight = datetime(2026, 6, 1, 16, 1)  # 00:01 on 2 June there, still 1 June in UTC

    assert [p.title for p in plans_for(ann, before_midnight)] == [running.title, ending.title]
    [entry] = progress_for(ann, before_midnight)[0].items
    assert entry.item == due_june_first and not entry.overdue

    assert [p.title for p in plans_for(ann, after_midnight)] == [running.title]
    [entry] = progress_for(ann, after_midnight)[0].items
    assert entry.overdue
    grid = matrix(running, after_midnight)
    assert grid.today == date(2026, 6, 2) and grid.person_behind(ann)
    assert not matrix(running, before_midnight).person_behind(ann)


def test_items_due_before_someone_joined_are_not_theirs(ctx):
    """A colleague who joins on 20 May owes none of the items due before: nothing overdue
    on their first day, nothing in their counts, no reminder; the items due since are
    theirs. One done anyway still shows as done."""
    law = import_law()
    plan = make_plan()
    march = add_item(plan, "material", title="三月", due_on=date(2026, 3, 31))
    april = add_item(plan, "articles", title="四月", due_on=date(2026, 4, 30),
                     settings={"law_id": law.id, "from_number": 1, "to_number": 1})
    joining_day = add_item(plan, "material", title="入职当天", due_on=date(2026, 5, 20))
    june = add_item(plan, "material", title="六月", due_on=date(2026, 6, 30))
    undated = add_item(plan, "material", title="不限期")
    old_hand = make_person("ann")
    newcomer = make_person("bob")
    newcomer.joined_at = datetime(2026, 5, 19, 16, 0)  # 00:00 on 20 May in Shanghai
    study(newcomer, law, 1)  # April's, done anyway

    progress = progress_for(newcomer, NOW)[0]
    states = {entry.item.title: (entry.state.status, entry.overdue, entry.owed)
              for entry in progress.items}
    assert states == {"三月": ("not_owed", False, False), "四月": ("done", False, False),
                      "入职当天": ("pending", True, True), "六月": ("pending", False, True),
                      "不限期": ("pending", False, True)}
    assert [e.item for e in progress.required] == [joining_day, june, undated]
    assert (progress.done_count, progress.percent) == (0, 0)
    assert [e.item for e in next_up(progress_for(newcomer, NOW), limit=10)] == [
        joining_day, june, undated]
    assert progress_for(old_hand, NOW)[0].required[0].item == march  # theirs in full

    grid = matrix(plan, NOW)
    assert grid.state(march, newcomer).status == "not_owed"
    assert grid.state(march, newcomer).label == "加入前已到期"
    assert not grid.overdue(march, newcomer) and grid.overdue(march, old_hand)
    assert (grid.person_done(newcomer), grid.required_for(newcomer)) == (0, 3)
    assert (grid.person_done(old_hand), grid.required_for(old_hand)) == (0, 5)
    assert grid.item_rate(april) == 0.0  # of ann alone: bob's reading is not his to do
    assert grid.item_rate(june) == 0.0
    assert grid.department_rates() == [("", 2, 0.0)]
    reminded = oversight.remind(make_person("root", roles=("admin",)), plan, NOW)
    assert reminded.sent == 2
    notice = db.session.scalar(select(Notice).where(Notice.user_id == newcomer.id))
    assert "入职当天" in notice.body and "三月" not in notice.body and "四月" not in notice.body


def test_an_item_on_a_cancelled_session_is_nobodys_until_it_names_another(ctx):
    """Cancelled, a session leaves its items owed by nobody (活动已取消): not in 下一步, the
    required counts, the rates or the reminders, in plans still open; a closed plan keeps
    its figures. Pointed at another session, the item is everyone's again."""
    from lawlearn.plans import authoring
    from lawlearn.reports.participation import build_report
    from lawlearn.sessions import services as sessions

    plan = make_plan()
    coming = make_session("十二月集中学法", starts_at=NOW + timedelta(days=10))
    on_it = add_item(plan, "session", title="参加十二月学法", due_on=date(2026, 6, 11),
                     settings={"session_id": coming.id})
    other = add_item(plan, "material", title="阅读材料", due_on=date(2026, 5, 1))  # overdue
    ann = make_person("ann")
    sessions.cancel_session(None, coming, "讲师临时出差", NOW)
    assert on_it.due_on is None  # it was due on the session's day

    states = {entry.item.title: (entry.state.status, entry.state.label, entry.owed)
              for entry in progress_for(ann, NOW)[0].items}
    assert states["参加十二月学法"] == ("cancelled", "活动已取消", False)
    assert [e.item for e in next_up(progress_for(ann, NOW), limit=10)] == [other]
    grid = matrix(plan, NOW)
    assert grid.state(on_it, ann).status == "cancelled" and grid.required_for(ann) == 1
    assert grid.required_count == 1  # the page's 必修 n 项
    assert grid.item_rate(on_it) is None
    reminded = oversight.remind(make_person("root", roles=("admin",)), plan, NOW)
    notice = db.session.scalar(select(Notice).where(Notice.user_id == ann.id))
    assert reminded.sent == 1 and "十二月" not in notice.body
    report = build_report(date(2026, 1, 1), date(2026, 12, 31), now=NOW)
    row = next(p for p in report.people if p.user_id == ann.id)
    assert (row.values["items_due"], row.values["items_done"]) == (1, 0)  # the material alone

    later = make_session("十二月集中学法（改期）", starts_at=NOW + timedelta(days=17))
    authoring.update_item(None, on_it, authoring.ItemFields(
        kind="session", title=on_it.title, settings={"session_id": later.id}), NOW)
    assert on_it.due_on == date(2026, 6, 18) and "session_cancelled" not in on_it.settings
    assert progress_for(ann, NOW)[0].items[0].state.status == "pending"
    assert matrix(plan, NOW).required_for(ann) == 2


def test_a_session_held_before_the_persons_account_is_not_theirs(ctx):
    """Someone added after a session closed, with a 加入日期 back-dated before it (an
    import), was not expected there (the sessions report: 应参学 0) and could not be marked,
    yet the plan's 参加 item for it stayed theirs: 逾期 for ever, and in every reminder."""
    from lawlearn.reports.participation import build_report
    from lawlearn.sessions.expected import is_expected

    plan = make_plan()
    held = make_session("五月集中学法", starts_at=NOW - timedelta(days=5))
    held.created_at = NOW - timedelta(days=20)
    on_it = add_item(plan, "session", title="参加五月学法", due_on=date(2026, 5, 27),
                     settings={"session_id": held.id})
    material = add_item(plan, "material", title="阅读材料", due_on=date(2026, 5, 1))
    ann = make_person("ann")  # here all along
    bob = make_person("bob")
    bob.joined_at = datetime(2026, 3, 1)  # back-dated by the import made yesterday
    bob.created_at = NOW - timedelta(days=1)
    db.session.flush()
    assert not is_expected(bob, held) and is_expected(ann, held)

    def mine(person):
        return {e.item.id: (e.state.status, e.owed, e.overdue)
                for e in progress_for(person, NOW)[0].items}

    assert mine(bob)[on_it.id] == ("not_owed", False, False)
    assert mine(bob)[material.id] == ("pending", True, True)  # overdue, as before
    assert mine(ann)[on_it.id] == ("pending", True, True)
    assert [e.item for e in next_up(progress_for(bob, NOW), limit=10)] == [material]
    grid = matrix(plan, NOW)
    assert (grid.required_for(bob), grid.required_for(ann)) == (1, 2)
    assert grid.state(on_it, bob).status == "not_owed" and grid.item_rate(on_it) == 0.0
    # Said as it is: beside items overdue since a 加入日期 in March, "加入前已到期" read as
    # a contradiction (walk, the admin's January).
    assert grid.state(on_it, bob).label == "开通账号前已举行"
    oversight.remind(make_person("root", roles=("admin",)), plan, NOW)
    bodies = {n.user_id: n.body for n in db.session.scalars(select(Notice))}
    assert "参加五月学法" in bodies[ann.id] and "参加五月学法" not in bodies[bob.id]
    report = build_report(date(2026, 1, 1), date(2026, 12, 31), now=NOW)
    due = {p.user_id: p.values["items_due"] for p in report.people}
    assert (due[ann.id], due[bob.id]) == (2, 1)


def test_a_reflection_waiting_for_review_is_not_overdue_next_up_or_behind(ctx):
    ann = make_person("ann")
    plan = make_plan()
    reflection_item = add_item(plan, "reflection", due_on=date(2026, 5, 31),
                               settings={"min_length": 5, "review": True})
    actions.submit_reflection(ann, reflection_item, "按时提交的学习心得。", NOW - timedelta(days=3))

    [entry] = progress_for(ann, NOW)[0].items
    assert entry.state.status == "submitted" and not entry.overdue
    assert next_up(progress_for(ann, NOW)) == []
    grid = matrix(plan, NOW)
    assert not grid.person_behind(ann) and not grid.person_has_to_do(ann)
    make_person("bob")
    assert oversight.remind(make_person("root", roles=("admin",)), plan, NOW,
                            not_done=True).sent == 1  # only bob, who wrote nothing
    assert db.session.scalar(select(func.count()).select_from(Notice).where(
        Notice.user_id == ann.id)) == 0

    reflection = db.session.scalar(select(Reflection))
    reflection.status = "returned"  # back to its author: up to them again, and late
    db.session.flush()
    [entry] = progress_for(ann, NOW)[0].items
    assert entry.overdue and [e.item for e in next_up(progress_for(ann, NOW))] == \
        [reflection_item]
    assert matrix(plan, NOW).person_behind(ann)


def test_progress_counts_required_items_and_their_hours(ctx):
    ann = make_person("ann")
    law = import_law()
    plan = make_plan(required_hours=10)
    stage = PlanStage(plan_id=plan.id, title="第一阶段", position=1)
    db.session.add(stage)
    db.session.flush()
    add_item(plan, "articles", stage=stage, hours=2, settings={"law_id": law.id,
                                                               "from_number": 1,
                                                               "to_number": 2})
    add_item(plan, "articles", required=False, hours=1.5,
             settings={"law_id": law.id, "from_number": 3, "to_number": 3})
    add_item(plan, "material", hours=1)
    study(ann, law, 1, 2, 3)
    [entry] = progress = progress_for(ann, NOW)
    assert (entry.done_count, len(entry.required), entry.percent) == (1, 2, 50)
    sync_completions(ann, progress, NOW)
    fill_hours(ann, progress, NOW)
    assert entry.hours_earned == 3.5


# --- completions: stamped and paid once --------------------------------------------------------


def test_sync_completions_pays_each_item_once(ctx):
    ann = make_person("ann")
    law = import_law()
    plan = make_plan()
    paid = add_item(plan, "articles", points=5,
                    settings={"law_id": law.id, "from_number": 1, "to_number": 2})
    free = add_item(plan, "articles", settings={"law_id": law.id, "from_number": 6,
                                                "to_number": 6})
    add_item(plan, "material", points=3)  # not done: nothing paid
    study(ann, law, 1, 2, 6, when=NOW - timedelta(days=2))
    assert sync_completions(ann, progress_for(ann, NOW), NOW) == 2
    assert _plan_points(ann.id) == 5
    stamps = {row.item_id: row.completed_at for row in db.session.scalars(
        select(PlanItemProgress).where(PlanItemProgress.user_id == ann.id))}
    assert stamps == {paid.id: NOW - timedelta(days=2), free.id: NOW - timedelta(days=2)}

    assert sync_completions(ann, progress_for(ann, NOW + timedelta(hours=1)),
                            NOW + timedelta(hours=1)) == 0
    assert _plan_points(ann.id) == 5
    assert db.session.scalar(select(func.count()).select_from(PointAward).where(
        PointAward.rule == "plan_item")) == 1


def test_a_confirmed_material_is_stamped_when_confirmed(ctx):
    ann = make_person("ann")
    item = add_item(make_plan(), "material", points=2, settings={"min_seconds": 10})
    actions.open_item(ann, item, NOW)
    actions.confirm_item(ann, item, NOW + timedelta(seconds=15))
    sync_completions(ann, progress_for(ann, NOW + timedelta(minutes=1)), NOW)
    row = actions.get_progress(ann, item)
    assert row.completed_at == NOW + timedelta(seconds=15)
    assert _plan_points(ann.id) == 2


# --- study hours -------------------------------------------------------------------------------


def test_hours_come_from_items_done_in_the_year_and_sessions_attended(ctx):
    ann, bob = make_person("ann"), make_person("bob")
    law = import_law()
    plan = make_plan(required_hours=12)
    make_plan("专题学习", required_hours=8)
    add_item(plan, "articles", hours=2, title="学习总则",
             settings={"law_id": law.id, "from_number": 1, "to_number": 2})
    add_item(plan, "articles", hours=0, settings={"law_id": law.id, "from_number": 3,
                                                  "to_number": 3})
    attended = make_session("宪法讲座", hours=3)
    late = make_session("民法典讲座", hours=1.5, starts_at=NOW - timedelta(days=3))
    excused = make_session("请假的", hours=2, starts_at=NOW - timedelta(days=4))
    cancelled = make_session("取消的", hours=2, starts_at=NOW - timedelta(days=5),
                             cancelled=True)
    last_year = make_session("去年的", hours=4, starts_at=NOW.replace(year=2025))
    # A session item counts through the session itself, never twice.
    add_item(plan, "session", hours=3, settings={"session_id": attended.id})
    attend(attended, ann, "present")
    attend(late, ann, "late")
    attend(excused, ann, "excused")
    attend(cancelled, ann, "present")
    attend(last_year, ann, "present")
    attend(attended, bob, "absent")
    study(ann, law, 1, 2, 3)
    sync_completions(ann, progress_for(ann, NOW), NOW)

    row = hours_ledger(2026, [ann.id, bob.id], NOW)[ann.id]
    assert (row.plan_hours, row.session_hours, row.total) == (2.0, 4.5, 6.5)
    assert bob.id not in hours_ledger(2026, [bob.id], NOW)
    assert required_hours(ann, 2026) == 12
    assert required_hours(ann, 2025) == 0

    detail = actions.hours_detail(ann, 2026, NOW)
    assert [item.title for item, _when in detail.items] == ["学习总则"]
    assert [(s.title, status, counted) for s, status, counted in detail.sessions] == \
        [("民法典讲座", "late", True), ("宪法讲座", "present", True)]
    assert (detail.required, detail.reached) == (12, False)
    assert hours_ledger(2025, [ann.id], NOW)[ann.id].total == 4.0


# --- GET /api/v1/me/progress -------------------------------------------------------------------


def test_me_progress_payload_has_the_documented_shape(ctx):
    ann = make_person("ann")
    law = import_law()
    quiz = make_quiz()
    plan = make_plan("年度学法计划", required_hours=6)
    articles = add_item(plan, "articles", hours=2, points=4, due_on=date(2026, 6, 30),
                        settings={"law_id": law.id, "from_number": 1, "to_number": 1})
    quiz_item = add_item(plan, "quiz", settings={"quiz_id": quiz.id})
    make_plan("草稿", status="draft")
    study(ann, law, 1)

    payload = me_progress_payload(ann, NOW)
    assert payload == {
        "plans": [{
            "id": plan.id, "title": "年度学法计划",
            "items": [
                {"id": articles.id, "kind": "articles", "title": articles.title,
                 "due": "2026-06-30", "status": "done"},
                {"id": quiz_item.id, "kind": "quiz", "title": quiz_item.title, "due": None,
                 "status": "pending"},
            ],
            "hours_earned": 2.0, "hours_required": 6.0,
        }],
        "points": total_points(ann.id),  # the whole balance (studying articles pays too)
    }
    jsonschema.validate(payload, ME_PROGRESS_SCHEMA)
    assert _plan_points(ann.id) == 4
    assert me_progress_payload(ann, NOW)["points"] == payload["points"]  # paid once
    assert me_progress_payload(make_person("bob"), NOW)["plans"][0]["items"][0]["status"] == \
        "pending"


def test_me_progress_openapi_path_is_valid():
    validate({
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "components": {"schemas": {"Error": {"type": "object"}}},
        "paths": {"/me/progress": ME_PROGRESS_OPENAPI},
    })


def test_a_plans_hours_are_the_ledger_over_its_period_as_my_hours_page_counts(ctx, count_queries):
    ann = make_person("ann")
    law = import_law()
    annual = make_plan("2026年度学法计划", required_hours=40)
    theme = make_plan("民法典宣传月", starts_on=date(2026, 5, 20), ends_on=date(2026, 6, 10))
    add_item(annual, "articles", hours=2, settings={"law_id": law.id, "from_number": 1,
                                                    "to_number": 2})
    add_item(theme, "articles", hours=3, settings={"law_id": law.id, "from_number": 3,
                                                   "to_number": 3})
    march = make_session("三月讲座", hours=4, starts_at=datetime(2026, 3, 10, 2, 0))
    may = make_session("五月讲座", hours=6, starts_at=datetime(2026, 5, 30, 2, 0))
    # Counted once, through the attendance: the session item adds nothing.
    add_item(annual, "session", hours=2, settings={"session_id": may.id})
    attend(march, ann, "present")
    attend(may, ann, "late")
    study(ann, law, 3, when=datetime(2026, 5, 25, 2, 0))
    study(ann, law, 1, 2)

    progress = progress_for(ann, NOW)
    sync_completions(ann, progress, NOW)
    assert count_queries(lambda: fill_hours(ann, progress, NOW)) == 2
    assert count_queries(lambda: fill_hours(ann, progress[:1], NOW)) == 2
    hours = {entry.plan.title: entry.hours_earned for entry in progress}
    assert hours == {"2026年度学法计划": 15.0, "民法典宣传月": 11.0}
    assert hours_ledger(2026, [ann.id], NOW)[ann.id].total == 15.0
    assert actions.hours_detail(ann, 2026, NOW).row.total == 15.0
    payload = me_progress_payload(ann, NOW)
    assert {p["title"]: (p["hours_earned"], p["hours_required"]) for p in payload["plans"]} == \
        {"2026年度学法计划": (15.0, 40.0), "民法典宣传月": (11.0, 0.0)}


def test_department_rates_roll_sections_up_only_for_the_whole_office(ctx):
    """Office-wide, a unit's row holds its sections; within one department (a lead's view
    and export), each section is its own row, named as such, not labelled with its unit."""
    unit = department("区政府办公室")
    section = department("综合科", unit)
    ann = make_person("ann", department_id=section.id)
    bob = make_person("bob", department_id=unit.id)
    law = import_law()
    plan = make_plan()
    add_item(plan, "articles", settings={"law_id": law.id, "from_number": 1, "to_number": 1})
    study(ann, law, 1)
    assert matrix(plan, NOW).department_rates() == [("区政府办公室", 2, 0.5)]
    assert matrix(plan, NOW, department_id=unit.id).department_rates() == [
        ("区政府办公室", 1, 0.0), ("区政府办公室/综合科", 1, 1.0)]
    assert matrix(plan, NOW, department_id=section.id).department_rates() == [
        ("区政府办公室/综合科", 1, 1.0)]
    assert bob.id != ann.id
