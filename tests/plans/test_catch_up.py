"""Items done just before a plan ends or is closed still reach the study hours ledger and
pay their points (progress.synced_progress), as the participation report counts them; and
a session item's hours are its session's, never the item's own."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.plans import actions, authoring, publishing
from lawlearn.plans.models import Plan, PlanItemProgress
from lawlearn.plans.progress import (
    fill_hours,
    hours_ledger,
    item_hours,
    progress_for,
    sync_completions,
    synced_progress,
)
from lawlearn.practice.models import PointAward
from lawlearn.reports.participation import build_report
from tests.conftest import csrf_from
from tests.plans.test_kinds import (
    add_item,
    attempt,
    import_law,
    make_person,
    make_plan,
    make_quiz,
    make_session,
    study,
)
from tests.plans.test_progress import _plan_points

JUNE = datetime(2026, 6, 10, 2, 0)
DONE = datetime(2026, 12, 18, 2, 0)  # 10:00 on 18 December, office time
CLOSED = datetime(2026, 12, 20, 2, 0)  # the admin closes the plan
AFTER_CLOSING = datetime(2026, 12, 22, 2, 0)
AFTER_ENDING = datetime(2027, 1, 3, 2, 0)


def _year_plan(ann):
    """2026's plan: a quiz passed (and seen) in June, articles studied on 18 December that
    no page has seen yet. 1 + 2 hours, 3 + 5 points."""
    law = import_law()
    quiz = make_quiz()
    plan = make_plan("2026年度学法计划", required_hours=4)
    add_item(plan, "quiz", hours=1, points=3, settings={"quiz_id": quiz.id})
    late = add_item(plan, "articles", hours=2, points=5,
                    settings={"law_id": law.id, "from_number": 1, "to_number": 2})
    attempt(quiz, ann, passed=True, submitted_at=JUNE)
    assert sync_completions(ann, progress_for(ann, JUNE), JUNE) == 1  # June's page view
    study(ann, law, 1, 2, when=DONE)
    return plan, late


def _report_hours(user_id: int, year: int, now: datetime) -> float:
    report = build_report(date(year, 1, 1), date(year, 12, 31), now=now)
    return next(row for row in report.people if row.user_id == user_id).values["hours_earned"]


def _awards(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(PointAward).where(
        PointAward.user_id == user_id, PointAward.rule == "plan_item"))


@pytest.mark.parametrize("closed", [False, True], ids=["ended", "closed"])
def test_an_item_done_just_before_the_plan_ends_or_closes_is_counted_and_paid_once(
        app, closed):
    with app.test_request_context():
        ann = make_person("ann")
        plan, late = _year_plan(ann)
        if closed:
            publishing.close_plan(None, plan, CLOSED)
        now = AFTER_CLOSING if closed else AFTER_ENDING
        # The old way (current plans only) missed it: the plan is no longer current.
        assert progress_for(ann, now) == []

        assert synced_progress(ann, now) == []  # nothing current, but the plan caught up
        stamp = db.session.scalar(select(PlanItemProgress.completed_at).filter_by(
            item_id=late.id, user_id=ann.id))
        assert stamp == DONE  # when it was done, not when a page noticed it
        detail = actions.hours_detail(ann, 2026, now)
        assert (detail.row.total, detail.required, detail.reached) == (3.0, 4.0, False)
        assert [item.title for item, _when in detail.items] == \
            [plan.items[0].title, late.title]
        assert (_plan_points(ann.id), _awards(ann.id)) == (8, 2)
        # The points are dated when each item was done, as the stamp is (June, 18 December).
        assert sorted(db.session.scalars(select(PointAward.day).where(
            PointAward.user_id == ann.id, PointAward.rule == "plan_item"))) == [
                date(2026, 6, 10), date(2026, 12, 18)]
        assert _report_hours(ann.id, 2026, now) == detail.row.total

        # Again, and through the year's hours page: nothing is stamped or paid twice.
        synced_progress(ann, now + timedelta(days=1), year=2026)
        synced_progress(ann, now + timedelta(days=2))
        assert (_plan_points(ann.id), _awards(ann.id)) == (8, 2)
        assert hours_ledger(2026, [ann.id], now)[ann.id].total == 3.0


@pytest.mark.parametrize("closed", [False, True], ids=["ended", "closed"])
@pytest.mark.parametrize("page", ["/plans/hours?year=2026", "/api/v1/me/progress", "/plans",
                                  "/"])
def test_the_hours_page_the_api_my_plans_and_home_catch_up(app, client, make_user, login,
                                                      monkeypatch, closed, page):
    ref = make_user("ann")
    login(ref)
    with app.app_context():
        ann = db.session.get(User, ref.id)
        plan, late = _year_plan(ann)
        if closed:
            publishing.close_plan(None, plan, CLOSED)
        db.session.commit()
        late_title = late.title
    now = AFTER_CLOSING if closed else AFTER_ENDING
    for module in ("lawlearn.plans.views", "lawlearn.api.plans_api", "lawlearn.main.views"):
        monkeypatch.setattr(f"{module}.utcnow", lambda: now)

    for _view in range(2):
        assert client.get(page).status_code == 200
    with app.test_request_context():  # this page alone stamped the item and paid for it
        assert (_plan_points(ref.id), _awards(ref.id)) == (8, 2)
        assert actions.hours_detail(db.session.get(User, ref.id), 2026, now).row.total \
            == _report_hours(ref.id, 2026, now) == 3.0
    hours = client.get("/plans/hours?year=2026").get_data(as_text=True)
    assert late_title in hours and "还差 1 学时" in hours


def test_an_item_no_longer_done_leaves_the_ledger_as_it_leaves_the_report(ctx):
    """Taking back an article's 已学 mark undoes the item: its hours leave the ledger that
    the plan and hours pages show, as they leave the participation report (which reads
    the items' states), and come back when it is done again. Its points are paid once."""
    from lawlearn.library import services as library
    from lawlearn.library.models import Law
    from tests.plans.test_kinds import article

    ann = make_person("ann")
    plan, late = _year_plan(ann)
    law = db.session.get(Law, late.settings["law_id"])
    now = AFTER_ENDING
    synced_progress(ann, now, year=2026)
    assert hours_ledger(2026, [ann.id], now)[ann.id].total == _report_hours(ann.id, 2026, now) \
        == 3.0

    library.set_studied(ann, article(law, 2), False, now)
    db.session.flush()
    synced_progress(ann, now, year=2026)
    assert db.session.scalar(select(PlanItemProgress.completed_at).filter_by(
        item_id=late.id, user_id=ann.id)) is None
    assert hours_ledger(2026, [ann.id], now)[ann.id].total == _report_hours(ann.id, 2026, now) \
        == 1.0
    assert [item.title for item, _when in actions.hours_detail(ann, 2026, now).items] == \
        [plan.items[0].title]

    study(ann, law, 2, when=DONE + timedelta(hours=1))
    synced_progress(ann, now, year=2026)
    assert hours_ledger(2026, [ann.id], now)[ann.id].total == _report_hours(ann.id, 2026, now) \
        == 3.0
    assert (_plan_points(ann.id), _awards(ann.id)) == (8, 2)  # not paid a second time


def test_hours_follow_the_plans_the_report_counts_for_the_year(ctx):
    """An item of last year's plan completed this year counts in neither year's ledger, as
    in the report: its plan did not run this year, and it was not done last year."""
    ann = make_person("ann")
    law = import_law()
    old = make_plan("2025年度学法计划", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    add_item(old, "articles", hours=2, points=1,
             settings={"law_id": law.id, "from_number": 1, "to_number": 1})
    study(ann, law, 1, when=datetime(2026, 1, 5, 2, 0))
    now = datetime(2026, 2, 1, 2, 0)
    synced_progress(ann, now)
    assert _plan_points(ann.id) == 1  # done, and paid
    assert hours_ledger(2026, [ann.id], now).get(ann.id) is None
    assert actions.hours_detail(ann, 2026, now).items == []
    assert hours_ledger(2025, [ann.id], now).get(ann.id) is None


def test_a_plans_hours_count_only_items_of_plans_running_in_its_period(ctx):
    ann = make_person("ann")
    law = import_law()
    old = make_plan("2025年度学法计划", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    add_item(old, "articles", hours=2, settings={"law_id": law.id, "from_number": 1,
                                                 "to_number": 1})
    theme = make_plan("宪法宣传月", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 31))
    add_item(theme, "articles", hours=1, settings={"law_id": law.id, "from_number": 2,
                                                   "to_number": 2})
    study(ann, law, 1, 2, when=datetime(2026, 1, 5, 2, 0))
    progress = synced_progress(ann, datetime(2026, 1, 10, 2, 0))
    fill_hours(ann, progress, datetime(2026, 1, 10, 2, 0))
    assert [(p.plan.title, p.hours_earned) for p in progress] == [("宪法宣传月", 1.0)]


# --- a session item's hours are its session's -----------------------------------------------


def test_item_hours_give_a_session_item_its_sessions_hours(ctx):
    plan = make_plan()
    session = make_session(hours=3)
    cancelled = make_session("取消的", hours=2, cancelled=True)
    on_session = add_item(plan, "session", hours=5, settings={"session_id": session.id})
    on_cancelled = add_item(plan, "session", settings={"session_id": cancelled.id})
    reading = add_item(plan, "material", hours=1.5)
    assert item_hours(plan.items) == {on_session.id: 3.0, on_cancelled.id: 0.0,
                                      reading.id: 1.5}


def test_a_session_item_keeps_no_hours_of_its_own(app):
    """Whatever a caller sends (the admin form refuses it), a session item brings its
    session's hours only, so it stores none."""
    with app.test_request_context():
        plan = make_plan(status="draft")
        session = make_session(starts_at=datetime(2026, 5, 1, 2, 0))
        added = authoring.add_item(None, plan, authoring.ItemFields(
            kind="session", hours=2, settings={"session_id": session.id}), JUNE)
        assert added.hours == 0
        authoring.update_item(None, added, authoring.ItemFields(
            kind="reflection", hours=1.5, settings={"min_length": 50}), JUNE)
        assert added.hours == 1.5


def test_copying_a_plan_clears_a_session_items_own_hours(app):
    with app.test_request_context():
        plan = make_plan()
        add_item(plan, "session", hours=2, settings={"session_id": make_session().id})
        add_item(plan, "material", hours=1.5)
        copy, _cleared = publishing.copy_plan(None, plan, JUNE)
        assert [(item.kind, item.hours) for item in copy.items] == \
            [("session", 0), ("material", 1.5)]


def test_staff_and_admin_pages_show_the_sessions_hours(app, admin_client, monkeypatch):
    with app.app_context():
        plan = make_plan("2026年度学法计划", starts_on=date(2026, 1, 1),
                         ends_on=date(2026, 12, 31))
        session = make_session("宪法讲座", hours=3, starts_at=datetime(2026, 5, 1, 2, 0))
        # Set before the rule (or directly in the database): never counted, never shown.
        item = add_item(plan, "session", title="参加宪法讲座", hours=7,
                        settings={"session_id": session.id})
        db.session.commit()
        plan_id, item_id = plan.id, item.id
    monkeypatch.setattr("lawlearn.plans.views.utcnow", lambda: JUNE)
    for url in (f"/plans/{plan_id}", f"/plans/items/{item_id}"):
        html = admin_client.get(url).get_data(as_text=True)
        assert "3 学时" in html and "7 学时" not in html, url
    admin = admin_client.get(f"/admin/plans/{plan_id}").get_data(as_text=True)
    row = admin[admin.index(f'id="item-{item_id}"'):]
    row = row[:row.index("</tr>")]
    assert '<td class="num">3<br>' in row and "按学法活动" in row


def test_the_item_form_says_why_a_session_item_takes_no_hours(app, admin_client):
    with app.app_context():
        plan = make_plan("草稿计划", status="draft")
        session = make_session("宪法讲座", starts_at=datetime(2026, 5, 1, 2, 0))
        db.session.commit()
        plan_id, session_id = plan.id, session.id
    page = f"/admin/plans/{plan_id}"
    assert "参加集中学法的事项请填 0" in admin_client.get(page).get_data(as_text=True)
    response = admin_client.post(f"{page}/items", data={
        "csrf_token": csrf_from(admin_client.get(page)), "kind": "session", "hours": "2",
        "points": "0", "required": "y", "session_id": str(session_id), "min_seconds": "60",
        "min_length": "200", "require": "passed"})
    assert response.status_code == 422
    assert "集中学法的学时按学法活动本身的学时计算，此处请填 0。" in \
        response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Plan, plan_id).items == []


def test_a_quoted_title_nests_its_own_book_title_marks():
    from lawlearn.plans.item_settings import nested_title

    assert nested_title("今日集中学法：《中华人民共和国宪法》第二章") == \
        "今日集中学法：〈中华人民共和国宪法〉第二章"
    assert nested_title("宪法宣传周") == "宪法宣传周"


def test_a_quiz_handed_in_at_its_deadline_pays_its_plan_item_with_nobody_there(
        app, ctx, make_user, make_quiz):
    """The quiz a plan asks for, answered right and left open: at its deadline anyone's page
    hands it in (here the admin's results page). The plan item is stamped and its points
    paid then, dated at the deadline — not when the person next opens a page, which would
    move a period already reported."""
    from lawlearn.database import utcnow
    from lawlearn.localtime import local_day
    from lawlearn.quiz import services
    from lawlearn.quiz.models import Quiz

    person = db.session.get(User, make_user("taker").id)
    quiz = db.session.get(Quiz, make_quiz(time_limit_minutes=10))
    today = local_day(utcnow())
    plan = make_plan(starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30))
    item = add_item(plan, "quiz", points=3, settings={"quiz_id": quiz.id})
    db.session.commit()
    start = utcnow()
    taken, _created = services.start_attempt(person, quiz, start)
    for entry in taken.items:
        snap = entry.snapshot
        right = snap["answer"] if snap["type"] != "fill" else [alts[0] for alts in snap["answer"]]
        services.save_answer(taken, entry.question_id, right, start + timedelta(minutes=1))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(PointAward)) == 0

    assert services.finalize_expired_attempts(start + timedelta(minutes=11)) == 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(taken), taken.id).passed
    paid = db.session.execute(select(PointAward.source, PointAward.amount, PointAward.awarded_at)
                              .where(PointAward.user_id == person.id,
                                     PointAward.rule == "plan_item")).all()
    assert paid == [(f"plan_item:{item.id}", 3, taken.deadline)]
    assert db.session.scalar(select(PlanItemProgress.completed_at).where(
        PlanItemProgress.user_id == person.id, PlanItemProgress.item_id == item.id)) == \
        taken.deadline


def test_a_check_in_pays_the_plans_session_item_at_once(app, ctx, make_user):
    """The session a plan asks for, checked into by QR on the day: the item is stamped and
    paid with the check-in, not when the person next opens a page (they often do not)."""
    from lawlearn.database import utcnow
    from lawlearn.localtime import local_day
    from lawlearn.sessions import services as sessions

    person = db.session.get(User, make_user("walker").id)
    now = utcnow()
    session = make_session(starts_at=now - timedelta(minutes=5))
    session.audience_all = True
    today = local_day(now)
    plan = make_plan(starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30))
    item = add_item(plan, "session", points=2, settings={"session_id": session.id})
    db.session.commit()
    record, created = sessions.check_in(person, session, now)
    db.session.commit()
    assert created and record.status == "present"
    assert db.session.execute(select(PointAward.source, PointAward.amount).where(
        PointAward.user_id == person.id, PointAward.rule == "plan_item")).all() == [
        (f"plan_item:{item.id}", 2)]
    assert db.session.scalar(select(PlanItemProgress.completed_at).where(
        PlanItemProgress.user_id == person.id)) == now
