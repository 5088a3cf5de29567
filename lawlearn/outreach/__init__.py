"""Outreach: the publicity ledger (普法台账), campaigns, photos, public stall quizzes."""

from flask import Blueprint

from lawlearn.accounts.models import Role
from lawlearn.security import protect_blueprint

outreach_bp = Blueprint("outreach", __name__, url_prefix="/outreach",
                        template_folder="templates")
outreach_admin_bp = Blueprint("outreach_admin", __name__, url_prefix="/admin/outreach",
                              template_folder="templates")
protect_blueprint(outreach_admin_bp, Role.ADMIN)
# Residents at a stall answer here without an account.
stall_bp = Blueprint("stall", __name__, url_prefix="/q", template_folder="templates")

from lawlearn.outreach import (  # noqa: E402,F401  (routes)
    admin_views,
    campaign_views,
    stall_views,
    views,
)

__all__ = ["outreach_admin_bp", "outreach_bp", "stall_bp"]
