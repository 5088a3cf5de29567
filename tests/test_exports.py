"""Download headers: the charset named once, and every file name sent as an ASCII
``filename`` plus the real (Chinese) one as RFC 5987 ``filename*``."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from lawlearn.accounts.models import User
from lawlearn.exports import ascii_filename, attachment_headers, content_disposition, filename_part
from lawlearn.extensions import db
from lawlearn.sessions.calendar import calendar_token

DISPOSITION = re.compile(
    r'^(?P<kind>attachment|inline); filename="(?P<plain>[A-Za-z0-9._-]+)"'
    r"(?:; filename\*=UTF-8''(?P<encoded>[A-Za-z0-9%._~-]+))?$")


def parse_disposition(value: str) -> tuple[str, str, str | None]:
    """(kind, ASCII name, real name) of a Content-Disposition header; fails when malformed."""
    match = DISPOSITION.match(value)
    assert match, value
    encoded = match["encoded"]
    return match["kind"], match["plain"], unquote(encoded) if encoded else None


@pytest.mark.parametrize(("name", "plain"), [
    ("答题用时异常-2026-11-01至2026-11-30.csv", "2026-11-01_2026-11-30.csv"),
    ("试题导入模板.xlsx", "download.xlsx"),
    ("Café menu.pdf", "Cafe_menu.pdf"),
    ("lawlearn.ics", "lawlearn.ics"),
    ("宪法", "download"),
])
def test_ascii_filename(name, plain):
    assert ascii_filename(name) == plain


def test_a_chinese_name_gets_an_ascii_fallback_and_filename_star():
    headers = attachment_headers("出勤统计-全部部门.csv", "text/csv",
                                 fallback="attendance-2026.csv")
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert parse_disposition(headers["Content-Disposition"]) == (
        "attachment", "attendance-2026.csv", "出勤统计-全部部门.csv")


def test_the_charset_is_named_once():
    for mimetype in ("text/csv", "text/csv; charset=utf-8", "text/csv; Charset=UTF-8"):
        assert attachment_headers("a.csv", mimetype)["Content-Type"].lower().count("charset") == 1
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert attachment_headers("a.xlsx", xlsx)["Content-Type"] == xlsx


def test_a_plain_name_needs_no_filename_star_and_names_cannot_break_the_header():
    assert content_disposition("lawlearn.ics", inline=True) == 'inline; filename="lawlearn.ics"'
    kind, plain, real = parse_disposition(content_disposition('a"b\r\nc/..\\d.csv'))
    assert kind == "attachment" and plain == "a_b_c_d.csv"
    assert real is not None and not set('"\r\n/\\') & set(real)
    assert filename_part(" 普法 宣传/周 ") == "普法_宣传_周" and filename_part("  ") == "export"


# --- the downloads of the site --------------------------------------------------------------


def check_download(response, mimetype: str, plain: str, real: str | None,
                   kind: str = "attachment") -> None:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == mimetype
    assert parse_disposition(response.headers["Content-Disposition"]) == (kind, plain, real)


CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_timing_csv(admin_client):
    response = admin_client.get("/admin/practice/timing?format=csv&from=2026-11-01&to=2026-11-30")
    check_download(response, CSV, "timing-2026-11-01-2026-11-30.csv",
                   "答题用时异常-2026-11-01至2026-11-30.csv")


def test_the_import_templates(admin_client):
    check_download(admin_client.get("/admin/quiz/questions/import/template.xlsx"), XLSX,
                   "question-import-template.xlsx", "试题导入模板.xlsx")
    check_download(admin_client.get("/admin/users/import/template.xlsx"), XLSX,
                   "user-import-template.xlsx", "用户导入模板.xlsx")


def test_the_quiz_results(admin_client, make_quiz):
    quiz_id = make_quiz(title="宪法 知识/测验", opens_at=None, closes_at=None)
    check_download(admin_client.get(f"/admin/quiz/quizzes/{quiz_id}/results.csv"), CSV,
                   f"quiz-{quiz_id}-results.csv", "宪法_知识_测验-成绩.csv")
    check_download(admin_client.get(f"/admin/quiz/quizzes/{quiz_id}/results.xlsx"), XLSX,
                   f"quiz-{quiz_id}-results.xlsx", "宪法_知识_测验-成绩.xlsx")


def test_the_attendance_report(admin_client):
    response = admin_client.get("/admin/sessions/report?format=csv&from=2026-01-01&to=2026-12-31")
    check_download(response, CSV, "attendance-2026-01-01-2026-12-31.csv",
                   "出勤统计-全部部门-2026-01-01至2026-12-31.csv")


def test_the_calendar_feed_is_inline(app, client, make_user):
    person = make_user()
    with app.app_context():
        token = calendar_token(db.session.get(User, person.id))
        db.session.commit()
    response = client.get(f"/calendar/{token}.ics")
    check_download(response, "text/calendar; charset=utf-8", "lawlearn.ics", None, "inline")
