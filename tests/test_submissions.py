"""A create form saves once however often it is sent (lawlearn/submissions.py): the same
POST sent again, as a phone's network resend or the back button does, makes nothing twice
and leads to what the first one made; a form refused with errors releases its key, and the
corrected form saves; the same content later on is a new submission."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import request
from sqlalchemy import func, select, update

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.sessions.models import StudySession
from lawlearn.submissions import SAME_SUBMISSION_WITHIN, FormSubmission, submission_key
from tests.conftest import csrf_from
from tests.outreach.test_events import categories_ready, form_data, make_people

# Every create form, and the table it writes to.
CREATE_PAGES = [
    ("/outreach/events/new", "outreach_event"),
    ("/admin/outreach/events/new", "outreach_event"),
    ("/admin/sessions/new", "study_session"),
    ("/admin/plans/new", "plan"),
    ("/admin/library/materials/new", "material"),
    ("/admin/quiz/questions/new", "question"),
    ("/admin/quiz/quizzes/new", "quiz"),
]


def count(table: str) -> int:
    return db.session.scalar(select(func.count()).select_from(db.metadata.tables[table]))


@pytest.fixture
def people(make_department, make_user, admin):
    return make_people(make_department, make_user, admin)


def filled_event_form(app, client, login, people) -> dict:
    """The author signed in, and the new-event form filled in with its page's CSRF token."""
    school = categories_ready(app)
    login(people.author)
    page = client.get("/outreach/events/new")
    return {**form_data(school), "csrf_token": csrf_from(page)}


def test_a_resent_event_form_makes_one_event_and_leads_to_it(app, client, login, people):
    data = filled_event_form(app, client, login, people)

    first = client.post("/outreach/events/new", data=data)
    # The back button and 提交 again: a new page (a new CSRF token), what was typed.
    page = client.get("/outreach/events/new")
    again = client.post("/outreach/events/new", data={**data, "csrf_token": csrf_from(page)})

    assert first.status_code == again.status_code == 302
    assert again.location == first.location  # the event the first one made
    with app.app_context():
        assert count("outreach_event") == 1
    shown = client.get(again.location).get_data(as_text=True)
    assert "这份表单刚才已经提交过，没有重复保存。" in shown
    # Something different is a new event.
    client.post("/outreach/events/new", data={**data, "title": "宪法进校园（第二场）"})
    with app.app_context():
        assert count("outreach_event") == 2


def test_a_refused_form_releases_its_key_and_the_corrected_one_saves(app, client, login,
                                                                     people):
    data = filled_event_form(app, client, login, people)

    for _ in range(2):  # refused twice alike: the same message each time, nothing saved
        refused = client.post("/outreach/events/new", data={**data, "participants": "-3"})
        assert refused.status_code == 422 and "须为 0 或正整数" in refused.get_data(as_text=True)
    with app.app_context():
        assert count("form_submission") == 0
    saved = client.post("/outreach/events/new", data=data)
    assert saved.status_code == 302
    with app.app_context():
        assert count("outreach_event") == 1
        assert db.session.scalar(select(FormSubmission.target)) == saved.location


def test_the_same_content_later_on_is_a_new_submission(app, client, login, people):
    data = filled_event_form(app, client, login, people)
    client.post("/outreach/events/new", data=data)
    with app.app_context():
        db.session.execute(update(FormSubmission).values(
            created_at=utcnow() - SAME_SUBMISSION_WITHIN - timedelta(seconds=1)))
        db.session.commit()
    client.post("/outreach/events/new", data=data)
    with app.app_context():
        assert count("outreach_event") == 2
        assert count("form_submission") == 1  # the stale key cleared, the new one kept


def test_a_resent_series_makes_its_sessions_once(app, admin_client):
    with app.app_context():
        from lawlearn.sessions.models import SessionKind

        db.session.add(SessionKind(name="集中学法"))
        db.session.commit()
        kind_id = db.session.scalar(select(SessionKind.id))
    page = admin_client.get("/admin/sessions/new")
    first_day = utcnow() + timedelta(days=3)
    start, end = first_day.strftime("%Y-%m-%dT10:00"), first_day.strftime("%Y-%m-%dT11:00")
    until = (first_day + timedelta(days=21)).strftime("%Y-%m-%d")  # four weeks: four sessions
    data = {"csrf_token": csrf_from(page), "title": "每周学法", "kind_id": str(kind_id),
            "starts_at": start, "ends_at": end, "study_hours": "1",
            "checkin_opens_minutes": "30", "late_after_minutes": "10", "audience_all": "y",
            "repeat": "weekly", "repeat_until": until, "exit_quiz_id": ""}
    first = admin_client.post("/admin/sessions/new", data=data)
    assert first.status_code == 302
    again = admin_client.post("/admin/sessions/new", data=data)
    assert again.status_code == 302 and again.location == first.location
    with app.app_context():
        assert db.session.scalar(select(func.count(StudySession.id))) == 4


@pytest.mark.parametrize(("url", "table"), CREATE_PAGES)
def test_every_create_form_refuses_the_same_content_again(app, client, login, people, url,
                                                          table):
    categories_ready(app)
    login(people.admin)
    page = client.get(url)
    assert page.status_code == 200
    data = {"csrf_token": csrf_from(page), "title": "重复提交", "stem": "重复提交"}
    with app.test_request_context(url, method="POST", data=data):
        key = submission_key(people.admin.id, request.endpoint, request.view_args,
                             list(request.form.items(multi=True)))
    with app.app_context():
        db.session.add(FormSubmission(key=key, user_id=people.admin.id, target="/made-earlier"))
        db.session.commit()
        before = count(table)
    # Whatever the form says, the same content again saves nothing and leads to the first.
    response = client.post(url, data=data)
    assert response.status_code == 302 and response.location == "/made-earlier"
    with app.app_context():
        assert count(table) == before


def test_the_key_is_the_persons_and_the_forms_own(app):
    form = [("title", "宪法进校园"), ("participants", "600")]
    key = submission_key(7, "outreach.event_new", {}, form)
    assert key == submission_key(7, "outreach.event_new", {}, list(reversed(form)))
    assert key == submission_key(7, "outreach.event_new", {}, [*form, ("csrf_token", "x")])
    assert key != submission_key(8, "outreach.event_new", {}, form)
    assert key != submission_key(7, "outreach_admin.event_new", {}, form)
    assert key != submission_key(7, "outreach.event_new", {}, [*form[:1], ("participants", "60")])


def test_edits_are_not_taken_for_resends(app, admin_client):
    """A → B → A → B within minutes is four real saves, not a resend of the second."""
    from lawlearn.quiz.models import Question
    from tests.conftest import post_with_csrf

    fields = {"type": "true_false", "stem": "宪法是国家的根本大法。", "answer": "对",
              "difficulty": "easy"}
    made = post_with_csrf(admin_client, "/admin/quiz/questions/new",
                          "/admin/quiz/questions/new", fields)
    url = made.location
    for stem in ("宪法是国家的根本法。", "宪法是国家的根本大法。", "宪法是国家的根本法。"):
        saved = post_with_csrf(admin_client, url, url, {**fields, "stem": stem})
        assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Question.stem)) == "宪法是国家的根本法。"
        assert count("form_submission") == 1  # the create only


def test_a_deleted_event_is_made_anew_by_the_same_form(app, client, login, people):
    data = filled_event_form(app, client, login, people)
    first = client.post("/outreach/events/new", data=data)
    confirm = client.get(first.location + "/delete")
    client.post(first.location + "/delete", data={"csrf_token": csrf_from(confirm)})
    with app.app_context():
        assert count("outreach_event") == 0
    again = client.post("/outreach/events/new", data=data)
    assert again.status_code == 302 and again.location != first.location
    assert client.get(again.location).status_code == 200
    with app.app_context():
        assert count("outreach_event") == 1


def test_a_create_refused_with_a_redirect_keeps_no_key(app, client, login, people, make_user):
    """Someone without a department is sent back to the list; once given one, the same
    form saves rather than being taken for a resend of something never made."""
    school = categories_ready(app)
    nowhere = make_user("nowhere")
    login(nowhere)
    page = client.get("/outreach/events/new")  # redirected: no department
    data = {**form_data(school), "csrf_token": csrf_from(client.get("/outreach/"))}
    refused = client.post("/outreach/events/new", data=data)
    assert refused.status_code == 302 and page.status_code == 302
    with app.app_context():
        assert count("form_submission") == 0
        db.session.get(User, nowhere.id).department_id = people.section
        db.session.commit()
    saved = client.post("/outreach/events/new", data=data)
    assert saved.status_code == 302
    assert "这份表单刚才已经提交过" not in client.get(saved.location).get_data(as_text=True)
    with app.app_context():
        assert count("outreach_event") == 1
