"""Campaigns: validation of the period and targets, copying last year's (dates a year later,
29 February → 28 February, the year in the title), deleting only without events, and the
progress against targets (zero targets, drafts apart, gaps of units and "七进" categories,
laws promoted) in a constant number of queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry, Department
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law
from lawlearn.outreach import campaigns
from lawlearn.outreach.campaign_progress import TargetProgress, campaign_progress
from lawlearn.outreach.campaigns import (
    CampaignFields,
    copy_campaign,
    copy_preview,
    create_campaign,
    delete_campaign,
    last_year_campaigns,
    update_campaign,
)
from lawlearn.outreach.models import Campaign, OutreachCategory
from tests.outreach.test_ledger import (  # noqa: F401  (fixtures)
    DAY,
    NOW,
    cats_fixture,
    make_campaign,
    make_event,
    make_law,
    office_fixture,
)
from tests.races import twin_at, updates

TARGETS = {"events": 4, "participants": 1000, "materials": 2000, "departments": 3,
           "categories": 5}


def fields(**changes) -> CampaignFields:
    values = dict(title="2024年宪法宣传周", starts_on=date(2024, 12, 1), ends_on=date(2024, 12, 7),
                  description="围绕12月4日国家宪法日", targets=dict(TARGETS))
    values.update(changes)
    return CampaignFields(**values)


# --- create, update, delete ----------------------------------------------------------------


def test_create_keeps_period_and_targets_and_audits(ctx):
    campaign = create_campaign(None, fields(title="  2024年宪法宣传周 "), NOW)
    db.session.commit()
    assert campaign.title == "2024年宪法宣传周"
    assert (campaign.starts_on, campaign.ends_on) == (date(2024, 12, 1), date(2024, 12, 7))
    assert campaign.targets == TARGETS
    entry = db.session.scalar(select(AuditEntry).filter_by(action="outreach.campaign.create"))
    assert entry.target_id == campaign.id and "2024年宪法宣传周" in entry.summary

    # A missing or empty target is 0: none set.
    bare = create_campaign(None, fields(title="民法典宣传月", targets={"events": 3,
                                                                 "participants": None}), NOW)
    assert bare.targets == {"events": 3, "participants": 0, "materials": 0, "departments": 0,
                            "categories": 0}


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"title": "   "}, "title", "活动名称"),
    ({"starts_on": None}, "starts_on", "开始日期"),
    ({"ends_on": date(2024, 11, 30)}, "ends_on", "结束日期不能早于开始日期"),
    ({"targets": {**TARGETS, "events": -1}}, "target_events", "不能为负数"),
    ({"targets": {**TARGETS, "materials": -5}}, "target_materials", "不能为负数"),
    ({"targets": {**TARGETS, "participants": 2.5}}, "target_participants", "整数"),
    ({"targets": {**TARGETS, "categories": 8}}, "target_categories", "七进"),
    ({"targets": {**TARGETS, "budget": 3}}, "targets", "未知的目标"),
])
def test_create_refuses_bad_values_in_chinese(ctx, changes, field, words):
    with pytest.raises(ValidationFailed) as error:
        create_campaign(None, fields(**changes), NOW)
    assert error.value.field == field
    assert words in error.value.message
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0


def test_update_changes_everything_and_records_before(ctx):
    campaign = create_campaign(None, fields(), NOW)
    update_campaign(None, campaign, fields(title="2024年宪法宣传周（延长）",
                                           ends_on=date(2024, 12, 10),
                                           targets={**TARGETS, "events": 0}))
    db.session.commit()
    assert campaign.ends_on == date(2024, 12, 10) and campaign.targets["events"] == 0
    entry = db.session.scalar(select(AuditEntry).filter_by(action="outreach.campaign.update"))
    assert entry.details["before"]["title"] == "2024年宪法宣传周"
    with pytest.raises(ValidationFailed):
        update_campaign(None, campaign, fields(targets={"events": -3}))


def test_a_title_in_use_is_refused_on_create_update_and_copy(ctx):
    """The event form and the ledger's filter pick a campaign by its title."""
    first = create_campaign(None, fields(), NOW)
    with pytest.raises(ValidationFailed, match="已有名为《2024年宪法宣传周》的主题宣传") as error:
        create_campaign(None, fields(starts_on=date(2024, 12, 2)), NOW)
    assert error.value.field == "title"
    other = create_campaign(None, fields(title="民法典宣传月"), NOW)
    with pytest.raises(ValidationFailed, match="已有名为"):
        update_campaign(None, other, fields())
    update_campaign(None, first, fields(description="仍是本名"))  # its own title is no clash
    create_campaign(None, fields(title="2025年宪法宣传周", starts_on=date(2025, 12, 1),
                                 ends_on=date(2025, 12, 7)), NOW)
    with pytest.raises(ValidationFailed, match="已有名为《2025年宪法宣传周》"):
        copy_campaign(None, first, NOW)  # next year's title was made by hand
    db.session.commit()
    assert sorted(db.session.scalars(select(Campaign.title))) == [
        "2024年宪法宣传周", "2025年宪法宣传周", "民法典宣传月"]


def test_a_new_period_must_hold_the_campaigns_events(office, cats):
    """An event left outside would count on the campaign's dashboard, not in the ledger
    filtered by the campaign, and could no longer be saved."""
    week = make_campaign()  # 1–7 December 2024
    make_event(cats["进社区"], office.justice, campaign=week, starts_at=DAY)  # 4 December
    make_event(cats["进学校"], office.justice, campaign=week,
               starts_at=datetime(2024, 12, 6, 17, 0))  # 7 December, 01:00 office time
    db.session.commit()
    with pytest.raises(ValidationFailed, match="有 1 场不在新的期间内") as error:
        update_campaign(None, week, fields(starts_on=date(2024, 12, 5)))
    assert error.value.field == "starts_on"
    with pytest.raises(ValidationFailed, match="2024-12-07 至 2024-12-07") as error:
        update_campaign(None, week, fields(ends_on=date(2024, 12, 6)))
    assert error.value.field == "ends_on"
    db.session.rollback()
    update_campaign(None, week, fields(starts_on=date(2024, 12, 4), ends_on=date(2024, 12, 7)))
    db.session.commit()
    assert db.session.get(Campaign, week.id).starts_on == date(2024, 12, 4)


def test_only_a_campaign_without_events_is_deleted(office, cats):
    busy = make_campaign()
    make_event(cats["进社区"], office.justice, campaign=busy, status="draft")
    empty = make_campaign("2025年宪法宣传周", date(2025, 12, 1), date(2025, 12, 7))
    copy = make_campaign("2026年宪法宣传周", date(2026, 12, 1), date(2026, 12, 7))
    copy.copied_from_id = empty.id
    db.session.commit()

    with pytest.raises(Conflict) as error:
        delete_campaign(None, busy)
    assert error.value.code == "campaign_has_events" and "1 场活动" in error.value.message

    delete_campaign(None, empty)
    db.session.commit()
    assert db.session.get(Campaign, empty.id) is None
    assert db.session.get(Campaign, copy.id).copied_from_id is None


# --- copying last year's -----------------------------------------------------------------------


def test_copy_moves_dates_and_title_a_year_on_and_keeps_targets(ctx):
    source = create_campaign(None, fields(), NOW)
    copy = copy_campaign(None, source, NOW)
    db.session.commit()
    assert copy.title == "2025年宪法宣传周"
    assert (copy.starts_on, copy.ends_on) == (date(2025, 12, 1), date(2025, 12, 7))
    assert copy.targets == TARGETS and copy.description == source.description
    assert copy.copied_from_id == source.id
    assert db.session.scalar(select(AuditEntry).filter_by(action="outreach.campaign.copy")) is not None

    # A second copy (a double click) is refused and nothing is added.
    with pytest.raises(Conflict) as error:
        copy_campaign(None, source, NOW)
    assert error.value.code == "already_copied"
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 2


def test_copy_turns_29_february_into_28_february(ctx):
    leap = create_campaign(None, fields(title="2024年闰日普法", starts_on=date(2024, 2, 29),
                                        ends_on=date(2024, 2, 29)), NOW)
    copy = copy_campaign(None, leap, NOW)
    assert (copy.starts_on, copy.ends_on) == (date(2025, 2, 28), date(2025, 2, 28))
    assert copy.title == "2025年闰日普法"


@pytest.mark.parametrize(("title", "starts_on", "ends_on", "expected"), [
    ("2024年宪法宣传周", date(2024, 12, 1), date(2024, 12, 7), "2025年宪法宣传周"),
    ("2024—2025年度冬春普法", date(2024, 12, 20), date(2025, 2, 28), "2025—2026年度冬春普法"),
    ("2024年第12届法治文化节暨1949号展", date(2024, 6, 1), date(2024, 6, 3),
     "2025年第12届法治文化节暨1949号展"),
    ("民法典宣传月", date(2024, 5, 1), date(2024, 5, 31), "2025年民法典宣传月"),
])
def test_copy_preview_replaces_only_the_campaigns_years(ctx, title, starts_on, ends_on, expected):
    source = create_campaign(None, fields(title=title, starts_on=starts_on, ends_on=ends_on), NOW)
    assert copy_preview(source).title == expected


def test_last_years_campaigns_are_offered_until_copied(ctx):
    old = create_campaign(None, fields(title="2023年宪法宣传周", starts_on=date(2023, 12, 1),
                                       ends_on=date(2023, 12, 7)), NOW)
    may = create_campaign(None, fields(title="2023年民法典宣传月", starts_on=date(2023, 5, 1),
                                       ends_on=date(2023, 5, 31)), NOW)
    create_campaign(None, fields(title="2022年宪法宣传周", starts_on=date(2022, 12, 1),
                                 ends_on=date(2022, 12, 7)), NOW)
    create_campaign(None, fields(), NOW)
    assert last_year_campaigns(date(2024, 3, 1)) == [may, old]
    copy_campaign(None, may, NOW)
    assert last_year_campaigns(date(2024, 3, 1)) == [old]


# --- progress --------------------------------------------------------------------------------


def test_target_arithmetic_including_zero_targets():
    short = TargetProgress("events", actual=3, target=4)
    assert short.rate == 0.75 and short.bar == 0.75 and short.remaining == 1
    assert short.has_target and not short.met
    over = TargetProgress("materials", actual=2500, target=2000)
    assert over.rate == 1.25 and over.bar == 1.0 and over.remaining == 0 and over.met
    exact = TargetProgress("departments", actual=3, target=3)
    assert exact.met and exact.rate == 1.0
    none_set = TargetProgress("participants", actual=700, target=0)
    assert none_set.rate is None and none_set.bar == 0.0 and not none_set.has_target
    assert not none_set.met and none_set.remaining == 0
    nothing_yet = TargetProgress("categories", actual=0, target=5)
    assert nothing_yet.rate == 0.0 and nothing_yet.remaining == 5
    assert none_set.label == "覆盖群众（人次）" and short.unit == "场"


@pytest.fixture
def week(office, cats):
    """The Constitution Week with three counted events, a draft, and another campaign's."""
    constitution = make_law("中华人民共和国宪法", version=2)
    old_constitution = make_law("中华人民共和国宪法", version=1, current=False)
    civil = make_law("中华人民共和国民法典")
    week = make_campaign(targets={**TARGETS, "participants": 0})
    make_event(cats["进社区"], office.justice_pufa, campaign=week, participants=300,
               quiz_completions=40, volunteers=10, consultations=60,
               materials=(("leaflet", 3, 1500), ("handbook", 1, 200)),
               laws=(constitution, civil), other_laws="《反电信网络诈骗法》")
    make_event(cats["进学校"], office.justice_law, campaign=week, status="verified",
               participants=500, consultations=15, materials=(("leaflet", 2, 600),),
               laws=(old_constitution,), other_laws="《反电信网络诈骗法》、《未成年人保护法》")
    make_event(cats["法治讲座"], office.education, campaign=week, participants=80,
               online_views=3000, laws=(civil,))
    make_event(cats["进企业"], office.health, campaign=week, status="draft", participants=999,
               materials=(("banner", 2, 2),), other_laws="《劳动合同法》")
    other = make_campaign("2024年民法典宣传月", date(2024, 5, 1), date(2024, 5, 31))
    make_event(cats["进军营"], office.health, campaign=other, participants=50)
    db.session.commit()
    return week


def test_progress_counts_submitted_and_verified_and_keeps_drafts_apart(week):
    progress = campaign_progress(week)
    totals = progress.totals
    assert totals.events == 3
    assert totals.reach == 300 + 40 + 500 + 80
    assert (totals.volunteers, totals.consultations, totals.online_views) == (10, 75, 3000)
    assert (totals.material_kinds, totals.material_copies) == (6, 2300)
    assert progress.draft_events == 1 and progress.drafts.participants == 999
    # The draft's two banners are shown, not handed out: no copies (see test_ledger).
    assert progress.drafts.material_copies == 0

    by_key = {t.key: t for t in progress.targets}
    assert [t.key for t in progress.targets] == list(campaigns.TARGET_KEYS)
    assert (by_key["events"].actual, by_key["events"].target) == (3, 4)
    assert by_key["events"].rate == 0.75
    assert by_key["participants"].actual == 920 and by_key["participants"].rate is None
    assert by_key["materials"].actual == 2300 and by_key["materials"].met
    # The pufa and law sections roll up into the justice bureau: two units, not three.
    assert by_key["departments"].actual == 2
    # 进社区 and 进学校; 法治讲座 is not one of the "七进".
    assert by_key["categories"].actual == 2 and by_key["categories"].rate == 0.4

    included = campaign_progress(week, include_drafts=True)
    assert included.totals.events == 4 and included.totals.participants == 1879
    assert included.draft_events == 0
    assert {t.key: t.actual for t in included.targets}["departments"] == 3


def test_progress_shows_the_gaps(week):
    progress = campaign_progress(week)
    assert {u.name for u in progress.units_covered} == {"区教育局", "区司法局"}
    # The health commission only has a draft and another campaign's event.
    assert [u.name for u in progress.units_missing] == ["区卫健委"]
    assert [c.name for c in progress.categories_covered] == ["进社区", "进学校"]
    assert progress.categories_missing == ["进机关", "进乡村", "进企业", "进军营", "进网络"]
    assert [c.name for c in progress.other_categories] == ["法治讲座"]


def test_a_department_made_after_a_campaign_ended_is_no_gap_of_it(week):
    """Unless the campaign was entered later still (last year's, entered when the site
    came): the departments all date from then."""
    for department in db.session.scalars(select(Department)):
        department.created_at = datetime(2024, 1, 1)
    week.created_at = datetime(2024, 11, 1)
    later = Department(name="区医保局", created_at=datetime(2025, 3, 1))
    db.session.add(later)
    db.session.flush()
    assert [u.name for u in campaign_progress(week).units_missing] == ["区卫健委"]
    week.created_at = datetime(2025, 6, 1)  # entered after the department was made
    assert {u.name for u in campaign_progress(week).units_missing} == {"区卫健委", "区医保局"}
    # A unit made later still whose section held an event of the week: its count and its
    # list agree (the unit was counted as covered but listed nowhere).
    newest = Department(name="区数据局", created_at=datetime(2026, 1, 1))
    db.session.add(newest)
    db.session.flush()
    section = Department(name="数据科", parent_id=newest.id, created_at=datetime(2026, 1, 1))
    db.session.add(section)
    db.session.flush()
    make_event(db.session.scalar(select(OutreachCategory).filter_by(name="进机关")), section.id,
               campaign=week, status="verified", participants=20)
    progress = campaign_progress(week)
    covered = [u.name for u in progress.units_covered]
    assert "区数据局" in covered
    assert {t.key: t.actual for t in progress.targets}["departments"] == len(covered)
    # An old section moved since under a unit made later, without an event: listed as a
    # gap, not a 500 (its unit is no gap of the week).
    archive = Department(name="区档案局", created_at=datetime(2026, 2, 1))
    db.session.add(archive)
    db.session.flush()
    db.session.add(Department(name="档案科", parent_id=archive.id,
                              created_at=datetime(2024, 1, 1)))
    db.session.flush()
    progress = campaign_progress(week)
    assert "区档案局/档案科" in [d.full_name for d in progress.sections_missing]
    assert "区档案局" not in [u.name for u in progress.units_missing]


def test_progress_gaps_without_seeded_categories(office):
    """A database without the "七进" rows still lists all seven as gaps."""
    custom = OutreachCategory(name="法治讲座", position=1)
    db.session.add(custom)
    week = make_campaign()
    make_event(custom, office.justice, campaign=week, participants=5)
    db.session.commit()
    progress = campaign_progress(week)
    assert progress.categories_missing == ["进机关", "进乡村", "进社区", "进学校", "进企业", "进军营",
                                           "进网络"]
    assert {t.key: t.actual for t in progress.targets}["categories"] == 0


def test_a_law_both_linked_and_written_out_counts_once_as_in_the_exports(week, cats, office):
    """An event that picked the Constitution from the library and also typed it out, and one
    that only typed "宪法": the page listed it twice (once 库外); the exports, once."""
    from lawlearn.outreach.ledger import count_laws, law_names

    constitution = db.session.scalar(select(Law).filter_by(title="中华人民共和国宪法",
                                                            is_current=True))
    make_event(cats["进机关"], office.justice_law, campaign=week, laws=(constitution,),
               other_laws="《中华人民共和国宪法》、《反电信网络诈骗法》")
    make_event(cats["进机关"], office.justice_law, campaign=week, other_laws="宪法")
    progress = campaign_progress(week)
    assert [(law.title, law.events) for law in progress.laws] == \
        [("中华人民共和国宪法", 4), ("中华人民共和国民法典", 2)]
    assert "宪法" not in {law.title.removeprefix("中华人民共和国") for law in progress.other_laws}
    assert [(law.title, law.events) for law in progress.other_laws][0] == ("反电信网络诈骗法", 3)
    counted = [e for e in progress.events if e.status != "draft"]
    exported = dict(count_laws(name for e in counted for name in law_names(e)))
    assert exported["中华人民共和国宪法"] == 4


def test_progress_lists_laws_materials_and_events(week):
    progress = campaign_progress(week)
    # Both versions of the Constitution count as one law.
    assert [(law.title, law.events) for law in progress.laws] == \
        [("中华人民共和国宪法", 2), ("中华人民共和国民法典", 2)]
    assert [(law.title, law.events) for law in progress.other_laws] == \
        [("反电信网络诈骗法", 2), ("未成年人保护法", 1)]
    assert [(m.kind, m.label, m.kinds, m.copies) for m in progress.materials] == \
        [("leaflet", "宣传单", 5, 2100), ("handbook", "宣传手册", 1, 200)]
    # The events list shows drafts too (marked), in date order.
    assert [e.status for e in progress.events].count("draft") == 1
    assert len(progress.events) == 4


def test_empty_campaign_progress(office, cats):
    campaign = make_campaign(targets={"events": 0})
    db.session.commit()
    progress = campaign_progress(campaign)
    assert progress.totals.events == 0 and progress.events == []
    assert all(t.rate is None for t in progress.targets)
    assert len(progress.units_missing) == 3 and len(progress.categories_missing) == 7


def test_progress_runs_a_constant_number_of_queries(office, cats, count_queries):
    law_ids = [make_law("中华人民共和国宪法").id, make_law("中华人民共和国民法典").id]
    campaign_id = make_campaign(targets=TARGETS).id
    category_ids = [c.id for c in cats.values()]
    units = [office.justice_pufa, office.education, office.health, office.justice_law]
    db.session.commit()
    added = 0

    def add(n: int) -> None:
        nonlocal added
        from lawlearn.library.models import Law

        campaign = db.session.get(Campaign, campaign_id)
        for _index in range(n):
            added += 1
            make_event(db.session.get(OutreachCategory, category_ids[added % len(category_ids)]),
                       units[added % len(units)], campaign=campaign,
                       status=("draft", "submitted", "verified")[added % 3],
                       participants=added, materials=(("leaflet", 1, 10), ("board", 1, 1)),
                       laws=(db.session.get(Law, law_ids[added % 2]),),
                       other_laws=f"《条例{added % 4}》",
                       starts_at=DAY + timedelta(hours=added))
        db.session.commit()

    def run() -> None:
        db.session.expunge_all()
        progress = campaign_progress(db.session.get(Campaign, campaign_id))
        for event in progress.events:
            _ = (event.category.name, event.department.full_name, event.reach)

    add(3)
    few = count_queries(run)
    add(40)
    assert count_queries(run) == few
    assert few <= 12


def test_campaign_list_and_counts(office, cats):
    first = make_campaign()
    second = make_campaign("2025年宪法宣传周", date(2025, 12, 1), date(2025, 12, 7))
    make_event(cats["进社区"], office.justice, campaign=first)
    make_event(cats["进社区"], office.justice, campaign=first, status="draft")
    make_event(cats["进社区"], office.justice, campaign=first, status="draft",
               starts_at=datetime(2024, 12, 5, 2, 0))
    db.session.commit()
    assert campaigns.campaign_list() == [second, first]
    assert campaigns.event_counts_by_campaign() == {first.id: {"submitted": 1, "draft": 2}}
    assert campaigns.event_count(first) == 3 and campaigns.event_count(second) == 0


def test_a_double_click_on_copy_makes_one_copy(app):
    """The first click commits its copy while the second one is starting: the second must
    find it and refuse, not make another. (Before the second takes the source's lock; the
    moment after it would be the first click waiting on that lock, which a test in one
    process cannot wait for.)"""
    with app.app_context():
        source_id = create_campaign(None, fields(), NOW).id
        db.session.commit()

    def first_click() -> None:
        copy_campaign(None, db.session.get(Campaign, source_id), NOW)

    def looks_for_a_copy(statement: str) -> bool:
        return statement.startswith("SELECT") and "copied_from_id" in statement

    with app.app_context():
        source = db.session.get(Campaign, source_id)
        # just before it takes the source's lock, or (without one) after it looked for a copy
        with twin_at(app, first_click, before=updates("campaign"),
                     after=looks_for_a_copy) as ran:
            with pytest.raises(Conflict) as error:
                copy_campaign(None, source, NOW)
        db.session.rollback()
        assert ran and error.value.code == "already_copied"
        assert db.session.scalar(select(func.count()).select_from(Campaign)) == 2
