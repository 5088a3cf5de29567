"""Participation reports, dashboards and each person's own record (我的学法档案)."""

from flask import Blueprint

reports_bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")

from lawlearn.reports import dashboard_views, export_views, views  # noqa: E402,F401
