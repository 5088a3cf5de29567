"""Sessions: scheduled study sessions, QR check-in, leave requests, attendance."""

from flask import Blueprint

from lawlearn.accounts.models import Role
from lawlearn.security import protect_blueprint

sessions_bp = Blueprint("sessions", __name__, template_folder="templates")
sessions_admin_bp = Blueprint("sessions_admin", __name__, url_prefix="/admin/sessions",
                              template_folder="templates")
protect_blueprint(sessions_admin_bp, Role.ADMIN)

# exit_quiz: its listener pays attendance when a session's exit quiz is passed.
from lawlearn.sessions import (  # noqa: E402,F401  (routes and a listener)
    admin_views,
    checkin_views,
    department_views,
    exit_quiz,
    leave_views,
    views,
)

__all__ = ["sessions_admin_bp", "sessions_bp"]
