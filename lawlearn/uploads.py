"""Uploads kept between an import's preview and its confirmation.

Every import goes upload → preview → confirm. The file is kept in the shared upload folder
(any app server can take the confirmation) under a random token bound to the uploader,
read again at confirmation, and removed then; previews never confirmed go after a day.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from flask import abort, current_app

TOKEN = re.compile(r"^[0-9a-f]{32}$")
LIFETIME_SECONDS = 24 * 3600
CLAIM_SECONDS = 600  # longer than any import takes (20,000 questions: seconds)


def _folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(kind: str, user_id: int, token: str) -> Path:
    if not TOKEN.match(token or ""):
        abort(404)
    return _folder() / f"{kind}-{user_id}-{token}"


def stash(kind: str, user_id: int, data: bytes, meta: dict[str, Any] | None = None) -> str:
    """Keep ``data`` (and small ``meta``) for the confirmation; returns the token."""
    cutoff = time.time() - LIFETIME_SECONDS
    for stale in _folder().glob(f"{kind}-*"):
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    path = _path(kind, user_id, token)
    path.write_bytes(data)
    path.with_suffix(".json").write_text(json.dumps(meta or {}))
    return token


class AlreadyClaimed(Exception):
    """Another request is confirming this upload right now (a double click, a second tab)."""


def _claimed(path: Path) -> Path:
    return path.with_name(path.name + ".claimed")


def claim(kind: str, user_id: int, token: str) -> tuple[bytes, dict[str, Any]] | None:
    """Take the stashed upload and its meta for its confirmation (None when it expired or
    never existed). Only one request gets it: the file is renamed, which is atomic, so a
    second confirmation of the same preview (on any app server) raises
    :class:`AlreadyClaimed` instead of importing everything twice. The confirmation then
    calls :func:`drop` when it has committed, or :func:`release` when it failed and may be
    tried again. A claim whose request died is taken over after CLAIM_SECONDS."""
    path = _path(kind, user_id, token)
    claimed = _claimed(path)
    try:
        path.rename(claimed)
    except FileNotFoundError:
        try:
            claimed_at = claimed.stat().st_mtime
        except FileNotFoundError:
            return None  # expired, never existed, or already imported
        if time.time() - claimed_at < CLAIM_SECONDS:
            raise AlreadyClaimed from None
    os.utime(claimed)  # when it was claimed
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    return claimed.read_bytes(), meta


def release(kind: str, user_id: int, token: str) -> None:
    """Give a claimed upload back after a failed confirmation (it can be confirmed again)."""
    path = _path(kind, user_id, token)
    try:
        _claimed(path).rename(path)
    except FileNotFoundError:
        pass


def drop(kind: str, user_id: int, token: str) -> None:
    path = _path(kind, user_id, token)
    path.unlink(missing_ok=True)
    _claimed(path).unlink(missing_ok=True)
    path.with_suffix(".json").unlink(missing_ok=True)
