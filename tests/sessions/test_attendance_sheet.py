"""A session's sign-in sheet (签到表, XLSX): who was expected or recorded, in the roster's
order, with status, time, way and note; printable; for admins only."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from urllib.parse import unquote

import openpyxl
from sqlalchemy import select

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.sessions.attendance_sheet import sign_in_sheet
from lawlearn.sessions.models import Attendance, StudySession
from tests.conftest import csrf_from
from tests.sessions import test_leave_and_attendance as leave_tests
from tests.sessions.test_leave_and_attendance import NOW, make_session, record, user

org = leave_tests.org

HEADINGS = ["序号", "部门", "姓名", "出勤", "签到时间", "签到方式", "备注", "本人签字"]


def read_sheet(data: bytes):
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["签到表"]
    return book["签到表"]


def table_of(sheet) -> tuple[int, list[list]]:
    """(the heading row's number, the rows below it)."""
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows.index(HEADINGS)
    return header + 1, rows[header + 1:]


def test_the_sheet_lists_the_roster_with_status_time_way_and_note(ctx, org):
    session = make_session(NOW, department_ids=(org.unit,))  # 执法局 with 法制科
    session.place, session.speaker = "三楼会议室", "王律师"
    record(session, user(org.clerk), "present")  # checked in at the start, by QR
    record(session, user(org.secretary), "excused")  # recorded, though not expected
    db.session.scalar(select(Attendance).filter_by(
        session_id=session.id, user_id=org.secretary.id)).note = "=外出执法"
    db.session.commit()
    sheet = read_sheet(sign_in_sheet(session, NOW + timedelta(minutes=5)))
    assert sheet["A1"].value == "集中学法 签到表"
    top = [sheet.cell(row, 1).value for row in range(2, 6)]
    assert top == ["时间：2025年3月10日 09:00 – 10:00", "类型：集中学法　地点：三楼会议室　主讲：王律师",
                   "应到 4 人 · 出席 1 · 迟到 0 · 请假 0 · 缺席 0 · 未签到 3",
                   "导出时间：2025-03-10 09:05"]
    header_row, rows = table_of(sheet)
    # The tree's order (办公室 before 执法局, then its section 法制科), pinyin within
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (1, "办公室", "文员庚（secretary）", "请假"),
        (2, "执法局", "干部己（officer）", "未签到"),
        (3, "执法局", "局长乙（unitlead）", "未签到"),
        (4, "执法局/法制科", "科员戊（clerk）", "出席"),
        (5, "执法局/法制科", "科长丙（seclead）", "未签到")]
    clerk = rows[3]
    assert clerk[4] == datetime(2025, 3, 10, 9, 0)  # local time, a date cell
    assert clerk[5] == "扫码" and clerk[6] is None and clerk[7] is None
    secretary = rows[0]
    assert secretary[5] == "请假审批" and secretary[6] == "=外出执法"
    cell = sheet.cell(header_row + 1, 7)
    assert cell.data_type == "s" and cell.quotePrefix  # text, never a formula
    # Printed: A4 portrait, one page wide, the headings on every page
    assert sheet.page_setup.orientation == "portrait" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage  # one page wide (1 is the default)
    assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == f"${header_row}:${header_row}"


def test_a_cancelled_session_says_so_and_an_empty_roster_has_headings_only(ctx, org):
    session = make_session(NOW, user_ids=(org.clerk.id,))
    session.cancelled_at, session.cancel_reason = NOW, "与全区大会冲突"
    db.session.commit()
    sheet = read_sheet(sign_in_sheet(session, NOW))
    texts = [sheet.cell(row, 1).value for row in range(1, 8)]
    assert "本次活动已取消：与全区大会冲突" in texts
    _header, rows = table_of(sheet)
    assert [r[2] for r in rows] == ["科员戊（clerk）"]


def test_a_session_over_several_days_names_both_days(ctx, org):
    session = make_session(NOW, minutes=60 * 26)
    sheet = read_sheet(sign_in_sheet(session, NOW))
    assert sheet["A2"].value == "时间：2025年3月10日 09:00 – 2025年3月11日 11:00"


def test_the_sheet_reads_in_the_same_statements_however_many_are_expected(
        ctx, org, make_user, count_queries):
    session_id = make_session(NOW).id

    def statements() -> int:
        db.session.expire_all()
        session = db.session.get(StudySession, session_id)
        return count_queries(lambda: sign_in_sheet(session, NOW))

    few = statements()
    for n in range(40):
        make_user(f"many{n}", department_id=org.section)
    assert statements() == few
    session = db.session.get(StudySession, session_id)
    _header, rows = table_of(read_sheet(sign_in_sheet(session, NOW)))
    assert len(rows) == 7 + 40


def test_admins_download_it_and_others_are_refused(app, client, login, org):
    with app.app_context():
        session = make_session(utcnow() - timedelta(hours=3), title="宪法学习",
                               department_ids=(org.office,))
        record(session, user(org.secretary), "late")
        db.session.commit()
        session_id = session.id
    login(org.unit_lead)
    assert client.get(f"/admin/sessions/{session_id}/attendance/sheet").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})
    login(org.admin)
    page = client.get(f"/admin/sessions/{session_id}/attendance").get_data(as_text=True)
    assert f'href="/admin/sessions/{session_id}/attendance/sheet"' in page
    response = client.get(f"/admin/sessions/{session_id}/attendance/sheet")
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument"
                                 ".spreadsheetml.sheet")
    day = (utcnow() + timedelta(hours=8) - timedelta(hours=3)).date().isoformat()
    assert f"宪法学习-{day}-签到表.xlsx" in unquote(response.headers["Content-Disposition"])
    # Check-in closed hours ago: the sheet, like the page, counts the unrecorded absent
    _header, rows = table_of(read_sheet(response.data))
    assert {r[2]: r[3] for r in rows} == {"文员庚（secretary）": "迟到", "主任丁（offlead）": "缺席"}
    assert client.get("/admin/sessions/999999/attendance/sheet").status_code == 404
