"""The demo ledger: two Constitution Weeks with a dozen events and real photo files, loaded
whatever the day of the year."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lawlearn.accounts.models import AuditEntry
from lawlearn.database import utcnow
from lawlearn.demo import load_demo
from lawlearn.extensions import db
from lawlearn.outreach.campaign_progress import campaign_progress
from lawlearn.outreach.demo import load_outreach_demo
from lawlearn.outreach.demo_photos import demo_photo
from lawlearn.outreach.history import event_history
from lawlearn.outreach.models import (
    SEVEN_INTO,
    Campaign,
    OutreachEvent,
    OutreachPhoto,
    StallQuiz,
    StallQuizEntry,
)
from lawlearn.outreach.photos import capture_time, photo_path

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local_today(now: datetime) -> date:
    return now.replace(tzinfo=UTC).astimezone(SHANGHAI).date()


def campaigns_by_title() -> dict[str, Campaign]:
    return {c.title: c for c in db.session.scalars(select(Campaign))}


def all_events() -> list[OutreachEvent]:
    return list(db.session.scalars(select(OutreachEvent).options(
        selectinload(OutreachEvent.photos), selectinload(OutreachEvent.laws))
        .order_by(OutreachEvent.starts_at)))


@pytest.mark.parametrize("during_week", [False, True], ids=["today", "during-the-week"])
def test_the_demo_has_two_constitution_weeks_with_events_photos_and_gaps(
        ctx, monkeypatch, during_week):
    year = local_today(utcnow()).year
    now = utcnow()
    if during_week:  # the outreach demo's clock on 3 December, 14:00 in Shanghai
        now = datetime(year, 12, 3, 6, 0)
    # The demo's clock is the test's: read later, it would stamp a photo of an event under
    # way today (1 December onwards) after the ``now`` checked below.
    monkeypatch.setattr("lawlearn.outreach.demo.utcnow", lambda: now)
    counts = load_demo()
    db.session.commit()
    found = campaigns_by_title()
    last, this = found[f"{year - 1}年宪法宣传周"], found[f"{year}年宪法宣传周"]
    assert (last.starts_on, last.ends_on) == (date(year - 1, 12, 1), date(year - 1, 12, 7))
    assert (this.starts_on, this.ends_on) == (date(year, 12, 1), date(year, 12, 7))
    assert this.copied_from_id == last.id and this.targets == last.targets
    assert last.targets["events"] > 0 and last.targets["participants"] > 0

    events = all_events()
    assert counts["outreach_events"] == len(events) >= 12
    assert counts["campaigns"] == len(found) == 3
    assert all(e.ends_at >= e.starts_at for e in events)
    assert {e.status for e in events} >= {"draft", "verified"}
    assert len({e.category_id for e in events}) >= 5
    assert {e.channel for e in events} >= {"onsite", "wechat", "video"}
    assert len({e.department_id for e in events}) >= 5
    assert any(e.campaign_id is None for e in events)

    last_events = [e for e in events if e.campaign_id == last.id]
    assert len(last_events) >= 7 and {e.status for e in last_events} == {"verified"}
    this_events = [e for e in events if e.campaign_id == this.id]
    before_week = local_today(now) < this.starts_on
    # On the week's first two days its events crowd onto them, some not over yet: the
    # picture of a week under way (three verified, one submitted, today's draft) holds
    # from the third day, as on the fixed 3 December.
    first_days = not before_week and local_today(now) < this.starts_on + timedelta(days=2)
    assert all(this.starts_on <= local_today(e.starts_at) <= this.ends_on for e in this_events)
    assert all(e.status == "draft" for e in this_events if e.ends_at > now)  # never ahead
    if before_week:  # planned drafts, nothing reported from the future
        assert {e.status for e in this_events} == {"draft"}
        assert all(e.starts_at > now and not e.photos for e in this_events)
    elif not first_days:
        assert [e.status for e in this_events].count("submitted") == 1
        assert [e.status for e in this_events].count("draft") == 1
    assert 4 <= len(this_events) <= 6
    online = [e for e in events if e.channel != "onsite"]
    assert online and all(e.online_views > 0 for e in online)
    assert all(e.materials for e in events if e.channel == "onsite" and e.participants > 100)

    # The library's statutes are linked by title; other laws are written out.
    linked = {law.title for e in events for law in e.laws}
    assert linked == {"中华人民共和国宪法", "中华人民共和国民法典"}
    assert any("反电信网络诈骗法" in e.other_laws for e in last_events)

    verified = next(e for e in last_events if e.photos)
    history = {entry.action: entry.at for entry in event_history(verified)}
    assert history["outreach.event.create"] == verified.created_at < verified.submitted_at
    assert history["outreach.event.submit"] == verified.submitted_at < verified.verified_at
    assert history["outreach.event.verify"] == verified.verified_at < utcnow() - timedelta(days=300)
    assert verified.created_by.has_role("staff") and not verified.created_by.has_role("dept_lead")

    # Photos: converted files with thumbnails on disk, capture time kept, some featured.
    pictures = [p for e in events for p in e.photos]
    assert counts["outreach_photos"] == len(pictures) >= 10
    assert len({p.event_id for p in pictures}) >= 6
    for photo in pictures:
        assert photo_path(photo).is_file() and photo_path(photo, thumb=True).is_file()
        assert photo_path(photo).stat().st_size == photo.size
        assert (photo.width, photo.height) == (1280, 853)
        assert photo.event.starts_at <= photo.captured_at <= photo.event.ends_at
        assert photo.caption
        assert photo.captured_at <= now and photo.uploaded_at <= now
    featured = [p for p in pictures if p.featured]
    if not first_days:
        assert {p.event.campaign_id for p in featured} == ({last.id} if before_week
                                                           else {last.id, this.id})

    # Last year's week met its targets; this year's shows what is still missing.
    done = campaign_progress(last)
    assert done.totals.events == len(last_events)
    assert all(t.met for t in done.targets if t.has_target)
    assert [o.title for o in done.other_laws] == ["中华人民共和国劳动合同法",
                                                  "中华人民共和国反电信网络诈骗法"]
    # The departments are older than last year's week: its gaps name them (made "now", its
    # units were counted as covered but listed as none, and no section was a gap).
    covered = {t.key: t.actual for t in done.targets}["departments"]
    assert covered == len(done.units_covered) > 0 and done.sections_missing
    under_way = campaign_progress(this)
    if first_days:
        assert under_way.totals.events + under_way.draft_events == len(this_events)
        return
    if before_week:
        assert under_way.totals.events == 0 and under_way.draft_events == len(this_events)
        assert counts["stall_entries"] == 0 and db.session.scalar(select(StallQuiz)) is None
        return
    assert under_way.totals.events == len(this_events) - 1  # the draft is not counted yet
    assert under_way.draft_events == 1
    assert {"进乡村", "进军营"} <= set(under_way.categories_missing)
    assert len(under_way.categories_missing) < len(SEVEN_INTO)
    assert [u.name for u in under_way.units_missing] == ["区政务服务中心"]
    assert [u.name for u in under_way.units_covered] == ["区政府办公室"]

    # Today's event has its stall quiz open, answered from several phones since it began.
    quiz = db.session.scalar(select(StallQuiz))
    assert all(quiz.created_at <= e.created_at <= now for e in
               db.session.scalars(select(StallQuizEntry)))
    assert quiz.event.starts_at <= quiz.created_at
    assert quiz.open and quiz.event.status == "draft" and quiz.event.campaign_id == this.id
    entries = db.session.scalars(select(StallQuizEntry)).all()
    assert 3 <= len(entries) <= 5 == len(quiz.question_ids)
    assert len({e.device_key for e in entries}) == len(entries) == counts["stall_entries"]
    assert quiz.event.quiz_completions == len(entries)
    assert quiz.event.reach == quiz.event.participants + len(entries)


@pytest.mark.parametrize("now", [datetime(2026, 12, 31, 17, 0), datetime(2027, 1, 2, 1, 0),
                                 datetime(2026, 12, 30, 8, 0), datetime(2026, 12, 3, 2, 0),
                                 datetime(2026, 6, 15, 2, 0), datetime(2026, 11, 28, 2, 0),
                                 datetime(2026, 12, 1, 0, 30)],
                         ids=["new-year-morning", "early-january", "late-december",
                              "during-the-week", "june", "before-the-week", "first-morning"])
def test_the_demo_ledger_loads_at_any_time_of_the_year(ctx, make_department, make_user, now):
    unit = make_department("区政府办公室")
    section = make_department("法制科", unit)
    service = make_department("区政务服务中心")
    make_user("admin", roles=("admin", "staff"), department_id=section)
    make_user("staff01", department_id=make_department("综合科", unit))
    make_user("staff02", department_id=make_department("审批一科", service))

    counts = load_outreach_demo(now=now)
    db.session.commit()
    today = local_today(now)
    year = today.year
    found = campaigns_by_title()
    this = found[f"{year}年宪法宣传周"]
    assert (this.starts_on, this.ends_on) == (date(year, 12, 1), date(year, 12, 7))
    assert found[f"{year - 1}年宪法宣传周"].ends_on < today
    month = next(c for title, c in found.items() if title.endswith("民法典宣传月"))
    assert month.ends_on < today

    events = all_events()
    assert counts["outreach_events"] == len(events) >= 12
    assert all(e.ends_at >= e.starts_at for e in events)
    for event in events:
        assert event.created_at <= now
        if event.status != "draft":
            assert event.starts_at <= now and event.submitted_at <= now, event.title
        if event.verified_at is not None:
            assert event.verified_at <= now
        if event.campaign_id == this.id:
            day = event.starts_at.replace(tzinfo=UTC).astimezone(SHANGHAI).date()
            assert this.starts_on <= day <= this.ends_on, event.title
            if event.starts_at > now:
                assert event.status == "draft" and not event.photos, event.title
    assert all(p.captured_at <= now and p.uploaded_at <= now for e in events for p in e.photos)
    # The history reads as it happened: the audit entries carry the demo's times.
    stamps = db.session.scalars(select(AuditEntry.at).where(
        AuditEntry.action.like("outreach.%"))).all()
    assert len(stamps) > 30 and max(stamps) <= now
    # Without the library the laws are written out, so the dashboard still lists them.
    assert all(not e.laws for e in events)
    assert any("《中华人民共和国宪法》" in e.other_laws for e in events)
    assert db.session.scalar(select(func.count()).select_from(OutreachPhoto)) == \
        counts["outreach_photos"] >= 10
    # No question bank here: the stall quiz is simply left out.
    assert counts["stall_entries"] == 0 and db.session.scalar(select(StallQuiz)) is None
    progress = campaign_progress(this)
    assert progress.categories_missing and progress.units_missing


def test_a_demo_photo_is_drawn_the_same_each_time_with_its_capture_time(ctx):
    taken = datetime(2026, 12, 2, 14, 40, tzinfo=SHANGHAI)
    first = demo_photo("2026年“宪法宣传周”宪法进社区", "stall", taken, random.Random(7))
    assert first == demo_photo("2026年“宪法宣传周”宪法进社区", "stall", taken, random.Random(7))
    assert first != demo_photo("2026年“宪法宣传周”宪法进社区", "stall", taken, random.Random(8))
    with Image.open(io.BytesIO(first)) as image:
        assert (image.format, image.size) == ("JPEG", (1280, 853))
        assert capture_time(image) == datetime(2026, 12, 2, 6, 40)  # naive UTC
    for scene in ("boards", "meeting", "classroom"):
        assert demo_photo("宪法进校园", scene, taken, random.Random(1)).startswith(b"\xff\xd8")
