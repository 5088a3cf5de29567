"""Practice: daily practice (spaced repetition), challenge mode, points and leaderboards."""

from flask import Blueprint

from lawlearn.accounts.models import Role
from lawlearn.security import protect_blueprint

practice_bp = Blueprint("practice", __name__, url_prefix="/practice",
                        template_folder="templates")
practice_admin_bp = Blueprint("practice_admin", __name__, url_prefix="/admin/practice",
                              template_folder="templates")
protect_blueprint(practice_admin_bp, Role.ADMIN)

from lawlearn.practice import (  # noqa: E402,F401  (routes)
    admin_views,
    challenge_views,
    daily_views,
    listeners,
    points_views,
)

__all__ = ["practice_admin_bp", "practice_bp"]
