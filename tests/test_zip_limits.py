"""Zip bombs: an XLSX or DOCX that unpacks to far more than any real file is refused
before openpyxl or python-docx unpacks it, through every importer that reads one."""

from __future__ import annotations

import io

import docx
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lawlearn import zip_limits
from lawlearn.accounts import importing
from lawlearn.accounts.models import User
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.parsing import read_source
from lawlearn.quiz.importing import parse_question_import
from lawlearn.zip_limits import check_unpacked_size
from tests.accounts.test_importing import HEADER
from tests.conftest import csrf_from

SMALL_LIMIT = 1024 * 1024


def bomb_xlsx(header=HEADER) -> bytes:
    """Some kilobytes that unpack to over 3 MB: long repeated strings (a cell holds at most
    32,767 characters, each row's differs so that none is shared)."""
    workbook = Workbook()
    workbook.active.append(header)
    for row in range(100):
        workbook.active.append([f"{row}" + "a" * 32_000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bomb_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("第一条 " + "法" * 1_200_000)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(zip_limits, "MAX_UNPACKED_BYTES", SMALL_LIMIT)


def test_the_declared_sizes_decide_and_other_files_are_left_to_their_reader(small_limit):
    bomb = bomb_xlsx()
    assert len(bomb) < SMALL_LIMIT  # small to upload, large to unpack
    with pytest.raises(ValidationFailed, match="文件解压后超过 1 MB"):
        check_unpacked_size(bomb)
    check_unpacked_size(b"not a zip at all")  # the spreadsheet reader says what it is
    workbook = Workbook()
    workbook.active.append(HEADER)
    buffer = io.BytesIO()
    workbook.save(buffer)
    check_unpacked_size(buffer.getvalue())  # an ordinary file passes


def test_user_and_question_imports_refuse_a_bomb(ctx, small_limit):
    with pytest.raises(ValidationFailed, match="文件解压后超过"):
        importing.parse_user_import(bomb_xlsx(), "default-pass")
    with pytest.raises(ValidationFailed, match="文件解压后超过"):
        parse_question_import(bomb_xlsx(header=["题型", "题干"]))


def test_a_law_file_that_unpacks_too_far_is_refused(ctx, small_limit):
    with pytest.raises(ValidationFailed, match="文件解压后超过") as refused:
        read_source(bomb_docx())
    assert refused.value.code == "bad_law_file"


def test_the_import_page_says_so_and_writes_nothing(admin_client, app, small_limit):
    token = csrf_from(admin_client.get("/admin/users/import"))
    response = admin_client.post("/admin/users/import", data={
        "csrf_token": token, "file": (io.BytesIO(bomb_xlsx()), "users.xlsx")},
        content_type="multipart/form-data")
    assert "文件解压后超过 1 MB" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1  # the admin alone
