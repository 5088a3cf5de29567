"""Answers faster than a person can read the question earn nothing and are flagged; the
admin's report lists the accounts with machine-like timing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from statistics import median
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from lawlearn.accounts.models import Department, User
from lawlearn.exports import csv_bytes, local_time
from lawlearn.extensions import db
from lawlearn.localtime import day_bounds
from lawlearn.pagination import Page, page_count
from lawlearn.practice.models import (
    ChallengeAnswer,
    ChallengeRun,
    DailySet,
    DailySetItem,
    TimingFlag,
)
from lawlearn.quiz.models import Attempt, AttemptItem
from lawlearn.rounding import percent_text
from lawlearn.settings import get_settings


def reading_floors_ms(snapshots: list[dict[str, Any]]) -> int:
    """The least time in which a person can read these questions and their options (the
    settings are read once, whatever the number of questions)."""
    settings = get_settings("practice.floor_base_ms", "practice.floor_ms_per_char")
    characters = sum(len(snapshot.get("stem", "")) + sum(
        len(option.get("text", "")) for option in snapshot.get("options", []))
        for snapshot in snapshots)
    return int(settings["practice.floor_base_ms"] * len(snapshots)
               + settings["practice.floor_ms_per_char"] * characters)


def reading_floor_ms(snapshot: dict[str, Any]) -> int:
    """The least time in which a person can read the question and its options."""
    return reading_floors_ms([snapshot])


def check_timing(user_id: int, question_id: int, snapshot: dict[str, Any], shown_at: datetime,
                 answered_at: datetime, context: str) -> tuple[int, bool]:
    """(elapsed ms, too fast); a too-fast answer is recorded as a flag for the admin."""
    return _flag_if_too_fast(user_id, question_id, context, shown_at, answered_at,
                             reading_floor_ms(snapshot))


def check_attempt_timing(user_id: int, snapshots: list[dict[str, Any]], started_at: datetime,
                         submitted_at: datetime, context: str) -> tuple[int, bool]:
    """(elapsed ms, too fast) for a whole attempt answered at its own pace (a quiz, whose
    answers are saved in any order): its time against the sum of the floors of the
    questions answered in it. A too-fast attempt is one flag, about no single question."""
    return _flag_if_too_fast(user_id, None, context, started_at, submitted_at,
                             reading_floors_ms(snapshots) if snapshots else 0)


def _flag_if_too_fast(user_id: int, question_id: int | None, context: str, since: datetime,
                      until: datetime, floor: int) -> tuple[int, bool]:
    """(elapsed ms, too fast); a too-fast answer is recorded as a flag for the admin."""
    elapsed = max(0, int((until - since).total_seconds() * 1000))
    too_fast = elapsed < floor
    if too_fast:
        db.session.add(TimingFlag(user_id=user_id, question_id=question_id, context=context,
                                  elapsed_ms=elapsed, floor_ms=floor, created_at=until))
    return elapsed, too_fast


# --- the admin's report: accounts with machine-like timing --------------------------------


@dataclass(frozen=True)
class TimingRow:
    user_id: int
    name: str
    username: str
    department: str | None
    flagged: int
    answered: int  # daily-set items, challenge answers and graded quiz items of the period
    last_flag: datetime
    median_elapsed_ms: int | None = None  # of the flagged answers
    median_floor_ms: int | None = None

    @property
    def share(self) -> float | None:
        """Flagged answers as a share of answered ones (None when none are counted)."""
        return min(1.0, self.flagged / self.answered) if self.answered else None


def _report_query(start: datetime, end: datetime):
    flags = (select(TimingFlag.user_id, func.count(TimingFlag.id).label("flagged"),
                    func.max(TimingFlag.created_at).label("last_flag"))
             .where(TimingFlag.created_at >= start, TimingFlag.created_at < end)
             .group_by(TimingFlag.user_id).subquery())
    flagged_users = select(flags.c.user_id)
    daily = (select(DailySet.user_id, func.count(DailySetItem.id).label("answered"))
             .join(DailySetItem, DailySetItem.set_id == DailySet.id)
             .where(DailySet.user_id.in_(flagged_users), DailySetItem.answered_at >= start,
                    DailySetItem.answered_at < end)
             .group_by(DailySet.user_id).subquery())
    challenge = (select(ChallengeRun.user_id, func.count(ChallengeAnswer.id).label("answered"))
                 .join(ChallengeAnswer, ChallengeAnswer.run_id == ChallengeRun.id)
                 .where(ChallengeRun.user_id.in_(flagged_users),
                        ChallengeAnswer.answered_at >= start, ChallengeAnswer.answered_at < end)
                 .group_by(ChallengeRun.user_id).subquery())
    # Quiz items count once their attempt is graded (a quiz attempt is timed at submission).
    quiz = (select(Attempt.user_id, func.count(AttemptItem.id).label("answered"))
            .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
            .where(Attempt.user_id.in_(flagged_users), Attempt.submitted_at.is_not(None),
                   AttemptItem.answered_at >= start, AttemptItem.answered_at < end)
            .group_by(Attempt.user_id).subquery())
    parent = aliased(Department)
    answered = (func.coalesce(daily.c.answered, 0) + func.coalesce(challenge.c.answered, 0)
                + func.coalesce(quiz.c.answered, 0))
    return (select(flags.c.user_id, flags.c.flagged, flags.c.last_flag, answered.label("answered"),
                   User.name, User.username, parent.name.label("unit"),
                   Department.name.label("section"))
            .join(User, User.id == flags.c.user_id)
            .outerjoin(Department, Department.id == User.department_id)
            .outerjoin(parent, parent.id == Department.parent_id)
            .outerjoin(daily, daily.c.user_id == flags.c.user_id)
            .outerjoin(challenge, challenge.c.user_id == flags.c.user_id)
            .outerjoin(quiz, quiz.c.user_id == flags.c.user_id)
            .order_by(flags.c.flagged.desc(), flags.c.last_flag.desc(), flags.c.user_id)), flags


def _with_medians(rows, start: datetime, end: datetime) -> list[TimingRow]:
    """Rows with the median elapsed time and floor of each person's flagged answers (one
    query for all of them)."""
    ids = [row.user_id for row in rows]
    samples: dict[int, tuple[list[int], list[int]]] = {uid: ([], []) for uid in ids}
    if ids:
        for user_id, elapsed, floor in db.session.execute(
                select(TimingFlag.user_id, TimingFlag.elapsed_ms, TimingFlag.floor_ms).where(
                    TimingFlag.user_id.in_(ids), TimingFlag.created_at >= start,
                    TimingFlag.created_at < end)):
            samples[user_id][0].append(elapsed)
            samples[user_id][1].append(floor)
    result = []
    for row in rows:
        elapsed, floors = samples[row.user_id]
        department = f"{row.unit}/{row.section}" if row.unit and row.section else row.section
        result.append(TimingRow(
            row.user_id, row.name, row.username, department, int(row.flagged),
            int(row.answered), row.last_flag,
            int(median(elapsed)) if elapsed else None, int(median(floors)) if floors else None))
    return result


def timing_report(date_from: date, date_to: date, *, page: int = 1,
                  per_page: int = 20) -> Page:
    """People with too-fast answers in the period, most flags first: one page, in three
    queries whatever the number of people or answers."""
    start, end = day_bounds(date_from, date_to)
    query, flags = _report_query(start, end)
    total = db.session.scalar(select(func.count()).select_from(flags)) or 0
    pages = page_count(total, per_page)
    page = min(max(1, page), pages)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(_with_medians(rows, start, end), page, pages, total)


def timing_report_rows(date_from: date, date_to: date) -> list[TimingRow]:
    """Every row of the report (for the CSV export), in two queries."""
    start, end = day_bounds(date_from, date_to)
    query, _flags = _report_query(start, end)
    return _with_medians(db.session.execute(query).all(), start, end)


def export_timing_csv(rows: list[TimingRow], date_from: date, date_to: date) -> bytes:
    """The report as CSV; every row names its period."""
    period = _("%(start)s 至 %(end)s", start=date_from.isoformat(), end=date_to.isoformat())
    table: list[list[Any]] = [[_("统计期间"), _("姓名"), _("用户名"), _("部门"), _("被标记答题"),
                               _("作答题数"), _("标记占比"), _("被标记答题用时中位数（毫秒）"),
                               _("阅读下限中位数（毫秒）"), _("最近一次标记")]]
    for row in rows:
        table.append([period, row.name, row.username, row.department or _("未分配部门"),
                      row.flagged, row.answered,
                      percent_text(row.share),
                      row.median_elapsed_ms, row.median_floor_ms, local_time(row.last_flag)])
    return csv_bytes(table)
