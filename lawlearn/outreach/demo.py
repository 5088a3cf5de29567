"""Demo outreach ledger (普法台账): last year's 宪法宣传周 with its events all verified, this
year's copied from it (before the week: planned drafts; once under way some verified, one
submitted, one draft with an open stall quiz, gaps left on purpose), a 民法典宣传月 in May
and one event outside any campaign (the events themselves: :mod:`demo_events`).
Photos are drawn here with Pillow and uploaded through :func:`photos.add_photo`, so they
are checked, converted and thumbnailed like real uploads.

Every date is relative to ``now`` (naive UTC; today's local date decides the years), so the
demo makes sense whenever it is loaded, and everything random comes from a seeded ``rng``.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lawlearn.accounts.models import AuditEntry, Department, Role, User
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law
from lawlearn.localtime import local_moment, local_zone
from lawlearn.outreach import campaigns, photos, services, stall
from lawlearn.outreach.access import leads_department
from lawlearn.outreach.categories import ensure_categories
from lawlearn.outreach.demo_events import (
    CIVIL_CODE,
    CIVIL_CODE_MONTH,
    CONSTITUTION,
    CONSTITUTION_WEEK,
    DemoEvent,
    last_year_events,
    loose_event,
    may_events,
    this_year_events,
)
from lawlearn.outreach.demo_photos import demo_photo
from lawlearn.outreach.models import Campaign, OutreachEvent, OutreachPhoto, StallQuiz
from lawlearn.outreach.services import EventFields

# --- loading -------------------------------------------------------------------------------------


class _Ledger:
    """What the loader needs: people, departments, categories and laws, looked up once."""

    def __init__(self, now: datetime, rng: random.Random) -> None:
        self.now, self.rng = now, rng
        self.zone = local_zone()
        people = list(db.session.scalars(
            select(User).where(User.active.is_(True)).options(selectinload(User.role_rows))
            .order_by(User.username)))
        self.admin = next((u for u in people if u.username == "admin"), None) or \
            next((u for u in people if u.is_admin), None)
        self.people = people
        self.departments = {d.name: d for d in db.session.scalars(select(Department))}
        self.categories = {c.name: c for c in ensure_categories()}
        self.laws = {law.title: law for law in db.session.scalars(
            select(Law).where(Law.title.in_([CONSTITUTION, CIVIL_CODE]),
                              Law.is_current.is_(True)).order_by(Law.id))}
        self.photos = 0

    def utc(self, day: date, at: tuple[int, int]) -> datetime:
        local = datetime.combine(day, time(*at), tzinfo=self.zone)
        return local.astimezone(UTC).replace(tzinfo=None)

    def local(self, moment: datetime) -> datetime:
        return local_moment(moment)

    def clock(self, moment: datetime) -> datetime:
        """Workflow times never run ahead of ``now``."""
        return min(moment, self.now)

    def author(self, department: Department) -> User:
        """The first ordinary staff member of the section (the lead submits), else the admin."""
        assert self.admin is not None  # nosec B101 - narrows the type; demo only
        return next((u for u in self.people if u.department_id == department.id
                     and not u.has_role(Role.ADMIN, Role.LEADER, Role.DEPT_LEAD)), self.admin)

    def submitter(self, event: OutreachEvent) -> User:
        assert self.admin is not None  # nosec B101 - narrows the type; demo only
        return next((u for u in self.people
                     if leads_department(u, event.department)), self.admin)

    def add(self, item: DemoEvent, campaign: Campaign | None) -> OutreachEvent:
        assert self.admin is not None  # nosec B101 - narrows the type; demo only
        department = self.departments.get(item.section) or self.admin.department
        if department is None:
            department = next(iter(self.departments.values()))
        author = self.author(department)
        starts_at = self.utc(item.day, item.start)
        ends_at = starts_at + timedelta(hours=item.hours)
        law_ids = [self.laws[t].id for t in item.laws if t in self.laws]
        # A law the library lacks is written out, as staff would.
        missing = "、".join(f"《{t}》" for t in item.laws if t not in self.laws)
        other_laws = "、".join(text for text in (missing, item.other_laws) if text)
        fields = EventFields(
            title=item.title, starts_at=starts_at, ends_at=ends_at,
            category_id=self.categories[item.category].id, department_id=department.id,
            place=item.place, campaign_id=campaign.id if campaign else None,
            partner_units=item.partners, law_ids=law_ids, other_laws=other_laws,
            audiences=list(item.audiences), channel=item.channel,
            participants=item.participants, volunteers=item.volunteers,
            consultations=item.consultations, online_views=item.online_views,
            materials=list(item.materials), summary=item.summary, follow_up=item.follow_up)
        # Not begun yet: a planned draft without photos; not over yet: still a draft.
        planned = starts_at > self.now
        logged = self.clock(starts_at - timedelta(days=3) if planned
                            else ends_at + timedelta(hours=2))
        event = services.create_event(author, fields, logged)
        for number, (scene, banner, caption) in enumerate(() if planned else item.photos):
            captured = self.local(starts_at) + timedelta(minutes=10 + number * 25
                                                         + self.rng.randint(0, 9))
            if captured.astimezone(UTC).replace(tzinfo=None) > self.now:
                break  # no photo from the future
            data = demo_photo(banner, scene, captured, self.rng)
            name = captured.strftime("IMG_%Y%m%d_%H%M%S.jpg")
            photo = photos.add_photo(author, event, name, data, logged)
            photo.caption = caption
            self.photos += 1
            if item.featured and number == 0:
                photos.set_featured(self.admin, photo, True)
        if ends_at > self.now:
            return event
        if item.status in ("submitted", "verified"):
            services.submit_event(self.submitter(event), event,
                                  self.clock(ends_at + timedelta(hours=20)))
        if item.status == "verified":
            services.verify_event(self.admin, event, self.clock(ends_at + timedelta(days=2)))
        return event

    def stall_quiz(self, event: OutreachEvent, entries: int) -> int:
        """Open the event's stall quiz and let ``entries`` phones answer it; the number of
        entries made (none when the bank lacks questions)."""
        if event.starts_at >= self.now:
            return 0  # not begun: no quiz yet, and no answers from the future
        opened_at = event.starts_at
        try:
            quiz = stall.open_stall_quiz(self.admin, event, now=opened_at, count=5,
                                         rng=self.rng)
        except ValidationFailed:
            return 0
        secret = str(current_app.secret_key or "demo")
        made = 0
        for number in range(entries):
            answers: dict[str, object] = {}
            for qid, snapshot in zip(quiz.question_ids, quiz.snapshots, strict=True):
                right = self.rng.random() < 0.8
                if snapshot["type"] == "true_false":
                    answers[str(qid)] = snapshot["answer"] if right else not snapshot["answer"]
                else:
                    keys = [option["key"] for option in snapshot["options"]]
                    wrong = [key for key in keys if key != snapshot["answer"]] or keys
                    answers[str(qid)] = snapshot["answer"] if right else self.rng.choice(wrong)
            # Between the quiz's opening and now: spread out if it opened only minutes ago.
            at = opened_at + min(timedelta(minutes=15 + number * 7),
                                 (self.now - opened_at) * (number + 1) / (entries + 1))
            key = stall.device_key(secret, f"demo-phone-{number}-{self.rng.random()}")
            _entry, new = stall.submit_entry(quiz, answers, key, None, at)
            made += int(new)
        return made


def _date_audit_entries(after_id: int) -> None:
    """Give the audit entries the demo wrote the times of what they record (the services
    stamp them with the clock), so an event's history reads as it happened."""
    entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.id > after_id)))
    ids: dict[str, set[int]] = {}
    for entry in entries:
        ids.setdefault(entry.target_type, set()).add(entry.target_id or 0)
    events = {e.id: e for e in db.session.scalars(select(OutreachEvent).where(
        OutreachEvent.id.in_(ids.get(OutreachEvent.__tablename__, set()))))}
    uploads = {photo_id: at for photo_id, at in db.session.execute(
        select(OutreachPhoto.id, OutreachPhoto.uploaded_at).where(
            OutreachPhoto.event_id.in_(list(events))))}
    created = {**{(Campaign.__tablename__, c.id): c.created_at for c in db.session.scalars(
        select(Campaign).where(Campaign.id.in_(ids.get(Campaign.__tablename__, set()))))},
               **{(StallQuiz.__tablename__, q.id): q.created_at for q in db.session.scalars(
                   select(StallQuiz).where(StallQuiz.id.in_(ids.get(StallQuiz.__tablename__,
                                                                    set()))))}}
    for entry in entries:
        event = events.get(entry.target_id or 0) \
            if entry.target_type == OutreachEvent.__tablename__ else None
        when = created.get((entry.target_type, entry.target_id or 0))
        if event is not None:
            reviewed = event.verified_at or event.submitted_at or event.created_at
            when = {"outreach.event.create": event.created_at,
                    "outreach.event.submit": event.submitted_at,
                    "outreach.event.verify": event.verified_at,
                    "outreach.photo.add": uploads.get((entry.details or {}).get("photo_id")),
                    "outreach.photo.feature": reviewed - timedelta(minutes=5)}.get(entry.action)
        if when is not None:
            entry.at = when


def load_outreach_demo(now: datetime | None = None,
                       rng: random.Random | None = None) -> dict[str, int]:
    """Create the demo ledger; ``now`` (naive UTC) decides every date. Needs the demo
    office's people and departments (:func:`lawlearn.demo.load_demo` makes them first)."""
    now = now or utcnow()
    rng = rng or random.Random(1204)  # nosec B311 - repeatable demo data
    ledger = _Ledger(now, rng)
    audited = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    if ledger.admin is None:
        return {"outreach_events": 0, "campaigns": 0, "outreach_photos": 0}
    today = ledger.local(now).date()
    year = today.year
    events = 0

    last = campaigns.create_campaign(ledger.admin, campaigns.CampaignFields(
        title=f"{year - 1}年宪法宣传周", starts_on=date(year - 1, 12, 1),
        ends_on=date(year - 1, 12, 7), description=CONSTITUTION_WEEK,
        targets={"events": 8, "participants": 1200, "materials": 5000, "departments": 2,
                 "categories": 5}), ledger.clock(ledger.utc(date(year - 1, 11, 20), (10, 0))))
    for item in last_year_events(year - 1):
        ledger.add(item, last)
        events += 1

    # 民法典宣传月: the latest May that is over (last year's before June).
    may_year = year if today >= date(year, 6, 1) else year - 1
    month = campaigns.create_campaign(ledger.admin, campaigns.CampaignFields(
        title=f"{may_year}年民法典宣传月", starts_on=date(may_year, 5, 1),
        ends_on=date(may_year, 5, 31), description=CIVIL_CODE_MONTH,
        targets={"events": 4, "participants": 600, "materials": 2000, "departments": 2,
                 "categories": 3}), ledger.utc(date(may_year, 4, 25), (10, 0)))
    for item in may_events(may_year):
        ledger.add(item, month)
        events += 1
    ledger.add(loose_event(today - timedelta(days=45)), None)
    events += 1

    current = campaigns.copy_campaign(
        ledger.admin, last, ledger.clock(ledger.utc(date(year, 11, 10), (9, 0))))
    stall_entries = 0
    for item in this_year_events(year, (current.starts_on, current.ends_on), today):
        event = ledger.add(item, current)
        events += 1
        if item.status == "draft" and event.status == "draft":
            stall_entries = ledger.stall_quiz(event, 4)
    db.session.flush()
    _date_audit_entries(audited)
    db.session.flush()
    return {"outreach_events": events, "campaigns": 3, "outreach_photos": ledger.photos,
            "stall_entries": stall_entries}
