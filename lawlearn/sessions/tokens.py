"""Rotating check-in codes: a signed token of (session, 10-second window), never stored.

A photo of the projector's QR code sent to a group chat stops working within 20 s (its
typed code within 40 s), and the check-in is tied to the logged-in account anyway. No
database write per rotation: any app server can check a token with the secret key alone.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from lawlearn.errors import DomainError

WINDOW_SECONDS = 10
# A typed code is read off the screen, then the site opened and six digits typed: a code
# shown up to 30–40 s ago still counts (its window and the three before). Only the scanned
# token, which takes no reading, keeps to 10–20 s. Guessing stays hopeless: four codes in
# a million, ten tries a minute (code_checkin.CODE_RATE_LIMIT).
CODE_WINDOWS = 4


class BadCheckinToken(DomainError):
    status = 400
    code = "invalid_token"
    session_id: int | None = None  # of a genuine link that has expired


def window_of(now: datetime) -> int:
    """The 10-second window ``now`` (naive UTC) falls in."""
    return calendar.timegm(now.timetuple()) // WINDOW_SECONDS


def seconds_left(now: datetime) -> int:
    return WINDOW_SECONDS - calendar.timegm(now.timetuple()) % WINDOW_SECONDS


def _digest(session_id: int, window: int, purpose: str) -> bytes:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"lawlearn-checkin:{purpose}:{session_id}:{window}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()


def make_token(session_id: int, now: datetime) -> str:
    window = window_of(now)
    return f"{session_id}.{window}.{_digest(session_id, window, 'qr').hex()[:20]}"


def make_code(session_id: int, now: datetime) -> str:
    """A six-digit code for people whose camera fails (accepted for ``CODE_WINDOWS``)."""
    return _numeric(session_id, window_of(now))


def _numeric(session_id: int, window: int) -> str:
    return f"{int.from_bytes(_digest(session_id, window, 'code')[:8], 'big') % 1_000_000:06d}"


def read_token(token: str, now: datetime) -> int:
    """The session id of a valid token of this window or the one before it."""
    try:
        session_text, window_text, signature = (token or "").strip().split(".")
        session_id, window = int(session_text), int(window_text)
    except ValueError as error:
        raise BadCheckinToken(_("签到码无效。")) from error
    expected = _digest(session_id, window, "qr").hex()[:20]
    # Bytes: compare_digest refuses str with non-ASCII characters (a pasted "签到").
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise BadCheckinToken(_("签到码无效。"))
    if window not in (window_of(now), window_of(now) - 1):
        expired = BadCheckinToken(_("签到码已过期，请扫描屏幕上最新的二维码。"), code="expired_token")
        expired.session_id = session_id
        raise expired
    return session_id


def code_matches(session_id: int, code: str, now: datetime) -> bool:
    code = (code or "").strip().encode()  # bytes: any character may come in (see read_token)
    current = window_of(now)
    return any(hmac.compare_digest(_numeric(session_id, window).encode(), code)
               for window in range(current - CODE_WINDOWS + 1, current + 1))
