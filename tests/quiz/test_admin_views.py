"""Admin pages of the question bank and quiz settings."""

from __future__ import annotations

import pytest
from lxml import html
from sqlalchemy import func, select

from lawlearn.extensions import db
from lawlearn.quiz.models import Question, QuestionRevision, Quiz
from tests.conftest import field_errors, post_with_csrf
from tests.quiz.test_importing import laws as laws  # noqa: F401  (a fixture)


def test_create_edit_retire_a_question(admin_client, app):
    created = post_with_csrf(admin_client, "/admin/quiz/questions/new", "/admin/quiz/questions/new", {
        "type": "multiple", "stem": "下列属于宪法规定的公民权利的有", "options": "选举权\n受教育权\n纳税",
        "answer": "A、B", "difficulty": "medium", "tags": "宪法；权利"})
    assert created.status_code == 302
    with app.app_context():
        question = db.session.scalar(select(Question))
        assert question.answer == ["A", "B"] and question.tags == ["宪法", "权利"]
        question_id = question.id
    url = f"/admin/quiz/questions/{question_id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert "A B" not in page and 'value="AB"' in page  # the answer shown as typed
    post_with_csrf(admin_client, url, url, {"type": "multiple", "stem": "改后的题干",
                                            "options": "选举权\n受教育权\n纳税", "answer": "AB",
                                            "difficulty": "hard", "tags": ""})
    with app.app_context():
        question = db.session.get(Question, question_id)
        assert question.stem == "改后的题干" and question.revision == 2
        revision = db.session.scalar(select(QuestionRevision))
        assert revision.snapshot["stem"] == "下列属于宪法规定的公民权利的有"
    assert "修改记录" in admin_client.get(url).get_data(as_text=True)
    post_with_csrf(admin_client, url, f"{url}/status", {"status": "retired"})
    with app.app_context():
        assert db.session.get(Question, question_id).status == "retired"
    preview = admin_client.get(f"{url}/preview").get_data(as_text=True)
    assert "职工看到的样子" in preview and "改后的题干" in preview


def test_bad_question_re_renders_with_the_reason(admin_client, app):
    response = post_with_csrf(admin_client, "/admin/quiz/questions/new",
                              "/admin/quiz/questions/new", {
                                  "type": "single", "stem": "题干", "options": "甲\n乙",
                                  "answer": "C", "difficulty": "easy"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "答案 C 没有对应的选项" in html and "甲\n乙" in html
    with app.app_context():
        assert db.session.scalar(select(Question)) is None


@pytest.mark.parametrize(("options", "answer", "reason"), [
    ("甲\n乙\n丙", "AB", "单选题只能有一个答案（填写了 A、B）"),  # "AB" is in "ABC"
    ("甲\n乙\n丙", "BC", "单选题只能有一个答案（填写了 B、C）"),
    ("甲\n乙", "ABC", "单选题只能有一个答案"),
])
def test_a_single_choice_question_takes_one_letter(admin_client, app, options, answer, reason):
    response = post_with_csrf(admin_client, "/admin/quiz/questions/new",
                              "/admin/quiz/questions/new", {
                                  "type": "single", "stem": "题干", "options": options,
                                  "answer": answer, "difficulty": "easy"})
    assert response.status_code == 422
    # Under 答案, where it was typed (it was shown under 题干).
    answer_field = response.get_data(as_text=True).split('name="answer"')[1].split("</div>")[0]
    assert reason in answer_field
    with app.app_context():
        assert db.session.scalar(select(Question)) is None


def test_create_and_publish_a_quiz_with_rules(admin_client, app, make_questions,
                                              make_department):
    make_questions()
    unit = make_department("区政府办公室")
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", {
        "title": "年度考试", "is_exam": "y", "opens_at": "2026-12-01T09:00",
        "closes_at": "2026-12-01T10:30", "time_limit_minutes": "90", "attempts_allowed": "3",
        "grading": "highest", "pass_percent": "60", "selection": "random",
        "rules": "单选 1 宪法\n判断 1", "points_single": "2", "points_multiple": "3",
        "points_true_false": "1", "points_fill": "2", "show_answers": "after_close",
        "department_ids": [str(unit)]})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        quiz = db.session.scalar(select(Quiz))
        assert quiz.is_exam and not quiz.audience_all and quiz.time_limit_minutes == 90
        assert [(r.type, r.count, r.tag) for r in quiz.rules] == [("single", 1, "宪法"),
                                                                   ("true_false", 1, None)]
        # 09:00 in Asia/Shanghai is 01:00 UTC
        assert quiz.opens_at.hour == 1
        quiz_id = quiz.id
    url = f"/admin/quiz/quizzes/{quiz_id}"
    form = admin_client.get(url).get_data(as_text=True)
    assert "单选 1 宪法" in form and 'value="2026-12-01T09:00"' in form
    # A random draw's paper is said before anyone takes it: 1 × 2 + 1 × 1 points.
    assert "按已保存的设置，每份试卷 2 题，满分 3 分。" in form
    # 发布 asks first, and warns that unsaved edits below do not go with it.
    [publish] = html.fromstring(form).xpath(f'//form[@action="{url}/publish"]//button')
    assert publish.text == "发布" and "未保存的修改不会一起发布" in publish.get("data-confirm")
    post_with_csrf(admin_client, url, f"{url}/publish", {"published": "1"})
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).published
    [withdraw] = html.fromstring(admin_client.get(url).get_data(as_text=True)).xpath(
        f'//form[@action="{url}/publish"]//button')
    assert withdraw.text == "撤回" and "撤回后职工将看不到" in withdraw.get("data-confirm")


def test_a_pass_mark_of_zero_is_kept_and_year_one_is_a_form_error(admin_client, app,
                                                                   make_questions):
    make_questions()
    fields = {"title": "不设及格线的练习", "opens_at": "", "closes_at": "", "grading": "highest",
              "pass_percent": "0", "selection": "random", "rules": "判断 1",
              "points_single": "2", "points_multiple": "3", "points_true_false": "1",
              "points_fill": "2", "show_answers": "after_close", "audience_all": "y"}
    year_one = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new",
                              {**fields, "opens_at": "0001-01-01T00:00"})
    assert year_one.status_code == 422 and "日期须在" in year_one.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Quiz)) is None
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new",
                              "/admin/quiz/quizzes/new", fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Quiz)).pass_percent == 0


def test_rules_that_ask_for_too_many_questions_are_refused(admin_client, app, make_questions):
    make_questions()
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", {
        "title": "太多", "grading": "highest", "pass_percent": "60", "selection": "random",
        "rules": "单选 5", "points_single": "2", "points_multiple": "3",
        "points_true_false": "1", "points_fill": "2", "show_answers": "never",
        "audience_all": "y"})
    assert response.status_code == 422 and "不足 5 道" in response.get_data(as_text=True)


def test_quiz_for_named_people(admin_client, app, make_questions, make_user):
    ids = make_questions()
    make_user("chosen")
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", {
        "title": "点名测验", "grading": "highest", "pass_percent": "60", "selection": "fixed",
        "question_ids": ",".join(map(str, ids)), "points_single": "2", "points_multiple": "3",
        "points_true_false": "1", "points_fill": "2", "show_answers": "never",
        "usernames": "chosen nobody"})
    assert response.status_code == 422 and "没有这些用户：nobody" in response.get_data(as_text=True)
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", {
        "title": "点名测验", "grading": "highest", "pass_percent": "60", "selection": "fixed",
        "question_ids": ",".join(map(str, ids)), "points_single": "2", "points_multiple": "3",
        "points_true_false": "1", "points_fill": "2", "show_answers": "never",
        "usernames": "Chosen"})
    assert response.status_code == 302
    with app.app_context():
        quiz = db.session.scalar(select(Quiz))
        assert not quiz.audience_all and [a.user_id for a in quiz.audience if a.user_id]


def test_fixed_quiz_saves_again_and_blank_attempts_mean_unlimited(admin_client, app,
                                                                  make_questions):
    ids = make_questions()
    data = {"title": "固定", "grading": "highest", "pass_percent": "60", "selection": "fixed",
            "question_ids": ",".join(map(str, ids)), "points_single": "2",
            "points_multiple": "3", "points_true_false": "1", "points_fill": "2",
            "show_answers": "never", "audience_all": "y", "attempts_allowed": ""}
    created = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new",
                             data)
    url = created.headers["Location"]
    again = post_with_csrf(admin_client, url, url, data)  # same questions: no clash
    reordered = post_with_csrf(admin_client, url, url, {
        **data, "question_ids": ",".join(map(str, reversed(ids)))})
    assert again.status_code == reordered.status_code == 302
    with app.app_context():
        quiz = db.session.scalar(select(Quiz))
        assert quiz.attempts_allowed is None
        assert [e.question_id for e in quiz.fixed_questions] == list(reversed(ids))


def test_a_question_retired_since_it_was_chosen_does_not_block_the_quiz(admin_client, app,
                                                                        make_questions):
    import re

    ids = make_questions()
    data = {"title": "固定", "grading": "highest", "pass_percent": "60", "selection": "fixed",
            "question_ids": ",".join(map(str, ids)), "points_single": "2",
            "points_multiple": "3", "points_true_false": "1", "points_fill": "2",
            "show_answers": "never", "audience_all": "y"}
    url = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new",
                         data).headers["Location"]
    with app.app_context():
        db.session.get(Question, ids[0]).status = "retired"
        db.session.commit()
    page = admin_client.get(url).get_data(as_text=True)
    assert f"试题 {ids[0]} 已停用，已从试题编号中去掉" in page
    shown = re.search(r'<textarea[^>]*name="question_ids"[^>]*>\s*([^<]*)</textarea>', page)
    assert shown.group(1).strip() == ", ".join(map(str, ids[1:]))
    saved = post_with_csrf(admin_client, url, url, {**data, "question_ids": shown.group(1),
                                                    "title": "固定（改）"})
    assert saved.status_code == 302
    with app.app_context():
        quiz = db.session.scalar(select(Quiz))
        assert quiz.title == "固定（改）"
        assert [e.question_id for e in quiz.fixed_questions] == ids[1:]


def test_rules_count_tag_and_difficulty(admin_client, make_questions):
    make_questions()
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", {
        "title": "按标签", "grading": "highest", "pass_percent": "60", "selection": "random",
        "rules": "单选 1 民法典", "points_single": "2", "points_multiple": "3",
        "points_true_false": "1", "points_fill": "2", "show_answers": "never",
        "audience_all": "y"})
    assert response.status_code == 422 and "符合“民法典”的" in response.get_data(as_text=True)


def test_the_question_page_names_the_quizzes_that_use_it(admin_client, make_questions):
    ids = make_questions()
    data = {"title": "宪法周测", "grading": "highest", "pass_percent": "60",
            "selection": "fixed", "question_ids": str(ids[0]), "points_single": "2",
            "points_multiple": "3", "points_true_false": "1", "points_fill": "2",
            "show_answers": "never", "audience_all": "y"}
    post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", data)
    used = admin_client.get(f"/admin/quiz/questions/{ids[0]}").get_data(as_text=True)
    assert "本题已用于 1 个测验：" in used and "《宪法周测》" in used
    assert "试题分析按版本分列" in used
    # Retiring is asked first in words that say published quizzes lose it too.
    assert "已发布的测验也不再出这道题（固定题目的测验少一题）" in used
    unused = admin_client.get(f"/admin/quiz/questions/{ids[1]}").get_data(as_text=True)
    assert "本题已用于" not in unused


def test_a_copy_of_a_bank_question_is_refused_and_a_retired_one_named(admin_client, app):
    fields = {"type": "single", "stem": "我国的根本大法是？", "options": "民法典\n宪法\n刑法",
              "answer": "B", "difficulty": "easy"}
    first = post_with_csrf(admin_client, "/admin/quiz/questions/new",
                           "/admin/quiz/questions/new", fields)
    question_id = int(first.headers["Location"].rsplit("/", 1)[1])
    # The same stem and options, spelt with other spaces and punctuation: refused.
    copy = post_with_csrf(admin_client, "/admin/quiz/questions/new", "/admin/quiz/questions/new",
                          {**fields, "stem": "我国的根本大法是 ？", "answer": "A"})
    assert copy.status_code == 422
    assert f"题库中已有相同的试题 #{question_id}（题干和选项都相同）。" in copy.get_data(as_text=True)
    with app.app_context():
        db.session.get(Question, question_id).status = "retired"
        db.session.commit()
    # (Another answer: the very same form again within minutes would be a resend, sent to
    # the question it made; see tests/test_submissions.py.)
    again = post_with_csrf(admin_client, "/admin/quiz/questions/new",
                           "/admin/quiz/questions/new", {**fields, "answer": "C"})
    assert again.status_code == 422
    assert f"与已停用的试题 #{question_id} 相同" in again.get_data(as_text=True)
    # Editing another question into a copy is refused too; editing itself is not.
    other = post_with_csrf(admin_client, "/admin/quiz/questions/new",
                           "/admin/quiz/questions/new", {**fields, "stem": "另一道题"})
    other_url = other.headers["Location"]
    assert post_with_csrf(admin_client, other_url, other_url, fields).status_code == 422
    url = f"/admin/quiz/questions/{question_id}"
    assert post_with_csrf(admin_client, url, url, {**fields, "answer": "C"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 2


@pytest.mark.parametrize(("points", "message"), [
    ("inf", "请填写数字。"), ("nan", "请填写数字。"), ("1000", "每题分值须在 0 到 100 之间。"),
])
def test_quiz_points_must_be_a_finite_number_in_range(admin_client, app, make_questions,
                                                     points, message):
    """Infinite points were saved, then broke the results pages, exports and the API."""
    ids = make_questions()
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", {
        "title": "分值", "grading": "highest", "pass_percent": "60", "selection": "fixed",
        "question_ids": ",".join(map(str, ids)), "points_single": points,
        "points_multiple": "3", "points_true_false": "1", "points_fill": "2",
        "show_answers": "never", "audience_all": "y"})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Quiz)) == 0


QUIZ_FORM = {"title": "检查", "grading": "highest", "pass_percent": "60", "selection": "fixed",
             "points_single": "2", "points_multiple": "3", "points_true_false": "1",
             "points_fill": "2", "show_answers": "never", "audience_all": "y"}


@pytest.mark.parametrize(("changes", "message"), [
    ({"question_ids": "1，²"}, "试题编号只能是数字。"),  # "²".isdigit() is True
    ({"question_ids": "99999999999999999999"}, "试题编号 99999999999999999999 不存在或已停用"),
    ({"selection": "random", "rules": "判断 ³"}, "第 1 条规则看不懂"),
    ({"selection": "random", "rules": "单选 1\n\n判断 2 走查 超难"},  # a blank line between
     "第 2 条规则有两个标签“走查”“超难”：每条规则只能有一个标签；难度请写易、中或难。"),
    ({"selection": "random", "rules": "判断 1 易 难"}, "第 1 条规则只能有一个难度：“判断 1 易 难”"),
    ({"selection": "random", "rules": "单选 1\n单选 1"}, "各条规则共需单选题 2 道，题库中只有 1 道。"),
    ({"selection": "random", "rules": "单选 5 易"}, "符合“易”的单选题只有 1 道，不足 5 道。"),
    ({"selection": "random", "rules": "单选 5"}, "题库中的单选题只有 1 道，不足 5 道。"),
    ({"question_ids": "1", "audience_all": "", "department_ids": "424242"},
     "所选部门不存在或已被删除"),
])
def test_odd_quiz_settings_are_refused_in_words(admin_client, app, make_questions, changes,
                                                message):
    """Each of these was a 500 or a quiz that could not start."""
    ids = make_questions()
    data = {**QUIZ_FORM, **changes}
    data["question_ids"] = data.get("question_ids", "").replace("1", str(ids[0]), 1) \
        if data.get("question_ids") == "1" else data.get("question_ids", "")
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new",
                              {k: v for k, v in data.items() if v != ""})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Quiz)) == 0


def test_the_quiz_form_names_every_problem_at_once(admin_client, app, make_questions):
    """An end before the start, two draw rules the bank cannot fill and a department gone:
    each under its field in one answer (the form showed only the first)."""
    make_questions()
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", {
        **QUIZ_FORM, "opens_at": "2030-05-02T09:00", "closes_at": "2030-05-01T09:00",
        "selection": "random", "rules": "单选 5\n判断 9", "audience_all": "",
        "department_ids": "424242"})
    assert response.status_code == 422
    page = html.fromstring(response.get_data(as_text=True))

    def errors(name: str) -> list[str]:
        return field_errors(page, name)

    assert errors("closes_at") == ["结束时间须晚于开始时间。"]
    assert errors("rules") == ["题库中的单选题只有 1 道，不足 5 道。",
                               "题库中的判断题只有 1 道，不足 9 道。"]
    assert errors("department_ids") == ["所选部门不存在或已被删除，请重新选择。"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Quiz)) == 0


def test_the_form_s_own_refusals_come_with_the_rest(admin_client, app, make_questions):
    """A pass mark of 150 (the form's own check) hid the other problems until it was
    mended: an end before the start, a question number not in the bank, an unknown
    username and an unreadable draw rule came one submission later."""
    make_questions()
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", {
        **QUIZ_FORM, "pass_percent": "150", "time_limit_minutes": "0",
        "opens_at": "2030-05-02T09:00", "closes_at": "2030-05-01T09:00",
        "question_ids": "999999", "usernames": "nobody-here"})
    assert response.status_code == 422
    page = html.fromstring(response.get_data(as_text=True))
    assert field_errors(page, "pass_percent") and field_errors(page, "time_limit_minutes")
    assert field_errors(page, "closes_at") == ["结束时间须晚于开始时间。"]
    assert field_errors(page, "question_ids") == ["试题编号 999999 不存在或已停用。"]
    assert field_errors(page, "usernames") == ["没有这些用户：nobody-here"]
    # Only the form's checks failing, the reading's problems still come with them.
    random = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", {
        **QUIZ_FORM, "pass_percent": "-1", "selection": "random", "rules": "单选 五"})
    page = html.fromstring(random.get_data(as_text=True))
    assert field_errors(page, "rules") == ["第 1 条规则看不懂：“单选 五”"]
    assert field_errors(page, "pass_percent")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Quiz)) == 0


def test_a_field_that_could_not_be_read_is_not_also_called_empty(admin_client, app,
                                                                   make_questions):
    """One unknown username also said "请选择参加测验的部门或人员", as if none were typed."""
    make_questions()
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", {
        **QUIZ_FORM, "audience_all": "", "usernames": "nobody-here", "question_ids": "1，²"})
    page = html.fromstring(response.get_data(as_text=True))
    assert field_errors(page, "usernames") == ["没有这些用户：nobody-here"]
    assert field_errors(page, "department_ids") == []
    assert field_errors(page, "question_ids") == ["试题编号只能是数字。"]


def test_a_question_number_typed_twice_is_named_not_dropped(admin_client, app,
                                                             make_questions):
    """"3, 5, 3" made a paper of two questions without a word."""
    ids = make_questions()
    typed = f"{ids[0]}, {ids[1]}，{ids[0]} 99999999 {ids[1]}"
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new",
                              {**QUIZ_FORM, "question_ids": typed})
    assert response.status_code == 422
    page = html.fromstring(response.get_data(as_text=True))
    assert field_errors(page, "question_ids") == [
        "试题编号 99999999 不存在或已停用。",
        f"试题编号 {ids[0]}、{ids[1]} 重复填写，每道题只能出现一次。"]
    assert page.xpath("//textarea[@name='question_ids']")[0].text.strip() == typed
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Quiz)) == 0


def test_a_published_quiz_keeps_its_questions(admin_client, app, make_quiz):
    quiz_id = make_quiz()  # published, fixed questions
    url = f"/admin/quiz/quizzes/{quiz_id}"
    emptied = post_with_csrf(admin_client, url, url, {**QUIZ_FORM, "question_ids": ""})
    assert emptied.status_code == 422
    assert "已发布的测验至少要有一道试题；如需停用，请先撤回。" in emptied.get_data(as_text=True)
    no_rules = post_with_csrf(admin_client, url, url, {**QUIZ_FORM, "selection": "random"})
    assert "已发布的测验至少要有一条抽题规则" in no_rules.get_data(as_text=True)
    with app.app_context():
        assert len(db.session.get(Quiz, quiz_id).fixed_questions) == 4
    # Its paper as saved: the sample's four types at the default points.
    from lawlearn.quiz.services import DEFAULT_POINTS

    full = sum(DEFAULT_POINTS.values())
    assert f"每份试卷 4 题，满分 {full:g} 分。" in admin_client.get(url).get_data(as_text=True)


def test_an_unknown_article_is_shown_under_the_article_field(admin_client, laws):
    response = post_with_csrf(admin_client, "/admin/quiz/questions/new",
                              "/admin/quiz/questions/new", {
                                  "type": "true_false", "stem": "题干", "answer": "对",
                                  "difficulty": "easy", "article": "宪法第九百条"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    field = html.split('name="article"')[1].split("</div>")[0]
    assert "《宪法》没有第 900 条" in field


def test_retiring_a_question_a_live_quiz_still_needs_is_refused(admin_client, app,
                                                                 make_questions, make_quiz):
    """An exam drawing 填空 1 from a bank of one fill-in question, and a fixed quiz of one
    question: retiring it would refuse every taker on the day, so it is refused, naming
    each quiz; once the exam has closed, or the fixed quiz has another question, it goes."""
    from datetime import timedelta

    from lawlearn.database import utcnow

    ids = make_questions()  # one of each type: the fill-in question is the last
    fill_id = ids[3]
    exam_id = make_quiz(title="年度学法考试", rules=[("fill", 1)])
    fixed_id = make_quiz(question_ids=[fill_id], title="填空小测")
    url = f"/admin/quiz/questions/{fill_id}"
    refused = post_with_csrf(admin_client, url, f"{url}/status", {"status": "retired"},
                             follow_redirects=True).get_data(as_text=True)
    assert "不能停用此题" in refused
    assert "《年度学法考试》：题库中的填空题只有 0 道，不足 1 道。" in refused
    assert "《填空小测》：将没有可用的试题。" in refused
    with app.app_context():
        assert db.session.get(Question, fill_id).status == "active"
        db.session.get(Quiz, exam_id).closes_at = utcnow() - timedelta(minutes=1)
        db.session.get(Quiz, fixed_id).published = False
        db.session.commit()
    post_with_csrf(admin_client, url, f"{url}/status", {"status": "retired"})
    with app.app_context():
        assert db.session.get(Question, fill_id).status == "retired"


def test_an_edit_that_takes_a_question_out_of_a_live_draw_is_refused(app, admin, make_questions,
                                                                      make_quiz):
    """A new tag, difficulty or type takes a question out of draws as retiring does."""
    from lawlearn.accounts.models import User
    from lawlearn.errors import Conflict
    from lawlearn.quiz import bank
    from tests.quiz.fixtures import SAMPLE

    fill_id = make_questions()[3]  # the bank's one fill-in question, tagged 宪法
    make_quiz(title="宪法填空", rules=[("fill", 1, "宪法")])
    fields = SAMPLE[3]
    with app.app_context():
        actor, question = db.session.get(User, admin.id), db.session.get(Question, fill_id)
        with pytest.raises(Conflict, match="《宪法填空》：符合“宪法”的填空题只有 0 道"):
            bank.update_question(actor, question, type(fields)(**{**vars(fields),
                                                                 "tags": ["民法典"]}))
        db.session.rollback()
        question = db.session.get(Question, fill_id)
        assert question.tags == ["宪法"] and question.revision == 1
        # The stem may change: it stays in the draw.
        bank.update_question(actor, question, type(fields)(**{**vars(fields),
                                                             "stem": fields.stem + "？"}))
        db.session.commit()
        assert db.session.get(Question, fill_id).revision == 2


def test_a_quiz_a_published_plan_asks_for_keeps_the_plans_audience(app, make_questions,
                                                                    make_quiz, make_department,
                                                                    make_user):
    """Narrowing the quiz would leave part of the plan's people unable to do its item."""
    from datetime import date

    from lawlearn.database import utcnow
    from lawlearn.errors import ValidationFailed
    from lawlearn.plans import authoring as plans
    from lawlearn.plans import publishing
    from lawlearn.quiz.authoring import quiz_fields_of, update_quiz

    justice, office = make_department("区司法局"), make_department("区政府办公室")
    make_user("ann", department_id=justice)
    make_user("bob", department_id=office)
    quiz_id = make_quiz(title="全员测验")
    now = utcnow()
    with app.app_context():
        plan = plans.create_plan(None, plans.PlanFields(
            title="年度计划", starts_on=date(now.year, 1, 1), ends_on=date(now.year, 12, 31)),
            now)
        plans.add_item(None, plan, plans.ItemFields(kind="quiz", settings={"quiz_id": quiz_id}),
                       now)
        publishing.publish_plan(None, plan, now)
        db.session.commit()
        quiz = db.session.get(Quiz, quiz_id)
        narrowed = quiz_fields_of(quiz)
        narrowed.audience_all, narrowed.department_ids = False, [justice]
        with pytest.raises(ValidationFailed, match="《年度计划》的“.*”（1 人）"):
            update_quiz(None, quiz, narrowed)
        db.session.rollback()
        assert db.session.get(Quiz, quiz_id).audience_all
        widened = quiz_fields_of(db.session.get(Quiz, quiz_id))
        widened.title = "全员测验（改）"  # other edits go through
        update_quiz(None, db.session.get(Quiz, quiz_id), widened)
        db.session.commit()
        assert db.session.get(Quiz, quiz_id).title == "全员测验（改）"


def test_options_pasted_with_their_letters_lose_them(admin_client, app):
    """"A. 30日" pasted from a paper showed as "A  A. 30日": the letters go when every option
    has the next one; an option that only begins with a letter keeps it."""
    from lawlearn.quiz.bank import without_option_labels

    assert without_option_labels(["A. 30日", "B．60日", "（C）90日", "d、半年"]) == [
        "30日", "60日", "90日", "半年"]
    assert without_option_labels(["Ａ：是", "Ｂ 否"]) == ["是", "否"]
    kept = ["A型血", "B型血", "O型血"]
    assert without_option_labels(kept) == kept
    assert without_option_labels(["B. 甲", "A. 乙"]) == ["B. 甲", "A. 乙"]  # not in turn
    created = post_with_csrf(admin_client, "/admin/quiz/questions/new",
                             "/admin/quiz/questions/new", {
                                 "type": "single", "stem": "申请行政复议的期限一般为",
                                 "options": "A. 30日\nB. 60日\nC. 90日", "answer": "B",
                                 "difficulty": "easy", "tags": ""})
    assert created.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Question.options)) == ["30日", "60日", "90日"]


def test_once_papers_are_in_the_pass_mark_and_points_stay(admin_client, app, make_quiz,
                                                          make_user):
    """The pass mark raised from 60 to 70 after four papers: the results page said 不及格,
    the paper's own review 及格 and the reports counted it passed."""
    import random

    from lawlearn.accounts.models import User
    from lawlearn.database import utcnow
    from lawlearn.quiz import services

    quiz_id = make_quiz()
    url = f"/admin/quiz/quizzes/{quiz_id}"
    settings = {**QUIZ_FORM, "question_ids": ""}
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        settings["question_ids"] = ",".join(str(e.question_id) for e in quiz.fixed_questions)
        settings.update(title=quiz.title, pass_percent=str(quiz.pass_percent))
    # No paper yet: anything may change
    assert post_with_csrf(admin_client, url, url, {**settings, "pass_percent": "65"}
                          ).status_code == 302
    settings["pass_percent"] = "65"
    with app.app_context():
        taker = db.session.get(User, make_user("taker").id)
        attempt, _ = services.start_attempt(taker, db.session.get(Quiz, quiz_id), utcnow(),
                                            random.Random(1))
        services.submit_attempt(attempt, utcnow())
        db.session.commit()
    refused = post_with_csrf(admin_client, url, url, {
        **settings, "pass_percent": "70", "points_single": "5", "title": "改名可以"})
    assert refused.status_code == 422
    page = html.fromstring(refused.get_data(as_text=True))
    assert field_errors(page, "pass_percent") == [
        "已有 1 份答卷交卷，及格线不能再改：已交的答卷按原设置评分。如需按新设置考试，请新建一个测验。"]
    assert field_errors(page, "points_single") == [
        "已有 1 份答卷交卷，单选题分值不能再改：已交的答卷按原设置评分。如需按新设置考试，请新建一个测验。"]
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert (quiz.pass_percent, quiz.title) == (65, "宪法小测")
    # Everything else still may
    assert post_with_csrf(admin_client, url, url, {**settings, "title": "改名可以"}
                          ).status_code == 302
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).title == "改名可以"


def test_a_quiz_for_everyone_and_some_departments_is_refused(admin_client, app, make_questions,
                                                             make_department):
    """As on the session form: the departments chosen under 全体人员参加 were dropped."""
    make_questions()
    unit = make_department("审批一科")
    response = post_with_csrf(admin_client, "/admin/quiz/quizzes/new", "/admin/quiz/quizzes/new", {
        "title": "科室测验", "attempts_allowed": "1", "grading": "highest",
        "pass_percent": "60", "selection": "random", "rules": "判断 1",
        "points_single": "2", "points_multiple": "3", "points_true_false": "1",
        "points_fill": "2", "show_answers": "after_close", "audience_all": "y",
        "department_ids": [str(unit)]})
    assert response.status_code == 422
    assert "勾选了“全体人员参加”，又选择了部门或人员" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Quiz)) is None
    # The refusal is said at the top of the long form, linked to the field (it sat 1,500 px
    # down, under the field, and the save looked done).
    page = html.fromstring(response.get_data(as_text=True))
    [summary] = page.xpath('//form//div[contains(@class, "error-summary")]')
    assert summary.get("role") == "alert" and summary.get("autofocus") is not None
    [link] = summary.xpath(".//a")
    assert link.get("href") == "#department_ids" and "全体人员参加" in link.text_content()
    assert page.xpath('//*[@id="department_ids"]')


def test_moving_the_close_earlier_ends_the_attempts_under_way_by_then(
        app, admin_client, make_user, make_quiz):
    """Attempts kept the deadline they started with: after the close was moved earlier the
    person went on answering (and handed in "on time") while the closed quiz showed its
    answers to everyone else. The admin is told how many were under way."""
    from datetime import timedelta

    from lxml import html as lxml_html

    from lawlearn.accounts.models import User
    from lawlearn.database import utcnow
    from lawlearn.localtime import local_moment
    from lawlearn.quiz import services
    from lawlearn.quiz.models import Attempt

    quiz_id = make_quiz(time_limit_minutes=60)
    other_quiz = make_quiz(title="别的测验", time_limit_minutes=60)
    taker, done = make_user("late"), make_user("done")
    with app.app_context():
        person = db.session.get(User, taker.id)
        attempt, _new = services.start_attempt(person, db.session.get(Quiz, quiz_id), utcnow())
        # Not touched: a paper handed in, and an attempt at another quiz.
        handed, _new = services.start_attempt(db.session.get(User, done.id),
                                              db.session.get(Quiz, quiz_id), utcnow())
        services.submit_attempt(handed, utcnow())
        elsewhere, _new = services.start_attempt(person, db.session.get(Quiz, other_quiz),
                                                 utcnow())
        db.session.commit()
        attempt_id, started_deadline = attempt.id, attempt.deadline
        untouched = {handed.id: handed.deadline, elsewhere.id: elsewhere.deadline}
    assert started_deadline > utcnow() + timedelta(minutes=55)

    page = admin_client.get(f"/admin/quiz/quizzes/{quiz_id}")
    form = lxml_html.fromstring(page.data).xpath('//form[.//input[@name="closes_at"]]')[0]
    fields = dict(form.form_values())
    with app.app_context():  # the form is in the office's time
        fields["closes_at"] = local_moment(utcnow() + timedelta(minutes=10)).strftime(
            "%Y-%m-%dT%H:%M")
    saved = admin_client.post(f"/admin/quiz/quizzes/{quiz_id}", data=fields, follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "测验已保存" in text and "1 人正在答题：其交卷时限已提前到新的结束时间" in text
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        quiz = db.session.get(Quiz, quiz_id)
        assert attempt.deadline == quiz.closes_at < started_deadline
        assert {key: db.session.get(Attempt, key).deadline for key in untouched} == untouched
        # Moving the close later, or another edit, shortens nothing and says nothing.
        from lawlearn.quiz.authoring import quiz_fields_of, update_quiz

        later = quiz_fields_of(quiz)
        later.closes_at, later.title = quiz.closes_at + timedelta(days=1), "宪法小测（改）"
        assert update_quiz(None, quiz, later) == 0
        db.session.rollback()
        # Once that time has passed, the attempt closes at it, as a timed-out one does.
        assert services.finalize_if_expired(attempt, quiz.closes_at + timedelta(seconds=1))
        assert attempt.submitted_at == quiz.closes_at and attempt.auto_submitted


def test_the_quiz_list_says_which_are_running_closed_or_to_come(app, admin_client, make_quiz):
    """已发布 alone said nothing of a quiz that closed long ago."""
    from datetime import timedelta

    from lawlearn.database import utcnow

    make_quiz(title="进行中的测验")
    closed = make_quiz(title="已结束的测验")
    later = make_quiz(title="下周的测验")
    with app.app_context():
        db.session.get(Quiz, closed).closes_at = utcnow() - timedelta(days=1)
        db.session.get(Quiz, later).opens_at = utcnow() + timedelta(days=7)
        db.session.commit()
    page = html.fromstring(admin_client.get("/admin/quiz/quizzes").data)
    states = {row.xpath("./td[1]/a")[0].text: row.xpath("./td[4]")[0].text_content().strip()
              for row in page.xpath("//tbody/tr")}
    assert states == {"进行中的测验": "进行中", "已结束的测验": "已结束",
                      "下周的测验": "已发布，未开始"}


def test_publishing_tells_the_quizs_people_once(app, admin_client, make_quiz, make_user,
                                                 make_department):
    """Staff learned of a new exam only by opening 答题: publishing puts it in the bell of
    everyone it is for, once (withdrawn and published again, nobody twice)."""
    from datetime import timedelta

    from sqlalchemy import select

    from lawlearn.database import utcnow
    from lawlearn.plans.models import Notice

    section, elsewhere = make_department("法制科"), make_department("办公室")
    ann = make_user("ann", department_id=section)
    make_user("bob", department_id=elsewhere)
    make_user("gone", department_id=section, active=False)
    quiz_id = make_quiz(title="宪法日考试", is_exam=True, audience_all=False,
                        department_ids=[section], time_limit_minutes=30)
    with app.app_context():
        db.session.get(Quiz, quiz_id).published = False
        db.session.commit()
    url = f"/admin/quiz/quizzes/{quiz_id}"
    done = post_with_csrf(admin_client, url, f"{url}/publish", {"published": "1"},
                          follow_redirects=True)
    assert "已发布，已通知 1 人" in done.get_data(as_text=True)
    with app.app_context():
        notices = db.session.execute(select(Notice.user_id, Notice.title, Notice.body,
                                            Notice.link)).all()
    assert [(n.user_id, n.title, n.link) for n in notices] == [
        (ann.id, "新考试：《宪法日考试》", f"/quizzes/{quiz_id}")]
    assert "限时 30 分钟" in notices[0].body and "开放时间" in notices[0].body
    post_with_csrf(admin_client, url, f"{url}/publish", {"published": "0"})
    again = post_with_csrf(admin_client, url, f"{url}/publish", {"published": "1"},
                           follow_redirects=True)
    assert "已发布。" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Notice.id))) == 1
        # A quiz already closed tells nobody.
        closed_quiz = make_quiz(title="旧测验", closes_at=utcnow() - timedelta(days=1),
                                opens_at=utcnow() - timedelta(days=2))
        from lawlearn.quiz.announce import announce_quiz

        assert announce_quiz(db.session.get(Quiz, closed_quiz), utcnow()) == 0


def _listed(client, query: str = "") -> dict[str, str]:
    """Title → state cell of the admin quiz list at ``query``."""
    page = html.fromstring(client.get(f"/admin/quiz/quizzes{query}").data)
    return {row.xpath("./td[1]/a")[0].text: row.xpath("./td[4]")[0].text_content().strip()
            for row in page.xpath("//tbody/tr")}


def test_the_quiz_list_is_searched_and_filtered_by_state_and_kind(app, admin_client, make_quiz):
    """Years of quizzes are hundreds of rows: the admin finds one by its title, its state
    or whether it is an exam, and each state's filter lists exactly the rows showing it."""
    from datetime import timedelta

    from lawlearn.database import utcnow

    make_quiz(title="宪法周考试", is_exam=True)
    make_quiz(title="民法典练习")
    closed = make_quiz(title="去年的宪法考试", is_exam=True)
    later = make_quiz(title="下周的练习")
    endless = make_quiz(title="长期开放的练习", opens_at=None, closes_at=None)
    draft = make_quiz(title="草稿测验")
    with app.app_context():
        db.session.get(Quiz, closed).closes_at = utcnow() - timedelta(days=1)
        db.session.get(Quiz, later).opens_at = utcnow() + timedelta(days=7)
        db.session.get(Quiz, draft).published = False
        db.session.commit()
    everything = _listed(admin_client)
    assert len(everything) == 6 and everything["长期开放的练习"] == "进行中"
    assert endless
    for state in ("draft", "upcoming", "open", "closed"):
        shown = _listed(admin_client, f"?state={state}")
        assert shown, state
        assert shown == {title: cell for title, cell in everything.items()
                         if cell == next(iter(shown.values()))}
    assert set(_listed(admin_client, "?state=open")) == {"宪法周考试", "民法典练习",
                                                         "长期开放的练习"}
    assert set(_listed(admin_client, "?kind=exam")) == {"宪法周考试", "去年的宪法考试"}
    assert set(_listed(admin_client, "?q=宪法&kind=exam&state=closed")) == {"去年的宪法考试"}
    # A LIKE wildcard is a character to look for, not "anything".
    assert _listed(admin_client, "?q=%25") == {}
    assert "没有符合条件的测验" in admin_client.get("/admin/quiz/quizzes?q=%25").get_data(True)
    # A hand-edited state or kind narrows nothing.
    assert _listed(admin_client, "?state=gone&kind=x") == everything


def test_the_quiz_list_is_paged(app, admin_client, make_quiz, make_questions):
    ids = make_questions()
    for number in range(23):
        make_quiz(question_ids=ids, title=f"第{number:02d}期测验")
    first, second = _listed(admin_client), _listed(admin_client, "?page=2")
    assert len(first) == 20 and len(second) == 3 and not set(first) & set(second)
    assert "第22期测验" in first and "第00期测验" in second  # newest first
    page = admin_client.get("/admin/quiz/quizzes?q=期测验").get_data(True)
    assert "第 1 / 2 页，共 23 条" in page and "page=2" in page and "q=" in page
