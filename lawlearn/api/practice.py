"""Daily practice endpoints of the API: today's set, and answering one question of it."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lawlearn.api import api_bp
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.practice import daily


@api_bp.route("/practice/daily")
@login_required
def practice_daily():
    """Today's set (chosen on the first request of the day); every question counts as shown."""
    now = utcnow()
    daily_set = daily.get_or_create_set(current_user, now)
    if daily_set is not None:
        daily.mark_shown(daily_set, now)
    payload = daily.set_payload(daily_set, now)
    db.session.commit()
    return jsonify(payload)


@api_bp.route("/practice/answers", methods=["POST"])
@login_required
def practice_answer():
    """Answer one question of today's set: feedback at once; a repeat pays nothing."""
    body = request.get_json(silent=True)
    if (not isinstance(body, dict) or "answer" not in body
            or not isinstance(body.get("question_id"), int)
            or isinstance(body.get("question_id"), bool)):
        raise ValidationFailed(_("请求体须为 {\"question_id\": 整数, \"answer\": …}。"),
                               code="invalid_json")
    feedback = daily.answer(current_user.id, body["question_id"], body["answer"], utcnow())
    payload = feedback.payload()
    db.session.commit()
    return jsonify(payload)
