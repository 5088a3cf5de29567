"""Points for what happens elsewhere: passed quizzes, attended sessions, studied articles and
materials read to the end (with the server-measured reading time)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

import lawlearn.practice.listeners  # noqa: F401  (connects the listeners)
from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.library import materials
from lawlearn.library.models import LawArticle, Material, MaterialRead
from lawlearn.practice.models import PointAward
from lawlearn.quiz import services as quiz_services
from lawlearn.quiz.models import Quiz
from lawlearn.sessions import services as session_services
from lawlearn.sessions.models import SessionKind
from tests.conftest import csrf_from

T0 = datetime(2026, 3, 2, 1, 0)  # 09:00 in Shanghai


def awards(user_id: int) -> list[tuple[str, str, int]]:
    return [(a.rule, a.source, a.amount) for a in db.session.scalars(
        select(PointAward).where(PointAward.user_id == user_id).order_by(PointAward.id))]


def answer_right(attempt, now) -> None:
    for item in attempt.items:
        snap = item.snapshot
        right = snap["answer"] if snap["type"] != "fill" else [alts[0] for alts in snap["answer"]]
        quiz_services.save_answer(attempt, item.question_id, right, now)


# --- quizzes ------------------------------------------------------------------------------


def test_a_passed_quiz_pays_once_however_often_it_is_passed(ctx, make_user, make_quiz):
    quiz_id = make_quiz()
    start = utcnow()
    user = db.session.get(User, make_user().id)
    quiz = db.session.get(Quiz, quiz_id)
    quiz.attempts_allowed = None
    failed, _ = quiz_services.start_attempt(user, quiz, start)
    quiz_services.submit_attempt(failed, start)  # nothing answered: not passed
    assert awards(user.id) == []
    attempt, _ = quiz_services.start_attempt(user, quiz, start)
    answer_right(attempt, start)
    submitted_at = start + timedelta(minutes=5)
    assert quiz_services.submit_attempt(attempt, submitted_at)["passed"] is True
    quiz_services.submit_attempt(attempt, submitted_at + timedelta(seconds=1))  # submitted twice
    later = start + timedelta(minutes=30)
    again, _ = quiz_services.start_attempt(user, quiz, later)
    answer_right(again, later)
    assert quiz_services.submit_attempt(again, later)["passed"] is True
    db.session.commit()
    assert awards(user.id) == [("quiz_passed", f"quiz:{quiz_id}", 10)]
    award = db.session.scalar(select(PointAward))
    assert award.awarded_at == submitted_at


# --- sessions -----------------------------------------------------------------------------


@pytest.fixture
def new_session(app):
    def make(starts_at: datetime = T0, **extra):
        kind = db.session.scalar(select(SessionKind)) or SessionKind(name="集中学法")
        db.session.add(kind)
        db.session.flush()
        fields = session_services.SessionFields(
            title="宪法学习", kind_id=kind.id, starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2), **extra)
        return session_services.create_sessions(None, fields)[0]

    return make


def test_attendance_present_or_late_pays_absent_or_excused_does_not(ctx, make_user,
                                                                   new_session, admin):
    actor = db.session.get(User, admin.id)
    on_time, late, absent, excused, marked = (db.session.get(User, make_user().id)
                                              for _ in range(5))
    session = new_session()
    session_services.check_in(on_time, session, T0 + timedelta(minutes=5))
    session_services.check_in(late, session, T0 + timedelta(minutes=30))
    session_services.mark(actor, session, absent, "absent", "", T0)
    session_services.mark(actor, session, excused, "excused", "", T0)
    session_services.mark(actor, session, marked, "late", "无手机", T0 + timedelta(minutes=20))
    session_services.check_in(on_time, session, T0 + timedelta(minutes=6))  # a double tap
    session_services.mark(actor, session, on_time, "present", "", T0)  # marked as well
    db.session.commit()
    source = f"session:{session.id}"
    assert awards(on_time.id) == [("session_attended", source, 5)]
    assert awards(late.id) == [("session_attended", source, 5)]
    assert awards(marked.id) == [("session_attended", source, 5)]
    assert awards(absent.id) == [] and awards(excused.id) == []
    # Marked present later on (came after all): now it pays, once.
    session_services.mark(actor, session, absent, "present", "补记", T0)
    session_services.mark(actor, session, absent, "late", "补记", T0 + timedelta(minutes=20))
    assert awards(absent.id) == [("session_attended", source, 5)]


def test_an_attendance_corrected_to_absent_or_excused_takes_its_points_back(
        ctx, make_user, new_session, admin):
    """A colleague's check-in found (the shared-device flag) and marked 缺席 kept its +5: the
    report credited an attendance it listed as absent. Marked present again, it pays again,
    once."""
    actor = db.session.get(User, admin.id)
    proxied, excused, other = (db.session.get(User, make_user().id) for _ in range(3))
    session = new_session()
    for person in (proxied, excused, other):
        session_services.check_in(person, session, T0 + timedelta(minutes=5))
    source = f"session:{session.id}"
    session_services.mark(actor, session, proxied, "absent", "他人代签", T0 + timedelta(hours=1))
    session_services.mark(actor, session, excused, "excused", "已请假", T0 + timedelta(hours=1))
    db.session.commit()
    assert awards(proxied.id) == [] and awards(excused.id) == []
    assert awards(other.id) == [("session_attended", source, 5)]
    session_services.mark(actor, session, proxied, "present", "核实后本人在场", T0)
    session_services.mark(actor, session, proxied, "late", "", T0 + timedelta(minutes=20))
    db.session.commit()
    assert awards(proxied.id) == [("session_attended", source, 5)]


def test_a_passed_exit_quiz_turns_the_check_in_into_paid_presence(ctx, make_user, make_quiz,
                                                                  new_session):
    quiz_id = make_quiz(title="随堂测验")
    now = utcnow()
    person = db.session.get(User, make_user().id)
    session = new_session(exit_quiz_id=quiz_id, starts_at=now)
    attendance, _ = session_services.check_in(person, session, now)
    assert attendance.status == "pending_quiz"
    assert awards(person.id) == []  # not yet: the exit quiz is still to pass
    attempt, _ = quiz_services.start_attempt(person, db.session.get(Quiz, quiz_id), now)
    answer_right(attempt, now)
    quiz_services.submit_attempt(attempt, now + timedelta(minutes=20))
    db.session.refresh(attendance)
    assert attendance.status == "present"
    assert sorted(awards(person.id)) == [("quiz_passed", f"quiz:{quiz_id}", 10),
                                         ("session_attended", f"session:{session.id}", 5)]
    assert {a.awarded_at for a in db.session.scalars(select(PointAward))} == {
        now + timedelta(minutes=20)}


# --- articles -----------------------------------------------------------------------------


def test_a_studied_article_pays_once(ctx, make_user):
    from lawlearn.library.services import import_law, set_studied

    reader = db.session.get(User, make_user().id)
    law = import_law(None, "中华人民共和国宪法\n\n第一条 甲。\n\n第二条 乙。\n".encode())
    article = db.session.scalar(select(LawArticle).filter_by(law_id=law.id, number=1))
    set_studied(reader, article, True, T0)
    set_studied(reader, article, True, T0)  # repeating the mark changes nothing
    set_studied(reader, article, False, T0)
    set_studied(reader, article, True, T0 + timedelta(days=1))  # marked again another day
    db.session.commit()
    assert awards(reader.id) == [("article_read", f"article:{article.id}", 1)]


def test_marking_an_article_through_the_page_pays(app, client, login, make_user):
    from lawlearn.library.services import import_law

    with app.app_context():
        law = import_law(None, "中华人民共和国宪法\n\n第一条 甲。\n\n第二条 乙。\n".encode())
        db.session.commit()
        law_id = law.id
        article_id = db.session.scalar(select(LawArticle.id).filter_by(law_id=law.id, number=1))
    reader = make_user()
    login(reader)
    page = client.get(f"/laws/{law_id}/articles/1")
    response = client.post(f"/articles/{article_id}/studied",
                           data={"csrf_token": csrf_from(page), "studied": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert awards(reader.id) == [("article_read", f"article:{article_id}", 1)]


# --- materials ----------------------------------------------------------------------------


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock(T0)
    monkeypatch.setattr("lawlearn.library.material_views.utcnow", fake)
    return fake


def make_material(app, body: str = "宪法是国家的根本法。", published: bool = True) -> int:
    with app.app_context():
        material = materials.create_material(None, materials.MaterialFields(
            "宪法学习要点", "article", body, published=published))
        db.session.commit()
        return material.id


def test_minimum_reading_time_follows_the_length_within_bounds():
    assert materials.minimum_reading_seconds(Material(body_text="")) == 30
    assert materials.minimum_reading_seconds(Material(body_text="字" * 300)) == 30
    assert materials.minimum_reading_seconds(Material(body_text="字" * 1201)) == 121
    assert materials.minimum_reading_seconds(Material(body_text="字" * 100_000)) == 600


def test_material_read_too_early_is_refused_then_confirmed_and_paid(app, client, login,
                                                                    make_user, clock):
    material_id = make_material(app, "法" * 1100)  # 110 seconds at 600 characters a minute
    reader = make_user()
    login(reader)
    page = client.get(f"/materials/{material_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "我已读完" in html and "110 秒" in html
    with app.app_context():
        reading = db.session.get(MaterialRead, (reader.id, material_id))
        assert reading.opened_at == T0 and reading.confirmed_at is None

    clock.now = T0 + timedelta(seconds=90)
    reloaded = client.get(f"/materials/{material_id}")  # does not restart the reading time
    assert "请认真阅读，20 秒后可确认读完" in reloaded.get_data(as_text=True)
    early = client.post(f"/materials/{material_id}/read",
                        data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert early.status_code == 200
    assert "请再读 20 秒后确认读完" in early.get_data(as_text=True)
    with app.app_context():
        reading = db.session.get(MaterialRead, (reader.id, material_id))
        assert reading.opened_at == T0 and reading.confirmed_at is None
        assert awards(reader.id) == []

    clock.now = T0 + timedelta(seconds=110)
    done = client.post(f"/materials/{material_id}/read",
                       data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "已确认读完，获得 2 积分" in text and "已读" in text and "我已读完" not in text
    again = client.post(f"/materials/{material_id}/read", data={"csrf_token": csrf_from(page)},
                        follow_redirects=True)
    assert "已确认读完。" in again.get_data(as_text=True)
    with app.app_context():
        reading = db.session.get(MaterialRead, (reader.id, material_id))
        assert reading.confirmed_at == T0 + timedelta(seconds=110)
        assert awards(reader.id) == [("material_read", f"material:{material_id}", 2)]


def test_material_read_needs_an_open_and_csrf_and_a_published_material(app, client, login,
                                                                        make_user, clock,
                                                                        admin):
    material_id = make_material(app)
    draft_id = make_material(app, published=False)
    reader = make_user()
    login(reader)
    token = csrf_from(client.get("/materials"))
    refused = client.post(f"/materials/{material_id}/read", data={"csrf_token": token})
    assert refused.status_code == 302
    assert "请先打开资料阅读" in client.get("/materials").get_data(as_text=True)
    assert client.post(f"/materials/{material_id}/read").status_code == 400  # no CSRF token
    assert client.post(f"/materials/{draft_id}/read", data={"csrf_token": token}) \
        .status_code == 404
    with app.app_context():
        assert db.session.scalars(select(MaterialRead)).all() == []
        assert awards(reader.id) == []


def test_confirm_reading_accepts_a_caller_minimum(ctx, make_user):
    user_id = make_user().id
    material = materials.create_material(None, materials.MaterialFields(
        "长文", "article", "法" * 6000, published=True))
    materials.record_open(user_id, material.id, T0)
    with pytest.raises(Conflict) as refused:
        materials.confirm_reading(user_id, material, T0 + timedelta(seconds=59),
                                  minimum_seconds=60)
    assert refused.value.code == "too_early" and "1 秒" in refused.value.message
    with pytest.raises(Conflict, match="540 秒"):  # by default: 6,000 characters, 10 minutes
        materials.confirm_reading(user_id, material, T0 + timedelta(seconds=60))
    reading, paid = materials.confirm_reading(user_id, material, T0 + timedelta(seconds=60),
                                              minimum_seconds=60)
    assert reading.confirmed_at == T0 + timedelta(seconds=60) and paid == 2
