"""The quiz API as a phone client uses it."""

from __future__ import annotations

from datetime import timedelta

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.quiz.models import Attempt
from tests.conftest import PASSWORD


def token_for(client, username):
    return {"Authorization": "Bearer " + client.post(
        "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
    ).get_json()["token"]}


def right_answer(question, review_answer):
    return review_answer


def test_take_a_quiz_through_the_api(app, client, make_user, make_quiz):
    make_user("phone")
    quiz_id = make_quiz(time_limit_minutes=60)
    auth = token_for(client, "phone")
    listed = client.get("/api/v1/quizzes", headers=auth).get_json()
    assert [(q["id"], q["attempts_left"], q["open"]) for q in listed] == [(quiz_id, 1, True)]

    started = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=auth)
    assert started.status_code == 201
    attempt = started.get_json()
    assert {q["type"] for q in attempt["questions"]} == {"single", "multiple", "true_false",
                                                         "fill"}
    assert all("answer" not in q for q in attempt["questions"])  # no answer key leaks
    fill = next(q for q in attempt["questions"] if q["type"] == "fill")
    assert fill["blanks"] == 1 and fill["options"] == []
    resumed = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=auth)
    assert resumed.status_code == 200 and resumed.get_json()["id"] == attempt["id"]

    answers = {"single": "B", "multiple": ["A", "B"], "true_false": True, "fill": ["宪法"]}
    for question in attempt["questions"]:
        saved = client.put(f"/api/v1/attempts/{attempt['id']}/answers/{question['id']}",
                           json={"answer": answers[question["type"]]}, headers=auth)
        assert saved.status_code == 200, saved.get_json()
    bad = client.put(f"/api/v1/attempts/{attempt['id']}/answers/{fill['id']}",
                     json={"answer": ["a", "b"]}, headers=auth)
    assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_answer"
    state = client.get(f"/api/v1/attempts/{attempt['id']}", headers=auth).get_json()
    assert state["answers"][str(fill["id"])] == ["宪法"]

    first = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=auth)
    second = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=auth)
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    assert first.get_json()["score"] == first.get_json()["max_score"] == 8
    late = client.put(f"/api/v1/attempts/{attempt['id']}/answers/{fill['id']}",
                      json={"answer": ["x"]}, headers=auth)
    assert late.status_code == 409
    review = client.get(f"/api/v1/attempts/{attempt['id']}", headers=auth).get_json()
    assert review["result"]["passed"] is True and len(review["review"]) == 4
    again = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=auth)
    assert again.status_code == 409 and again.get_json()["error"] == "no_attempts_left"


def test_other_users_attempts_are_404(app, client, make_user, make_quiz):
    make_user("alice")
    make_user("bob")
    quiz_id = make_quiz()
    alice, bob = token_for(client, "alice"), token_for(client, "bob")
    attempt = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=alice).get_json()
    question = attempt["questions"][0]["id"]
    assert client.get(f"/api/v1/attempts/{attempt['id']}", headers=bob).status_code == 404
    assert client.put(f"/api/v1/attempts/{attempt['id']}/answers/{question}",
                      json={"answer": None}, headers=bob).status_code == 404
    assert client.post(f"/api/v1/attempts/{attempt['id']}/submit",
                       headers=bob).status_code == 404


def test_answers_after_the_deadline_answer_409(app, client, make_user, make_quiz):
    make_user("slow")
    quiz_id = make_quiz(time_limit_minutes=5)
    auth = token_for(client, "slow")
    attempt = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=auth).get_json()
    with app.app_context():
        db.session.get(Attempt, attempt["id"]).deadline = utcnow() - timedelta(seconds=1)
        db.session.commit()
    question = attempt["questions"][0]["id"]
    late = client.put(f"/api/v1/attempts/{attempt['id']}/answers/{question}",
                      json={"answer": True}, headers=auth)
    assert late.status_code == 409 and late.get_json()["error"] == "attempt_closed"
    state = client.get(f"/api/v1/attempts/{attempt['id']}", headers=auth).get_json()
    assert state["submitted"] is True and state["result"]["score"] == 0


def test_a_submit_after_the_deadline_is_closed_by_the_server(app, client, make_user,
                                                            make_quiz):
    make_user("late")
    quiz_id = make_quiz(time_limit_minutes=5)
    auth = token_for(client, "late")
    attempt = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=auth).get_json()
    with app.app_context():
        deadline = utcnow() - timedelta(seconds=30)
        db.session.get(Attempt, attempt["id"]).deadline = deadline
        db.session.commit()
    submitted = client.post(f"/api/v1/attempts/{attempt['id']}/submit", headers=auth)
    assert submitted.status_code == 200
    assert submitted.get_json()["submitted_at"] == deadline.isoformat() + "Z"
    with app.app_context():
        assert db.session.get(Attempt, attempt["id"]).auto_submitted


def test_quizzes_not_for_me_are_404(app, client, make_user, make_department, make_quiz):
    other = make_department("别的单位")
    make_user("stranger")
    quiz_id = make_quiz(audience_all=False, department_ids=[other])
    auth = token_for(client, "stranger")
    assert client.get("/api/v1/quizzes", headers=auth).get_json() == []
    assert client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=auth).status_code == 404


def test_browser_session_needs_the_csrf_header(app, client, login, make_user, make_quiz):
    from tests.conftest import csrf_from

    login(make_user("browser"))
    quiz_id = make_quiz()
    refused = client.post(f"/api/v1/quizzes/{quiz_id}/attempts")
    assert refused.status_code == 403
    token = csrf_from(client.get("/me"))
    started = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers={"X-CSRFToken": token})
    assert started.status_code == 201
