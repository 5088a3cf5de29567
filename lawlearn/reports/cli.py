"""``flask report ...``: participation reports from the command line."""

from __future__ import annotations

from flask.cli import AppGroup

report_cli = AppGroup("report", help="Participation reports (参学统计).")
