"""What staff see of quizzes (lawlearn.quiz.listing): who sees which quiz, and attempts
left open past their deadline being submitted before anything is shown."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from lxml import html
from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import NotFound
from lawlearn.extensions import db
from lawlearn.quiz import listing, services
from lawlearn.quiz.models import Attempt, Quiz


def visible(user_id: int, quiz_id: int) -> bool:
    user = db.session.get(User, user_id)
    listed = quiz_id in [card.quiz.id for card in listing.quizzes_for(user, utcnow())]
    try:
        listing.quiz_page(user, quiz_id, utcnow())
        shown = True
    except NotFound:
        shown = False
    try:
        services.get_quiz_for(user, quiz_id)
        startable = True
    except NotFound:
        startable = False
    assert listed == shown == startable, (listed, shown, startable)
    return listed


def test_who_sees_a_targeted_quiz(app, ctx, make_user, make_department, make_quiz):
    unit = make_department("区司法局")
    section = make_department("普法科", unit)
    other_section = make_department("办公室", unit)
    elsewhere = make_department("区教育局")
    in_section = make_user("insection", department_id=section)
    in_other_section = make_user("inother", department_id=other_section)
    in_unit = make_user("inunit", department_id=unit)
    outside = make_user("outside", department_id=elsewhere)
    nowhere = make_user("nowhere")  # no department at all
    named = make_user("named")
    for_section = make_quiz(title="科室测验", audience_all=False, department_ids=[section])
    for_unit = make_quiz(title="单位测验", audience_all=False, department_ids=[unit])
    for_person = make_quiz(title="个人测验", audience_all=False, user_ids=[named.id])
    for_all = make_quiz(title="全员测验")

    assert visible(in_section.id, for_section) and visible(in_section.id, for_unit)
    assert not visible(in_other_section.id, for_section)
    assert visible(in_other_section.id, for_unit)  # the department above is targeted
    assert visible(in_unit.id, for_unit) and not visible(in_unit.id, for_section)
    for person in (outside, nowhere):
        assert not any(visible(person.id, quiz) for quiz in (for_section, for_unit, for_person))
        assert visible(person.id, for_all)
    assert visible(named.id, for_person) and not visible(in_section.id, for_person)


def test_an_unpublished_quiz_is_never_shown(app, ctx, make_user, make_quiz):
    person = make_user()
    quiz_id = make_quiz()
    db.session.get(Quiz, quiz_id).published = False
    db.session.flush()
    assert not visible(person.id, quiz_id)


def attempt_in_progress(make_user, make_quiz) -> tuple[User, int, datetime]:
    """Someone with an attempt begun now at a quiz with ten minutes to answer: the person,
    the quiz and when it began."""
    person = make_user()
    timed = make_quiz(title="限时测验", time_limit_minutes=10)
    start = utcnow()
    user = db.session.get(User, person.id)
    services.start_attempt(user, db.session.get(Quiz, timed), start)
    db.session.commit()
    return user, timed, start


def test_listing_submits_attempts_left_past_their_deadline(app, ctx, make_user, make_quiz):
    user, timed, start = attempt_in_progress(make_user, make_quiz)

    during = listing.quizzes_for(user, start + timedelta(minutes=5))
    assert not during.submitted_expired
    assert during[0].in_progress is not None and during[0].attempts_used == 1

    after = listing.quizzes_for(user, start + timedelta(minutes=11))
    assert after.submitted_expired
    card = after[0]
    assert card.in_progress is None and card.attempts_used == 1 and card.best_score == 0
    attempt = db.session.scalar(select(Attempt).where(Attempt.user_id == user.id))
    assert attempt.auto_submitted and attempt.submitted_at == attempt.deadline
    assert not listing.quizzes_for(user, start + timedelta(minutes=12)).submitted_expired


def test_an_expired_attempt_at_a_quiz_no_longer_listed_is_submitted_too(app, ctx, make_user,
                                                                         make_quiz):
    person = make_user()
    closing = make_quiz(title="即将截止", closes_at=utcnow() + timedelta(minutes=3))
    start = utcnow()
    user = db.session.get(User, person.id)
    services.start_attempt(user, db.session.get(Quiz, closing), start)
    db.session.commit()
    later = start + timedelta(minutes=10)  # the quiz closed, so the list leaves it out
    cards = listing.quizzes_for(user, later)
    assert cards == [] and cards.submitted_expired
    assert db.session.scalar(select(Attempt.auto_submitted)) is True


def test_an_expired_attempt_elsewhere_is_submitted_while_other_quizzes_are_listed(
        app, ctx, make_user, make_quiz):
    person = make_user()
    closing = make_quiz(title="即将截止", closes_at=utcnow() + timedelta(minutes=3))
    still_open = make_quiz(title="长期开放")
    start = utcnow()
    user = db.session.get(User, person.id)
    services.start_attempt(user, db.session.get(Quiz, closing), start)
    db.session.commit()
    cards = listing.quizzes_for(user, start + timedelta(minutes=10))
    assert [card.quiz.id for card in cards] == [still_open] and cards.submitted_expired
    assert db.session.scalar(select(Attempt.auto_submitted)) is True


def test_each_card_holds_its_own_attempts_in_order(app, ctx, make_user, make_quiz):
    """The quizzes and my attempts come in one statement, a row per attempt: each card gets
    its quiz's attempts, numbered in order, and nobody else's, whatever order the quizzes
    were made in."""
    person, colleague = make_user("me"), make_user("colleague")
    now = utcnow()
    # Made last, listed first: the list runs by deadline, not by id.
    late = make_quiz(title="后截止", attempts_allowed=3, closes_at=now + timedelta(days=9))
    untouched = make_quiz(title="未作答", closes_at=now + timedelta(days=5))
    early = make_quiz(title="先截止", attempts_allowed=3, closes_at=now + timedelta(days=2))
    user, other = db.session.get(User, person.id), db.session.get(User, colleague.id)
    for quiz_id in (late, early):
        first, _created = services.start_attempt(user, db.session.get(Quiz, quiz_id), now)
        services.submit_attempt(first, now)
        services.start_attempt(user, db.session.get(Quiz, quiz_id), now)  # in progress
    services.start_attempt(other, db.session.get(Quiz, untouched), now)
    db.session.commit()

    cards = listing.quizzes_for(user, now)
    assert [card.quiz.title for card in cards] == ["先截止", "未作答", "后截止"]
    for card in (cards[0], cards[2]):
        assert [(a.number, a.in_progress) for a in card.attempts] == [(1, False), (2, True)]
        assert {a.quiz_id for a in card.attempts} == {card.quiz.id}
        assert card.attempts_used == 2 and card.attempts_left == 1
        assert card.in_progress.number == 2 and card.best_score == 0
    assert cards[1].attempts == [] and cards[1].in_progress is None
    page = listing.quiz_page(user, late, now)
    assert [(a.number, a.in_progress) for a in page.attempts] == [(1, False), (2, True)]
    assert page.card.quiz.title == "后截止" and page.card.quiz.attempts_allowed == 3


def test_a_quiz_page_not_found_settles_nothing(app, ctx, make_user, make_quiz):
    """A 404 commits nothing: the page answers it without submitting attempts elsewhere
    (the list does that)."""
    user, timed, start = attempt_in_progress(make_user, make_quiz)
    with pytest.raises(NotFound):
        listing.quiz_page(user, timed + 100, start + timedelta(minutes=11))
    assert db.session.scalar(select(Attempt.submitted_at)) is None
    assert listing.quizzes_for(user, start + timedelta(minutes=11)).submitted_expired


@pytest.mark.parametrize("url", ["/quizzes", "/api/v1/quizzes", "quiz page"])
def test_a_page_that_submitted_an_attempt_commits_it(app, client, login, make_user, make_quiz,
                                                      monkeypatch, url):
    person = make_user()
    quiz_id = make_quiz(time_limit_minutes=10)
    login(person)
    with app.app_context():
        services.start_attempt(db.session.get(User, person.id), db.session.get(Quiz, quiz_id),
                               utcnow())
        db.session.commit()
    later = utcnow() + timedelta(minutes=11)
    monkeypatch.setattr("lawlearn.quiz.views.utcnow", lambda: later)
    monkeypatch.setattr("lawlearn.api.quiz.utcnow", lambda: later)
    response = client.get(f"/quizzes/{quiz_id}" if url == "quiz page" else url)
    assert response.status_code == 200
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.auto_submitted and attempt.submitted_at is not None


def test_the_list_shows_a_score_out_of_the_papers_total_and_whether_it_passed(
        app, client, login, make_user, make_quiz):
    """"成绩 11 分" said neither out of what nor whether it passed."""
    person = make_user()
    passing, failing, practice = (make_quiz(title=title, pass_percent=pass_percent)
                                  for title, pass_percent in (("及格卷", 20), ("未及格卷", 90),
                                                              ("练习卷", 0)))
    with app.app_context():
        user = db.session.get(User, person.id)
        for quiz_id in (passing, failing, practice):
            attempt, _new = services.start_attempt(user, db.session.get(Quiz, quiz_id), utcnow())
            first = attempt.items[0]  # the paper's four questions, one answered right
            services.save_answer(attempt, first.question_id, first.snapshot["answer"], utcnow())
            services.submit_attempt(attempt, utcnow())
        db.session.commit()
        scores = {quiz_id: (attempt.score, attempt.max_score) for quiz_id, attempt in (
            (a.quiz_id, a) for a in db.session.scalars(select(Attempt)))}
    login(person)
    cards = {card.xpath("string(.//h2)").strip(): " ".join(card.xpath("string(.//p)").split())
             for card in html.fromstring(client.get("/quizzes").get_data(as_text=True))
             .xpath('//section[contains(@class, "quiz-card")]')}
    score, total = scores[passing]
    assert 0 < score < total and score / total >= 0.2
    assert f"成绩 {score:g}/{total:g} 分 · 及格" in cards["及格卷"]
    assert "成绩" in cards["未及格卷"] and cards["未及格卷"].endswith("· 未及格")
    assert "及格" not in cards["练习卷"]  # no pass mark, no verdict

    # Graded by the last try: an earlier pass does not make the card say 及格.
    last = make_quiz(title="末次计分卷", pass_percent=20, grading="last", attempts_allowed=2)
    with app.app_context():
        user, quiz = db.session.get(User, person.id), db.session.get(Quiz, last)
        for right in (True, False):
            attempt, _new = services.start_attempt(user, quiz, utcnow())
            if right:
                first = attempt.items[0]
                services.save_answer(attempt, first.question_id, first.snapshot["answer"],
                                     utcnow())
            services.submit_attempt(attempt, utcnow())
        db.session.commit()
    page = html.fromstring(client.get("/quizzes").get_data(as_text=True))
    card = page.xpath('//section[contains(@class, "quiz-card")][.//a[text()="末次计分卷"]]')[0]
    assert " ".join(card.xpath("string(.//p)").split()).endswith("成绩 0/8 分 · 未及格")


def test_the_busiest_reads_send_few_statements(app, client, login, make_user, make_quiz,
                                               count_queries):
    """Short version of bench/bench_quiz_list.py: the quiz list, a quiz's page and the API's
    list in a fixed, small number of statements, however many quizzes and attempts."""
    person = make_user()
    quiz_ids = [make_quiz(title=f"第{n}期测验", time_limit_minutes=30) for n in range(4)]
    with app.app_context():
        user = db.session.get(User, person.id)
        for quiz_id in quiz_ids[:3]:
            services.start_attempt(user, db.session.get(Quiz, quiz_id), utcnow())
        db.session.commit()
    token = client.post("/api/v1/auth/token", json={"username": person.username,
                                                    "password": person.password}).get_json()
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token['token']}"}
    login(person)
    for url, run, expected in (
            # the user with their roles, the quizzes with my attempts, the unread notices
            ("/quizzes", lambda: client.get("/quizzes"), 3),
            ("quiz page", lambda: client.get(f"/quizzes/{quiz_ids[0]}"), 3),
            # the token with its user, the quizzes with my attempts
            ("/api/v1/quizzes", lambda: api.get("/api/v1/quizzes", headers=bearer), 2)):
        with count_queries.recording() as statements:
            assert run().status_code == 200
        assert len(statements) == expected, f"{url}:\n" + "\n".join(statements)
