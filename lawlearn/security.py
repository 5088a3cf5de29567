"""Who may do what: the user loader, role guards, safe redirects and response headers."""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import Flask, abort, current_app, g, has_request_context, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user

from lawlearn.converters import plain_digits
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db, login_manager

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@login_manager.user_loader
def load_user(cookie_id: str):
    req = request._get_current_object() if has_request_context() else None
    if req is not None and req.path.startswith("/api/") and _bearer_of(req) is not None:
        # A token sent beside a browser's cookie (an app's web view) is who is asking:
        # the cookie's user would ignore it, and DELETE /auth/token could not revoke it.
        return load_user_from_bearer_token(req)
    user_id, _, nonce = cookie_id.partition(":")
    if not plain_digits(user_id):
        return None
    found = db.session.execute(_user_with_roles(), {"user_id": int(user_id)}).first()
    # A changed password or a deactivation ends every existing session.
    if found is None or not found[0].active or found[0].login_nonce != nonce:
        return None
    user, role_names = found
    user.remember_roles(role_names)
    return user


def request_user():
    """The person behind ``current_user``, unwrapped (the anonymous user when no one is
    signed in; None outside a request). Code that runs on every request and reads several
    of their attributes reads them here: each read through the ``current_user`` proxy is a
    lookup of its own (werkzeug's proxy, then Flask-Login's ``_get_user``: about 2 µs)."""
    return current_user._get_current_object()


def request_itself():
    """The request object behind the ``request`` proxy (see ``request_user``)."""
    return request._get_current_object()


@login_manager.request_loader
def load_user_from_bearer_token(req):
    """Phone clients and scripts authenticate to the API with a bearer token."""
    req = getattr(req, "_get_current_object", lambda: req)()  # the proxy Flask-Login passes
    token = _bearer_of(req)
    if token is None or not req.path.startswith("/api/"):
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    found = db.session.execute(_token_and_user(), {"digest": digest}).first()
    if found is None:
        return None
    user, token_id, revoked_at, expires_at = found
    if revoked_at is not None or expires_at <= utcnow() or not user.active:
        return None
    g.api_token_id = token_id
    return user


def _bearer_of(req) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (the scheme in any case)."""
    header = req.headers.get("Authorization", "")
    if header[:7].lower() != "bearer ":
        return None
    return header[7:].strip() or None


@cache
def _user_with_roles():
    from lawlearn.accounts.models import User, UserRole

    # Every page asks for the roles (the top bar, the guards): one query, built once, the
    # roles as one text column (a joined load of the role rows cost a sixteenth more of a
    # signed-in request: bench/bench_instructions.py).
    role_names = (db.select(db.func.aggregate_strings(UserRole.role, ","))
                  .where(UserRole.user_id == User.id).scalar_subquery())
    return db.select(User, role_names).where(User.id == db.bindparam("user_id"))


@cache
def _token_and_user():
    from lawlearn.accounts.models import ApiToken, User

    # Built once: every API request runs it (see quiz.services._ANSWER_TARGET). The token's
    # columns only: one entity less to build on every request.
    return (db.select(User, ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == db.bindparam("digest")))


READ_METHODS = frozenset({"GET", "HEAD"})


def leader_reads(view):
    """Mark an admin page the office's leader (主要负责人, "read-only everything") may read:
    its GET only; every change it offers stays the admins'. The page hides its forms from
    anyone but an admin (``current_user.is_admin``)."""
    view.leader_reads = True
    return view


def protect_blueprint(blueprint, *roles: str) -> None:
    """Guard every route of ``blueprint``, including routes added later; a leader may GET
    the pages marked ``leader_reads``."""
    from lawlearn.accounts.models import Role

    @blueprint.before_request
    def require_roles():
        user = request_user()
        if not user.is_authenticated:
            return login_manager.unauthorized()
        if user.has_role(*roles):
            return None
        req = request_itself()
        view = current_app.view_functions.get(req.endpoint or "")
        if (req.method in READ_METHODS and getattr(view, "leader_reads", False)
                and user.has_role(Role.LEADER)):
            return None
        abort(403)


def is_safe_next(target: str | None) -> bool:
    """True only for a path on this site (no scheme, host or backslash tricks)."""
    if not target or "\\" in target or not target.startswith("/") or target.startswith("//"):
        return False
    base = urlsplit(request.host_url)
    resolved = urlsplit(urljoin(request.host_url, target))
    return resolved.scheme in ("http", "https") and resolved.netloc == base.netloc


def safe_next(target: str | None, default_endpoint: str = "main.home") -> str:
    return target if is_safe_next(target) else url_for(default_endpoint)


# Endpoints that stay reachable while a new password is owed.
PASSWORD_CHANGE_EXEMPT = {"auth.change_password", "auth.logout", "static", "main.set_language"}


def _holds_nul(value: Any) -> bool:
    # A stack, not recursion: a JSON body may be nested as deep as the parser allows.
    pending = [value]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return True
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def refuse_nul_characters() -> None:
    """No text with a NUL character goes any further: PostgreSQL refuses it in any string
    (a 500 deep in a query otherwise), and no form or API field has a use for it."""
    req = request_itself()
    # Every value of a repeated field too (MultiDict.values() gives only the first).
    suspects: list[Any] = [req.path, *(f"{key}{value}" for key, value
                                       in req.args.items(multi=True))]
    if req.method not in ("GET", "HEAD", "OPTIONS"):
        if req.is_json:
            suspects.append(req.get_json(silent=True))
        elif req.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            suspects.extend(f"{key}{value}" for key, value in req.form.items(multi=True))
    if any(_holds_nul(value) for value in suspects):
        raise DomainError(_("请求中含有无效的空字符（NUL），请检查后重试。"),
                          code="invalid_characters")


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signer built once per set of keys instead
    of on every request (a twentieth of an API request's work)."""

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = app.extensions.get("lawlearn_session_signer")
        if cached is None or cached[0] != keys:
            cached = app.extensions["lawlearn_session_signer"] = (
                keys, super().get_signing_serializer(app))
        return cached[1]


def init_security(app: Flask) -> None:
    app.session_interface = CookieSessions()
    app.before_request(refuse_nul_characters)

    @app.before_request
    def force_password_change():
        req = request_itself()
        if req.path.startswith("/api/"):
            return None  # the API reports must_change_password in its own way
        user = request_user()
        if (
            user.is_authenticated
            and user.must_change_password
            and req.endpoint not in PASSWORD_CHANGE_EXEMPT
        ):
            return redirect(url_for("auth.change_password",
                                    next=req.full_path.rstrip("?")))
        return None

    defaults = [("Content-Security-Policy", CONTENT_SECURITY_POLICY),
                ("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "same-origin")]
    if app.config.get("HTTPS"):  # settled by create_app, before this runs
        defaults.append(("Strict-Transport-Security", "max-age=31536000"))
    # Pages behind login must not be kept by shared caches.
    signed_in_defaults = [*defaults, ("Cache-Control", "private, no-store")]

    @app.after_request
    def security_headers(response):
        """Each header unless the view set its own (one pass over the headers: this runs on
        every response)."""
        headers = response.headers
        present = set(headers.keys(lower=True))
        user = request_user()
        signed_in = user is not None and getattr(user, "is_authenticated", False)
        headers.extend([(key, value) for key, value in
                        (signed_in_defaults if signed_in else defaults)
                        if key.lower() not in present])
        return response
