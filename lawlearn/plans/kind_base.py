"""What every plan item kind shares: the state of an (item, person), the small interface a
kind implements (see lawlearn.plans.kinds), and the query helpers the kinds build on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import literal_column, union_all

from lawlearn.extensions import db
from lawlearn.localtime import day_start
from lawlearn.plans.models import PlanItem

# Statuses an (item, person) can have; only "done" counts as completed.
STATUS_LABELS = {
    "pending": _l("未开始"), "in_progress": _l("进行中"), "submitted": _l("待审阅"),
    "returned": _l("已退回"), "excused": _l("已请假"), "done": _l("已完成"),
    "not_owed": _l("加入前已到期"), "cancelled": _l("活动已取消"),
}


@dataclass(frozen=True)
class ItemState:
    status: str = "pending"
    done_at: datetime | None = None
    detail: str = ""  # e.g. "3/10": how far a counted item is
    why: Any = ""  # said instead of the status's own label (why an item is not owed)

    @property
    def done(self) -> bool:
        return self.status == "done"

    @property
    def waiting(self) -> bool:
        """The person has done their part; a reviewer has not decided yet."""
        return self.status == "submitted"

    @property
    def to_do(self) -> bool:
        """Something is still up to the person (neither done nor waiting for a reviewer, and
        theirs: see ``owes``)."""
        return not (self.done or self.waiting or self.status in ("not_owed", "cancelled"))

    @property
    def label(self) -> str:
        return str(self.why or STATUS_LABELS[self.status])


PENDING = ItemState()
NOT_OWED = ItemState("not_owed")
# A session held before the person's account existed: not theirs whatever their 加入日期
# (a back-dated one still owes the items due since, which can be done late).
BEFORE_ACCOUNT = ItemState("not_owed", why=_l("开通账号前已举行"))
CANCELLED = ItemState("cancelled")
States = dict[tuple[int, int], ItemState]
# Set on a session item's settings when its session is cancelled (sessions.cancel_session);
# choosing a session again rebuilds the settings without it.
SESSION_CANCELLED = "session_cancelled"


def owes(item: PlanItem, joined_on: date | None, state: ItemState | None = None) -> bool:
    """Whether someone who joined on ``joined_on`` (their 加入日期, local) owes ``item``: not
    one due before they came, as a session closed before they joined does not expect them
    (a new colleague starts with nothing overdue), and nobody one whose session was
    cancelled, until it points at another. Nor one whose ``state`` (from its kind) says it
    is not theirs: a session their account came after (SessionKind). Done anyway, it still
    pays its hours and points; it is in none of their due or done counts."""
    if on_cancelled_session(item) or (state is not None and state.status == "not_owed"):
        return False
    return joined_on is None or item.due_on is None or item.due_on >= joined_on


def on_cancelled_session(item: PlanItem) -> bool:
    """A session item whose session was cancelled, not yet pointed at another."""
    return bool((item.settings or {}).get(SESSION_CANCELLED))


def not_owed_state(item: PlanItem, state: ItemState = PENDING) -> ItemState:
    """How an item someone does not owe (and has not done) shows: 活动已取消, what its kind
    said (``state``: 开通账号前已举行) or 加入前已到期."""
    if on_cancelled_session(item):
        return CANCELLED
    return state if state.status == "not_owed" else NOT_OWED


def user_filter(column, user_ids: list[int] | None):
    return column.in_(user_ids) if user_ids is not None else True


def item_column(item: PlanItem):
    """The item's id as an SQL constant (an int, inlined), to tell apart UNION members."""
    return literal_column(str(int(item.id))).label("item_id")


def plan_start(item: PlanItem) -> datetime:
    """The moment (naive UTC) the item's plan starts: its first day, office time. Activity
    elsewhere in the site counts for the item from then on."""
    return day_start(item.plan.starts_on)


def execute_union(parts: list) -> list:
    """Run per-item aggregates as one statement: one round trip whatever the number of
    items (the page that shows a plan stays at a fixed number of queries)."""
    if not parts:
        return []
    return db.session.execute(parts[0] if len(parts) == 1 else union_all(*parts)).all()


class ItemKind:
    key: str = ""
    label = _l("")
    # Whether the person acts on the item's own page (open/confirm, write) rather than
    # elsewhere in the site (library, quiz, check-in, daily practice).
    done_on_item_page = False

    def states(self, items: list[PlanItem], user_ids: list[int] | None,
               now: datetime) -> States:
        raise NotImplementedError
