"""题库导出: the list's questions as XLSX in the import template's columns, which the importer
reads back to the same questions."""

from __future__ import annotations

import io
import json

from openpyxl import Workbook, load_workbook
from sqlalchemy import delete, select

from lawlearn.extensions import db
from lawlearn.library.models import LawArticle
from lawlearn.quiz import importing
from lawlearn.quiz.bank import QuestionFields, create_question
from lawlearn.quiz.models import Question, QuestionRevision
from tests.conftest import csrf_from
from tests.quiz.fixtures import SAMPLE
from tests.quiz.test_importing import laws as laws  # noqa: F401  (a fixture)

EIGHT = QuestionFields("single", "=SUM(A1:A2) 是公式吗？", list("甲乙丙丁戊己庚辛"), "H",
                       "以等号开头的文字不是公式。", ["表格", "安全"], "hard")


def _bank(with_article: bool = True) -> list[int]:
    article_id = db.session.scalar(select(LawArticle.id).where(LawArticle.number == 33)) \
        if with_article else None
    fields = [*SAMPLE[:3], QuestionFields(**{**vars(SAMPLE[3]), "article_id": article_id}),
              EIGHT]
    ids = [create_question(None, f).id for f in fields]
    db.session.commit()
    return ids


def _sheet(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [[cell if cell is not None else "" for cell in row]
            for row in sheet.iter_rows(values_only=True)]


def test_the_export_reads_back_as_the_same_questions(laws, admin_client):
    ids = _bank()
    before = {q.fingerprint: q for q in db.session.scalars(select(Question))}
    # The very same stems: a blank's full-width spaces come back as they went.
    snapshot = {key: (q.type, q.stem, q.options, q.answer,
                      q.explanation, q.tags, q.difficulty, q.article_id)
                for key, q in before.items()}
    response = admin_client.get("/admin/quiz/questions/export.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _sheet(response.data)
    assert rows[0] == ["题型", "题干", *[f"选项{k}" for k in "ABCDEFGH"], "答案", "解析", "标签",
                       "难度", "法条", "编号", "状态"]
    assert [row[-2] for row in rows[1:]] == ids  # oldest first
    assert rows[1][:3] == ["单选", "我国的根本大法是？", "民法典"] and rows[1][10] == "B"
    assert rows[3][10] == "正确" and rows[4][10] == "宪法" and rows[4][14] == "宪法第三十三条"
    assert rows[5][1] == "=SUM(A1:A2) 是公式吗？" and rows[5][9] == "辛"  # text, not a formula
    assert rows[5][12:14] == ["表格；安全", "难"] and rows[5][-1] == "在用"

    # Emptied, the bank takes the file back: the same questions, nothing left out.
    db.session.execute(delete(QuestionRevision))
    db.session.execute(delete(Question))
    db.session.commit()
    parsed = importing.parse_question_import(response.data)
    assert parsed.ok and not parsed.duplicates and len(parsed.questions) == len(ids)
    importing.apply_question_import(None, parsed)
    db.session.commit()
    after = {q.fingerprint: (q.type, q.stem, q.options, q.answer, q.explanation, q.tags,
                             q.difficulty, q.article_id) for q in db.session.scalars(
        select(Question))}
    assert after == snapshot


def test_an_export_corrected_in_excel_and_imported_again_names_what_it_does_not_change(
        laws, admin_client, app, runner, tmp_path):
    """The bank exported, an answer and an explanation corrected in Excel, the file imported
    again: every row is in the bank already (same stem and options), so nothing is imported
    — and the preview and the command say which rows differ from the bank and where,
    instead of letting the office believe the bank corrected."""
    from openpyxl import load_workbook as open_book

    from lawlearn.quiz.cli import questions_cli

    ids = _bank()
    exported = admin_client.get("/admin/quiz/questions/export.xlsx").data
    book = open_book(io.BytesIO(exported))
    sheet = book.active
    sheet.cell(row=2, column=11, value="C")  # 答案 of the first question: B → C
    sheet.cell(row=3, column=12, value="更正后的解析")  # 解析 of the second
    sheet.cell(row=6, column=13, value="安全；表格")  # the tags reordered: no change
    sheet.cell(row=6, column=12, value=None)  # an explanation left blank: says nothing
    sheet.cell(row=5, column=15, value="宪法第三十四条")  # 法条: 33 → 34
    edited = io.BytesIO()
    book.save(edited)
    parsed = importing.parse_question_import(edited.getvalue())
    assert parsed.ok and not parsed.questions and len(parsed.duplicates) == len(ids)
    assert [(d.row, d.question_id, d.changes) for d in parsed.changed_duplicates] == [
        (2, ids[0], ("answer",)), (3, ids[1], ("explanation",)), (5, ids[3], ("article",))]
    # A file of only the required columns states no explanation, tags nor difficulty: the
    # bank's are not "different" (an empty 难度 is the importer's default, not a correction).
    bare = [[row[0], row[1], *row[2:10], row[10]] for row in _sheet(edited.getvalue())]
    bare_book = Workbook()
    for row in bare:
        bare_book.active.append(row)
    bare_data = io.BytesIO()
    bare_book.save(bare_data)
    assert [(d.row, d.changes) for d in importing.parse_question_import(
        bare_data.getvalue()).changed_duplicates] == [(2, ("answer",))]

    page = admin_client.post("/admin/quiz/questions/import", data={
        "csrf_token": csrf_from(admin_client.get("/admin/quiz/questions/import")),
        "file": (io.BytesIO(edited.getvalue()), "题库.xlsx")}, content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    assert "有 3 行与题库中已有的试题题干和选项相同、但内容不同" in html
    assert "与题库中已有试题重复（题干和选项相同）的 5 道试题将跳过" in html
    assert (f'<a href="/admin/quiz/questions/{ids[0]}">第 2 行：答案与试题 #{ids[0]} 不同</a>'
            in html)
    assert f'<a href="/admin/quiz/questions/{ids[1]}">第 3 行：解析与试题 #{ids[1]} 不同</a>' in html

    path = tmp_path / "题库.xlsx"
    path.write_bytes(edited.getvalue())
    result = runner.invoke(questions_cli, ["import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["changed_duplicates"] == [
        {"row": 2, "question_id": ids[0], "changes": ["answer"]},
        {"row": 3, "question_id": ids[1], "changes": ["explanation"]},
        {"row": 5, "question_id": ids[3], "changes": ["article"]}]
    text = runner.invoke(questions_cli, ["import", str(path)]).output
    assert f"第 2 行的答案与题库中试题 #{ids[0]} 不同，未修改题库" in text
    assert db.session.get(Question, ids[0]).answer == "B"  # the bank as it was


def test_the_export_follows_the_lists_filters(laws, admin_client):
    ids = _bank(with_article=False)
    retired = db.session.get(Question, ids[0])
    retired.status = "retired"
    db.session.commit()
    listing = admin_client.get("/admin/quiz/questions?type=single&page=1").get_data(as_text=True)
    assert "/admin/quiz/questions/export.xlsx?type=single" in listing and "page=1&" not in listing
    singles = _sheet(admin_client.get("/admin/quiz/questions/export.xlsx?type=single").data)
    assert [row[1] for row in singles[1:]] == [EIGHT.stem]  # the retired one is not in use
    every = _sheet(admin_client.get("/admin/quiz/questions/export.xlsx?type=single&status=").data)
    assert [row[-1] for row in every[1:]] == ["已停用", "在用"]
    # Six option columns, as in the template, when no question has more.
    narrow = _sheet(admin_client.get("/admin/quiz/questions/export.xlsx?type=multiple").data)
    assert "选项F" in narrow[0] and "选项G" not in narrow[0]


def test_staff_cannot_export_the_bank(client, login, make_user):
    login(make_user("clerk"))
    assert client.get("/admin/quiz/questions/export.xlsx").status_code == 403


def test_the_export_takes_the_same_queries_however_many_questions(laws, admin_client,
                                                                   count_queries):
    _bank()

    def queries() -> int:
        return count_queries(lambda: admin_client.get("/admin/quiz/questions/export.xlsx"))

    few = queries()
    for n in range(30):
        create_question(None, QuestionFields("true_false", f"第 {n} 道判断题。", [], True))
    db.session.commit()
    assert queries() == few


def test_cli_export_then_import_elsewhere(app, runner, tmp_path, make_questions):
    from lawlearn.quiz.cli import questions_cli

    if "questions" not in app.cli.commands:
        app.cli.add_command(questions_cli)
    ids = make_questions()
    with app.app_context():
        db.session.get(Question, ids[0]).status = "retired"
        db.session.commit()
    path = tmp_path / "题库.xlsx"
    result = runner.invoke(args=["questions", "export", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"exported": 3, "path": str(path)}
    everything = runner.invoke(args=["questions", "export", str(path), "--all"])
    assert everything.exit_code == 0 and "已导出 4 道试题" in everything.output
    assert len(_sheet(path.read_bytes())) == 5
    with app.app_context():
        db.session.execute(delete(Question))
        db.session.commit()
    back = runner.invoke(args=["questions", "import", str(path), "--json"])
    assert json.loads(back.output) == {"imported": 4, "duplicates": [], "changed_duplicates": []}


def test_cli_export_into_a_missing_folder_says_so(app, runner, tmp_path, make_questions):
    from lawlearn.quiz.cli import questions_cli

    if "questions" not in app.cli.commands:
        app.cli.add_command(questions_cli)
    make_questions()
    missing = tmp_path / "nodir" / "题库.xlsx"
    result = runner.invoke(args=["questions", "export", str(missing)])
    assert result.exit_code == 1 and f"文件夹 {missing.parent} 不存在，未导出。" in result.output
    assert not missing.parent.exists()


def test_a_bank_on_an_older_version_of_a_law_reads_back_unchanged(laws, admin_client):
    """After 宪法's second version was imported, a question still on the first version's
    第三十三条 is exported as 宪法第三十三条 (no version), which the import reads as the
    current version's: the untouched file was reported as changing 20 questions' 法条."""
    from lawlearn.library.models import Law
    from lawlearn.library.services import import_law
    from tests.quiz.test_importing import cn

    ids = _bank()
    old_33 = db.session.scalar(select(Question.article_id).where(Question.id == ids[3]))
    revised = "中华人民共和国宪法\n\n" + "".join(
        f"第{cn(n)}条 宪法条文{n}{'（修正）' if n == 40 else ''}。\n\n" for n in range(1, 41))
    import_law(None, revised.encode())
    db.session.commit()
    current = db.session.scalar(select(Law).where(Law.title == "中华人民共和国宪法",
                                                  Law.is_current.is_(True)))
    assert current.version == 2
    db.session.get(Question, ids[3]).article_id = old_33  # left on the first version
    db.session.commit()

    exported = admin_client.get("/admin/quiz/questions/export.xlsx").data
    parsed = importing.parse_question_import(exported)
    assert parsed.ok and len(parsed.duplicates) == len(ids)
    assert parsed.changed_duplicates == []
    # Another article of the law is still a change.
    book = load_workbook(io.BytesIO(exported))
    book.active.cell(row=5, column=15, value="宪法第三十四条")
    edited = io.BytesIO()
    book.save(edited)
    assert [(d.row, d.changes) for d in importing.parse_question_import(
        edited.getvalue()).changed_duplicates] == [(5, ("article",))]
