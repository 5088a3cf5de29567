"""Quiz results and item analysis: exact figures, shuffled options, exports, pages, queries."""

from __future__ import annotations

import csv
import io
import math
import random
import re
import statistics
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.quiz import services
from lawlearn.quiz.item_analysis import item_analysis, item_statistics
from lawlearn.quiz.models import Quiz
from lawlearn.quiz.results import quiz_results
from lawlearn.quiz.results_export import export_results
from tests.conftest import post_with_csrf

# 2024-12-04 06:00 UTC is 14:00 in Asia/Shanghai.
START = datetime(2024, 12, 4, 6, 0)
POINTS = {"single": 2.0, "multiple": 3.0, "true_false": 1.0, "fill": 2.0}  # 8 in all

# Answers by bank letter (as if nothing were shuffled), per person and attempt.
# single: B is right; multiple: A+B; true/false: true; fill: 宪法.
RIGHT = {"single": "B", "multiple": ["A", "B"], "true_false": True, "fill": ["宪法"]}
PEOPLE = {
    # username: (department, [answers of attempt 1, attempt 2, ...])
    "jia": ("法制科", [{**RIGHT, "true_false": False}]),                              # 7
    "yi": ("法制科", [{**RIGHT, "multiple": ["A"], "true_false": False},              # 4
                     {**RIGHT, "true_false": False}]),                                # then 7
    "bing": ("法制科", [RIGHT]),                                                     # 8
    "ding": ("办公室", [{**RIGHT, "single": "A", "multiple": ["B"]}]),                 # 3
    "wu": (None, [{**RIGHT, "single": "C", "multiple": None}]),                       # 3
}
# First attempts, per person in the order above: the marks on each question.
FIRST_MARKS = {
    "single": [2, 2, 2, 0, 0],
    "multiple": [3, 0, 3, 0, 0],
    "true_false": [0, 0, 1, 1, 1],
    "fill": [2, 2, 2, 2, 2],
}


def shown_answer(item, answer):
    """The answer in the letters this person was shown (options may be shuffled)."""
    if answer is None or item.snapshot["type"] not in ("single", "multiple"):
        return answer
    shown = {option["source"]: option["key"] for option in item.snapshot["options"]}
    return shown[answer] if isinstance(answer, str) else [shown[a] for a in answer]


def take(user_id: int, quiz_id: int, answers: dict, when: datetime, seed: int,
         submit: bool = True):
    user, quiz = db.session.get(User, user_id), db.session.get(Quiz, quiz_id)
    attempt, created = services.start_attempt(user, quiz, when, random.Random(seed))
    assert created
    for item in attempt.items:
        services.save_answer(attempt, item.question_id,
                             shown_answer(item, answers[item.snapshot["type"]]), when)
    if submit:
        services.submit_attempt(attempt, when + timedelta(minutes=30))
    db.session.commit()
    return attempt


@pytest.fixture
def graded_quiz(app, make_quiz, make_user, make_department):
    """Five people, one of them with two attempts, one more still answering; options shuffled."""
    quiz_id = make_quiz(opens_at=None, closes_at=None, attempts_allowed=2, grading="highest",
                        shuffle_options=True, points=POINTS, pass_percent=60)
    departments = {name: make_department(name) for name in ("法制科", "办公室")}
    users = {}
    for username, (department, _attempts) in PEOPLE.items():
        users[username] = make_user(username, name=f"职工{username}",
                                    department_id=departments.get(department))
    users["ji"] = make_user("ji", name="职工ji", department_id=departments["办公室"])
    with app.app_context():
        for seed, (username, (_department, attempts)) in enumerate(PEOPLE.items()):
            for number, answers in enumerate(attempts):
                take(users[username].id, quiz_id, answers,
                     START + timedelta(hours=number, minutes=seed), seed * 10 + number)
        take(users["ji"].id, quiz_id, RIGHT, START, 99, submit=False)
    return quiz_id


def test_results_summary_departments_and_people(ctx, graded_quiz):
    results = quiz_results(db.session.get(Quiz, graded_quiz))
    scores = {p.username: p.score for p in results.people}
    assert scores == {"jia": 7, "yi": 7, "bing": 8, "ding": 3, "wu": 3, "ji": None}
    assert [p.username for p in results.people] == ["bing", "jia", "yi", "ding", "wu", "ji"]
    yi = next(p for p in results.people if p.username == "yi")
    assert (yi.attempts, yi.submitted, yi.passed, yi.max_score) == (2, 2, True, 8)
    assert yi.last_submitted_at == START + timedelta(hours=1, minutes=1, seconds=1800)
    ji = next(p for p in results.people if p.username == "ji")
    assert (ji.attempts, ji.submitted, ji.passed) == (1, 0, None)
    assert (results.attempts, results.in_progress, results.graded_people) == (6, 1, 5)
    assert results.passed == 3 and results.pass_rate == pytest.approx(0.6)
    assert results.average == 5.6 and results.median == 7.0
    assert (results.highest, results.lowest) == (8, 3)
    # 3/8 = 37.5 % → 30–40; 7/8 = 87.5 % → 80–90; 8/8 → the last band, 90–100.
    assert [band.count for band in results.bands] == [0, 0, 0, 2, 0, 0, 0, 0, 2, 1]
    assert (results.bands[0].low, results.bands[-1].high) == (0, 100)
    departments = {d.name: (d.people, d.average, d.pass_rate) for d in results.departments}
    assert departments == {"法制科": (3, 7.33, 1.0), "办公室": (1, 3.0, 0.0),
                           "未分配部门": (1, 3.0, 0.0)}
    assert [d.name for d in results.departments][-1] == "未分配部门"


def test_averages_round_half_up_as_an_office_checks_by_hand(ctx, graded_quiz):
    """(7.125 + 7 + 8 + 3 + 3) / 5 = 5.625 showed as 5.62 (Python's round() takes a half to
    the even digit); by hand, 四舍五入, it is 5.63."""
    from sqlalchemy import select

    from lawlearn.quiz.models import Attempt

    jia = db.session.scalar(select(User).filter_by(username="jia"))
    for attempt in db.session.scalars(select(Attempt).filter_by(quiz_id=graded_quiz,
                                                                user_id=jia.id)):
        if attempt.score == 7:
            attempt.score = 7.125
    db.session.flush()
    results = quiz_results(db.session.get(Quiz, graded_quiz))
    assert results.average == 5.63
    law_section = next(d for d in results.departments if d.name == "法制科")
    assert law_section.average == 7.38  # (7.125 + 7 + 8) / 3 = 7.375


def test_grading_by_last_and_average_attempt(ctx, graded_quiz):
    quiz = db.session.get(Quiz, graded_quiz)
    quiz.grading = "average"
    yi = next(p for p in quiz_results(quiz).people if p.username == "yi")
    assert yi.score == 5.5 and yi.passed is True  # (4 + 7) / 2 = 5.5 ≥ 4.8
    # A person's average rounds half up too: (26.25 + 27) / 2 = 26.625 → 26.63, not 26.62.
    from types import SimpleNamespace

    from lawlearn.quiz.listing import final_score
    tries = [SimpleNamespace(number=n, submitted_at=START, score=score)
             for n, score in ((1, 26.25), (2, 27.0))]
    assert final_score(quiz, tries) == 26.63
    quiz.grading = "last"
    assert next(p for p in quiz_results(quiz).people if p.username == "yi").score == 7


def test_score_bands_edges(ctx, make_quiz):
    from lawlearn.quiz.results import _band_index

    assert [_band_index(s, 10) for s in (0, 0.99, 1, 3, 5.99, 6, 9.99, 10)] == \
        [0, 0, 1, 3, 5, 6, 9, 9]
    assert _band_index(2.4, 8) == 3  # 30 % exactly, not 29.999…


def test_item_analysis_matches_moodle_definitions(ctx, graded_quiz):
    analysis = item_analysis(db.session.get(Quiz, graded_quiz))
    assert analysis.attempts == 5  # first attempts only: yi's second try is left out
    items = {item.type: item for item in analysis.items}
    assert [item.type for item in analysis.items] == ["single", "multiple", "true_false", "fill"]
    totals = [sum(marks) for marks in zip(*FIRST_MARKS.values(), strict=True)]
    assert totals == [7, 4, 8, 3, 3]
    for kind, marks in FIRST_MARKS.items():
        item = items[kind]
        assert item.attempts == 5
        assert item.facility == pytest.approx(sum(marks) / (5 * POINTS[kind]))
        assert item.sd == pytest.approx(statistics.stdev(marks) / POINTS[kind])
        rest = [total - mark for total, mark in zip(totals, marks, strict=True)]
        if kind != "fill":
            assert item.discrimination == pytest.approx(statistics.correlation(marks, rest))
    assert items["single"].facility == 0.6
    assert items["multiple"].facility == 0.4
    # Those who did best overall got the single choice right and the weakest got it wrong…
    # x = [2, 2, 2, 0, 0], rest = [5, 2, 6, 3, 3]: r = 3.2 / √(4.8 × 10.8) = 4/9.
    assert items["single"].discrimination == pytest.approx(4 / 9)
    assert items["single"].flags == []
    assert 0 < items["single"].efficiency <= 1
    # …while the true/false question was answered right by the weakest: flagged.
    assert items["true_false"].discrimination < -0.3
    assert items["true_false"].flags == ["negative_discrimination"]
    # Everyone got the fill-in right: too easy, and its discrimination is undefined.
    fill = items["fill"]
    assert fill.facility == 1 and fill.flags == ["too_easy"]
    assert (fill.sd, fill.discrimination, fill.efficiency) == (0, None, None)
    assert fill.correct == 5 and fill.responses == []


def test_option_counts_use_the_bank_letters_even_when_shuffled(ctx, graded_quiz):
    quiz = db.session.get(Quiz, graded_quiz)
    from sqlalchemy import select

    from lawlearn.quiz.models import Attempt, AttemptItem

    snapshots = db.session.scalars(select(AttemptItem.snapshot).join(Attempt).where(
        Attempt.quiz_id == quiz.id)).all()
    assert any(o["key"] != o["source"] for s in snapshots for o in s["options"]), \
        "the seeds should shuffle at least one question's options"
    items = {item.type: item for item in item_analysis(quiz).items}
    single = {r.key: (r.count, r.correct, r.text) for r in items["single"].responses}
    assert single == {"A": (1, False, "民法典"), "B": (3, True, "宪法"), "C": (1, False, "刑法")}
    multiple = {r.key: (r.count, r.correct) for r in items["multiple"].responses}
    assert multiple == {"A": (3, True), "B": (3, True), "C": (0, False)}
    assert items["multiple"].unanswered == 1
    assert {r.key: r.rate for r in items["multiple"].responses}["A"] == pytest.approx(0.6)
    true_false = {r.key: (r.count, r.correct) for r in items["true_false"].responses}
    assert true_false == {"true": (3, True), "false": (2, False)}


def test_statistics_by_hand_and_degenerate_cases():
    # x = [1, 1, 0, 0], rest = [3, 1, 2, 0]: C = 1/3, V(x) = 1/3, V(X) = 5/3 → r = 1/√5;
    # sorted pairing (0,0) (0,1) (1,2) (1,3) gives Cmax = 2/3 → efficiency 0.5.
    stats = item_statistics([1, 1, 0, 0], [3, 1, 2, 0], 1)
    assert stats["facility"] == 0.5
    assert stats["discrimination"] == pytest.approx(1 / math.sqrt(5))
    assert stats["efficiency"] == pytest.approx(0.5)
    assert stats["sd"] == pytest.approx(math.sqrt(1 / 3))
    assert item_statistics([], [], 2) == {"facility": None, "sd": None,
                                          "discrimination": None, "efficiency": None}
    assert item_statistics([2], [5], 2) == {"facility": 1.0, "sd": None,
                                            "discrimination": None, "efficiency": None}
    same = item_statistics([1, 1, 1], [3, 2, 1], 1)
    assert same["sd"] == 0 and same["discrimination"] is None and same["efficiency"] is None
    flat_rest = item_statistics([1, 0, 1], [2, 2, 2], 1)
    assert flat_rest["discrimination"] is None and flat_rest["efficiency"] is None


def test_flags_at_their_thresholds():
    from lawlearn.quiz.item_analysis import ItemStats, _flags

    def flags(facility, discrimination=None, attempts=5):
        return _flags(ItemStats(1, 1, "single", "", 1, attempts=attempts, facility=facility,
                                discrimination=discrimination))

    assert flags(3 / 15) == [] and flags(0.95) == [] and flags(None) == []
    assert flags(0.19) == ["too_hard"] and flags(0.96) == ["too_easy"]
    assert flags(0.5, 0.0) == [] and flags(0.5, -0.01) == ["negative_discrimination"]
    # One person's answer makes a question 0 % or 100 %: fewer than five say nothing.
    assert flags(0.0, attempts=4) == [] and flags(1.0, -0.5, attempts=1) == []


def test_a_question_answered_by_few_is_not_flagged(admin_client, app, make_quiz, make_user):
    """Two people answered: every question was 0 % or 100 % and all were 需要关注."""
    quiz_id = make_quiz(opens_at=None, closes_at=None, points=POINTS)
    with app.app_context():
        for seed, username in enumerate(("few1", "few2")):
            take(make_user(username).id, quiz_id, RIGHT, START + timedelta(minutes=seed), seed)
        analysis = item_analysis(db.session.get(Quiz, quiz_id))
        assert analysis.flagged == 0 and analysis.too_few_to_flag == len(analysis.items) == 4
    html = admin_client.get(f"/admin/quiz/quizzes/{quiz_id}/items").get_data(as_text=True)
    assert "没有需要关注的试题。 作答不足 5 人的试题（4 道）人数太少，不作提示。" in html
    assert "过于容易" not in html.split("<tbody>")[1]


def test_a_quiz_without_attempts(ctx, make_quiz):
    quiz = db.session.get(Quiz, make_quiz())
    results = quiz_results(quiz)
    assert results.people == [] and results.pass_rate is None and results.average is None
    assert sum(band.count for band in results.bands) == 0
    assert item_analysis(quiz).items == []
    assert export_results(quiz, "csv").decode("utf-8-sig").count("\n") == 1  # the header
    with pytest.raises(ValueError):
        export_results(quiz, "pdf")


def test_csv_export(ctx, graded_quiz):
    data = export_results(db.session.get(Quiz, graded_quiz), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    # 得分率 added beside 满分 (the results page's own measure), as in the XLSX.
    assert rows[0] == ["姓名", "用户名", "部门", "成绩", "满分", "得分率", "答题次数", "是否及格",
                       "最后提交时间"]
    by_name = {row[1]: row for row in rows[1:]}
    assert len(by_name) == 6
    # jia submitted at 06:30 UTC, 14:30 in Shanghai.
    assert by_name["jia"] == ["职工jia", "jia", "法制科", "7", "8", "87.5%", "1", "及格",
                              "2024-12-04 14:30"]
    assert by_name["yi"][3:9] == ["7", "8", "87.5%", "2", "及格", "2024-12-04 15:31"]
    assert by_name["wu"][2:8] == ["未分配部门", "3", "8", "37.5%", "1", "不及格"]
    assert by_name["ji"][3:] == ["", "8", "", "1", "", ""]


def test_xlsx_export_with_item_analysis(ctx, graded_quiz):
    data = export_results(db.session.get(Quiz, graded_quiz), "xlsx")
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    # 汇总 first: the results page's figures, which the office had to retype from the screen.
    assert workbook.sheetnames == ["汇总", "成绩", "试题分析", "未交卷"]
    results = quiz_results(db.session.get(Quiz, graded_quiz))
    summary = [list(row) for row in workbook["汇总"].iter_rows(values_only=True)]
    figures = {row[0]: row[1] for row in summary if row and row[0]}
    assert figures["测验"] == results.quiz.title and figures["及格线"] == 0.6
    assert (figures["交卷人数"], figures["交卷次数"], figures["正在答题"]) == (5, 6, 1)
    assert (figures["平均分"], figures["中位数"], figures["及格人数"]) == (5.6, 7, 3)
    assert figures["及格率"] == pytest.approx(0.6)
    assert (figures["最高分"], figures["最低分"]) == (8, 3)
    bands = summary[summary.index(["成绩分布（得分率）", "人数", None, None]) + 1:][:10]
    assert [row[1] for row in bands] == [band.count for band in results.bands]
    departments = summary[summary.index(["部门", "交卷人数", "平均分", "及格率"]) + 1:]
    assert [(row[0], row[1], row[2]) for row in departments] == [
        (d.name, d.people, d.average) for d in results.departments]
    people = [list(row) for row in workbook["成绩"].iter_rows(values_only=True)]
    assert people[0][:6] == ["姓名", "用户名", "部门", "成绩", "满分", "得分率"]
    by_name = {row[1]: row for row in people[1:]}
    assert len(by_name) == 6
    # The time a date cell now (it was text), in the office's time.
    assert by_name["jia"] == ["职工jia", "jia", "法制科", 7, 8, 0.875, 1, "及格",
                              datetime(2024, 12, 4, 14, 30)]
    assert by_name["ji"] == ["职工ji", "ji", "办公室", None, 8, None, 1, None, None]
    items = [list(row) for row in workbook["试题分析"].iter_rows(values_only=True)]
    # Papers with the question, blanks included (作答人数 read as those who answered).
    assert items[0][:6] == ["序号", "试题编号", "题型", "题干", "答卷数（含未作答）", "难度系数"]
    assert [row[2] for row in items[1:]] == ["单选题", "多选题", "判断题", "填空题"]
    assert items[1][5] == pytest.approx(0.6) and items[1][4] == 5
    assert "B：3 人（60.0%）" in items[1][9]
    assert items[3][10] == "区分度为负" and items[4][10] == "过于容易"
    assert items[4][7] is None  # undefined discrimination stays empty
    workbook.close()


# --- pages --------------------------------------------------------------------------------


def test_pages_render_for_admins(admin_client, graded_quiz):
    page = admin_client.get(f"/admin/quiz/quizzes/{graded_quiz}/results")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "职工jia" in html and "60.0%" in html and "<svg" in html and "法制科" in html
    assert "正在答题" in html and "未分配部门" in html
    items = admin_client.get(f"/admin/quiz/quizzes/{graded_quiz}/items")
    assert items.status_code == 200
    html = items.get_data(as_text=True)
    assert "区分度为负" in html and "过于容易" in html and "民法典" in html
    # Each question needing attention is a link to its row (the table can be long).
    links = re.findall(r'<a href="#(q[\w-]+)">第 (\d+) 题</a>', html)
    assert [number for _target, number in links] == ["3", "4"]
    assert all(f'<tr id="{target}"' in html for target, _number in links)
    xlsx = admin_client.get(f"/admin/quiz/quizzes/{graded_quiz}/results.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    assert "attachment" in xlsx.headers["Content-Disposition"]
    exported = admin_client.get(f"/admin/quiz/quizzes/{graded_quiz}/results.csv")
    assert exported.status_code == 200 and exported.data.startswith(b"\xef\xbb\xbf")
    assert exported.mimetype == "text/csv"
    assert admin_client.get(f"/admin/quiz/quizzes/{graded_quiz}/results.pdf").status_code == 400


def test_pages_for_a_quiz_that_does_not_exist_or_has_no_attempts(admin_client, make_quiz):
    for url in ("/admin/quiz/quizzes/1/results", "/admin/quiz/quizzes/1/items",
                "/admin/quiz/quizzes/1/results.xlsx", "/admin/quiz/quizzes/1/results.csv"):
        assert admin_client.get(url).status_code == 404, url
    assert admin_client.get("/admin/quiz/quizzes/1/results.1").status_code == 400
    quiz_id = make_quiz()
    empty = admin_client.get(f"/admin/quiz/quizzes/{quiz_id}/results")
    assert empty.status_code == 200 and "还没有人参加" in empty.get_data(as_text=True)
    items = admin_client.get(f"/admin/quiz/quizzes/{quiz_id}/items")
    assert items.status_code == 200 and "暂无试题分析" in items.get_data(as_text=True)


def test_staff_are_refused(client, login, make_user, graded_quiz):
    login(make_user("staffer"))
    for suffix in ("results", "items", "results.xlsx", "results.csv"):
        assert client.get(f"/admin/quiz/quizzes/{graded_quiz}/{suffix}").status_code == 403


def test_people_are_paginated(app, admin_client, make_quiz, make_user):
    quiz_id = make_quiz(opens_at=None, closes_at=None)
    with app.app_context():
        for index in range(25):
            take(make_user(f"p{index:02d}").id, quiz_id, RIGHT, START, index)
    first = admin_client.get(f"/admin/quiz/quizzes/{quiz_id}/results").get_data(as_text=True)
    assert "第 1 / 2 页" in first and first.count("<td>p") == 20
    second = admin_client.get(f"/admin/quiz/quizzes/{quiz_id}/results?page=2")
    assert second.get_data(as_text=True).count("<td>p") == 5


def test_results_pages_take_the_same_number_of_queries_for_3_or_30_people(
        app, admin_client, make_quiz, make_user, make_department, make_questions, count_queries):
    department = make_department("执法科")
    counts = {}
    for size in (3, 30):
        quiz_id = make_quiz(opens_at=None, closes_at=None, shuffle_options=True)
        with app.app_context():
            for index in range(size):
                user = make_user(f"q{size}-{index}", department_id=department)
                answers = {**RIGHT, "true_false": index % 2 == 0}
                take(user.id, quiz_id, answers, START, index)
        admin_client.get(f"/admin/quiz/quizzes/{quiz_id}/results")  # warm up
        counts[size] = [count_queries(lambda url=url: admin_client.get(url))
                        for url in (f"/admin/quiz/quizzes/{quiz_id}/results",
                                    f"/admin/quiz/quizzes/{quiz_id}/items",
                                    f"/admin/quiz/quizzes/{quiz_id}/results.xlsx")]
    assert counts[3] == counts[30], counts
    assert counts[3][0] <= 8, counts


def test_a_question_edited_meanwhile_is_analysed_per_version(ctx, graded_quiz, make_user):
    """Answers to the old text are counted against the old key, answers to the new text
    against the new one: one item per version, each labelled (Moodle does the same)."""
    from sqlalchemy import select

    from lawlearn.quiz import bank
    from lawlearn.quiz.models import Question

    quiz = db.session.get(Quiz, graded_quiz)
    single = db.session.scalar(select(Question).where(Question.type == "single"))
    editor = db.session.get(User, make_user("editor", roles=("admin", "staff")).id)
    bank.update_question(editor, single, bank.QuestionFields(
        "single", "（改）" + single.stem, list(single.options), "C", difficulty="easy"))
    db.session.commit()
    late = make_user("geng", name="职工geng")
    take(late.id, quiz.id, {**RIGHT, "single": "C"}, START + timedelta(days=1), 7)

    items = [item for item in item_analysis(quiz).items if item.type == "single"]
    assert [(item.version, item.attempts, item.stem.startswith("（改）")) for item in items] \
        == [(1, 5, False), (2, 1, True)]
    first, second = ({r.key: (r.count, r.correct) for r in item.responses} for item in items)
    assert first == {"A": (1, False), "B": (3, True), "C": (1, False)}
    assert second == {"A": (0, False), "B": (0, False), "C": (1, True)}
    assert items[1].correct == 1 and items[1].version_label == "第 2 版"
    others = [item for item in item_analysis(quiz).items if item.type != "single"]
    assert all(item.version is None for item in others)
    assert [item.number for item in item_analysis(quiz).items] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize(("response", "partly"), [
    (None, False), (["根本", ""], True), (["根本"], True), (["", " "], False),
    (["根本", "效力"], False)])
def test_a_fill_in_with_a_blank_left_is_partly_answered(response, partly):
    from lawlearn.quiz.models import AttemptItem

    item = AttemptItem(snapshot={"type": "fill", "blanks": 2}, response=response)
    assert item.partly_answered is partly
    assert AttemptItem(snapshot={"type": "single"}, response="A").partly_answered is False


def test_who_the_quiz_is_for_and_who_has_not_handed_it_in(app, admin_client, make_quiz,
                                                           make_user, make_department):
    """The results page counted those who handed in, and named nobody who had not."""
    from lawlearn.quiz.audience import outstanding

    unit = make_department("执法局")
    section = make_department("法制科", unit)
    other = make_department("办公室")
    done = make_user("done1", name="已交", department_id=section)
    answering = make_user("busy1", name="在答", department_id=unit)
    make_user("idle1", name="未答", department_id=section)
    make_user("left1", name="离职", department_id=section, active=False)
    make_user("boss1", name="管理员", department_id=section, roles=("admin",))  # no 干部职工
    make_user("away1", name="别处", department_id=other)
    named = make_user("named1", name="点名", department_id=other)
    quiz_id = make_quiz(opens_at=None, closes_at=None, points=POINTS, audience_all=False,
                        department_ids=[unit], user_ids=[named.id])
    with app.app_context():
        take(done.id, quiz_id, RIGHT, START, 1)
        take(answering.id, quiz_id, RIGHT, START, 2, submit=False)
        figures = outstanding(db.session.get(Quiz, quiz_id))
        assert (figures.expected, figures.missing) == (4, 3)
        assert sorted(username for _name, username, _dept in figures.named) == \
            ["busy1", "idle1", "named1"]
        assert ("未答", "idle1", "执法局/法制科") in figures.named
    html = admin_client.get(f"/admin/quiz/quizzes/{quiz_id}/results").get_data(as_text=True)
    assert "应参加 4 人，未交卷 3 人" in html
    assert "<td>未答</td><td>idle1</td><td>执法局/法制科</td>" in html
    assert "离职" not in html and "别处" not in html
    # The Excel file lists them all (it had only those who handed in or were answering).
    book = load_workbook(io.BytesIO(admin_client.get(
        f"/admin/quiz/quizzes/{quiz_id}/results.xlsx").data), read_only=True)
    chase = [list(row) for row in book["未交卷"].iter_rows(values_only=True)]
    assert chase[0] == ["姓名", "用户名", "部门"]
    assert sorted(chase[1:]) == sorted(list(row) for row in figures.named)
    assert len(chase) == 4
    everyone = make_quiz(opens_at=None, closes_at=None, title="全员测验")
    html = admin_client.get(f"/admin/quiz/quizzes/{everyone}/results").get_data(as_text=True)
    assert "应参加 6 人，未交卷 6 人" in html  # the six who study; the admin-only account not
    assert "Excel 文件另有“未交卷”工作表" in html
    # A quiz listed to nobody (a session's exit quiz): no one is behind with it, so neither
    # the page nor the file offers a list of them.
    exit_quiz = make_quiz(opens_at=None, closes_at=None, title="随堂测验")
    with app.app_context():
        db.session.get(Quiz, exit_quiz).audience_all = False  # as a session's exit quiz is
        db.session.commit()
    html = admin_client.get(f"/admin/quiz/quizzes/{exit_quiz}/results").get_data(as_text=True)
    assert "未交卷" not in html
    book = load_workbook(io.BytesIO(admin_client.get(
        f"/admin/quiz/quizzes/{exit_quiz}/results.xlsx").data), read_only=True)
    assert book.sheetnames == ["汇总", "成绩", "试题分析"]
    labels = [row[0] for row in book["汇总"].iter_rows(values_only=True)]
    assert "应参加人数" not in labels and "未交卷人数" not in labels  # nobody owed it


def admin_links(html: str) -> set[str]:
    return set(re.findall(r'href="(/admin/[^"#]*)"', html))


def test_the_leader_reads_the_results_and_changes_nothing(client, login, make_user, graded_quiz):
    """主要负责人: read-only everything. The results, the item analysis and the exports
    open; the page offers no change, and every admin link on it opens for them too."""
    login(make_user("chief", roles=("leader",)))
    quizzes = client.get("/admin/quiz/quizzes").get_data(as_text=True)
    assert f'href="/admin/quiz/quizzes/{graded_quiz}/results"' in quizzes
    assert "新建测验" not in quizzes and f"/admin/quiz/quizzes/{graded_quiz}\"" not in quizzes
    results = client.get(f"/admin/quiz/quizzes/{graded_quiz}/results")
    html = results.get_data(as_text=True)
    assert results.status_code == 200 and "职工jia" in html and "60.0%" in html
    assert '<nav class="bottom-nav"' in html  # the staff frame, not the admin's
    items = client.get(f"/admin/quiz/quizzes/{graded_quiz}/items").get_data(as_text=True)
    assert "区分度为负" in items
    for page in (quizzes, html, items):
        assert 'method="post"' not in page
        for link in admin_links(page):
            assert client.get(link).status_code == 200, link
    xlsx = client.get(f"/admin/quiz/quizzes/{graded_quiz}/results.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    # Settings and the bank stay the admins'.
    for url in (f"/admin/quiz/quizzes/{graded_quiz}", "/admin/quiz/questions"):
        assert client.get(url).status_code == 403, url
    assert post_with_csrf(client, "/admin/quiz/quizzes",
                          f"/admin/quiz/quizzes/{graded_quiz}/publish").status_code == 403
