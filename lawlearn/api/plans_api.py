"""``GET /api/v1/me/progress``: my study plans, each item's status, study hours and points.

The payload stamps items newly seen done and pays their points, as the plan pages do, so
the route commits. ``ME_PROGRESS_OPENAPI`` is its path object in ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import jsonify
from flask_login import current_user, login_required

from lawlearn.accounts.models import User
from lawlearn.api import api_bp
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.plans.kind_base import STATUS_LABELS
from lawlearn.plans.kinds import KINDS
from lawlearn.plans.progress import fill_hours, synced_progress
from lawlearn.practice.points import total_points

ITEM_KINDS = list(KINDS)


def me_progress_payload(user: User, now: datetime) -> dict[str, Any]:
    """``{"plans": [{"id", "title", "items": [{"id", "kind", "title", "due", "status"}],
    "hours_earned", "hours_required"}], "points"}`` for ``user``'s current published plans,
    in a fixed number of queries; items done in plans that have just ended or been closed
    are stamped and paid too (progress.synced_progress). The caller commits."""
    progress = synced_progress(user, now)
    fill_hours(user, progress, now)
    return {
        "plans": [{
            "id": entry.plan.id,
            "title": entry.plan.title,
            "items": [{
                "id": item.item.id,
                "kind": item.item.kind,
                "title": item.item.title,
                "due": item.item.due_on.isoformat() if item.item.due_on else None,
                "status": item.state.status,
            } for item in entry.items],
            "hours_earned": float(entry.hours_earned),
            "hours_required": float(entry.plan.required_hours or 0),
        } for entry in progress],
        "points": total_points(user.id),
    }


ME_PROGRESS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["plans", "points"],
    "additionalProperties": False,
    "properties": {
        "plans": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "title", "items", "hours_earned", "hours_required"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "integer"},
                "title": {"type": "string"},
                "items": {"type": "array", "items": {
                    "type": "object",
                    "required": ["id", "kind", "title", "due", "status"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "integer"},
                        "kind": {"type": "string", "enum": ITEM_KINDS},
                        "title": {"type": "string"},
                        "due": {"type": ["string", "null"], "format": "date",
                                "description": "Due date (YYYY-MM-DD), or null"},
                        "status": {"type": "string", "enum": list(STATUS_LABELS),
                                   "description": "Only \"done\" counts as completed"},
                    },
                }},
                "hours_earned": {"type": "number",
                                 "description": "My study hours over the plan's period: plan "
                                                "items done then (of any plan) and sessions "
                                                "attended"},
                "hours_required": {"type": "number",
                                   "description": "Study hours the plan asks for (0: none)"},
            },
        }},
        "points": {"type": "integer", "description": "My points balance (学法积分)"},
    },
}

# The path object of /me/progress for /api/v1/openapi.json (OpenAPI 3.1).
ME_PROGRESS_OPENAPI: dict[str, Any] = {
    "get": {
        "summary": "My study plans with each item's status, my study hours and points",
        "responses": {
            "200": {"description": "My progress",
                    "content": {"application/json": {"schema": ME_PROGRESS_SCHEMA}}},
            "401": {"description": "Not authenticated",
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}},
            "403": {"description": "Forbidden",
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    },
}


@api_bp.route("/me/progress")
@login_required
def me_progress():
    """My study plans with each item's status, my study hours and my points."""
    payload = me_progress_payload(current_user, utcnow())
    db.session.commit()
    return jsonify(payload)
