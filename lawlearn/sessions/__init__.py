"""Sessions: scheduled study sessions, QR check-in, leave requests, attendance."""

from flask import Blueprint

from lawlearn.accounts.models import Role
from lawlearn.security import protect_blueprint

sessions_bp = Blueprint("sessions", __name__, template_folder="templates")
sessions_admin_bp = Blueprint("sessions_admin", __name__, url_prefix="/admin/sessions",
                              template_folder="templates")
protect_blueprint(sessions_admin_bp, Role.ADMIN)

from lawlearn.sessions import admin_views, checkin_views, leave_views, views  # noqa: E402,F401

__all__ = ["sessions_admin_bp", "sessions_bp"]
