"""Uploads kept between an import's preview and its confirmation.

Every import goes upload → preview → confirm. The file is kept in the shared upload folder
(any app server can take the confirmation) under a random token bound to the uploader,
read again at confirmation, and removed then; previews never confirmed go after a day.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path
from typing import Any

from flask import abort, current_app

TOKEN = re.compile(r"^[0-9a-f]{32}$")
LIFETIME_SECONDS = 24 * 3600


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


def unstash(kind: str, user_id: int, token: str) -> tuple[bytes, dict[str, Any]] | None:
    """The stashed upload and its meta, or None when it expired or never existed."""
    path = _path(kind, user_id, token)
    if not path.exists():
        return None
    meta_path = path.with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    return path.read_bytes(), meta


def drop(kind: str, user_id: int, token: str) -> None:
    path = _path(kind, user_id, token)
    path.unlink(missing_ok=True)
    path.with_suffix(".json").unlink(missing_ok=True)
