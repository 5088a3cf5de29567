"""The points ledger (学法积分): rules with daily caps, and awards that never pay twice.

Every award is a row keyed by (user, rule, source); a second award of the same thing hits
the unique key and pays nothing, also when two requests race. No HTTP here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.practice.models import PointAward, PointRule


@dataclass(frozen=True)
class RuleDefault:
    label: object
    amount: int
    daily_cap: int | None
    unit: object  # what one award is for, shown next to the amount


# The rules and what they pay unless an admin changed them (point_rule rows).
RULES: dict[str, RuleDefault] = {
    "article_read": RuleDefault(_l("学习法条"), 1, 10, _l("每条")),
    "material_read": RuleDefault(_l("阅读学习资料"), 2, 10, _l("每篇")),
    "daily_answer": RuleDefault(_l("每日一练答对"), 1, 5, _l("每题")),
    "daily_practice": RuleDefault(_l("完成每日一练"), 5, 5, _l("每天")),
    "challenge": RuleDefault(_l("挑战答题得分"), 1, 20, _l("每答对一题")),
    "quiz_passed": RuleDefault(_l("通过测验"), 10, None, _l("每个测验")),
    "session_attended": RuleDefault(_l("参加集中学法"), 5, None, _l("每场")),
    "reflection_accepted": RuleDefault(_l("学习心得通过"), 5, None, _l("每篇")),
}


@dataclass(frozen=True)
class Rule:
    key: str
    amount: int
    daily_cap: int | None
    enabled: bool

    @property
    def label(self) -> str:
        return str(RULES[self.key].label)

    @property
    def unit(self) -> str:
        return str(RULES[self.key].unit)


def local_day(moment: datetime) -> date:
    """The office's calendar day of a naive UTC moment."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")
    return moment.replace(tzinfo=UTC).astimezone(zone).date()


def current_rules() -> dict[str, Rule]:
    """Every rule with the admin's changes applied, in one query."""
    changed = {row.key: row for row in db.session.scalars(select(PointRule))}
    rules = {}
    for key, default in RULES.items():
        row = changed.get(key)
        rules[key] = Rule(key, row.amount, row.daily_cap, row.enabled) if row else \
            Rule(key, default.amount, default.daily_cap, True)
    return rules


def get_rule(key: str) -> Rule:
    default = RULES[key]
    row = db.session.get(PointRule, key)
    return Rule(key, row.amount, row.daily_cap, row.enabled) if row else \
        Rule(key, default.amount, default.daily_cap, True)


def set_rule(key: str, amount: int, daily_cap: int | None, enabled: bool) -> None:
    if key not in RULES:
        raise KeyError(key)
    row = db.session.get(PointRule, key)
    if row is None:
        db.session.add(PointRule(key=key, amount=amount, daily_cap=daily_cap, enabled=enabled))
    else:
        row.amount, row.daily_cap, row.enabled = amount, daily_cap, enabled
    db.session.flush()


def award(user_id: int, rule_key: str, source: str, now: datetime, *, units: int = 1) -> int:
    """Pay ``units`` × the rule's amount for ``source`` once; return what was paid.

    Pays 0 for a repeat (same user, rule and source), a disabled rule, or once the day's
    cap is reached; a capped award is still recorded so that it cannot pay later.
    """
    rule = get_rule(rule_key)
    if not rule.enabled or rule.amount <= 0 or units <= 0:
        return 0
    day = local_day(now)
    if db.engine.dialect.name == "postgresql":
        # Serialise one person's awards so that two racing awards cannot both fit the cap.
        # (SQLite serialises writers already: the INSERT below takes the write lock.)
        db.session.execute(select(User.id).where(User.id == user_id).with_for_update())
    wanted = rule.amount * units
    try:
        with db.session.begin_nested():
            row = PointAward(user_id=user_id, rule=rule_key, amount=wanted, source=source,
                             day=day, awarded_at=now)
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return 0  # already paid
    if rule.daily_cap is None:
        return wanted
    paid_today = db.session.scalar(select(func.coalesce(func.sum(PointAward.amount), 0)).where(
        PointAward.user_id == user_id, PointAward.rule == rule_key, PointAward.day == day))
    over = max(0, int(paid_today) - rule.daily_cap)
    if over:
        paid = max(0, wanted - over)
        db.session.execute(update(PointAward).where(PointAward.id == row.id)
                           .values(amount=paid).execution_options(synchronize_session=False))
        row.amount = paid
        return paid
    return wanted


def total_points(user_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(PointAward.amount), 0))
                                 .where(PointAward.user_id == user_id)))
