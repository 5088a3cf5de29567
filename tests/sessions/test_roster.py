"""A session's attendance roster (the admin's 出勤 page): everyone expected or recorded, a
page at a time, searched and filtered, with figures that are SQL counts; and the other
"who is expected" reads that must not hold a city-wide audience in Python."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import unquote

import pytest
from lxml import html
from sqlalchemy import select

from lawlearn.accounts.models import AuditEntry, Department
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.sessions import roster, services
from lawlearn.sessions.models import Attendance
from tests.conftest import csrf_from, field_errors
from tests.sessions import test_leave_and_attendance as leave_tests
from tests.sessions.test_leave_and_attendance import NOW, make_session, record, user

org = leave_tests.org  # the fixture: two units, a section and their people


def under_way():
    """A start 20 minutes ago: the hour-long session is under way, its check-in open and
    not closed by the view, so anyone may be marked (no mark before check-in opens)."""
    return utcnow() - timedelta(minutes=20)


def local_field(moment) -> str:
    """A naive UTC moment as the session form's local datetime-local value."""
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def names(users) -> list[str]:
    return [person.username for person in users]


def roster_names(session, **filters) -> list[str]:
    return names(db.session.scalars(roster.roster_query(session, **filters)))


def test_the_roster_lists_the_expected_and_anyone_recorded(ctx, org):
    session = make_session(NOW, department_ids=(org.unit,))  # 执法局 with 法制科
    record(session, user(org.clerk), "present")
    record(session, user(org.secretary), "excused")  # recorded, though 办公室 is not expected
    db.session.commit()
    # The tree's order: 办公室, then 执法局 followed by its section 法制科
    assert roster_names(session) == ["secretary", "officer", "unitlead", "clerk", "seclead"]
    assert roster_names(session, status=roster.NOT_CHECKED_IN) == ["officer", "unitlead",
                                                                    "seclead"]
    assert roster_names(session, status="present") == ["clerk"]
    assert roster_names(session, status="excused") == ["secretary"]
    assert roster_names(session, status="absent") == []
    assert roster_names(session, q="科") == ["clerk", "seclead"]  # 科员戊, 科长丙
    assert roster_names(session, q="OFFICER") == ["officer"]  # usernames, case-insensitively
    assert roster_names(session, q="%") == []  # a wildcard is a plain character
    assert roster_names(session, status="no-such-status") == roster_names(session)


def test_the_roster_follows_the_department_tree_not_the_ids(ctx, org, make_department,
                                                            make_user):
    """A unit placed first by its display order, and a section made after other units,
    are listed where the office's department list shows them, on both databases."""
    first = make_department("综合科", org.office)  # a section made last, of 办公室
    late_unit = make_department("审计局")
    db.session.get(Department, late_unit).sort_order = -1  # shown first
    db.session.commit()
    make_user("auditor", name="审计员", department_id=late_unit)
    make_user("office2", name="综合员", department_id=first)
    session = make_session(NOW)
    assert roster_names(session) == ["auditor", "secretary", "offlead", "office2", "officer",
                                      "unitlead", "clerk", "seclead", "root"]


def test_a_deactivated_person_stays_only_when_recorded(ctx, org):
    session = make_session(NOW, department_ids=(org.office,))
    record(session, user(org.secretary), "present")
    user(org.office_lead).active = False
    user(org.secretary).active = False
    db.session.commit()
    assert roster_names(session) == ["secretary"]
    assert roster.roster_counts(session).expected == 0


def test_the_figures_count_statuses_the_unrecorded_and_shared_devices(ctx, org):
    session = make_session(NOW)  # everyone: 7 people
    record(session, user(org.clerk), "present")
    record(session, user(org.officer), "late")
    record(session, user(org.secretary), "absent")
    for person in (org.clerk, org.officer):  # two accounts checked in on one phone
        db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                       user_id=person.id)).device_key = "phone-1"
    db.session.commit()
    counts = roster.roster_counts(session)
    assert counts.expected == 7
    assert counts.by_status == {"present": 1, "late": 1, "excused": 0, "absent": 1,
                                "pending_quiz": 0}
    assert counts.not_checked_in == 4
    assert counts.shared_devices == 1
    assert roster_names(session, status=roster.SHARED_DEVICE) == ["officer", "clerk"]
    everyone = list(db.session.scalars(roster.roster_query(session)))
    assert roster.shared_device_users(session, everyone) == {org.clerk.id, org.officer.id}
    assert set(roster.records_of(session, everyone)) == {org.clerk.id, org.officer.id,
                                                         org.secretary.id}


def test_no_list_of_people_is_bound_into_the_queries(ctx, org, make_user):
    """A city-wide session must not become one bound parameter per person (PostgreSQL
    refuses more than 65,535): the statements keep their parameters as the audience grows."""
    session = make_session(NOW, department_ids=(org.unit,), user_ids=(org.secretary.id,))

    def parameters() -> list[int]:
        statements = [roster.roster_query(session, q="x", status=roster.NOT_CHECKED_IN),
                      select(db.func.count()).where(services.expected_condition(session)),
                      select(db.func.count()).where(roster._absent_condition(
                          session, session.closes_at + timedelta(minutes=1)))]
        return [len(s.compile(dialect=db.engine.dialect).params) for s in statements]

    before = parameters()
    for n in range(30):
        make_user(f"extra{n}", department_id=org.section)
    assert services.expected_count(session) == 4 + 1 + 30  # 执法局 and 法制科, 文员庚
    assert parameters() == before


def test_closing_writes_the_absent_in_one_statement(ctx, org, count_queries):
    session = make_session(NOW)
    record(session, user(org.clerk), "present")
    db.session.commit()
    assert session.audience_all  # loaded again after the commit, before counting
    closed = []
    with count_queries.recording() as statements:
        closed.append(services.close_session(session, NOW))
    # the session claimed (closed_at), then the absentees in one INSERT … SELECT
    assert [s.split()[0] for s in statements] == ["UPDATE", "INSERT"], "\n".join(statements)
    assert closed == [True] and session.closed_at == NOW
    assert session not in db.session.dirty  # nothing left to write again
    absent = db.session.scalars(select(Attendance).filter_by(session_id=session.id,
                                                             status="absent")).all()
    assert len(absent) == 6 and {a.source for a in absent} == {"closing"}
    assert all(a.updated_at is not None for a in absent)
    assert not services.close_session(session, NOW)  # nobody twice


def test_absentees_before_and_after_closing(ctx, org):
    session = make_session(NOW - timedelta(hours=3), department_ids=(org.office,))
    record(session, user(org.secretary), "present")
    db.session.commit()
    now = NOW
    assert names(roster.absentees(session, now)) == ["offlead"]
    assert roster.session_counts(session, now)[1].absent == 1
    services.close_session(session, now)
    db.session.commit()
    assert names(roster.absentees(session, now)) == ["offlead"]
    assert roster.session_counts(session, now) == (2, roster.session_counts(
        session, now)[1])


def test_a_closed_sessions_figures_stay_when_a_leaver_is_deactivated(ctx, org):
    """Three leavers deactivated in January turned a closed session's 应到 33 · 缺席 2 into
    应到 30 · 缺席 1 above a list of 33, while its absentees page and the reports said 33."""
    session = make_session(NOW - timedelta(hours=3), department_ids=(org.office,))
    record(session, user(org.secretary), "present")
    db.session.commit()
    services.close_session(session, NOW)
    db.session.commit()
    before = roster.roster_counts(session)
    assert (before.expected, before.by_status["present"], before.by_status["absent"]) == (2, 1, 1)
    user(org.office_lead).active = False  # the absentee leaves
    user(org.secretary).active = False
    db.session.commit()
    after = roster.roster_counts(session)
    assert (after.expected, after.by_status, after.not_checked_in) == \
        (before.expected, before.by_status, 0)
    assert after.expected == roster.session_counts(session, NOW)[0]
    assert roster.roster_counts(session, [org.office]).expected == 2  # a lead's view too
    assert sorted(names(db.session.scalars(roster.roster_query(session)))) == \
        ["offlead", "secretary"]


# --- the page -----------------------------------------------------------------------------


def test_the_page_is_paged_searched_and_filtered(app, ctx, org, client, login, make_user):
    app.config["PER_PAGE"] = 3
    session = make_session(utcnow() + timedelta(days=1))  # not closed by the view
    record(session, user(org.clerk), "present")
    db.session.commit()
    login(org.admin)
    url = f"/admin/sessions/{session.id}/attendance"
    first = client.get(url).get_data(as_text=True)
    assert "应到 7 人" in first and "出席 1" in first and "未签到 6" in first
    assert "第 1 / 3 页，共 7 条" in first
    assert first.count('class="inline-mark"') == 3
    last = client.get(url + "?page=3").get_data(as_text=True)
    assert last.count('class="inline-mark"') == 1
    found = client.get(url + "?q=科员").get_data(as_text=True)
    assert "科员戊" in found and "文员庚" not in found and "已签到" not in found
    unrecorded = client.get(url + "?status=none").get_data(as_text=True)
    assert "科员戊" not in unrecorded and "共 6 条" in unrecorded
    nobody = client.get(url + "?q=无此人").get_data(as_text=True)
    assert "没有符合条件的人员。" in nobody


def test_marking_returns_to_the_same_filter_and_page(ctx, org, client, login):
    session = make_session(utcnow() + timedelta(days=1))  # not closed by the view
    login(org.admin)
    url = f"/admin/sessions/{session.id}/attendance?q=文员&status=none"
    token = csrf_from(client.get(url))
    response = client.post(url, data={"csrf_token": token, "user_id": org.secretary.id,
                                      "status": "excused", "note": "出差"})
    assert response.status_code == 302
    assert unquote(response.headers["Location"]).endswith(url)
    assert db.session.scalar(select(Attendance.status).filter_by(
        session_id=session.id, user_id=org.secretary.id)) == "excused"
    page = client.get(url).get_data(as_text=True)
    assert "已标记 文员庚" in page and "没有符合条件的人员。" in page


def test_a_bad_mark_says_so_and_changes_nothing(ctx, org, client, login):
    session = make_session(utcnow() + timedelta(days=1))  # not closed by the view
    login(org.admin)
    url = f"/admin/sessions/{session.id}/attendance"
    token = csrf_from(client.get(url))
    response = client.post(url, data={"csrf_token": token, "user_id": org.clerk.id,
                                      "status": "pending_quiz"}, follow_redirects=True)
    assert "标记失败" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Attendance)) == 0


def test_staff_and_leads_are_refused(ctx, org, client, login):
    session = make_session(utcnow() + timedelta(days=1))  # not closed by the view
    login(org.unit_lead)
    assert client.get(f"/admin/sessions/{session.id}/attendance").status_code == 403


def test_a_session_everyone_checked_in_to_is_closed_too(ctx, org):
    session = make_session(NOW - timedelta(hours=3), department_ids=(org.office,))
    record(session, user(org.secretary), "present")
    record(session, user(org.office_lead), "late")
    db.session.commit()
    assert services.close_ended_sessions(NOW) == 1  # nobody absent, yet closed
    db.session.commit()
    db.session.expire_all()
    assert session.closed_at == NOW
    assert services.close_ended_sessions(NOW) == 0


def test_the_page_shows_absentees_once_check_in_has_closed(ctx, org, client, login):
    session = make_session(utcnow() - timedelta(hours=3), department_ids=(org.office,))
    record(session, user(org.secretary), "present")
    db.session.commit()
    login(org.admin)
    page = client.get(f"/admin/sessions/{session.id}/attendance").get_data(as_text=True)
    assert "缺席 1" in page and "未签到 0" in page  # 主任丁 written absent by the page view
    db.session.expire_all()
    assert session.closed_at is not None


def test_a_mark_for_an_impossible_id_is_refused_not_a_500(ctx, org, client, login):
    session = make_session(utcnow() + timedelta(days=1))  # not closed by the view
    login(org.admin)
    url = f"/admin/sessions/{session.id}/attendance"
    token = csrf_from(client.get(url))
    for user_id in ("99999999999999999999", "0", "-5", "abc"):
        response = client.post(url, data={"csrf_token": token, "user_id": user_id,
                                          "status": "present"}, follow_redirects=True)
        assert response.status_code == 200 and "标记失败" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Attendance)) == 0



def test_the_figures_stay_within_the_audience_and_outsiders_cannot_be_marked(ctx, org, client,
                                                                             login):
    """Someone taken out of the audience after checking in stays on the list, but the
    figures count the audience only (出席 exceeded 应到); nobody outside it is marked."""
    session = make_session(under_way(), department_ids=(org.office,))
    record(session, user(org.secretary), "present")  # 办公室
    record(session, user(org.clerk), "present")  # 法制科: not in the audience
    db.session.commit()
    counts = roster.roster_counts(session)
    assert counts.by_status["present"] == 1 and counts.expected >= 1
    assert counts.by_status["present"] <= counts.expected
    login(org.admin)
    url = f"/admin/sessions/{session.id}/attendance"
    token = csrf_from(client.get(url))
    response = client.post(url, data={"csrf_token": token, "user_id": org.officer.id,
                                      "status": "present"}, follow_redirects=True)
    assert "不在本次活动的应到人员名单中" in response.get_data(as_text=True)
    assert db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                          user_id=org.officer.id)) is None


def test_a_mark_pays_the_plan_item_at_once_dated_at_the_session(ctx, org, client, login):
    """积分榜 shows it before the person opens any page: the marking settles their plan."""
    from lawlearn.localtime import local_day
    from lawlearn.practice.models import PointAward
    from tests.plans.test_kinds import add_item, make_plan

    session = make_session(utcnow() - timedelta(days=2))  # a paper sheet, typed in later
    today = local_day(utcnow())
    plan = make_plan(starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30))
    item = add_item(plan, "session", settings={"session_id": session.id}, points=5)
    db.session.commit()
    login(org.admin)
    url = f"/admin/sessions/{session.id}/attendance"
    client.post(url, data={"csrf_token": csrf_from(client.get(url)),
                           "user_id": org.secretary.id, "status": "present", "note": "纸质签到"})
    award = db.session.scalar(select(PointAward).filter_by(
        user_id=org.secretary.id, source=f"plan_item:{item.id}"))
    assert award is not None and award.amount == 5
    assert award.day == local_day(session.starts_at)


def test_a_mark_waits_for_the_moment_it_could_be_true(ctx, org, client, login):
    """Marked two days ahead, staff saw "迟到 ✓ 已签到" for a session still to come."""
    from lawlearn.errors import Conflict

    ahead = make_session(NOW + timedelta(days=2))  # 09:00 in Shanghai; check-in from 08:30
    admin, clerk = user(org.admin), user(org.clerk)
    for status, words in (("present", "签到于 2025年3月12日 08:30 开放，开放后才能标记出席"),
                          ("absent", "活动于 2025年3月12日 09:00 开始，开始后才能标记缺席"),
                          ("late", "2025年3月12日 09:10 以后到场才算迟到")):
        with pytest.raises(Conflict, match=words):
            services.mark(admin, ahead, clerk, status, "", NOW)
    assert db.session.scalar(select(Attendance).filter_by(session_id=ahead.id)) is None
    services.mark(admin, ahead, clerk, "excused", "出差", NOW)  # 请假 is asked ahead
    at_the_door = ahead.starts_at - timedelta(minutes=5)
    services.mark(admin, ahead, user(org.officer), "present", "", at_the_door)
    with pytest.raises(Conflict, match="还不能标记迟到"):  # not late yet at 09:10 itself
        services.mark(admin, ahead, user(org.secretary), "late", "",
                      ahead.starts_at + timedelta(minutes=10))
    services.mark(admin, ahead, user(org.secretary), "late", "",
                  ahead.starts_at + timedelta(minutes=11))
    db.session.commit()
    marked = dict(db.session.execute(select(Attendance.user_id, Attendance.checked_in_at)
                                     .filter_by(session_id=ahead.id)).all())
    assert marked == {clerk.id: None, org.officer.id: at_the_door,
                      org.secretary.id: ahead.starts_at + timedelta(minutes=11)}

    # Marking many is refused once, in one sentence, not once per person.
    tomorrow = make_session(utcnow() + timedelta(days=1))
    login(org.admin)
    url = f"/admin/sessions/{tomorrow.id}/attendance"
    response = client.post(f"{url}/bulk", data={
        "csrf_token": csrf_from(client.get(url)), "status": "present",
        "user_ids": [str(org.officer.id), str(org.secretary.id)]}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert text.count("开放后才能标记出席") == 1
    assert db.session.scalar(select(Attendance).filter_by(session_id=tomorrow.id)) is None


# --- marking many at once ---------------------------------------------------------------------


def test_the_rows_ticked_are_marked_at_once_back_to_the_same_filter(ctx, org, client, login):
    """A paper sign-in sheet entered after the session had taken a save per person."""
    session = make_session(under_way())  # not closed by the view
    record(session, user(org.clerk), "late")
    db.session.commit()
    login(org.admin)
    url = f"/admin/sessions/{session.id}/attendance?status=none"
    page = client.get(url).get_data(as_text=True)
    assert 'form="bulk-mark"' in page and "data-check-all" in page
    response = client.post(f"/admin/sessions/{session.id}/attendance/bulk?status=none", data={
        "csrf_token": csrf_from(client.get(url)), "status": "present", "note": "纸质签到表",
        "user_ids": [str(org.officer.id), str(org.secretary.id), str(org.clerk.id)]})
    assert response.status_code == 302
    assert unquote(response.headers["Location"]).endswith(url)
    marked = dict(db.session.execute(select(Attendance.user_id, Attendance.status)
                                     .filter_by(session_id=session.id)).all())
    assert marked == {org.officer.id: "present", org.secretary.id: "present",
                      org.clerk.id: "present"}
    notes = set(db.session.scalars(select(Attendance.note).filter_by(session_id=session.id)))
    assert notes == {"纸质签到表"}
    assert "已将 3 人标记为出席。" in client.get(url).get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(AuditEntry.id)).filter_by(
        action="attendance.mark")) == 3  # each person's mark, as one by one


def test_a_bulk_mark_with_anyone_refused_marks_nobody(ctx, org, client, login, make_user):
    session = make_session(under_way(), department_ids=(org.office,))
    late_in_order = make_user("zhou", name="周某", department_id=org.unit)  # after 文员庚
    login(org.admin)
    url = f"/admin/sessions/{session.id}/attendance"
    bulk = f"/admin/sessions/{session.id}/attendance/bulk"
    token = csrf_from(client.get(url))
    # 干部己 and 周某 are not in the audience (办公室 only): 文员庚, marked before 周某, is
    # undone with the rest, and the page names both refusals at once.
    refused = client.post(bulk, data={"csrf_token": token, "status": "present", "user_ids": [
        str(org.secretary.id), str(org.officer.id), str(late_in_order.id)]},
        follow_redirects=True)
    text = refused.get_data(as_text=True)
    assert "未标记任何人" in text
    assert "干部己 不在本次活动的应到人员名单中" in text and "周某 不在本次活动的应到人员名单中" in text
    assert db.session.scalar(select(db.func.count(AuditEntry.id)).filter_by(
        action="attendance.mark")) == 0
    nothing = client.post(bulk, data={"csrf_token": token, "status": "present"},
                          follow_redirects=True)
    assert "请先勾选要标记的人员。" in nothing.get_data(as_text=True)
    for data in ({"status": "present"}, {"status": "pending_quiz",
                                         "user_ids": [str(org.secretary.id)]},
                 {"status": "present", "user_ids": ["abc"]},
                 {"status": "present", "user_ids": ["99999999999999999999"]},
                 {"status": "present", "user_ids": [str(org.secretary.id), "2147483648"]},
                 {"status": "present", "user_ids": [str(org.secretary.id), "987654"]}):
        response = client.post(bulk, data={"csrf_token": token, **data},
                               follow_redirects=True)
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "批量标记失败" in text or "请先勾选" in text or "已不存在" in text, data
    assert client.post(bulk, data={"status": "present", "user_ids": [
        str(org.secretary.id)]}).status_code == 400  # no CSRF token
    assert db.session.scalar(select(db.func.count()).select_from(Attendance)) == 0


def test_leads_cannot_mark_many(ctx, org, client, login):
    session = make_session(utcnow() + timedelta(days=1))
    login(org.unit_lead)
    response = client.post(f"/admin/sessions/{session.id}/attendance/bulk", data={
        "csrf_token": csrf_from(client.get("/")), "status": "present",
        "user_ids": [str(org.clerk.id)]})
    assert response.status_code == 403
    assert db.session.scalar(select(db.func.count()).select_from(Attendance)) == 0


def test_a_note_keeps_how_the_person_checked_in_and_no_status_is_preset(ctx, org, client,
                                                                          login):
    """Adding 备注 to a code check-in made it 管理员 (source manual), losing the proof that
    the person checked in themselves; and a 未签到 row's select stood on 出席, so a stray
    保存 marked someone present."""
    session = make_session(under_way())
    clerk = user(org.clerk)
    checked, _created = services.check_in(clerk, session, utcnow(), via="code")
    came = checked.status  # late: the session began 20 minutes ago
    db.session.commit()
    login(org.admin)
    url = f"/admin/sessions/{session.id}/attendance"
    page = client.get(url).get_data(as_text=True)
    officer_row = page[page.index(f'id="status-{org.officer.id}"'):]
    assert officer_row.index('<option value="" selected disabled>选择状态</option>') \
        < officer_row.index("</select>")
    clerk_row = page[page.index(f'id="status-{org.clerk.id}"'):]
    assert "选择状态" not in clerk_row[:clerk_row.index("</select>")]
    token = csrf_from(client.get(url))
    client.post(url, data={"csrf_token": token, "user_id": org.clerk.id,
                           "status": came, "note": "坐第一排"})
    db.session.expire_all()
    record_ = db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                             user_id=org.clerk.id))
    assert (record_.status, record_.source, record_.note) == (came, "code", "坐第一排")
    client.post(url, data={"csrf_token": token, "user_id": org.clerk.id, "status": "excused"})
    db.session.expire_all()
    assert db.session.get(Attendance, record_.id).source == "manual"  # a changed status is
    # the admin's
    response = client.post(url, data={"csrf_token": token, "user_id": org.officer.id,
                                      "status": ""}, follow_redirects=True)
    assert "标记失败" in response.get_data(as_text=True)
    assert db.session.scalar(select(Attendance).filter_by(
        session_id=session.id, user_id=org.officer.id)) is None


def test_an_audience_leaving_out_people_with_records_is_refused_naming_them(ctx, org, client,
                                                                          login):
    """法制科 switched to 办公室 after a check-in and a leave: the header said 出席 0 over rows
    of 出席, the projector 已签到 2, the absentee list 签到 3. The change is refused, naming
    them; named in 人员 they stay, and every count agrees."""
    from lawlearn.sessions.models import SessionAudience

    session = make_session(under_way(), department_ids=(org.section,))  # clerk, seclead
    services.check_in(user(org.clerk), session, utcnow(), via="qr")
    db.session.add(Attendance(session_id=session.id, user_id=org.section_lead.id,
                              status="excused", source="leave"))
    db.session.commit()
    login(org.admin)
    url = f"/admin/sessions/{session.id}"
    form = {"title": session.title, "kind_id": str(session.kind_id),
            "starts_at": local_field(session.starts_at), "ends_at": local_field(session.ends_at),
            "study_hours": "1", "checkin_opens_minutes": "30", "late_after_minutes": "10",
            "department_ids": str(org.office), "past_confirmed": "y"}
    refused = client.post(url, data={**form, "csrf_token": csrf_from(client.get(url))})
    assert refused.status_code == 422
    page = html.fromstring(refused.get_data(as_text=True))
    assert field_errors(page, "department_ids") == [
        "“集中学法”已有 2 人签到、请假或被标记，不在新的参加范围内：科员戊（clerk）、科长丙（seclead）。"
        "请把他们的用户名填入“应参加人员（用户名）”后再保存，或保留原来的参加范围。"]
    db.session.expire_all()
    assert {a.department_id for a in db.session.scalars(select(SessionAudience).where(
        SessionAudience.session_id == session.id))} == {org.section}  # unchanged
    saved = client.post(url, data={**form, "usernames": "clerk seclead",
                                   "csrf_token": csrf_from(client.get(url))},
                        follow_redirects=True)
    assert "已保存 1 场活动。" in saved.get_data(as_text=True)
    db.session.expire_all()
    counts = roster.roster_counts(db.session.get(type(session), session.id))
    assert counts.expected == 4  # 办公室's two, and the two named
    assert counts.by_status["excused"] == 1 and counts.not_checked_in == 2
    assert sum(counts.by_status.values()) + counts.not_checked_in == counts.expected


def test_absences_of_a_closed_session_follow_a_new_audience(ctx, org):
    session = make_session(NOW - timedelta(hours=3), department_ids=(org.section,))
    record(session, user(org.clerk), "present")
    db.session.commit()
    assert services.close_session(session, NOW)  # seclead written absent
    db.session.commit()
    fields = services.SessionFields(session.title, session.kind_id, session.starts_at,
                                    session.ends_at, audience_all=False,
                                    department_ids=[org.office], user_ids=[org.clerk.id])
    services.update_session(None, session, fields, now=NOW)
    db.session.commit()
    statuses = dict(db.session.execute(select(Attendance.user_id, Attendance.status).where(
        Attendance.session_id == session.id)).all())
    assert statuses == {org.clerk.id: "present"}  # seclead's closing absence went
    assert session.closed_at is None
    assert services.close_session(session, NOW)  # closed again: 办公室's two absent
    assert roster.session_counts(session, NOW)[0] == 3
    assert roster.session_counts(session, NOW)[1].absent == 2


def test_an_absence_the_admin_annotated_is_a_record_to_keep(ctx, org):
    """A closing absence with the admin's note (marked, same status) is the admin's record:
    a new audience leaving its person out is refused, not the note deleted."""
    session = make_session(NOW - timedelta(hours=3), department_ids=(org.section,))
    assert services.close_session(session, NOW)
    services.mark(user(org.admin), session, user(org.section_lead), "absent", "未请假", NOW)
    db.session.commit()
    fields = services.SessionFields(session.title, session.kind_id, session.starts_at,
                                    session.ends_at, audience_all=False,
                                    department_ids=[org.office], user_ids=[])
    with pytest.raises(ValidationFailed, match="科长丙（seclead）"):
        services.update_session(None, session, fields, now=NOW)
    db.session.rollback()
    assert db.session.scalar(select(Attendance.note).where(
        Attendance.session_id == session.id, Attendance.user_id == org.section_lead.id)) == "未请假"
