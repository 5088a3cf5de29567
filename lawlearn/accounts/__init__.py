"""Accounts: login, passwords, users, departments, roles and the audit log."""

from flask import Blueprint

from lawlearn.accounts.models import Role
from lawlearn.security import protect_blueprint

auth_bp = Blueprint("auth", __name__, template_folder="templates")
admin_bp = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates")
protect_blueprint(admin_bp, Role.ADMIN)

from lawlearn.accounts import admin_views, auth_views  # noqa: E402,F401  (routes)

__all__ = ["admin_bp", "auth_bp"]


@admin_bp.app_template_filter("action_label")
def action_label(action: str) -> str:
    from lawlearn.accounts.audit import action_label as label

    return label(action)


@admin_bp.app_template_filter("role_label")
def role_label(role: str) -> str:
    return Role(role).label
