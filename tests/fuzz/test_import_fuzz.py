"""Hypothesis over every importer (statutes, the question bank, users, material attachments):
whatever is uploaded, the import either succeeds whole or refuses with a ValidationFailed and
writes nothing; no other exception. Each example goes the way the admin pages go: parse
(the preview), apply, commit, or roll back on a domain error; then every table is counted.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from lawlearn.accounts import importing as user_importing
from lawlearn.accounts.departments import create_department
from lawlearn.accounts.models import User
from lawlearn.errors import DomainError, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library import attachments, services
from lawlearn.library.materials import MaterialFields, create_material
from lawlearn.library.models import LawArticle, Material, MaterialAttachment
from lawlearn.library.parsing import parse_law
from lawlearn.quiz import import_template
from lawlearn.quiz import importing as question_importing
from lawlearn.quiz.models import Question
from tests.fuzz import strategies as files

# A failing example holds a whole statute; its long repr must not hide the failure.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
FUZZ = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))
DEFAULT_PASSWORD = "Default-pass-9"


def row_counts() -> dict[str, int]:
    """Rows in every table, in one statement."""
    tables = db.metadata.sorted_tables
    counts = db.session.execute(select(*[
        select(func.count()).select_from(table).scalar_subquery().label(table.name)
        for table in tables])).one()
    return dict(zip([table.name for table in tables], counts, strict=True))


class Outcome:
    """Runs one import as a page would and checks the all-or-nothing rule."""

    def __init__(self) -> None:
        self.before = row_counts()

    def refuse(self, error: DomainError) -> None:
        db.session.rollback()  # as the page does
        assert isinstance(error, ValidationFailed), error
        assert error.message.strip(), "a refusal says why"
        self.nothing_written()

    def nothing_written(self) -> None:
        assert row_counts() == self.before, "a refused import wrote rows"

    def added(self, *tables: str) -> dict[str, int]:
        """Rows added by a successful import, which touched only ``tables`` (and the log)."""
        after = row_counts()
        added = {name: after[name] - self.before[name] for name in after
                 if after[name] != self.before[name]}
        assert set(added) <= {*tables, "audit_entry"}, added
        assert added.get("audit_entry") == 1, "one import, one audit entry"
        return added


def clean_session(example):
    """After an unexpected error, roll back, so that the next example (and the shrinking
    of this one) starts from a clean session."""

    @functools.wraps(example)
    def run(*args, **kwargs):
        try:
            return example(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise

    return run


def _preview_writes_nothing() -> None:
    assert not (db.session.new or db.session.dirty or db.session.deleted), \
        "the preview changed the session"


@pytest.fixture
def library(ctx):
    """A constitution to cite (the 法条 column), departments to name (the 部门 column)."""
    services.import_law(None, (files.LAWS / "宪法.md").read_bytes())
    unit = create_department(None, "执法局", None)
    create_department(None, "法制科", unit.id)
    create_department(None, "办公室", None)
    db.session.commit()
    return ctx


# --- statutes -------------------------------------------------------------------------------


def _law(*lines: str) -> bytes:
    return "\n\n".join(["中华人民共和国测试法", *lines, "第一条 一。", "第二条 二。"]).encode()


@FUZZ
@given(data=files.mostly(files.statutes()))
# Found by this test (each was a 500 on PostgreSQL; the huge number on SQLite too).
@example(data=_law("第99999999999999999999章 总则"))  # integer out of range
@example(data=_law("第" + "一" * 50 + "章 总则"))  # a label over 40 characters
@example(data=_law() + "\n\n第二条之".encode() + "一".encode() * 50 + " 二之一。".encode())
@example(data=("法" * 300 + "\n\n第一条 一。").encode())  # a title over 200 characters
@example(data=("中华人民共和国" + "法" * 150 + "\n\n第一条 一。").encode())  # short title
@example(data=_law("x" * 5000) + "\n\n第三条 三\x00。".encode())  # NUL after 4 kB
@clean_session
def _statute_import(data: bytes) -> None:
    outcome = Outcome()
    try:
        parsed = parse_law(data)
        _preview_writes_nothing()
        law = services.import_law(None, data, parsed=parsed)
        db.session.commit()
    except DomainError as error:
        outcome.refuse(error)
        return
    added = outcome.added("law", "law_division", "law_article")
    assert added["law"] == 1
    assert added["law_article"] == law.article_count == len(parsed.articles)
    assert db.session.scalar(select(func.count()).select_from(LawArticle).where(
        LawArticle.law_id == law.id)) == law.article_count


def test_statute_import(ctx):
    """Statute texts (Markdown, text, Word) bent every way: imported whole or refused."""
    _statute_import()


# --- the question bank ------------------------------------------------------------------------


# The template's examples, each stem made unique (a repeat is a duplicate).
QUESTION_ROW = st.tuples(st.sampled_from(import_template.TEMPLATE_EXAMPLES),
                         st.integers(0, 10**6)).map(
    lambda pair: [pair[0][0], f"{pair[0][1]}{pair[1]}", *pair[0][2:]])


@FUZZ
@given(data=files.mostly(files.tables(question_importing.COLUMNS, QUESTION_ROW,
                                      question_importing.COLUMN_ALIASES, "题干")))
# Found by this test: a NUL after the first 4 kB of a CSV reached PostgreSQL (a 500).
@example(data=files.table_bytes(["题型", "题干", "答案", "解析", "法条"], [
    *[["判断", f"第{n}题。", "对", "解" * 1500, ""] for n in range(3)],
    ["判断", "空\x00字。", "对", "", ""], ["判断", "空字。", "对", "", "宪法\x00 1"]], "csv"))
@clean_session
def _question_import(data: bytes) -> None:
    outcome = Outcome()
    try:
        parsed = question_importing.parse_question_import(data)
        _preview_writes_nothing()
        if not parsed.ok:
            assert all(problem.message for problem in parsed.problems)
            outcome.nothing_written()
            return
        imported = question_importing.apply_question_import(None, parsed)
        db.session.commit()
    except DomainError as error:
        outcome.refuse(error)
        return
    assert outcome.added("question").get("question", 0) == imported == len(parsed.questions)
    for question in parsed.questions:
        assert db.session.scalar(select(Question.id).where(
            Question.fingerprint == question.fingerprint))


def test_question_import(library):
    """Question tables (XLSX, CSV in UTF-8/GBK/BOM, TSV) bent every way."""
    _question_import()


# --- users ------------------------------------------------------------------------------------


USER_ROW = st.tuples(
    st.integers(0, 10**4).map(lambda n: f"user{n}"), st.sampled_from(["张三", "李四", "欧阳修"]),
    st.sampled_from(["", "执法局", "执法局/法制科", "办公室"]),
    st.sampled_from(["", "干部职工", "管理员", "干部职工、科室负责人", "领导"]),
    st.sampled_from(["", "13800000000", "+86 138-0000-0000"]),
    st.sampled_from(["", "Secret-pass-1"]),
    st.sampled_from(["", "2024-09-01", "2025/3/1", "2025年3月2日", "2099-01-01"])).map(list)


@FUZZ
@given(data=files.mostly(files.tables(user_importing.COLUMNS, USER_ROW,
                                      user_importing.COLUMN_ALIASES, "用户名")))
# Found by this test: a NUL after the first 4 kB of a CSV reached PostgreSQL (a 500).
@example(data=files.table_bytes(["用户名", "姓名"], [
    *[[f"padding{n}", "张" * 60] for n in range(40)], ["nul", "张\x00三"], ["n\x00l", "李四"]],
    "csv"))
@clean_session
def _user_import(data: bytes) -> None:
    outcome = Outcome()
    try:
        parsed = user_importing.parse_user_import(data, DEFAULT_PASSWORD)
        _preview_writes_nothing()
        if not parsed.ok:
            assert all(problem.message for problem in parsed.problems)
            outcome.nothing_written()
            return
        # As at confirmation: read again, with only the default password's hash kept.
        password_hash = user_importing.hash_default_password(DEFAULT_PASSWORD)
        parsed = user_importing.parse_user_import(data, default_password_checked=True)
        created = user_importing.apply_user_import(None, parsed, password_hash)
        db.session.commit()
    except DomainError as error:
        outcome.refuse(error)
        return
    added = outcome.added("user", "user_role")
    assert added.get("user", 0) == len(created) == len(parsed.users)
    for entry in parsed.users:
        user = db.session.scalar(select(User).filter_by(username=entry.username))
        assert user is not None and user.name == entry.name


def test_user_import(library):
    """User tables bent every way: duplicate usernames, unknown departments, odd cells."""
    _user_import()


# --- material attachments ---------------------------------------------------------------------


def stored_files(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def test_attachment_upload(ctx):
    """Uploaded attachments: a PDF, Word file or image that really is one, or a refusal that
    stores neither a row nor a file."""
    material = create_material(None, MaterialFields("宪法学习资料", "article", "正文"))
    db.session.commit()
    material_id = material.id
    folder = attachments.attachment_folder()

    @FUZZ
    @given(data=files.attachments(), filename=files.text(300))
    @clean_session
    def upload(data: bytes, filename: str) -> None:
        outcome = Outcome()
        on_disk = stored_files(folder)
        try:
            attachment = attachments.add_attachment(
                None, db.session.get(Material, material_id), filename, data)
            db.session.commit()
        except DomainError as error:
            outcome.refuse(error)
            assert stored_files(folder) == on_disk, "a refused upload left a file"
            return
        assert outcome.added("material_attachment")["material_attachment"] == 1
        assert stored_files(folder) == on_disk | {attachment.stored_name}
        assert attachment.original_name.endswith(f".{attachment.stored_name.rsplit('.')[-1]}")
        assert db.session.get(MaterialAttachment, attachment.id).size == len(data)

    upload()

