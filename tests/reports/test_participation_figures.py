"""Each person's and department's figures on the hand-built office of tests/reports/conftest.py,
where every right answer is worked out by hand below.

Sessions counted in the first half of 2025 (started, not cancelled, check-in closed): G
(1 January 00:30 local, loner only), A (everyone), B (办公室 and clerk), C (执法局 with its
sections) and H (办公室 and inspector; check-in over, not closed yet). F (23:30 on 31
December), D (cancelled), E (not started) and I (lead and loner checked in, exit quiz
pending; check-in still open at NOW) are not counted.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from lawlearn.errors import ValidationFailed
from lawlearn.reports.columns import Column
from lawlearn.reports.participation import build_report, check_period, my_figures
from lawlearn.reports.sources import all_columns, visible_columns
from tests.reports.conftest import NOW, PERIOD, at

BEFORE_I = at(6, 30, 3)  # 11:00 local: H's check-in has closed, I has not started

ACTIVE = ["lead", "clerk", "inspector", "secretary", "mover", "loner"]
LISTED = [*ACTIVE, "gone"]  # idle (deactivated, nothing in the period) is never listed

# expected, present, late, excused, absent, pending (checked in, exit quiz not passed)
SESSIONS = {
    "lead": (2, 1, 1, 0, 0, 0),  # A present, C late (I, still open, not counted yet)
    "clerk": (3, 1, 1, 0, 1, 0),  # A late, B absent (closing), C present
    "inspector": (3, 0, 0, 1, 2, 0),  # A excused, C marked absent, H absent (not closed)
    "secretary": (3, 2, 0, 0, 1, 0),  # A absent (closing), B present, H present
    "mover": (3, 1, 1, 1, 0, 0),  # A present, B late (in 办公室 then), C excused
    "gone": (1, 1, 0, 0, 0, 0),  # A present, deactivated before B
    "loner": (2, 2, 0, 0, 0, 0),  # G present, A present (not I, still open)
}
# (attended, counted) for each rule: (late counts as present, how excused counts).
RULES = {
    (True, "excluded"): {"lead": (2, 2), "clerk": (2, 3), "inspector": (0, 2),
                         "secretary": (2, 3), "mover": (2, 2), "gone": (1, 1), "loner": (2, 2)},
    (False, "absent"): {"lead": (1, 2), "clerk": (1, 3), "inspector": (0, 3),
                        "secretary": (2, 3), "mover": (1, 3), "gone": (1, 1), "loner": (2, 2)},
    (True, "present"): {"lead": (2, 2), "clerk": (2, 3), "inspector": (1, 3),
                        "secretary": (2, 3), "mover": (3, 3), "gone": (1, 1), "loner": (2, 2)},
    (False, "excluded"): {"lead": (1, 2), "clerk": (1, 3), "inspector": (0, 2),
                          "secretary": (2, 3), "mover": (1, 2), "gone": (1, 1), "loner": (2, 2)},
}
# items due, items done, hours earned, hours required
PLANS = {
    # P1 (i1 quiz, i2 session C, i3 reviewed reflection) + P2 streak (执法局) + P3 (dept_lead);
    # hours: A 2 + C 2 + i1 1 + P2 streak 0.5 + P3 reflection 2 + optional i5 (Q2) 1.
    "lead": (5, 4, 8.5, 50.0),
    "clerk": (4, 3, 6.0, 40.0),  # A 2 + C 2 + i1 1 + i3 accepted 1; i1, i2, i3 done
    "inspector": (4, 0, 0.0, 40.0),
    "secretary": (3, 0, 2.5, 40.0),  # B 1.5 + H 1
    # A 2 + B 1.5 + P2 streak 0.5 + P1 streak (due later, done already) 1 + optional i5 1
    "mover": (4, 1, 6.0, 40.0),
    "gone": (0, 0, 3.0, 0.0),  # deactivated: plans count active people; hours A 2 + i1 1
    "loner": (3, 1, 4.0, 45.0),  # G 1 + A 2 + i1 1; P6 (his own, 45 h) is due in July
}
# quizzes taken, passed, best score, average score (attempts submitted in the period)
QUIZZES = {
    "lead": (2, 2, 100.0, 75.0),  # Q1 50 %, 100 %; Q2 75 %
    "clerk": (1, 1, 75.0, 75.0),  # Q1 75 % (its 2024 attempt does not count)
    "inspector": (1, 0, 25.0, 25.0),  # Q1 25 %; Q2 still being answered
    "secretary": (0, 0, None, None),
    "mover": (2, 1, 100.0, 50.0),  # Q2 100 %; Q1 50 %, 0 %
    "gone": (1, 1, 75.0, 75.0),
    "loner": (1, 1, 100.0, 100.0),
}
# practice days, reflections accepted, points
DAILY = {
    "lead": (2, 0, 35),  # sessions A, C, D (cancelled after check-in) 15 + Q1, Q2 passed 20
    "clerk": (1, 1, 25),  # A, C 10 + Q1 10 + reflection 5
    "inspector": (0, 0, 0),
    "secretary": (0, 0, 10),  # B, H; last year's reflection points are outside the period
    "mover": (3, 0, 20),
    "gone": (0, 0, 15),
    "loner": (1, 0, 20),  # G (1 January local), A + Q1
}


def rows_by_username(report) -> dict:
    return {person.username: person for person in report.people}


def expected_values(username: str) -> dict:
    sessions, plans, quizzes, daily = (SESSIONS[username], PLANS[username], QUIZZES[username],
                                       DAILY[username])
    attended, counted = RULES[True, "excluded"][username]
    return {
        "sessions_expected": sessions[0], "sessions_present": sessions[1],
        "sessions_late": sessions[2], "sessions_excused": sessions[3],
        "sessions_absent": sessions[4], "sessions_pending": sessions[5],
        "attendance_rate": attended / counted,
        "items_due": plans[0], "items_done": plans[1],
        "items_rate": plans[1] / plans[0] if plans[0] else None,
        "hours_earned": plans[2], "hours_required": plans[3],
        "quizzes_taken": quizzes[0], "quizzes_passed": quizzes[1], "best_score": quizzes[2],
        "average_score": quizzes[3],
        "practice_days": daily[0], "reflections_accepted": daily[1], "points": daily[2]}


def test_every_persons_figures(office):
    people = rows_by_username(build_report(*PERIOD, now=NOW))
    assert sorted(people) == sorted(LISTED)
    for username in LISTED:
        values = people[username].values
        wanted = expected_values(username)
        assert {key: values[key] for key in wanted} == pytest.approx(wanted), username
        assert values["sessions_expected"] == sum(SESSIONS[username][1:])


@pytest.mark.parametrize("scope", [None, "unit", "section"])
def test_attendance_agrees_with_the_sessions_report(office, scope):
    """The sessions domain's own attendance report counts the same people the same way on
    the sessions whose check-in has closed. It also counts a session whose check-in is
    still open (I) and the report does not: it is asked at 11:00 local on 30 June, after
    H's check-in closed and before I started, when the same sessions were over."""
    from lawlearn.sessions.attendance import attendance_summary

    department_id = getattr(office, scope) if scope else None
    rule = {"late_counts_as_present": False, "excused_counts": "present"}
    summary = attendance_summary(department_id=department_id, date_from=PERIOD[0],
                                 date_to=PERIOD[1], rule=rule, now=BEFORE_I)
    report = build_report(*PERIOD, department_id=department_id, now=NOW, rule=rule)
    mine = {row.user_id: row.values for row in report.people}
    assert {p.user_id for p in summary.people} == set(mine)
    for person in summary.people:
        counts = person.counts
        values = mine[person.user_id]
        assert (values["sessions_expected"], values["sessions_present"], values["sessions_late"],
                values["sessions_excused"], values["sessions_absent"]) == (
            counts.expected, counts.present, counts.late, counts.excused, counts.absent)
        assert values["attendance_rate"] == person.rate
    assert report.total.values["attendance_rate"] == pytest.approx(summary.rate)
    theirs = {row.department_id: (row.people, row.rate) for row in summary.departments}
    assert {row.department_id: (row.people, row.values["attendance_rate"])
            for row in report.departments} == theirs


def test_people_are_listed_by_department_then_name(office):
    """Departments in the office's order (as the department rows), each unit before its
    sections; within one, by name in pinyin; people without a department last."""
    report = build_report(*PERIOD, now=NOW)
    assert [p.username for p in report.people] == [
        "secretary",  # 办公室
        "lead",  # 执法局
        "mover", "clerk", "gone",  # 执法局/法制科: 调动戊 diao, 科员乙 ke, 离职己 li
        "inspector",  # 执法局/督查科
        "loner"]  # 未分配部门
    unit = build_report(*PERIOD, department_id=office.unit, now=NOW)
    assert [p.username for p in unit.people] == ["lead", "mover", "clerk", "gone", "inspector"]


def test_names_departments_and_deactivated_people(office):
    people = rows_by_username(build_report(*PERIOD, now=NOW))
    assert people["mover"].department == "执法局/法制科"  # where he is now
    assert people["mover"].department_id == office.section
    assert people["loner"].department == "未分配部门" and people["loner"].department_id is None
    assert people["lead"].department == "执法局" and people["lead"].name == "局长甲"
    assert not people["gone"].active and people["clerk"].active
    assert "idle" not in people


@pytest.mark.parametrize("rule", list(RULES))
def test_attendance_rate_under_each_rule(office, rule):
    late, excused = rule
    report = build_report(*PERIOD, now=NOW, rule={"late_counts_as_present": late,
                                                   "excused_counts": excused})
    assert report.rule.late_counts_as_present is late and report.rule.excused_counts == excused
    people = rows_by_username(report)
    for username, (attended, counted) in RULES[rule].items():
        values = people[username].values
        assert (values["sessions_attended"], values["sessions_counted"]) == (attended, counted)
        assert values["attendance_rate"] == pytest.approx(attended / counted), username
    # Departments and the total divide summed counts, never average the rates.
    unit = next(row for row in report.departments if row.department_id == office.unit)
    members = ["lead", "clerk", "inspector", "mover", "gone"]
    assert unit.values["attendance_rate"] == pytest.approx(
        Fraction(sum(RULES[rule][m][0] for m in members),
                 sum(RULES[rule][m][1] for m in members)))
    assert report.total.values["attendance_rate"] == pytest.approx(
        Fraction(sum(a for a, _c in RULES[rule].values()),
                 sum(c for _a, c in RULES[rule].values())))


def test_department_rows_roll_sections_into_their_unit(office):
    report = build_report(*PERIOD, now=NOW)
    rows = [(row.name, row.department_id, row.is_section, row.people)
            for row in report.departments]
    assert rows == [("办公室", office.office, False, 1),  # idle is not counted
                    ("执法局", office.unit, False, 5),
                    ("执法局/本级", office.unit, True, 1),  # lead, in no section
                    ("执法局/法制科", office.section, True, 3),
                    ("执法局/督查科", office.inspection, True, 1),
                    ("未分配部门", None, False, 1)]
    assert [row.own_staff for row in report.departments] == [False, False, True, False, False,
                                                              False]
    unit = report.departments[1].values
    assert {key: unit[key] for key in (
        "sessions_expected", "sessions_present", "sessions_late", "sessions_excused",
        "sessions_absent", "sessions_pending", "items_due", "items_done", "quizzes_taken",
        "quizzes_passed", "practice_days", "reflections_accepted", "points")} == {
        "sessions_expected": 12, "sessions_present": 4, "sessions_late": 3,
        "sessions_excused": 2, "sessions_absent": 3, "sessions_pending": 0, "items_due": 17,
        "items_done": 8, "quizzes_taken": 7, "quizzes_passed": 5, "practice_days": 6,
        "reflections_accepted": 1, "points": 95}
    assert unit["attendance_rate"] == pytest.approx(7 / 10)
    assert unit["items_rate"] == pytest.approx(8 / 17)
    assert unit["hours_earned"] == pytest.approx(23.5)
    assert unit["hours_required"] == pytest.approx(170.0)
    assert unit["best_score"] == 100.0
    assert unit["average_score"] == 61.1  # 550 / 9 attempts, one decimal
    section = report.departments[3].values
    assert (section["sessions_expected"], section["sessions_present"], section["sessions_late"],
            section["items_due"], section["items_done"], section["points"]) == (7, 3, 2, 8, 4, 60)
    assert section["attendance_rate"] == pytest.approx(5 / 6)
    assert section["hours_earned"] == pytest.approx(15.0)
    assert section["average_score"] == 60.0  # (75 + 100 + 50 + 0 + 75) / 5


def test_a_units_sections_and_its_own_people_add_up_to_the_unit(office):
    """本级 holds the people placed in the unit itself: with it the sections add up."""
    report = build_report(*PERIOD, now=NOW)
    unit, own, *sections = report.departments[1:5]
    summed = [c.key for c in report.columns if c.combine == "sum"]
    for key in summed:
        assert unit.values[key] == pytest.approx(
            own.values[key] + sum(s.values[key] for s in sections)), key
    assert unit.people == own.people + sum(s.people for s in sections)
    lead = next(p for p in report.people if p.user_id == office.people["lead"])
    assert {key: own.values[key] for key in summed} == {key: lead.values[key] for key in summed}
    # A report on the unit lists its 本级 too; one on a section has none.
    assert [row.name for row in build_report(*PERIOD, department_id=office.unit,
                                             now=NOW).departments] == [
        "执法局", "执法局/本级", "执法局/法制科", "执法局/督查科"]
    assert [row.name for row in build_report(*PERIOD, department_id=office.section,
                                             now=NOW).departments] == ["执法局/法制科"]


def test_per_capita_and_the_total_row(office):
    report = build_report(*PERIOD, now=NOW)
    unit = report.departments[1]
    assert unit.per_capita("hours_earned") == 4.7  # 23.5 / 5, the deactivated gone included
    # Per person who owes the plans: 170 / 4, the deactivated one owes nothing.
    assert unit.per_capita("hours_required") == 42.5
    assert unit.per_capita("practice_days") == 1.2
    assert unit.per_capita("points") == 19.0
    assert unit.per_capita("best_score") == 20.0  # any figure divides; pages pick per_capita
    total = report.total
    assert (total.name, total.people, total.department_id) == ("合计", 7, None)
    assert {key: total.values[key] for key in (
        "sessions_expected", "sessions_present", "sessions_late", "sessions_excused",
        "sessions_absent", "sessions_pending", "items_due", "items_done", "quizzes_taken",
        "quizzes_passed", "practice_days", "reflections_accepted", "points")} == {
        "sessions_expected": 17, "sessions_present": 8, "sessions_late": 3,
        "sessions_excused": 2, "sessions_absent": 4, "sessions_pending": 0, "items_due": 23,
        "items_done": 9, "quizzes_taken": 8, "quizzes_passed": 6, "practice_days": 7,
        "reflections_accepted": 1, "points": 125}
    assert total.values["attendance_rate"] == pytest.approx(11 / 15)
    assert total.values["hours_earned"] == pytest.approx(30.0)
    assert total.values["average_score"] == 65.0  # 650 / 10 attempts
    assert total.per_capita("hours_earned") == 4.3  # 30 / 7
    assert total.per_capita("points") == 17.9  # 125 / 7
    # Every column's total is its people's figures combined.
    for column in report.columns:
        if column.combine == "sum":
            assert total.values[column.key] == pytest.approx(
                sum(person.values[column.key] for person in report.people)), column.key


def test_a_unit_report_includes_its_sections(office):
    report = build_report(*PERIOD, department_id=office.unit, now=NOW)
    assert report.department.id == office.unit and report.scope_name == "执法局"
    assert sorted(rows_by_username(report)) == ["clerk", "gone", "inspector", "lead", "mover"]
    assert [row.name for row in report.departments] == ["执法局", "执法局/本级", "执法局/法制科",
                                                        "执法局/督查科"]
    assert report.total.people == 5 and report.total.department_id == office.unit
    assert report.total.values == report.departments[0].values
    whole = rows_by_username(build_report(*PERIOD, now=NOW))
    for username, person in rows_by_username(report).items():
        assert person.values == whole[username].values


def test_a_section_report_shows_that_section_alone(office):
    report = build_report(*PERIOD, department_id=office.section, now=NOW)
    assert report.scope_name == "执法局/法制科"
    assert sorted(rows_by_username(report)) == ["clerk", "gone", "mover"]
    assert [(row.name, row.people) for row in report.departments] == [("执法局/法制科", 3)]
    assert report.total.values["sessions_expected"] == 7


def test_a_person_who_moved_is_counted_once_where_he_is_now(office):
    """mover was in 办公室 until 15 March: his session B (办公室) counts in 法制科 now, and
    办公室's report no longer has him."""
    whole = build_report(*PERIOD, now=NOW)
    assert [p.username for p in whole.people].count("mover") == 1
    assert sum(row.people for row in whole.departments if not row.is_section) == 7
    mine = build_report(*PERIOD, department_id=office.section, now=NOW)
    assert rows_by_username(mine)["mover"].values["sessions_late"] == 1  # session B
    old = build_report(*PERIOD, department_id=office.office, now=NOW)
    assert [p.username for p in old.people] == ["secretary"]
    assert [(row.name, row.people) for row in old.departments] == [("办公室", 1)]


def test_the_period_is_counted_in_local_days(office):
    """Session F starts at 23:30 on 31 December in Shanghai, G at 00:30 on 1 January."""
    eve = rows_by_username(build_report(date(2024, 12, 31), date(2024, 12, 31), now=NOW))
    assert eve["lead"].values["sessions_present"] == 1  # F
    assert (eve["loner"].values["sessions_expected"], eve["loner"].values["sessions_absent"]) \
        == (1, 1)  # absent from F when it closed
    assert eve["lead"].values["practice_days"] == 1
    assert eve["lead"].values["points"] == 5
    new_year = rows_by_username(build_report(date(2025, 1, 1), date(2025, 1, 1), now=NOW))
    assert new_year["loner"].values["sessions_present"] == 1  # G
    assert new_year["loner"].values["practice_days"] == 1
    assert new_year["lead"].values["sessions_expected"] == 0
    # Nobody deactivated is listed without something in the period.
    assert "gone" not in new_year and "idle" not in new_year


def test_a_past_quarter_counts_what_was_done_by_its_end(office):
    """First quarter: only P1's quiz item (due 31 March) is due; loner passed the quiz on
    29 June, too late for this quarter. Plans running then: P1 (40 h) and P3 (50 h, leads);
    loner's own P6 starts in June."""
    people = rows_by_username(build_report(date(2025, 1, 1), date(2025, 3, 31), now=NOW))
    figures = {name: (row.values["items_due"], row.values["items_done"],
                      row.values["hours_required"]) for name, row in people.items()}
    assert figures == {"lead": (1, 1, 50.0), "clerk": (1, 1, 40.0), "inspector": (1, 0, 40.0),
                       "secretary": (1, 0, 40.0), "mover": (1, 0, 40.0), "loner": (1, 0, 40.0),
                       "gone": (0, 0, 0.0)}
    # Hours of the quarter: sessions G, A and B, P1's quiz item (stamped when passed) and
    # lead's optional item (Q2 attempted on 1 March).
    assert {name: row.values["hours_earned"] for name, row in people.items()} == {
        "lead": 4.0, "clerk": 3.0, "inspector": 0.0, "secretary": 1.5, "mover": 3.5,
        "gone": 3.0, "loner": 3.0}


def test_my_figures_equal_my_row_in_any_report(office):
    whole = rows_by_username(build_report(*PERIOD, now=NOW))
    unit = rows_by_username(build_report(*PERIOD, department_id=office.unit, now=NOW))
    for username in LISTED:
        mine = my_figures(office.user(username), *PERIOD, now=NOW)
        assert mine == whole[username].values, username
        if username in unit:
            assert mine == unit[username].values, username
    strict = {"late_counts_as_present": False, "excused_counts": "absent"}
    strict_rows = rows_by_username(build_report(*PERIOD, now=NOW, rule=strict))
    assert my_figures(office.user("mover"), *PERIOD, now=NOW, rule=strict) \
        == strict_rows["mover"].values
    # Someone with nothing in the period gets zeros, not a missing figure.
    idle = my_figures(office.user("idle"), *PERIOD, now=NOW)
    assert idle["sessions_expected"] == 0 and idle["points"] == 0
    assert idle["attendance_rate"] is None and idle["best_score"] is None


def test_columns(office):
    keys = [column.key for column in all_columns()]
    assert len(keys) == len(set(keys))
    shown = visible_columns()
    assert all(not column.hidden for column in shown)
    assert {"sessions_attended", "sessions_counted", "score_sum", "scored_attempts",
            "sessions_pending", "people_owing"} == {column.key for column in all_columns() if column.hidden}
    report = build_report(*PERIOD, now=NOW, with_tables=False)
    assert [c.key for c in report.visible_columns] == [c.key for c in shown]
    for person in report.people:
        assert set(person.values) >= set(keys)
    for column in all_columns():
        assert column.kind in ("count", "hours", "score", "rate")
        assert column.combine in ("sum", "max", "ratio")
        assert (column.combine == "ratio") == (column.ratio_of is not None)
    # Without tables nothing else is loaded.
    assert report.sessions == [] and report.quizzes == [] and report.outreach is None


def test_column_combinations():
    rate = Column("r", "率", kind="rate", combine="ratio", ratio_of=("a", "b"))
    score = Column("s", "分", kind="score", combine="ratio", ratio_of=("a", "b"))
    best = Column("m", "最高", kind="score", combine="max")
    hours = Column("h", "学时", kind="hours")
    values = [{"a": 1, "b": 3, "m": None, "h": 0.1}, {"a": 1, "b": 0, "m": 40.0, "h": 0.2}]
    assert rate.combined(values) == pytest.approx(2 / 3)
    assert score.combined(values) == 0.7  # one decimal
    assert rate.combined([{"a": 0, "b": 0}]) is None
    assert best.combined(values) == 40.0 and best.combined([{"m": None}]) is None
    assert hours.combined(values) == 0.3  # not 0.30000000000000004


@pytest.mark.parametrize(("first", "last", "field", "message"), [
    (None, date(2025, 1, 1), "date_from", "请填写开始日期和结束日期"),
    (date(2025, 2, 1), date(2025, 1, 1), "date_to", "结束日期不能早于开始日期"),
    (date(2015, 1, 1), date(2025, 1, 1), "date_to", "统计期间不能超过五年"),
])
def test_bad_periods_are_refused(ctx, first, last, field, message):
    with pytest.raises(ValidationFailed, match=message) as error:
        check_period(first, last)
    assert error.value.field == field
    with pytest.raises(ValidationFailed):
        build_report(first, last, now=NOW)


def test_an_unknown_department_is_refused(office):
    with pytest.raises(ValidationFailed, match="部门不存在") as error:
        build_report(*PERIOD, department_id=9999, now=NOW)
    assert error.value.field == "department"
