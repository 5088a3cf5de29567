"""Outreach events: validation, the draft → submitted → verified workflow and its locks, who
may do what, revisions of verified events, department scoping, the staff and admin pages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict, PermissionDenied, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law
from lawlearn.outreach import access, event_lists, history, services
from lawlearn.outreach.categories import add_category, ensure_categories, rename_category, set_category_active
from lawlearn.outreach.models import (
    SEVEN_INTO,
    Campaign,
    OutreachCategory,
    OutreachEvent,
    OutreachMaterial,
)
from lawlearn.outreach.services import EventFields, MaterialRow
from tests.conftest import csrf_from, post_with_csrf
from tests.races import twin_at, updates

START = datetime(2024, 12, 4, 1, 0)  # 09:00 in Shanghai


@dataclass
class People:
    unit: int
    section: int
    other: int
    author: object
    colleague: object
    lead: object
    unit_lead: object
    other_lead: object
    other_staff: object
    admin: object


def make_people(make_department, make_user, admin) -> People:
    """Two units: 区司法局 with its section 普法科, and 区教育局; staff and leads in each."""
    unit = make_department("区司法局")
    section = make_department("普法科", unit)
    other = make_department("区教育局")
    return People(
        unit=unit, section=section, other=other,
        author=make_user("author", name="登记人", department_id=section),
        colleague=make_user("colleague", name="同事", department_id=section),
        lead=make_user("lead", roles=("staff", "dept_lead"), name="科长", department_id=section),
        unit_lead=make_user("unitlead", roles=("staff", "dept_lead"), name="局长",
                            department_id=unit),
        other_lead=make_user("otherlead", roles=("staff", "dept_lead"), name="外局科长",
                             department_id=other),
        other_staff=make_user("otherstaff", name="外局职工", department_id=other),
        admin=admin,
    )


@pytest.fixture
def people(make_department, make_user, admin) -> People:
    return make_people(make_department, make_user, admin)


def user(ref) -> User:
    return db.session.get(User, ref.id)


def category_id(name: str = "进社区") -> int:
    return next(c.id for c in ensure_categories() if c.name == name)


def fields(**changes) -> EventFields:
    values = dict(title="宪法宣传周进社区", starts_at=START, ends_at=START + timedelta(hours=3),
                  category_id=category_id(), place="幸福社区广场", audiences=["residents"],
                  channel="onsite", participants=320, volunteers=12, consultations=45,
                  materials=[MaterialRow("leaflet", 3, 1200), MaterialRow("handbook", 1, 300)])
    values.update(changes)
    return EventFields(**values)


def draft(people: People, **changes) -> OutreachEvent:
    event = services.create_event(user(people.author), fields(**changes), utcnow())
    db.session.commit()
    return event


# --- categories -----------------------------------------------------------------------------


def test_seven_categories_are_created_once_and_stay_fixed(ctx, admin):
    actor = user(admin)
    assert [c.name for c in ensure_categories()] == SEVEN_INTO
    assert [c.name for c in ensure_categories()] == SEVEN_INTO  # no duplicates
    extra = add_category(actor, " 进宗教场所 ")
    assert extra.name == "进宗教场所" and not extra.seven_into
    assert [c.name for c in ensure_categories()][-1] == "进宗教场所"
    with pytest.raises(ValidationFailed, match="已有"):
        add_category(actor, "进社区")
    rename_category(actor, extra, "进家庭")
    set_category_active(actor, extra, False)
    assert not extra.active
    seven = next(c for c in ensure_categories() if c.name == "进机关")
    with pytest.raises(ValidationFailed, match="不能更名"):
        rename_category(actor, seven, "进党政机关")
    with pytest.raises(ValidationFailed, match="不能停用"):
        set_category_active(actor, seven, False)
    assert seven.active and seven.name == "进机关"


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": "  "}, "title", "请填写活动名称"),
    ({"ends_at": START - timedelta(minutes=1)}, "ends_at", "结束时间不能早于开始时间"),
    ({"participants": -1}, "participants", "参与人次不能为负数"),
    ({"volunteers": -5}, "volunteers", "志愿者人数不能为负数"),
    ({"consultations": 2.5}, "consultations", "须填写整数"),
    ({"online_views": None}, "online_views", "须填写整数"),
    ({"participants": True}, "participants", "须填写整数"),
    ({"participants": 10**12}, "participants", "数字过大"),
    ({"materials": [MaterialRow("", 1, 100)]}, "materials", "第 1 行：请选择资料类型"),
    ({"materials": [MaterialRow("leaflet", 1, 10), MaterialRow("poster", 1, 10)]}, "materials",
     "第 2 行：请选择资料类型"),
    ({"materials": [MaterialRow("leaflet", 0, 100)]}, "materials", "种数须为不小于 1 的整数"),
    ({"materials": [MaterialRow("leaflet", None, 100)]}, "materials", "种数须为不小于 1"),
    ({"materials": [MaterialRow("banner", 1, 0)]}, "materials", "数量须为不小于 1 的整数"),
    ({"materials": [MaterialRow("banner", 1, None)]}, "materials", "数量须为不小于 1"),
    ({"audiences": ["aliens"]}, "audiences", "未知的宣传对象"),
    ({"channel": "radio"}, "channel", "请选择宣传渠道"),
    ({"category_id": None}, "category_id", "请选择活动类别"),
    ({"law_ids": [987654]}, "law_ids", "不在法规库中"),
    ({"campaign_id": 987654}, "campaign_id", "主题宣传不存在"),
])
def test_invalid_fields_are_refused_with_the_field_named(ctx, people, changes, field, message):
    before = db.session.scalar(select(func.count()).select_from(OutreachEvent))
    with pytest.raises(ValidationFailed, match=message) as refused:
        services.create_event(user(people.author), fields(**changes), utcnow())
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutreachEvent)) == before


def test_volunteers_may_exceed_participants_and_zero_counts_pass(ctx, people):
    event = services.create_event(user(people.author), fields(
        participants=0, volunteers=8, consultations=0, online_views=0, materials=[]), utcnow())
    assert event.volunteers == 8 and event.materials == []


def test_a_valid_event_keeps_laws_audiences_materials_and_the_staff_department(ctx, people):
    constitution = Law(title="中华人民共和国宪法")
    civil = Law(title="中华人民共和国民法典")
    campaign = Campaign(title="2024年宪法宣传周", starts_on=START.date(),
                        ends_on=START.date() + timedelta(days=6))
    db.session.add_all([constitution, civil, campaign])
    db.session.flush()
    event = services.create_event(user(people.author), fields(
        law_ids=[civil.id, constitution.id, civil.id], other_laws="《反电信网络诈骗法》",
        audiences=["students", "residents", "residents"], campaign_id=campaign.id,
        department_id=people.other), utcnow())
    db.session.commit()
    assert event.status == "draft" and event.created_by_id == people.author.id
    assert event.department_id == people.section  # staff record for their own department
    assert {law.title for law in event.laws} == {"中华人民共和国宪法", "中华人民共和国民法典"}
    assert event.audiences == ["residents", "students"]
    assert [(m.kind, m.kinds, m.copies) for m in event.materials] == [
        ("leaflet", 3, 1200), ("handbook", 1, 300)]
    assert event.campaign.title == "2024年宪法宣传周"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outreach.event.create"))
    assert entry.target_id == event.id


def test_staff_without_a_department_cannot_record(ctx, make_user):
    loose = make_user("loose")
    with pytest.raises(ValidationFailed, match="所属部门"):
        services.create_event(user(loose), fields(), utcnow())


def test_a_deactivated_category_is_refused_for_new_events_but_kept_by_old_ones(ctx, people):
    actor = user(people.admin)
    extra = add_category(actor, "进家庭")
    event = draft(people, category_id=extra.id)
    set_category_active(actor, extra, False)
    with pytest.raises(ValidationFailed, match="已停用"):
        services.create_event(user(people.author), fields(category_id=extra.id), utcnow())
    db.session.rollback()
    assert services.update_event(user(people.author), event, fields(
        category_id=extra.id, participants=400), utcnow()) == ["participants"]


# --- workflow, locks and who may do what ----------------------------------------------------


def test_an_event_is_reported_and_verified_only_once_it_is_over(ctx, people):
    """A future event in the ledger would count in its totals and exports before it took
    place (while the year's report, which runs to today, left it out); one under way has
    no final figures yet, and verifying it closed its stall quiz at the booth."""
    start = utcnow().replace(microsecond=0) + timedelta(days=20)
    event = draft(people, starts_at=start, ends_at=start + timedelta(hours=2))
    lead, admin = user(people.lead), user(people.admin)
    for now in (utcnow(), start + timedelta(hours=1)):  # before it, and under way
        with pytest.raises(Conflict, match="活动尚未结束") as refused:
            services.submit_event(lead, event, now)
        assert refused.value.code == "not_over" and event.status == "draft"
    assert "请先把结束时间改为实际时间" in refused.value.message
    services.submit_event(lead, event, start + timedelta(hours=2))  # once it is over
    with pytest.raises(Conflict, match="结束后才能提交或审核"):
        services.verify_event(admin, event, start + timedelta(hours=1, minutes=59))
    assert event.status == "submitted"
    services.verify_event(admin, event, start + timedelta(days=1))
    assert event.status == "verified"


def test_an_event_that_reached_nobody_is_not_reported(ctx, people):
    """A draft with no figures at all (0 participants, no views) went up the ledger."""
    lead = user(people.lead)
    empty = draft(people, participants=0, volunteers=0, consultations=0)
    with pytest.raises(Conflict, match="还没有填写参与人次") as refused:
        services.submit_event(lead, empty, utcnow())
    assert refused.value.code == "no_figures" and empty.status == "draft"
    online = draft(people, channel="wechat", participants=0, online_views=1500)
    services.submit_event(lead, online, utcnow())  # a push reaches by its views
    assert online.status == "submitted"


def test_the_home_page_tells_the_lead_and_the_admin_what_waits_on_them(app, people):
    """A draft done and waiting for its lead to submit told nobody."""
    with app.app_context():
        over = draft(people)  # held in 2024
        start = utcnow() + timedelta(days=3)
        draft(people, starts_at=start, ends_at=start + timedelta(hours=2))  # not over: not yet
        event_id = over.id
    lead, admin, author = app.test_client(), app.test_client(), app.test_client()
    for client, ref in ((lead, people.lead), (admin, people.admin), (author, people.author)):
        log_in(client, ref)
    waiting = '<a href="/outreach/?status=draft">普法活动待提交审核 1 场</a>'
    assert waiting in lead.get("/").get_data(as_text=True)
    assert "普法活动待" not in author.get("/").get_data(as_text=True)
    assert "普法活动待审核" not in admin.get("/").get_data(as_text=True)
    with app.app_context():
        services.submit_event(user(people.lead), db.session.get(OutreachEvent, event_id),
                              utcnow())
        db.session.commit()
    assert "普法活动待提交审核" not in lead.get("/").get_data(as_text=True)
    # A leader who also leads another department sees every event (two drafts over here),
    # but has only their own department's to submit.
    from lawlearn.outreach.event_lists import waiting_counts

    with app.app_context():
        draft(people)  # the author's department again
        leader = db.session.get(User, people.other_lead.id)
        theirs = draft(people)
        theirs.department_id = leader.department_id
        leader.roles = leader.roles | {"leader"}
        db.session.flush()
        assert access.sees_all_events(leader)
        assert waiting_counts(leader, utcnow()) == {"outreach_submit": 1}
        db.session.rollback()
    assert '<a href="/admin/outreach/events?status=submitted">普法活动待审核 1 场</a>' in \
        admin.get("/").get_data(as_text=True)


def test_the_workflow_and_its_locks(ctx, people):
    event = draft(people)
    author, colleague, lead = user(people.author), user(people.colleague), user(people.lead)
    admin, other_lead = user(people.admin), user(people.other_lead)

    # While a draft: the author and the department's lead edit; others do not.
    assert services.update_event(author, event, fields(participants=350), utcnow()) == [
        "participants"]
    assert services.update_event(lead, event, fields(participants=360), utcnow())
    for outsider in (colleague, other_lead, user(people.other_staff)):
        with pytest.raises(PermissionDenied):
            services.update_event(outsider, event, fields(participants=1), utcnow())
    assert event.participants == 360

    # Only the department's lead (or an admin) submits.
    for refused in (author, colleague, other_lead):
        with pytest.raises(PermissionDenied):
            services.submit_event(refused, event, utcnow())
    services.submit_event(lead, event, utcnow())
    assert event.status == "submitted" and event.submitted_by_id == lead.id

    # Submitted: locked for the department.
    for locked_out in (author, lead):
        with pytest.raises(Conflict, match="已提交"):
            services.update_event(locked_out, event, fields(participants=1), utcnow())
    with pytest.raises(Conflict):
        services.delete_event(author, event)
    with pytest.raises(Conflict):
        services.submit_event(lead, event, utcnow())

    # Only an admin verifies, and only a submitted event.
    with pytest.raises(PermissionDenied):
        services.verify_event(lead, event, utcnow())
    services.verify_event(admin, event, utcnow())
    assert event.status == "verified" and event.verified_by_id == admin.id
    with pytest.raises(Conflict):
        services.verify_event(admin, event, utcnow())
    for locked_out in (author, lead):
        with pytest.raises(Conflict, match="已审核"):
            services.update_event(locked_out, event, fields(participants=1), utcnow())
    with pytest.raises(Conflict):
        services.return_event(admin, event, "请补充照片", utcnow())
    assert event.participants == 360


def test_a_unit_lead_leads_its_sections_but_not_other_units(ctx, people):
    event = draft(people)
    assert access.can_edit_event(user(people.unit_lead), event)
    assert not access.can_edit_event(user(people.other_lead), event)
    with pytest.raises(PermissionDenied):
        services.submit_event(user(people.other_lead), event, utcnow())
    services.submit_event(user(people.unit_lead), event, utcnow())
    assert event.status == "submitted"


def test_return_to_draft_needs_a_comment_which_the_department_sees(ctx, people):
    event = draft(people)
    admin = user(people.admin)
    services.submit_event(user(people.lead), event, utcnow())
    with pytest.raises(PermissionDenied):
        services.return_event(user(people.lead), event, "自己退回", utcnow())
    with pytest.raises(ValidationFailed, match="退回原因"):
        services.return_event(admin, event, "  ", utcnow())
    services.return_event(admin, event, "请补充发放资料的份数", utcnow())
    assert event.status == "draft" and event.submitted_at is None
    assert history.last_return(event).details["comment"] == "请补充发放资料的份数"
    # A draft again: the author may edit and the lead may submit again.
    services.update_event(user(people.author), event, fields(participants=1), utcnow())
    services.submit_event(user(people.lead), event, utcnow())
    assert history.last_return(event) is None


def test_an_admin_change_to_a_verified_event_is_an_audited_revision(ctx, people):
    event = draft(people)
    admin = user(people.admin)
    services.submit_event(user(people.lead), event, utcnow())
    services.verify_event(admin, event, utcnow())
    db.session.commit()
    changed = services.update_event(admin, event, fields(
        participants=450, materials=[MaterialRow("leaflet", 3, 1500)]), utcnow())
    assert changed == ["participants", "materials"]
    assert event.status == "verified"
    assert services.update_event(admin, event, fields(
        participants=450, materials=[MaterialRow("leaflet", 3, 1500)]), utcnow()) == []
    services.update_event(admin, event, fields(participants=460, materials=[
        MaterialRow("leaflet", 3, 1500)]), utcnow())
    db.session.commit()
    revisions = list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "outreach.event.revise").order_by(AuditEntry.id)))
    assert len(revisions) == 2
    first = revisions[0]
    assert first.target_id == event.id and first.actor_id == admin.id
    assert first.details["revision"] == 1 and revisions[1].details["revision"] == 2
    assert first.details["changed"] == ["participants", "materials"]
    assert first.details["before"]["participants"] == 320
    assert first.details["after"]["participants"] == 450
    assert first.details["before"]["materials"][1] == {"kind": "handbook", "kinds": 1,
                                                       "copies": 300, "note": ""}
    assert first.details["after"]["materials"] == [{"kind": "leaflet", "kinds": 3,
                                                    "copies": 1500, "note": ""}]
    assert first.details["before"]["title"] == first.details["after"]["title"]  # full dicts
    assert "第 1 次修订" in first.summary and "参与人次：320 → 450" in first.summary
    assert "宣传单 3 种 1,200 份" in first.summary
    assert db.session.scalar(select(func.count()).select_from(OutreachMaterial)) == 1


def test_deleting_drafts_only_by_author_lead_or_admin(ctx, people):
    first, second = draft(people), draft(people, title="第二场")
    with pytest.raises(PermissionDenied):
        services.delete_event(user(people.colleague), first)
    with pytest.raises(PermissionDenied):
        services.delete_event(user(people.other_lead), first)
    services.delete_event(user(people.author), first)
    services.submit_event(user(people.lead), second, utcnow())
    with pytest.raises(Conflict, match="只有草稿"):
        services.delete_event(user(people.admin), second)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutreachEvent)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutreachMaterial)) == 2


# --- lists ----------------------------------------------------------------------------------


def test_each_person_sees_their_department_only(ctx, people):
    ours = draft(people, title="普法科活动")
    theirs = services.create_event(user(people.other_staff), fields(title="教育局活动"), utcnow())
    unit_event = services.create_event(user(people.unit_lead), fields(title="局机关活动"),
                                       utcnow())
    db.session.commit()

    def titles(ref, **filters) -> set[str]:
        query = event_lists.events_query(user(ref), event_lists.EventFilters(**filters))
        return {e.title for e in db.session.scalars(query)}

    assert titles(people.author) == {"普法科活动"}
    assert titles(people.lead) == {"普法科活动"}
    assert titles(people.unit_lead) == {"普法科活动", "局机关活动"}
    assert titles(people.other_staff) == {"教育局活动"}
    assert titles(people.admin) == {"普法科活动", "教育局活动", "局机关活动"}
    assert titles(people.admin, department_id=people.unit) == {"普法科活动", "局机关活动"}
    assert titles(people.admin, department_id=people.other) == {"教育局活动"}
    assert not access.can_view_event(user(people.other_staff), ours)
    assert access.can_view_event(user(people.unit_lead), ours)
    assert not access.can_view_event(user(people.author), unit_event)
    assert not access.can_view_event(user(people.author), theirs)
    services.submit_event(user(people.lead), ours, utcnow())
    assert titles(people.admin, status="submitted") == {"普法科活动"}
    assert titles(people.admin, q="教育") == {"教育局活动"}
    assert titles(people.admin, starts_from=START + timedelta(days=1)) == set()
    assert titles(people.admin, category_id=category_id("进学校")) == set()


# --- pages ----------------------------------------------------------------------------------


def form_data(category: int, **changes) -> dict:
    data = {"title": "宪法进校园", "starts_at": "2024-12-04T09:00", "ends_at": "2024-12-04T11:30",
            "place": "实验小学", "category_id": str(category), "campaign_id": "",
            "partner_units": "区教育局", "other_laws": "《未成年人保护法》",
            "audiences": ["students"], "channel": "onsite", "participants": "600",
            "volunteers": "10", "consultations": "35", "online_views": "0",
            "materials-0-kind": "leaflet", "materials-0-kinds": "2", "materials-0-copies": "800",
            "materials-0-note": "宪法知识折页", "materials-1-kind": "", "materials-1-kinds": "",
            "materials-1-copies": "", "materials-2-kind": "board", "materials-2-kinds": "1",
            "materials-2-copies": "6", "summary": "以案释法，现场答疑。", "follow_up": ""}
    data.update(changes)
    return data


def categories_ready(app) -> int:
    with app.app_context():
        school = category_id("进学校")
        db.session.commit()
        return school


def test_control_characters_pasted_into_an_event_leave_its_summary_writable(app, client, login,
                                                                             people):
    """A paste from Word brings \\x0b (its manual line break) and \\x07 (a cell mark); XML
    cannot hold them, and one in an event's title made every DOCX summary of its period a
    500. They are cleaned where the form is read: the break as a line break, the rest gone."""
    import io

    import docx

    school = categories_ready(app)
    login(people.author)
    page = client.get("/outreach/events/new")
    created = client.post("/outreach/events/new", data={
        **form_data(school, title="宪法进校园\x01", summary="以案释法\x0b现场答疑\x07。"),
        "csrf_token": csrf_from(page)})
    assert created.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(OutreachEvent))
        assert (event.title, event.summary) == ("宪法进校园", "以案释法\n现场答疑。")
        event.status = "verified"
        db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me"))})
    login(people.admin)
    summary = client.get("/admin/outreach/ledger.docx?from=2024-12-01&to=2024-12-07")
    assert summary.status_code == 200
    text = "".join(cell.text for table in docx.Document(io.BytesIO(summary.data)).tables
                   for row in table.rows for cell in row.cells)
    assert "宪法进校园" in text

    # What reached the database before forms were cleaned (or by another way): the DOCX
    # writers make it text XML can hold.
    with app.app_context():
        event = db.session.scalar(select(OutreachEvent))
        event.title, event.place = "宪法\x0b进校园\x07", "实验\x01小学"
        event.department.name = "普法\x1f科"
        db.session.commit()
    summary = client.get("/admin/outreach/ledger.docx?from=2024-12-01&to=2024-12-07")
    assert summary.status_code == 200
    text = "".join(cell.text for table in docx.Document(io.BytesIO(summary.data)).tables
                   for row in table.rows for cell in row.cells)
    assert "宪法 进校园" in text and "实验小学" in text
    report = client.get("/reports/export?from=2024-01-01&to=2024-12-31&format=docx")
    assert report.status_code == 200 and "普法科" in "".join(
        cell.text for table in docx.Document(io.BytesIO(report.data)).tables
        for row in table.rows for cell in row.cells)


@pytest.mark.parametrize("starts_at, ends_at", [
    ("0001-01-01T05:00", "0001-01-01T06:00"),  # moved to UTC: before year 1 (was a 500)
    ("9999-12-31T09:00", "9999-12-31T10:00"),  # a typo straight into the office's ledger
    ("1900-01-01T09:00", "1900-01-01T10:00"),
])
def test_an_event_dated_decades_away_is_a_form_error(app, client, login, people, starts_at,
                                                     ends_at):
    school = categories_ready(app)
    login(people.author)
    page = client.get("/outreach/events/new")
    response = client.post("/outreach/events/new", data={
        **form_data(school, starts_at=starts_at, ends_at=ends_at), "csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "日期须在" in html and "年之间" in html
    assert 'value="宪法进校园"' in html  # the rest of the form is kept
    with app.app_context():
        assert db.session.scalar(select(func.count(OutreachEvent.id))) == 0


def test_a_material_row_without_its_kinds_is_one_kind(app, client, login, people):
    """Every stall's 横幅 row was refused for a blank 种数, a figure never counted for
    banners (only what is handed out is)."""
    school = categories_ready(app)
    login(people.author)
    page = client.get("/outreach/events/new")
    created = client.post("/outreach/events/new", data={
        **form_data(school, **{"materials-1-kind": "banner", "materials-1-kinds": "",
                               "materials-1-copies": "2"}), "csrf_token": csrf_from(page)})
    assert created.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(OutreachEvent))
        banner = next(m for m in event.materials if m.kind == "banner")
        assert (banner.kinds, banner.copies) == (1, 2)
        assert event.handed_out == (2, 800)  # the leaflets alone, as before


def test_an_event_without_a_title_or_times_names_each_field(app, client, login, people):
    school = categories_ready(app)
    login(people.author)
    page = client.get("/outreach/events/new")
    response = client.post("/outreach/events/new", data={
        **form_data(school), "title": "", "starts_at": "", "ends_at": "",
        "csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请填写活动名称。" in html and "请填写开始时间。" in html and "请填写结束时间。" in html
    assert "该字段是必填字段" not in html


def test_staff_record_an_event_through_the_form(app, client, login, people):
    school = categories_ready(app)
    login(people.author)
    page = client.get("/outreach/events/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "发放宣传资料" in html and 'name="materials-4-kind"' in html
    response = client.post("/outreach/events/new", data={**form_data(school),
                                                         "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(OutreachEvent))
        assert event.department_id == people.section and event.status == "draft"
        assert event.starts_at == datetime(2024, 12, 4, 1, 0)  # 09:00 Shanghai in UTC
        assert [(m.kind, m.kinds, m.copies, m.note) for m in event.materials] == [
            ("leaflet", 2, 800, "宪法知识折页"), ("board", 1, 6, "")]
        assert event.audiences == ["students"] and event.participants == 600
        event_id = event.id
    shown = client.get(f"/outreach/events/{event_id}").get_data(as_text=True)
    assert "宪法进校园" in shown and "草稿" in shown and "宣传单 2 种 800 份" in shown
    assert 'capture="environment"' in shown and 'accept="image/*"' in shown
    listing = client.get("/outreach/").get_data(as_text=True)
    assert "宪法进校园" in listing and "草稿" in listing


@pytest.mark.parametrize(("changes", "message"), [
    ({"participants": "-3"}, "须为 0 或正整数"),
    ({"participants": "999999999999"}, "数字过大，请核对。"),
    ({"participants": "12.5"}, "请填写整数。"),
    ({"volunteers": "很多"}, "请填写整数。"),
    ({"materials-1-kind": "banner", "materials-1-kinds": "1", "materials-1-copies": ""},
     "宣传资料第 2 行：数量须为不小于 1 的整数"),
    ({"materials-1-kind": "", "materials-1-kinds": "2", "materials-1-copies": "50"},
     "宣传资料第 2 行：请选择资料类型"),
    ({"materials-0-kinds": "0"}, "宣传资料第 1 行：种数须为不小于 1 的整数"),
    # The third row, after a blank second one: counted as the form shows it.
    ({"materials-2-copies": ""}, "宣传资料第 3 行：数量须为不小于 1 的整数"),
    ({"ends_at": "2024-12-04T08:00"}, "结束时间不能早于开始时间"),
    ({"title": ""}, "请填写活动名称。"),
])
def test_a_refused_form_is_shown_again_with_errors_and_changes_nothing(
        app, client, login, people, changes, message):
    school = categories_ready(app)
    login(people.author)
    page = client.get("/outreach/events/new")
    response = client.post("/outreach/events/new", data={**form_data(school, **changes),
                                                         "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="error' in html
    # One message for one problem (a decimal also drew both range messages).
    assert html.count("数字过大") + html.count("须为 0 或正整数") + html.count("请填写整数。") == 1 \
        or "participants" not in "".join(changes)
    assert 'value="实验小学"' in html  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutreachEvent)) == 0


def test_a_new_event_during_a_campaign_is_the_campaigns_unless_changed(app, client, login,
                                                                       people):
    """Logged on 1 December with （无） preselected, an event was missing from the week's
    progress; with two campaigns running at once, the form does not guess."""
    from lxml import html as lxml_html

    from lawlearn.localtime import local_day
    from lawlearn.outreach.models import Campaign

    def chosen() -> list[str]:
        page = lxml_html.fromstring(client.get("/outreach/events/new").get_data(as_text=True))
        return page.xpath('//select[@name="campaign_id"]/option[@selected]/text()')

    with app.app_context():
        today = local_day(utcnow())
        db.session.add_all([
            Campaign(title="本年宪法宣传周", starts_on=today - timedelta(days=1),
                     ends_on=today + timedelta(days=5), targets={}),
            Campaign(title="上月民法典宣传月", starts_on=today - timedelta(days=60),
                     ends_on=today - timedelta(days=30), targets={})])
        db.session.commit()
    login(people.author)
    assert chosen() == ["本年宪法宣传周"]
    with app.app_context():
        db.session.add(Campaign(title="同时进行的专项宣传", starts_on=today,
                                ends_on=today + timedelta(days=1), targets={}))
        db.session.commit()
    assert chosen() in ([], ["（无）"])


def test_a_refused_edit_changes_nothing(app, client, login, people):
    school = categories_ready(app)
    with app.app_context():
        event_id = draft(people).id
    login(people.author)
    url = f"/outreach/events/{event_id}/edit"
    page = client.get(url)
    assert 'value="幸福社区广场"' in page.get_data(as_text=True)
    response = client.post(url, data={**form_data(school, participants="-1", title="改名"),
                                      "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    with app.app_context():
        event = db.session.get(OutreachEvent, event_id)
        assert event.title == "宪法宣传周进社区" and event.participants == 320
        assert len(event.materials) == 2
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "outreach.event.update")) == 0


def test_a_save_from_a_page_opened_before_anothers_save_is_stopped(app, client, login, people):
    """Two tabs (or the author and the lead) open the same draft; the second save would put
    the page's old figures back over the first one's, silently."""
    from lxml import html as lxml_html

    school = categories_ready(app)
    with app.app_context():
        event_id = draft(people).id  # 参与人次 320
    login(people.author)
    url = f"/outreach/events/{event_id}/edit"

    def opened() -> dict:
        page = lxml_html.fromstring(client.get(url).get_data(as_text=True))
        return {"csrf_token": page.xpath('string(//input[@name="csrf_token"]/@value)'),
                "seen": page.xpath('string(//input[@name="seen"]/@value)')}

    tab_a, tab_b = opened(), opened()
    assert '"participants":320' in tab_b["seen"]
    assert client.post(url, data={**form_data(school, participants="200"), **tab_a}
                       ).status_code == 302
    stale = client.post(url, data={**form_data(school, participants="320",
                                               summary="补充活动概况。"), **tab_b})
    assert stale.status_code == 422
    text = stale.get_data(as_text=True)
    assert "你打开本页后，这条活动已被修改：" in text and "参与人次：320 → 200" in text
    assert "本次未保存" in text
    with app.app_context():
        event = db.session.get(OutreachEvent, event_id)
        assert (event.participants, event.summary) == (200, "以案释法，现场答疑。")
    # Told once: the page now carries what is saved; the author keeps 200 and saves.
    again = lxml_html.fromstring(text).xpath('string(//input[@name="seen"]/@value)')
    assert '"participants":200' in again
    assert client.post(url, data={**form_data(school, participants="200",
                                              summary="补充活动概况。"), **tab_b,
                                  "seen": again}).status_code == 302
    # A snapshot altered on its way back (values of another shape) is named by its fields.
    import json

    altered = json.loads(again)
    altered.update(starts_at="x", summary=7, participants=1)
    tampered = client.post(url, data={**form_data(school, participants="200"), **tab_b,
                                      "seen": json.dumps(altered)})
    assert tampered.status_code == 422 and "这条活动已被修改：开始时间；" in \
        tampered.get_data(as_text=True)
    # A page from before the check (no ``seen``) still saves.
    assert client.post(url, data={**form_data(school, participants="210"),
                                  "csrf_token": tab_b["csrf_token"]}).status_code == 302
    with app.app_context():
        event = db.session.get(OutreachEvent, event_id)
        assert (event.participants, event.summary) == (210, "以案释法，现场答疑。")


def test_pages_follow_the_workflow(app, client, login, people):
    with app.app_context():
        event_id = draft(people).id
    login(people.author)
    page = client.get(f"/outreach/events/{event_id}")
    assert "提交审核</button>" not in page.get_data(as_text=True)  # only the lead submits
    client.post(f"/outreach/events/{event_id}/submit", data={"csrf_token": csrf_from(page)})
    with app.app_context():
        assert db.session.get(OutreachEvent, event_id).status == "draft"
    client.post("/logout", data={"csrf_token": csrf_from(page)})

    login(people.lead)
    page = client.get(f"/outreach/events/{event_id}")
    assert "提交审核</button>" in page.get_data(as_text=True)
    response = client.post(f"/outreach/events/{event_id}/submit",
                           data={"csrf_token": csrf_from(page)}, follow_redirects=True)
    assert "等待管理员审核" in response.get_data(as_text=True)
    edit = client.get(f"/outreach/events/{event_id}/edit", follow_redirects=True)
    assert "不能再修改" in edit.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OutreachEvent, event_id).status == "submitted"


def test_other_departments_cannot_see_an_event(app, client, login, people):
    with app.app_context():
        event_id = draft(people).id
    login(people.other_lead)
    assert client.get(f"/outreach/events/{event_id}").status_code == 404
    assert client.get(f"/outreach/events/{event_id}/edit").status_code == 404
    page = client.get("/outreach/")
    assert "宪法宣传周进社区" not in page.get_data(as_text=True)
    assert client.post(f"/outreach/events/{event_id}/submit",
                       data={"csrf_token": csrf_from(page)}).status_code == 404


def test_admin_pages_are_refused_to_staff_and_leads(app, client, login, people):
    with app.app_context():
        event_id = draft(people).id
    login(people.lead)
    token = csrf_from(client.get("/outreach/"))
    for url in ("/admin/outreach/events", "/admin/outreach/events/new",
                f"/admin/outreach/events/{event_id}", "/admin/outreach/categories"):
        assert client.get(url).status_code == 403, url
    for url in (f"/admin/outreach/events/{event_id}/verify",
                f"/admin/outreach/events/{event_id}/return", "/admin/outreach/categories"):
        assert client.post(url, data={"csrf_token": token, "comment": "x",
                                      "name": "x"}).status_code == 403, url
    with app.app_context():
        assert db.session.get(OutreachEvent, event_id).status == "draft"
        assert db.session.scalar(select(func.count()).select_from(OutreachCategory)) == 7


def test_admin_verifies_returns_and_revises(app, admin_client, people):
    school = categories_ready(app)
    with app.app_context():
        event = draft(people)
        services.submit_event(user(people.lead), event, utcnow())
        db.session.commit()
        event_id = event.id
    client = admin_client
    url = f"/admin/outreach/events/{event_id}"
    listing = client.get("/admin/outreach/events?status=submitted").get_data(as_text=True)
    assert "宪法宣传周进社区" in listing
    # The list's button asks first, as the event page's does: verifying locks the event.
    assert 'data-confirm="审核通过《宪法宣传周进社区》后活动将锁定，确定吗？"' in listing
    assert "覆盖群众（人次）" in listing and "参与人次" not in listing  # participants + stall quiz
    response = post_with_csrf(client, url, f"{url}/return", {"comment": ""})
    with app.app_context():
        assert db.session.get(OutreachEvent, event_id).status == "submitted"
    post_with_csrf(client, url, f"{url}/verify")
    with app.app_context():
        assert db.session.get(OutreachEvent, event_id).status == "verified"
    page = client.get(url)
    assert "保存修订" in page.get_data(as_text=True)
    response = client.post(url, data={**form_data(school, participants="999",
                                                  department_id=str(people.section)),
                                      "csrf_token": csrf_from(page)})
    assert response.status_code == 302
    with app.app_context():
        event = db.session.get(OutreachEvent, event_id)
        assert event.status == "verified" and event.participants == 999
        revision = db.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "outreach.event.revise"))
        assert revision.details["before"]["participants"] == 320
        assert revision.details["after"]["participants"] == 999
        assert revision.details["after"]["title"] == "宪法进校园"
    history = client.get(url).get_data(as_text=True)
    assert "修订已审核的普法活动" in history and "参与人次：320 → 999" in history


def test_admin_returns_a_submitted_event_with_a_comment(app, admin_client, people):
    with app.app_context():
        event = draft(people)
        services.submit_event(user(people.lead), event, utcnow())
        db.session.commit()
        event_id = event.id
    url = f"/admin/outreach/events/{event_id}"
    post_with_csrf(admin_client, url, f"{url}/return", {"comment": "请补充活动照片"})
    with app.app_context():
        assert db.session.get(OutreachEvent, event_id).status == "draft"
    page = admin_client.get(f"/outreach/events/{event_id}").get_data(as_text=True)
    assert "请补充活动照片" in page and "管理员已退回" in page


def test_admin_manages_categories(app, admin_client):
    page = admin_client.get("/admin/outreach/categories")
    assert page.status_code == 200 and "进军营" in page.get_data(as_text=True)
    post_with_csrf(admin_client, "/admin/outreach/categories", "/admin/outreach/categories",
                   {"name": "进宗教场所"})
    refused = post_with_csrf(admin_client, "/admin/outreach/categories",
                             "/admin/outreach/categories", {"name": "进社区"})
    assert refused.status_code == 422 and "已有名为" in refused.get_data(as_text=True)
    with app.app_context():
        extra = db.session.scalar(select(OutreachCategory).filter_by(name="进宗教场所"))
        seven = db.session.scalar(select(OutreachCategory).filter_by(name="进军营"))
        extra_id, seven_id = extra.id, seven.id
    post_with_csrf(admin_client, "/admin/outreach/categories",
                   f"/admin/outreach/categories/{extra_id}/rename", {"name": "进家庭"})
    post_with_csrf(admin_client, "/admin/outreach/categories",
                   f"/admin/outreach/categories/{extra_id}/toggle")
    post_with_csrf(admin_client, "/admin/outreach/categories",
                   f"/admin/outreach/categories/{seven_id}/toggle")
    with app.app_context():
        assert db.session.get(OutreachCategory, extra_id).name == "进家庭"
        assert not db.session.get(OutreachCategory, extra_id).active
        assert db.session.get(OutreachCategory, seven_id).active


def test_deleting_a_draft_asks_first(app, client, login, people):
    with app.app_context():
        event_id = draft(people).id
    login(people.author)
    confirm = client.get(f"/outreach/events/{event_id}/delete")
    assert confirm.status_code == 200 and "确定删除" in confirm.get_data(as_text=True)
    assert "有奖问答" not in confirm.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OutreachEvent, event_id) is not None
        db.session.get(OutreachEvent, event_id).quiz_completions = 12
        db.session.commit()
    confirm = client.get(f"/outreach/events/{event_id}/delete")  # the stall's answers go too
    assert "有奖问答的 12 份答卷（含群众留下的手机号）也将一并删除。" in confirm.get_data(as_text=True)
    client.post(f"/outreach/events/{event_id}/delete", data={"csrf_token": csrf_from(confirm)})
    with app.app_context():
        assert db.session.get(OutreachEvent, event_id) is None


def log_in(client, ref) -> None:
    token = csrf_from(client.get("/login"))
    client.post("/login", data={"username": ref.username, "password": ref.password,
                                "csrf_token": token})


def test_lists_load_in_a_constant_number_of_queries(app, people, count_queries):
    lead_client, admin_client = app.test_client(), app.test_client()
    log_in(lead_client, people.lead)
    log_in(admin_client, people.admin)
    with app.app_context():
        draft(people, title="第一场")
        campaign = Campaign(title="宪法宣传周", starts_on=START.date(), ends_on=START.date())
        db.session.add(campaign)
        db.session.commit()
        campaign_id = campaign.id
    filtered = f"/admin/outreach/events?campaign_id={campaign_id}&from=2024-12-01&to=2024-12-07"

    def measure() -> tuple[int, int, int]:
        with app.app_context():
            return (count_queries(lambda: lead_client.get("/outreach/")),
                    count_queries(lambda: admin_client.get("/admin/outreach/events")),
                    count_queries(lambda: admin_client.get(filtered)))

    few = measure()
    with app.app_context():
        for number in range(6):
            creator = people.author if number % 2 else people.lead
            services.create_event(user(creator), fields(title=f"活动{number}",
                                                        campaign_id=campaign_id), utcnow())
        db.session.commit()
    assert measure() == few
    listing = admin_client.get(filtered).get_data(as_text=True)
    assert all(f"活动{number}" in listing for number in range(6)) and "第一场" not in listing


def test_an_event_outside_its_campaigns_period_is_refused(ctx, people):
    from datetime import date

    from lawlearn.outreach.campaigns import CampaignFields, create_campaign

    week = create_campaign(user(people.admin), CampaignFields(
        title="2026年宪法宣传周", starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 7),
        description="", targets={}), utcnow())
    db.session.commit()
    # 23:30 on 30 November in Shanghai is still outside the week; 00:30 on 1 December is in.
    with pytest.raises(ValidationFailed) as refused:
        services.create_event(user(people.author), fields(
            campaign_id=week.id, starts_at=datetime(2026, 11, 30, 15, 30),
            ends_at=datetime(2026, 11, 30, 15, 50)), utcnow())
    assert refused.value.field == "campaign_id"
    assert refused.value.message == \
        "活动日期不在《2026年宪法宣传周》期间（2026年12月1日至2026年12月7日）内。"
    db.session.rollback()
    event = services.create_event(user(people.author), fields(
        campaign_id=week.id, starts_at=datetime(2026, 11, 30, 16, 30),
        ends_at=datetime(2026, 11, 30, 18, 0)), utcnow())
    assert event.campaign_id == week.id


def test_a_returned_draft_tells_its_author_and_shows_in_the_list(app, client, login, people):
    from lawlearn.plans.models import Notice

    with app.app_context():
        event = draft(people, title="退回的活动")
        draft(people, title="普通草稿")
        services.submit_event(user(people.lead), event, utcnow())
        services.return_event(user(people.admin), event, "请补充照片", utcnow())
        db.session.commit()
        event_id = event.id
        notices = db.session.scalars(select(Notice)).all()
        assert {(n.user_id, n.link) for n in notices} == {
            (people.author.id, f"/outreach/events/{event_id}"),
            (people.lead.id, f"/outreach/events/{event_id}")}
        assert all("请补充照片" in n.body and "退回的活动" in n.title for n in notices)
    login(people.author)
    html = client.get("/outreach/").get_data(as_text=True)
    assert html.count("已退回") == 1


def test_without_a_dept_lead_the_departments_staff_submit(app, client, login, make_department,
                                                          make_user):
    unit = make_department("区档案馆")
    section = make_department("档案科", unit)
    author = make_user("archivist", department_id=section)
    colleague = make_user("archivist2", department_id=section)
    stranger = make_user("stranger", department_id=unit)
    with app.app_context():
        event = services.create_event(user(author), fields(department_id=section), utcnow())
        db.session.commit()
        event_id = event.id
        assert access.can_submit_event(user(colleague), event)
        assert not access.can_submit_event(user(stranger), event)
    login(author)
    page = client.get(f"/outreach/events/{event_id}").get_data(as_text=True)
    assert "本部门没有负责人" in page and "提交审核" in page
    with app.app_context():
        services.submit_event(user(author), db.session.get(OutreachEvent, event_id), utcnow())
        db.session.commit()
        make_user("archivelead", roles=("staff", "dept_lead"), department_id=unit)
        other = services.create_event(user(author), fields(department_id=section), utcnow())
        assert not access.can_submit_event(user(author), other)


def test_a_double_click_on_return_notifies_and_audits_once(app, people):
    """The second click has checked the status when the first one returns the event and
    commits: the second is refused, so the author and the lead get one notice each."""
    from lawlearn.plans.models import Notice

    with app.app_context():
        submitted = draft(people)
        services.submit_event(user(people.lead), submitted, utcnow())
        db.session.commit()
        event_id = submitted.id

    def return_it() -> None:
        services.return_event(user(people.admin), db.session.get(OutreachEvent, event_id),
                              "请补充照片", utcnow())

    with app.app_context():
        with twin_at(app, return_it, before=updates("outreach_event")) as ran:
            with pytest.raises(Conflict, match="只有已提交的活动可以退回"):
                return_it()
        db.session.rollback()
        assert ran
        told = db.session.scalars(select(Notice.user_id)).all()
        assert sorted(told) == sorted({people.author.id, people.lead.id})  # once each
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "outreach.event.return")) == 1


@pytest.mark.parametrize("starts_in", [timedelta(days=20), timedelta(hours=-1)],
                         ids=["future", "under-way"])
def test_an_event_not_over_offers_no_submit_button(app, admin_client, people, starts_in):
    with app.app_context():
        start = utcnow().replace(microsecond=0) + starts_in
        event_id = draft(people, starts_at=start, ends_at=start + timedelta(hours=2)).id
    lead = app.test_client()
    log_in(lead, people.lead)
    page = lead.get(f"/outreach/events/{event_id}").get_data(as_text=True)
    assert "提交审核</button>" not in page and "活动结束后（" in page
    assert "才能提交审核：台账登记活动的最终数字。如已提前结束，请先修改结束时间。" in page
    admin_page = admin_client.get(f"/admin/outreach/events/{event_id}").get_data(as_text=True)
    assert "代为提交</button>" not in admin_page and "才能提交或审核" in admin_page


def test_an_admin_deletes_a_draft_from_the_admin_page_and_returns_to_the_admin_list(
        app, client, login, people):
    categories_ready(app)
    with app.app_context():
        event_id = draft(people).id
    login(people.admin)
    page = client.get(f"/admin/outreach/events/{event_id}").get_data(as_text=True)
    link = f"/outreach/events/{event_id}/delete?from=admin"
    assert f'href="{link}">删除草稿</a>' in page
    confirm = client.get(link)
    assert "确定删除" in confirm.get_data(as_text=True)
    done = client.post(link, data={"csrf_token": csrf_from(confirm)})
    assert done.status_code == 302 and done.location == "/admin/outreach/events"
    with app.app_context():
        assert db.session.get(OutreachEvent, event_id) is None
    # A submitted event offers no such link.
    with app.app_context():
        event = draft(people)
        services.submit_event(user(people.admin), event, utcnow())
        db.session.commit()
        submitted_id = event.id
    assert "删除草稿" not in client.get(
        f"/admin/outreach/events/{submitted_id}").get_data(as_text=True)


def test_the_staff_list_shows_the_reach_the_ledger_counts(app, client, login, people):
    """Participants plus stall-quiz completions, as the admin list and the ledger say."""
    categories_ready(app)
    with app.app_context():
        event = draft(people)
        event.quiz_completions = 5
        db.session.commit()
        event_id = event.id
    login(people.author)
    listing = client.get("/outreach/").get_data(as_text=True)
    assert "覆盖群众 325 人次" in listing and "参与 320 人次" not in listing
    assert "资料 1,500 份" in listing
    # The event's own page gives the same total, then what it adds up from.
    page = re.sub(r"\s+", " ", client.get(f"/outreach/events/{event_id}").get_data(as_text=True))
    assert "<dt>覆盖群众（人次）</dt><dd><strong>325</strong></dd>" in page
    assert "<dt>参与人次</dt><dd>320</dd>" in page and "<dt>有奖问答完成人次</dt><dd>5</dd>" in page


def test_every_problem_of_the_event_form_shows_at_once_with_a_summary(app, client, login,
                                                                      people):
    """The form's own checks and the service's rules together, each under its field and
    every material row, listed at the top with links: not one message per try."""
    school = categories_ready(app)
    login(people.author)
    page = client.get("/outreach/events/new")
    response = client.post("/outreach/events/new", data={
        **form_data(school, ends_at="2024-12-04T08:00", participants="-3",
                    **{"materials-1-kind": "", "materials-1-kinds": "2",
                       "materials-1-copies": "50", "materials-2-kind": "board",
                       "materials-2-kinds": "1", "materials-2-copies": "0"}),
        "csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("结束时间不能早于开始时间。", "须为 0 或正整数",
                    "宣传资料第 2 行：请选择资料类型。", "宣传资料第 3 行：数量须为不小于 1 的整数。"):
        assert message in html, message
    assert "请修改以下内容后再保存：" in html
    assert 'href="#ends_at"' in html and 'href="#participants"' in html
    assert "发放宣传资料（2 行）" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutreachEvent)) == 0
    # Only the form's own check failing (a bad number) still lists the service's rules.
    response = client.post("/outreach/events/new", data={
        **form_data(school, ends_at="2024-12-04T08:00", volunteers="很多"),
        "csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)
    assert "结束时间不能早于开始时间。" in html and "请填写整数。" in html


def test_the_admins_event_form_marks_the_department_required_and_starts_at_their_own(
        app, client, login, make_user, make_department):
    """Every event belongs to a department: the admin's form marks it as required (it had no
    *, and a new admin was bounced by it once) and a new event starts at their own."""
    from lxml import html as lxml_html

    section = make_department("法制科")
    admin_in_section = make_user("officer", roles=("admin", "staff"), name="管理员乙",
                                 department_id=section)
    login(admin_in_section)
    page = lxml_html.fromstring(client.get("/admin/outreach/events/new").get_data(as_text=True))
    assert page.xpath('string(//label[@for="department_id"])') == "组织部门 *"
    assert page.xpath('//select[@name="department_id"]/option[@selected]/@value') == [str(section)]


def test_a_leader_reads_the_ledger_and_adds_nothing_to_it(app, client, login, people,
                                                          make_user):
    """The office's head (leader, with the staff role to study) in a department without a
    lead could record an event and submit it: its figures went into the upward report with
    no admin's review, while the ledger told them 只读."""
    from lawlearn.accounts.departments import create_department

    with app.app_context():
        no_lead = create_department(None, "秘书科", None).id
        db.session.commit()
    head = make_user("zhuren", roles=("leader", "staff"), name="主任", department_id=no_lead)
    clerk = make_user("mishu", name="秘书", department_id=no_lead)
    with app.app_context():
        event = services.create_event(user(clerk), fields(participants=50), utcnow())
        db.session.commit()
        event_id = event.id
        leader = user(head)
        assert not access.records_events(leader)
        assert not access.can_submit_event(leader, event)  # a lead-less department's staff may
        assert access.can_submit_event(user(clerk), event)
        assert not (access.can_edit_event(leader, event) or access.can_delete_event(leader, event))
        with pytest.raises(PermissionDenied, match="主要负责人账号只能查看普法活动"):
            services.create_event(leader, fields(), utcnow())
        with pytest.raises(PermissionDenied, match="主要负责人账号只能查看普法活动"):
            services.submit_event(leader, event, utcnow())
    login(head)
    listing = client.get("/outreach/").get_data(as_text=True)
    assert "只读：台账由管理员维护。" in listing and "登记活动" not in listing
    refused = client.get("/outreach/events/new", follow_redirects=True).get_data(as_text=True)
    assert "主要负责人账号只能查看普法活动，不能登记、修改或提交。" in refused
    token = csrf_from(client.get(f"/outreach/events/{event_id}"))
    client.post(f"/outreach/events/{event_id}/submit", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(OutreachEvent, event_id).status == "draft"
        assert db.session.scalar(select(func.count()).select_from(OutreachEvent)) == 1


def test_submitting_says_who_verifies_next(app, client, login, people):
    """An admin's 代为提交 said "等待管理员审核" as if someone else would."""
    with app.app_context():
        mine, theirs = draft(people), draft(people)
        ids = (mine.id, theirs.id)
    for who, event_id, said in ((people.lead, ids[0], "已提交，等待管理员审核。"),
                                (people.admin, ids[1], "已代为提交，请核实后审核通过。")):
        login(who)
        url = f"/outreach/events/{event_id}"
        response = client.post(f"{url}/submit", data={"csrf_token": csrf_from(client.get(url))},
                               follow_redirects=True)
        assert said in response.get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})
    with app.app_context():
        assert {db.session.get(OutreachEvent, i).status for i in ids} == {"submitted"}
