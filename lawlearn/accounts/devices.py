"""Known devices (OWASP's "device cookies"): a browser someone has signed in on before may
still sign them in while their account is locked.

Five wrong passwords lock an account for everyone, so anyone who knows a username (staff
numbers, the admin) could keep its owner locked out from anywhere. After a successful
sign-in the browser keeps a signed cookie naming the account and a random id of its own;
with it, the lock does not apply, and that browser's wrong passwords count against its id
on the server (the rate limiter's storage: Redis when several servers share it), to the
same five in the same window; beyond them, or without the cookie, the account's own count
and lock apply as before. A copy of the cookie sent again does not start the count afresh,
and a password change (or 在所有设备上退出) ends every such cookie: it carries a
fingerprint of the account's login nonce.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import Response, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItemPerSecond
from sqlalchemy import select

from lawlearn.accounts.rules import normalize_username

# Not "lawlearn_device": that is the check-in's own device id (sessions.checkin_views).
COOKIE = "lawlearn_known_device"
LIFETIME = timedelta(days=180)
SCOPE = "known-device-failures"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _failures_allowed() -> RateLimitItemPerSecond:
    return RateLimitItemPerSecond(current_app.config["LOGIN_MAX_FAILURES"],
                                  int(current_app.config["LOGIN_LOCKOUT"].total_seconds()))


def _fingerprint(nonce: str | None) -> str:
    return hashlib.sha256((nonce or "").encode()).hexdigest()[:16]


def _nonce_of(username: str) -> str | None:
    from lawlearn.accounts.models import User
    from lawlearn.extensions import db

    return db.session.scalar(select(User.login_nonce).where(User.username == username))


def known_device(username: str) -> str | None:
    """This browser's device id when it is a known device of ``username`` that has not used
    up its wrong passwords; None otherwise (no cookie, another account, expired, forged,
    issued before a password change, or five wrong passwords lately)."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        found = _serializer().loads(value, max_age=int(LIFETIME.total_seconds()))
    except BadSignature:
        return None
    username = normalize_username(username or "")
    if not isinstance(found, dict) or found.get("u") != username \
            or not isinstance(found.get("d"), str):
        return None
    if found.get("n") != _fingerprint(_nonce_of(username)):
        return None
    try:
        if not _limiter().test(_failures_allowed(), SCOPE, found["d"]):
            return None
    except Exception:  # noqa: BLE001  (the counts' store unreachable: the account's lock holds)
        current_app.logger.warning("known-device counts unreachable; the account lock applies")
        return None
    return found["d"]


def count_failure(device_id: str) -> None:
    """A wrong password from this known device: counted against its id, on the server."""
    try:
        _limiter().hit(_failures_allowed(), SCOPE, device_id)
    except Exception:  # noqa: BLE001  (as above: the next try finds no known device)
        current_app.logger.warning("known-device counts unreachable")


def remember_device(response: Response, username: str, nonce: str | None) -> None:
    """After a sign-in: this browser is a known device of ``username`` (its id kept when it
    was one already, so its count goes on)."""
    username = normalize_username(username)
    device_id = known_device(username) or secrets.token_urlsafe(16)
    response.set_cookie(
        COOKIE, _serializer().dumps({"u": username, "d": device_id, "n": _fingerprint(nonce)}),
        max_age=int(LIFETIME.total_seconds()), httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("HTTPS")))


def _limiter():
    from lawlearn.extensions import limiter

    return limiter.limiter
