"""Question bank import on real XLSX and CSV files: every spelling offices use, all or nothing."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from lxml import html as lxml_html
from openpyxl import Workbook, load_workbook
from sqlalchemy import delete, func, select

from lawlearn.accounts.models import AuditEntry
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.quiz import import_template, importing
from lawlearn.quiz.cli import questions_cli
from lawlearn.quiz.models import Question
from tests.conftest import csrf_from

HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F",
          "答案", "解析", "标签", "难度", "法条"]
CN_DIGITS = "零一二三四五六七八九"


def cn(n: int) -> str:
    """33 → 三十三 (enough for test laws under 100 articles)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{'' if tens == 1 else CN_DIGITS[tens]}十{CN_DIGITS[ones] if ones else ''}"


def q(kind, stem, options=(), answer="", explanation="", tags="", difficulty="", article=""):
    """One sheet row in the template's column order."""
    cells = list(options) + [""] * (6 - len(options))
    return [kind, stem, *cells, answer, explanation, tags, difficulty, article]


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding: str, header=HEADER) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def stored() -> dict[str, Question]:
    return {question.stem: question for question in db.session.scalars(select(Question))}


def question_count() -> int:
    return db.session.scalar(select(func.count(Question.id)))


@pytest.fixture
def laws(ctx):
    """宪法 with 40 articles and two articles of 民法典."""
    from lawlearn.library.services import import_law

    constitution = "中华人民共和国宪法\n\n" + "".join(
        f"第{cn(n)}条 宪法条文{n}。\n\n" for n in range(1, 41))
    import_law(None, constitution.encode())
    import_law(None, "中华人民共和国民法典\n\n第一条 民法条文。\n\n第二条 民法条文二。\n".encode())
    db.session.commit()
    return ctx


# Every accepted spelling of type, answer, difficulty and article reference.
SPELLINGS_BANK = [
    q("单选", "单选写法一", ["甲", "乙", "丙"], "A", "解析一", "宪法；基本权利", "易", "宪法第三十三条"),
    q("单选题", "单选写法二", ["甲", "乙", "丙"], " b ", "", "宪法;法治", "简单", "《宪法》第33条"),
    q("单项选择题", "单选写法三", ["甲", "乙", "丙"], "Ｃ", "", "", "easy", "宪法 33"),
    q("单项选择", "单选写法四", ["甲", "乙"], "a", "", "", "", "民法典 2"),
    q("多选", "多选写法一", ["甲", "乙", "丙", "丁"], "AB", "", "", "中", ""),
    q("多选题", "多选写法二", ["甲", "乙", "丙", "丁"], "ＡＣ", "", "", "中等", ""),
    q("多项选择题", "多选写法三", ["甲", "乙", "丙", "丁"], "C、A", "", "", "medium", ""),
    q("多项选择", "多选写法四", ["甲", "乙", "丙", "丁"], "a,c", "", "", "难", ""),
    q("多选", "多选写法五", ["甲", "乙", "丙", "丁"], "A C", "", "", "困难", ""),
    q("判断", "判断写法一", answer="正确", difficulty="hard"),
    q("判断题", "判断写法二", answer="错误"),
    q("判断", "判断写法三", answer="对"),
    q("判断", "判断写法四", answer="错"),
    q("判断", "判断写法五", answer="√"),
    q("判断", "判断写法六", answer="×"),
    q("判断", "判断写法七", answer="T"),
    q("判断", "判断写法八", answer="F"),
    q("填空", "填空写法一（ ）（ ）", answer="甲/乙|丙"),
    q("填空题", "填空写法二（ ）", answer=" 丁 "),
    q(" 单选\u3000", "\u3000带全角空格的题干 ", [" 甲 ", "乙\u3000"], "A"),
]


def check_spellings(by_stem: dict) -> None:
    for stem in ("单选写法一", "单选写法二", "单选写法三", "单选写法四"):
        assert by_stem[stem].type == "single"
    assert [by_stem[f"单选写法{n}"].answer for n in "一二三四"] == ["A", "B", "C", "A"]
    assert by_stem["单选写法一"].options == ["甲", "乙", "丙"]
    assert by_stem["单选写法一"].tags == ["宪法", "基本权利"]
    assert by_stem["单选写法二"].tags == ["宪法", "法治"]
    assert by_stem["单选写法一"].explanation == "解析一"
    assert {by_stem[f"多选写法{n}"].type for n in "一二三四五"} == {"multiple"}
    assert [by_stem[f"多选写法{n}"].answer for n in "一二三四五"] == [
        ["A", "B"], ["A", "C"], ["A", "C"], ["A", "C"], ["A", "C"]]
    assert {by_stem[f"判断写法{n}"].type for n in "一二三四五六七八"} == {"true_false"}
    assert [by_stem[f"判断写法{n}"].answer for n in "一二三四五六七八"] == [
        True, False, True, False, True, False, True, False]
    assert by_stem["判断写法一"].options == []
    assert by_stem["填空写法一（ ）（ ）"].type == "fill"
    assert by_stem["填空写法一（ ）（ ）"].answer == [["甲", "乙"], ["丙"]]
    assert by_stem["填空写法二（ ）"].answer == [["丁"]]
    difficulties = [by_stem[s].difficulty for s in (
        "单选写法一", "单选写法二", "单选写法三", "单选写法四", "多选写法一", "多选写法二",
        "多选写法三", "多选写法四", "多选写法五", "判断写法一")]
    assert difficulties == ["easy", "easy", "easy", "medium", "medium", "medium", "medium",
                            "hard", "hard", "hard"]
    spaced = by_stem["带全角空格的题干"]
    assert spaced.type == "single" and spaced.options == ["甲", "乙"]


def test_xlsx_bank_in_every_spelling(laws):
    data = xlsx_bytes([*SPELLINGS_BANK, [None] * len(HEADER), [None] * len(HEADER)])
    parsed = importing.parse_question_import(data)
    assert parsed.ok, parsed.problems
    assert parsed.counts_by_type == {"single": 5, "multiple": 5, "true_false": 8, "fill": 2}
    assert importing.apply_question_import(None, parsed) == len(SPELLINGS_BANK)
    db.session.commit()
    by_stem = stored()
    check_spellings(by_stem)
    question = by_stem["单选写法一"]
    assert question.status == "active" and question.revision == 1
    assert question.created_at is not None and question.fingerprint
    # Every spelling of the same article resolves to it; 民法典 2 to the Civil Code.
    articles = {by_stem[f"单选写法{n}"].article for n in "一二三"}
    assert len(articles) == 1
    article = articles.pop()
    assert (article.law.short_title, article.number) == ("宪法", 33)
    civil = by_stem["单选写法四"].article
    assert (civil.law.short_title, civil.number) == ("民法典", 2)
    assert by_stem["多选写法一"].article_id is None
    audits = db.session.scalars(select(AuditEntry).filter_by(action="question.import")).all()
    assert len(audits) == 1 and "20" in audits[0].summary


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_every_encoding_excel_uses(laws, encoding):
    data = csv_bytes(SPELLINGS_BANK, encoding) + b"\r\n,,,,,,,,,,,,\r\n"
    parsed = importing.parse_question_import(data)
    assert parsed.ok, parsed.problems
    importing.apply_question_import(None, parsed)
    db.session.commit()
    check_spellings(stored())


def test_option_headers_as_offices_write_them(laws):
    header = ["题型", "题干", "A", "选项 B", "Ｃ", "选项D", "选项E", "选项F", "选项G", "选项H", "答案"]
    data = xlsx_bytes([["单选", "八个选项", *"一二三四五六七八", "H"],
                       ["多选", "三个选项", "一", "二", "三", "", "", "", "", "", "AC"]],
                      header=header)
    parsed = importing.parse_question_import(data)
    assert parsed.ok, parsed.problems
    importing.apply_question_import(None, parsed)
    by_stem = stored()
    assert by_stem["八个选项"].options == list("一二三四五六七八")
    assert by_stem["八个选项"].answer == "H"
    assert by_stem["三个选项"].options == ["一", "二", "三"]
    assert by_stem["三个选项"].difficulty == "medium"


def test_true_false_answered_with_the_letter_of_an_option(laws):
    parsed = importing.parse_question_import(xlsx_bytes([
        q("判断", "用选项写的判断题", ["正确", "错误"], "B")]))
    assert parsed.ok, parsed.problems
    assert parsed.questions[0].fields.answer is False
    assert parsed.questions[0].fields.options == []


def test_every_bad_row_is_named_and_nothing_written(laws):
    rows = [
        q("单选", "好题", ["甲", "乙"], "A"),                                   # 2 fine
        q("问答", "未知题型", ["甲", "乙"], "A"),                               # 3
        q("单选", "", ["甲", "乙"], "A"),                                       # 4
        q("单选", "没有这个选项", ["甲", "乙", "丙"], "D"),                      # 5
        q("单选", "单选两个答案", ["甲", "乙", "丙"], "AB"),                     # 6
        q("多选", "多选一个答案", ["甲", "乙", "丙"], "A"),                      # 7
        q("单选", "只有一个选项", ["甲"], "A"),                                  # 8
        q("单选", "选项有空缺", ["甲", "乙", "", "丁"], "A"),                    # 9
        q("单选", "答案为空", ["甲", "乙"], ""),                                # 10
        q("判断", "判断答案不对", answer="可能"),                                # 11
        q("填空", "填空缺一空（ ）（ ）", answer="甲|"),                          # 12
        q("单选", "难度不认识", ["甲", "乙"], "A", difficulty="超难"),           # 13
        q("单选", "法条找不到", ["甲", "乙"], "A", article="宪法第九十九条"),     # 14
        q("单选", "法规找不到", ["甲", "乙"], "A", article="刑法第一条"),         # 15
        q("单选", "好题", ["甲", "乙"], "B"),                                   # 16 dup of 2
        q("单选", "答案不是字母", ["甲", "乙"], "正确"),                         # 17
        q("填空", "一处空____两个答案", answer="依法治国|法治/社会主义法治"),        # 18
        q("填空", "没有标出空却有两个空", answer="甲|乙"),                        # 19
        q("填空", "问句式填空：宪法是国家的什么法？", answer="根本法"),             # 20 fine
        q("单选", "两个选项相同", ["甲", "乙", " 甲 "], "A"),                    # 21
    ]
    before = question_count()
    parsed = importing.parse_question_import(xlsx_bytes(rows))
    problems = {p.row: p.message for p in parsed.problems}
    assert sorted(problems) == [*range(3, 20), 21]
    assert "选项 A 与 C 相同：甲" in problems[21]
    assert "未知题型“问答”" in problems[3]
    assert "题干为空" in problems[4]
    assert "答案 D 没有对应的选项" in problems[5]
    assert "单选题只能有一个答案" in problems[6]
    assert "多选题至少应有两个正确答案" in problems[7]
    assert "至少需要两个选项" in problems[8]
    assert "选项C为空" in problems[9]
    assert "答案为空" in problems[10]
    assert "判断题答案“可能”无法识别" in problems[11]
    assert "第 2 个空没有答案" in problems[12]
    assert "难度“超难”无法识别" in problems[13]
    assert problems[14].startswith("找不到法条“宪法第九十九条”") and "没有第 99 条" in problems[14]
    assert problems[15].startswith("找不到法条“刑法第一条”")
    assert "与第 2 行重复" in problems[16]
    assert "应填写选项字母" in problems[17]
    assert "题干中标出了 1 个空，答案却有 2 个空" in problems[18]
    assert "题干中标出了 0 个空，答案却有 2 个空" in problems[19]
    with pytest.raises(ValidationFailed):
        importing.apply_question_import(None, parsed)
    assert question_count() == before


def test_tags_split_as_the_form_and_the_list_write_them(laws):
    parsed = importing.parse_question_import(xlsx_bytes([
        q("单选", f"标签写法{n}", ["甲", "乙"], "A", tags=tags) for n, tags in enumerate(
            ["宪法、法治", "宪法,法治", "宪法，法治", "宪法；法治", "宪法;法治、宪法"])]))
    assert not parsed.problems
    assert {tuple(row.fields.tags) for row in parsed.questions} == {("宪法", "法治")}


def test_a_row_with_several_problems_names_them_all(laws):
    parsed = importing.parse_question_import(xlsx_bytes([
        q("单选", "", ["甲"], "C", difficulty="超难", article="不存在的法 1")]))
    (problem,) = parsed.problems
    assert problem.row == 2
    for words in ("题干为空", "至少需要两个选项", "答案 C 没有对应的选项", "难度", "找不到法条"):
        assert words in problem.message


def test_duplicates_against_the_bank_are_skipped_and_reported(laws):
    first = importing.parse_question_import(xlsx_bytes([
        q("单选", "已有的题", ["甲", "乙"], "A"), q("判断", "已停用的题", answer="对")]))
    importing.apply_question_import(None, first)
    db.session.commit()
    retired = stored()["已停用的题"]
    retired.status = "retired"
    db.session.commit()
    ids = {stem: question.id for stem, question in stored().items()}

    # Same stem and options up to width, spaces and punctuation; options in another order.
    parsed = importing.parse_question_import(xlsx_bytes([
        q("单选", "新题", ["甲", "乙"], "A"),
        q("单选", "已有的题。", ["乙", " 甲"], "B"),
        q("判断", "已停用的题", answer="错"),
    ]))
    assert parsed.ok, parsed.problems
    # A retired copy is said to be retired: restoring it is the way back.
    # The options' order aside, the first says what the bank says; the second another answer.
    assert parsed.duplicates == [(3, ids["已有的题"], False, ()),
                                 (4, ids["已停用的题"], True, ("answer",))]
    assert importing.apply_question_import(None, parsed) == 1
    db.session.commit()
    assert question_count() == 3
    assert stored()["已有的题"].answer == "A"  # the bank is not changed by a duplicate


def test_duplicates_inside_the_file_are_errors(laws):
    parsed = importing.parse_question_import(xlsx_bytes([
        q("判断", "同一道题", answer="对"),
        q("单选", "另一道", ["甲", "乙"], "A"),
        q("判断题", "同一道题。", answer="错"),
    ]))
    assert [(p.row, p.message) for p in parsed.problems] == [(4, "与第 2 行重复")]


def test_article_references_cost_one_lookup_per_law(laws, count_queries):
    rows = [q("判断", f"第{n}题", answer="对", article=ref)
            for n, ref in enumerate(["宪法第一条", "宪法 2", "《宪法》第3条", "宪法第四条",
                                     "民法典 1", "民法典第二条"] * 50)]
    with count_queries.recording() as statements:
        parsed = importing.parse_question_import(xlsx_bytes(rows))
    assert parsed.ok, parsed.problems
    # The bank's fingerprints, then a law and its articles for each of the two laws.
    assert len(statements) <= 5, statements
    numbers = [q.fields.article_id for q in parsed.questions[:6]]
    assert len(set(numbers)) == 6


def test_a_reference_to_several_articles_is_refused(laws):
    parsed = importing.parse_question_import(xlsx_bytes([
        q("判断", "范围", answer="对", article="宪法 33-35")]))
    assert "只能填写一条" in parsed.problems[0].message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        ("题型,题干,答案\r\n".encode(), "没有数据行"),
        ("题干,答案\r\n问,A\r\n".encode(), "缺少必需的列：题型"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "不是表格"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), ".xlsx"),
        (b"PK\x03\x04" + bytes(100), "不是有效的 Excel"),
        ("关于开展宪法宣传周活动的通知\n各科室：\n请于12月4日前报送。\n".encode(), "不是表格"),
    ],
    ids=["empty", "header-only", "wrong-columns", "png", "legacy-xls", "broken-zip",
         "plain-text"],
)
def test_unreadable_files_are_refused(laws, data, message):
    with pytest.raises(ValidationFailed, match=message):
        importing.parse_question_import(data)
    assert question_count() == 0


def test_template_is_a_workbook_the_importer_accepts(laws):
    workbook = load_workbook(io.BytesIO(import_template.template_workbook()))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert sheet.max_row == 1  # no sample row that would be imported by mistake
    notes = list(workbook.worksheets[1].iter_rows(values_only=True))
    text = "\n".join(str(cell) for row in notes for cell in row if cell)
    for spelling in ("单项选择题", "多项选择", "判断题", "填空题", "ＡＢ", "A、B", "a,b", "A B",
                     "√/×", "T/F", "对/错", "|", "简单", "easy", "；", "《宪法》第33条"):
        assert spelling in text, spelling
    start = next(i for i, row in enumerate(notes) if list(row[:2]) == ["题型", "题干"])
    examples = [list(row) for row in notes[start + 1:] if any(row)]
    assert {importing.TYPE_WORDS[row[0]] for row in examples} == {
        "single", "multiple", "true_false", "fill"}
    for row in examples:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = importing.parse_question_import(buffer.getvalue())
    assert parsed.ok, parsed.problems
    assert len(parsed.questions) == len(examples)
    # The fill-in example's blank keeps its full-width spaces (they had become narrow ones).
    fill = next(row[1] for row in examples if importing.TYPE_WORDS[row[0]] == "fill")
    assert "（\u3000）" in fill
    assert fill in [question.fields.stem for question in parsed.questions]


# --- command line -------------------------------------------------------------------


@pytest.fixture
def cli_app(app):
    if "questions" not in app.cli.commands:
        app.cli.add_command(questions_cli)
    return app


def test_cli_import_json_and_stats(cli_app, runner, tmp_path):
    path = tmp_path / "bank.xlsx"
    path.write_bytes(xlsx_bytes([q("单选", "甲", ["一", "二"], "A"), q("判断", "乙", answer="对"),
                                 q("填空", "丙（ ）", answer="丁")]))
    result = runner.invoke(args=["questions", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"imported": 3, "duplicates": [],
                                         "changed_duplicates": []}
    again = runner.invoke(args=["questions", "import", str(path), "--json"])
    assert json.loads(again.output) == {"imported": 0, "duplicates": [2, 3, 4],
                                        "changed_duplicates": []}
    stats = json.loads(runner.invoke(args=["questions", "stats", "--json"]).output)
    assert stats["total"] == 3
    assert stats["by_type"] == {"single": 1, "multiple": 0, "true_false": 1, "fill": 1}
    plain = runner.invoke(args=["questions", "stats"])
    assert plain.exit_code == 0 and "3" in plain.output


def test_cli_import_plain_gbk_csv(cli_app, runner, tmp_path):
    path = tmp_path / "bank.csv"
    path.write_bytes(csv_bytes([q("多选题", "多选", ["一", "二", "三"], "A、C")], "gbk"))
    result = runner.invoke(args=["questions", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "已导入 1 道试题" in result.output


def test_cli_refuses_a_bank_with_bad_rows(cli_app, runner, tmp_path):
    path = tmp_path / "bank.xlsx"
    path.write_bytes(xlsx_bytes([q("单选", "好", ["一", "二"], "A"),
                                 q("单选", "坏", ["一", "二"], "C"),
                                 q("猜谜", "怪", answer="x")]))
    result = runner.invoke(args=["questions", "import", str(path), "--json"])
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["imported"] == 0
    assert [p["row"] for p in body["problems"]] == [3, 4]
    assert "没有对应的选项" in body["problems"][0]["message"]
    # Each row's question too: the row found again in the sheet without counting rows.
    assert [p["stem"] for p in body["problems"]] == ["坏", "怪"]
    plain = runner.invoke(args=["questions", "import", str(path)])
    assert plain.exit_code == 1
    assert "第 3 行（坏）：" in plain.output and "第 4 行（怪）：" in plain.output
    assert "导入失败，未写入任何试题。" in plain.output
    with cli_app.app_context():
        assert question_count() == 0


def test_cli_refuses_a_file_that_is_not_a_spreadsheet(cli_app, runner, tmp_path):
    path = tmp_path / "bank.xlsx"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    result = runner.invoke(args=["questions", "import", str(path), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["problems"][0]["row"] == 0


# --- admin pages --------------------------------------------------------------------


@pytest.fixture
def question_list(app):
    """The question list (where a confirmed import leads) may not exist yet in this checkout."""
    if "quiz_admin.questions" not in app.view_functions:
        app.add_url_rule("/admin/quiz/questions", "quiz_admin.questions", lambda: "questions")


@pytest.fixture
def quiz_admin(question_list, admin_client):
    return admin_client


def upload(client, data: bytes, name: str = "bank.xlsx"):
    token = csrf_from(client.get("/admin/quiz/questions/import"))
    return token, client.post("/admin/quiz/questions/import", data={
        "csrf_token": token, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_admin_upload_preview_confirm(quiz_admin, app):
    with app.app_context():
        importing.apply_question_import(None, importing.parse_question_import(
            xlsx_bytes([q("判断", "题库里已有", answer="对")])))
        db.session.commit()
    token, preview = upload(quiz_admin, xlsx_bytes([
        q("单选", "宪法是国家的（ ）。", ["根本法", "普通法"], "A"),
        q("多选", "多选预览", ["一", "二", "三"], "AB"),
        q("判断", "题库里已有", answer="对"),
    ]))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "将导入 2 道试题" in html and "宪法是国家的" in html and "A、B" in html
    assert "第 4 行" in html and "重复" in html
    with app.app_context():
        assert question_count() == 1  # nothing written by the preview
    stash = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    done = quiz_admin.post("/admin/quiz/questions/import/confirm",
                           data={"csrf_token": token, "token": stash})
    assert done.status_code == 302 and done.location.endswith("/admin/quiz/questions")
    with app.app_context():
        assert question_count() == 3
        author = {q.stem: q.author for q in db.session.scalars(select(Question))}
        assert author["多选预览"].username == "root"
    page = quiz_admin.get("/admin/quiz/questions/import")
    assert "已导入 2 道试题" in page.get_data(as_text=True)
    # The stash is gone: confirming again imports nothing.
    again = quiz_admin.post("/admin/quiz/questions/import/confirm",
                            data={"csrf_token": token, "token": stash}, follow_redirects=True)
    assert "预览已过期" in again.get_data(as_text=True)
    with app.app_context():
        assert question_count() == 3


def test_admin_bad_upload_lists_every_problem(quiz_admin, app):
    _token, response = upload(quiz_admin, xlsx_bytes([
        q("单选", "好", ["一", "二"], "A"),
        q("单选", "好", ["一", "二"], "A"),
        q("判断", "坏", answer="也许"),
    ]))
    html = response.get_data(as_text=True)
    assert "发现 2 行有问题，未导入任何试题" in html
    assert "与第 2 行重复" in html and "也许" in html
    # Each problem beside its question (题干), not only a row number to count to.
    rows = lxml_html.fromstring(html).xpath('//section[contains(@class, "problems")]//tbody/tr')
    assert [[td.text_content() for td in row.xpath("./td")][:2] for row in rows] == [
        ["3", "好"], ["4", "坏"]]
    assert "/admin/quiz/questions/import/confirm" not in html
    _token, response = upload(quiz_admin, b"\x89PNG\r\n\x1a\n" + bytes(40))
    assert "不是表格" in response.get_data(as_text=True)
    with app.app_context():
        assert question_count() == 0


def test_admin_template_download(quiz_admin):
    response = quiz_admin.get("/admin/quiz/questions/import/template.xlsx")
    assert response.status_code == 200
    assert response.data.startswith(b"PK\x03\x04")


def test_staff_cannot_import(client, login, make_user):
    login(make_user())
    response = client.get("/admin/quiz/questions/import")
    assert response.status_code in (302, 403, 404)


def test_a_second_confirmation_while_the_first_runs_imports_nothing(quiz_admin, app):
    """A double click (or a second tab, or another app server): the second confirmation
    finds the preview taken and says so; nothing is imported twice."""
    from lawlearn import uploads
    from lawlearn.accounts.models import User

    token, preview = upload(quiz_admin, xlsx_bytes([q("判断", "只导入一次", answer="对")]))
    stash = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"',
                      preview.get_data(as_text=True)).group(1)
    with app.test_request_context():
        admin_id = db.session.scalar(select(User.id).filter_by(username="root"))
        assert uploads.claim("questions", admin_id, stash)  # the first click, still running
    second = quiz_admin.post("/admin/quiz/questions/import/confirm",
                             data={"csrf_token": token, "token": stash}, follow_redirects=True)
    assert "这份文件已提交导入，请勿重复提交" in second.get_data(as_text=True)
    with app.app_context():
        assert question_count() == 0
    with app.test_request_context():
        uploads.release("questions", admin_id, stash)  # the first one failed after all
    done = quiz_admin.post("/admin/quiz/questions/import/confirm",
                           data={"csrf_token": token, "token": stash})
    assert done.status_code == 302
    with app.app_context():
        assert question_count() == 1


def test_a_problem_found_at_confirmation_is_listed_by_row(quiz_admin, app, laws):
    """An article gone between preview and confirmation: the page counted the problems and
    showed none of them over an empty upload form."""
    from lawlearn.library.models import Law, LawArticle

    token, preview = upload(quiz_admin, xlsx_bytes([
        q("判断", "宪法条文", answer="对", article="宪法第一条"),
        q("判断", "民法条文", answer="对", article="民法典第二条")]))
    html = preview.get_data(as_text=True)
    assert "将导入 2 道试题" in html
    stash = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    civil = db.session.scalar(select(Law.id).where(Law.title.contains("民法典")))
    db.session.execute(delete(LawArticle).where(LawArticle.law_id == civil,
                                                LawArticle.number == 2))
    db.session.commit()
    refused = quiz_admin.post("/admin/quiz/questions/import/confirm",
                              data={"csrf_token": token, "token": stash})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "表格在预览后出现 1 处问题（如法规已被修改），未导入任何试题，请改正后重新上传。" in text
    assert "发现 1 行有问题，未导入任何试题" in text and "找不到法条“民法典第二条”" in text
    assert question_count() == 0
