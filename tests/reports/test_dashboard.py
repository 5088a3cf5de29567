"""The leaders' dashboard: each figure from a hand-built year, then the page, its access
rules, the targets form and the number of queries."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law, LawArticle
from lawlearn.localtime import local_day
from lawlearn.name_order import name_sort_key
from lawlearn.outreach.models import OutreachCategory, OutreachEvent
from lawlearn.practice.models import DailySet, DailySetItem
from lawlearn.quiz.models import Attempt, AttemptItem, Question, Quiz
from lawlearn.reports import dashboard
from lawlearn.reports.dashboard_targets import change_targets
from lawlearn.reports.participation import DepartmentRow, PersonRow
from lawlearn.sessions.models import Attendance, SessionKind, StudySession
from lawlearn.settings import get_setting
from tests.conftest import csrf_from

NOW = datetime(2025, 7, 15, 4, 0)  # naive UTC: 12:00 in Beijing
_serial = itertools.count(1)


# --- a hand-built year ----------------------------------------------------------------------


def jan31_2330(year: int) -> datetime:
    """23:30 in Beijing on 31 January: still January."""
    return datetime(year, 1, 31, 15, 30)


def feb1_0030(year: int) -> datetime:
    """00:30 in Beijing on 1 February: February, though UTC still says 31 January."""
    return datetime(year, 1, 31, 16, 30)


def add_session(starts_at: datetime, marks: dict[int, str], *, cancelled: bool = False,
                closed: bool = True) -> int:
    kind = db.session.scalar(select(SessionKind)) or SessionKind(name="集中学法")
    session = StudySession(title=f"集中学法{next(_serial)}", kind=kind, starts_at=starts_at,
                           ends_at=starts_at + timedelta(hours=1), study_hours=2,
                           closed_at=starts_at + timedelta(hours=1) if closed else None,
                           cancelled_at=starts_at if cancelled else None)
    db.session.add(session)
    db.session.flush()
    for user_id, status in marks.items():
        db.session.add(Attendance(session_id=session.id, user_id=user_id, status=status,
                                  source="manual"))
    return session.id


def add_question(article_id: int | None) -> int:
    number = next(_serial)
    question = Question(type="true_false", stem=f"题目{number}", answer=True,
                        fingerprint=f"fp{number}", article_id=article_id)
    db.session.add(question)
    db.session.flush()
    return question.id


def add_attempt(quiz_id: int, user_id: int, submitted_at: datetime, passed: bool,
                wrong: tuple[int, ...] = (), right: tuple[int, ...] = ()) -> None:
    number = 1 + len(db.session.scalars(select(Attempt.id).where(
        Attempt.quiz_id == quiz_id, Attempt.user_id == user_id)).all())
    attempt = Attempt(quiz_id=quiz_id, user_id=user_id, number=number,
                      started_at=submitted_at - timedelta(minutes=10), submitted_at=submitted_at,
                      score=10 if passed else 4, max_score=10, passed=passed)
    attempt.items = [AttemptItem(question_id=q, position=i, snapshot={}, points=1, correct=ok)
                     for i, (q, ok) in enumerate([(q, False) for q in wrong]
                                                 + [(q, True) for q in right])]
    db.session.add(attempt)


def add_daily(user_id: int, day: date, wrong: tuple[int, ...]) -> None:
    daily = DailySet(user_id=user_id, day=day, completed_at=datetime.combine(day, datetime.min.time()))
    daily.items = [DailySetItem(question_id=q, position=i, snapshot={}, correct=False)
                   for i, q in enumerate(wrong)]
    db.session.add(daily)


def add_event(department_id: int, starts_at: datetime, participants: int, completions: int = 0,
              status: str = "verified") -> None:
    category = db.session.scalar(select(OutreachCategory)) or OutreachCategory(name="进社区")
    db.session.add(OutreachEvent(title=f"普法活动{next(_serial)}", starts_at=starts_at,
                                 ends_at=starts_at + timedelta(hours=2), category=category,
                                 department_id=department_id, participants=participants,
                                 quiz_completions=completions, status=status))


@dataclass
class Year:
    unit_a: int  # 执法局, with its section 法制科
    section: int
    unit_b: int  # 办公室
    people: dict[str, int]
    articles: dict[str, int] = field(default_factory=dict)


def build_year_data(app, make_department, make_user, year: int) -> Year:
    """Four people in two units; three sessions, a quiz, daily practice and outreach."""
    unit_a = make_department("执法局")
    section = make_department("法制科", unit_a)
    unit_b = make_department("办公室")
    people = {key: make_user(key, name=name, department_id=dept).id for key, name, dept in (
        ("a1", "张三", unit_a), ("a2", "李四", section), ("b1", "王五", unit_b),
        ("b2", "赵六", unit_b))}
    make_user("gone", name="离职者", department_id=unit_b, active=False)
    p = people
    with app.app_context():
        law = Law(title="中华人民共和国行政处罚法", short_title="行政处罚法")
        db.session.add(law)
        db.session.flush()
        articles = {}
        for n in (1, 2, 3):
            article = LawArticle(law_id=law.id, number=n, label=f"第{'一二三'[n - 1]}条",
                                 paragraphs=["条文"], text="条文", position=n)
            db.session.add(article)
            db.session.flush()
            articles[f"art{n}"] = article.id
        q1, q2, q3 = (add_question(articles[f"art{n}"]) for n in (1, 2, 3))
        q_free = add_question(None)
        add_session(jan31_2330(year), {p["a1"]: "present", p["a2"]: "late",
                                       p["b1"]: "absent", p["b2"]: "excused"})
        add_session(feb1_0030(year), {p["a1"]: "present", p["a2"]: "absent",
                                      p["b1"]: "absent", p["b2"]: "present"})
        add_session(datetime(year, 3, 10, 2), {p["a1"]: "present", p["a2"]: "present",
                                                p["b1"]: "late", p["b2"]: "absent"})
        add_session(datetime(year, 3, 20, 2), {p["a1"]: "present"}, cancelled=True)
        quiz = Quiz(title="行政处罚法测试", points={"true_false": 1}, published=True)
        db.session.add(quiz)
        db.session.flush()
        add_attempt(quiz.id, p["a1"], jan31_2330(year), True, wrong=(q_free,), right=(q1,))
        add_attempt(quiz.id, p["a2"], feb1_0030(year), False, wrong=(q1, q2))
        add_attempt(quiz.id, p["a2"], datetime(year, 3, 5, 2), True, right=(q1, q2))
        add_attempt(quiz.id, p["b1"], datetime(year, 3, 6, 2), False, wrong=(q1,))
        add_daily(p["b2"], date(year, 4, 2), (q1,))
        add_daily(p["b2"], date(year, 4, 3), (q3,))
        add_daily(p["a1"], date(year, 5, 1), (q2,))
        add_daily(p["b1"], date(year - 1, 12, 30), (q2,))  # the year before
        add_event(unit_a, jan31_2330(year), 100, 20)
        add_event(unit_b, feb1_0030(year), 50, status="submitted")
        add_event(section, datetime(year, 6, 1, 2), 30, 5)
        add_event(unit_b, datetime(year, 3, 1, 2), 999, status="draft")
        db.session.commit()
    return Year(unit_a, section, unit_b, people, articles)


@pytest.fixture
def build_year(app, make_department, make_user):
    """``build_year(year)``: the hand-built year (see build_year_data)."""
    return lambda year: build_year_data(app, make_department, make_user, year)


@pytest.fixture
def year_2025(ctx, build_year) -> Year:
    return build_year(2025)


# --- figures ----------------------------------------------------------------------------------


def test_year_figures_and_targets(year_2025):
    board = dashboard.build_dashboard(2025, now=NOW)
    assert (board.date_from, board.date_to) == (date(2025, 1, 1), date(2025, 7, 15))
    assert board.figures == {
        "sessions": 3, "attendance_rate": pytest.approx(7 / 11),
        "quiz_pass_rate": pytest.approx(2 / 3), "hours_per_capita": 3.5,
        "outreach_events": 3, "people_reached": 205}
    progress = {t.spec.key: t for t in board.targets}
    assert progress["sessions"].target == 12 and progress["sessions"].ratio == 0.25
    assert progress["attendance_rate"].target == pytest.approx(0.9)
    assert progress["attendance_rate"].ratio == pytest.approx((7 / 11) / 0.9)
    assert progress["people_reached"].ratio == pytest.approx(205 / 5000)
    assert not progress["sessions"].met and progress["sessions"].remaining == 9
    assert board.elapsed == pytest.approx(196 / 365)
    assert board.year_targets.set_in is None  # nobody has set 2025's: the defaults


def test_a_session_open_for_check_in_is_not_counted_yet(year_2025):
    """A session still open for check-in counts once its check-in has closed."""
    p = year_2025.people
    add_session(NOW - timedelta(minutes=30), {p["a1"]: "present"}, closed=False)
    db.session.commit()
    board = dashboard.build_dashboard(2025, now=NOW)
    assert board.figures["sessions"] == 3 and board.trends.sessions[6] == 0
    later = dashboard.build_dashboard(2025, now=NOW + timedelta(hours=1))
    assert later.figures["sessions"] == 4 and later.trends.sessions[6] == 1


def test_office_wide_targets_have_none_for_one_department(year_2025):
    unit = dashboard.build_dashboard(2025, department_id=year_2025.unit_b, now=NOW)
    progress = {t.spec.key: t for t in unit.targets}
    assert not progress["people_reached"].has_target and progress["people_reached"].actual == 50
    assert progress["sessions"].has_target


def test_monthly_trends_bucket_by_local_month(year_2025):
    trends = dashboard.build_dashboard(2025, now=NOW).trends
    later = [None] * 5  # August to December have not come yet
    assert trends.months == 7
    assert trends.sessions == [1, 1, 1, 0, 0, 0, 0] + later
    assert trends.attended[:3] == [2, 2, 3] and trends.counted[:3] == [3, 4, 4]
    assert trends.attendance_rate[:4] == [pytest.approx(2 / 3), 0.5, 0.75, None]
    assert trends.attendance_rate[7:] == later
    assert trends.quiz_takers[:3] == [1, 1, 2] and trends.quiz_passed[:3] == [1, 0, 1]
    assert trends.quiz_pass_rate == [1.0, 0.0, 0.5, None, None, None, None] + later
    assert trends.outreach_events == [1, 1, 0, 0, 0, 1, 0] + later
    assert sum(trends.attended) / sum(trends.counted) == pytest.approx(7 / 11)
    assert sum(trends.sessions[:7]) == 3 and sum(trends.outreach_events[:7]) == 3  # the year's


def test_trends_of_one_department_and_of_a_past_year(year_2025, app):
    unit_b = dashboard.build_dashboard(2025, department_id=year_2025.unit_b, now=NOW).trends
    assert unit_b.attendance_rate[:3] == [0.0, 0.5, pytest.approx(1 / 2)]
    assert unit_b.outreach_events[:3] == [0, 1, 0]
    later = dashboard.build_dashboard(2025, now=datetime(2026, 3, 1))
    assert later.trends.months == 12 and later.date_to == date(2025, 12, 31)
    assert later.trends.sessions[11] == 0 and later.elapsed == 1.0


def test_a_year_outside_the_range_is_refused(year_2025):
    with pytest.raises(ValidationFailed):
        dashboard.build_dashboard(2026, now=NOW)
    with pytest.raises(ValidationFailed):
        dashboard.build_dashboard(1999, now=NOW)


def test_follow_up_lists_only_people_below_the_attendance_target(year_2025):
    p = year_2025.people
    board = dashboard.build_dashboard(2025, now=NOW)  # target 90%: a1 at 100% is fine
    follow = board.follow_up
    assert follow.threshold == pytest.approx(0.9) and (follow.total, follow.counted) == (3, 4)
    assert [person.user_id for person in follow.people] == [p["b1"], p["b2"], p["a2"]]
    assert [person.values["sessions_absent"] for person in follow.people] == [2, 1, 1]
    assert [round(person.values["attendance_rate"], 3) for person in follow.people] == \
        [0.333, 0.5, 0.667]
    # Strictly below: at a 50% target b2 (50.0%) needs no follow-up.
    assert [person.user_id for person in dashboard.follow_up(board.report, 0.5).people] == \
        [p["b1"]]
    short = dashboard.follow_up(board.report, 0.9, limit=2)
    assert len(short.people) == 2 and short.total == 3


def row(user_id: int, name: str, username: str, rate: float | None, absent: int,
        active: bool = True) -> PersonRow:
    return PersonRow(user_id, name, username, None, "", active, {
        "attendance_rate": rate, "sessions_absent": absent,
        "sessions_counted": 0 if rate is None else 4}, name_sort_key(name))


def test_follow_up_without_a_target_and_its_order():
    rows = [row(1, "张", "b", 0.75, 1), row(2, "安", "z", 0.75, 1), row(3, "安", "a", 0.75, 1),
            row(4, "丙", "c", 0.75, 0),  # below 100% without an absence (late, say)
            row(5, "丁", "d", 1.0, 0), row(6, "戊", "e", None, 0),
            row(7, "己", "f", 0.5, 1, active=False), row(8, "庚", "g", 0.75, 2),
            row(9, "唐亮", "t", 0.75, 1), row(10, "孙燕", "s", 0.75, 1)]
    fake = type("Report", (), {"people": rows})()
    follow = dashboard.follow_up(fake, None)
    # Rate, then most absences, then name (pinyin: 安 an, 孙 sun, 唐 tang, 张 zhang, where
    # code points put 唐 before 孙), then username: the same order on every visit.
    assert [person.user_id for person in follow.people] == [8, 3, 2, 10, 9, 1]
    assert (follow.total, follow.counted) == (6, 8)
    assert dashboard.follow_up(fake, 0.7).people == []  # everyone reached 70%


def test_departments_ranked_by_rate_then_plans_then_hours(year_2025):
    board = dashboard.build_dashboard(2025, now=NOW)
    assert [row.name for row in board.departments] == ["执法局", "办公室"]
    assert board.departments[0].values["attendance_rate"] == pytest.approx(5 / 6)
    rows = [DepartmentRow(i, name, False, people, {"attendance_rate": rate, "items_rate": items,
                                                   "hours_earned": hours})
            for i, (name, people, rate, items, hours) in enumerate([
                ("甲", 2, 0.5, 0.5, 10), ("乙", 2, 0.5, 0.9, 2), ("丙", 1, None, 1.0, 50),
                ("丁", 2, 0.5, 0.5, 20), ("戊", 3, 0.9, None, 0)], start=1)]
    fake = type("Report", (), {"departments": rows, "department": None})()
    assert [row.name for row in dashboard.department_ranking(fake)] == \
        ["戊", "乙", "丁", "甲", "丙"]
    # Rates that show alike (88.1%) are tied, however they differ further down.
    shown_alike = [DepartmentRow(i, name, False, 10, {"attendance_rate": rate,
                                                      "items_rate": items, "hours_earned": 0})
                   for i, (name, rate, items) in enumerate([
                       ("市场监管", 0.88100, 0.497), ("住建", 0.88080, 0.517),
                       ("司法", 0.88070, 0.300)], start=1)]
    fake = type("Report", (), {"departments": shown_alike, "department": None})()
    assert [row.name for row in dashboard.department_ranking(fake)] == ["住建", "市场监管", "司法"]
    # One unit's board ranks its sections and its own people (本级), not the unit itself.
    unit = type("Department", (), {"id": 7})()
    one_unit = [DepartmentRow(7, "执法局", False, 3, {"attendance_rate": 1.0}),
                DepartmentRow(7, "执法局/本级", True, 1, {"attendance_rate": 0.5},
                              own_staff=True),
                DepartmentRow(8, "执法局/法制科", True, 2, {"attendance_rate": 0.9})]
    fake = type("Report", (), {"departments": one_unit, "department": unit})()
    assert [row.name for row in dashboard.department_ranking(fake)] == [
        "执法局/法制科", "执法局/本级"]


def test_wrong_articles_ranked_per_unit(year_2025):
    art = year_2025.articles
    board = dashboard.build_dashboard(2025, now=NOW)
    groups = board.wrong_articles
    assert [g.name for g in groups] == ["办公室", "执法局"]  # department order
    ranked = {g.name: [(i.article.id, i.wrong, i.people) for i in g.articles] for g in groups}
    assert ranked["执法局"] == [(art["art2"], 2, 2), (art["art1"], 1, 1)]
    assert ranked["办公室"] == [(art["art1"], 2, 2), (art["art3"], 1, 1)]
    assert groups[0].articles[0].article.law.display_title == "行政处罚法"
    scope = dashboard.Scope(date(2025, 1, 1), date(2025, 7, 15), None, NOW, board.report.rule)
    assert [[i.article.id for i in g.articles] for g in
            dashboard.wrong_articles(scope, per_unit=1)] == [[art["art1"]], [art["art2"]]]
    # One unit: its own departments (the unit itself and its section) instead of units.
    unit = dashboard.build_dashboard(2025, department_id=year_2025.unit_a, now=NOW)
    assert {g.name: [(i.article.id, i.wrong) for i in g.articles]
            for g in unit.wrong_articles} == {"执法局": [(art["art2"], 1)],
                                              "执法局/法制科": [(art["art1"], 1), (art["art2"], 1)]}


def test_an_empty_year(ctx):
    board = dashboard.build_dashboard(2025, now=NOW)
    assert board.figures["sessions"] == 0 and board.figures["attendance_rate"] is None
    assert board.trends.sessions[:7] == [0] * 7 and board.trends.quiz_pass_rate[0] is None
    assert board.follow_up.people == [] and board.follow_up.counted == 0
    assert board.wrong_articles == [] and board.departments == []


# --- the page ---------------------------------------------------------------------------------


def last_year(app) -> int:
    with app.app_context():
        return local_day(utcnow()).year - 1


@pytest.fixture
def roles(make_user, admin):
    return {"admin": admin, "leader": make_user("leader", roles=("leader",), name="主要负责人"),
            "dept_lead": make_user("lead", roles=("dept_lead", "staff"), name="科长"),
            "staff": make_user("staff", name="干部")}


@pytest.mark.parametrize("role, status", [("admin", 200), ("leader", 200), ("dept_lead", 403),
                                          ("staff", 403)])
def test_access_per_role(client, login, roles, role, status):
    login(roles[role])
    response = client.get("/reports/dashboard")
    assert response.status_code == status
    if status == 200:
        page = response.get_data(as_text=True)
        assert ('name="attendance_rate"' in page) == (role == "admin")
        assert ("年度目标由管理员设置" in page) == (role == "leader")
    # Only admins may post targets (an admin's empty form is refused as invalid).
    token = csrf_from(client.get("/"))
    assert client.post("/reports/dashboard/targets", data={"csrf_token": token}).status_code \
        == (422 if role == "admin" else 403)


def test_anonymous_are_sent_to_login(client):
    response = client.get("/reports/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/reports/dashboard/targets").status_code in (302, 400)


def test_page_shows_each_part(app, client, login, roles, build_year):
    year = last_year(app)
    data = build_year(year)
    login(roles["leader"])
    page = client.get(f"/reports/dashboard?year={year}").get_data(as_text=True)
    assert f"{year}年学法普法数据看板" in page and f"{year}年目标完成情况" in page
    assert page.count('<svg class="chart') == 5  # four trends and the departments
    assert page.count('class="table trend-table"') == 4
    assert f'/laws/{db_law_id(app)}/articles/2"' in page
    assert '《行政处罚法》<span class="nowrap">第二条</span></a>' in page
    assert "<strong>63.6%</strong>" in page and "<strong>205</strong>" in page  # figures
    unit = client.get(f"/reports/dashboard?year={year}&department={data.unit_b}")
    assert "全办目标，不分解到部门" in unit.get_data(as_text=True)


def test_page_uses_the_glossary_words(app, client, login, roles, build_year):
    build_year(last_year(app))
    login(roles["leader"])
    page = client.get(f"/reports/dashboard?year={last_year(app)}").get_data(as_text=True)
    labels = re.findall(r'<h3 class="target-label">(.*?)</h3>', page)
    assert labels == ["集中学法（场）", "参学率", "在线测试通过率", "人均学时", "普法宣传活动（场）",
                      "覆盖群众（人次）"]
    for word in ("每月在线测试通过率", "覆盖群众（人次）= 活动参与人次", "不是各人参学率的平均",
                 "经批准请假的场次不计入参学率的分母", ">应参学</th>"):
        assert word in page, word
    for wrong in ("平均参学率", "出勤率", "线上测试", "合格", "受众", "应计场次"):
        assert wrong not in page, wrong
    assert not re.search("(?<!在线)测试通过率", page)


def test_month_tables_have_a_row_per_month_so_far(app, client, login, roles, build_year):
    year = last_year(app)
    build_year(year)
    login(roles["leader"])
    page = client.get(f"/reports/dashboard?year={year}").get_data(as_text=True)
    tables = re.findall(r'<table class="table trend-table">(.*?)</table>', page, re.S)
    months = [re.findall(r'<th scope="row">(\d+月)</th>', table) for table in tables]
    assert months == [[f"{m}月" for m in range(1, 13)]] * 4  # a past year: all twelve
    attendance = tables[1]
    assert re.findall(r'<th scope="col"[^>]*>(.*?)</th>', attendance) == [
        "月份", "参学率", "计为参学 / 计入参学率（人次）"]
    assert "<td class=\"num\">2 / 3</td>" in attendance
    assert "<td class=\"num\">0 / 0</td>" not in attendance  # a month with none: "—"
    assert "同一人同一测试跨月参加的，在各月各计一次" in page  # why the months exceed the year


def test_rate_charts_name_their_target_in_a_legend(app, client, login, roles, build_year):
    year = last_year(app)
    build_year(year)
    login(roles["leader"])
    page = client.get(f"/reports/dashboard?year={year}").get_data(as_text=True)
    legends = re.findall(r'<g class="chart-legend">.*?<text x="(\d+)" y="(\d+)"[^>]*>(.*?)</text>',
                         page, re.S)
    assert [label for _x, _y, label in legends] == ["目标 90.0%", "目标 85.0%"]
    assert all(int(x) == 74 and int(y) == 20 for x, y, _label in legends)  # above the plot


def test_follow_up_section_in_words(app, client, login, roles, build_year):
    year = last_year(app)
    build_year(year)
    login(roles["leader"])
    page = client.get(f"/reports/dashboard?year={year}").get_data(as_text=True)
    section = re.search(r'id="follow-up-heading">(.*?)</section>', page, re.S).group(1)
    assert f"参学率低于{year}年目标 90.0% 的共 3 人，按参学率从低到高排列。" in section
    assert section.index("王五") < section.index("赵六") < section.index("李四")
    assert "张三" not in section  # 100.0%: nothing to follow up
    with app.app_context():
        change_targets(None, year, {"attendance_rate": 30})
        db.session.commit()
    page = client.get(f"/reports/dashboard?year={year}").get_data(as_text=True)
    section = re.search(r'id="follow-up-heading">(.*?)</section>', page, re.S).group(1)
    assert "本年度无需跟进人员。" in section and "<table" not in section
    assert f"参学率均达到{year}年目标 30.0%。" in section
    with app.app_context():
        change_targets(None, year, {"attendance_rate": 0})
        db.session.commit()
    page = client.get(f"/reports/dashboard?year={year}").get_data(as_text=True)
    section = re.search(r'id="follow-up-heading">(.*?)</section>', page, re.S).group(1)
    assert f"{year}年不设参学率目标，以下为有缺席、参学率低于 100% 的人员，共 3 人" in section


def db_law_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Law.id))


def test_empty_year_says_so(client, login, roles):
    login(roles["leader"])
    page = client.get("/reports/dashboard").get_data(as_text=True)
    assert page.count("本年度暂无数据。") == 4 and '<svg class="chart' not in page
    assert "本年度暂无关联法条的答错记录。" in page


@pytest.mark.parametrize("query, notice", [("year=abc", "年份须在"), ("year=1900", "年份须在"),
                                           ("department=x", "部门不存在"),
                                           ("department=99999", "部门不存在")])
def test_bad_arguments_fall_back(client, login, roles, query, notice):
    login(roles["leader"])
    response = client.get(f"/reports/dashboard?{query}")
    assert response.status_code == 200 and notice in response.get_data(as_text=True)


TYPED = {"sessions": "10", "attendance_rate": "92.5", "quiz_pass_rate": "85",
         "hours_per_capita": "40", "outreach_events": "20", "people_reached": "5000"}


def test_leader_cannot_change_targets(app, client, login, roles):
    login(roles["leader"])
    token = csrf_from(client.get("/reports/dashboard"))
    response = client.post("/reports/dashboard/targets", data={
        **TYPED, "year": str(last_year(app)), "csrf_token": token})
    assert response.status_code == 403
    with app.app_context():
        assert get_setting("reports.targets") == {}


def test_targets_need_the_csrf_token(app, client, login, roles):
    login(roles["admin"])
    response = client.post("/reports/dashboard/targets", data={**TYPED,
                                                               "year": str(last_year(app))})
    assert response.status_code == 400
    with app.app_context():
        assert get_setting("reports.targets") == {}


def add_active_people(app, make_user, year: int, department_id: int, n: int) -> None:
    """``n`` more people with attendance, quiz answers and daily practice."""
    with app.app_context():
        sessions = db.session.scalars(select(StudySession.id).where(
            StudySession.cancelled_at.is_(None))).all()
        quiz_id = db.session.scalar(select(Quiz.id))
        questions = db.session.scalars(select(Question.id).where(
            Question.article_id.is_not(None))).all()
    for i in range(n):
        user_id = make_user(name=f"学员{i:02d}", department_id=department_id).id
        with app.app_context():
            for session_id in sessions:
                db.session.add(Attendance(session_id=session_id, user_id=user_id,
                                          status=("present", "absent")[i % 2], source="manual"))
            add_attempt(quiz_id, user_id, datetime(year, 4, 1 + i, 2), i % 2 == 0,
                        wrong=tuple(questions[:2]))
            add_daily(user_id, date(year, 5, 1 + i), tuple(questions[1:]))
            db.session.commit()


@pytest.mark.parametrize("by_department", [False, True])
def test_query_count_does_not_grow_with_the_data(app, client, login, roles, build_year,
                                                 make_user, count_queries, by_department):
    year = last_year(app)
    data = build_year(year)
    login(roles["leader"])
    url = f"/reports/dashboard?year={year}"
    if by_department:
        url += f"&department={data.unit_a}"
    client.get(url)

    def fetch():
        assert client.get(url).status_code == 200

    small = count_queries(fetch)
    add_active_people(app, make_user, year, data.section, 12)
    assert count_queries(fetch) == small


@pytest.mark.parametrize("late", [True, False])
@pytest.mark.parametrize("excused", ["present", "excluded", "absent"])
def test_every_page_words_the_rate_rule_alike(app, late, excused):
    """The dashboard, the report (and its exports) and 出勤统计 say how late arrivals and
    approved leave count in the same words (迟到计为参学, not 出席 on one and 参学 on another)."""
    from lawlearn.reports.dashboard_views import rule_words
    from lawlearn.reports.export_tables import rate_rule_text
    from lawlearn.sessions.attendance import AttendanceRule, rule_clauses, rule_description

    rule = AttendanceRule(late_counts_as_present=late, excused_counts=excused)
    with app.test_request_context():
        clauses = rule_clauses(rule)
        for text in (rule_words(rule), rate_rule_text(rule), rule_description(rule)):
            assert all(clause in text for clause in clauses), text
            assert "出席" not in text, text
