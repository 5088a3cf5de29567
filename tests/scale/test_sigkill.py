"""The app server is killed (SIGKILL: arbiter and workers at once) while staff are answering
a quiz: after a restart every answer the server acknowledged is in the database and every
attempt resumes. bench/bench_faults.py runs the same with 50 takers."""

from __future__ import annotations

from tests.scale import live
from tests.scale.scenarios import kill_mid_quiz

TAKERS = 10
QUESTIONS = 12


def test_sigkill_mid_quiz_loses_no_acknowledged_answer(site_database, servers, tmp_path):
    outcome = kill_mid_quiz(servers, site_database, tmp_path, takers=TAKERS, questions=QUESTIONS)
    people = outcome["people"]
    # The kill came mid-way: some answers were acknowledged, not all, and takers were cut off.
    assert outcome["total"] // 2 <= outcome["acked"] < outcome["total"]
    assert any(t.errors for t in people)
    assert outcome["lost"] == []
    # An answer may have been written without its reply getting out; never the reverse.
    assert outcome["stored"] >= outcome["acked"]
    for taker, attempt in zip(people, outcome["results"], strict=True):
        assert attempt["submitted"] is True
        assert attempt["result"]["score"] == live.expected_score(taker, attempt)
        assert {int(q) for q in attempt["answers"]} == set(taker.question_ids)
