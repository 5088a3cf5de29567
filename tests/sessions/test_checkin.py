"""QR check-in: rotating tokens, the late window, idempotent and concurrent check-ins, the
scan pages with their log-in detour, the six-digit code, the JSON API and the projector."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.sessions import roster, services, tokens
from lawlearn.sessions.models import Attendance, SessionKind, StudySession
from tests.conftest import PASSWORD, csrf_from

# A fixed instant at the start of a 10-second window (2026-03-02 09:00:00 in Shanghai).
T0 = datetime(2026, 3, 2, 1, 0, 0)


class Clock:
    """``utcnow`` for the check-in views and the API, moved by the test."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock(T0)
    monkeypatch.setattr("lawlearn.sessions.checkin_views.utcnow", fake)
    monkeypatch.setattr("lawlearn.api.sessions.utcnow", fake)
    return fake


def new_session(app, starts_at: datetime, *, title: str = "宪法学习", hours: int = 2,
                **extra) -> int:
    """A session (and the kind it needs); returns its id."""
    with app.app_context():
        kind = db.session.scalar(select(SessionKind).filter_by(name="集中学法"))
        if kind is None:
            kind = SessionKind(name="集中学法")
            db.session.add(kind)
            db.session.flush()
        fields = services.SessionFields(title=title, kind_id=kind.id, starts_at=starts_at,
                                        ends_at=starts_at + timedelta(hours=hours),
                                        place="三楼会议室", **extra)
        session = services.create_sessions(None, fields)[0]
        db.session.commit()
        return session.id


@pytest.fixture
def session_id(app) -> int:
    """Starts 5 minutes after T0: check-in is open (it opens 30 minutes before)."""
    return new_session(app, T0 + timedelta(minutes=5))


def rows(app, session_id: int) -> list[Attendance]:
    with app.app_context():
        return list(db.session.scalars(select(Attendance).filter_by(session_id=session_id)))


def token_at(app, session_id: int, now: datetime) -> str:
    with app.app_context():
        return tokens.make_token(session_id, now)


# --- tokens -----------------------------------------------------------------------------------


def test_a_token_lives_for_its_window_and_the_next(ctx):
    token = tokens.make_token(7, T0)
    assert tokens.read_token(token, T0) == 7
    assert tokens.read_token(token, T0 + timedelta(seconds=9)) == 7
    assert tokens.read_token(token, T0 + timedelta(seconds=10)) == 7  # the next window
    assert tokens.read_token(token, T0 + timedelta(seconds=19)) == 7
    with pytest.raises(tokens.BadCheckinToken) as expired:
        tokens.read_token(token, T0 + timedelta(seconds=20))  # two windows later
    assert expired.value.code == "expired_token" and "过期" in expired.value.message
    with pytest.raises(tokens.BadCheckinToken):
        tokens.read_token(token, T0 - timedelta(seconds=1))  # not yet valid either
    assert tokens.make_token(7, T0 + timedelta(seconds=10)) != token  # it rotates
    assert tokens.seconds_left(T0) == 10 and tokens.seconds_left(T0 + timedelta(seconds=7)) == 3


def test_a_forged_token_is_refused(ctx):
    token = tokens.make_token(7, T0)
    session_text, window_text, signature = token.split(".")
    forged = [
        f"{session_text}.{window_text}.{'0' * len(signature)}",  # made-up signature
        f"8.{window_text}.{signature}",  # another session with this signature
        f"{session_text}.{int(window_text) + 1}.{signature}",  # a later window
        "", "garbage", "7.x.abc", "a.b.c.d",
        f"{session_text}.{window_text}.签到",  # not ASCII: compare_digest would raise
        f"{session_text}.{window_text}.{signature[:-1]}é",
    ]
    for token in forged:
        with pytest.raises(tokens.BadCheckinToken) as refused:
            tokens.read_token(token, T0)
        assert refused.value.code == "invalid_token", token
    ctx.config["SECRET_KEY"] = "another-installation"
    with pytest.raises(tokens.BadCheckinToken):
        tokens.read_token(f"{session_text}.{window_text}.{signature}", T0)


def test_the_six_digit_code_lasts_long_enough_to_be_typed(ctx):
    """A code read off the projector 22 s earlier was refused: typing takes longer than a
    scan. Its window and the three before count (30–40 s); a QR token keeps to 10–20 s."""
    code = tokens.make_code(7, T0)
    assert re.fullmatch(r"\d{6}", code)
    assert tokens.code_matches(7, code, T0 + timedelta(seconds=15))
    assert tokens.code_matches(7, code, T0 + timedelta(seconds=22))
    assert tokens.code_matches(7, code, T0 + timedelta(seconds=39))
    assert not tokens.code_matches(7, code, T0 + timedelta(seconds=40))
    assert not tokens.code_matches(7, code, T0 - timedelta(seconds=10))  # not a later one
    token = tokens.make_token(7, T0)
    with pytest.raises(tokens.BadCheckinToken):
        tokens.read_token(token, T0 + timedelta(seconds=22))
    assert not tokens.code_matches(8, code, T0) or tokens.make_code(8, T0) == code
    assert not tokens.code_matches(7, "一二三四五六", T0)  # refused, not a TypeError


# --- the service --------------------------------------------------------------------------------


def test_present_then_late_by_the_window(app, ctx, make_user):
    on_time, late = (db.session.get(User, make_user().id), db.session.get(User, make_user().id))
    study = db.session.get(StudySession, new_session(app, T0, late_after_minutes=10))
    first, created = services.check_in(on_time, study, T0 + timedelta(minutes=10), via="qr")
    assert created and first.status == "present"
    second, _ = services.check_in(late, study, T0 + timedelta(minutes=10, seconds=1), via="qr")
    assert second.status == "late"


def test_exit_quiz_makes_the_check_in_pending(app, ctx, make_user, make_quiz):
    person = db.session.get(User, make_user().id)
    study = db.session.get(StudySession, new_session(app, T0, exit_quiz_id=make_quiz()))
    attendance, _ = services.check_in(person, study, T0, via="qr")
    assert attendance.status == "pending_quiz"


def test_a_repeat_returns_the_first_record(app, ctx, make_user):
    person = db.session.get(User, make_user().id)
    study = db.session.get(StudySession, new_session(app, T0))
    first, created = services.check_in(person, study, T0, via="qr", user_agent="phone A")
    db.session.commit()
    again, created_again = services.check_in(person, study, T0 + timedelta(minutes=20),
                                             via="code", user_agent="phone B")
    assert created and not created_again
    assert again.id == first.id and again.checked_in_at == T0 and again.status == "present"
    assert again.source == "qr" and again.device_hint == "phone A"


def test_not_expected_and_closed_are_refused(app, ctx, make_user, make_department):
    office = make_department("司法局")
    outsider = db.session.get(User, make_user().id)
    member = db.session.get(User, make_user(department_id=office).id)
    study = db.session.get(StudySession, new_session(app, T0, audience_all=False,
                                                     department_ids=[office]))
    with pytest.raises(Conflict) as refused:
        services.check_in(outsider, study, T0, via="qr")
    assert refused.value.code == "not_expected"
    with pytest.raises(Conflict) as closed:
        services.check_in(member, study, T0 + timedelta(hours=2, seconds=1), via="qr")
    assert closed.value.code == "checkin_closed"
    with pytest.raises(Conflict):
        services.check_in(member, study, T0 - timedelta(minutes=31), via="qr")  # not open yet
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_concurrent_check_ins_of_one_person_leave_one_row(app, make_user):
    person = make_user()
    study_id = new_session(app, T0)
    barrier = threading.Barrier(8)
    results: list[tuple[int, bool]] = []
    failures: list[BaseException] = []

    def tap() -> None:
        with app.app_context():
            try:
                user = db.session.get(User, person.id)
                study = db.session.get(StudySession, study_id)
                barrier.wait(timeout=10)
                attendance, created = services.check_in(user, study, T0, via="qr",
                                                        user_agent="double tap")
                db.session.commit()
                results.append((attendance.id, created))
            except BaseException as error:  # noqa: BLE001  (reported below)
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tap) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert failures == []
    assert len(results) == 8
    assert len({attendance_id for attendance_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert len(rows(app, study_id)) == 1


# --- the scan pages -------------------------------------------------------------------------------


def test_a_scan_needs_a_confirmation_and_a_get_changes_nothing(app, client, login, make_user,
                                                               session_id, clock):
    login(make_user(name="张三"))
    token = token_at(app, session_id, T0)
    page = client.get(f"/checkin/scan?t={token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "宪法学习" in html and "确认签到" in html and "张三" in html
    assert f'value="{token}"' in html
    assert rows(app, session_id) == []  # nothing recorded by opening the link

    clock.advance(seconds=3)
    done = client.post("/checkin/scan", data={"t": token, "csrf_token": csrf_from(page)})
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and "签到成功" in html and "出席" in html
    [record] = rows(app, session_id)
    assert record.status == "present" and record.source == "qr"
    assert record.checked_in_at == T0 + timedelta(seconds=3)

    # Scanning again later answers with the first record, without a button.
    clock.advance(minutes=30)
    again = client.get(f"/checkin/scan?t={token_at(app, session_id, clock.now)}")
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "您已于 09:00 签到" in html and "确认签到" not in html
    repeat = client.post("/checkin/scan", data={"t": token_at(app, session_id, clock.now),
                                                 "csrf_token": csrf_from(again)})
    assert "您已于 09:00 签到" in repeat.get_data(as_text=True)
    assert len(rows(app, session_id)) == 1


def test_a_scanned_token_with_other_characters_is_refused(app, client, login, make_user,
                                                         session_id, clock):
    login(make_user())
    token = token_at(app, session_id, T0)
    page = client.get(f"/checkin/scan?t={token[:-2]}签到")
    assert page.status_code == 400 and "签到码无效" in page.get_data(as_text=True)
    assert rows(app, session_id) == []


def test_the_confirmation_needs_the_csrf_token(app, client, login, make_user, session_id, clock):
    login(make_user())
    response = client.post("/checkin/scan", data={"t": token_at(app, session_id, T0)})
    assert response.status_code == 400
    assert rows(app, session_id) == []


def test_anonymous_scan_logs_in_and_comes_back(app, client, make_user, session_id, clock):
    make_user("walker", name="李四")
    token = token_at(app, session_id, T0)
    scan_url = f"/checkin/scan?t={token}"
    first = client.get(scan_url)
    assert first.status_code == 302
    location = urlsplit(first.headers["Location"])
    assert location.path == "/login" and parse_qs(location.query)["next"] == [scan_url]

    # Typing a password takes longer than a token lives: this browser saw it in time.
    clock.advance(seconds=75)
    form = client.get(first.headers["Location"])
    logged_in = client.post(first.headers["Location"], data={
        "username": "walker", "password": PASSWORD, "csrf_token": csrf_from(form),
        "next": scan_url})
    assert logged_in.status_code == 302 and logged_in.headers["Location"] == scan_url
    page = client.get(scan_url)
    assert page.status_code == 200 and "确认签到" in page.get_data(as_text=True)
    done = client.post("/checkin/scan", data={"t": token, "csrf_token": csrf_from(page)})
    assert "签到成功" in done.get_data(as_text=True)
    [record] = rows(app, session_id)
    assert record.checked_in_at == T0 + timedelta(seconds=75)


def test_a_forwarded_link_is_refused_once_its_window_has_passed(app, client, login, make_user,
                                                                session_id, clock):
    login(make_user())
    token = token_at(app, session_id, T0)
    clock.advance(seconds=20)  # a photo sent to a group chat, opened later by someone else
    page = client.get(f"/checkin/scan?t={token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "签到码已过期" in html and "确认签到" not in html
    refused = client.post("/checkin/scan", data={"t": token, "csrf_token": csrf_from(page)})
    assert refused.status_code == 400 and rows(app, session_id) == []

    # A browser that opened the link in time may confirm a little later, but not forever.
    fresh = token_at(app, session_id, clock.now)
    page = client.get(f"/checkin/scan?t={fresh}")
    clock.advance(minutes=6)
    late = client.post("/checkin/scan", data={"t": fresh, "csrf_token": csrf_from(page)})
    assert late.status_code == 400 and rows(app, session_id) == []


def test_forged_and_anonymous_bad_links_get_a_clear_page(app, client, session_id, clock):
    for token in ("", "1.2.3", f"{session_id}.{tokens.window_of(T0)}.{'f' * 20}"):
        page = client.get(f"/checkin/scan?t={token}")
        assert page.status_code == 400
        assert "签到码无效" in page.get_data(as_text=True)


def test_not_expected_and_closed_scans_say_why(app, client, login, make_user, make_department,
                                               clock):
    office = make_department("司法局")
    login(make_user())
    targeted = new_session(app, T0, audience_all=False, department_ids=[office])
    page = client.get(f"/checkin/scan?t={token_at(app, targeted, T0)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 409 and "不在本次活动的应到人员名单中" in html
    assert "确认签到" not in html
    over = new_session(app, T0 - timedelta(hours=3))  # 06:00–08:00 in Shanghai
    page = client.get(f"/checkin/scan?t={token_at(app, over, T0)}")
    closed = "签到已于 2026年3月2日 08:00 截止。"
    assert page.status_code == 409 and closed in page.get_data(as_text=True)
    # A stale page confirmed anyway: the service refuses it.
    refused = client.post("/checkin/scan", data={"t": token_at(app, over, T0),
                                                  "csrf_token": csrf_from(page)})
    assert refused.status_code == 409 and closed in refused.get_data(as_text=True)
    # An old link of a session whose check-in is over says so, not "scan the newest code"
    # (the projector shows none); a session still ahead says when it opens.
    old_link = client.get(f"/checkin/scan?t={token_at(app, over, T0 - timedelta(hours=2))}")
    assert old_link.status_code == 400 and closed in old_link.get_data(as_text=True)
    assert "请扫描屏幕上最新的二维码" not in old_link.get_data(as_text=True)
    ahead = new_session(app, T0 + timedelta(days=1))
    early = client.get(f"/checkin/scan?t={token_at(app, ahead, T0)}")
    assert early.status_code == 409
    assert "签到将于 2026年3月3日 08:30 开放。" in early.get_data(as_text=True)
    assert rows(app, over) == [] and rows(app, targeted) == [] and rows(app, ahead) == []


def test_late_scan_says_late(app, client, login, make_user, clock):
    login(make_user())
    study = new_session(app, T0 - timedelta(minutes=15), late_after_minutes=10)
    page = client.get(f"/checkin/scan?t={token_at(app, study, T0)}")
    assert "记为迟到" in page.get_data(as_text=True)
    done = client.post("/checkin/scan", data={"t": token_at(app, study, T0),
                                               "csrf_token": csrf_from(page)})
    assert "迟到" in done.get_data(as_text=True)
    assert rows(app, study)[0].status == "late"


# --- the 签到 tab and the six-digit code ---------------------------------------------------------


def test_checkin_tab_lists_todays_sessions_with_their_state(app, client, login, make_user,
                                                            make_department, session_id, clock):
    office = make_department("司法局")
    login(make_user())
    new_session(app, T0 + timedelta(hours=5), title="下午讲座")
    new_session(app, T0 + timedelta(days=1), title="明天的活动")
    new_session(app, T0, title="别的部门", audience_all=False, department_ids=[office])
    html = client.get("/checkin").get_data(as_text=True)
    assert "宪法学习" in html and "下午讲座" in html
    assert "明天的活动" not in html and "别的部门" not in html
    assert "签到中" in html and "签到将于 13:30 开放" in html
    assert "扫描" in html and "六位" in html


def test_the_home_page_says_where_each_of_todays_sessions_stands(app, client, login, make_user,
                                                                   monkeypatch, clock):
    """A session missed this morning showed nothing at all beside it."""
    monkeypatch.setattr("lawlearn.main.views.utcnow", clock)
    person = make_user()
    login(person)
    missed = new_session(app, T0 - timedelta(minutes=150), title="早间学习", hours=1)
    new_session(app, T0 + timedelta(hours=5), title="下午讲座")
    excused = new_session(app, T0 + timedelta(hours=6), title="傍晚报告会")
    with app.app_context():
        services.mark(db.session.get(User, person.id), db.session.get(StudySession, excused),
                      db.session.get(User, person.id), "excused", "出差", T0)
        db.session.commit()
    page = lxml_html.fromstring(client.get("/").get_data(as_text=True))
    notes = {" ".join(block.xpath("string(.//strong)").split()):
             " ".join(block.xpath("string(./p[last()])").split())
             for block in page.xpath('//div[@class="today-session"]')}
    assert notes == {"早间学习": "签到已于 2026年3月2日 07:30 截止。",
                     "下午讲座": "签到将于 2026年3月2日 13:30 开放。",
                     "傍晚报告会": "请假"}
    assert rows(app, missed) == []


def test_checkin_tab_empty_state(client, login, make_user, clock):
    login(make_user())
    html = client.get("/checkin").get_data(as_text=True)
    assert "今天没有需要签到的学法活动" in html
    assert "输入签到码" in html and "签到开放后才能使用签到码" in html


def test_check_in_with_the_six_digit_code(app, client, login, make_user, session_id, clock):
    login(make_user())
    page = client.get("/checkin")
    wrong = client.post("/checkin/code", data={"code": "12345", "csrf_token": csrf_from(page)})
    assert wrong.status_code == 422 and "签到码是六位数字" in wrong.get_data(as_text=True)
    with app.app_context():
        code = tokens.make_code(session_id, T0)
    other = f"{(int(code) + 1) % 1_000_000:06d}"
    wrong = client.post("/checkin/code", data={"code": other, "csrf_token": csrf_from(page)})
    assert wrong.status_code == 422 and "签到码不正确或已过期" in wrong.get_data(as_text=True)
    assert rows(app, session_id) == []
    # The address a refused code leaves in the bar, restored from the history: the tab.
    restored = client.get("/checkin/code")
    assert restored.status_code == 302 and restored.location.endswith("/checkin#code-heading")

    clock.advance(seconds=12)  # the code of the previous window is still accepted
    done = client.post("/checkin/code", data={"code": f" {code} ", "csrf_token": csrf_from(page)})
    assert done.status_code == 200 and "签到成功" in done.get_data(as_text=True)
    [record] = rows(app, session_id)
    assert record.source == "code" and record.status == "present"
    html = client.get("/checkin").get_data(as_text=True)
    assert "已签到" in html and "出席，09:00 签到" in html


def test_a_full_width_code_is_the_same_code(app, client, login, make_user, session_id, clock):
    """A Chinese keyboard in full-width mode types １２３４５６; other scripts' digits are
    no code at all."""
    login(make_user())
    page = client.get("/checkin")
    with app.app_context():
        code = tokens.make_code(session_id, T0)
    arabic = client.post("/checkin/code", data={"code": "٠١٢٣٤٥", "csrf_token": csrf_from(page)})
    assert arabic.status_code == 422 and "签到码是六位数字" in arabic.get_data(as_text=True)
    wide = "".join(chr(ord(digit) + 0xFEE0) for digit in code)
    done = client.post("/checkin/code", data={"code": wide, "csrf_token": csrf_from(page)})
    assert done.status_code == 200 and "签到成功" in done.get_data(as_text=True)
    assert [record.source for record in rows(app, session_id)] == ["code"]


def test_a_code_with_spaces_around_or_inside_is_the_same_code(app, client, login, make_user,
                                                               session_id, clock):
    """" 439878 " pasted (and cut to six characters by the field's maxlength) was refused
    as "签到码是六位数字"."""
    login(make_user())
    page = client.get("/checkin")
    html = page.get_data(as_text=True)
    assert 'maxlength="12"' in html[html.index('name="code"') - 300:]
    with app.app_context():
        code = tokens.make_code(session_id, T0)
    spaced = f" {code[:3]} {code[3:]}\u3000"
    done = client.post("/checkin/code", data={"code": spaced, "csrf_token": csrf_from(page)})
    assert done.status_code == 200 and "签到成功" in done.get_data(as_text=True)
    seven = client.post("/checkin/code", data={"code": code + "1", "csrf_token": csrf_from(page)})
    assert seven.status_code == 422 and "签到码是六位数字" in seven.get_data(as_text=True)


def test_guessing_codes_is_throttled(app, client, login, make_user, session_id, clock):
    login(make_user())
    token = csrf_from(client.get("/checkin"))
    with app.app_context():
        right = tokens.make_code(session_id, T0)
    wrong = [f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, 12)]
    answers = [client.post("/checkin/code", data={"code": code, "csrf_token": token}).status_code
               for code in wrong]
    assert answers == [422] * 10 + [429]
    assert client.post("/checkin/code", data={"code": right, "csrf_token": token}).status_code == 429
    assert rows(app, session_id) == []


def test_signing_out_everywhere_does_not_reset_the_guesses(app, client, login, make_user,
                                                          session_id, clock):
    """在所有设备上退出 (or a password change) gives the account a new login nonce: the
    count of wrong codes is the person's, and stays."""
    person = make_user()
    login(person)
    token = csrf_from(client.get("/checkin"))
    with app.app_context():
        right = tokens.make_code(session_id, T0)
    wrong = [f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, 11)]
    for code in wrong:
        assert client.post("/checkin/code", data={"code": code,
                                                  "csrf_token": token}).status_code == 422
    with app.app_context():
        nonce = db.session.get(User, person.id).login_nonce
    client.post("/logout/everywhere", data={"csrf_token": token})
    login(person)
    with app.app_context():
        assert db.session.get(User, person.id).login_nonce != nonce
    token = csrf_from(client.get("/checkin"))
    assert client.post("/checkin/code", data={"code": right, "csrf_token": token}).status_code == 429
    assert rows(app, session_id) == []


@pytest.mark.parametrize("own_open", [False, True], ids=["nothing-of-mine", "one-of-mine"])
def test_the_code_of_a_session_i_am_not_expected_at_says_so(app, client, login, make_user,
                                                          make_department, clock, own_open):
    """As its QR code says: not "wrong code" nor "nothing open"."""
    office = make_department("司法局")
    login(make_user())
    elsewhere = new_session(app, T0, title="司法局专场", audience_all=False,
                            department_ids=[office])
    if own_open:
        new_session(app, T0, title="全体学法")
    page = client.get("/checkin")
    with app.app_context():
        code = tokens.make_code(elsewhere, T0)
    refused = client.post("/checkin/code", data={"code": code, "csrf_token": csrf_from(page)})
    assert refused.status_code == 409
    assert "您不在本次活动的应到人员名单中" in refused.get_data(as_text=True)
    assert rows(app, elsewhere) == []


def test_the_code_is_refused_when_nothing_is_open(app, client, login, make_user, clock):
    login(make_user())
    new_session(app, T0 + timedelta(hours=5))
    page = client.get("/checkin")
    refused = client.post("/checkin/code", data={"code": "123456", "csrf_token": csrf_from(page)})
    assert refused.status_code == 409 and "现在没有正在签到的活动" in refused.get_data(as_text=True)


# --- the JSON API ----------------------------------------------------------------------------------


def bearer(client, username: str) -> dict:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_api_lists_my_sessions_or_all_for_an_admin(app, client, make_user, make_department,
                                                   admin, clock):
    office = make_department("司法局")
    make_user("staffer")
    mine = new_session(app, T0, title="全员学法")
    new_session(app, T0, title="司法局专场", audience_all=False, department_ids=[office])
    new_session(app, T0 - timedelta(days=40), title="很久以前")
    listed = client.get("/api/v1/sessions", headers=bearer(client, "staffer"))
    assert listed.status_code == 200
    [item] = listed.get_json()
    assert item == {"id": mine, "title": "全员学法", "kind": "集中学法",
                    "starts_at": "2026-03-02T01:00:00Z", "ends_at": "2026-03-02T03:00:00Z",
                    "place": "三楼会议室", "checkin_open": True, "cancelled": False,
                    "my_status": None}
    everything = client.get("/api/v1/sessions", headers=bearer(client, admin.username)).get_json()
    assert [s["title"] for s in everything] == ["全员学法", "司法局专场"]
    assert client.get("/api/v1/sessions").status_code == 401


def test_api_checkin_token_is_for_admins(app, client, make_user, admin, session_id, clock):
    make_user("staffer")
    refused = client.get(f"/api/v1/sessions/{session_id}/checkin-token",
                         headers=bearer(client, "staffer"))
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    clock.advance(seconds=4)
    auth = bearer(client, admin.username)
    body = client.get(f"/api/v1/sessions/{session_id}/checkin-token", headers=auth).get_json()
    assert set(body) == {"token", "expires_in", "url", "code", "rotates_in", "code_expires_in"}
    assert body["expires_in"] == 16 and body["rotates_in"] == 6
    assert body["code_expires_in"] == 36  # a typed code lasts longer than a scanned token
    with app.app_context():
        assert tokens.code_matches(session_id, body["code"], clock.now + timedelta(seconds=35))
        assert not tokens.code_matches(session_id, body["code"],
                                       clock.now + timedelta(seconds=36))
    assert body["url"] == f"http://localhost/checkin/scan?t={body['token']}"
    assert re.fullmatch(r"\d{6}", body["code"])
    with app.app_context():
        assert tokens.read_token(body["token"], clock.now) == session_id
    missing = client.get("/api/v1/sessions/999/checkin-token", headers=auth)
    assert missing.status_code == 404


def test_api_check_in_201_then_200(app, client, make_user, session_id, clock):
    make_user("staffer")
    auth = bearer(client, "staffer")
    token = token_at(app, session_id, T0)
    first = client.post("/api/v1/checkins", json={"token": token}, headers=auth)
    assert first.status_code == 201
    assert first.get_json() == {"session_id": session_id, "status": "present",
                                "checked_in_at": "2026-03-02T01:00:00Z"}
    clock.advance(seconds=5)
    again = client.post("/api/v1/checkins", json={"token": token}, headers=auth)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    listed = client.get("/api/v1/sessions", headers=auth).get_json()
    assert listed[0]["my_status"] == "present"
    assert len(rows(app, session_id)) == 1


def test_api_check_in_errors(app, client, make_user, make_department, session_id, clock):
    make_user("staffer")
    auth = bearer(client, "staffer")
    token = token_at(app, session_id, T0)
    forged = client.post("/api/v1/checkins", json={"token": token[:-1] + "x"}, headers=auth)
    assert forged.status_code == 400 and forged.get_json()["error"] == "invalid_token"
    clock.advance(seconds=20)
    expired = client.post("/api/v1/checkins", json={"token": token}, headers=auth)
    assert expired.status_code == 400 and expired.get_json()["error"] == "expired_token"
    assert set(expired.get_json()) == {"error", "message"}
    for body in ({}, {"token": 5}, ["x"]):
        bad = client.post("/api/v1/checkins", json=body, headers=auth)
        assert bad.status_code == 422 and bad.get_json()["error"] == "invalid_json"
    over = new_session(app, T0 - timedelta(hours=3))
    closed = client.post("/api/v1/checkins", json={"token": token_at(app, over, clock.now)},
                         headers=auth)
    assert closed.status_code == 409 and closed.get_json()["error"] == "checkin_closed"
    office = make_department("司法局")
    targeted = new_session(app, T0, audience_all=False, department_ids=[office])
    outsider = client.post("/api/v1/checkins", json={"token": token_at(app, targeted, clock.now)},
                           headers=auth)
    assert outsider.status_code == 409 and outsider.get_json()["error"] == "not_expected"
    anonymous = client.post("/api/v1/checkins", json={"token": token_at(app, session_id, clock.now)})
    assert anonymous.status_code == 401
    assert rows(app, session_id) == []


def test_api_check_in_with_the_six_digit_code(app, client, make_user, make_department,
                                             session_id, clock):
    """A phone app whose camera fails types the projector's code, as the 签到 page does (the
    API took scanned tokens only)."""
    make_user("typist")
    auth = bearer(client, "typist")
    with app.app_context():
        right = tokens.make_code(session_id, T0)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    refused = client.post("/api/v1/checkins", json={"code": wrong}, headers=auth)
    assert refused.status_code == 422 and refused.get_json()["error"] == "invalid_code"
    assert client.post("/api/v1/checkins", json={"code": "12345"},
                       headers=auth).get_json()["error"] == "invalid_code"
    clock.advance(seconds=25)  # typed a little later: still its code
    spaced = f" {right[:3]} {right[3:]} ".replace("1", "１")
    first = client.post("/api/v1/checkins", json={"code": spaced}, headers=auth)
    assert first.status_code == 201 and first.get_json()["session_id"] == session_id
    again = client.post("/api/v1/checkins", json={"code": right}, headers=auth)
    assert again.status_code == 200 and again.get_json() == first.get_json()
    with app.app_context():
        assert db.session.scalar(select(Attendance.source).filter_by(
            session_id=session_id)) == "code"
    # The right code of a session one is not expected at says so; nothing open says that.
    office = make_department("司法局")
    targeted = new_session(app, clock.now, audience_all=False, department_ids=[office])
    with app.app_context():
        theirs = tokens.make_code(targeted, clock.now)
    outsider = client.post("/api/v1/checkins", json={"code": theirs}, headers=auth)
    assert outsider.status_code == 409 and outsider.get_json()["error"] == "not_expected"
    clock.advance(hours=6)
    closed = client.post("/api/v1/checkins", json={"code": right}, headers=auth)
    assert closed.status_code == 409 and closed.get_json()["error"] == "checkin_closed"
    assert len(rows(app, session_id)) == 1 and rows(app, targeted) == []


def test_api_code_guesses_are_throttled_with_the_pages(app, client, login, make_user,
                                                       session_id, clock):
    """Ten wrong codes a minute per person, counted across the page and the API; a refused
    token is no guess."""
    person = make_user("guesser")
    auth = bearer(client, "guesser")
    with app.app_context():
        right = tokens.make_code(session_id, T0)
    wrong = [f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, 12)]
    forged = client.post("/api/v1/checkins", json={"token": "x" * 20}, headers=auth)
    assert forged.status_code == 400
    statuses = [client.post("/api/v1/checkins", json={"code": code}, headers=auth).status_code
                for code in wrong[:5]]
    login(person)
    page = client.get("/checkin")
    statuses += [client.post("/checkin/code", data={"code": code, "csrf_token": csrf_from(page)}
                             ).status_code for code in wrong[5:10]]
    assert statuses == [422] * 10
    throttled = client.post("/api/v1/checkins", json={"code": right}, headers=auth)
    assert throttled.status_code == 429 and throttled.get_json()["error"] == "too_many_requests"
    assert rows(app, session_id) == []
    # A scanned QR code is not held up by the wrong codes.
    scanned = client.post("/api/v1/checkins", json={"token": token_at(app, session_id, T0)},
                          headers=auth)
    assert scanned.status_code == 201 and len(rows(app, session_id)) == 1


def test_api_check_in_with_the_browser_session_needs_csrf(app, client, login, make_user,
                                                          session_id, clock):
    login(make_user())
    token = token_at(app, session_id, T0)
    assert client.post("/api/v1/checkins", json={"token": token}).status_code == 403
    page = client.get("/checkin")
    done = client.post("/api/v1/checkins", json={"token": token},
                       headers={"X-CSRFToken": csrf_from(page)})
    assert done.status_code == 201


# --- the projector ----------------------------------------------------------------------------------


def test_projector_pages_are_for_admins(client, login, make_user, session_id):
    login(make_user())
    assert client.get(f"/admin/sessions/{session_id}/projector").status_code == 403
    assert client.get(f"/admin/sessions/{session_id}/projector.json").status_code == 403


def test_projector_anonymous_goes_to_login(client, session_id):
    response = client.get(f"/admin/sessions/{session_id}/projector")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_projector_shows_a_qr_code_and_the_counter(app, admin_client, make_user, session_id,
                                                    clock):
    page = admin_client.get(f"/admin/sessions/{session_id}/projector")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in html and "js/projector.js" in html
    assert "<script>" not in html and "style=" not in html  # the CSP forbids both
    with app.app_context():
        assert tokens.make_code(session_id, T0) in html
    assert re.search(r'id="checked-in">0</strong>', html)

    state = admin_client.get(f"/admin/sessions/{session_id}/projector.json").get_json()
    assert set(state) >= {"token", "code", "qr_data_uri", "seconds_left", "checked_in",
                          "expected", "latest", "url", "checkin_open", "phase", "phase_text"}
    assert state["url"] == f"http://localhost/checkin/scan?t={state['token']}"
    assert state["qr_data_uri"].startswith("data:image/svg+xml")
    assert state["checked_in"] == 0 and state["expected"] == 1 and state["latest"] == []
    assert state["seconds_left"] == 10 and state["checkin_open"] is True

    make_user("zhang", name="张三")
    with admin_client.application.test_client() as phone:
        form = phone.get("/login")
        phone.post("/login", data={"username": "zhang", "password": PASSWORD,
                                   "csrf_token": csrf_from(form)})
        page = phone.get(state["url"].removeprefix("http://localhost"))
        phone.post("/checkin/scan", data={"t": state["token"], "csrf_token": csrf_from(page)})
    clock.advance(seconds=10)
    later = admin_client.get(f"/admin/sessions/{session_id}/projector.json").get_json()
    assert later["checked_in"] == 1 and later["expected"] == 2 and later["latest"] == ["张三"]
    assert later["token"] != state["token"]  # rotated
    assert later["excused"] == 0
    assert re.search(r'<span id="excused-line" hidden>', admin_client.get(
        f"/admin/sessions/{session_id}/projector").get_data(as_text=True))

    # Someone on approved leave: on the list, not coming; the screen says so beside 应到.
    away = make_user("li", name="李四")
    with app.app_context():
        db.session.add(Attendance(session_id=session_id, user_id=away.id, status="excused",
                                  source="leave"))
        db.session.commit()
    state = admin_client.get(f"/admin/sessions/{session_id}/projector.json").get_json()
    assert (state["checked_in"], state["expected"], state["excused"]) == (1, 3, 1)
    html = admin_client.get(f"/admin/sessions/{session_id}/projector").get_data(as_text=True)
    assert re.search(r'<span id="excused-line">（请假 <span id="excused">1</span>）', html)


def test_projector_hides_the_code_before_check_in_opens(app, admin_client, clock):
    upcoming = new_session(app, T0 + timedelta(hours=3))
    state = admin_client.get(f"/admin/sessions/{upcoming}/projector.json").get_json()
    assert state["checkin_open"] is False and state["phase"] == "before"
    assert state["phase_text"] == "签到将于 11:30 开放"
    html = admin_client.get(f"/admin/sessions/{upcoming}/projector").get_data(as_text=True)
    assert 'data-open="false"' in html


def test_checkin_tab_says_when_an_admin_marked_the_person(app, client, login, make_user,
                                                         session_id, clock, admin):
    from lawlearn.sessions.models import StudySession

    person = make_user("marked")
    with app.app_context():
        services.mark(db.session.get(User, admin.id), db.session.get(StudySession, session_id),
                      db.session.get(User, person.id), "late", "无手机", T0 + timedelta(minutes=20))
        db.session.commit()
    login(person)
    html = client.get("/checkin").get_data(as_text=True)
    assert "已签到" in html and "迟到（管理员" in html and "标记）" in html
    assert "迟到，" not in html  # not told they checked in themselves at that time


def test_two_phones_of_one_model_on_one_network_are_two_devices(app, make_user, session_id,
                                                                  clock):
    """The shared-device flag follows the browser's own cookie, kept across logins: one
    phone passed round is flagged; two phones with the same User-Agent and address (an
    office's NAT) are not."""
    phone = {"User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile"}

    def code_check_in(client, username: str) -> None:
        token = csrf_from(client.get("/login"))
        client.post("/login", data={"username": username, "password": PASSWORD,
                                    "csrf_token": token}, headers=phone)
        page = client.get("/checkin", headers=phone)
        assert client.get_cookie("lawlearn_device") is not None  # given before the code
        with app.app_context():
            code = tokens.make_code(session_id, T0)
        done = client.post("/checkin/code", data={"code": code, "csrf_token": csrf_from(page)},
                           headers=phone)
        assert "签到成功" in done.get_data(as_text=True)

    for name in ("ann", "bob", "cat"):
        make_user(name)
    passed_round = app.test_client()
    code_check_in(passed_round, "ann")
    passed_round.post("/logout", data={"csrf_token": csrf_from(passed_round.get("/"))})
    code_check_in(passed_round, "bob")  # the same phone, another account
    code_check_in(app.test_client(), "cat")  # another phone of the same model
    keys = {record.user_id: record.device_key for record in rows(app, session_id)}
    with app.app_context():
        ids = {name: db.session.scalar(select(User.id).filter_by(username=name))
               for name in ("ann", "bob", "cat")}
        session = db.session.get(StudySession, session_id)
        flagged = roster.shared_device_users(
            session, [db.session.get(User, user_id) for user_id in ids.values()])
    assert keys[ids["ann"]] == keys[ids["bob"]] != keys[ids["cat"]]
    assert flagged == {ids["ann"], ids["bob"]}
