"""The office's calendar days, as practice has always named them: daily sets, daily caps,
leaderboard periods and report periods all count in local days, while moments are stored as
naive UTC. The lookup itself lives in :mod:`lawlearn.localtime`; these names stay importable
for the modules (and other domains) that use them."""

from __future__ import annotations

from lawlearn.localtime import day_bounds as utc_bounds
from lawlearn.localtime import day_start, local_day
from lawlearn.localtime import local_zone as office_zone

__all__ = ["day_start", "local_day", "office_zone", "utc_bounds"]
