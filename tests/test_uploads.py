"""Uploads kept between an import's preview and its confirmation."""

from __future__ import annotations

import os
import time

import pytest
from werkzeug.exceptions import NotFound

from lawlearn import uploads


def test_stash_roundtrip_owner_and_expiry(app):
    with app.test_request_context():
        token = uploads.stash("users", 7, b"data", {"hash": "x"})
        assert uploads.unstash("users", 7, token) == (b"data", {"hash": "x"})
        assert uploads.unstash("users", 8, token) is None  # another admin cannot take it
        with pytest.raises(NotFound):
            uploads.unstash("users", 7, "../../etc/passwd")
        old = uploads.stash("users", 7, b"old")
        path = next(p for p in (uploads._folder()).glob(f"users-7-{old}"))
        past = time.time() - uploads.LIFETIME_SECONDS - 10
        os.utime(path, (past, past))
        uploads.stash("users", 7, b"new")  # a new preview sweeps stale ones
        assert uploads.unstash("users", 7, old) is None
        uploads.drop("users", 7, token)
        assert uploads.unstash("users", 7, token) is None
