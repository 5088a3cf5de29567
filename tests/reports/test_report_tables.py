"""The sessions, quizzes and outreach tables behind a report, on the hand-built office of
tests/reports/conftest.py (see test_participation_figures.py for who did what)."""

from __future__ import annotations

import pytest

from lawlearn.outreach.ledger import LedgerFilters, ledger_totals
from lawlearn.reports.participation import build_report
from tests.reports.conftest import NOW, PERIOD

# Sessions counted in the period (check-in closed), in time order; I (进行中的学法), still
# open for check-in at NOW, is not counted yet:
# title: (expected, present, late, excused, absent, pending)
WHOLE_OFFICE = {
    "元旦零点学法": (1, 1, 0, 0, 0, 0),  # G: loner
    "二月集中学法": (7, 4, 1, 1, 1, 0),  # A: everyone active then (not idle)
    "办公室学法": (3, 1, 1, 0, 1, 0),  # B: secretary, mover (in 办公室 then), clerk
    "执法局学法": (4, 1, 1, 1, 1, 0),  # C: lead, clerk, inspector, mover (gone deactivated)
    "待关闭的学法": (2, 1, 0, 0, 1, 0),  # H: secretary; inspector absent, not closed yet
}
UNIT = {  # 执法局 and its sections: only their people; G (loner only) is left out
    "二月集中学法": (5, 3, 1, 1, 0, 0),
    "办公室学法": (2, 0, 1, 0, 1, 0),  # clerk absent; mover, late, is in 法制科 now
    "执法局学法": (4, 1, 1, 1, 1, 0),
    "待关闭的学法": (1, 0, 0, 0, 1, 0),
}


def counts(rows) -> dict:
    return {row.title: (row.expected, row.present, row.late, row.excused, row.absent,
                        row.pending) for row in rows}


def test_sessions_of_the_whole_office(office):
    report = build_report(*PERIOD, now=NOW)
    assert list(counts(report.sessions).items()) == list(WHOLE_OFFICE.items())
    rows = {row.title: row for row in report.sessions}
    assert rows["二月集中学法"].rate == pytest.approx(5 / 6)  # excused left out
    assert rows["待关闭的学法"].rate == pytest.approx(1 / 2)
    assert rows["执法局学法"].kind == "集中学法"
    assert rows["执法局学法"].session_id == office.sessions["C"]
    assert [row.starts_at for row in report.sessions] == sorted(
        row.starts_at for row in report.sessions)
    # The table and the people's rows count the same attendance.
    for index, key in enumerate(("sessions_expected", "sessions_present", "sessions_late",
                                 "sessions_excused", "sessions_absent", "sessions_pending")):
        assert sum(values[index] for values in WHOLE_OFFICE.values()) \
            == report.total.values[key], key


@pytest.mark.parametrize(("rule", "rate"), [
    ({"late_counts_as_present": True, "excused_counts": "excluded"}, 2 / 3),
    ({"late_counts_as_present": False, "excused_counts": "absent"}, 1 / 4),
    ({"late_counts_as_present": True, "excused_counts": "present"}, 3 / 4),
    ({"late_counts_as_present": False, "excused_counts": "excluded"}, 1 / 3),
])
def test_session_rates_follow_the_rule(office, rule, rate):
    """Session C: clerk present, lead late, mover excused, inspector absent."""
    report = build_report(*PERIOD, now=NOW, rule=rule)
    row = next(row for row in report.sessions if row.title == "执法局学法")
    assert row.rate == pytest.approx(rate)


def test_sessions_of_a_department_count_its_people_only(office):
    report = build_report(*PERIOD, department_id=office.unit, now=NOW)
    assert list(counts(report.sessions).items()) == list(UNIT.items())
    assert sum(row.expected for row in report.sessions) == report.total.values[
        "sessions_expected"] == 12
    section = build_report(*PERIOD, department_id=office.section, now=NOW)
    assert counts(section.sessions) == {
        "二月集中学法": (3, 2, 1, 0, 0, 0), "办公室学法": (2, 0, 1, 0, 1, 0),
        "执法局学法": (2, 1, 0, 1, 0, 0)}
    # 办公室: secretary alone (mover has left, idle was never expected).
    own = build_report(*PERIOD, department_id=office.office, now=NOW)
    assert counts(own.sessions) == {"二月集中学法": (1, 0, 0, 0, 1, 0),
                                    "办公室学法": (1, 1, 0, 0, 0, 0),
                                    "待关闭的学法": (1, 1, 0, 0, 0, 0)}


def test_quizzes(office):
    report = build_report(*PERIOD, now=NOW)
    rows = [(q.title, q.is_exam, q.takers, q.passed, q.attempts, q.average_score)
            for q in report.quizzes]
    # Q1: lead 50, 100; clerk 75; inspector 25; mover 50, 0; gone 75; loner 100 (in %).
    # Q2: lead 75, mover 100; inspector's attempt is not submitted. Q0 was last year's.
    # Q3, for everyone and open all year, was taken by nobody: listed, with nobody.
    assert rows == [("宪法小测", False, 6, 4, 8, 59.4), ("民法典考试", True, 2, 2, 2, 87.5),
                    ("随堂测验", False, 0, 0, 0, None)]
    assert report.quizzes[0].pass_rate == pytest.approx(4 / 6)
    assert report.quizzes[0].quiz_id == office.quizzes["q1"]
    unit = build_report(*PERIOD, department_id=office.unit, now=NOW)
    assert [(q.title, q.takers, q.passed, q.attempts, q.average_score)
            for q in unit.quizzes] == [("宪法小测", 5, 3, 7, 53.6),  # 375 / 7
                                       ("民法典考试", 2, 2, 2, 87.5), ("随堂测验", 0, 0, 0, None)]
    section = build_report(*PERIOD, department_id=office.section, now=NOW)
    assert [(q.title, q.takers, q.passed, q.average_score) for q in section.quizzes] == [
        ("宪法小测", 3, 2, 50.0), ("民法典考试", 1, 1, 100.0), ("随堂测验", 0, 0, None)]
    # A department none of whose people took any: the three quizzes set for them, untaken.
    nobody = build_report(*PERIOD, department_id=office.office, now=NOW)
    assert [(q.title, q.takers, q.expected_takers) for q in nobody.quizzes] == [
        ("宪法小测", 0, 0), ("民法典考试", 0, 0), ("随堂测验", 0, 0)]
    assert all(q.expected for q in nobody.quizzes) and nobody.quiz_take_rate == 0
    assert nobody.total.values["quizzes_taken"] == 0
    # Its draft says so, rather than nothing about quizzes.
    from lawlearn.reports.export_docx import study_sentence
    from lawlearn.reports.export_tables import headline

    sentence = study_sentence(nobody, headline(nobody))
    expected = sum(q.expected for q in nobody.quizzes)
    assert f"；在线测试应参测 {expected} 人次，已参测 0 人次，参测率 0.0%；" in sentence
    assert "参加在线测试" not in sentence


def test_outreach_of_the_whole_office(office):
    outreach = build_report(*PERIOD, now=NOW).outreach
    totals = outreach.totals
    assert (totals.events, totals.participants, totals.quiz_completions, totals.reach) \
        == (3, 180, 20, 200)
    by_category = {group.name: (group.totals.events, group.totals.participants)
                   for group in outreach.by_category}
    assert by_category["进社区"] == (2, 130) and by_category["进学校"] == (1, 50)
    assert by_category["进企业"] == (0, 0)  # its only event was last year's
    assert [(group.name, group.totals.events, group.totals.participants)
            for group in outreach.by_campaign] == [("2025年民法典宣传月", 2, 130),
                                                   ("（未归入主题宣传）", 1, 50)]
    assert outreach.by_campaign[0].id == office.campaign
    # Totals by category and by campaign add up to the totals.
    for groups in (outreach.by_category, outreach.by_campaign):
        assert sum(g.totals.events for g in groups) == totals.events
        assert sum(g.totals.participants for g in groups) == totals.participants
        assert sum(g.totals.reach for g in groups) == totals.reach
    assert [event.title for event in outreach.events] == ["民法典进社区", "法治课进校园",
                                                          "民法典宣传摊位"]
    assert outreach.totals == ledger_totals(LedgerFilters(*PERIOD))


@pytest.mark.parametrize(("department", "events", "participants", "titles"), [
    ("unit", 2, 150, ["民法典进社区", "法治课进校园"]),
    ("section", 1, 50, ["法治课进校园"]),
    ("office", 1, 30, ["民法典宣传摊位"]),
])
def test_outreach_of_a_department(office, department, events, participants, titles):
    department_id = getattr(office, department)
    outreach = build_report(*PERIOD, department_id=department_id, now=NOW).outreach
    assert (outreach.totals.events, outreach.totals.participants) == (events, participants)
    assert [event.title for event in outreach.events] == titles
    assert sum(g.totals.participants for g in outreach.by_campaign) == participants
    assert sum(g.totals.participants for g in outreach.by_category) == participants
