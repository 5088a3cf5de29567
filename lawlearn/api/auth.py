"""API authentication: bearer tokens, or the browser session plus an X-CSRFToken header."""

from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from lawlearn.api import api_bp
from lawlearn.errors import PermissionDenied
from lawlearn.extensions import csrf
from lawlearn.security import request_itself, request_user

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Reachable while the user still owes a new password.
PASSWORD_CHANGE_EXEMPT = {"api.me", "api.issue_token", "api.revoke_token", "api.openapi",
                          "api.change_password"}

csrf.exempt(api_bp)


@api_bp.before_request
def check_session_csrf():
    """A cookie-authenticated change must carry the CSRF token; a bearer token need not."""
    req = request_itself()
    if req.method in SAFE_METHODS or req.endpoint == "api.issue_token":
        return
    if request_user().is_authenticated and "api_token_id" not in g:
        try:
            validate_csrf(req.headers.get("X-CSRFToken", ""))
        except ValidationError as error:
            raise PermissionDenied(_("缺少或无效的 CSRF 令牌（X-CSRFToken）。"),
                                   code="csrf_failed") from error


@api_bp.before_request
def check_password_change():
    user = request_user()
    if (user.is_authenticated and user.must_change_password
            and request.endpoint not in PASSWORD_CHANGE_EXEMPT):
        raise PermissionDenied(_("请先修改初始密码。"), code="password_change_required")
