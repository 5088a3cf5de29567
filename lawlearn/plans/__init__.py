"""Plans: study plans mixing formats, per-person progress, reflections, study hours."""

from flask import Blueprint

from lawlearn.accounts.models import Role
from lawlearn.security import protect_blueprint

plans_bp = Blueprint("plans", __name__, url_prefix="/plans", template_folder="templates")
plans_admin_bp = Blueprint("plans_admin", __name__, url_prefix="/admin/plans",
                           template_folder="templates")
protect_blueprint(plans_admin_bp, Role.ADMIN)

from lawlearn.plans import (  # noqa: E402,F401  (routes)
    admin_lifecycle_views,
    admin_views,
    review_views,
    views,
)

__all__ = ["plans_admin_bp", "plans_bp"]
