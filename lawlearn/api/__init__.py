"""JSON API under /api/v1 for phone clients and scripts."""

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

from lawlearn.api import (  # noqa: E402,F401  (routes and guards)
    auth,
    plans_api,
    practice,
    quiz,
    sessions,
    views,
)

__all__ = ["api_bp"]
