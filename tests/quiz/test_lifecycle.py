"""Withdrawing and deleting a quiz (quiz.lifecycle): neither may strand people who still
need it, and only a quiz nothing records or points at may be deleted."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.quiz import authoring, lifecycle
from lawlearn.quiz.models import Question, Quiz, QuizQuestion
from lawlearn.quiz.services import start_attempt
from lawlearn.sessions.models import Attendance
from tests.conftest import post_with_csrf
from tests.plans.test_kinds import add_item, make_plan
from tests.sessions.test_leave_and_attendance import make_session


def quiz(quiz_id: int) -> Quiz:
    return db.session.get(Quiz, quiz_id)


def test_a_quiz_a_running_plan_asks_for_is_not_withdrawn(ctx, make_quiz, admin):
    today = date.today()
    quiz_id = make_quiz(title="宪法小测")
    plan = make_plan("年度学法计划", starts_on=today - timedelta(days=30),
                     ends_on=today + timedelta(days=30))
    add_item(plan, "quiz", title="完成宪法小测", settings={"quiz_id": quiz_id})
    actor = db.session.get(User, admin.id)
    with pytest.raises(Conflict) as refused:
        authoring.set_published(actor, quiz(quiz_id), False)
    assert refused.value.message == (
        "不能撤回：进行中的学习计划要求完成它：《年度学法计划》的“完成宪法小测”。"
        "请先修改这些计划事项或活动。")
    assert quiz(quiz_id).published

    # Once the plan has ended (or for a draft plan) nobody is left owing it.
    plan.ends_on = today - timedelta(days=1)
    draft = make_plan("草稿计划", status="draft", starts_on=today, ends_on=today)
    add_item(draft, "quiz", settings={"quiz_id": quiz_id})
    authoring.set_published(actor, quiz(quiz_id), False)
    assert not quiz(quiz_id).published
    assert db.session.scalar(select(AuditEntry.summary).filter_by(
        action="quiz.unpublish")) == "撤回测验《宪法小测》"


def test_a_session_exit_quiz_is_not_withdrawn_while_someone_may_need_it(ctx, make_quiz,
                                                                        make_user):
    quiz_id = make_quiz(title="随堂小测")
    person = make_user("attendee")
    session = make_session(utcnow() + timedelta(days=1), title="宪法宣誓学习会")
    session.exit_quiz_id = quiz_id
    db.session.flush()
    now = utcnow()
    assert lifecycle.withdrawal_blockers(quiz(quiz_id), now) == [
        "它是学法活动《宪法宣誓学习会》的随堂测验，签到的人须通过它才算出席"]

    # Over, but check-in still open: whoever checks in now would owe it.
    later = session.ends_at + timedelta(hours=1)
    session.checkin_closes_at = later + timedelta(minutes=30)
    db.session.flush()
    assert lifecycle.withdrawal_blockers(quiz(quiz_id), later) != []
    # Check-in closed and nobody owes it: free to go. Someone checked in who owes it: not.
    session.checkin_closes_at = None
    db.session.flush()
    assert lifecycle.withdrawal_blockers(quiz(quiz_id), later) == []
    db.session.add(Attendance(session_id=session.id, user_id=person.id, status="pending_quiz",
                              checked_in_at=session.starts_at, source="qr"))
    db.session.flush()
    assert lifecycle.withdrawal_blockers(quiz(quiz_id), later) != []
    # A cancelled session asks nothing of anyone; but its row still points at the quiz,
    # so the quiz is not deleted (the foreign key would refuse it with an error).
    session.cancelled_at = now
    db.session.flush()
    assert lifecycle.withdrawal_blockers(quiz(quiz_id), later) == []
    quiz(quiz_id).published = False
    assert lifecycle.deletion_blockers(quiz(quiz_id)) == ["它是学法活动《宪法宣誓学习会》的随堂测验"]


def test_only_a_quiz_nothing_records_or_points_at_is_deleted(ctx, make_quiz, make_user,
                                                              admin):
    used_id, planned_id = make_quiz(title="已作答的测验"), make_quiz(title="计划里的测验")
    live_id = make_quiz(title="已发布的测验")
    taker = make_user("taker")  # (the factories commit in contexts of their own: first)
    actor = db.session.get(User, admin.id)
    start_attempt(db.session.get(User, taker.id), quiz(used_id), utcnow())
    authoring.set_published(actor, quiz(used_id), False)
    authoring.set_published(actor, quiz(planned_id), False)
    add_item(make_plan("草稿计划", status="draft"), "quiz", title="做测验",
             settings={"quiz_id": planned_id})

    assert lifecycle.deletion_blockers(quiz(used_id)) == ["已有 1 次作答记录"]
    assert lifecycle.deletion_blockers(quiz(planned_id)) == [
        "学习计划的事项用到它：《草稿计划》的“做测验”"]
    assert lifecycle.deletion_blockers(quiz(live_id)) == ["测验已发布，请先撤回"]
    with pytest.raises(Conflict, match="不能删除：已有 1 次作答记录。"):
        lifecycle.delete_quiz(actor, quiz(used_id))
    assert quiz(used_id) is not None

    authoring.set_published(actor, quiz(live_id), False)
    questions = db.session.scalar(select(func.count(Question.id)))
    lifecycle.delete_quiz(actor, quiz(live_id))
    db.session.expire_all()
    assert quiz(live_id) is None
    assert db.session.scalar(select(func.count()).select_from(QuizQuestion).where(
        QuizQuestion.quiz_id == live_id)) == 0
    assert db.session.scalar(select(func.count(Question.id))) == questions  # the bank stays
    assert db.session.scalar(select(AuditEntry.summary).filter_by(
        action="quiz.delete")) == "删除测验《已发布的测验》"


def test_admin_deletes_a_mistaken_quiz_after_a_confirm(app, admin_client, make_quiz, client):
    with app.app_context():
        mistake = quiz(make_quiz(title="误建的测验"))
        mistake.published = False
        used_id = make_quiz(title="正式测验")
        db.session.commit()
        mistake_id = mistake.id
    page = admin_client.get(f"/admin/quiz/quizzes/{mistake_id}").get_data(as_text=True)
    assert 'data-confirm="删除测验《误建的测验》？此操作无法撤销。"' in page
    page = admin_client.get(f"/admin/quiz/quizzes/{used_id}").get_data(as_text=True)
    assert "这个测验不能删除：" in page and "测验已发布，请先撤回" in page
    assert f"/admin/quiz/quizzes/{used_id}/delete" not in page

    # No CSRF token: refused, nothing deleted.
    assert admin_client.post(f"/admin/quiz/quizzes/{mistake_id}/delete").status_code == 400
    refused = post_with_csrf(admin_client, f"/admin/quiz/quizzes/{used_id}",
                             f"/admin/quiz/quizzes/{used_id}/delete", follow_redirects=True)
    assert "不能删除：测验已发布，请先撤回。" in refused.get_data(as_text=True)
    done = post_with_csrf(admin_client, f"/admin/quiz/quizzes/{mistake_id}",
                          f"/admin/quiz/quizzes/{mistake_id}/delete", follow_redirects=True)
    assert done.request.path == "/admin/quiz/quizzes"
    assert "已删除测验《误建的测验》。" in done.get_data(as_text=True)
    with app.app_context():
        assert quiz(mistake_id) is None and quiz(used_id) is not None


def test_staff_cannot_delete_or_withdraw_a_quiz(app, client, login, make_user, make_quiz):
    quiz_id = make_quiz()
    login(make_user("clerk"))
    token_page = client.get("/quizzes")
    from tests.conftest import csrf_from

    token = csrf_from(token_page)
    assert client.post(f"/admin/quiz/quizzes/{quiz_id}/delete",
                       data={"csrf_token": token}).status_code == 403
    assert client.post(f"/admin/quiz/quizzes/{quiz_id}/publish",
                       data={"csrf_token": token, "published": "0"}).status_code == 403
    with app.app_context():
        assert quiz(quiz_id).published


def test_withdrawing_through_the_page_names_the_plan(app, admin_client, make_quiz):
    today = date.today()
    with app.app_context():
        quiz_id = make_quiz(title="民法典测验")
        plan = make_plan("民法典学习月", starts_on=today, ends_on=today + timedelta(days=10))
        add_item(plan, "quiz", title="参加民法典测验", settings={"quiz_id": quiz_id})
        db.session.commit()
    page = post_with_csrf(admin_client, f"/admin/quiz/quizzes/{quiz_id}",
                          f"/admin/quiz/quizzes/{quiz_id}/publish", {"published": "0"},
                          follow_redirects=True).get_data(as_text=True)
    assert "不能撤回：进行中的学习计划要求完成它：《民法典学习月》的“参加民法典测验”。" in page
    with app.app_context():
        assert quiz(quiz_id).published
