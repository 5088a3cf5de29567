"""Who a plan is for, how far each person is, what to do next, study hours. No HTTP here.

Progress is computed from what the other domains record (studied articles, attempts,
attendance, daily sets) through the item kinds, so it can never drift from them. The first
time a person's item is seen done, ``sync_completions`` stamps it and pays its points.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lawlearn.accounts.models import Department, User, UserRole, studies_condition
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.localtime import day_bounds, local_day
from lawlearn.plans.kind_base import PENDING, ItemState, not_owed_state, owes
from lawlearn.plans.kinds import item_states
from lawlearn.plans.models import Plan, PlanAudience, PlanItem, PlanItemProgress
from lawlearn.practice.points import award
from lawlearn.quiz.services import attempt_settled
from lawlearn.rounding import half_up
from lawlearn.sessions.services import attendance_recorded

# --- audience -----------------------------------------------------------------------------


def audience_condition(user: User):
    """SQL: plans whose audience includes ``user`` (a department includes its sections);
    none for an account that does not study (no 干部职工 role), and none that ended before
    the person joined (``User.joined_at``, as ``audience_users_query`` counts)."""
    if not user.studies:
        return false()
    joined = user.joined_at  # None until the new account is flushed
    current = true() if joined is None else Plan.ends_on >= local_day(joined)
    department_ids = [user.department_id] if user.department_id else []
    if user.department is not None and user.department.parent_id:
        department_ids.append(user.department.parent_id)
    roles = sorted(user.roles)
    targeted = select(PlanAudience.plan_id).where(or_(
        PlanAudience.user_id == user.id,
        PlanAudience.department_id.in_(department_ids) if department_ids else False,
        PlanAudience.role.in_(roles) if roles else False))
    return and_(current, or_(Plan.audience_all.is_(True), Plan.id.in_(targeted)))


def audience_users_query(plan: Plan):
    """SQL: the active people a plan is for, among those who study (the 干部职工 role),
    who joined by the plan's last day: a closed plan's figures stay as they
    were when new staff join."""
    _start, after_last_day = day_bounds(plan.ends_on, plan.ends_on)
    query = select(User).where(User.active.is_(True), studies_condition(),
                               User.joined_at < after_last_day)
    if plan.audience_all:
        return query
    department_ids = [a.department_id for a in plan.audience if a.department_id]
    user_ids = [a.user_id for a in plan.audience if a.user_id]
    roles = [a.role for a in plan.audience if a.role]
    sections = select(Department.id).where(Department.parent_id.in_(department_ids))
    with_role = select(UserRole.user_id).where(UserRole.role.in_(roles))
    return query.where(or_(User.id.in_(user_ids), User.department_id.in_(department_ids),
                           User.department_id.in_(sections), User.id.in_(with_role)))


def plans_for(user: User, now: datetime) -> list[Plan]:
    """Published plans for ``user`` that have not ended, with their items (two queries)."""
    today = local_day(now)
    return list(db.session.scalars(
        select(Plan).where(Plan.status == "published", Plan.ends_on >= today,
                           audience_condition(user))
        .options(selectinload(Plan.items), selectinload(Plan.stages))
        .order_by(Plan.starts_on, Plan.id)))


def _ran_during(windows: list[tuple[date, date]]):
    """SQL: published or closed plans whose period overlaps one of ``windows``."""
    return and_(Plan.status.in_(("published", "closed")),
                or_(*[and_(Plan.starts_on <= last, Plan.ends_on >= first)
                      for first, last in windows]))


# --- one person's progress ------------------------------------------------------------------


@dataclass
class ItemProgress:
    item: PlanItem
    state: ItemState
    overdue: bool
    owed: bool = True  # not due before the person joined (kind_base.owes)

    @property
    def done(self) -> bool:
        return self.state.done


@dataclass
class PlanProgress:
    plan: Plan
    items: list[ItemProgress] = field(default_factory=list)
    # The person's study hours over the plan's period (see fill_hours): what the plan's
    # required hours are measured against. 0 until filled.
    hours_earned: float = 0.0

    @property
    def required(self) -> list[ItemProgress]:
        return [entry for entry in self.items if entry.item.required and entry.owed]

    @property
    def done_count(self) -> int:
        return sum(1 for entry in self.required if entry.done)

    @property
    def percent(self) -> int:
        required = self.required
        return int(half_up(100 * self.done_count / len(required), 0)) if required else 100


def is_overdue(item: PlanItem, state: ItemState, today: date) -> bool:
    """Past its due date (the office's local day) and still up to the person: a reflection
    submitted in time and waiting for its reviewer is not overdue."""
    return state.to_do and item.due_on is not None and item.due_on < today


def joined_day(user: User) -> date | None:
    """The local day ``user`` joined (None for an account not flushed yet)."""
    return local_day(user.joined_at) if user.joined_at is not None else None


def item_progress(item: PlanItem, state: ItemState, joined: date | None,
                  today: date) -> ItemProgress:
    """An item as it stands for someone who joined on ``joined``: one due before is not
    theirs (kind_base.owes) unless they did it anyway."""
    owed = owes(item, joined, state)
    if not owed and not state.done:
        state = not_owed_state(item, state)
    return ItemProgress(item, state, is_overdue(item, state, today), owed)


def progress_for(user: User, now: datetime, plans: list[Plan] | None = None) -> list[PlanProgress]:
    plans = plans_for(user, now) if plans is None else plans
    items = [item for plan in plans for item in plan.items]
    states = item_states(items, [user.id], now)
    today, joined = local_day(now), joined_day(user)
    result = []
    for plan in plans:
        entries = [item_progress(item, states.get((item.id, user.id), PENDING), joined, today)
                   for item in plan.items]
        result.append(PlanProgress(plan, entries))
    return result


def next_up(progress: list[PlanProgress], limit: int = 3) -> list[ItemProgress]:
    """Items still up to the person across plans (not done, not waiting for a reviewer, not
    excused): overdue first, then by due date, undated last."""
    todo = [entry for plan in progress for entry in plan.items if entry.state.to_do
            and entry.state.status != "excused"]
    todo.sort(key=lambda e: (not e.overdue, e.item.due_on is None, e.item.due_on or date.max,
                             not e.item.required, e.item.plan_id, e.item.position, e.item.id))
    return todo[:limit]


def synced_progress(user: User, now: datetime, *, year: int | None = None) -> list[PlanProgress]:
    """``user``'s progress on their current plans (as ``progress_for``), after stamping
    items newly seen done in those and in every published or closed plan of theirs that
    ran since the start of last year (and during ``year``, when given).

    Items are stamped only when a page looks: without the catch-up, an item done just
    before its plan ended or was closed would never reach the study hours ledger nor pay
    its points. Its stamp is the moment it was done, not this one. The same queries as
    ``progress_for`` followed by ``sync_completions``, whatever the number of plans.
    """
    today = local_day(now)
    windows = [(date(today.year - 1, 1, 1), today)]
    if year is not None:
        windows.append((date(year, 1, 1), date(year, 12, 31)))
    current = and_(Plan.status == "published", Plan.ends_on >= today)
    plans = list(db.session.scalars(
        select(Plan).where(or_(current, _ran_during(windows)), audience_condition(user))
        .options(selectinload(Plan.items), selectinload(Plan.stages))
        .order_by(Plan.starts_on, Plan.id)))
    progress = progress_for(user, now, plans)
    sync_completions(user, progress, now)
    return [entry for entry in progress
            if entry.plan.status == "published" and entry.plan.ends_on >= today]


@attempt_settled.connect
def _settle_after_a_quiz(attempt) -> None:
    """A quiz handed in — by its taker, or at its deadline with nobody there — may finish the
    plan items that ask for it: stamped and paid now, dated when done, not when the person
    next opens a page (a period already reported would see its 积分 grow later). A session
    attended through its exit quiz comes through attendance_recorded."""
    if _in_a_plan("quiz", "quiz_id", attempt.quiz_id):
        _settle(attempt.user_id)


@attendance_recorded.connect
def _settle_after_attendance(_sender, *, user_id: int, **details) -> None:
    """A check-in (by QR, code, the API or an exit quiz passed) or an admin's mark may finish
    a plan item "attend this session": stamped and paid now, dated at the session."""
    if _in_a_plan("session", "session_id", details["session_id"]):
        _settle(user_id)


def _in_a_plan(kind: str, key: str, record_id: int) -> bool:
    """Whether an item of a plan that synced_progress looks at (not a draft, running since
    the start of last year) asks for this quiz or session: one small read (items' settings
    are JSON, matched here; ids compared as text, as kinds.py reads them with int()), so
    that a check-in in a 300-person hall outside every plan pays for no more."""
    since = date(local_day(utcnow()).year - 1, 1, 1)
    rows = db.session.scalars(select(PlanItem.settings).join(Plan).where(
        PlanItem.kind == kind, Plan.status != "draft", Plan.ends_on >= since))
    return any(str((settings or {}).get(key)) == str(record_id) for settings in rows)


def _settle(user_id: int) -> None:
    db.session.flush()
    person = db.session.get(User, user_id)
    if person is not None:
        synced_progress(person, utcnow())


def sync_completions(user: User, progress: list[PlanProgress], now: datetime) -> int:
    """Stamp items newly seen done and pay their points once; returns how many. An item
    stamped before and no longer done (an article's 已学 mark taken back, an item's
    requirement raised) loses its stamp: the hours it earned leave the ledger, as they
    leave the participation report, which reads the items' states. Points paid stay paid,
    and are not paid twice when it is done again."""
    entries = {entry.item.id: entry for plan in progress for entry in plan.items}
    done = {item_id: entry for item_id, entry in entries.items() if entry.done}
    # One query, even with nothing done: a page's queries do not depend on anyone's progress
    # (tests/test_page_queries.py compares two offices whose people stand differently).
    rows = {row.item_id: row for row in db.session.scalars(select(PlanItemProgress).where(
        PlanItemProgress.user_id == user.id, PlanItemProgress.item_id.in_(list(entries)),
        or_(PlanItemProgress.item_id.in_(list(done)),
            PlanItemProgress.completed_at.is_not(None))))}
    for item_id, row in rows.items():
        if row.completed_at is not None and item_id not in done:
            row.completed_at = None
    count = 0
    for item_id, entry in done.items():
        row = rows.get(item_id)
        if row is not None and row.completed_at is not None:
            continue  # stamped already
        when = entry.state.done_at or now
        if row is None:
            try:
                with db.session.begin_nested():
                    db.session.add(PlanItemProgress(item_id=item_id, user_id=user.id,
                                                    completed_at=when))
            except IntegrityError:
                continue  # another request stamped it
        else:
            row.completed_at = when
        if entry.item.points:
            # Dated when the item was done, as its stamp is: an item done in October counts
            # in October's points, whenever a page first noticed it.
            award(user.id, "plan_item", f"plan_item:{item_id}", when, units=entry.item.points)
        count += 1
    return count


# --- study hours (学时) ---------------------------------------------------------------------


@dataclass
class HoursRow:
    user_id: int
    plan_hours: float
    session_hours: float

    @property
    def total(self) -> float:
        # Rounded once, on the sum, as the report rounds it (四舍五入).
        return half_up(self.plan_hours + self.session_hours)


def hours_between(first: date, last: date, user_ids: list[int] | None,
                  now: datetime) -> dict[int, HoursRow]:
    """Study hours per person over the local days ``first`` to ``last``: plan items done in
    the period, of any plan that ran during it (session items are counted through the
    session itself), and sessions attended (present or late): what the participation
    report counts. Two queries whatever the number of people."""
    from lawlearn.sessions.models import Attendance, StudySession, checkin_closed

    start, end = day_bounds(first, last)
    rows: dict[int, HoursRow] = {}
    plan_hours = db.session.execute(
        select(PlanItemProgress.user_id, func.sum(PlanItem.hours))
        .join(PlanItem, PlanItem.id == PlanItemProgress.item_id)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(PlanItemProgress.completed_at >= start, PlanItemProgress.completed_at < end,
               PlanItem.kind != "session", Plan.starts_on <= last, Plan.ends_on >= first,
               PlanItemProgress.user_id.in_(user_ids) if user_ids is not None else True)
        .group_by(PlanItemProgress.user_id))
    for user_id, hours in plan_hours:
        rows[user_id] = HoursRow(user_id, float(hours or 0), 0.0)
    session_hours = db.session.execute(
        select(Attendance.user_id, func.sum(StudySession.study_hours))
        .join(StudySession, StudySession.id == Attendance.session_id)
        .where(Attendance.status.in_(("present", "late")), StudySession.starts_at >= start,
               StudySession.starts_at < end, StudySession.cancelled_at.is_(None),
               checkin_closed(now),
               Attendance.user_id.in_(user_ids) if user_ids is not None else True)
        .group_by(Attendance.user_id))
    for user_id, hours in session_hours:
        row = rows.setdefault(user_id, HoursRow(user_id, 0.0, 0.0))
        row.session_hours = float(hours or 0)
    return rows


def hours_ledger(year: int, user_ids: list[int] | None, now: datetime) -> dict[int, HoursRow]:
    """Study hours per person for a calendar year (see hours_between)."""
    return hours_between(date(year, 1, 1), date(year, 12, 31), user_ids, now)


def fill_hours(user: User, progress: list[PlanProgress], now: datetime) -> None:
    """Set each plan's ``hours_earned``: ``user``'s study hours over the plan's period, as
    hours_between counts them (so that an annual plan shows what 我的学时 shows for its
    year). Two queries for all the plans; counts items already stamped done, so callers
    sync completions first."""
    from lawlearn.sessions.models import Attendance, StudySession, checkin_closed

    if not progress:
        return
    bounds = {entry.plan.id: day_bounds(entry.plan.starts_on, entry.plan.ends_on)
              for entry in progress}
    start = min(first for first, _last in bounds.values())
    end = max(last for _first, last in bounds.values())
    done = db.session.execute(
        select(PlanItemProgress.completed_at, PlanItem.hours, Plan.starts_on, Plan.ends_on)
        .join(PlanItem, PlanItem.id == PlanItemProgress.item_id)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(PlanItemProgress.user_id == user.id, PlanItemProgress.completed_at >= start,
               PlanItemProgress.completed_at < end, PlanItem.kind != "session",
               PlanItem.hours > 0)).all()
    attended = db.session.execute(
        select(StudySession.starts_at, StudySession.study_hours)
        .join(Attendance, Attendance.session_id == StudySession.id)
        .where(Attendance.user_id == user.id, Attendance.status.in_(("present", "late")),
               StudySession.starts_at >= start, StudySession.starts_at < end,
               StudySession.cancelled_at.is_(None), StudySession.study_hours > 0,
               checkin_closed(now))).all()
    for entry in progress:
        first, last = bounds[entry.plan.id]
        period = entry.plan.starts_on, entry.plan.ends_on
        row = HoursRow(user.id,
                       sum(float(h) for when, h, starts, ends in done
                           if first <= when < last and starts <= period[1]
                           and ends >= period[0]),
                       sum(float(h) for when, h in attended if first <= when < last))
        entry.hours_earned = row.total


def item_hours(items: list[PlanItem]) -> dict[int, float]:
    """item id → the study hours it brings, as the ledger counts them: its own, but for a
    session item its session's (attending counts, not the item; none when cancelled). One
    query when there are session items, none otherwise."""
    from lawlearn.sessions.models import StudySession

    session_ids = {int(item.settings.get("session_id") or 0) for item in items
                   if item.kind == "session"} - {0}
    sessions = dict(db.session.execute(
        select(StudySession.id, StudySession.study_hours).where(
            StudySession.id.in_(session_ids), StudySession.cancelled_at.is_(None))).all()) \
        if session_ids else {}
    return {item.id: float(sessions.get(int(item.settings.get("session_id") or 0)) or 0)
            if item.kind == "session" else float(item.hours or 0) for item in items}


def required_hours(user: User, year: int) -> float:
    """The most any of the year's published plans for ``user`` asks for."""
    return float(db.session.scalar(select(func.max(Plan.required_hours)).where(
        Plan.status.in_(("published", "closed")), audience_condition(user),
        and_(Plan.starts_on <= date(year, 12, 31), Plan.ends_on >= date(year, 1, 1)))) or 0)
