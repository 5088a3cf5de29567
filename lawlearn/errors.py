"""Domain errors raised by services, and the one place where errors become responses."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from lawlearn.extensions import db


class DomainError(Exception):
    """A rule of the domain was broken; the message is for the user."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        # (field, message) of every problem found (see raise_all): a form shows each beside
        # its field.
        self.problems: list[tuple[str | None, str]] = [(field, message)]


class ValidationFailed(DomainError):
    status = 422
    code = "invalid"


def show_beside_fields(form, error: DomainError, default_field: str) -> None:
    """Each problem of ``error`` under its field of ``form`` (a field the form lacks: under
    ``default_field``)."""
    for name, message in error.problems:
        field = getattr(form, name or default_field, None) or getattr(form, default_field)
        field.errors = [*field.errors, message]


def add_service_problems(form, problems: list[ValidationFailed], default_field: str) -> None:
    """After the form's own checks failed, the service's too, so that one submission names
    every problem; a field the form already flagged keeps its message alone."""
    flagged = {name for name, errors in form.errors.items() if errors}
    for problem in problems:
        name = problem.field if hasattr(form, problem.field or "") else default_field
        if name not in flagged:
            field = getattr(form, name)
            field.errors = [*field.errors, problem.message]


def accepted(field, default=None):
    """The field's value, or ``default`` where the form refused it: a refused value (a date
    in year 1) is no input for the service's checks."""
    return default if field.errors else field.data


def reading_into(problems: list[ValidationFailed]):
    """``read(reader, default)`` for a form's fields that need parsing (usernames, article
    references, question numbers): the value, or ``default`` with the problem added to
    ``problems``, so that it is named with the service's own rather than alone."""

    def read(reader, default):
        try:
            return reader()
        except ValidationFailed as problem:
            problems.append(problem)
            return default

    return read


def submitted_with_a_token(form) -> bool:
    """Posted, with a valid CSRF token (an expired page says only that)."""
    return form.is_submitted() and not form.errors.get("csrf_token")


def raise_all(problems: list[ValidationFailed]) -> None:
    """Raise the first of ``problems`` carrying them all, so that a form names every
    problem at once instead of one per submission; the API answers with the first."""
    if problems:
        first = problems[0]
        first.problems = [(problem.field, problem.message) for problem in problems]
        raise first


class NotAuthenticated(DomainError):
    """Credentials refused (the API; the sign-in page re-renders its form instead)."""

    status = 401
    code = "unauthorized"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after  # seconds, when known (a locked account's lock)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def json_error(status: int, code: str, message: str, **extra: str):
    response = jsonify(error=code, message=message, **extra)
    response.status_code = status
    if status == 401:  # says how to authenticate, as HTTP asks of every 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="lawlearn"'
    return response


HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}


def _http_message(status: int) -> str:
    messages = {
        400: _("请求无效。"),
        401: _("请先登录。"),
        403: _("您没有权限访问此页面。"),
        404: _("页面不存在或已被删除。"),
        405: _("不支持此请求方式。"),
        413: _("上传的文件过大。"),
        429: _("请求过于频繁，请稍后再试。"),
        500: _("服务器出错了，请稍后再试。"),
    }
    return messages.get(status, _("请求无法完成。"))


def _limit_window_seconds(error: HTTPException) -> int | None:
    """The window of the rate limit a 429 hit (Flask-Limiter's ``RateLimitExceeded``)."""
    limit = getattr(getattr(error, "limit", None), "limit", None)
    try:
        return int(limit.get_expiry()) if limit is not None else None
    except (AttributeError, TypeError, ValueError):
        return None


def _page_before() -> str | None:
    """The page of this site a refused request came from (a check-in code typed too often):
    a way back to it rather than only to the home page."""
    from lawlearn.security import is_safe_next  # here: security imports this module

    came_from = urlsplit(request.referrer or "")
    if came_from.netloc != request.host:
        return None
    path = came_from.path + (f"?{came_from.query}" if came_from.query else "")
    return path if is_safe_next(path) else None


def _page_above(path: str) -> str | None:
    """The nearest page above ``path`` that a GET can open (``/admin/library/materials/1``
    above ``…/1/attachments``): where a form's POST-only address comes from."""
    adapter = current_app.url_map.bind("localhost")
    parts = path.rstrip("/").split("/")
    while len(parts) > 1:
        parts.pop()
        candidate = "/".join(parts) or "/"
        try:
            adapter.match(candidate, method="GET")
        except HTTPException:
            continue
        return candidate
    return None


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        if wants_json():
            response = json_error(error.status, error.code, error.message)
            if getattr(error, "retry_after", None):
                # Flask-Limiter's own Retry-After (its window) keeps the later of the two.
                response.headers["Retry-After"] = str(error.retry_after)
            return response
        return render_template(
            "errors/error.html", status=error.status, message=error.message
        ), error.status

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error: CSRFError):
        message = _("页面已过期或请求来源无效，请刷新页面后重试。")
        if wants_json():
            return json_error(403, "csrf_failed", message)
        return render_template("errors/error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        status = error.code or 500
        if status == 405 and request.method in ("GET", "HEAD") and not wants_json():
            # A form's POST-only address opened again (the address bar after a re-rendered
            # error, a reload, a shared link): its page, not "不支持此请求方式".
            above = _page_above(request.path)
            if above is not None:
                return redirect(request.script_root + above)  # under a path prefix too
        message = _http_message(status)
        # The exception's own headers (a 405's Allow), but the body and its type are ours.
        headers = {name: value for name, value in error.get_headers()
                   if name.lower() != "content-type"}
        window = _limit_window_seconds(error)
        if window:  # say how long at most, as the limit's window does
            message = _("请求过于频繁，请 %(n)d 秒后再试。", n=window)
            headers["Retry-After"] = str(window)
        if wants_json():
            if status == 413:  # the API takes no files: it is the body that is too large
                message = _("请求内容过大。")
            response = json_error(status, HTTP_CODES.get(status, "error"), message)
        else:
            response = render_template("errors/error.html", status=status, message=message,
                                       back_url=_page_before() if status == 429 else None)
        return response, status, headers

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        # A failed request must not leave a half-done transaction behind.
        db.session.rollback()
        # The person reads this reference to whoever runs the site, who finds it in the log:
        # "服务器出错了" alone could not be told apart from the day's other errors.
        reference = secrets.token_hex(4).upper()
        app.logger.exception("Unhandled error %s on %s %s", reference, request.method,
                             request.path)
        if app.config.get("PROPAGATE_EXCEPTIONS"):
            raise error
        if wants_json():
            return json_error(500, "server_error", _http_message(500), reference=reference)
        return render_template("errors/error.html", status=500, message=_http_message(500),
                               reference=reference), 500
