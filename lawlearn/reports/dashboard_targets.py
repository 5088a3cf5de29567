"""The office's targets per year (年度目标) and how far a year's figures reach them.

All years' targets are one site setting, ``reports.targets``: ``{"2025": {"sessions": 12,
…}, …}`` (rates in percent, 0: no target). A year an admin has not set inherits the
targets of the latest earlier year that has its own, else the defaults below; saving a
year stores all of its targets, so changing one year never changes another year that has
its own targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.rounding import half_up
from lawlearn.settings import SiteSetting, get_setting, locked_setting, set_setting

SETTING = "reports.targets"
FIRST_YEAR = 2000


@dataclass(frozen=True)
class TargetSpec:
    key: str
    name: Any  # a lazy string: 集中学法, 参学率 …
    unit: Any
    kind: str  # "count", "rate" (set in percent, compared as 0..1) or "hours"
    high: float
    default: float
    decimals: int = 0
    office_only: bool = False  # an office-wide total: no target for one department

    @property
    def label(self) -> str:
        """The name as a heading: counts carry their unit (集中学法（场）)."""
        if self.kind == "count":
            return _("%(name)s（%(unit)s）", name=self.name, unit=self.unit)
        return str(self.name)

    @property
    def field_label(self) -> str:
        return _("%(name)s（%(unit)s）", name=self.name, unit=self.unit)


TARGETS: dict[str, TargetSpec] = {spec.key: spec for spec in (
    TargetSpec("sessions", _l("集中学法"), _l("场"), "count", 1000, 12),
    TargetSpec("attendance_rate", _l("参学率"), "%", "rate", 100, 90, 1),
    TargetSpec("quiz_pass_rate", _l("在线测试通过率"), "%", "rate", 100, 85, 1),
    TargetSpec("hours_per_capita", _l("人均学时"), _l("学时"), "hours", 2000, 40, 1),
    TargetSpec("outreach_events", _l("普法宣传活动"), _l("场"), "count", 100_000, 20,
               office_only=True),
    TargetSpec("people_reached", _l("覆盖群众"), _l("人次"), "count", 100_000_000, 5000,
               office_only=True),
)}


def quantity(spec: TargetSpec, value: float) -> str:
    """A target's value with its unit: 90%, 92.5%, 12 场, 5,000 人次, 40.5 学时."""
    # Rounded 四舍五入 first: Babel alone rounds a half to even (92.25 → 92.2).
    number = format_decimal(half_up(value), "#,##0.#")
    return f"{number}%" if spec.unit == "%" else f"{number} {spec.unit}"


def target_text(spec: TargetSpec, value: float | None) -> str:
    """A target in words for the audit log: its quantity, or 不设目标 for 0."""
    return quantity(spec, value) if value else _("不设目标")


@dataclass(frozen=True)
class YearTargets:
    year: int
    values: dict[str, float]  # by target key, rates in percent; 0: no target
    set_in: int | None  # the year the values were set for; None: the defaults

    @property
    def own(self) -> bool:
        return self.set_in == self.year


def _stored(raw: Any) -> dict[int, dict[str, float]]:
    """The setting's years that parse, with the targets each knows."""
    years: dict[int, dict[str, float]] = {}
    for year, values in (raw or {}).items() if isinstance(raw, dict) else ():
        if str(year).isdigit() and isinstance(values, dict):
            years[int(year)] = {key: values[key] for key in TARGETS
                                if isinstance(values.get(key), int | float)}
    return years


def _resolve(year: int, stored: dict[int, dict[str, float]]) -> YearTargets:
    defaults = {key: spec.default for key, spec in TARGETS.items()}
    earlier = [known for known in stored if known <= year]
    if not earlier:
        return YearTargets(year, defaults, None)
    set_in = max(earlier)
    return YearTargets(year, {**defaults, **stored[set_in]}, set_in)


def targets_for(year: int) -> YearTargets:
    """``year``'s targets: its own, else the latest earlier year's, else the defaults."""
    return _resolve(year, _stored(get_setting(SETTING)))


def _exact(value: float, decimals: int) -> int | float:
    value = round(float(value), decimals)
    return int(value) if value == int(value) else value


def change_targets(actor: User | None, year: int, values: dict[str, float], *,
                   now: datetime | None = None) -> int:
    """Save an admin's targets for ``year`` (all of them become that year's own), one audit
    entry per changed value; how many changed. A year that inherited its targets and is
    saved unchanged gets them as its own, with one audit entry saying so."""
    # Next year's may be set in advance (the office plans in December).
    last = local_day(now or utcnow()).year + 1
    if not FIRST_YEAR <= year <= last:
        raise ValidationFailed(_("年份须在 %(first)d 年到 %(last)d 年之间。", first=FIRST_YEAR,
                                 last=last), field="year")
    for key, value in values.items():  # all checked before anything changes
        if not 0 <= value <= TARGETS[key].high:
            raise ValidationFailed(_("数值超出允许范围。"), field=key)
    # Lock the row (PostgreSQL) so two admins saving different years lose neither.
    stored = _stored(locked_setting(SETTING).value)
    before = _resolve(year, stored)
    after = {key: _exact(values.get(key, before.values[key]), spec.decimals)
             for key, spec in TARGETS.items()}
    changed = [key for key in TARGETS if after[key] != before.values[key]]
    if before.own and not changed:
        return 0
    # A new dict, so the JSON column sees the change.
    set_setting(SETTING, {str(y): v for y, v in sorted({**stored, year: after}.items())})
    target = db.session.get(SiteSetting, SETTING)
    for key in changed:
        spec = TARGETS[key]
        record_audit(actor, "reports.target", target, _(
            "修改%(year)d年目标「%(name)s」：%(before)s → %(after)s", year=year, name=spec.name,
            before=target_text(spec, before.values[key]), after=target_text(spec, after[key])),
            {"year": year, "key": key, "before": before.values[key], "after": after[key]})
    if not changed:
        record_audit(actor, "reports.target", target, _(
            "设定%(year)d年目标：与原先沿用的目标相同", year=year),
            {"year": year, "inherited_from": before.set_in, "after": after})
    return len(changed)


# --- progress -------------------------------------------------------------------------------


@dataclass
class TargetProgress:
    spec: TargetSpec
    actual: float | None  # rates 0..1
    target: float | None  # on the scale of ``actual``; None: no target here

    @property
    def has_target(self) -> bool:
        return bool(self.target)

    @property
    def ratio(self) -> float | None:
        """The share of the target reached (may pass 1); None without a figure."""
        if not self.target or self.actual is None:
            return None
        return self.actual / self.target

    @property
    def bar(self) -> float:
        return min(self.ratio or 0.0, 1.0)

    @property
    def shown(self) -> Decimal | None:
        """The figure as the page shows it (a rate to 0.1%, hours to 0.1, 四舍五入): the
        badge and the shortfall go by it, so 89.96% is not shown as 90.0% and 还差 0.0."""
        if self.actual is None:
            return None
        places = {"rate": 3, "hours": 1}.get(self.spec.kind, 0)
        return Decimal(repr(half_up(self.actual, places)))

    @property
    def met(self) -> bool:
        shown = self.shown
        return bool(self.target) and shown is not None \
            and shown >= Decimal(repr(float(self.target)))

    @property
    def remaining(self) -> float:
        """What is still to reach, from the figure as shown (a rate: as a ratio)."""
        return float(max(Decimal(repr(float(self.target or 0))) - (self.shown or 0), 0))

    @property
    def remaining_points(self) -> float:
        """A rate's shortfall in percentage points (target 90%, 87.65% shown as 87.7%: 2.3
        to go, not 2.35 rounded again). In decimals: 0.8765 × 100 is 87.649999… as a float."""
        return float(Decimal(repr(self.remaining)) * 100)


def target_progress(figures: dict[str, float | None], targets: YearTargets,
                    department_id: int | None) -> list[TargetProgress]:
    rows = []
    for key, spec in TARGETS.items():
        target: float | None = targets.values.get(key) or None
        if spec.office_only and department_id is not None:
            target = None
        if target is not None and spec.kind == "rate":
            target = target / 100
        rows.append(TargetProgress(spec, figures.get(key), target))
    return rows


def attendance_threshold(targets: YearTargets) -> float | None:
    """The attendance target as 0..1, None when the year sets none."""
    value = targets.values.get("attendance_rate")
    return value / 100 if value else None
