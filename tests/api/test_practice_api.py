"""The daily practice API as a phone client uses it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.practice.models import DailySet, PointAward, PracticeCard
from lawlearn.practice.points import local_day
from lawlearn.quiz.bank import QuestionFields
from lawlearn.settings import set_setting
from tests.conftest import PASSWORD, csrf_from
from tests.quiz.fixtures import SAMPLE

RIGHT = {"single": "B", "multiple": ["A", "B"], "true_false": True, "fill": ["宪法"]}


def token_for(client, username):
    return {"Authorization": "Bearer " + client.post(
        "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
    ).get_json()["token"]}


@pytest.fixture
def no_floor(app):
    with app.app_context():
        set_setting("practice.floor_base_ms", 0)
        set_setting("practice.floor_ms_per_char", 0)
        db.session.commit()


def test_todays_set_and_answers(app, client, make_user, make_questions, no_floor):
    make_user("phone")
    make_questions(SAMPLE)
    auth = token_for(client, "phone")
    first = client.get("/api/v1/practice/daily", headers=auth)
    assert first.status_code == 200
    body = first.get_json()
    with app.app_context():
        assert body["date"] == local_day(utcnow()).isoformat()
    assert body["answered"] == [] and body["completed"] is False and body["exam"] is None
    questions = body["questions"]
    assert [q["position"] for q in questions] == [1, 2, 3, 4]
    assert {q["type"] for q in questions} == {"single", "multiple", "true_false", "fill"}
    for question in questions:
        assert set(question) == {"id", "position", "type", "stem", "points", "options", "blanks"}
        assert all(set(option) == {"key", "text"} for option in question["options"])
    # The API serves every question at once: all are marked shown.
    with app.app_context():
        assert all(item.shown_at for item in db.session.scalar(select(DailySet)).items)
    assert client.get("/api/v1/practice/daily", headers=auth).get_json() == body

    single = next(q for q in questions if q["type"] == "single")
    answered = client.post("/api/v1/practice/answers", headers=auth,
                           json={"question_id": single["id"], "answer": "B"})
    assert answered.status_code == 200
    feedback = answered.get_json()
    assert feedback["correct"] is True and feedback["points_awarded"] == 1
    assert feedback["explanation"] == "宪法是国家的根本法。" and feedback["answer"] == "B"
    assert feedback["article"] is None and feedback["completed"] is False
    assert feedback["next_due"].endswith("Z") and "T" in feedback["next_due"]
    # A second answer is graded for the feedback but pays nothing and changes nothing.
    again = client.post("/api/v1/practice/answers", headers=auth,
                        json={"question_id": single["id"], "answer": "A"}).get_json()
    assert again["correct"] is False and again["points_awarded"] == 0
    assert again["repeated"] is True and again["next_due"] == feedback["next_due"]
    state = client.get("/api/v1/practice/daily", headers=auth).get_json()
    assert state["answered"] == [single["id"]]

    results = [client.post("/api/v1/practice/answers", headers=auth,
                           json={"question_id": q["id"], "answer": RIGHT[q["type"]]}).get_json()
               for q in questions if q["id"] != single["id"]]
    assert [r["points_awarded"] for r in results] == [1, 1, 1 + 5]
    assert results[-1]["completed"] is True
    assert client.get("/api/v1/practice/daily", headers=auth).get_json()["completed"] is True
    with app.app_context():
        assert db.session.scalar(select(func.sum(PointAward.amount))) == 9
        card = db.session.scalar(select(PracticeCard).where(
            PracticeCard.question_id == single["id"]))
        assert card.reviews == 1 and card.lapses == 0


def test_errors(app, client, make_user, make_questions):
    make_user("phone")
    ids = make_questions([QuestionFields("single", f"题{n}？", ["对", "错"], "A", "", [], "easy")
                          for n in range(7)])
    auth = token_for(client, "phone")
    # Nothing chosen yet today: not in today's set.
    early = client.post("/api/v1/practice/answers", headers=auth,
                        json={"question_id": ids[0], "answer": "A"})
    assert early.status_code == 409 and early.get_json()["error"] == "not_in_todays_set"
    served = {q["id"] for q in client.get("/api/v1/practice/daily",
                                          headers=auth).get_json()["questions"]}
    outside = next(q for q in ids if q not in served)
    conflict = client.post("/api/v1/practice/answers", headers=auth,
                           json={"question_id": outside, "answer": "A"})
    assert conflict.status_code == 409 and conflict.get_json()["error"] == "not_in_todays_set"
    inside = min(served)
    for body in (None, [], {"answer": "A"}, {"question_id": "1", "answer": "A"},
                 {"question_id": True, "answer": "A"}, {"question_id": inside}):
        response = client.post("/api/v1/practice/answers", headers=auth, json=body)
        assert response.status_code == 422, body
        assert response.get_json()["error"] == "invalid_json"
    not_json = client.post("/api/v1/practice/answers", headers=auth, data="answer=A",
                           content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 422 and not_json.is_json
    for answer in ("Z", ["A"], None, 3):
        bad = client.post("/api/v1/practice/answers", headers=auth,
                          json={"question_id": inside, "answer": answer})
        assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_answer", answer
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PracticeCard)) == 0


def test_unauthenticated_is_401(client):
    for response in (client.get("/api/v1/practice/daily"),
                     client.post("/api/v1/practice/answers", json={"question_id": 1,
                                                                   "answer": "A"})):
        assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_each_person_has_their_own_set(app, client, make_user, make_questions):
    make_user("alice")
    make_user("bob")
    make_questions([QuestionFields("single", f"题{n}？", ["对", "错"], "A", "", [], "easy")
                    for n in range(12)])
    alice, bob = token_for(client, "alice"), token_for(client, "bob")
    hers = client.get("/api/v1/practice/daily", headers=alice).get_json()
    his = client.get("/api/v1/practice/daily", headers=bob).get_json()
    mine_only = next(q["id"] for q in hers["questions"]
                     if q["id"] not in {p["id"] for p in his["questions"]})
    refused = client.post("/api/v1/practice/answers", headers=bob,
                          json={"question_id": mine_only, "answer": "A"})
    assert refused.status_code == 409
    client.post("/api/v1/practice/answers", headers=alice,
                json={"question_id": mine_only, "answer": "A"})
    assert client.get("/api/v1/practice/daily", headers=bob).get_json()["answered"] == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DailySet)) == 2


def test_session_auth_needs_the_csrf_header(client, login, make_user, make_questions):
    login(make_user("browser"))
    make_questions(SAMPLE)
    question = client.get("/api/v1/practice/daily").get_json()["questions"][0]
    body = {"question_id": question["id"], "answer": RIGHT[question["type"]]}
    refused = client.post("/api/v1/practice/answers", json=body)
    assert refused.status_code == 403 and refused.get_json()["error"] == "csrf_failed"
    token = csrf_from(client.get("/me"))
    allowed = client.post("/api/v1/practice/answers", json=body, headers={"X-CSRFToken": token})
    assert allowed.status_code == 200 and allowed.get_json()["correct"] is True


def test_exam_countdown_in_the_set(client, make_user, make_questions, make_quiz):
    make_user("phone")
    ids = make_questions(SAMPLE)
    opens = utcnow() + timedelta(days=10)
    quiz_id = make_quiz(ids, title="年度考试", is_exam=True, opens_at=opens,
                        closes_at=opens + timedelta(hours=2))
    body = client.get("/api/v1/practice/daily", headers=token_for(client, "phone")).get_json()
    assert body["exam"]["id"] == quiz_id and body["exam"]["title"] == "年度考试"
    assert body["exam"]["days_left"] in (10, 11)
    assert body["exam"]["opens_at"].endswith("Z")


def test_openapi_describes_the_practice_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/practice/daily"] and "post" in paths["/practice/answers"]
    assert "409" in paths["/practice/answers"]["post"]["responses"]
