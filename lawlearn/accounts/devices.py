"""Known devices (OWASP's "device cookies"): a browser someone has signed in on before may
still sign them in while their account is locked.

Five wrong passwords lock an account for everyone, so anyone who knows a username (staff
numbers, the admin) could keep its owner locked out from anywhere. After a successful
sign-in the browser keeps a signed cookie naming the account; with it, the lock does not
apply, and that browser's wrong passwords count in the cookie itself (re-signed each time)
up to the same limit, not against the account. A browser without the cookie meets the
lock as before. Throwing the cookie away only makes a browser unknown.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from lawlearn.accounts.rules import normalize_username

# Not "lawlearn_device": that is the check-in's own device id (sessions.checkin_views).
COOKIE = "lawlearn_known_device"
LIFETIME = timedelta(days=180)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def failures_on_this_device(username: str) -> int | None:
    """The wrong passwords this browser has given for ``username`` since it last signed
    them in, or None when it is not a known device of theirs (no cookie, another account,
    expired, forged)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        found = _serializer().loads(value, max_age=int(LIFETIME.total_seconds()))
    except BadSignature:
        return None
    if not isinstance(found, dict) or found.get("u") != normalize_username(username or ""):
        return None
    failures = found.get("f")
    return failures if isinstance(failures, int) else None


def is_known_device(failures: int | None) -> bool:
    return failures is not None and failures < current_app.config["LOGIN_MAX_FAILURES"]


def remember_device(response: Response, username: str, failures: int = 0) -> None:
    response.set_cookie(
        COOKIE, _serializer().dumps({"u": normalize_username(username), "f": failures}),
        max_age=int(LIFETIME.total_seconds()), httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("HTTPS")))
