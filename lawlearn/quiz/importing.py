"""Question bank import from XLSX or CSV: check every row, then write all or nothing.

Offices keep their banks in Excel and spell things their own way (单选题, 单项选择,
ＡＢ, A、B, √/×, 《宪法》第33条 ...). Every spelling is read here into the bank's
canonical form; every row that cannot be read is named by its sheet row number.
Questions already in the bank (same stem and options) are reported and skipped.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import select

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import LawArticle
from lawlearn.library.parsing import squash
from lawlearn.library.references import _find_law, article_number_label, parse_reference
from lawlearn.quiz.bank import QuestionFields, fingerprint, question_problems, split_tags
from lawlearn.quiz.grading import parse_fill_answer, parse_letters, parse_true_false
from lawlearn.quiz.import_duplicates import note_changes
from lawlearn.quiz.models import DIFFICULTIES, OPTION_KEYS, QUESTION_TYPES, Question
from lawlearn.spreadsheets import read_table

OPTION_COLUMNS = [f"选项{key}" for key in OPTION_KEYS]  # 选项A … 选项H
TEMPLATE_OPTION_COLUMNS = OPTION_COLUMNS[:6]  # 选项A … 选项F; G and H may be added
COLUMNS = ["题型", "题干", *TEMPLATE_OPTION_COLUMNS, "答案", "解析", "标签", "难度", "法条"]
REQUIRED_COLUMNS = ["题型", "题干", "答案"]
OPTIONAL_COLUMNS = [*OPTION_COLUMNS, "解析", "标签", "难度", "法条"]


def _column_aliases() -> dict[str, str]:
    aliases = {"题目": "题干", "试题": "题干", "试题内容": "题干", "题目内容": "题干",
               "类型": "题型", "试题类型": "题型", "题目类型": "题型",
               "正确答案": "答案", "参考答案": "答案", "标准答案": "答案",
               "答案解析": "解析", "试题解析": "解析", "难易程度": "难度", "难度等级": "难度",
               "相关法条": "法条", "法条依据": "法条", "法律依据": "法条"}
    for column in COLUMNS:  # templates of other systems mark required columns with *
        aliases[f"{column}*"] = aliases[f"*{column}"] = column
    for key, column in zip(OPTION_KEYS, OPTION_COLUMNS, strict=True):
        wide = chr(ord(key) - ord("A") + ord("Ａ"))  # full-width letter
        for letter in (key, key.lower(), wide):
            for spelling in (letter, f"选项{letter}", f"选项 {letter}"):
                aliases[spelling] = column
    return aliases


COLUMN_ALIASES = _column_aliases()

TYPE_WORDS = {
    "单选": "single", "单选题": "single", "单项选择题": "single", "单项选择": "single",
    "多选": "multiple", "多选题": "multiple", "多项选择题": "multiple", "多项选择": "multiple",
    "判断": "true_false", "判断题": "true_false",
    "填空": "fill", "填空题": "fill",
    **{key: key for key in QUESTION_TYPES},
}
DIFFICULTY_WORDS = {
    "易": "easy", "简单": "easy", "容易": "easy", "easy": "easy",
    "中": "medium", "中等": "medium", "一般": "medium", "medium": "medium",
    "难": "hard", "困难": "hard", "较难": "hard", "hard": "hard",
}
CHOICE_TYPES = ("single", "multiple")
PREVIEW_ROWS = 20
# The edit form's limits (quiz/forms.py), so that an imported question can be edited.
MAX_LENGTHS = {"题干": 2000, "答案": 1000, "解析": 4000, "标签": 200, "法条": 100,
               **{column: 4000 for column in OPTION_COLUMNS}}


class RowProblem(NamedTuple):
    row: int  # sheet row number; 0 for a problem of the whole file
    message: str
    # The row's question, shortened: found again in the sheet without counting rows.
    stem: str = ""


class DuplicateRow(NamedTuple):
    """A row whose question is already in the bank: skipped, not an error."""

    row: int
    question_id: int
    retired: bool = False  # the bank's copy is retired: restoring it is the way back
    changes: tuple[str, ...] = ()  # what the row says otherwise: import_duplicates.PART_LABELS

    @property
    def change_labels(self) -> str:
        from lawlearn.quiz.import_duplicates import PART_LABELS

        return "、".join(str(PART_LABELS[part]) for part in self.changes)


@dataclass
class ImportedQuestion:
    row: int
    fields: QuestionFields  # canonical: options only for choice types, multiple sorted
    fingerprint: str
    reference: str = ""  # the 法条 cell as written

    @property
    def answer_text(self) -> str:
        """The answer as the preview shows it."""
        answer = self.fields.answer
        if self.fields.type == "multiple":
            return "、".join(answer)
        if self.fields.type == "true_false":
            return _("正确") if answer else _("错误")
        if self.fields.type == "fill":
            return " | ".join("/".join(alternatives) for alternatives in answer)
        return str(answer)

    @property
    def type_label(self) -> str:
        return str(QUESTION_TYPES[self.fields.type])

    @property
    def difficulty_label(self) -> str:
        return str(DIFFICULTIES[self.fields.difficulty])


@dataclass
class QuestionImport:
    questions: list[ImportedQuestion] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    duplicates: list[DuplicateRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed_duplicates(self) -> list[DuplicateRow]:
        """Rows skipped as in the bank that say something else there (see import_duplicates)."""
        return [duplicate for duplicate in self.duplicates if duplicate.changes]

    @property
    def counts_by_type(self) -> dict[str, int]:
        counts = Counter(question.fields.type for question in self.questions)
        return {kind: counts.get(kind, 0) for kind in QUESTION_TYPES}

    @property
    def preview(self) -> list[ImportedQuestion]:
        return self.questions[:PREVIEW_ROWS]


def _word(text: str) -> str:
    """A cell as a lookup key: half width, lower case, no spaces at all."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


class ArticleResolver:
    """法条 cells → article ids, cached by cell text; one lookup per distinct law."""

    def __init__(self) -> None:
        self._cells: dict[str, tuple[int | None, str | None]] = {}
        # law name → (display title, {article number: article id}) or None if unknown
        self._laws: dict[str, tuple[str, dict[int, int]] | None] = {}

    def resolve(self, text: str) -> tuple[int | None, str | None]:
        """(article id, None) or (None, problem) for one cell naming one article."""
        if text not in self._cells:
            self._cells[text] = self._resolve(text)
        return self._cells[text]

    def _resolve(self, text: str) -> tuple[int | None, str | None]:
        entry = unicodedata.normalize("NFKC", text).strip()
        try:
            law_name, numbers = parse_reference(entry)
        except ValueError:
            return None, _("找不到法条“%(ref)s”：无法识别（示例：宪法第三十三条、民法典 1165）",
                           ref=text)
        if len(numbers) != 1:
            return None, _("法条“%(ref)s”只能填写一条", ref=text)
        law = self._law(law_name)
        if law is None:
            return None, _("找不到法条“%(ref)s”：没有名为“%(law)s”的现行法规", ref=text,
                           law=law_name.strip("《》 "))
        title, articles = law
        article_id = articles.get(numbers[0])
        if article_id is None:
            return None, _("找不到法条“%(ref)s”：《%(law)s》没有第 %(n)s 条", ref=text, law=title,
                           n=article_number_label(*numbers[0]))
        return article_id, None

    def _law(self, name: str) -> tuple[str, dict[tuple[int, int], int]] | None:
        key = squash(name).strip("《》")
        if key not in self._laws:
            law = _find_law(key)
            self._laws[key] = None if law is None else (law.display_title, {
                (number, sub): article_id for number, sub, article_id in db.session.execute(
                    select(LawArticle.number, LawArticle.sub_number, LawArticle.id).where(
                        LawArticle.law_id == law.id))})
        return self._laws[key]


def _options(cells: dict[str, str]) -> tuple[list[str], list[str]]:
    """The options up to the last filled one, and a problem if one before it is empty."""
    values = [cells.get(column, "").strip() for column in OPTION_COLUMNS]
    while values and not values[-1]:
        values.pop()
    empty = [OPTION_KEYS[index] for index, value in enumerate(values) if not value]
    if empty:
        return values, [_("选项%(keys)s为空，但其后还有选项", keys="、".join(empty))]
    return values, []


def _choice_answer(kind: str, text: str, options: list[str]) -> tuple[Any, list[str]]:
    letters = [letter for letter in parse_letters(text) if letter.isalnum()]
    if not letters:
        return None, [_("答案为空")]
    not_letters = [letter for letter in letters if letter not in OPTION_KEYS]
    if not_letters:
        return None, [_("答案“%(answer)s”应填写选项字母，如 A 或 AB", answer=text)]
    missing = [letter for letter in letters if letter not in OPTION_KEYS[:len(options)]]
    if missing:
        return None, [_("答案 %(letters)s 没有对应的选项", letters="、".join(missing))]
    if kind == "single":
        if len(letters) > 1:
            return None, [_("单选题只能有一个答案（填写了 %(letters)s）",
                            letters="、".join(letters))]
        return letters[0], []
    if len(letters) < 2:
        return None, [_("多选题至少应有两个正确答案")]
    return sorted(letters), []


def _true_false_answer(text: str, options: list[str]) -> tuple[Any, list[str]]:
    if not text:
        return None, [_("答案为空")]
    answer = parse_true_false(text)
    if answer is None:
        # Some banks write 判断题 as two options (A 正确, B 错误) and answer with the letter.
        letters = parse_letters(text)
        if len(letters) == 1 and letters[0] in OPTION_KEYS[:len(options)]:
            answer = parse_true_false(options[OPTION_KEYS.index(letters[0])])
    if answer is None:
        return None, [_("判断题答案“%(answer)s”无法识别（可填：正确/错误、对/错、√/×、T/F）",
                        answer=text)]
    return answer, []


def _fill_answer(text: str) -> tuple[Any, list[str]]:
    if not text:
        return None, [_("答案为空")]
    blanks = parse_fill_answer(text)
    empty = [str(index) for index, alternatives in enumerate(blanks, start=1) if not alternatives]
    if empty:
        return None, [_("填空题第 %(blanks)s 个空没有答案（空与空之间用 | 分隔，"
                        "同一空的多个答案用 / 分隔）", blanks="、".join(empty))]
    return blanks, []


def cell_problems(cells: dict[str, str]) -> list[str]:
    """Cells no question may hold: too long for the edit form, or with a NUL character
    (which PostgreSQL cannot store)."""
    problems = []
    for column, value in cells.items():
        if "\x00" in value:
            problems.append(_("“%(column)s”含有空字符（NUL）", column=column))
        limit = MAX_LENGTHS.get(column)
        if limit is not None and len(value.strip()) > limit:
            problems.append(_("“%(column)s”超过 %(n)d 个字", column=column, n=limit))
    return problems


def _read_row(cells: dict[str, str], resolver: ArticleResolver
              ) -> tuple[QuestionFields | None, list[str]]:
    problems: list[str] = cell_problems(cells)
    type_text = cells.get("题型", "").strip()
    kind = TYPE_WORDS.get(_word(type_text))
    if not type_text:
        problems.append(_("题型为空"))
    elif kind is None:
        problems.append(_("未知题型“%(type)s”（可填：单选、多选、判断、填空）", type=type_text))
    stem = cells.get("题干", "").strip()
    if not stem:
        problems.append(_("题干为空"))

    options, option_problems = _options(cells)
    answer_text = cells.get("答案", "").strip()
    answer: Any = None
    if kind in CHOICE_TYPES:
        problems.extend(option_problems)
        if len(options) < 2:
            problems.append(_("选择题至少需要两个选项（选项A、选项B）"))
        answer, answer_problems = _choice_answer(kind, answer_text, options)
        problems.extend(answer_problems)
    elif kind == "true_false":
        answer, answer_problems = _true_false_answer(answer_text, options)
        problems.extend(answer_problems)
    elif kind == "fill":
        answer, answer_problems = _fill_answer(answer_text)
        problems.extend(answer_problems)

    difficulty_text = cells.get("难度", "").strip()
    difficulty = DIFFICULTY_WORDS.get(_word(difficulty_text)) if difficulty_text else "medium"
    if difficulty is None:
        problems.append(_("难度“%(difficulty)s”无法识别（可填：易、中、难）",
                          difficulty=difficulty_text))

    article_id = None
    reference = cells.get("法条", "").strip()
    if reference and "\x00" not in reference:  # a NUL would fail the lookup on PostgreSQL
        article_id, reference_problem = resolver.resolve(reference)
        if reference_problem:
            problems.append(reference_problem)

    if problems or kind is None or difficulty is None:
        return None, problems
    tags = split_tags(cells.get("标签", ""))
    fields = QuestionFields(type=kind, stem=stem,
                            options=options if kind in CHOICE_TYPES else [],
                            answer=answer, explanation=cells.get("解析", "").strip(), tags=tags,
                            difficulty=difficulty, article_id=article_id)
    # The bank's own rules, so that an import never stores what the edit form would refuse.
    return fields, question_problems(fields)


def _shortened(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def parse_question_import(data: bytes) -> QuestionImport:
    """Read the file and name every problem by its sheet row; writes nothing.

    Raises :class:`ValidationFailed` when the file is not a table or lacks columns.
    """
    table = read_table(data, REQUIRED_COLUMNS, OPTIONAL_COLUMNS, COLUMN_ALIASES)
    existing: dict[str, tuple[int, bool]] = {}
    for key, question_id, status in db.session.execute(  # an active copy first
            select(Question.fingerprint, Question.id, Question.status)
            .order_by(Question.status != "active", Question.id)):
        existing.setdefault(key, (question_id, status != "active"))

    result = QuestionImport()
    resolver = ArticleResolver()
    first_row_of: dict[str, int] = {}
    duplicate_fields: dict[int, tuple[QuestionFields, set[str]]] = {}
    for row, cells in table.rows:
        fields, problems = _read_row(cells, resolver)
        key = None
        stem = cells.get("题干", "").strip()
        if stem:
            kind = TYPE_WORDS.get(_word(cells.get("题型", "")))
            key = fingerprint(stem, _options(cells)[0] if kind in CHOICE_TYPES else [])
            if key in first_row_of:
                problems.append(_("与第 %(other)d 行重复", other=first_row_of[key]))
            else:
                first_row_of[key] = row
        if problems or fields is None or key is None:
            result.problems.append(RowProblem(row, "；".join(problems), _shortened(stem)))
        elif key in existing:
            result.duplicates.append(DuplicateRow(row, *existing[key]))
            duplicate_fields[row] = (fields, {column for column in ("解析", "难度", "标签", "法条")
                                              if cells.get(column, "").strip()})
        else:
            result.questions.append(ImportedQuestion(row, fields, key,
                                                     cells.get("法条", "").strip()))
    result.duplicates = note_changes(result.duplicates, duplicate_fields)
    return result


def apply_question_import(actor: User | None, parsed: QuestionImport) -> int:
    """Insert every question of a problem-free import in one statement; the caller commits."""
    if not parsed.ok:
        raise ValidationFailed(_("导入文件有错误，未导入任何试题。"), code="import_failed")
    now = utcnow()
    author_id = actor.id if actor is not None else None
    rows = [{"type": q.fields.type, "stem": q.fields.stem, "options": q.fields.options,
             "answer": q.fields.answer, "explanation": q.fields.explanation,
             "tags": q.fields.tags, "difficulty": q.fields.difficulty,
             "article_id": q.fields.article_id, "status": "active",
             "fingerprint": q.fingerprint, "revision": 1, "author_id": author_id,
             "created_at": now, "updated_at": now} for q in parsed.questions]
    if rows:  # an empty parameter list would insert one row of defaults
        db.session.execute(Question.__table__.insert(), rows)
    record_audit(actor, "question.import", None,
                 _("批量导入试题 %(n)d 道，跳过重复 %(d)d 道", n=len(rows),
                   d=len(parsed.duplicates)),
                 {"imported": len(rows), "by_type": parsed.counts_by_type,
                  "duplicate_rows": [d.row for d in parsed.duplicates][:1000]})
    db.session.flush()
    return len(rows)
