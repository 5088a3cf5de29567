"""Report, dashboard and personal record pages (thin: the figures come from the services)."""

from __future__ import annotations

from lawlearn.reports import reports_bp  # noqa: F401
