"""挑战答题 pages: a run from start to end screen, a countdown at zero, someone else's run,
an empty bank, and fixed numbers of queries."""

from __future__ import annotations

import random
import re
from datetime import timedelta

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.library.models import Law, LawArticle
from lawlearn.practice import challenge
from lawlearn.practice.models import ChallengeRun
from lawlearn.quiz.models import Question
from tests.conftest import csrf_from, post_with_csrf
from tests.practice.helpers import singles, wrong_answer
from tests.practice.test_challenge import READ, T0, add_run, answer_current


def page_queries(count_queries, client, url: str) -> int:
    """The statements a GET of ``url`` runs (the page must answer 200)."""
    def fetch() -> None:
        assert client.get(url).status_code == 200

    return count_queries(fetch)


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
        bad = wrong_answer(snapshot)
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
                                                                     make_department,
                                                                     count_queries):
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
    few = page_queries(count_queries, client, "/practice/challenge")
    add_runs(30)
    many = page_queries(count_queries, client, "/practice/challenge")
    body = client.get("/practice/challenge").get_data(as_text=True)
    assert few == many
    assert body.count('class="run-score"') == challenge.RECENT_RUNS


def test_the_end_screen_takes_the_same_queries_however_long_the_run(app, client, login,
                                                                    make_user, make_questions,
                                                                    count_queries):
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
    assert page_queries(count_queries, client, f"/practice/challenge/{short}") == \
        page_queries(count_queries, client, f"/practice/challenge/{long}")


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
        question, bad = run.current_question_id, wrong_answer(run.current_snapshot)
    post_with_csrf(client, f"/practice/challenge/{run_id}",
                   f"/practice/challenge/{run_id}/answer", {"question_id": question, "answer": bad})
    end = client.get(f"/practice/challenge/{run_id}").get_data(as_text=True)
    assert "挑战结束：答对 0 题" in end and "宪法第三十三条。" in end
    assert f'href="/laws/{law_id}/articles/33">查看法条：《宪法》第三十三条</a>' in end
