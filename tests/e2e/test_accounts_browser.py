"""A new staff member and a new admin, in a real browser."""

from __future__ import annotations

import re

from openpyxl import Workbook
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot


def field(page, label: str):
    """The input labelled ``label`` (labels of required fields end with an asterisk)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}"))


def log_in(page, base, username, password=PASSWORD):
    page.goto(f"{base}/login")
    field(page, "用户名").fill(username)
    field(page, "密码").fill(password)
    page.get_by_role("button", name="登录").click()


# Against the layout viewport (clientWidth), not window.innerWidth: on a phone context
# Chromium widens innerWidth to whatever the page overflows to, so that would always fit.
MEASURE_WIDTHS = """() => document.readyState === "complete" && document.documentElement
    ? [document.documentElement.scrollWidth, document.documentElement.clientWidth] : null"""


def assert_fits_phone(page):
    """No horizontal scroll on the page shown, measured once it has loaded.

    A click that navigates returns before the new document exists, so the
    measure waits for a complete document and starts over if a navigation
    replaces the one it was reading.
    """
    for _ in range(5):
        page.wait_for_load_state()
        try:
            widths = page.wait_for_function(MEASURE_WIDTHS).json_value()
        except PlaywrightError as error:
            if "context was destroyed" not in str(error):
                raise
            continue
        break
    else:
        raise AssertionError("the page kept navigating; its width was never measured")
    assert widths[0] <= widths[1], f"horizontal scroll: {widths}"


def test_new_staff_member_on_a_phone(live_server, phone, make_user, make_department):
    section = make_department("法制科", make_department("区政府办公室"))
    make_user("newbie", name="新同事", department_id=section, must_change_password=True)
    page = phone.new_page()
    log_in(page, live_server, "newbie")

    # First login: a new password is required before anything else.
    expect(page).to_have_url(re.compile(r"/password"))
    page.wait_for_load_state()  # measured on the new page, not during the navigation
    assert_fits_phone(page)
    expect(page.get_by_text("请先设置新密码")).to_be_visible()
    field(page, "当前密码").fill(PASSWORD)
    field(page, "新密码").fill("newbie")
    field(page, "再次输入新密码").fill("newbie")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_text("密码不能与用户名相同")).to_be_visible()
    field(page, "当前密码").fill(PASSWORD)
    field(page, "新密码").fill("my-own-secret")
    field(page, "再次输入新密码").fill("my-own-secret")
    page.get_by_role("button", name="保存新密码").click()

    expect(page.get_by_role("heading", name="新同事，您好")).to_be_visible()
    expect(page.get_by_text("区政府办公室/法制科")).to_be_visible()
    assert_fits_phone(page)
    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link")).to_have_count(5)
    for link in nav.get_by_role("link").all():
        box = link.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
    expect(nav.get_by_role("link", name="首页")).to_have_attribute("aria-current", "page")
    nav_box = nav.bounding_box()
    assert nav_box["y"] + nav_box["height"] <= 740 + 1  # fixed at the bottom of the screen
    screenshot(page, "staff-home-phone")

    for tab in ("学习", "答题", "签到"):
        nav.get_by_role("link", name=tab).click()
        expect(page.get_by_role("heading", name=tab, exact=True)).to_be_visible()
        assert_fits_phone(page)

    nav.get_by_role("link", name="我的").click()
    expect(page.get_by_text("newbie")).to_be_visible()
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_text("您已退出登录")).to_be_visible()
    page.goto(f"{live_server}/me")
    expect(page).to_have_url(re.compile(r"/login\?next=/me"))


def test_wrong_password_message_and_english(live_server, phone, make_user):
    make_user("alice", name="爱丽丝")
    page = phone.new_page()
    log_in(page, live_server, "alice", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("用户名或密码错误。")
    log_in(page, live_server, "alice")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的").click()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("link", name="Change password")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def user_sheet(path, rows):
    """A user-import workbook at ``path`` with the template's header and ``rows``."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["用户名", "姓名", "部门", "角色", "手机号", "初始密码"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_admin_imports_users_from_xlsx(live_server, desktop, make_user, make_department,
                                       tmp_path):
    make_department("综合科")
    make_user("chief", roles=("admin", "staff"), name="管理员乙")
    path = user_sheet(tmp_path / "新进人员.xlsx", [
        ["wanglei", "王磊", "综合科", "职工", "13900000000", ""],
        ["liuna", "刘娜", "综合科", "科室负责人、职工", "", ""]])

    page = desktop.new_page()
    log_in(page, live_server, "chief")
    page.goto(f"{live_server}/admin/users")
    page.get_by_role("link", name="批量导入").first.click()
    field(page, "用户表格（.xlsx 或 .csv）").set_input_files(str(path))
    field(page, "默认初始密码").fill("welcome-2026")
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_role("heading", name="将创建 2 个用户")).to_be_visible()
    expect(page.get_by_role("cell", name="刘娜")).to_be_visible()
    screenshot(page, "admin-import-preview")
    page.get_by_role("button", name="确认导入 2 个用户").click()
    expect(page.get_by_text("已导入 2 个用户")).to_be_visible()
    expect(page.get_by_role("link", name="wanglei")).to_be_visible()

    # Resetting a password with the field empty is refused by the page before any question.
    page.get_by_role("link", name="wanglei").click()
    asked: list[str] = []

    def answer(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_role("button", name="重置密码").click()
    expect(page.locator(".flash-error")).to_have_text("请填写临时密码。")
    assert asked == []
    page.remove_listener("dialog", answer)
    page.goto(f"{live_server}/admin/users")

    # Deactivating asks first; dismissing the question changes nothing.
    page.get_by_role("link", name="liuna").click()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="停用账号").click()
    expect(page.get_by_role("button", name="停用账号")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="停用账号").click()
    expect(page.get_by_text("已停用 刘娜")).to_be_visible()

    # The new person logs in with the default password and must change it.
    other = desktop.browser.new_context(viewport={"width": 360, "height": 740})
    newcomer = other.new_page()
    log_in(newcomer, live_server, "wanglei", "welcome-2026")
    expect(newcomer).to_have_url(re.compile(r"/password"))
    other.close()


def test_an_imports_problems_wrap_on_a_phone(live_server, phone, make_user, make_department,
                                             tmp_path):
    """Admin tables scroll sideways on a phone; the list of an import's problems wraps."""
    make_department("综合科")
    make_user("chief", roles=("admin", "staff"), name="管理员乙")
    path = user_sheet(tmp_path / "有问题.xlsx",
                      [["wanglei", "王磊", "不存在的部门名称很长很长很长", "职工", "", ""]])

    page = phone.new_page()
    log_in(page, live_server, "chief")
    page.goto(f"{live_server}/admin/users/import")
    field(page, "用户表格（.xlsx 或 .csv）").set_input_files(str(path))
    field(page, "默认初始密码").fill("welcome-2026")
    page.get_by_role("button", name="上传并预览").click()
    table = page.locator(".problems .table")
    expect(table).to_contain_text("不存在的部门名称很长很长很长")
    assert table.evaluate("node => node.scrollWidth <= node.clientWidth + 1")


def test_the_user_form_marks_every_field_in_error(live_server, desktop, make_user):
    """One submission names each problem under its field, and each field in error gets the
    error border: text fields too (a more specific rule kept them grey)."""
    make_user("chief", roles=("admin", "staff"), name="管理员乙")
    make_user("kate", name="凯特")
    page = desktop.new_page()
    log_in(page, live_server, "chief")
    page.goto(f"{live_server}/admin/users/new")
    field(page, "用户名").fill("kate")
    field(page, "姓名").fill("新同事")
    field(page, "手机号").fill("123")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("p.error")).to_have_text(
        ["用户名 kate 已存在。", "手机号须为 7 至 20 位数字，可含空格、+ 和 -。", "请设置初始密码。"])
    page.wait_for_load_state()  # computed colours are read only once the stylesheet has applied
    error_red = page.evaluate("getComputedStyle(document.querySelector('p.error')).color")
    for label in ("用户名", "手机号", "初始密码"):
        border = field(page, label).evaluate("e => getComputedStyle(e).borderTopColor")
        assert border == error_red, label
    assert field(page, "姓名").evaluate("e => getComputedStyle(e).borderTopColor") != error_red


def test_the_way_back_is_a_finger_wide(live_server, phone, make_user):
    """"我的" above a page was a 28 px wide target: too small for a thumb."""
    make_user("thumb", name="拇指")
    page = phone.new_page()
    log_in(page, live_server, "thumb")
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()  # signed in
    for path in ("/practice/points", "/me/attendance", "/reports/me"):
        page.goto(f"{live_server}{path}")
        links = page.locator(".crumbs a")
        expect(links.first).to_be_visible()
        for link in links.all():
            box = link.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, (path, box)
