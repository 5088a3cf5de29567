"""Two counting rules of the participation report, each on a small office built here:

- study hours earned from plan items are dated by when the item was done, so a past
  period's figures do not change when someone later visits their plans (which stamps
  the items seen done);
- a session counts once its check-in has closed: one still open for check-in is in no
  figure or table yet; one whose check-in has closed counts its no-shows as absent even
  before it is closed;
- a group's figures combine its people's the same way however they are added up.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from lawlearn.extensions import db
from lawlearn.plans.actions import submit_reflection
from lawlearn.plans.progress import progress_for, sync_completions
from lawlearn.reports.columns import Column, GroupTotals
from lawlearn.reports.participation import build_report, my_figures
from tests.reports.conftest import (
    NOW,
    at,
    check_in,
    close,
    item,
    make_person,
    make_plan,
    make_quiz,
    make_session,
    new_department,
    plan_item,
    practice_day,
    take_quiz,
)

# --- study hours of a past period -------------------------------------------------------------

LATER = datetime(2025, 11, 20, 4, 0)  # 12:00 on 20 November in Shanghai
Q3 = (date(2025, 7, 1), date(2025, 9, 30))
Q4 = (date(2025, 10, 1), date(2025, 11, 20))


@pytest.fixture
def planned(ctx) -> dict[str, int]:
    """执法局's plan for 2025 (a, b) and 办公室 without one (c). Nobody has opened their
    plans yet: no item is stamped done.

    Items: a quiz (1 h, due in December), a streak of two days (2 h, due 30 September), a
    session item (3 h on the item; the session itself gives 2 h through attendance) and a
    reflection (1 h, due 31 August)."""
    unit = new_department("执法局")
    other = new_department("办公室")
    a = make_person("amy", department_id=unit.id)
    b = make_person("bob", department_id=unit.id)
    c = make_person("cai", department_id=other.id)
    quiz = make_quiz("宪法小测", opens_at=at(1, 1), closes_at=at(12, 31))
    session = make_session(at(8, 5, 1), title="八月集中学法", hours=2,
                           department_ids=(unit.id,))
    plan = make_plan("执法局年度计划", date(2025, 1, 1), date(2025, 12, 31), [
        item("quiz", date(2025, 12, 15), hours=1, quiz_id=quiz.id, require="passed"),
        item("streak", date(2025, 9, 30), hours=2, days=2),
        item("session", date(2025, 8, 31), hours=3, session_id=session.id),
        item("reflection", date(2025, 8, 31), hours=1, min_length=5),
    ], required_hours=20, department_ids=(unit.id,))
    take_quiz(a, quiz, at(8, 10), 4)  # passed in the third quarter, due in December
    take_quiz(c, quiz, at(8, 11), 4)  # the plan is not for c: no hours from it
    practice_day(a, date(2025, 9, 1))
    practice_day(a, date(2025, 9, 2))  # the streak is done on 2 September
    check_in(a, session, 0)
    close(session)  # b absent
    submit_reflection(b, plan_item(plan, "reflection"), "学习宪法的心得体会", at(10, 3))
    db.session.commit()
    return {"a": a.id, "b": b.id, "c": c.id}


def _hours(period) -> dict[str, tuple]:
    report = build_report(*period, now=LATER)
    return {row.username: (row.values["hours_earned"], row.values["items_due"],
                           row.values["items_done"]) for row in report.people}


def test_a_past_periods_hours_do_not_change_when_people_visit_their_plans(planned):
    from lawlearn.accounts.models import User

    # a: quiz 1 + streak 2 + the session's own 2 h (the session item's 3 h are not added);
    # b: the reflection came in October. Items due in the quarter: streak, session item,
    # reflection.
    third = {"amy": (5.0, 3, 2), "bob": (0.0, 3, 0), "cai": (0.0, 0, 0)}
    fourth = {"amy": (0.0, 0, 0), "bob": (1.0, 0, 0), "cai": (0.0, 0, 0)}
    assert _hours(Q3) == third
    assert _hours(Q4) == fourth
    a = db.session.get(User, planned["a"])
    mine = my_figures(a, *Q3, now=LATER)
    # a's quiz, streak and session item were stamped as they happened: the quiz handed in and
    # the check-in settle the plans that ask for them (plans.progress listens).
    from lawlearn.plans.models import PlanItemProgress

    assert db.session.scalar(select(func.count()).select_from(PlanItemProgress).where(
        PlanItemProgress.user_id == a.id, PlanItemProgress.completed_at.is_not(None))) == 3
    # The visits: what the plans page does when each of them opens it in November.
    stamped = 0
    for key in ("a", "b", "c"):
        person = db.session.get(User, planned[key])
        stamped += sync_completions(person, progress_for(person, LATER), LATER)
    db.session.commit()
    assert stamped == 1  # b: the reflection, handed in through the service, not a page
    assert _hours(Q3) == third
    assert _hours(Q4) == fourth
    assert my_figures(a, *Q3, now=LATER) == mine
    assert mine["hours_earned"] == 5.0


def test_hours_of_items_not_due_in_the_period_count_when_done_in_it(planned):
    """The quiz item is due in December; passed in August, its hour is August's."""
    august = _hours((date(2025, 8, 1), date(2025, 8, 31)))
    assert august["amy"] == (3.0, 2, 1)  # quiz 1 + session 2; the session item is done
    september = _hours((date(2025, 9, 1), date(2025, 9, 30)))
    assert september["amy"] == (2.0, 1, 1)  # the streak


# --- sessions still open for check-in -----------------------------------------------------------


@pytest.fixture
def sessions(ctx) -> dict:
    """执法局 with 法制科, and 办公室: x (法制科), y (执法局), z (办公室). At NOW (12:00 local
    on 30 June):

    - done (2 June, everyone, 1 h): x present, y late, z absent; closed.
    - early (30 June 09:00–14:00 local, 执法局, 2 h): check-in closed at 10:00 local, not
      closed yet; x present, y never came.
    - open (30 June 11:30–13:30 local, everyone, 1 h): check-in open until 13:30; x
      present, y late so far.
    """
    unit = new_department("执法局")
    section = new_department("法制科", unit.id)
    other = new_department("办公室")
    x = make_person("xia", department_id=section.id)
    y = make_person("yan", department_id=unit.id)
    make_person("zhou", department_id=other.id)
    done = make_session(at(6, 2, 1), title="已结束的学法", hours=1)
    check_in(x, done, 0)
    check_in(y, done, 20)
    close(done)
    early = make_session(at(6, 30, 1), title="签到已截止的学法", minutes=300, hours=2,
                         department_ids=(unit.id,), checkin_closes_at=at(6, 30, 2))
    check_in(x, early, 0)
    running = make_session(at(6, 30, 3, 30), title="签到中的学法", hours=1)
    check_in(x, running, 0)
    check_in(y, running, 20)
    db.session.commit()
    return {"unit": unit.id, "section": section.id, "other": other.id}


PERIOD = (date(2025, 6, 1), date(2025, 6, 30))


def _people(report) -> dict[str, tuple]:
    return {row.username: tuple(row.values[key] for key in (
        "sessions_expected", "sessions_present", "sessions_late", "sessions_absent",
        "hours_earned")) for row in report.people}


def _table(report) -> dict[str, tuple]:
    return {row.title: (row.expected, row.present, row.late, row.excused, row.absent)
            for row in report.sessions}


@pytest.mark.parametrize(("scope", "people", "table"), [
    (None, {"xia": (2, 2, 0, 0, 3.0), "yan": (2, 0, 1, 1, 1.0), "zhou": (1, 0, 0, 1, 0.0)},
     {"已结束的学法": (3, 1, 1, 0, 1), "签到已截止的学法": (2, 1, 0, 0, 1)}),
    ("unit", {"xia": (2, 2, 0, 0, 3.0), "yan": (2, 0, 1, 1, 1.0)},
     {"已结束的学法": (2, 1, 1, 0, 0), "签到已截止的学法": (2, 1, 0, 0, 1)}),
    ("section", {"xia": (2, 2, 0, 0, 3.0)},
     {"已结束的学法": (1, 1, 0, 0, 0), "签到已截止的学法": (1, 1, 0, 0, 0)}),
    ("other", {"zhou": (1, 0, 0, 1, 0.0)}, {"已结束的学法": (1, 0, 0, 0, 1)}),
])
def test_a_session_open_for_check_in_is_not_counted_yet(sessions, scope, people, table):
    """The open session is in no one's figures (nor its hour) and not in the table; the
    one whose check-in has closed counts, y (expected, no record) absent."""
    department_id = sessions[scope] if scope else None
    report = build_report(*PERIOD, department_id=department_id, now=NOW)
    assert _people(report) == people
    assert _table(report) == table
    assert report.total.values["sessions_expected"] == sum(row[0] for row in table.values())
    assert report.total.values["sessions_absent"] == sum(row[4] for row in table.values())


def test_the_session_counts_once_its_check_in_has_closed(sessions):
    """At 14:00 local the open session's check-in has closed: it counts, z (expected, no
    record) absent, though nobody has closed it yet."""
    after = at(6, 30, 6)
    report = build_report(*PERIOD, now=after)
    assert _table(report)["签到中的学法"] == (3, 1, 1, 0, 1)
    assert _people(report) == {"xia": (3, 3, 0, 0, 4.0), "yan": (3, 0, 2, 1, 2.0),
                               "zhou": (2, 0, 0, 2, 0.0)}
    assert [row.title for row in report.sessions] == ["已结束的学法", "签到已截止的学法",
                                                       "签到中的学法"]


def test_my_figures_leave_the_open_session_out_too(sessions):
    from lawlearn.accounts.models import User

    x = db.session.scalar(db.select(User).where(User.username == "xia"))
    mine = my_figures(x, *PERIOD, now=NOW)
    row = next(p for p in build_report(*PERIOD, now=NOW).people if p.username == "xia")
    assert mine == row.values
    assert (mine["sessions_expected"], mine["hours_earned"]) == (2, 3.0)


# --- combining people's figures -------------------------------------------------------------


def test_group_totals_agree_with_combining_columns():
    """GroupTotals (one person at a time, many at once, or whole groups merged) gives what
    Column.combined gives over the same people."""
    columns = [Column("n", "数", kind="count"), Column("h", "学时", kind="hours"),
               Column("m", "最高", kind="score", combine="max"),
               Column("r", "率", kind="rate", combine="ratio", ratio_of=("n", "d")),
               Column("d", "分母", hidden=True)]
    people = [{"n": 1, "h": 0.1, "m": None, "d": 2}, {"n": 0, "h": 0.2, "m": 40.0, "d": 0},
              {"n": 3, "h": 1.05, "m": 75.5, "d": 3}, {}]
    wanted = {column.key: column.combined(people) for column in columns}
    one_by_one, at_once, merged = GroupTotals(columns), GroupTotals(columns), \
        GroupTotals(columns)
    for values in people:
        one_by_one.add(values)
    at_once.add_all(people)
    first, second = GroupTotals(columns), GroupTotals(columns)
    first.add_all(people[:2])
    second.add_all(people[2:])
    merged.merge(first)
    merged.merge(second)
    for group in (one_by_one, at_once, merged):
        assert group.people == 4
        assert group.values() == pytest.approx(wanted)
    assert wanted["m"] == 75.5 and wanted["r"] == pytest.approx(4 / 5)
