"""The outreach ledger: filters (period by the office's local day, a unit with its sections,
category, campaign, every version of a law, status), totals, totals by category and by
campaign, pagination in a constant number of queries.

The factories here (units, categories, make_event, write_photo) are shared by the other
campaign, ledger and export tests."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from flask import current_app
from PIL import Image

from lawlearn.accounts.departments import create_department
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law
from lawlearn.outreach.categories import ensure_categories
from lawlearn.outreach.ledger import (
    LedgerFilters,
    check_filters,
    describe_filters,
    ledger_events,
    ledger_page,
    ledger_totals,
    split_other_laws,
    totals_by_campaign,
    totals_by_category,
)
from lawlearn.outreach.models import (
    Campaign,
    OutreachCategory,
    OutreachEvent,
    OutreachMaterial,
    OutreachPhoto,
)

# 2024-12-04 10:00 in Asia/Shanghai is 02:00 UTC.
DAY = datetime(2024, 12, 4, 2, 0)
NOW = datetime(2024, 12, 10, 4, 0)


@dataclass
class Office:
    """Three units; the justice bureau has two sections."""

    justice: int
    justice_pufa: int
    justice_law: int
    education: int
    health: int


@pytest.fixture(name="office")
def office_fixture(ctx) -> Office:
    justice = create_department(None, "区司法局")
    pufa = create_department(None, "普法科", justice.id)
    law = create_department(None, "法制科", justice.id)
    education = create_department(None, "区教育局")
    health = create_department(None, "区卫健委")
    db.session.commit()
    return Office(justice.id, pufa.id, law.id, education.id, health.id)


@pytest.fixture(name="cats")
def cats_fixture(ctx) -> dict[str, OutreachCategory]:
    """The seven "七进" categories plus one of the admin's own (法治讲座)."""
    categories = {c.name: c for c in ensure_categories()}
    lecture = OutreachCategory(name="法治讲座", seven_into=False, position=20)
    db.session.add(lecture)
    db.session.commit()
    categories["法治讲座"] = lecture
    return categories


def make_campaign(title: str = "2024年宪法宣传周", starts_on: date = date(2024, 12, 1),
                  ends_on: date = date(2024, 12, 7), targets: dict | None = None) -> Campaign:
    campaign = Campaign(title=title, starts_on=starts_on, ends_on=ends_on,
                        targets=targets or {}, description="围绕国家宪法日")
    db.session.add(campaign)
    db.session.flush()
    return campaign


def make_law(title: str, version: int = 1, current: bool = True) -> Law:
    law = Law(title=title, version=version, is_current=current)
    db.session.add(law)
    db.session.flush()
    return law


def make_event(category: OutreachCategory, department_id: int, *, title: str = "宪法进社区",
               starts_at: datetime = DAY, status: str = "submitted",
               campaign: Campaign | None = None, participants: int = 0, volunteers: int = 0,
               consultations: int = 0, online_views: int = 0, quiz_completions: int = 0,
               materials: tuple = (), laws: tuple = (), other_laws: str = "",
               place: str = "人民广场") -> OutreachEvent:
    """An event; ``materials`` is a list of (kind, kinds, copies)."""
    event = OutreachEvent(
        title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), place=place,
        category_id=category.id, department_id=department_id,
        campaign_id=campaign.id if campaign else None, status=status,
        participants=participants, volunteers=volunteers, consultations=consultations,
        online_views=online_views, quiz_completions=quiz_completions, other_laws=other_laws,
        audiences=["residents"], channel="onsite", summary="发放资料、现场咨询", follow_up="",
        submitted_at=starts_at + timedelta(days=1) if status != "draft" else None,
        verified_at=starts_at + timedelta(days=2) if status == "verified" else None)
    event.materials = [OutreachMaterial(kind=kind, kinds=kinds, copies=copies)
                       for kind, kinds, copies in materials]
    event.laws = list(laws)
    db.session.add(event)
    db.session.flush()
    return event


def jpeg_bytes(width: int = 64, height: int = 48, color=(183, 28, 28)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG")
    return buffer.getvalue()


def write_photo(event: OutreachEvent, name: str, *, featured: bool = False,
                caption: str = "", width: int = 64, height: int = 48) -> OutreachPhoto:
    """A photo row with real JPEG files stored as lawlearn.outreach.photos stores them."""
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "outreach" / str(event.id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{name}.jpg"
    data = jpeg_bytes(width, height)
    (folder / stored).write_bytes(data)
    (folder / f"{stored}-t.jpg").write_bytes(jpeg_bytes(16, 12))
    photo = OutreachPhoto(event_id=event.id, stored_name=stored, original_name=f"{name}.jpg",
                          width=width, height=height, size=len(data), caption=caption,
                          featured=featured)
    db.session.add(photo)
    db.session.flush()
    return photo


def titles(filters: LedgerFilters) -> list[str]:
    return [event.title for event in ledger_events(filters)]


# --- filters ---------------------------------------------------------------------------------


def test_period_counts_the_offices_local_days(office, cats):
    community = cats["进社区"]
    # 2024-11-30 17:30 UTC is 1 December 01:30 in Shanghai: inside a December period.
    make_event(community, office.justice, title="凌晨", starts_at=datetime(2024, 11, 30, 17, 30))
    # 2024-11-30 15:00 UTC is 30 November 23:00 in Shanghai: outside.
    make_event(community, office.justice, title="十一月", starts_at=datetime(2024, 11, 30, 15, 0))
    # 7 December 23:30 local (15:30 UTC) is the last day, included.
    make_event(community, office.justice, title="最后一天", starts_at=datetime(2024, 12, 7, 15, 30))
    make_event(community, office.justice, title="八日", starts_at=datetime(2024, 12, 7, 16, 30))
    db.session.commit()

    week = LedgerFilters(date_from=date(2024, 12, 1), date_to=date(2024, 12, 7))
    assert titles(week) == ["凌晨", "最后一天"]
    assert titles(LedgerFilters(date_from=date(2024, 12, 1))) == ["凌晨", "最后一天", "八日"]
    assert titles(LedgerFilters(date_to=date(2024, 11, 30))) == ["十一月"]
    assert len(titles(LedgerFilters())) == 4


def test_department_filter_includes_the_units_sections(office, cats):
    community = cats["进社区"]
    make_event(community, office.justice, title="局本级")
    make_event(community, office.justice_pufa, title="普法科")
    make_event(community, office.justice_law, title="法制科")
    make_event(community, office.education, title="教育局")
    db.session.commit()

    assert titles(LedgerFilters(department_id=office.justice)) == ["局本级", "普法科", "法制科"]
    assert titles(LedgerFilters(department_id=office.justice_pufa)) == ["普法科"]
    assert titles(LedgerFilters(department_id=office.education)) == ["教育局"]
    assert titles(LedgerFilters(department_id=office.health)) == []


def test_category_campaign_and_status_filters(office, cats):
    week = make_campaign()
    make_event(cats["进社区"], office.justice, title="社区", campaign=week)
    make_event(cats["进学校"], office.education, title="学校", campaign=week, status="verified")
    make_event(cats["进学校"], office.education, title="草稿", campaign=week, status="draft")
    make_event(cats["进学校"], office.education, title="无活动")
    db.session.commit()

    assert titles(LedgerFilters(category_id=cats["进学校"].id)) == ["学校", "无活动"]
    assert titles(LedgerFilters(campaign_id=week.id)) == ["社区", "学校"]
    assert titles(LedgerFilters(campaign_id=week.id, status="all")) == ["社区", "学校", "草稿"]
    assert titles(LedgerFilters(status="draft")) == ["草稿"]
    assert titles(LedgerFilters(status="verified")) == ["学校"]
    assert titles(LedgerFilters(status="submitted")) == ["社区", "无活动"]


def test_law_filter_matches_every_version_of_the_law(office, cats):
    old = make_law("中华人民共和国宪法", version=1, current=False)
    new = make_law("中华人民共和国宪法", version=2)
    code = make_law("中华人民共和国民法典")
    make_event(cats["进社区"], office.justice, title="旧版", laws=(old,))
    make_event(cats["进社区"], office.justice, title="新版", laws=(new, code))
    make_event(cats["进社区"], office.justice, title="民法典", laws=(code,))
    make_event(cats["进社区"], office.justice, title="无", other_laws="《宪法》")
    db.session.commit()

    assert titles(LedgerFilters(law_id=new.id)) == ["旧版", "新版"]
    assert titles(LedgerFilters(law_id=old.id)) == ["旧版", "新版"]
    assert titles(LedgerFilters(law_id=code.id)) == ["新版", "民法典"]


def test_bad_filters_are_refused_in_chinese(ctx):
    with pytest.raises(ValidationFailed) as error:
        check_filters(LedgerFilters(date_from=date(2024, 12, 7), date_to=date(2024, 12, 1)))
    assert error.value.field == "date_to" and "结束日期" in error.value.message
    with pytest.raises(ValidationFailed):
        check_filters(LedgerFilters(status="deleted"))


# --- totals ---------------------------------------------------------------------------------


@pytest.fixture
def week_events(office, cats):
    week = make_campaign()
    month = make_campaign("2024年民法典宣传月", date(2024, 5, 1), date(2024, 5, 31))
    make_event(cats["进社区"], office.justice_pufa, campaign=week, participants=300,
               volunteers=12, consultations=45, quiz_completions=20,
               materials=(("leaflet", 3, 1500), ("handbook", 1, 200)))
    make_event(cats["进学校"], office.education, campaign=week, status="verified",
               participants=800, volunteers=5, consultations=10, online_views=0,
               materials=(("leaflet", 2, 900),))
    make_event(cats["进网络"], office.justice, campaign=month, participants=0,
               online_views=12000, starts_at=datetime(2024, 5, 10, 2, 0))
    make_event(cats["法治讲座"], office.health, participants=60, consultations=3)
    # A draft counts nowhere by default.
    make_event(cats["进社区"], office.health, campaign=week, status="draft", participants=999,
               materials=(("banner", 1, 1),))
    db.session.commit()
    return week, month


def test_totals_add_up_every_count(week_events):
    totals = ledger_totals(LedgerFilters())
    assert totals.events == 4
    assert totals.participants == 300 + 800 + 0 + 60
    assert totals.quiz_completions == 20
    assert totals.reach == 1180
    assert totals.volunteers == 17
    assert totals.consultations == 58
    assert totals.online_views == 12000
    assert (totals.material_kinds, totals.material_copies) == (6, 2600)

    with_drafts = ledger_totals(LedgerFilters(status="all"))
    assert with_drafts.events == 5 and with_drafts.participants == 2159
    # The draft's banner is shown, not handed out: no copy of 发放宣传资料.
    assert (with_drafts.material_kinds, with_drafts.material_copies) == (6, 2600)

    nothing = ledger_totals(LedgerFilters(date_from=date(2030, 1, 1)))
    assert nothing.events == 0 and nothing.reach == 0 and nothing.material_copies == 0


def test_banners_boards_and_vehicles_are_not_copies_handed_out(office, cats):
    """发放宣传资料 counts leaflets, handbooks and other handouts in 份; a banner, a board or
    a vehicle is shown in its own unit and never added to the copies, on any page or
    export."""
    from lawlearn.outreach.campaign_progress import campaign_progress
    from lawlearn.outreach.event_lists import list_figures
    from lawlearn.outreach.history import material_label

    week = make_campaign()
    event = make_event(cats["进社区"], office.justice_pufa, campaign=week, participants=300,
                       materials=(("vehicle", 1, 1), ("leaflet", 1, 1500), ("board", 1, 6),
                                  ("banner", 1, 3), ("other", 1, 100)))
    db.session.commit()
    totals = ledger_totals(LedgerFilters())
    assert (totals.material_kinds, totals.material_copies) == (2, 1600)
    assert list_figures([event.id])[event.id].copies == 1600
    assert event.handed_out == (2, 1600)  # each export's event row (one helper for all)
    assert [material_label(m) for m in event.materials] == [
        "宣传车 1 辆", "宣传单 1 种 1,500 份", "展板 6 块", "横幅 3 条", "其他 1 种 100 份"]
    progress = campaign_progress(week)
    assert (progress.totals.material_kinds, progress.totals.material_copies) == (2, 1600)
    assert {m.kind: (m.copies, m.unit, m.handed_out) for m in progress.materials}["board"] \
        == (6, "块", False)
    assert next(t.actual for t in progress.targets if t.key == "materials") == 1600


def test_totals_by_category_and_by_campaign(week_events):
    week, month = week_events
    rows = {row.name: row for row in totals_by_category(LedgerFilters())}
    assert rows["进社区"].totals.events == 1 and rows["进社区"].totals.reach == 320
    assert rows["进社区"].totals.material_copies == 1700
    assert rows["法治讲座"].totals.events == 1 and not rows["法治讲座"].seven_into
    # Every "七进" category is listed, with nothing where nothing happened.
    assert rows["进军营"].totals.events == 0 and rows["进军营"].seven_into
    assert [row.name for row in totals_by_category(LedgerFilters())][:7] == \
        ["进机关", "进乡村", "进社区", "进学校", "进企业", "进军营", "进网络"]
    # Filtered to one category: only that one.
    only = totals_by_category(LedgerFilters(category_id=rows["进学校"].id))
    assert [row.name for row in only] == ["进学校"]

    campaigns = totals_by_campaign(LedgerFilters())
    assert [(row.id, row.totals.events) for row in campaigns] == \
        [(week.id, 2), (month.id, 1), (None, 1)]
    assert campaigns[-1].name == "（未归入主题宣传）"
    assert sum(row.totals.reach for row in campaigns) == ledger_totals(LedgerFilters()).reach


def test_describe_filters_names_every_filter(week_events, office, cats):
    week, _month = week_events
    described = dict(describe_filters(LedgerFilters(
        date_from=date(2024, 12, 1), date_to=date(2024, 12, 7), department_id=office.justice,
        category_id=cats["进社区"].id, campaign_id=week.id, status="all")))
    assert described["统计期间"] == "2024年12月1日 至 2024年12月7日"
    assert described["部门"] == "区司法局（含下属科室）"
    assert described["类别"] == "进社区"
    assert described["主题宣传"] == "2024年宪法宣传周"
    assert described["状态"] == "全部（含草稿）"
    assert dict(describe_filters(LedgerFilters()))["统计期间"] == "全部"
    # A campaign alone: its own days (its events lie within them).
    assert dict(describe_filters(LedgerFilters(campaign_id=week.id)))["统计期间"] == \
        "2024年12月1日 至 2024年12月7日"
    assert dict(describe_filters(LedgerFilters(date_from=date(2024, 12, 1))))["统计期间"] == \
        "2024年12月1日 至 不限"


def test_ledger_page_loads_in_a_constant_number_of_queries(office, cats, count_queries):
    law_id, week_id = make_law("中华人民共和国宪法").id, make_campaign().id
    category_ids = [cats["进社区"].id, cats["进学校"].id]
    db.session.commit()

    def add(n: int) -> None:
        law, week = db.session.get(Law, law_id), db.session.get(Campaign, week_id)
        for index in range(n):
            make_event(db.session.get(OutreachCategory, category_ids[index % 2]),
                       office.justice_pufa if index % 3 else office.education,
                       title=f"活动{index}", campaign=week if index % 2 else None,
                       materials=(("leaflet", 1, 10), ("board", 2, 3)), laws=(law,),
                       starts_at=DAY + timedelta(minutes=index))
        db.session.commit()

    def load() -> None:
        db.session.expunge_all()
        page = ledger_page(LedgerFilters(), 1, 20)
        for event in page.items:
            _ = (event.category.name, event.department.full_name, event.campaign,
                 [law.title for law in event.laws], [m.copies for m in event.materials])

    add(3)
    few = count_queries(load)
    add(30)
    assert count_queries(load) == few
    page = ledger_page(LedgerFilters(), 2, 20)
    assert page.total == 33 and len(page.items) == 13


def test_other_laws_are_split_into_names():
    assert split_other_laws("《反电信网络诈骗法》、《消费者权益保护法》") == \
        ["反电信网络诈骗法", "消费者权益保护法"]
    assert split_other_laws("反电信网络诈骗法，消费者权益保护法；反电信网络诈骗法") == \
        ["反电信网络诈骗法", "消费者权益保护法"]
    assert split_other_laws("  ") == []


def test_one_law_written_several_ways_counts_once_under_its_full_name(ctx):
    from lawlearn.outreach.ledger import count_laws, law_key, split_other_laws

    assert law_key("《中华人民共和国 反电信网络诈骗法》") == law_key("反电信网络诈骗法") \
        == "反电信网络诈骗法"
    assert split_other_laws("反电信网络诈骗法、《中华人民共和国反电信网络诈骗法》") == [
        "中华人民共和国反电信网络诈骗法"]
    names = ["反电信网络诈骗法", "《中华人民共和国反电信网络诈骗法》", "中华人民共和国 反电信网络诈骗法",
             "上海市消费者权益保护条例"]
    assert count_laws(names) == [("中华人民共和国反电信网络诈骗法", 3), ("上海市消费者权益保护条例", 1)]
    # Counted alike: the Constitution first, then the others as first named (not by name).
    tied = ["民法典", "未成年人保护法", "反电信网络诈骗法", "《中华人民共和国宪法》"]
    assert [name for name, _n in count_laws(tied)] == [
        "中华人民共和国宪法", "民法典", "未成年人保护法", "反电信网络诈骗法"]
