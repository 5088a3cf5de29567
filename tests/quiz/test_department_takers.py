"""本部门参加情况: a head of department sees who of their department (with its sections) a
quiz is for and who has not handed it in, those first; nobody outside it, and nobody who
is not a head of department (the results page stays the admins' and the leader's)."""

from __future__ import annotations

from datetime import timedelta

from lxml import html

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.quiz import services
from lawlearn.quiz.models import Attempt, Quiz
from tests.conftest import post_with_csrf
from tests.practice.helpers import right_answer


def _hand_in(app, user_id: int, quiz_id: int, *, answer_all: bool) -> None:
    with app.app_context():
        attempt, _new = services.start_attempt(db.session.get(User, user_id),
                                               db.session.get(Quiz, quiz_id), utcnow())
        if answer_all:
            for item in attempt.items:
                services.save_answer(attempt, item.question_id, right_answer(item.snapshot),
                                     utcnow())
        services.submit_attempt(attempt, utcnow())
        db.session.commit()


def _rows(page) -> list[list[str]]:
    return [[" ".join(cell.text_content().split()) for cell in row.xpath("./td")]
            for row in page.xpath("//tbody/tr")]


def test_a_lead_sees_who_of_their_department_is_behind(app, client, login, make_department,
                                                       make_user, make_quiz):
    justice = make_department("区司法局")
    section = make_department("普法科", justice)
    other = make_department("区教育局")
    lead = make_user("lead", roles=("staff", "dept_lead"), department_id=justice, name="局长")
    passer = make_user("passer", department_id=section, name="甲通过")
    failer = make_user("failer", department_id=justice, name="乙未及格")
    make_user("idle", department_id=section, name="丙未交")
    starter = make_user("starter", department_id=justice, name="丁在答")
    outsider = make_user("outsider", department_id=other, name="外单位")
    quiz_id = make_quiz(title="年度学法考试", is_exam=True, pass_percent=60)
    _hand_in(app, passer.id, quiz_id, answer_all=True)
    _hand_in(app, failer.id, quiz_id, answer_all=False)
    _hand_in(app, outsider.id, quiz_id, answer_all=True)
    with app.app_context():
        services.start_attempt(db.session.get(User, starter.id),
                               db.session.get(Quiz, quiz_id), utcnow())
        db.session.commit()
    login(lead)
    quiz_page = client.get(f"/quizzes/{quiz_id}").get_data(as_text=True)
    assert f'href="/quizzes/{quiz_id}/department"' in quiz_page and "本部门参加情况" in quiz_page
    page = html.fromstring(client.get(f"/quizzes/{quiz_id}/department").data)
    assert "应参加 5 人 · 已交卷 2 · 未交卷 3" in page.text_content()
    rows = _rows(page)
    # Those still to hand in first (by department, then name), then those who did.
    assert [row[0] for row in rows[:3]] == ["丁在答", "局长", "丙未交"]
    assert {row[0]: row[2] for row in rows} == {
        "丁在答": "答题中", "局长": "未交卷", "丙未交": "未交卷",
        "甲通过": "已交卷，及格", "乙未及格": "已交卷，未及格"}
    assert {row[0]: row[1] for row in rows}["甲通过"] == "普法科"
    assert {row[0]: row[3] for row in rows}["甲通过"] == "100.0%"
    assert "外单位" not in page.text_content()


def test_a_paper_left_past_its_deadline_counts_as_handed_in(app, client, login,
                                                          make_department, make_user, make_quiz):
    unit = make_department("区司法局")
    lead = make_user("lead", roles=("staff", "dept_lead"), department_id=unit)
    left = make_user("left", department_id=unit, name="离开者")
    quiz_id = make_quiz(time_limit_minutes=30, opens_at=utcnow() - timedelta(hours=3))
    with app.app_context():
        services.start_attempt(db.session.get(User, left.id), db.session.get(Quiz, quiz_id),
                               utcnow() - timedelta(hours=2))
        db.session.commit()
    login(lead)
    rows = _rows(html.fromstring(client.get(f"/quizzes/{quiz_id}/department").data))
    assert {row[0]: row[1] for row in rows}["离开者"] == "已交卷，未及格"
    with app.app_context():
        assert db.session.query(Attempt).filter(Attempt.submitted_at.is_(None)).count() == 0


def test_only_a_head_of_department_reads_it(app, client, login, make_department, make_user,
                                            make_quiz):
    unit = make_department("区司法局")
    quiz_id = make_quiz()
    login(make_user("worker", department_id=unit))
    assert client.get(f"/quizzes/{quiz_id}/department").status_code == 403
    assert "本部门参加情况" not in client.get(f"/quizzes/{quiz_id}").get_data(as_text=True)
    post_with_csrf(client, "/me", "/logout")
    login(make_user("chief", roles=("staff", "leader")))
    response = client.get(f"/quizzes/{quiz_id}/department")
    assert response.headers["Location"] == f"/admin/quiz/quizzes/{quiz_id}/results"
    post_with_csrf(client, "/me", "/logout")
    login(make_user("lead", roles=("staff", "dept_lead"), department_id=unit))
    with app.app_context():
        db.session.get(Quiz, quiz_id).published = False
        db.session.commit()
    assert client.get(f"/quizzes/{quiz_id}/department").status_code == 404
    assert client.get("/quizzes/424242/department").status_code == 404


def test_the_leads_report_links_each_quiz_to_it(app, client, login, make_department,
                                                make_user, make_quiz):
    """After the close the quiz is gone from 答题: the report's quiz table leads there."""
    from lawlearn.localtime import local_day

    unit = make_department("区司法局")
    lead = make_user("lead", roles=("staff", "dept_lead"), department_id=unit)
    taker = make_user("taker", department_id=unit)
    quiz_id = make_quiz(title="年度学法考试")
    _hand_in(app, taker.id, quiz_id, answer_all=False)
    login(lead)
    with app.app_context():
        today = local_day(utcnow())
    page = html.fromstring(client.get(
        f"/reports/?from={today.year}-01-01&to={today.isoformat()}").data)
    links = page.xpath("//section[@aria-labelledby='quizzes']//tbody//a/@href")
    assert links == [f"/quizzes/{quiz_id}/department"]
