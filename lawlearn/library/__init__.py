"""Library: statutes in their structure, study materials and collections, search."""

from flask import Blueprint

from lawlearn.accounts.models import Role
from lawlearn.security import protect_blueprint

library_bp = Blueprint("library", __name__, template_folder="templates")
library_admin_bp = Blueprint("library_admin", __name__, url_prefix="/admin/library",
                             template_folder="templates")
protect_blueprint(library_admin_bp, Role.ADMIN)

from lawlearn.library import (  # noqa: E402,F401  (routes)
    admin_views,
    material_admin_views,
    material_views,
    views,
)

__all__ = ["library_admin_bp", "library_bp"]
