"""SQLite under concurrent writes from two gunicorn workers (4 threads each): logins, quiz
starts, answer saves and check-ins all at once, and no "database is locked" reaches anyone.
bench/bench_faults.py runs a longer version."""

from __future__ import annotations

import pytest

from tests.scale import live
from tests.scale.scenarios import write_storm

STAFF = 20
QUESTIONS = 10  # 200 answer saves, 20 check-ins, 20 logins, 20 quiz starts

pytestmark = pytest.mark.skipif(live.is_postgres(live.TEST_DATABASE_URL),
                                reason="SQLite's writer lock: run in the suite's SQLite pass")


def test_concurrent_writes_reach_no_user_as_locked(servers, tmp_path):
    outcome = write_storm(servers, tmp_path, staff=STAFF, questions=QUESTIONS)
    assert outcome["failures"] == []
    assert outcome["saves"] == STAFF * QUESTIONS
    assert outcome["checkins"] == STAFF
    assert len(outcome["stored"]) == STAFF * QUESTIONS
    assert "database is locked" not in outcome["log"]
    assert "Traceback" not in outcome["log"]
