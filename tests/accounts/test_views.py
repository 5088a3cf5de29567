"""Accounts pages through HTTP: login, lockout, redirects, admin guard, CSRF, import."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.localtime import day_start, local_day
from lawlearn.sessions.calendar import calendar_token
from tests.accounts.test_importing import xlsx_bytes
from tests.conftest import PASSWORD, csrf_from, field_errors, post_with_csrf


def test_login_page_is_chinese_with_security_headers(client):
    response = client.get("/login")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "登录" in html and 'lang="zh-CN"' in html
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None  # no inline scripts


def test_pages_need_login(client):
    response = client.get("/me")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/me")


def test_login_and_logout(client, login, make_user):
    user = make_user("alice", name="爱丽丝")
    response = login(user)
    assert "爱丽丝，您好" in response.get_data(as_text=True)
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    # Logging out is a POST: the address opened is the home page, still signed in.
    assert client.get("/logout").headers["Location"] == "/"
    assert "爱丽丝，您好" in client.get("/").get_data(as_text=True)
    response = post_with_csrf(client, "/me", "/logout", follow_redirects=True)
    assert "您已退出登录" in response.get_data(as_text=True)
    assert client.get("/me").status_code == 302


def test_wrong_password_is_refused(client, make_user):
    make_user("bob")
    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={"username": "bob", "password": "wrong-one",
                                           "csrf_token": token})
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)
    # The username stays; the cursor waits in the password field, not the filled one.
    focused = re.findall(r'<input[^>]*\bautofocus\b[^>]*>', response.get_data(as_text=True))
    assert len(focused) == 1 and 'name="password"' in focused[0]
    assert 'name="username"' in re.findall(r'<input[^>]*\bautofocus\b[^>]*>',
                                           client.get("/login").get_data(as_text=True))[0]


def test_remember_me_sets_a_lasting_cookie(client, make_user):
    make_user("carol")
    token = csrf_from(client.get("/login"))
    client.post("/login", data={"username": "carol", "password": PASSWORD, "remember": "y",
                                "csrf_token": token})
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.http_only and remember.expires is not None


def test_a_logout_ends_this_browser_and_logout_everywhere_ends_every_cookie(app, client,
                                                                            make_user):
    """Logging out leaves the account's other logins alone (the projector in the meeting
    room); 在所有设备上退出 refuses every cookie issued before it, copied ones too, and
    the phone client's bearer token and the calendar feed (they had gone on working)."""
    erin = make_user("erin", name="艾琳")
    phone = app.test_client()
    bearer = {"Authorization": "Bearer " + phone.post("/api/v1/auth/token", json={
        "username": "erin", "password": PASSWORD}).get_json()["token"]}
    assert phone.get("/api/v1/me", headers=bearer).status_code == 200
    with app.app_context():
        feed = f"/calendar/{calendar_token(db.session.get(User, erin.id))}.ics"
        db.session.commit()
    assert phone.get(feed).status_code == 200

    def log_in(browser):
        token = csrf_from(browser.get("/login"))
        browser.post("/login", data={"username": "erin", "password": PASSWORD, "remember": "y",
                                     "csrf_token": token})

    projector = app.test_client()
    log_in(projector)
    log_in(client)
    copied = {name: client.get_cookie(name).value for name in ("session", "remember_token")}
    response = post_with_csrf(client, "/me", "/logout", follow_redirects=True)
    assert "您已退出登录。" in response.get_data(as_text=True)
    assert client.get("/me").status_code == 302
    assert projector.get("/me").status_code == 200  # the other login goes on
    log_in(client)
    page = client.get("/me").get_data(as_text=True)
    assert 'data-confirm="在所有设备上退出登录？' in page  # asked first
    response = post_with_csrf(client, "/me", "/logout/everywhere", follow_redirects=True)
    assert "已在所有设备上退出登录。" in response.get_data(as_text=True)
    assert projector.get("/me").status_code == 302
    assert phone.get("/api/v1/me", headers=bearer).status_code == 401
    assert phone.get(feed).status_code == 404
    for name, value in copied.items():
        other = app.test_client()
        other.set_cookie(name, value)
        response = other.get("/me")
        assert response.status_code == 302 and "/login" in response.headers["Location"], name
    log_in(client)  # logging in again works as before
    assert "艾琳，您好" in client.get("/").get_data(as_text=True)


def test_lockout_after_five_failures(client, make_user, app):
    make_user("dave")
    for attempt in range(5):
        token = csrf_from(client.get("/login"))
        response = client.post("/login", data={"username": "dave", "password": f"bad-{attempt}",
                                               "csrf_token": token})
    assert "锁定 15 分钟" in response.get_data(as_text=True)
    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={"username": "dave", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 429 and "锁定" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(username="dave")).locked_until


def _try_login(client, username: str, password: str):
    token = csrf_from(client.get("/login"))
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


def test_a_browser_that_signed_someone_in_before_is_not_held_by_a_lock_others_caused(
        app, client, make_user):
    """Anyone who knows a username could lock its owner out (five wrong passwords from
    anywhere). The owner's own browser, which signed them in before, still can; its wrong
    passwords count against its device id on the server, to the same limit; other browsers
    meet the lock."""
    make_user("dave")
    assert _try_login(client, "dave", PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me"))})

    stranger = app.test_client()
    for attempt in range(5):
        _try_login(stranger, "dave", f"bad-{attempt}")
    assert _try_login(stranger, "dave", PASSWORD).status_code == 429

    assert _try_login(client, "dave", PASSWORD).status_code == 302  # the owner's browser
    with app.app_context():
        dave = db.session.scalar(select(User).filter_by(username="dave"))
        assert dave.locked_until is None and dave.failed_logins == 0  # their sign-in unlocks
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me"))})

    # The browser's own wrong passwords: not the account's count, and only five.
    for attempt in range(5):
        assert _try_login(client, "dave", f"typo-{attempt}").status_code == 422
    with app.app_context():
        assert db.session.scalar(select(User.failed_logins).filter_by(username="dave")) == 0
    for attempt in range(5):  # now an unknown browser: the account's count and lock
        _try_login(client, "dave", f"more-{attempt}")
    assert _try_login(client, "dave", PASSWORD).status_code == 429
    assert _try_login(stranger, "dave", PASSWORD).status_code == 429


def test_a_known_device_is_known_for_its_own_account_only(app, client, make_user):
    make_user("dave")
    make_user("erin")
    assert _try_login(client, "dave", PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me"))})
    for attempt in range(5):
        _try_login(client, "erin", f"bad-{attempt}")
    assert _try_login(client, "erin", PASSWORD).status_code == 429
    forged = app.test_client()
    forged.set_cookie("lawlearn_known_device", "eyJ1IjoiZXJpbiIsImYiOjB9.forged")
    assert _try_login(forged, "erin", PASSWORD).status_code == 429


def test_a_copied_known_device_cookie_cannot_guess_without_end(app, client, make_user):
    """The count lived in the cookie: a copy sent again before each guess (a shared office
    PC where someone signed in) guessed without limit while the account never locked."""
    make_user("dave")
    assert _try_login(client, "dave", PASSWORD).status_code == 302
    copied = client.get_cookie("lawlearn_known_device").value
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me"))})
    guesser = app.test_client()
    statuses = []
    for attempt in range(11):
        guesser.set_cookie("lawlearn_known_device", copied)
        statuses.append(_try_login(guesser, "dave", f"guess-{attempt}").status_code)
    # Five as the known device, then against the account: its fifth locks it (429).
    assert statuses == [422] * 9 + [429, 429]
    guesser.set_cookie("lawlearn_known_device", copied)
    assert _try_login(guesser, "dave", PASSWORD).status_code == 429
    with app.app_context():
        assert db.session.scalar(select(User.locked_until).filter_by(username="dave"))


def test_a_password_change_ends_the_known_devices(app, client, make_user):
    """A device cookie says nothing of the password; one issued before a change (or a
    reset, or 在所有设备上退出) no longer passes the lock."""
    from lawlearn.accounts import services

    make_user("dave")
    assert _try_login(client, "dave", PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me"))})
    with app.app_context():
        dave = db.session.scalar(select(User).filter_by(username="dave"))
        services.change_password(dave, PASSWORD, "Another-pass-42")
        db.session.commit()
    stranger = app.test_client()
    for attempt in range(5):
        _try_login(stranger, "dave", f"bad-{attempt}")
    assert _try_login(client, "dave", "Another-pass-42").status_code == 429


@pytest.mark.app_config(LOGIN_RATE_LIMIT="3 per minute")
def test_login_is_rate_limited_per_address(client):
    statuses = []
    for _ in range(4):
        token = csrf_from(client.get("/login"))
        statuses.append(client.post("/login", data={"username": "nobody", "password": "x" * 9,
                                                     "csrf_token": token}).status_code)
    assert statuses[:3] == [422, 422, 422]
    assert statuses[3] == 429
    # Another address is not affected.
    token = csrf_from(client.get("/login"))
    other = client.post("/login", data={"username": "nobody", "password": "x" * 9,
                                        "csrf_token": token},
                        environ_overrides={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 422


@pytest.mark.parametrize("target", ["/me", "/admin/users?q=a"])
def test_next_redirects_within_the_site(client, make_user, target):
    make_user("erin", roles=("admin",))
    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={"username": "erin", "password": PASSWORD,
                                           "csrf_token": token, "next": target})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "http:/evil.example", " //evil.example",
])
def test_next_never_leaves_the_site(client, make_user, target):
    make_user("frank")
    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={"username": "frank", "password": PASSWORD,
                                           "csrf_token": token, "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_forced_password_change_at_first_login(client, login, make_user, app):
    user = make_user("grace", must_change_password=True)
    response = login(user, follow=False)
    assert response.headers["Location"] == "/"
    response = client.get("/study")
    assert response.status_code == 302 and response.headers["Location"].startswith("/password")
    page = client.get(response.headers["Location"])
    assert "请先设置新密码" in page.get_data(as_text=True)
    assert "至少 8 个字符，含字母、数字、符号中的至少 2 类，不能包含用户名。" in page.get_data(as_text=True)
    # A phone's password manager offers the saved password here and saves the new one.
    html = page.get_data(as_text=True)
    assert re.search(r'<input[^>]*autocomplete="current-password"[^>]*name="current_password"', html)
    assert len(re.findall(r'autocomplete="new-password"', html)) == 2
    login_page = app.test_client().get("/login").get_data(as_text=True)
    assert 'autocomplete="username"' in login_page and 'autocomplete="current-password"' in login_page
    token = csrf_from(page)
    bad = client.post("/password", data={"current_password": PASSWORD, "new_password": "grace",
                                         "confirm": "grace", "csrf_token": token})
    assert "至少需要 8 个字符" in bad.get_data(as_text=True)
    # A new password of spaces is named for what it is, not as left empty.
    spaces = client.post("/password", data={"current_password": PASSWORD,
                                            "new_password": " " * 9, "confirm": " " * 9,
                                            "csrf_token": token}).get_data(as_text=True)
    assert "密码不能只由空格组成。" in spaces and "该字段是必填字段" not in spaces
    empty = client.post("/password", data={"current_password": PASSWORD, "new_password": "",
                                           "confirm": "", "csrf_token": token})
    assert "请输入新密码。" in empty.get_data(as_text=True)
    for weak, problem in (("12345678", "密码须包含字母、数字、符号中的至少 2 类。"),
                          ("grace-2026", "密码不能包含用户名。")):
        refused = client.post("/password", data={"current_password": PASSWORD,
                                                 "new_password": weak, "confirm": weak,
                                                 "csrf_token": token})
        assert problem in refused.get_data(as_text=True)
        with app.app_context():
            assert db.session.get(User, user.id).check_password(PASSWORD)
    done = client.post("/password?next=/study", data={
        "current_password": PASSWORD, "new_password": "a-new-secret", "confirm": "a-new-secret",
        "csrf_token": token, "next": "/study"})
    assert done.headers["Location"] == "/study"
    assert client.get("/study").status_code == 200
    with app.app_context():
        assert not db.session.get(User, user.id).must_change_password


def test_password_change_signs_out_other_sessions(app, login, make_user):
    make_user("henry")
    other = app.test_client()
    token = csrf_from(other.get("/login"))
    other.post("/login", data={"username": "henry", "password": PASSWORD, "csrf_token": token})
    assert other.get("/me").status_code == 200
    client = app.test_client()
    token = csrf_from(client.get("/login"))
    client.post("/login", data={"username": "henry", "password": PASSWORD, "csrf_token": token})
    post_with_csrf(client, "/password", "/password", {
        "current_password": PASSWORD, "new_password": "another-secret",
        "confirm": "another-secret"})
    assert client.get("/me").status_code == 200
    assert other.get("/me").status_code == 302


def admin_urls(app, *, with_endpoints: bool = False) -> list[tuple]:
    """Every /admin/ route with each of its methods, ids filled with 1 (and its endpoint)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        path = re.sub(r"<(?:int:)?\w+>", "1", rule.rule)
        if "<fmt>" in rule.rule or "<export_format>" in rule.rule:
            path = re.sub(r"<\w+>", "xlsx", re.sub(r"<int:\w+>", "1", rule.rule))
        urls.extend((method, path, rule.endpoint) if with_endpoints else (method, path)
                    for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return urls


# The admin pages the office's leader reads ("read-only everything"): GET only.
LEADER_READS = {"sessions_admin.sessions", "sessions_admin.attendance",
                "sessions_admin.attendance_sheet", "sessions_admin.absentees",
                "sessions_admin.attendance_report", "quiz_admin.quizzes",
                "quiz_admin.quiz_results", "quiz_admin.item_analysis",
                "quiz_admin.results_export"}


def test_an_account_that_only_administers_lands_on_the_admin_pages(client, login, make_user):
    """The first admin (`users create --role admin`) signed in to the staff home page:
    今日学法活动, 开始今日练习 and 未分配部门, with the admin pages a small link away."""
    it = make_user("it-admin", roles=("admin",))
    response = login(it, follow=False)
    assert response.headers["Location"] == "/admin/"
    assert client.get("/login").headers["Location"] == "/admin/"
    post_with_csrf(client, "/admin/", "/logout")
    # An admin who studies too, and a ``next``, go where they always did.
    both = make_user("clerk-admin", roles=("admin", "staff"))
    assert login(both, follow=False).headers["Location"] == "/"
    post_with_csrf(client, "/", "/logout")
    token = csrf_from(client.get("/login?next=/materials"))
    response = client.post("/login", data={"username": it.username, "password": it.password,
                                           "csrf_token": token, "next": "/materials"})
    assert response.headers["Location"] == "/materials"


def test_staff_are_refused_on_every_admin_route(app, client, login, make_user):
    readable = {endpoint for endpoint, view in app.view_functions.items()
                if getattr(view, "leader_reads", False)}
    assert readable == LEADER_READS  # a page added to the leader's is added here, knowingly
    for role in ("staff", "dept_lead", "leader"):
        client = app.test_client()
        token = csrf_from(client.get("/login"))
        user = make_user(roles=(role,))
        client.post("/login", data={"username": user.username, "password": PASSWORD,
                                    "csrf_token": token})
        urls = admin_urls(app, with_endpoints=True)
        assert len(urls) >= 12
        for method, url, endpoint in urls:
            response = client.open(url, method=method, data={"csrf_token": token})
            if role == "leader" and method == "GET" and endpoint in LEADER_READS:
                # Let through: nothing numbered 1 here, or the page itself.
                assert response.status_code in (200, 404), (role, method, url)
                continue
            assert response.status_code == 403, (role, method, url)
            assert "无权访问" in response.get_data(as_text=True)


def test_strangers_are_sent_to_login_from_admin_routes(app, client):
    for method, url in admin_urls(app):
        response = client.open(url, method=method)
        assert response.status_code in (302, 400), (method, url)  # 400: no CSRF token on POST
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login")


def test_post_without_csrf_token_is_refused(admin_client, app, make_user):
    victim = make_user("ivan")
    response = admin_client.post(f"/admin/users/{victim.id}/active", data={"active": "0"})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, victim.id).active


def test_admin_creates_edits_resets_and_deactivates(admin_client, app, make_department):
    unit = make_department("区政府办公室")
    response = post_with_csrf(admin_client, "/admin/users/new", "/admin/users/new", {
        "username": "judy", "name": "朱迪", "department_id": str(unit), "roles": ["staff"],
        "password": "first-pass-41"}, follow_redirects=True)
    assert "已创建用户 朱迪" in response.get_data(as_text=True)
    with app.app_context():
        judy = db.session.scalar(select(User).filter_by(username="judy"))
        judy_id = judy.id
        assert judy.must_change_password and judy.department_id == unit
    # Invalid input re-renders with the error under the field and keeps what was typed.
    response = post_with_csrf(admin_client, "/admin/users/new", "/admin/users/new", {
        "username": "judy", "name": "另一个", "roles": ["staff"], "password": "first-pass-41"})
    html = response.get_data(as_text=True)
    assert "用户名 judy 已存在" in html and 'value="另一个"' in html
    # A 科室负责人 needs a department: refused without one (every lead page would refuse
    # them), nothing changed.
    refused = post_with_csrf(admin_client, f"/admin/users/{judy_id}", f"/admin/users/{judy_id}", {
        "name": "朱迪二", "department_id": "", "roles": ["staff", "dept_lead"]})
    assert "科室负责人须有所属部门，请选择部门。" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, judy_id).roles == {"staff"}
    post_with_csrf(admin_client, f"/admin/users/{judy_id}", f"/admin/users/{judy_id}", {
        "name": "朱迪二", "department_id": "", "roles": ["staff"]})
    post_with_csrf(admin_client, f"/admin/users/{judy_id}", f"/admin/users/{judy_id}", {
        "name": "朱迪二", "department_id": str(unit), "roles": ["staff", "dept_lead"]})
    post_with_csrf(admin_client, f"/admin/users/{judy_id}",
                   f"/admin/users/{judy_id}/reset-password", {"new_password": "temp-password"})
    post_with_csrf(admin_client, f"/admin/users/{judy_id}", f"/admin/users/{judy_id}/active",
                   {"active": "0"})
    with app.app_context():
        judy = db.session.get(User, judy_id)
        assert judy.name == "朱迪二" and judy.roles == {"staff", "dept_lead"}
        assert judy.check_password("temp-password") and not judy.active
        actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"user.create", "user.update", "user.reset_password", "user.deactivate"} <= actions
    audit_page = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "停用用户 judy" in audit_page and "管理员甲" in audit_page
    # A role change says which role was granted, not only that roles changed.
    assert "修改用户 朱迪二（judy）：部门、角色（授予科室负责人）" in audit_page
    post_with_csrf(admin_client, f"/admin/users/{judy_id}", f"/admin/users/{judy_id}", {
        "name": "朱迪二", "department_id": "", "roles": ["staff", "admin"]})
    assert "角色（授予管理员；取消科室负责人）" in admin_client.get("/admin/audit").get_data(
        as_text=True)
    # Her name finds what was done to her, though 停用用户 judy names her username alone.
    found = admin_client.get("/admin/audit?q=朱迪").get_data(as_text=True)
    assert "停用用户 judy" in found and "重置用户 judy 的密码" in found
    nobody = admin_client.get("/admin/audit?q=无此人").get_data(as_text=True)
    assert "停用用户 judy" not in nobody and "没有符合条件的操作记录。" in nobody
    # The days are local and both included; not a day is no filter.
    with app.app_context():
        today = local_day(utcnow())
        db.session.execute(update(AuditEntry).where(AuditEntry.action == "user.deactivate")
                           .values(at=day_start(today - timedelta(days=3))))
        db.session.commit()
    week_ago = (today - timedelta(days=7)).isoformat()
    three_days_ago = (today - timedelta(days=3)).isoformat()
    earlier = admin_client.get(f"/admin/audit?from={week_ago}&to={three_days_ago}").get_data(
        as_text=True)
    assert "停用用户 judy" in earlier and "重置用户 judy 的密码" not in earlier
    swapped = admin_client.get(f"/admin/audit?from={three_days_ago}&to={week_ago}")
    assert "停用用户 judy" in swapped.get_data(as_text=True)  # reversed days are swapped
    swapped_page = swapped.get_data(as_text=True)
    assert "结束日期早于开始日期，已按对调后的期间显示。" in swapped_page  # and said to be
    assert f'name="from" value="{week_ago}"' in swapped_page
    assert "已按对调后的期间" not in earlier
    later = admin_client.get(f"/admin/audit?from={today.isoformat()}").get_data(as_text=True)
    assert "停用用户 judy" not in later and "重置用户 judy 的密码" in later
    assert "停用用户 judy" in admin_client.get("/admin/audit?from=昨天").get_data(as_text=True)


def test_user_list_search_filter_and_pages(admin_client, make_user, make_department):
    unit = make_department("法制科")
    for index in range(25):
        make_user(f"member{index:02d}", department_id=unit, name=f"成员{index:02d}")
    make_user("lonely", name="孤独者")
    page1 = admin_client.get(f"/admin/users?department={unit}").get_data(as_text=True)
    assert "第 1 / 2 页，共 25 条" in page1 and "孤独者" not in page1
    page2 = admin_client.get(f"/admin/users?department={unit}&page=2").get_data(as_text=True)
    assert page2.count("member") == 5
    found = admin_client.get("/admin/users?q=孤独").get_data(as_text=True)
    assert "lonely" in found and "member01" not in found
    wildcard = admin_client.get("/admin/users?q=%25").get_data(as_text=True)
    assert "没有符合条件的用户" in wildcard  # % is a character, not a wildcard
    admins = admin_client.get("/admin/users?role=admin").get_data(as_text=True)
    assert "root" in admins and "lonely" not in admins


def test_user_list_runs_a_constant_number_of_queries(app, admin_client, make_user,
                                                     make_department, count_queries):
    unit = make_department("综合科")
    section = make_department("一组", unit)
    for _ in range(3):
        make_user(department_id=section)
    few = count_queries(lambda: admin_client.get("/admin/users"))
    for _ in range(30):
        make_user(department_id=section, roles=("staff", "dept_lead"))
    many = count_queries(lambda: admin_client.get("/admin/users"))
    assert few == many


def test_department_pages(admin_client, app):
    post_with_csrf(admin_client, "/admin/departments", "/admin/departments",
                   {"name": "区政府办公室", "parent_id": ""})
    with app.app_context():
        from lawlearn.accounts.models import Department

        unit_id = db.session.scalar(select(Department.id).filter_by(name="区政府办公室"))
    response = post_with_csrf(admin_client, "/admin/departments", "/admin/departments",
                              {"name": "秘书科", "parent_id": str(unit_id)},
                              follow_redirects=True)
    assert "已创建部门 区政府办公室/秘书科" in response.get_data(as_text=True)
    response = post_with_csrf(admin_client, f"/admin/departments/{unit_id}",
                              f"/admin/departments/{unit_id}",
                              {"action": "rename", "rename-name": "区府办"},
                              follow_redirects=True)
    assert "区府办" in response.get_data(as_text=True)
    # "/" separates a unit from its section (the import's 部门 column): never in a name.
    for path, data in (("/admin/departments", {"name": "后勤/保障科", "parent_id": str(unit_id)}),
                       (f"/admin/departments/{unit_id}",
                        {"action": "rename", "rename-name": "区府办／秘书"})):
        refused = post_with_csrf(admin_client, path, path, data, follow_redirects=True)
        assert "部门名称不能含有“/”" in refused.get_data(as_text=True)
    with app.app_context():
        names = set(db.session.scalars(select(Department.name)))
        assert "区府办" in names and not any("/" in n or "／" in n for n in names)


def preview_import(admin_client, data: bytes) -> tuple[str, str]:
    """Upload ``data`` on the import page: (the CSRF token, the preview's HTML)."""
    token = csrf_from(admin_client.get("/admin/users/import"))
    preview = admin_client.post("/admin/users/import", data={
        "csrf_token": token, "default_password": "batch-password",
        "file": (io.BytesIO(data), "users.xlsx")}, content_type="multipart/form-data")
    return token, preview.get_data(as_text=True)


def test_import_through_the_page(admin_client, app, make_department):
    make_department("法制科")
    data = xlsx_bytes([["kate", "凯特", "法制科", "职工", "13800138000", ""],
                       ["leo", "利奥", "法制科", "职工", "", ""]])
    token, html = preview_import(admin_client, data)
    assert "将创建 2 个用户" in html and "凯特" in html
    assert "<th>手机号</th>" in html and '<td class="nowrap">13800138000</td>' in html
    assert "batch-password" not in html  # the default password never goes back to the page
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).filter_by(username="kate")) == 0
    stash = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    done = admin_client.post("/admin/users/import/confirm", data={
        "csrf_token": token, "token": stash}, follow_redirects=True)
    assert "已导入 2 个用户" in done.get_data(as_text=True)
    with app.app_context():
        kate = db.session.scalar(select(User).filter_by(username="kate"))
        assert kate.check_password("batch-password") and kate.must_change_password
    # Her name finds the import that created her (its entry names usernames alone).
    found = admin_client.get("/admin/audit?q=凯特").get_data(as_text=True)
    assert "批量导入用户 2 人" in found
    assert "批量导入用户 2 人" not in admin_client.get("/admin/audit?q=无此人").get_data(
        as_text=True)


def test_a_problem_found_at_confirmation_is_listed_by_row(admin_client, app, make_user):
    """A username taken in another tab between preview and confirmation: the page said only
    "导入文件有错误，未导入任何用户。" over an empty upload form."""
    data = xlsx_bytes([["kate", "凯特", "", "", "", "good-password"],
                       ["leo", "利奥", "", "", "", "good-password"]])
    token = csrf_from(admin_client.get("/admin/users/import"))
    html = admin_client.post("/admin/users/import", data={
        "csrf_token": token, "file": (io.BytesIO(data), "users.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)
    stash = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    make_user("leo")  # meanwhile
    refused = admin_client.post("/admin/users/import/confirm",
                                data={"csrf_token": token, "token": stash})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "确认导入时发现以下问题（预览之后数据有了变化），未导入任何用户。" in text
    assert "发现 1 行有问题，未导入任何用户" in text
    assert re.search(r'<td class="num">3</td><td>[^<]*leo', text)  # row 3: the header is row 1
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).filter_by(username="kate")) == 0


def test_import_page_lists_every_problem_and_writes_nothing(admin_client, app):
    data = xlsx_bytes([["ok", "好", "", "", "", "good-password"],
                       ["ok", "重", "", "", "", "good-password"],
                       ["bad", "", "没有这个部门", "", "", "good-password"]])
    token = csrf_from(admin_client.get("/admin/users/import"))
    response = admin_client.post("/admin/users/import", data={
        "csrf_token": token, "file": (io.BytesIO(data), "users.xlsx")},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    # Rows counted, as the question import counts them: the third row has two problems.
    assert "发现 2 行有问题，未导入任何用户" in html
    assert "与第 2 行重复" in html and "姓名为空；部门“没有这个部门”不存在" in html
    assert "/admin/users/import/confirm" not in html
    # A file that is not a spreadsheet, whatever its name says.
    response = admin_client.post("/admin/users/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(40)), "users.xlsx")},
        content_type="multipart/form-data")
    assert "不是表格" in response.get_data(as_text=True)
    # A problem of the whole file (rows without a password, none given for them) is no row.
    response = admin_client.post("/admin/users/import", data={
        "csrf_token": token, "file": (io.BytesIO(xlsx_bytes([["ann", "安", "", "", "", ""]])),
                                      "users.xlsx")}, content_type="multipart/form-data")
    assert "发现 1 处问题，未导入任何用户" in response.get_data(as_text=True)
    # Both kinds at once: each counted as what it is.
    response = admin_client.post("/admin/users/import", data={
        "csrf_token": token, "file": (io.BytesIO(xlsx_bytes([["ann", "安", "", "", "", ""],
                                                              ["Bad Name", "", "", "", "", ""]])),
                                      "users.xlsx")}, content_type="multipart/form-data")
    assert "发现 1 行有问题，另有 1 处整体问题，未导入任何用户" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_import_template_download(admin_client):
    response = admin_client.get("/admin/users/import/template.xlsx")
    assert response.status_code == 200
    assert response.data.startswith(b"PK\x03\x04")


def test_error_pages_are_chinese(client, login, make_user):
    login(make_user())
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)


def test_error_pages_keep_the_tab_bar_for_a_signed_in_person(client, login, make_user):
    assert 'class="bottom-nav"' not in client.get("/no-such-page").get_data(as_text=True)
    login(make_user())
    for url, status in (("/no-such-page", 404), ("/admin/", 403)):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == status, url
        assert 'class="bottom-nav"' in html and '<body class="staff"' in html, url
        assert 'aria-current="page"' not in html, url  # no tab is the current one


def test_an_admins_error_page_under_admin_leads_back_to_the_admin_pages(client, login, admin):
    login(admin)
    html = client.get("/admin/users/999999").get_data(as_text=True)
    assert 'class="bottom-nav"' not in html and "返回管理后台" in html
    staff_side = client.get("/no-such-page").get_data(as_text=True)
    assert 'class="bottom-nav"' in staff_side and "返回首页" in staff_side


def test_english_is_available(client, login, make_user):
    login(make_user())
    post_with_csrf(client, "/me", "/language", {"locale": "en", "next": "/me"})
    html = client.get("/me").get_data(as_text=True)
    assert 'lang="en"' in html and "Change password" in html and "修改密码" not in html
    post_with_csrf(client, "/me", "/language", {"locale": "zh_CN", "next": "/me"})
    assert "修改密码" in client.get("/me").get_data(as_text=True)


@pytest.mark.app_config(LOGIN_RATE_LIMIT="2 per minute", PROXY_HOPS=1)
def test_rate_limit_uses_the_forwarded_address_behind_a_proxy(client):
    def attempt(address):
        token = csrf_from(client.get("/login"))
        return client.post("/login", data={"username": "x", "password": "y" * 9,
                                           "csrf_token": token},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("10.1.1.1") for _ in range(3)] == [422, 422, 429]
    assert attempt("10.1.1.2") == 422


@pytest.mark.app_config(LOGIN_RATE_LIMIT="3 per minute")
def test_login_page_and_api_share_one_budget_spent_only_by_failures(client, make_user):
    user = make_user("regular")
    for _ in range(5):  # successes cost nothing
        token = csrf_from(client.get("/login"))
        ok = client.post("/login", data={"username": user.username, "password": user.password,
                                         "csrf_token": token})
        assert ok.status_code == 302
        post_with_csrf(client, "/me", "/logout")
    token = csrf_from(client.get("/login"))
    client.post("/login", data={"username": "x", "password": "y" * 9, "csrf_token": token})
    client.post("/api/v1/auth/token", json={"username": "x", "password": "y" * 9})
    client.post("/api/v1/auth/token", json={"username": "x", "password": "y" * 9})
    blocked = client.post("/api/v1/auth/token", json={"username": user.username,
                                                      "password": user.password})
    assert blocked.status_code == 429


def test_a_large_import_preview_lists_the_first_rows_under_its_button(admin_client, app):
    from lawlearn.accounts.admin_views import PREVIEW_ROWS

    data = xlsx_bytes([[f"bulk{n:04d}", f"批量{n}", "", "", "", "batch-password"]
                       for n in range(PREVIEW_ROWS + 50)])
    token = csrf_from(admin_client.get("/admin/users/import"))
    html = admin_client.post("/admin/users/import", data={
        "csrf_token": token, "file": (io.BytesIO(data), "users.xlsx")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert f"将创建 {PREVIEW_ROWS + 50} 个用户" in html
    assert f"以下列出前 {PREVIEW_ROWS} 行；其余 50 行同样检查无误，确认后一并导入。" in html
    assert html.count("<tr><td class=\"num\">") == PREVIEW_ROWS
    assert html.index(f"确认导入 {PREVIEW_ROWS + 50} 个用户") < html.index("<table")  # button first
    stash = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    admin_client.post("/admin/users/import/confirm", data={"csrf_token": token, "token": stash})
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).where(
            User.username.like("bulk%"))) == PREVIEW_ROWS + 50


def test_the_user_form_names_every_problem_at_once(admin_client, app, make_user):
    """A taken username, a 科室负责人 without a department, a bad phone number and no
    password: all four under their fields in one answer (not one per submission); nothing
    is created. The edit form does the same for its fields."""
    from lxml import html as lxml_html

    make_user("kate")
    response = post_with_csrf(admin_client, "/admin/users/new", "/admin/users/new", {
        "username": "Kate", "name": "凯特", "roles": ["staff", "dept_lead"], "phone": "12",
        "password": ""})
    assert response.status_code == 200
    page = lxml_html.fromstring(response.get_data(as_text=True))

    def errors(name: str) -> list[str]:
        return field_errors(page, name)

    assert errors("username") == ["用户名 kate 已存在。"]
    assert errors("department_id") == ["科室负责人须有所属部门，请选择部门。"]
    assert errors("phone") == ["手机号须为 7 至 20 位数字，可含空格、+ 和 -。"]
    assert errors("password") == ["请设置初始密码。"]
    # Marked required like 姓名 (the edit form has no password field).
    assert page.xpath('string(//label[@for="password"])') == "初始密码 *"
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 2  # the admin and kate

    # The form's own checks failing (no name) do not hide the service's: one submission
    # still names them all, the form's message alone where it has one.
    response = post_with_csrf(admin_client, "/admin/users/new", "/admin/users/new", {
        "username": "kate", "name": "", "roles": ["staff"], "phone": "12", "password": "kate"})
    page = lxml_html.fromstring(response.get_data(as_text=True))
    assert errors("name") == ["请填写姓名。"]
    assert errors("username") == ["用户名 kate 已存在。"]
    assert errors("phone") == ["手机号须为 7 至 20 位数字，可含空格、+ 和 -。"]
    assert errors("password") == ["密码至少需要 8 个字符。", "密码不能与用户名相同。"]

    kate = make_user("kate2")
    response = post_with_csrf(admin_client, f"/admin/users/{kate.id}", f"/admin/users/{kate.id}",
                              {"name": "凯特", "roles": ["staff", "dept_lead"], "phone": "12"})
    page = lxml_html.fromstring(response.get_data(as_text=True))
    assert errors("department_id") and errors("phone")
    response = post_with_csrf(admin_client, f"/admin/users/{kate.id}", f"/admin/users/{kate.id}",
                              {"name": "", "roles": ["staff"], "phone": "12"})
    page = lxml_html.fromstring(response.get_data(as_text=True))
    assert errors("name") == ["请填写姓名。"] and errors("phone")
    with app.app_context():
        assert db.session.get(User, kate.id).name != ""


def test_admin_gives_and_changes_a_joining_day(admin_client, app):
    """The user form shows 加入日期 (today's account: today) and saves a change; a day
    after today re-renders with the message under the field and changes nothing."""
    from datetime import date, timedelta

    from lawlearn.database import utcnow
    from lawlearn.localtime import day_start, local_day

    response = post_with_csrf(admin_client, "/admin/users/new", "/admin/users/new", {
        "username": "lucy", "name": "露西", "roles": ["staff"], "password": "first-pass-42",
        "joined_on": "2024-09-01"}, follow_redirects=True)
    assert "已创建用户 露西" in response.get_data(as_text=True)
    with app.app_context():
        lucy = db.session.scalar(select(User).filter_by(username="lucy"))
        lucy_id, today = lucy.id, local_day(utcnow())
        assert lucy.joined_at == day_start(date(2024, 9, 1))
    page = admin_client.get(f"/admin/users/{lucy_id}").get_data(as_text=True)
    assert 'name="joined_on"' in page and 'value="2024-09-01"' in page
    post_with_csrf(admin_client, f"/admin/users/{lucy_id}", f"/admin/users/{lucy_id}", {
        "name": "露西", "roles": ["staff"], "joined_on": "2025-03-01"})
    tomorrow = (today + timedelta(days=1)).isoformat()
    response = post_with_csrf(admin_client, f"/admin/users/{lucy_id}",
                              f"/admin/users/{lucy_id}", {
                                  "name": "露西改", "roles": ["staff"], "joined_on": tomorrow})
    assert response.status_code == 200
    assert "加入日期不能晚于今天" in response.get_data(as_text=True)
    with app.app_context():
        lucy = db.session.get(User, lucy_id)
        assert lucy.joined_at == day_start(date(2025, 3, 1)) and lucy.name == "露西"


def test_a_department_made_by_mistake_is_deleted_and_one_in_use_is_not(admin_client, app,
                                                                      make_user):
    """Only a department without people, sections or records goes (asked first); any
    other names why and points to 合并."""
    from lawlearn.accounts.models import AuditEntry, Department

    post_with_csrf(admin_client, "/admin/departments", "/admin/departments",
                   {"name": "测试科", "parent_id": ""})
    post_with_csrf(admin_client, "/admin/departments", "/admin/departments",
                   {"name": "法制科", "parent_id": ""})
    with app.app_context():
        mistake = db.session.scalar(select(Department.id).filter_by(name="测试科"))
        used = db.session.scalar(select(Department.id).filter_by(name="法制科"))
    make_user("clerk", department_id=used, active=False)  # a deactivated member still counts
    page = admin_client.get(f"/admin/departments/{used}").get_data(as_text=True)
    assert "有 1 名人员（含已停用的）" in page and 'value="delete"' not in page
    refused = post_with_csrf(admin_client, f"/admin/departments/{used}",
                             f"/admin/departments/{used}", {"action": "delete"},
                             follow_redirects=True).get_data(as_text=True)
    assert "不能删除：有 1 名人员（含已停用的）。请改用“合并”。" in refused
    page = admin_client.get(f"/admin/departments/{mistake}").get_data(as_text=True)
    assert 'data-confirm="确定删除部门 测试科 吗？"' in page
    # Moving re-rolls every report, past years' too: asked first as well
    assert ('data-confirm="移动后，本部门及其人员在各统计报表（含往年）中都按新的上级汇总。'
            '确定移动吗？"') in page
    done = post_with_csrf(admin_client, f"/admin/departments/{mistake}",
                          f"/admin/departments/{mistake}", {"action": "delete"},
                          follow_redirects=True).get_data(as_text=True)
    assert "已删除部门 测试科" in done
    with app.app_context():
        assert db.session.get(Department, mistake) is None
        assert db.session.get(Department, used) is not None
        assert db.session.scalar(select(AuditEntry.summary).filter_by(
            action="department.delete")) == "删除部门 测试科"


def test_a_units_page_counts_its_sections_people_as_the_list_does(admin_client, make_department,
                                                                  make_user):
    """The list said 31 for a unit whose people sit in its sections; its own page said 0."""
    unit = make_department("司法局")
    section = make_department("普法科", unit)
    make_user("lead9", department_id=unit)
    for number in range(2):
        make_user(f"clerk{number}", department_id=section)
    make_user("gone", department_id=section, active=False)
    listing = admin_client.get("/admin/departments").get_data(as_text=True)
    assert re.search(r"<strong>司法局</strong></td><td class=\"num\">3</td>", listing)
    assert "在用人数：3（含下属科室）" in admin_client.get(
        f"/admin/departments/{unit}").get_data(as_text=True)
    assert "在用人数：2 ·" in admin_client.get(
        f"/admin/departments/{section}").get_data(as_text=True)


def test_the_import_preview_says_which_usernames_it_lower_cased(admin_client, app,
                                                                make_department):
    """"WangWu" became wangwu without a word (the template says lower case only)."""
    make_department("法制科")
    data = xlsx_bytes([["WangWu", "王五", "法制科", "职工", "", ""],
                       ["zhaoliu", "赵六", "法制科", "职工", "", ""]])
    _token, html = preview_import(admin_client, data)
    assert "用户名一律为小写，1 个已改写（登录时不区分大小写）：WangWu → wangwu" in html
    assert "zhaoliu →" not in html


def test_a_name_finds_only_the_imports_that_created_that_person(admin_client, app, make_user,
                                                                 make_department):
    """"_" in a username is a LIKE wildcard: li_jun's name found the batch that made lixjun."""
    make_department("法制科")
    make_user("li_jun", name="李军")
    token, html = preview_import(admin_client, xlsx_bytes([["lixjun", "李小军", "法制科", "职工",
                                                             "", ""]]))
    stash = re.search(r'name="token" type="hidden" value="([0-9a-f]{32})"', html).group(1)
    admin_client.post("/admin/users/import/confirm", data={"csrf_token": token, "token": stash})
    assert "批量导入用户 1 人" in admin_client.get("/admin/audit?q=李小军").get_data(as_text=True)
    assert "批量导入用户 1 人" not in admin_client.get("/admin/audit?q=李军").get_data(
        as_text=True)
