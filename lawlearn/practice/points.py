"""The points ledger (学法积分): rules with daily caps, and awards that never pay twice.

Every award is a row keyed by (user, rule, source); a second award of the same thing hits
the unique key and pays nothing, also when two requests race. No HTTP here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import format_date, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.i18n import inner_title
from lawlearn.localtime import local_day
from lawlearn.practice.models import PointAward, PointRule
from lawlearn.settings import SiteSetting, get_settings, set_setting
from lawlearn.unique_keys import inserted


@dataclass(frozen=True)
class RuleDefault:
    label: object
    amount: int
    daily_cap: int | None
    unit: object  # what one award is for, shown next to the amount


# The rules and what they pay unless an admin changed them (point_rule rows).
RULES: dict[str, RuleDefault] = {
    # A context: the session form's field of the same words is a list of articles.
    "article_read": RuleDefault(lazy_pgettext("points rule", "学习法条"), 1, 10, _l("每条")),
    "material_read": RuleDefault(_l("阅读学习资料"), 2, 10, _l("每篇")),
    "daily_answer": RuleDefault(_l("每日一练答对"), 1, 5, _l("每题")),
    "daily_practice": RuleDefault(_l("完成每日一练"), 5, 5, _l("每天")),
    "challenge": RuleDefault(_l("挑战答题得分"), 1, 20, _l("每答对一题")),
    "quiz_passed": RuleDefault(_l("通过测验"), 10, None, _l("每个测验")),
    "session_attended": RuleDefault(_l("参加集中学法"), 5, None, _l("每场")),
    "reflection_accepted": RuleDefault(_l("学习心得通过"), 5, None, _l("每篇")),
    # A plan item pays the points its plan gives it: the amount is per point.
    "plan_item": RuleDefault(_l("完成学习计划事项"), 1, None, _l("每个事项分值")),
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
        if inserted(PointRule(key=key, amount=amount, daily_cap=daily_cap, enabled=enabled)):
            return
        # Another admin changed the rule first, at the same moment: the later save wins.
        row = db.session.get(PointRule, key, populate_existing=True)
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
    # Write what is pending first, so that only this award's own conflict is caught below.
    db.session.flush()
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


def revoke(user_id: int, rule_key: str, source: str) -> int:
    """Take back what ``source`` paid under ``rule_key`` (the fact it rewarded was corrected:
    an attendance marked absent); return how much. Paid again if the fact returns."""
    row = db.session.scalar(select(PointAward).where(
        PointAward.user_id == user_id, PointAward.rule == rule_key, PointAward.source == source))
    if row is None:
        return 0
    db.session.delete(row)
    db.session.flush()
    return row.amount


def total_points(user_id: int) -> int:
    return int(db.session.scalar(select(func.coalesce(func.sum(PointAward.amount), 0))
                                 .where(PointAward.user_id == user_id)))


# --- admin changes ------------------------------------------------------------------------


@dataclass(frozen=True)
class SettingSpec:
    label: object
    low: int
    high: int
    unit: object


# The practice settings an admin changes on the rules page, with their allowed ranges.
PRACTICE_SETTINGS: dict[str, SettingSpec] = {
    "practice.daily_size": SettingSpec(_l("每日一练题数"), 1, 20, _l("题")),
    "practice.challenge_seconds": SettingSpec(_l("挑战答题每题限时"), 10, 120, _l("秒")),
    "practice.floor_base_ms": SettingSpec(_l("阅读下限：每题基础时间"), 0, 10000, _l("毫秒")),
    "practice.floor_ms_per_char": SettingSpec(_l("阅读下限：每字增加"), 0, 500, _l("毫秒")),
}


def _cap_text(daily_cap: int | None) -> str:
    return _("不限") if daily_cap is None else str(daily_cap)


def change_rule(actor: User | None, key: str, amount: int, daily_cap: int | None,
                enabled: bool) -> bool:
    """Apply an admin's change to one rule and write it to the audit log; False when the
    values are already the rule's."""
    before = get_rule(key)
    if (before.amount, before.daily_cap, before.enabled) == (amount, daily_cap, enabled):
        return False
    set_rule(key, amount, daily_cap, enabled)
    record_audit(actor, "points.rule", db.session.get(PointRule, key), _(
        "修改积分规则「%(rule)s」：每次 %(amount)d 分，每日上限 %(cap)s，%(state)s",
        rule=before.label, amount=amount, cap=_cap_text(daily_cap),
        state=_("启用") if enabled else _("停用")), {
        "rule": key,
        "before": {"amount": before.amount, "daily_cap": before.daily_cap,
                   "enabled": before.enabled},
        "after": {"amount": amount, "daily_cap": daily_cap, "enabled": enabled}})
    return True


def change_setting(actor: User | None, key: str, value: int) -> bool:
    """Apply an admin's change to a practice setting and audit it; False when unchanged."""
    spec = PRACTICE_SETTINGS[key]
    before = get_settings(key)[key]
    if before == value:
        return False
    set_setting(key, value)
    record_audit(actor, "practice.setting", db.session.get(SiteSetting, key), _(
        "修改练习设置「%(name)s」：%(before)s → %(after)s %(unit)s", name=spec.label,
        before=before, after=value, unit=spec.unit),
        {"key": key, "before": before, "after": value})
    return True


# --- the ledger in words ------------------------------------------------------------------


def ledger_query(user_id: int):
    """One person's awards, newest first (paginate it)."""
    return (select(PointAward).where(PointAward.user_id == user_id)
            .order_by(PointAward.awarded_at.desc(), PointAward.id.desc()))


def _ids(sources: list[str], prefix: str) -> set[int]:
    ids = set()
    for source in sources:
        kind, _sep, rest = source.partition(":")
        if kind == prefix and rest.isdigit():
            ids.add(int(rest))
    return ids


def describe_sources(sources: list[str]) -> dict[str, str]:
    """What each award was for, in words (a quiz's title, an article's label…), with one
    query per kind of source, present on the page or not: the page's queries do not depend
    on what the person earned points for (bench/bench_pages.py compares two offices)."""
    # Imported here: these domains' packages import practice's while they load.
    from lawlearn.library.models import LawArticle, Material
    from lawlearn.plans.models import PlanItem, Reflection
    from lawlearn.quiz.models import Quiz
    from lawlearn.sessions.models import StudySession

    words: dict[str, str] = {}
    titles: dict[str, dict[int, Any]] = {}
    for prefix, model in (("quiz", Quiz), ("session", StudySession), ("material", Material)):
        titles[prefix] = dict(db.session.execute(
            select(model.id, model.title).where(model.id.in_(_ids(sources, prefix)))).all())
    titles["article"] = {a.id: _("《%(law)s》%(label)s", law=a.law.display_title,
                                 label=a.label)
                         for a in db.session.scalars(select(LawArticle).options(
                             joinedload(LawArticle.law)).where(
                                 LawArticle.id.in_(_ids(sources, "article"))))}
    # Plan items and reflections are tasks, named in quotes: "撰写学习心得".
    tasks: dict[str, dict[int, str]] = {}
    for prefix, query in (("plan_item", select(PlanItem.id, PlanItem.title)),
                          ("reflection", select(Reflection.id, PlanItem.title).join(
                              PlanItem, PlanItem.id == Reflection.item_id))):
        tasks[prefix] = dict(db.session.execute(query.where(
            query.selected_columns[0].in_(_ids(sources, prefix)))).all())
    for source in sources:
        kind, _sep, rest = source.partition(":")
        if kind in tasks and rest.isdigit() and int(rest) in tasks[kind]:
            words[source] = _("“%(title)s”", title=tasks[kind][int(rest)])
        elif kind == "article" and rest.isdigit() and int(rest) in titles.get("article", {}):
            words[source] = titles["article"][int(rest)]
        elif kind in titles and rest.isdigit() and int(rest) in titles[kind]:
            words[source] = _("《%(title)s》", title=inner_title(titles[kind][int(rest)]))
        elif kind == "daily" and _is_date(rest):
            words[source] = _("%(day)s的每日一练", day=format_date(date.fromisoformat(rest),
                                                                 "long"))
    return words


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def save_configuration(actor: User | None, rules: dict[str, tuple[int, int | None, bool]],
                       settings: dict[str, int]) -> int:
    """Apply the admin's rules page: each changed rule or setting is saved and audited.
    Returns how many changed."""
    changed = sum(change_rule(actor, key, *values) for key, values in rules.items())
    return changed + sum(change_setting(actor, key, value) for key, value in settings.items())
