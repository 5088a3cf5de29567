"""Settings an admin changes at run time (daily set size, timers, timing floors).

Defaults live in code so an empty database works; a row exists only once an admin has
changed the value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, mapped_column

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.unique_keys import inserted

DEFAULTS: dict[str, Any] = {
    "practice.daily_size": 5,
    "practice.challenge_seconds": 30,
    # Faster than base + per_char × characters (stem and options) is faster than anyone
    # reads: meant to catch scripts, not quick readers (an 88-character question: 1.5 s).
    "practice.floor_base_ms": 800,
    "practice.floor_ms_per_char": 8,
    # The leaders' dashboard: the targets of each year an admin has set, {"2025": {"sessions":
    # 12, …}} (lawlearn.reports.dashboard_targets holds the defaults and the inheritance).
    "reports.targets": {},
    # Set by `demo load`: generated people (`demo load --staff N`) may join the demo's
    # accounts, never an office's own.
    "demo.loaded": False,
}


class SiteSetting(db.Model):
    __tablename__ = "site_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def get_settings(*keys: str) -> dict[str, Any]:
    """The current values of ``keys`` (all known settings when none given), in one query."""
    wanted = list(keys or DEFAULTS)
    values = {key: DEFAULTS.get(key) for key in wanted}
    for row in db.session.scalars(select(SiteSetting).where(SiteSetting.key.in_(wanted))):
        values[row.key] = row.value
    return values


def get_setting(key: str) -> Any:
    return get_settings(key)[key]


def set_setting(key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(SiteSetting, key)
    if row is None:
        if inserted(SiteSetting(key=key, value=value)):
            return
        # Another admin saved it first, at the same moment: the later save wins, as it would
        # a second later.
        row = db.session.get(SiteSetting, key, populate_existing=True)
    row.value = value
    db.session.flush()


def locked_setting(key: str) -> SiteSetting:
    """The row of ``key``, locked until commit (PostgreSQL), made first with the default
    if it is missing: a read-modify-write of the setting then loses no concurrent save,
    not even when both are its first."""
    if db.session.get(SiteSetting, key) is None:
        inserted(SiteSetting(key=key, value=DEFAULTS[key]))
    return db.session.scalars(select(SiteSetting).where(SiteSetting.key == key)
                              .with_for_update().execution_options(populate_existing=True)).one()
