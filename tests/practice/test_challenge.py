"""Challenge mode: one running run, the server's deadline, the current question only, races,
an exhausted bank, points once at the end, bests, and the pages."""

from __future__ import annotations

import random
import re
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law, LawArticle
from lawlearn.practice import challenge
from lawlearn.practice.models import ChallengeAnswer, ChallengeRun, PointAward, TimingFlag
from lawlearn.practice.points import total_points
from lawlearn.quiz.bank import QuestionFields
from lawlearn.quiz.models import Question, WrongAnswer
from lawlearn.settings import set_setting
from tests.conftest import csrf_from, post_with_csrf
from tests.quiz.fixtures import SAMPLE

T0 = datetime(2026, 3, 2, 1, 0)  # naive UTC
READ = timedelta(seconds=10)  # slow enough to read any test question, well within 30 s


def singles(count: int) -> list[QuestionFields]:
    return [QuestionFields("single", f"第{n}题：下列哪项说法正确？", ["甲说法", "乙说法", "丙说法"],
                           "B", f"第{n}题的解析。", ["宪法"], "easy") for n in range(1, count + 1)]


def right(snapshot):
    kind, answer = snapshot["type"], snapshot["answer"]
    if kind == "fill":
        return [alternatives[0] for alternatives in answer]
    return answer


def wrong(snapshot):
    kind, answer = snapshot["type"], snapshot["answer"]
    if kind == "single":
        return next(o["key"] for o in snapshot["options"] if o["key"] != answer)
    if kind == "multiple":
        return [next(o["key"] for o in snapshot["options"] if o["key"] not in answer)]
    if kind == "true_false":
        return not answer
    return ["不对"] * len(answer)


def person(ref) -> User:
    return db.session.get(User, ref.id)


def answer_current(user, run, now, *, correct=True, rng_seed=2):
    snapshot = run.current_snapshot
    return challenge.answer(user, run.id, run.current_question_id,
                            right(snapshot) if correct else wrong(snapshot), now,
                            rng=random.Random(rng_seed))


def page_queries(app, client, url: str) -> int:
    """The statements a GET of ``url`` runs (in its own app context, as in production)."""
    with app.app_context():
        engine = db.engine
    statements = []

    def record(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


# --- starting -------------------------------------------------------------------------------


def test_a_run_shows_a_frozen_question_with_the_configured_seconds(ctx, make_user,
                                                                   make_questions):
    ids = make_questions()
    user = person(make_user())
    set_setting("practice.challenge_seconds", 20)
    run, created = challenge.start(user, T0, random.Random(1))
    db.session.commit()
    assert created and run.status == "running" and run.score == 0
    assert run.seconds_per_question == 20
    assert run.current_question_id in ids and run.asked == [run.current_question_id]
    assert run.current_shown_at == T0
    assert challenge.deadline(run) == T0 + timedelta(seconds=20)
    assert "answer" in run.current_snapshot and run.current_snapshot["stem"]
    # The setting is copied at the start: changing it later does not move this run's clock.
    set_setting("practice.challenge_seconds", 60)
    assert challenge.deadline(run) == T0 + timedelta(seconds=20)


def test_starting_again_returns_the_same_question_and_deadline(ctx, make_user, make_questions):
    make_questions(singles(8))
    user = person(make_user())
    run, created = challenge.start(user, T0, random.Random(1))
    db.session.commit()
    question, shown = run.current_question_id, run.current_shown_at
    for moment in (T0 + timedelta(seconds=5), T0 + timedelta(seconds=33)):  # grace included
        again, created_again = challenge.start(user, moment, random.Random(99))
        db.session.commit()
        assert (again.id, created_again) == (run.id, False)
        assert (again.current_question_id, again.current_shown_at) == (question, shown)
    assert db.session.scalar(select(func.count()).select_from(ChallengeRun)) == 1


def test_a_start_after_the_deadline_ends_the_old_run_as_a_timeout(ctx, make_user,
                                                                  make_questions):
    make_questions(singles(5))
    user = person(make_user())
    old, _ = challenge.start(user, T0, random.Random(1))
    first = old.current_question_id
    db.session.commit()
    late = T0 + timedelta(seconds=33, milliseconds=1)  # 30 s + 3 s grace, and a bit
    new, created = challenge.start(user, late, random.Random(2))
    db.session.commit()
    assert created and new.id != old.id and new.status == "running"
    db.session.refresh(old)
    assert (old.status, old.end_reason, old.ended_at) == ("ended", "timeout", late)
    timed_out = db.session.scalars(select(ChallengeAnswer).where(
        ChallengeAnswer.run_id == old.id)).one()
    assert (timed_out.question_id, timed_out.response, timed_out.correct) == (first, None, False)
    assert challenge.ending_answer(old).id == timed_out.id
    # A timeout is no answer: it does not enter the wrong-answer book.
    assert db.session.scalar(select(func.count()).select_from(WrongAnswer)) == 0


def test_an_empty_bank_cannot_start(ctx, make_user, make_questions):
    ids = make_questions(singles(1))
    db.session.get(Question, ids[0]).status = "retired"
    user = person(make_user())
    with pytest.raises(Conflict) as refused:
        challenge.start(user, T0)
    assert refused.value.code == "no_questions"


def test_racing_starts_leave_one_running_run(app, make_user, make_questions):
    make_questions(singles(6))
    ref = make_user()
    barrier = threading.Barrier(6)
    results: list[tuple[int, bool, int | None]] = []
    failures: list[BaseException] = []

    def tap(seed: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, ref.id)
                barrier.wait(timeout=10)
                run, created = challenge.start(user, T0, random.Random(seed))
                db.session.commit()
                results.append((run.id, created, run.current_question_id))
            except BaseException as error:  # noqa: BLE001  (reported below)
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert len(results) == 6
    assert len({(run_id, question) for run_id, _, question in results}) == 1
    assert sum(created for _, created, _ in results) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChallengeRun)) == 1


def test_a_start_that_loses_the_race_returns_the_winner(ctx, make_user, make_questions,
                                                        monkeypatch):
    make_questions(singles(3))
    user = person(make_user())
    winner, _ = challenge.start(user, T0, random.Random(1))
    db.session.commit()
    # The loser looked for a running run before the winner's was there.
    real = challenge.running_run
    calls = iter([None])
    monkeypatch.setattr(challenge, "running_run", lambda user_id: next(calls, real(user_id)))
    run, created = challenge.start(user, T0, random.Random(5))
    db.session.commit()
    assert (run.id, created) == (winner.id, False)
    assert db.session.scalar(select(func.count()).select_from(ChallengeRun)) == 1


# --- answering ------------------------------------------------------------------------------


def test_right_answers_go_on_and_a_wrong_one_ends_the_run(ctx, make_user, make_questions):
    make_questions(SAMPLE + singles(4))
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(3))
    moment = T0
    for n in range(1, 4):
        moment += READ
        outcome = answer_current(user, run, moment, rng_seed=n)
        assert outcome.correct is True and not outcome.ended and not outcome.too_fast
        assert run.score == n and len(run.asked) == n + 1 and len(set(run.asked)) == n + 1
        assert run.current_shown_at == moment  # the next question's clock starts now
    last = run.current_question_id
    snapshot = run.current_snapshot
    outcome = answer_current(user, run, moment + READ, correct=False)
    db.session.commit()
    assert outcome.correct is False and outcome.ended
    assert (run.status, run.end_reason, run.score) == ("ended", "wrong", 3)
    ending = challenge.ending_answer(run)
    assert (ending.question_id, ending.correct, ending.position) == (last, False, 3)
    assert ending.response is not None and ending.snapshot == snapshot
    answers = db.session.scalars(select(ChallengeAnswer).where(ChallengeAnswer.run_id == run.id)
                                 .order_by(ChallengeAnswer.position)).all()
    assert [a.correct for a in answers] == [True, True, True, False]
    assert all(a.elapsed_ms == 10_000 for a in answers)
    # The mistake is in the wrong-answer book, marked as from a challenge.
    entry = db.session.scalar(select(WrongAnswer).where(WrongAnswer.question_id == last))
    assert entry.source == "challenge" and entry.cleared_at is None


def test_a_late_answer_ends_the_run_even_when_right(ctx, make_user, make_questions):
    make_questions(singles(4))
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(1))
    # Within the grace a right answer still counts...
    outcome = answer_current(user, run, T0 + timedelta(seconds=32))
    assert outcome.correct is True and run.score == 1
    shown = run.current_shown_at
    # ...past it, the run ends whatever the answer says.
    outcome = answer_current(user, run, shown + timedelta(seconds=34))
    db.session.commit()
    assert outcome.correct is None and outcome.ended
    assert (run.status, run.end_reason, run.score) == ("ended", "timeout", 1)
    assert challenge.ending_answer(run).response is None


def test_a_countdown_at_zero_ends_the_run_as_a_timeout(ctx, make_user, make_questions):
    make_questions(singles(2))
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(1))
    outcome = challenge.answer(user, run.id, run.current_question_id, None,
                               T0 + timedelta(seconds=30), time_up=True)
    assert outcome.correct is None and (run.status, run.end_reason) == ("ended", "timeout")


def test_only_the_question_on_screen_can_be_answered(ctx, make_user, make_questions):
    make_questions(singles(5))
    user, other = person(make_user()), person(make_user())
    run, _ = challenge.start(user, T0, random.Random(1))
    first = run.current_question_id
    not_shown = next(qid for qid in db.session.scalars(select(Question.id)) if qid != first)
    with pytest.raises(Conflict) as refused:
        challenge.answer(user, run.id, not_shown, "B", T0 + READ)
    assert refused.value.code == "not_current"
    with pytest.raises(ValidationFailed):  # nothing chosen: the clock keeps running
        challenge.answer(user, run.id, first, None, T0 + READ)
    with pytest.raises(ValidationFailed):  # a letter not shown
        challenge.answer(user, run.id, first, "H", T0 + READ)
    with pytest.raises(NotFound):  # someone else's run
        challenge.answer(other, run.id, first, "B", T0 + READ)
    answer_current(user, run, T0 + READ)
    # The question already answered cannot be answered again (a double tap, an old tab).
    with pytest.raises(Conflict) as again:
        challenge.answer(user, run.id, first, "B", T0 + 2 * READ)
    assert again.value.code == "not_current"
    answer_current(user, run, T0 + 2 * READ, correct=False)
    with pytest.raises(Conflict) as ended:
        challenge.answer(user, run.id, run.current_question_id, "B", T0 + 3 * READ)
    assert ended.value.code == "run_ended"
    assert run.score == 1


def test_two_racing_answers_to_one_question_count_once(app, make_user, make_questions):
    make_questions(singles(6))
    ref = make_user()
    with app.app_context():
        run, _ = challenge.start(db.session.get(User, ref.id), T0, random.Random(1))
        db.session.commit()
        run_id, question_id, answer = run.id, run.current_question_id, right(run.current_snapshot)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    failures: list[BaseException] = []

    def tap(seed: int) -> None:
        with app.app_context():
            try:
                user = db.session.get(User, ref.id)
                barrier.wait(timeout=10)
                challenge.answer(user, run_id, question_id, answer, T0 + READ,
                                 rng=random.Random(seed))
                db.session.commit()
                outcomes.append("answered")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            except BaseException as error:  # noqa: BLE001  (reported below)
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tap, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert sorted(outcomes) == ["answered", "conflict", "conflict", "conflict"]
    with app.app_context():
        run = db.session.get(ChallengeRun, run_id)
        assert run.score == 1 and len(run.asked) == 2
        assert db.session.scalar(select(func.count()).select_from(ChallengeAnswer)) == 1


def test_answering_every_question_ends_a_perfect_run(ctx, make_user, make_questions):
    ids = make_questions(SAMPLE)
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(4))
    moment = T0
    for _n in ids:
        moment += READ
        outcome = answer_current(user, run, moment)
        assert outcome.correct is True
    db.session.commit()
    assert (run.status, run.end_reason, run.score) == ("ended", "exhausted", 4)
    assert sorted(run.asked) == sorted(ids)
    assert challenge.ending_answer(run) is None
    assert total_points(user.id) == 4


def test_points_are_paid_once_at_the_end_and_not_for_too_fast_answers(ctx, make_user,
                                                                      make_questions):
    make_questions(singles(5))
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(1))
    fast = answer_current(user, run, T0 + timedelta(milliseconds=400))  # faster than reading
    assert fast.correct is True and fast.too_fast
    shown = run.current_shown_at
    answer_current(user, run, shown + READ)
    assert run.score == 2 and total_points(user.id) == 0  # nothing before the end
    answer_current(user, run, run.current_shown_at + READ, correct=False)
    db.session.commit()
    assert run.score == 2  # the too-fast answer counts for the run...
    assert total_points(user.id) == 1  # ...but earns nothing
    flags = db.session.scalars(select(TimingFlag)).all()
    assert [(f.context, f.elapsed_ms) for f in flags] == [("challenge", 400)]
    assert challenge.points_of(run) == 1
    # Nothing pays twice: an ended run that is looked at, or started over, pays no more.
    challenge.expire_if_late(run, T0 + timedelta(hours=1))
    challenge.start(user, T0 + timedelta(hours=1), random.Random(2))
    db.session.commit()
    awards = db.session.scalars(select(PointAward)).all()
    assert [(a.rule, a.source, a.amount) for a in awards] == [
        ("challenge", f"challenge:{run.id}", 1)]


def test_a_timed_out_run_pays_for_its_right_answers(ctx, make_user, make_questions):
    make_questions(singles(5))
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(1))
    answer_current(user, run, T0 + READ)
    answer_current(user, run, T0 + 2 * READ)
    assert challenge.end_late_run(user.id, T0 + timedelta(minutes=5)) is None  # the page
    db.session.commit()
    overview = challenge.overview(user)
    assert overview.running is None and run.end_reason == "timeout"
    assert overview.personal_best == 2 and total_points(user.id) == 2


# --- bests ----------------------------------------------------------------------------------


def add_run(user_id: int, department_id: int | None, score: int, status: str = "ended",
            started: datetime = T0) -> ChallengeRun:
    run = ChallengeRun(user_id=user_id, department_id=department_id, status=status, score=score,
                       end_reason="wrong" if status == "ended" else None, started_at=started,
                       ended_at=started + timedelta(minutes=2) if status == "ended" else None,
                       asked=[])
    db.session.add(run)
    db.session.flush()
    return run


def test_personal_and_department_bests(ctx, make_user, make_department):
    office, other_office = make_department("法制科"), make_department("财政科")
    me = person(make_user(name="张三", department_id=office))
    colleague = make_user(name="李四", department_id=office)
    stranger = make_user(name="王五", department_id=other_office)
    add_run(me.id, office, 3)
    add_run(me.id, office, 5, started=T0 + timedelta(hours=1))
    add_run(colleague.id, office, 7, started=T0 + timedelta(hours=2))
    add_run(stranger.id, other_office, 12)
    add_run(me.id, office, 2, started=T0 + timedelta(hours=3))
    db.session.commit()
    view = challenge.overview(me)
    assert view.personal_best == 5
    assert (view.department_best.score, view.department_best.name) == (7, "李四")
    assert [run.score for run in view.recent] == [2, 5, 3]  # mine, newest first
    # A run in progress is not a result yet; a person who moved keeps old runs' department.
    db.session.get(User, colleague.id).department_id = other_office
    add_run(me.id, office, 9, status="running", started=T0 + timedelta(days=1))
    db.session.commit()
    view = challenge.overview(me)
    assert view.personal_best == 5 and view.department_best.score == 7
    assert view.running is not None and view.running.score == 9
    lonely = person(make_user(name="赵六"))
    assert challenge.overview(lonely).department_best is None
    assert challenge.overview(lonely).personal_best is None


# --- pages ----------------------------------------------------------------------------------


def run_id_of(response) -> int:
    return int(re.search(r"/practice/challenge/(\d+)$", response.headers["Location"]).group(1))


def test_a_run_through_the_pages(app, client, login, make_user, make_questions):
    make_questions(singles(3))
    login(make_user(name="张三"))
    page = client.get("/practice/challenge")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "开始挑战" in html and "我的最好成绩" in html and "还没有挑战记录" in html
    assert client.post("/practice/challenge/start").status_code == 400  # no CSRF token
    started = client.post("/practice/challenge/start", data={"csrf_token": csrf_from(page)})
    assert started.status_code == 302
    run_id = run_id_of(started)
    # Pressing start again (or reloading) gives the same question.
    again = post_with_csrf(client, "/practice/challenge", "/practice/challenge/start")
    assert run_id_of(again) == run_id
    question = client.get(f"/practice/challenge/{run_id}")
    html = question.get_data(as_text=True)
    assert "剩余 30 秒" in html or "剩余 29 秒" in html
    assert 'data-deadline="' in html and "js/challenge.js" in html
    with app.app_context():
        run = db.session.get(ChallengeRun, run_id)
        first, key = run.current_question_id, run.current_snapshot["answer"]
        assert run.current_snapshot["stem"] in html
    token = csrf_from(question)
    answered = client.post(f"/practice/challenge/{run_id}/answer",
                           data={"csrf_token": token, "question_id": first, "answer": key})
    assert answered.status_code == 302
    with app.app_context():
        run = db.session.get(ChallengeRun, run_id)
        second, snapshot = run.current_question_id, run.current_snapshot
        bad = wrong(snapshot)
    # An old page posted again shows where the run stands, with a 409.
    stale = client.post(f"/practice/challenge/{run_id}/answer",
                        data={"csrf_token": token, "question_id": first, "answer": key})
    assert stale.status_code == 409 and snapshot["stem"] in stale.get_data(as_text=True)
    nothing = client.post(f"/practice/challenge/{run_id}/answer",
                          data={"csrf_token": token, "question_id": second})
    assert nothing.status_code == 422 and "请先作答" in nothing.get_data(as_text=True)
    client.post(f"/practice/challenge/{run_id}/answer",
                data={"csrf_token": token, "question_id": second, "answer": bad})
    end = client.get(f"/practice/challenge/{run_id}").get_data(as_text=True)
    assert "挑战结束：答对 1 题" in end and "答错了" in end
    assert "第2题的解析。" in end or "第1题的解析。" in end or "第3题的解析。" in end
    assert "再来一次" in end and "去错题本" in end
    overview = client.get("/practice/challenge").get_data(as_text=True)
    assert "答对 1 题" in overview and "开始挑战" in overview


def test_a_countdown_at_zero_from_the_page_ends_the_run(app, client, login, make_user,
                                                        make_questions):
    make_questions(singles(3))
    login(make_user())
    run_id = run_id_of(post_with_csrf(client, "/practice/challenge",
                                      "/practice/challenge/start"))
    with app.app_context():
        run = db.session.get(ChallengeRun, run_id)
        question, key = run.current_question_id, run.current_snapshot["answer"]
    post_with_csrf(client, f"/practice/challenge/{run_id}",
                   f"/practice/challenge/{run_id}/answer",
                   {"question_id": question, "answer": key, "time_up": "1"})
    end = client.get(f"/practice/challenge/{run_id}").get_data(as_text=True)
    assert "挑战结束：答对 0 题" in end and "超时未作答" in end


def test_someone_elses_run_is_not_found(app, client, login, make_user, make_questions):
    make_questions(singles(2))
    owner = make_user()
    with app.app_context():
        run, _ = challenge.start(db.session.get(User, owner.id), T0)
        db.session.commit()
        run_id, question = run.id, run.current_question_id
    login(make_user())
    assert client.get(f"/practice/challenge/{run_id}").status_code == 404
    answered = post_with_csrf(client, "/practice/challenge",
                              f"/practice/challenge/{run_id}/answer",
                              {"question_id": question, "answer": "B"})
    assert answered.status_code == 404


def test_an_empty_bank_says_so(client, login, make_user):
    login(make_user())
    response = post_with_csrf(client, "/practice/challenge", "/practice/challenge/start",
                              follow_redirects=True)
    assert "题库中还没有可用的试题" in response.get_data(as_text=True)


def test_the_challenge_page_takes_the_same_queries_however_many_runs(app, client, login,
                                                                     make_user,
                                                                     make_department):
    office = make_department("法制科")
    me = make_user(department_id=office)
    others = [make_user(department_id=office) for _ in range(3)]
    login(me)

    def add_runs(count: int) -> None:
        with app.app_context():
            for n in range(count):
                for who in (me, *others):
                    add_run(who.id, office, n % 7, started=T0 + timedelta(minutes=n))
            db.session.commit()

    add_runs(2)
    few = page_queries(app, client, "/practice/challenge")
    add_runs(30)
    many = page_queries(app, client, "/practice/challenge")
    body = client.get("/practice/challenge").get_data(as_text=True)
    assert few == many
    assert body.count('class="run-score"') == challenge.RECENT_RUNS


def test_the_end_screen_takes_the_same_queries_however_long_the_run(app, client, login,
                                                                    make_user, make_questions):
    make_questions(singles(25))
    ref = make_user()
    login(ref)

    def play(right_answers: int) -> int:
        with app.app_context():
            user = db.session.get(User, ref.id)
            run, _ = challenge.start(user, T0, random.Random(right_answers))
            moment = T0
            for n in range(right_answers):
                moment += READ
                answer_current(user, run, moment, rng_seed=n)
            answer_current(user, run, moment + READ, correct=False)
            db.session.commit()
            return run.id

    short, long = play(1), play(20)
    assert page_queries(app, client, f"/practice/challenge/{short}") == \
        page_queries(app, client, f"/practice/challenge/{long}")


def test_the_end_screen_links_the_article_of_the_missed_question(app, client, login, make_user):
    with app.app_context():
        law = Law(title="中华人民共和国宪法", short_title="宪法")
        article = LawArticle(law=law, number=33, label="第三十三条", paragraphs=["……"],
                             text="……", position=1)
        db.session.add(Question(type="single", stem="谁在法律面前一律平等？",
                                options=["公民", "外国人"], answer="A",
                                explanation="宪法第三十三条。", article=article, fingerprint="x"))
        db.session.commit()
        law_id = law.id
    login(make_user())
    run_id = run_id_of(post_with_csrf(client, "/practice/challenge",
                                      "/practice/challenge/start"))
    with app.app_context():
        run = db.session.get(ChallengeRun, run_id)
        question, bad = run.current_question_id, wrong(run.current_snapshot)
    post_with_csrf(client, f"/practice/challenge/{run_id}",
                   f"/practice/challenge/{run_id}/answer", {"question_id": question, "answer": bad})
    end = client.get(f"/practice/challenge/{run_id}").get_data(as_text=True)
    assert "挑战结束：答对 0 题" in end and "宪法第三十三条。" in end
    assert f'href="/laws/{law_id}/articles/33">查看法条：《宪法》第三十三条</a>' in end
