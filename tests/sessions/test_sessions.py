"""Scheduling sessions, who is expected, manual marks, closing, the calendar feed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.localtime import local_day, local_moment
from lawlearn.quiz.models import Quiz
from lawlearn.sessions import services
from lawlearn.sessions.calendar import calendar_token
from lawlearn.sessions.models import Attendance, SessionKind, StudySession
from tests.conftest import PASSWORD, field_errors, post_with_csrf
from tests.races import twin_at, updates

# A day the session forms accept without asking (one that has already ended is asked about).
SOON = utcnow().date() + timedelta(days=7)


@pytest.fixture
def kind_id(app):
    with app.app_context():
        kind = SessionKind(name="集中学法")
        db.session.add(kind)
        db.session.commit()
        return kind.id


def fields(kind_id, start, **extra):
    return services.SessionFields(title="宪法学习", kind_id=kind_id, starts_at=start,
                                  ends_at=start + timedelta(hours=2), **extra)


def test_weekly_and_monthly_series(ctx, kind_id):
    start = datetime(2026, 1, 31, 1, 0)
    weekly = services.create_sessions(None, fields(kind_id, start), repeat="weekly",
                                      until=datetime(2026, 2, 28))
    assert [s.starts_at.day for s in weekly] == [31, 7, 14, 21, 28]
    assert len({s.series_id for s in weekly}) == 1 and weekly[0].series_id
    monthly = services.create_sessions(None, fields(kind_id, start), repeat="monthly",
                                       until=datetime(2026, 5, 31))
    # February and April have no 31st: those months are skipped, not moved.
    assert [(s.starts_at.month, s.starts_at.day) for s in monthly] == [(1, 31), (3, 31), (5, 31)]
    with pytest.raises(ValidationFailed):
        services.create_sessions(None, fields(kind_id, start), repeat="weekly", until=None)


def test_a_monthly_series_counts_months_in_local_time(ctx, kind_id):
    """07:30 on the 1st in Beijing is 23:30 on the last day of the month before in UTC:
    every month still gets its session, and the last day counts in local time too."""
    start = datetime(2026, 12, 31, 23, 30)  # 07:30 on 1 January 2027 in Beijing
    until = datetime(2027, 6, 30, 15, 59)  # the end of 30 June in Beijing
    monthly = services.create_sessions(None, fields(kind_id, start), repeat="monthly",
                                       until=until)
    local = [local_moment(s.starts_at) for s in monthly]
    assert [(t.month, t.day, t.hour, t.minute) for t in local] == [
        (m, 1, 7, 30) for m in range(1, 7)]
    # 00:30 on 1 July in Beijing is still 30 June in UTC: past the last day, not included.
    late = services.create_sessions(None, fields(kind_id, datetime(2027, 6, 16, 16, 30)),
                                    repeat="weekly", until=until)
    assert [local_day(s.starts_at) for s in late] == [date(2027, 6, 17), date(2027, 6, 24)]


def test_edit_the_rest_of_a_series_and_cancel(ctx, kind_id, admin):
    actor = db.session.get(User, admin.id)
    start = datetime(2026, 3, 2, 1, 0)
    series = services.create_sessions(None, fields(kind_id, start), repeat="weekly",
                                      until=datetime(2026, 3, 23))
    later = fields(kind_id, series[1].starts_at + timedelta(hours=1))
    later.title, later.place = "宪法学习（改）", "三楼会议室"
    changed = services.update_session(actor, series[1], later, whole_series=True)
    assert changed == 3
    assert series[0].title == "宪法学习" and series[0].starts_at.hour == 1
    assert [s.starts_at.hour for s in series[1:]] == [2, 2, 2]
    assert all(s.place == "三楼会议室" for s in series[1:])
    with pytest.raises(ValidationFailed):
        services.cancel_session(actor, series[0], "  ", utcnow())
    services.cancel_session(actor, series[0], "与常务会议冲突", utcnow())
    assert series[0].cancelled_at and not services.checkin_open(series[0], series[0].starts_at)


def test_a_new_time_or_place_tells_the_people_expected(ctx, kind_id, admin, make_user,
                                                        make_department):
    """Moved or taken to another room, an upcoming session's people hear of it (as of a
    cancellation); a new title, a session over or one edited without ``now`` tell nobody."""
    from lawlearn.plans.models import Notice

    section, other = make_department("法制科"), make_department("其他")
    inside = make_user("inside", department_id=section)
    make_user("outside", department_id=other)
    actor = db.session.get(User, admin.id)
    now = datetime(2026, 3, 1, 2, 0)
    coming = services.create_sessions(None, fields(kind_id, datetime(2026, 3, 2, 6, 0),
                                                   audience_all=False, department_ids=[section],
                                                   place="三楼会议室"))[0]

    def notices() -> list[tuple[int, str, str]]:
        return [(n.user_id, n.title, n.body) for n in db.session.scalars(
            select(Notice).order_by(Notice.id))]

    renamed = fields(kind_id, coming.starts_at, audience_all=False, department_ids=[section],
                     place="三楼会议室")
    renamed.title = "宪法学习（第一讲）"
    services.update_session(actor, coming, renamed, now=now)
    assert notices() == []

    moved = fields(kind_id, datetime(2026, 3, 4, 6, 0), audience_all=False,
                   department_ids=[section], place="三楼会议室")
    moved.title = renamed.title
    services.update_session(actor, coming, moved, now=now)
    assert notices() == [(inside.id, "学法活动变更：宪法学习（第一讲）",
                          "原定于 2026年3月2日 14:00 的学法活动，改为 2026年3月4日 14:00 "
                          "在 三楼会议室 举行。")]

    # A later end, or a space typed after the room: no news.
    longer = fields(kind_id, moved.starts_at, audience_all=False, department_ids=[section],
                    place="三楼会议室 ")
    longer.title, longer.ends_at = moved.title, moved.ends_at + timedelta(minutes=30)
    services.update_session(actor, coming, longer, now=now)
    assert len(notices()) == 1

    moved.place = "五楼报告厅"
    services.update_session(actor, coming, moved, now=now)
    assert notices()[-1][2] == ("原定于 2026年3月4日 14:00 在 三楼会议室 的学法活动，改为 "
                                "2026年3月4日 14:00 在 五楼报告厅 举行。")
    services.update_session(actor, coming, fields(kind_id, datetime(2026, 3, 5, 6, 0)))
    over = services.create_sessions(None, fields(kind_id, datetime(2026, 2, 1, 6, 0)))[0]
    services.update_session(actor, over, fields(kind_id, datetime(2026, 2, 2, 6, 0)), now=now)
    assert len(notices()) == 2


def test_a_series_edited_from_a_session_that_is_over_tells_of_the_first_one_ahead(
        ctx, kind_id, admin, make_user, make_department):
    """Editing "this and later sessions" from a session already held: the people hear of the
    first session still ahead (its old time, its page) and how many follow it."""
    from lawlearn.plans.models import Notice

    section = make_department("法制科")
    inside = make_user("inside", department_id=section)
    actor = db.session.get(User, admin.id)
    series = services.create_sessions(None, fields(kind_id, datetime(2026, 3, 2, 6, 0),
                                                   audience_all=False, department_ids=[section],
                                                   place="三楼会议室"),
                                      repeat="weekly", until=datetime(2026, 3, 23))
    assert len(series) == 4
    now = datetime(2026, 3, 10, 2, 0)  # the first two are over
    moved = fields(kind_id, datetime(2026, 3, 2, 7, 0), audience_all=False,
                   department_ids=[section], place="三楼会议室")
    # Not taken for a back-entry of a past session (the 补录 box): the ones ahead stay ahead.
    assert services.update_session(actor, series[0], moved, whole_series=True, now=now,
                                   past_confirmed=False) == 4
    notices = [(n.user_id, n.body, n.link) for n in db.session.scalars(select(Notice))]
    assert notices == [(inside.id, "原定于 2026年3月16日 14:00 的学法活动，改为 2026年3月16日 "
                                   "15:00 在 三楼会议室 举行。本系列之后的 1 场同样调整。",
                        f"/sessions/{series[2].id}")]
    # Moved a month back, the sessions ahead would be over: that is asked about first.
    back = fields(kind_id, datetime(2026, 2, 2, 7, 0), audience_all=False,
                  department_ids=[section], place="三楼会议室")
    with pytest.raises(ValidationFailed, match="这场活动已于 2026年2月16日 17:00 结束"):
        services.update_session(actor, series[0], back, whole_series=True, now=now,
                                past_confirmed=False)


def test_cancelling_tells_the_people_expected_unless_it_is_over(ctx, kind_id, admin,
                                                                 make_user, make_department):
    from lawlearn.plans.models import Notice

    section, other = make_department("法制科"), make_department("其他")
    inside = make_user("inside", department_id=section)
    make_user("outside", department_id=other)
    actor = db.session.get(User, admin.id)
    now = datetime(2026, 3, 1, 2, 0)
    coming = services.create_sessions(None, fields(kind_id, datetime(2026, 3, 2, 6, 0),
                                                   audience_all=False,
                                                   department_ids=[section]))[0]
    assert services.cancel_session(actor, coming, "与常务会议冲突", now) == 1
    with pytest.raises(Conflict, match="本次活动已经取消"):  # a double click tells nobody twice
        services.cancel_session(actor, coming, "与常务会议冲突", now)
    notices = db.session.scalars(select(Notice)).all()
    assert [(n.user_id, n.title, n.link) for n in notices] == [
        (inside.id, "学法活动取消：宪法学习", f"/sessions/{coming.id}")]
    assert notices[0].body == "原定于 2026年3月2日 14:00 的学法活动已取消。原因：与常务会议冲突"
    over = services.create_sessions(None, fields(kind_id, datetime(2026, 2, 1, 6, 0)))[0]
    assert services.cancel_session(actor, over, "补记：当天停电", now) == 0  # tidying up
    assert len(db.session.scalars(select(Notice)).all()) == 1


def test_expected_people_follow_departments_and_names(ctx, kind_id, make_user,
                                                      make_department):
    unit = make_department("区政府办公室")
    section = make_department("法制科", unit)
    other = make_department("其他")
    inside = make_user("inside", department_id=section)
    named = make_user("named", department_id=other)
    make_user("outside", department_id=other)
    make_user("gone", department_id=section, active=False)
    session = services.create_sessions(None, fields(kind_id, utcnow(), audience_all=False,
                                                    department_ids=[unit],
                                                    user_ids=[named.id]))[0]
    expected = select(User.id).where(services.expected_condition(session))
    assert set(db.session.scalars(expected)) == {inside.id, named.id}
    assert services.expected_count(session) == 2


def test_marking_is_audited_and_closing_records_absentees(ctx, kind_id, admin, make_user):
    actor = db.session.get(User, admin.id)
    came, missed = make_user("came"), make_user("missed")
    start = utcnow() - timedelta(hours=3)
    session = services.create_sessions(None, fields(kind_id, start))[0]
    services.mark(actor, session, db.session.get(User, came.id), "late", "无手机，补签", utcnow())
    assert services.close_ended_sessions(utcnow()) == 1  # one session closed
    statuses = dict(db.session.execute(select(Attendance.user_id, Attendance.status)).all())
    assert statuses[came.id] == "late" and statuses[missed.id] == "absent"
    assert statuses[admin.id] == "absent"
    assert services.close_ended_sessions(utcnow()) == 0  # closed once only
    entry = db.session.scalar(select(AuditEntry).filter_by(action="attendance.mark"))
    assert entry.actor_id == admin.id and entry.details["note"] == "无手机，补签"
    assert entry.details["previous_status"] is None and "标记为迟到" in entry.summary
    # A correction says what it was before, in words and in the details.
    services.mark(actor, session, db.session.get(User, missed.id), "excused", "", utcnow())
    corrected = db.session.scalars(select(AuditEntry).filter_by(action="attendance.mark")
                                   .order_by(AuditEntry.id.desc())).first()
    assert corrected.details["previous_status"] == "absent"
    assert "missed" in corrected.summary and "由缺席改为请假" in corrected.summary
    # Marked an hour after the session ended: came at its start, not at the marking.
    record = db.session.scalar(select(Attendance).filter_by(user_id=came.id))
    assert record.checked_in_at == session.starts_at + timedelta(minutes=11)  # late: after 10
    during = services.create_sessions(None, fields(kind_id, utcnow() - timedelta(minutes=30)))[0]
    now = utcnow()
    assert services.mark(actor, during, db.session.get(User, came.id), "present", "",
                         now).checked_in_at == now  # at the door, while it runs


def test_admin_schedules_a_series_through_the_page(admin_client, app, kind_id):
    response = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        "title": "会前学法", "kind_id": str(kind_id), "starts_at": f"{SOON}T09:00",
        "ends_at": f"{SOON}T09:30", "study_hours": "0.5", "checkin_opens_minutes": "15",
        "late_after_minutes": "5", "audience_all": "y", "repeat": "weekly",
        "repeat_until": (SOON + timedelta(days=21)).isoformat()})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        sessions = db.session.scalars(select(StudySession).order_by(StudySession.starts_at)).all()
        assert len(sessions) == 4 and sessions[0].starts_at.hour == 1  # 09:00 Beijing time
    bad = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        "title": "倒置", "kind_id": str(kind_id), "starts_at": f"{SOON}T09:00",
        "ends_at": f"{SOON}T08:00", "study_hours": "1", "checkin_opens_minutes": "15",
        "late_after_minutes": "5", "audience_all": "y"})
    assert bad.status_code == 422 and "结束时间须晚于开始时间" in bad.get_data(as_text=True)
    # A mistyped end year: a session open to check-in for a year is refused, as is 8 days.
    for ends_on in (SOON + timedelta(days=365), SOON + timedelta(days=8)):
        bad = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
            "title": "一年", "kind_id": str(kind_id), "starts_at": f"{SOON}T09:00",
            "ends_at": f"{ends_on}T11:00", "study_hours": "1", "checkin_opens_minutes": "15",
            "late_after_minutes": "5", "audience_all": "y"})
        assert bad.status_code == 422 and "活动时长不能超过 7 天" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(StudySession.id))) == 4


def test_the_session_form_names_every_problem_at_once(admin_client, app, kind_id):
    """An end before the start, a check-in closing before it and no audience: all three
    under their fields in one answer; nothing is saved."""
    from lxml import html as lxml_html

    response = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        "title": "三处错误", "kind_id": str(kind_id), "starts_at": f"{SOON}T09:00",
        "ends_at": f"{SOON}T08:00", "checkin_closes_at": f"{SOON}T08:30", "study_hours": "1",
        "checkin_opens_minutes": "15", "late_after_minutes": "5"})
    assert response.status_code == 422
    page = lxml_html.fromstring(response.get_data(as_text=True))

    def errors(name: str) -> list[str]:
        return field_errors(page, name)

    assert errors("ends_at") == ["结束时间须晚于开始时间。"]
    assert errors("checkin_closes_at") == ["签到截止时间不能早于开始时间。"]
    assert errors("department_ids") == ["请选择应参加的部门或人员。"]

    # The form's own check (an empty name) and a check of what it names (an unknown
    # username, a statute that is not in the library) do not hide the service's.
    response = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        "title": "", "kind_id": str(kind_id), "starts_at": f"{SOON}T09:00",
        "ends_at": f"{SOON}T08:00", "study_hours": "1", "checkin_opens_minutes": "15",
        "late_after_minutes": "-5", "usernames": "nobody"})
    assert response.status_code == 422
    page = lxml_html.fromstring(response.get_data(as_text=True))
    assert errors("title") == ["请填写活动名称。"]
    assert errors("ends_at") == ["结束时间须晚于开始时间。"]
    assert errors("usernames") == ["没有这些用户：nobody"]
    assert errors("department_ids") == []  # someone was named: not "choose someone"
    assert len(errors("late_after_minutes")) == 1  # the form's range message, not a second
    response = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        "title": "名单有误", "kind_id": str(kind_id), "starts_at": f"{SOON}T09:00",
        "ends_at": f"{SOON}T08:00", "study_hours": "1", "checkin_opens_minutes": "15",
        "late_after_minutes": "5", "usernames": "nobody", "article_refs": "无此法 3"})
    assert response.status_code == 422
    page = lxml_html.fromstring(response.get_data(as_text=True))
    assert errors("usernames") == ["没有这些用户：nobody"]
    assert errors("article_refs") == ["找不到法规“无此法”"]
    assert errors("ends_at") == ["结束时间须晚于开始时间。"]
    assert errors("department_ids") == []
    with app.app_context():
        assert db.session.scalar(select(func.count(StudySession.id))) == 0


def test_a_session_already_over_is_saved_only_when_confirmed(admin_client, app, kind_id):
    """A mistyped year (2025 for 2026) made a session that closed at once and marked
    everyone absent: one that has already ended is asked about first."""
    last_year = utcnow().date() - timedelta(days=330)
    fields = {"title": "年份写错", "kind_id": str(kind_id), "starts_at": f"{last_year}T09:00",
              "ends_at": f"{last_year}T10:00", "study_hours": "1", "checkin_opens_minutes": "15",
              "late_after_minutes": "5", "audience_all": "y"}
    asked = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", fields)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert f"这场活动已于 {last_year.year}年{last_year.month}月{last_year.day}日 10:00 结束" in html
    assert "这是补录的已结束活动" in html and 'value="年份写错"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(StudySession.id))) == 0
    entered = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new",
                             {**fields, "past_confirmed": "y"})
    assert entered.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(StudySession.title)) == "年份写错"
    # Under way is not over: a session that started an hour ago is saved at once.
    with app.app_context():
        started = local_moment(utcnow() - timedelta(hours=1))
    now_on = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        **fields, "title": "正在进行", "starts_at": started.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (started + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")})
    assert now_on.status_code == 302
    # Editing: moving an upcoming session into the past asks too; keeping its times (a
    # past session's title corrected) does not.
    upcoming = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        **fields, "title": "下周学法", "starts_at": f"{SOON}T09:00", "ends_at": f"{SOON}T10:00"})
    url = upcoming.headers["Location"]
    moved = post_with_csrf(admin_client, url, url, {**fields, "title": "下周学法"})
    assert moved.status_code == 422 and "这是补录的已结束活动" in moved.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(StudySession.ends_at).where(
            StudySession.title == "下周学法")).date() == SOON
    entered_url = f"/admin/sessions/{_id_of(app, '年份写错')}"
    renamed = post_with_csrf(admin_client, entered_url, entered_url,
                             {**fields, "title": "宪法学习（补录）"})
    assert renamed.status_code == 302


def _id_of(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(select(StudySession.id).where(StudySession.title == title))


def test_a_session_in_year_one_is_a_form_error(admin_client, app, kind_id):
    fields = {"title": "年份写错", "kind_id": str(kind_id), "starts_at": "0001-01-01T00:00",
              "ends_at": "0001-01-01T02:00", "study_hours": "1", "checkin_opens_minutes": "15",
              "late_after_minutes": "5", "audience_all": "y"}
    bad = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", fields)
    assert bad.status_code == 422 and "日期须在" in bad.get_data(as_text=True)
    far = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        **fields, "starts_at": f"{SOON}T09:00", "ends_at": f"{SOON}T10:00",
        "repeat": "weekly", "repeat_until": "9999-12-31"})
    assert far.status_code == 422 and "日期须在" in far.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(StudySession.id))) == 0


def test_what_the_form_offered_but_is_gone_is_a_message(admin_client, app, kind_id,
                                                      make_quiz, make_department):
    """A quiz, material or department deleted (or a draft quiz, or a huge id) while the
    form was open: the field says so, nothing is written, no foreign-key 500."""
    draft = make_quiz(title="草稿测验")
    with app.app_context():
        db.session.get(Quiz, draft).published = False
        db.session.commit()
    unit = make_department("司法局")
    fields = {"title": "会前学法", "kind_id": str(kind_id), "starts_at": f"{SOON}T09:00",
              "ends_at": f"{SOON}T10:00", "study_hours": "1", "checkin_opens_minutes": "15",
              "late_after_minutes": "5", "audience_all": "y"}
    form = admin_client.get("/admin/sessions/new").get_data(as_text=True)
    assert "草稿测验" not in form  # a draft is not offered as the exit quiz
    for changes, words in (({"exit_quiz_id": str(draft)}, "随堂测验须是已发布的测验"),
                           ({"exit_quiz_id": "99999999"}, "随堂测验须是已发布的测验"),
                           ({"material_ids": "99999999"}, "所选学习资料已不存在"),
                           ({"audience_all": "", "department_ids": ["99999999", str(unit)]},
                            "所选部门已不存在"),
                           ({"kind_id": "99999999999999999999"}, "请选择活动类型")):
        response = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new",
                                  {**fields, **changes})
        assert response.status_code == 422, changes
        assert words in response.get_data(as_text=True), changes
    with app.app_context():
        assert db.session.scalar(select(func.count(StudySession.id))) == 0


def test_staff_pages_and_calendar_feed(app, client, login, make_user, kind_id):
    login(make_user("reader", name="读者"))
    with app.app_context():
        start = utcnow() + timedelta(days=1)
        upcoming = services.create_sessions(None, fields(kind_id, start, place="一楼报告厅"))[0]
        cancelled = services.create_sessions(None, fields(kind_id, start + timedelta(days=7)))[0]
        services.cancel_session(db.session.get(User, 1), cancelled, "停电", utcnow())
        db.session.commit()
        upcoming_id, cancelled_id = upcoming.id, cancelled.id
    page = client.get("/sessions").get_data(as_text=True)
    assert "宪法学习" in page and "已取消" in page
    detail = client.get(f"/sessions/{cancelled_id}").get_data(as_text=True)
    assert "本次活动已取消：停电" in detail
    feed_url = page.split('id="feed-url" type="text" value="')[1].split('"')[0]
    path = feed_url.split("localhost", 1)[1]
    feed = client.get(path)
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    calendar = Calendar.from_ical(feed.data)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert str(events[f"session-{upcoming_id}@lawlearn"]["location"]) == "一楼报告厅"
    assert str(events[f"session-{cancelled_id}@lawlearn"]["status"]) == "CANCELLED"
    assert "停电" in str(events[f"session-{cancelled_id}@lawlearn"]["description"])
    post_with_csrf(client, "/sessions", "/me/calendar/reset")
    assert client.get(path).status_code == 404  # the old address stops working


def test_the_list_offers_check_in_only_while_it_waits_for_mine(app, client, login, make_user,
                                                               kind_id):
    reader = make_user("reader", name="读者")
    login(reader)
    with app.app_context():
        running = services.create_sessions(None, fields(
            kind_id, utcnow() - timedelta(minutes=10)))[0]
        db.session.commit()
        running_id = running.id
    assert "去签到" in client.get("/sessions").get_data(as_text=True)
    with app.app_context():
        services.check_in(db.session.get(User, reader.id),
                          db.session.get(StudySession, running_id), utcnow())
        db.session.commit()
    page = client.get("/sessions").get_data(as_text=True)
    assert "进行中" in page and "去签到" not in page


@pytest.mark.parametrize("how", ["changed", "reset", "deactivated"])
def test_a_password_change_or_reset_gives_a_new_calendar_address(app, client, make_user, how):
    """The address opens the feed without a login, like a token: it ends with the others."""
    from lawlearn.accounts import services as accounts

    person = make_user("subscriber")
    with app.app_context():
        old = calendar_token(db.session.get(User, person.id))
        db.session.commit()
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    with app.app_context():
        user = db.session.get(User, person.id)
        admin = make_user("boss", roles=("admin", "staff"))
        if how == "changed":
            accounts.change_password(user, PASSWORD, "another-pass-9")
        elif how == "reset":
            accounts.reset_password(db.session.get(User, admin.id), user, "temporary-pass-9")
        else:
            accounts.set_user_active(db.session.get(User, admin.id), user, False)
        db.session.commit()
        new = calendar_token(db.session.get(User, person.id))
        db.session.commit()
    assert new != old
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == (404 if how == "deactivated"
                                                              else 200)


def pass_quiz(person, quiz) -> bool:
    """Start an attempt, give every right answer, submit; whether it passed."""
    from lawlearn.quiz import services as quiz_services

    attempt, _ = quiz_services.start_attempt(person, quiz, utcnow())
    for item in attempt.items:
        snap = item.snapshot
        answer = snap["answer"] if snap["type"] != "fill" else [a[0] for a in snap["answer"]]
        quiz_services.save_answer(attempt, item.question_id, answer, utcnow())
    return quiz_services.submit_attempt(attempt, utcnow())["passed"]


def test_exit_quiz_turns_a_check_in_into_presence(app, ctx, kind_id, make_user, make_quiz):
    from lawlearn.quiz import services as quiz_services
    from lawlearn.quiz.models import Quiz

    quiz_id = make_quiz(title="随堂测验")
    person = db.session.get(User, make_user("learner").id)
    session = services.create_sessions(None, fields(kind_id, utcnow(), exit_quiz_id=quiz_id))[0]
    attendance, _created = services.check_in(person, session, utcnow())
    assert attendance.status == "pending_quiz"
    quiz = db.session.get(Quiz, quiz_id)
    failed, _ = quiz_services.start_attempt(person, quiz, utcnow())
    quiz_services.submit_attempt(failed, utcnow())  # nothing answered: not passed
    db.session.refresh(attendance)
    assert attendance.status == "pending_quiz"
    quiz.attempts_allowed = None
    assert pass_quiz(person, quiz)
    db.session.refresh(attendance)
    assert attendance.status == "present"


def test_sessions_link_articles_and_materials(admin_client, app, client, kind_id):
    from lawlearn.library.services import import_law

    with app.app_context():
        import_law(None, "中华人民共和国宪法\n\n第一条 甲。\n\n第二条 乙。\n".encode())
        db.session.commit()
    response = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        "title": "学宪法", "kind_id": str(kind_id), "starts_at": f"{SOON}T09:00",
        "ends_at": f"{SOON}T10:00", "study_hours": "1", "checkin_opens_minutes": "15",
        "late_after_minutes": "5", "audience_all": "y", "article_refs": "宪法 1-2"})
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="宪法 1、2"' in page
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    detail = admin_client.get(f"/sessions/{session_id}").get_data(as_text=True)
    assert "《宪法》第一条" in detail and "《宪法》第二条" in detail


def test_two_tabs_making_the_calendar_address_at_once_show_the_same_one(app, make_user):
    """The first opening of 我的学习活动 in two tabs at once: the address one tab shows must
    not be replaced by the other's."""
    person = make_user()
    made: list[str] = []

    def other_tab() -> None:
        made.append(calendar_token(db.session.get(User, person.id)))

    with app.app_context():
        user = db.session.get(User, person.id)
        with twin_at(app, other_tab, before=updates("user")) as ran:
            token = calendar_token(user)
        db.session.commit()
        assert ran and token == made[0]
        assert db.session.get(User, person.id, populate_existing=True).calendar_token == token


def test_passing_the_exit_quiz_keeps_a_late_check_in_late(app, ctx, kind_id, make_user,
                                                         make_quiz):
    from lawlearn.quiz.models import Quiz

    quiz_id = make_quiz(title="随堂测验", attempts_allowed=None)
    on_time, late = (db.session.get(User, make_user(name).id) for name in ("ontime", "late"))
    start = utcnow() - timedelta(minutes=40)
    session = services.create_sessions(None, fields(kind_id, start, exit_quiz_id=quiz_id))[0]
    services.check_in(on_time, session, start + timedelta(minutes=5))
    services.check_in(late, session, start + timedelta(minutes=30))  # late after 10 minutes
    quiz = db.session.get(Quiz, quiz_id)
    for person in (on_time, late):
        assert pass_quiz(person, quiz)
    statuses = dict(db.session.execute(select(Attendance.user_id, Attendance.status)).all())
    assert statuses == {on_time.id: "present", late.id: "late"}


def test_the_exit_quiz_opens_to_whoever_checked_in_whatever_its_own_audience(
        app, ctx, kind_id, make_user, make_quiz, make_department):
    """A session for everyone with an exit quiz for one department: someone from elsewhere
    who checked in got 测验不存在或不对您开放 and could never become present."""
    from lawlearn.errors import NotFound
    from lawlearn.quiz import services as quiz_services
    from lawlearn.quiz.listing import quizzes_for

    legal = make_department("法制科")
    quiz_id = make_quiz(title="随堂测验", audience_all=False, department_ids=[legal])
    guest, stranger = (db.session.get(User, make_user(name).id) for name in ("guest", "stranger"))
    session = services.create_sessions(None, fields(kind_id, utcnow(), exit_quiz_id=quiz_id))[0]
    with pytest.raises(NotFound):
        quiz_services.get_quiz_for(guest, quiz_id)
    services.check_in(guest, session, utcnow())
    assert quiz_services.get_quiz_for(guest, quiz_id).id == quiz_id
    assert quiz_id in [card.quiz.id for card in quizzes_for(guest, utcnow())]
    with pytest.raises(NotFound):
        quiz_services.get_quiz_for(stranger, quiz_id)


def test_a_session_a_published_plan_asks_for_keeps_the_plans_audience(app, kind_id,
                                                                      make_department,
                                                                      make_user):
    from lawlearn.plans import authoring as plans
    from lawlearn.plans import publishing

    justice, office = make_department("区司法局"), make_department("区政府办公室")
    make_user("ann", department_id=justice)
    make_user("bob", department_id=office)
    now = utcnow()
    with app.app_context():
        session = services.create_sessions(None, fields(kind_id, now + timedelta(days=3)))[0]
        plan = plans.create_plan(None, plans.PlanFields(
            title="年度计划", starts_on=date(now.year, 1, 1), ends_on=date(now.year, 12, 31)),
            now)
        plans.add_item(None, plan, plans.ItemFields(
            kind="session", settings={"session_id": session.id}), now)
        publishing.publish_plan(None, plan, now)
        db.session.commit()
        narrowed = fields(kind_id, session.starts_at, audience_all=False,
                          department_ids=[justice])
        with pytest.raises(ValidationFailed, match="《年度计划》的“.*”（1 人）"):
            services.update_session(None, session, narrowed)
        db.session.rollback()
        assert db.session.get(StudySession, session.id).audience_all


def test_a_check_in_closing_after_the_end_is_saved_with_a_warning(admin_client, app,
                                                                   kind_id):
    """Allowed (latecomers, an online session) but easily a mistyped day: the admin is told
    until when people can still check in; a check-in closing by the end says nothing."""
    form = {"title": "线上学法", "kind_id": str(kind_id), "starts_at": f"{SOON}T09:00",
            "ends_at": f"{SOON}T11:00", "study_hours": "1", "checkin_opens_minutes": "15",
            "late_after_minutes": "5", "audience_all": "y"}
    later = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new",
                           {**form, "checkin_closes_at": f"{SOON + timedelta(days=1)}T11:00"},
                           follow_redirects=True)
    shown = later.get_data(as_text=True)
    assert "已安排 1 场活动。" in shown
    day = SOON + timedelta(days=1)
    assert (f"注意：签到截止时间晚于活动结束时间，活动结束后直到 {day.year}年{day.month}月{day.day}日 "
            "11:00 仍可签到。") in shown
    on_time = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new",
                             {**form, "checkin_closes_at": f"{SOON}T11:00"},
                             follow_redirects=True).get_data(as_text=True)
    assert "已安排 1 场活动。" in on_time and "签到截止时间晚于" not in on_time
    with app.app_context():
        assert db.session.scalar(select(func.count(StudySession.id))) == 2


def test_everyone_and_some_departments_at_once_is_refused(admin_client, app, kind_id,
                                                          make_department):
    """全体人员参加 is ticked by default: picking 审批一科 under it was dropped without a word,
    and the department's session expected all 33 people (all but 4 marked absent)."""
    section = make_department("审批一科")
    both = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        "title": "科室学法", "kind_id": str(kind_id), "starts_at": f"{SOON}T09:00",
        "ends_at": f"{SOON}T10:00", "study_hours": "1", "checkin_opens_minutes": "15",
        "late_after_minutes": "5", "audience_all": "y", "department_ids": [str(section)]})
    assert both.status_code == 422
    assert "勾选了“全体人员参加”，又选择了部门或人员" in both.get_data(as_text=True)
    assert '<div class="form-error error-summary" role="alert"' in both.get_data(as_text=True)
    assert "只请部分部门或人员参加时，取消勾选，再在下面选择。" in both.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(StudySession.id))) == 0
    alone = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        "title": "科室学法", "kind_id": str(kind_id), "starts_at": f"{SOON}T09:00",
        "ends_at": f"{SOON}T10:00", "study_hours": "1", "checkin_opens_minutes": "15",
        "late_after_minutes": "5", "department_ids": [str(section)]})
    assert alone.status_code == 302
    with app.app_context():
        session = db.session.scalar(select(StudySession))
        assert not session.audience_all
        assert [a.department_id for a in session.audience] == [section]
