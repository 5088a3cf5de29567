"""Fixtures of the live-server tests: a database of their own and servers that are always
stopped."""

from __future__ import annotations

import pytest

from tests.scale.live import Servers, own_database


@pytest.fixture
def site_database(tmp_path):
    """A database for this test's servers, of the kind the suite runs on; dropped after."""
    with own_database(tmp_path) as url:
        yield url


@pytest.fixture
def servers(tmp_path):
    with Servers(tmp_path) as running:
        yield running
