"""The projector on a desktop and a phone checking in through the scanned URL, by way of
the log-in page."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from lawlearn.database import utcnow
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone, field, log_in
from tests.sessions.test_checkin import new_session


def test_projector_and_a_phone_check_in_through_the_login(app, live_server, desktop, phone,
                                                          admin, make_user):
    make_user("zhang", name="张三")
    study_id = new_session(app, utcnow() + timedelta(minutes=5), title="宪法学习专题会")

    projector = desktop.new_page()
    problems: list[str] = []
    projector.on("console", lambda message: message.type == "error" and problems.append(message.text))
    projector.goto(f"{live_server}/login")
    field(projector, "用户名").fill(admin.username)
    field(projector, "密码").fill(admin.password)
    projector.get_by_role("button", name="登录").click()
    projector.goto(f"{live_server}/admin/sessions/{study_id}/projector")
    expect(projector.get_by_role("heading", name="宪法学习专题会")).to_be_visible()
    qr = projector.locator("#qr")
    expect(qr).to_be_visible()
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    assert qr.bounding_box()["width"] >= 300  # readable from the back of the room
    expect(projector.locator("#code")).to_have_text(re.compile(r"^\d{6}$"))
    expect(projector.locator("#checked-in")).to_have_text("0")
    expect(projector.locator("#expected")).to_have_text("2")
    expect(projector.get_by_text("已签到")).to_be_visible()
    screenshot(projector, "checkin-projector-desktop")

    # What the QR code holds right now, as the page's own script sees it.
    state = projector.request.get(
        f"{live_server}/admin/sessions/{study_id}/projector.json").json()
    assert state["url"].startswith(f"{live_server}/checkin/scan?t=")

    page = phone.new_page()
    page.goto(state["url"])  # the camera opens the link; nobody is logged in on this phone
    expect(page).to_have_url(re.compile(r"/login\?next=(/|%2F)checkin(/|%2F)scan"))
    field(page, "用户名").fill("zhang")
    field(page, "密码").fill(admin.password)  # make_user gives everyone the same password
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(state["url"])
    expect(page.get_by_role("heading", name="宪法学习专题会")).to_be_visible()
    confirm = page.get_by_role("button", name="确认签到")
    expect(confirm).to_be_visible()
    box = confirm.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # full width, within thumb reach
    assert_fits_phone(page)
    screenshot(page, "checkin-scan-phone")
    confirm.click()
    expect(page.get_by_role("heading", name="签到成功")).to_be_visible()
    expect(page.get_by_text("出席", exact=True)).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "checkin-done-phone")

    # The projector counts the check-in without a reload, then rotates its QR code.
    expect(projector.locator("#checked-in")).to_have_text("1", timeout=5000)
    expect(projector.locator("#latest")).to_have_text("张三")
    expect(qr).not_to_have_attribute("src", state["qr_data_uri"], timeout=15000)
    expect(projector.locator("#code")).to_have_text(re.compile(r"^\d{6}$"))
    assert problems == [], problems  # no script errors, no CSP violations

    # The 签到 tab now shows the record.
    page.goto(f"{live_server}/checkin")
    expect(page.get_by_role("heading", name="签到", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"出席，\d\d:\d\d 签到"))).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "checkin-tab-phone")


def test_the_attendance_roster_on_a_phone(app, live_server, phone, admin, make_user):
    """An admin in the hall, on a phone: who has not checked in yet, and a manual mark."""
    for n in range(3):
        make_user(f"staff{n}", name=f"职工{n}")
    # Begun a quarter of an hour ago: late from ten minutes in, so 迟到 can be marked.
    study_id = new_session(app, utcnow() - timedelta(minutes=15), title="民法典专题学习")
    page = phone.new_page()
    log_in(page, live_server, admin.username, admin.password)
    page.goto(f"{live_server}/admin/sessions/{study_id}/attendance")
    expect(page.get_by_text(re.compile(r"应到 4 人 .* 未签到 4$"))).to_be_visible()
    assert_fits_phone(page)  # the table scrolls inside its box, the page does not

    page.get_by_label("搜索姓名或用户名").fill("职工1")
    page.locator("form[role=search] select[name=status]").select_option("none")
    page.get_by_role("button", name="筛选").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("职工1")
    rows.first.locator("select[name=status]").select_option("late")
    rows.first.get_by_placeholder("备注").fill("堵车")
    rows.first.get_by_role("button", name="保存").click()

    expect(page.get_by_text("已标记 职工1。")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=%E8%81%8C%E5%B7%A51.*status=none"))  # same filter
    expect(page.get_by_text("没有符合条件的人员。")).to_be_visible()
    expect(page.get_by_text(re.compile(r"迟到 1 .* 未签到 3$"))).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "attendance-roster-phone")


def test_a_paper_sign_in_sheet_is_entered_in_one_go(app, live_server, desktop, admin,
                                                     make_user):
    """全选本页, untick the one who did not come, mark the rest 出席: asked first."""
    for n in range(4):
        make_user(f"staff{n}", name=f"职工{n}")
    study_id = new_session(app, utcnow() + timedelta(minutes=5), title="宪法专题学习")
    page = desktop.new_page()
    log_in(page, live_server, admin.username, admin.password)
    page.goto(f"{live_server}/admin/sessions/{study_id}/attendance?status=none")
    page.wait_for_load_state()  # app.js shows 全选本页
    questions: list[str] = []

    def answer(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    # Nobody ticked: said at once, not asked "are you sure" and then refused.
    page.get_by_role("button", name="批量标记").click()
    assert questions == []
    assert page.locator("input[name=user_ids]").first.evaluate(
        "box => box.validationMessage") == "请先勾选要标记的人员。"
    expect(page).to_have_url(re.compile(r"/attendance\?status=none$"))
    page.get_by_label("全选本页").check()
    expect(page.locator("input[name=user_ids]:checked")).to_have_count(5)
    page.get_by_label("选择 职工2").uncheck()
    page.locator("#bulk-mark select[name=status]").select_option("present")
    page.locator("#bulk-mark input[name=note]").fill("纸质签到表")
    page.get_by_role("button", name="批量标记").click()
    expect(page.get_by_text("已将 4 人标记为出席。")).to_be_visible()
    assert len(questions) == 1 and "已有的出勤记录会被改写" in questions[0]
    expect(page).to_have_url(re.compile(r"status=none"))  # the same filter: who is left
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("职工2")
    screenshot(page, "attendance-bulk-mark-desktop")


def test_cancelling_asks_for_the_reason_before_the_confirmation(app, live_server, desktop,
                                                                  admin):
    """A required reason left empty: the browser says so, and no 确定取消… question comes
    first only to lead nowhere."""
    study_id = new_session(app, utcnow() + timedelta(days=2), title="周五学法")
    page = desktop.new_page()
    log_in(page, live_server, admin.username, admin.password)
    page.goto(f"{live_server}/admin/sessions/{study_id}")
    questions: list[str] = []

    def answer(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    reason = page.locator("textarea[name=reason]")
    page.get_by_role("button", name="取消本次活动").click()
    assert questions == []  # not asked: the reason is missing
    assert reason.evaluate("element => element.validationMessage") != ""
    reason.fill("场地临时占用")
    page.get_by_role("button", name="取消本次活动").click()
    expect(page.get_by_text("本次活动已取消：场地临时占用")).to_be_visible()
    assert len(questions) == 1 and "确定取消本次活动吗" in questions[0]


def test_a_refused_code_is_on_screen_on_a_phone(app, live_server, phone, make_user):
    """Two sessions today push the code form below the fold: the refusal opens there."""
    person = make_user("li", name="李四")
    for n in range(2):
        new_session(app, utcnow() - timedelta(minutes=5 + n), title=f"集中学法第{n + 1}场")
    page = phone.new_page()
    log_in(page, live_server, person.username)
    # The home page lists both; each title is a thumb-sized link.
    page.goto(f"{live_server}/")
    for n in (1, 2):
        box = page.get_by_role("link", name=f"集中学法第{n}场").bounding_box()
        assert box["height"] >= 44, n
    page.goto(f"{live_server}/checkin")
    for typed, message in (("12ab", "签到码是六位数字。"),
                           ("000000", "签到码不正确或已过期，请核对屏幕上最新的六位数字。")):
        code = field(page, "六位签到码")
        code.fill(typed)
        page.get_by_role("button", name="提交签到码").click()
        refusal = page.get_by_text(message)
        expect(refusal).to_be_visible()
        expect(refusal).to_be_in_viewport()
        expect(field(page, "六位签到码")).to_be_in_viewport()
    assert_fits_phone(page)


def test_the_calendar_address_is_copied_with_one_tap(app, live_server, phone, make_user):
    """活动 page on a phone: 复制地址 puts the feed address on the clipboard (pasted into the
    phone's calendar), and says so."""
    make_user("zhang", name="张三")
    phone.grant_permissions(["clipboard-read", "clipboard-write"])
    page = phone.new_page()
    log_in(page, live_server, "zhang")
    page.goto(f"{live_server}/sessions")
    address = page.get_by_label("订阅地址")
    expect(address).to_have_value(re.compile(r"^http://.+/calendar/.+\.ics$"))
    copy = page.get_by_role("button", name="复制地址")
    copy.click()
    expect(page.get_by_role("button", name="已复制，请到手机日历中粘贴")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address.input_value()
    assert_fits_phone(page)

    # On a plain-HTTP intranet there is no Clipboard API: the address is selected and copied.
    page.evaluate("navigator.clipboard.writeText('')")
    plain = phone.new_page()
    plain.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    plain.goto(f"{live_server}/sessions")
    plain.get_by_role("button", name="复制地址").click()
    expect(plain.get_by_role("button", name="已复制，请到手机日历中粘贴")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == address.input_value()
