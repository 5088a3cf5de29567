"""API endpoints of the accounts domain and the OpenAPI description."""

from __future__ import annotations

from flask import Response, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lawlearn.accounts import services
from lawlearn.accounts.auth_views import login_throttle
from lawlearn.accounts.models import ApiToken
from lawlearn.api import api_bp
from lawlearn.api.openapi import openapi_document
from lawlearn.database import utcnow
from lawlearn.errors import DomainError, NotAuthenticated, ValidationFailed
from lawlearn.extensions import db


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationFailed(_("请求体须为 JSON 对象。"), code="invalid_json")
    return body


@api_bp.route("/auth/token", methods=["POST"])
@login_throttle
def issue_token():
    """Exchange a username and password for a bearer token."""
    body = _json_body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise ValidationFailed(_("请提供用户名和密码。"), code="invalid")
    try:
        user = services.authenticate(username, password, utcnow())
    except DomainError as failure:
        db.session.commit()  # keep the failure count
        if failure.code == "invalid_credentials":
            # Refused credentials are a 401 here, as a refused token is.
            raise NotAuthenticated(failure.message, code=failure.code) from failure
        raise
    raw, token = services.issue_api_token(user, utcnow())
    db.session.commit()
    return jsonify(token=raw, expires_at=token.expires_at.isoformat() + "Z",
                   user=services.user_summary(user)), 201


@api_bp.route("/auth/token", methods=["DELETE"])
@login_required
def revoke_token():
    """Revoke the bearer token used for this request."""
    token_id = g.get("api_token_id")
    if token_id is None:
        raise ValidationFailed(_("此请求未使用令牌。"), code="no_token")
    services.revoke_api_token(db.session.get(ApiToken, token_id), utcnow())
    db.session.commit()
    response = Response(status=204)
    del response.headers["Content-Type"]  # no body, so no type (Flask's default is text/html)
    return response


@api_bp.route("/me/password", methods=["POST"])
@login_required
@login_throttle
def change_password():
    """Change one's own password (the initial one too, which every other endpoint waits
    for). Every token of the account is revoked with the old password: the answer carries a
    new one for this client."""
    body = _json_body()
    current, new = body.get("current_password"), body.get("new_password")
    if not isinstance(current, str) or not isinstance(new, str):
        raise ValidationFailed(_("请提供当前密码和新密码。"), code="invalid")
    user = current_user._get_current_object()
    try:
        services.change_password(user, current, new)
    except DomainError:
        db.session.commit()  # keep the failure count of a wrong current password
        raise
    raw, token = services.issue_api_token(user, utcnow())
    db.session.commit()
    return jsonify(token=raw, expires_at=token.expires_at.isoformat() + "Z",
                   user=services.user_summary(user))


@api_bp.route("/me")
@login_required
def me():
    """The current user."""
    return jsonify(services.user_summary(current_user))


@api_bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())
