"""Item kinds: each says, for many items and people at once, who has done what.

A kind plugs into the plan engine through one small interface (kind_base.ItemKind):
``states(items, user_ids, now)`` returns the state of every (item, person) that is not
plain "pending", in a fixed number of queries whatever the number of people. Adding a
kind means adding a class here and its settings form; the engine, the matrix and the
reports do not change.

What a person did elsewhere in the site counts only from the plan's start (its first local
day): articles studied and quiz attempts submitted before then belong to earlier study, not
to this plan. Sessions are chosen per item, streaks have their own window, and what is done
on the item's own page (confirming, writing) is for the item itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import case, func, literal_column, select
from sqlalchemy.orm import aliased

from lawlearn.extensions import db
from lawlearn.plans.item_settings import DEFAULT_MIN_SECONDS, streak_window
from lawlearn.plans.kind_base import (
    BEFORE_ACCOUNT,
    ItemKind,
    ItemState,
    States,
    execute_union,
    item_column,
    plan_start,
    user_filter,
)
from lawlearn.plans.models import PlanItem, PlanItemProgress, Reflection


class ArticlesKind(ItemKind):
    """Read law articles: a chapter (division with its sections) or a range of numbers.

    settings: {"law_id", "division_id"} or {"law_id", "from_number", "to_number"}.
    """

    # A context: the session form's field of the same words is a list of articles.
    key, label = "articles", lazy_pgettext("plan item kind", "学习法条")

    def article_ids(self, items: list[PlanItem]) -> dict[int, set[int]]:
        return {item_id: ids for item_id, (ids, _rule) in self._selection(items).items()}

    def _selection(self, items: list[PlanItem]) -> dict[int, tuple[set[int], object]]:
        """Per item: its articles' ids, and SQL on LawArticle choosing the same articles
        (by law and number, or by the divisions they sit in: never a long id list)."""
        from lawlearn.library.models import LawArticle, LawDivision

        law_ids = {item.settings.get("law_id") for item in items}
        articles = db.session.execute(select(
            LawArticle.id, LawArticle.law_id, LawArticle.number, LawArticle.division_id)
            .where(LawArticle.law_id.in_(law_ids))).all()
        parents = dict(db.session.execute(select(LawDivision.id, LawDivision.parent_id)
                                          .where(LawDivision.law_id.in_(law_ids))).all())

        def within(division_id: int | None, wanted: int) -> bool:
            while division_id is not None:
                if division_id == wanted:
                    return True
                division_id = parents.get(division_id)
            return False

        result: dict[int, tuple[set[int], object]] = {}
        for item in items:
            s = item.settings
            if s.get("division_id"):
                chosen = [a for a in articles if a.law_id == s["law_id"]
                          and within(a.division_id, s["division_id"])]
                divisions = sorted({a.division_id for a in chosen})
                rule = (LawArticle.law_id == s["law_id"]) & LawArticle.division_id.in_(divisions)
            else:
                low, high = s.get("from_number") or 1, s.get("to_number") or 10 ** 6
                chosen = [a for a in articles if a.law_id == s["law_id"]
                          and low <= a.number <= high]
                rule = (LawArticle.law_id == s["law_id"]) & LawArticle.number.between(low, high)
            result[item.id] = ({a.id for a in chosen}, rule)
        return result

    def states(self, items, user_ids, now):
        from lawlearn.library.models import ArticleStudy, LawArticle

        selection = self._selection(items)
        # One aggregate per item, all in one statement: constant in the number of people
        # and in the number of items. Articles studied before the plan started do not count.
        parts = [
            select(item_column(item), ArticleStudy.user_id, func.count(),
                   func.max(ArticleStudy.studied_at))
            .join(LawArticle, LawArticle.id == ArticleStudy.article_id)
            .where(selection[item.id][1], ArticleStudy.studied_at >= plan_start(item),
                   user_filter(ArticleStudy.user_id, user_ids))
            .group_by(ArticleStudy.user_id)
            for item in items if selection[item.id][0]]
        states: States = {}
        for item_id, user_id, studied, last in execute_union(parts):
            total = len(selection[item_id][0])
            detail = f"{studied}/{total}"
            states[item_id, user_id] = ItemState("done", last, detail) \
                if studied >= total else ItemState("in_progress", None, detail)
        return states


def min_seconds(item: PlanItem) -> int:
    """An open-and-confirm item's minimum time; the admin form's default when unset."""
    return max(0, int(item.settings.get("min_seconds", DEFAULT_MIN_SECONDS) or 0))


def _better(new: ItemState, old: ItemState | None) -> bool:
    """Whether ``new`` should replace ``old`` for the same (item, person): done beats not
    done, and of two completions the earlier one stands."""
    if old is None or new.done != old.done:
        return old is None or new.done
    return new.done and new.done_at is not None and (old.done_at is None
                                                     or new.done_at < old.done_at)


class _OpenConfirmKind(ItemKind):
    """Done when confirmed at least ``min_seconds`` after the item was opened (the server
    measures both ends). settings: {"min_seconds"} plus the kind's own."""

    done_on_item_page = True

    def _opened(self, items: list[PlanItem], user_ids: list[int] | None):
        """SQL: (source 0, item id, user id, opened_at, confirmed_at) of the item pages."""
        return select(literal_column("0").label("source"), PlanItemProgress.item_id,
                      PlanItemProgress.user_id, PlanItemProgress.opened_at,
                      PlanItemProgress.confirmed_at).where(
            PlanItemProgress.item_id.in_([item.id for item in items]),
            user_filter(PlanItemProgress.user_id, user_ids))

    def _elsewhere(self, items: list[PlanItem], user_ids: list[int] | None):
        """SQL with the same columns (source 1, the target's id instead of the item's) for
        the same act recorded elsewhere in the site, or None."""
        return None

    def _done_elsewhere(self, item: PlanItem, opened_at: datetime,
                        confirmed_at: datetime) -> bool:
        return False

    def states(self, items, user_ids, now):
        elsewhere = self._elsewhere(items, user_ids)
        parts = [self._opened(items, user_ids)] + ([elsewhere] if elsewhere is not None else [])
        by_target: dict[int, list[PlanItem]] = {}
        for item in items:
            by_target.setdefault(self.target_id(item), []).append(item)
        states: States = {}
        for source, target, user_id, opened_at, confirmed_at in execute_union(parts):
            if source == 0:  # the item's own page
                if confirmed_at is not None:
                    state = ItemState("done", confirmed_at)
                elif opened_at is not None:
                    state = ItemState("in_progress")
                else:
                    continue
                candidates = [(target, state)]
            else:
                candidates = [(item.id, ItemState("done", confirmed_at))
                              for item in by_target.get(target, [])
                              if self._done_elsewhere(item, opened_at, confirmed_at)]
            for item_id, state in candidates:
                if _better(state, states.get((item_id, user_id))):
                    states[item_id, user_id] = state
        return states

    def target_id(self, item: PlanItem) -> int:
        return item.id


class MaterialKind(_OpenConfirmKind):
    """Read a material: confirmed on the item's page, or in the library (its MaterialRead)
    at least ``min_seconds`` after it was opened there and not before the plan started.
    settings: {"material_id", "min_seconds"}."""

    key, label = "material", _l("阅读资料")

    def target_id(self, item: PlanItem) -> int:
        return int(item.settings.get("material_id") or 0)

    def _elsewhere(self, items, user_ids):
        from lawlearn.library.models import MaterialRead

        material_ids = sorted({self.target_id(item) for item in items} - {0})
        if not material_ids:
            return None
        return select(literal_column("1").label("source"), MaterialRead.material_id,
                      MaterialRead.user_id, MaterialRead.opened_at,
                      MaterialRead.confirmed_at).where(
            MaterialRead.material_id.in_(material_ids), MaterialRead.confirmed_at.is_not(None),
            user_filter(MaterialRead.user_id, user_ids))

    def _done_elsewhere(self, item, opened_at, confirmed_at):
        wanted = timedelta(seconds=min_seconds(item))
        return confirmed_at - opened_at >= wanted and confirmed_at >= plan_start(item)


class VideoKind(_OpenConfirmKind):
    """Watch a video link. settings: {"url", "min_seconds"}."""

    key, label = "video", _l("观看视频")


class QuizKind(ItemKind):
    """Take a quiz, after the plan started. settings: {"quiz_id", "require": "passed" |
    "attempted"}."""

    key, label = "quiz", _l("参加测验")

    def states(self, items, user_ids, now):
        from lawlearn.quiz.models import Attempt

        # One aggregate per item (each counts from its own plan's start), in one statement.
        parts = [
            select(item_column(item), Attempt.user_id, func.min(Attempt.submitted_at),
                   func.min(case((Attempt.passed.is_(True), Attempt.submitted_at))))
            .where(Attempt.quiz_id == int(item.settings["quiz_id"]),
                   Attempt.submitted_at >= plan_start(item),
                   user_filter(Attempt.user_id, user_ids))
            .group_by(Attempt.user_id)
            for item in items if item.settings.get("quiz_id")]
        attempted_only = {item.id for item in items
                          if item.settings.get("require", "passed") == "attempted"}
        states: States = {}
        for item_id, user_id, attempted_at, passed_at in execute_union(parts):
            if item_id in attempted_only:
                states[item_id, user_id] = ItemState("done", attempted_at)
            elif passed_at is not None:
                states[item_id, user_id] = ItemState("done", passed_at)
            else:
                states[item_id, user_id] = ItemState("in_progress")
        return states


class SessionKind(ItemKind):
    """Attend a study session: present or late; excused counts when the item says so.

    settings: {"session_id", "excused_counts": bool}.
    """

    key, label = "session", _l("参加集中学法")

    def states(self, items, user_ids, now):
        from lawlearn.sessions import expected
        from lawlearn.sessions.models import Attendance, StudySession

        session_ids = {item.settings.get("session_id") for item in items}
        rows = db.session.execute(
            select(Attendance.session_id, Attendance.user_id, Attendance.status,
                   Attendance.checked_in_at, StudySession.starts_at)
            .join(StudySession, StudySession.id == Attendance.session_id)
            .where(Attendance.session_id.in_(session_ids),
                   user_filter(Attendance.user_id, user_ids))).all()
        by_session: dict[int, list] = {}
        for row in rows:
            by_session.setdefault(row.session_id, []).append(row)
        # Someone whose account (or joining) came after the session's check-in closed was
        # not expected there and cannot be marked: the item is not theirs (kind_base.owes
        # knows only the joining day, and a back-dated 加入日期 would make it owed for ever).
        came_after: dict[int, set[int]] = {}
        for session_id, user_id in db.session.execute(
                expected.came_after(list(session_ids), user_ids)):
            came_after.setdefault(session_id, set()).add(user_id)
        states: States = {}
        for item in items:
            for user_id in came_after.get(item.settings.get("session_id"), ()):
                states[item.id, user_id] = BEFORE_ACCOUNT
            for row in by_session.get(item.settings.get("session_id"), []):
                if row.status in ("present", "late"):
                    states[item.id, row.user_id] = ItemState(
                        "done", row.checked_in_at or row.starts_at)
                elif row.status == "excused":
                    # Dated at the session, as an attendance is: the record's last edit (a
                    # note added later) would move it into another period's reports.
                    states[item.id, row.user_id] = ItemState("done", row.starts_at) \
                        if item.settings.get("excused_counts") else ItemState("excused")
        return states


class ReflectionKind(ItemKind):
    """Write a reflection of at least ``min_length`` characters; with ``review`` it is
    done once the dept_lead (or an admin) accepts it. settings: {"min_length", "review"}."""

    key, label = "reflection", _l("撰写学习心得")
    done_on_item_page = True

    def states(self, items, user_ids, now):
        reviewed = {item.id: bool(item.settings.get("review")) for item in items}
        # Columns, not objects: a whole office's reflections load in one light pass.
        rows = db.session.execute(select(
            Reflection.item_id, Reflection.user_id, Reflection.status, Reflection.reviewed_at,
            Reflection.submitted_at).where(
            Reflection.item_id.in_(list(reviewed)), user_filter(Reflection.user_id, user_ids)))
        states: States = {}
        for row in rows:
            if row.status == "accepted" or (row.status == "submitted"
                                            and not reviewed[row.item_id]):
                states[row.item_id, row.user_id] = ItemState(
                    "done", row.reviewed_at or row.submitted_at)
            else:
                states[row.item_id, row.user_id] = ItemState(row.status)
        return states


class StreakKind(ItemKind):
    """Do the daily practice on ``days`` days within the item's window (from the plan's
    start, or ``from``, to the due date). settings: {"days", "from"?}."""

    key, label = "streak", _l("坚持每日一练")

    def window(self, item: PlanItem) -> tuple[date, date]:
        return streak_window(item.settings, item.due_on, item.plan.starts_on,
                             item.plan.ends_on)

    def states(self, items, user_ids, now):
        from lawlearn.practice.models import DailySet

        needed = {item.id: max(1, int(item.settings.get("days") or 1)) for item in items}
        parts = []
        for item in items:  # one row per person and item, all in one statement
            first, last = self.window(item)
            # A day with an answer too fast is no day of practice (its bonus was withheld).
            completed = (DailySet.completed_at.is_not(None), DailySet.hurried.is_(False),
                         DailySet.day >= first, DailySet.day <= last)
            counts = (select(DailySet.user_id, func.count().label("days"))
                      .where(*completed, user_filter(DailySet.user_id, user_ids))
                      .group_by(DailySet.user_id).subquery())
            # The item is done when the needed-th day was completed (a set is completed on
            # its own day, so day order is completion order): that moment does not move
            # with later practice, and a past period's report stays the same. One indexed
            # look-up a person, cheaper than numbering every day of everyone.
            nth = aliased(DailySet)
            reached = (select(nth.completed_at)
                       .where(nth.user_id == counts.c.user_id, nth.completed_at.is_not(None),
                              nth.hurried.is_(False), nth.day >= first, nth.day <= last)
                       .order_by(nth.day).limit(1).offset(needed[item.id] - 1)
                       .scalar_subquery())
            parts.append(select(item_column(item), counts.c.user_id, counts.c.days,
                                reached.label("reached_at")))
        states: States = {}
        for item_id, user_id, days, reached_at in execute_union(parts):
            detail = f"{min(days, needed[item_id])}/{needed[item_id]}"
            states[item_id, user_id] = ItemState("done", reached_at, detail) \
                if days >= needed[item_id] else ItemState("in_progress", None, detail)
        return states


KINDS: dict[str, ItemKind] = {kind.key: kind for kind in (
    ArticlesKind(), MaterialKind(), QuizKind(), SessionKind(), ReflectionKind(), VideoKind(),
    StreakKind())}


def item_states(items: Iterable[PlanItem], user_ids: list[int] | None,
                now: datetime) -> States:
    """The state of every (item, person) that is not pending, kind by kind."""
    grouped: dict[str, list[PlanItem]] = {}
    for item in items:
        grouped.setdefault(item.kind, []).append(item)
    states: States = {}
    for key, of_kind in grouped.items():
        states.update(KINDS[key].states(of_kind, user_ids, now))
    return states


def can_confirm(opened_at: datetime | None, min_seconds: int, now: datetime) -> int:
    """Seconds still to wait before an opened item may be confirmed (0: it may)."""
    if opened_at is None:
        return max(0, min_seconds)
    left = opened_at + timedelta(seconds=min_seconds) - now
    return max(0, int(left.total_seconds() + 0.999))
