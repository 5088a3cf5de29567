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
        assert uploads.claim("users", 8, token) is None  # another admin cannot take it
        assert uploads.claim("users", 7, token) == (b"data", {"hash": "x"})
        with pytest.raises(NotFound):
            uploads.claim("users", 7, "../../etc/passwd")
        old = uploads.stash("users", 7, b"old")
        path = next(p for p in (uploads._folder()).glob(f"users-7-{old}"))
        past = time.time() - uploads.LIFETIME_SECONDS - 10
        os.utime(path, (past, past))
        uploads.stash("users", 7, b"new")  # a new preview sweeps stale ones
        assert uploads.claim("users", 7, old) is None
        uploads.drop("users", 7, token)
        assert uploads.claim("users", 7, token) is None
        assert list(uploads._folder().glob(f"users-7-{token}*")) == []


def test_a_stash_is_confirmed_by_one_request_only(app):
    with app.test_request_context():
        token = uploads.stash("questions", 7, b"rows")
        assert uploads.claim("questions", 7, token) == (b"rows", {})
        with pytest.raises(uploads.AlreadyClaimed):  # the double click's second request
            uploads.claim("questions", 7, token)
        uploads.release("questions", 7, token)  # the first one failed: try again
        assert uploads.claim("questions", 7, token) == (b"rows", {})
        claimed = next(uploads._folder().glob(f"questions-7-{token}.claimed"))
        past = time.time() - uploads.CLAIM_SECONDS - 10
        os.utime(claimed, (past, past))  # its request died long ago
        assert uploads.claim("questions", 7, token) == (b"rows", {})
        uploads.drop("questions", 7, token)
        assert uploads.claim("questions", 7, token) is None
