"""The participation report page (统计报表): who may see which department, the figures on the
page against build_report's, search and pagination, bad filters, and a constant
number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from lxml import html
from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.outreach.categories import ensure_categories
from lawlearn.practice.models import PointAward
from lawlearn.quiz.models import Attempt
from lawlearn.reports import participation, sources
from lawlearn.reports.columns import Column
from lawlearn.reports.participation import build_report
from lawlearn.reports.sources import Source
from tests.conftest import csrf_from, post_with_csrf
from tests.outreach.test_ledger import make_event
from tests.sessions.test_leave_and_attendance import make_session, record

DAY = datetime(2026, 3, 10, 1, 0)  # naive UTC: 09:00 in Shanghai
PERIOD = {"from": "2026-01-01", "to": "2026-06-30"}
FROM, TO = date(2026, 1, 1), date(2026, 6, 30)


@dataclass
class Office:
    """执法局 with its section 法制科, and 办公室; people in each, some with activity."""

    unit: int
    section: int
    office: int
    admin: object
    leader: object
    unit_lead: object  # dept_lead of 执法局 (with 法制科)
    office_lead: object
    homeless_lead: object  # dept_lead without a department
    clerk: object  # staff in 法制科
    officer: object  # staff in 执法局
    secretary: object  # staff in 办公室
    retired: object  # deactivated, with a session attended in the period
    gone: object  # deactivated, nothing in the period
    quiz_id: int = 0


def add_attempt(quiz_id: int, user_id: int, number: int, score: float, passed: bool,
                submitted_at: datetime, max_score: float = 10) -> None:
    db.session.add(Attempt(quiz_id=quiz_id, user_id=user_id, number=number,
                           started_at=submitted_at - timedelta(minutes=10),
                           submitted_at=submitted_at, score=score, max_score=max_score,
                           passed=passed))


@pytest.fixture(name="office")
def office_fixture(app, make_department, make_user, make_quiz) -> Office:
    """Made through the HTTP-side factories (people log in); in the modules that use it, it
    stands in for the service-level ``office`` of tests/reports/conftest.py."""
    unit = make_department("执法局")
    section = make_department("法制科", unit)
    office = make_department("办公室")
    people = Office(
        unit, section, office,
        admin=make_user("root", roles=("admin", "staff"), name="管理员甲"),
        leader=make_user("leader", roles=("leader", "staff"), name="区长乙"),
        unit_lead=make_user("unitlead", roles=("dept_lead", "staff"), name="局长丙",
                            department_id=unit),
        office_lead=make_user("offlead", roles=("dept_lead", "staff"), name="主任丁",
                              department_id=office),
        homeless_lead=make_user("nolead", roles=("dept_lead", "staff"), name="待分配"),
        clerk=make_user("clerk", name="科员戊", department_id=section),
        officer=make_user("officer", name="干部己", department_id=unit),
        secretary=make_user("secretary", name="文员庚", department_id=office),
        retired=make_user("retired", name="退休辛", department_id=section),
        gone=make_user("gone", name="调离壬", department_id=office, active=False),
    )
    people.quiz_id = make_quiz(title="民法典测试")
    with app.app_context():
        first = make_session(DAY, title="第一季度集中学法")
        second = make_session(DAY + timedelta(days=7), title="民法典专题学法")
        record(first, people.clerk, "present")
        record(first, people.officer, "late")
        record(first, people.secretary, "excused")
        record(first, people.retired, "present")
        record(second, people.clerk, "present")
        record(second, people.officer, "absent")
        add_attempt(people.quiz_id, people.clerk.id, 1, 6, False, DAY)
        add_attempt(people.quiz_id, people.clerk.id, 2, 9, True, DAY + timedelta(days=1))
        add_attempt(people.quiz_id, people.secretary.id, 1, 4, False, DAY)
        db.session.add(PointAward(user_id=people.clerk.id, rule="daily", amount=5,
                                  source="daily:2026-03-10", day=date(2026, 3, 10)))
        category = ensure_categories()[0]
        make_event(category, unit, title="宪法进社区", starts_at=DAY, participants=120,
                   quiz_completions=30, volunteers=6)
        make_event(category, office, title="民法典进机关", starts_at=DAY + timedelta(days=2),
                   participants=50)
        db.session.get(User, people.retired.id).active = False
        db.session.commit()
    return people


def report_url(**args) -> str:
    query = "&".join(f"{key}={value}" for key, value in {**PERIOD, **args}.items())
    return f"/reports/?{query}"


def shown(value, kind: str = "count") -> str:
    """A value as the report macros show it."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value * 100:,.1f}%"
    if kind == "score":
        return f"{value:,.1f}%"
    if kind in ("hours", "decimal"):
        return f"{value:,.1f}"
    return f"{value:,}"


def cells(row) -> list[str]:
    return [" ".join(cell.text_content().split()) for cell in row.xpath("./th|./td")]


def table_rows(page, section_id: str, part: str = "tbody") -> list[list[str]]:
    return [cells(row) for row in page.xpath(
        f'//section[.//h2[@id="{section_id}"]]//table[1]/{part}/tr')]


def as_page(response):
    return html.fromstring(response.get_data(as_text=True))


def client_for(app, person):
    """A fresh test client logged in as ``person`` (through the real form)."""
    client = app.test_client()
    token = csrf_from(client.get("/login"))
    client.post("/login", data={"username": person.username, "password": person.password,
                                "csrf_token": token})
    return client


# --- access ------------------------------------------------------------------------------


def test_anonymous_people_are_sent_to_log_in(client, office):
    response = client.get("/reports/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["clerk", "secretary", "homeless_lead"])
def test_staff_and_a_dept_lead_without_department_are_refused(client, login, office, who):
    login(getattr(office, who))
    assert client.get("/reports/").status_code == 403


@pytest.mark.parametrize("who", ["admin", "leader"])
def test_admins_and_leaders_see_the_whole_office_and_any_department(client, login, office, who):
    login(getattr(office, who))
    page = as_page(client.get(report_url()))
    people = {row[0] for row in table_rows(page, "people")}
    assert {"科员戊", "干部己", "文员庚"} <= people
    assert page.xpath('//select[@name="department"]')
    response = client.get(report_url(department=office.office))
    assert response.status_code == 200
    assert {row[0] for row in table_rows(as_page(response), "people")} == {"主任丁", "文员庚"}


def test_a_dept_lead_sees_only_their_department_with_its_sections(client, login, office):
    login(office.unit_lead)
    response = client.get(report_url())
    assert response.status_code == 200
    page = as_page(response)
    assert not page.xpath('//select[@name="department"]')  # fixed, not a choice
    assert "执法局" in page.xpath('string(//p[contains(@class, "report-scope")])')
    names = {row[0].replace(" 已停用", "") for row in table_rows(page, "people")}
    assert names == {"局长丙", "干部己", "科员戊", "退休辛"}
    assert client.get(report_url(department=office.unit)).status_code == 200
    assert client.get(report_url(department=office.office)).status_code == 403
    assert client.get(report_url(department=office.section)).status_code == 403


# --- figures -------------------------------------------------------------------------------


def expected_report(app):
    with app.app_context():
        return build_report(FROM, TO)


def test_people_departments_and_total_on_the_page_equal_build_report(app, client, login, office):
    login(office.admin)
    page = as_page(client.get(report_url()))
    report = expected_report(app)
    columns = report.visible_columns

    people = {row[0].replace(" 已停用", ""): row for row in table_rows(page, "people")}
    assert len(people) == len(report.people)
    for person in report.people:
        row = people[person.name]
        assert row[1:3] == [person.username, person.department]
        assert row[3:] == [shown(person.values.get(c.key), c.kind) for c in columns], person.name

    def department_cells(row) -> list[str]:
        # A section is shown by its own name, indented under its unit.
        out = [row.name.removeprefix("执法局/"), shown(row.people)]
        for column in columns:
            out.append(shown(row.values.get(column.key), column.kind))
            if column.per_capita:
                out.append(shown(row.per_capita(column.key), "decimal"))
        return out

    assert table_rows(page, "departments") == [department_cells(r) for r in report.departments]
    assert [row[0] for row in table_rows(page, "departments")] == [
        "办公室", "执法局", "本级", "法制科", "未分配部门"]
    assert page.xpath('//section[.//h2[@id="departments"]]//tbody/tr/th/@class') == [
        "first-col", "first-col", "first-col indent", "first-col indent", "first-col"]
    assert table_rows(page, "departments", "tfoot") == [department_cells(report.total)]

    # Figures known by hand: late counts as present, excused leaves the denominator.
    assert people["科员戊"][3:6] == ["2", "2", "0"]
    rate = [c.key for c in columns].index("attendance_rate") + 3
    assert (people["科员戊"][rate], people["干部己"][rate], people["文员庚"][rate]) == (
        "100.0%", "50.0%", "0.0%")
    best = [c.key for c in columns].index("best_score") + 3
    assert people["科员戊"][best] == "90.0%"

    headlines = dict(zip(page.xpath('//div[contains(@class, "report-headlines")]//span/text()'),
                         page.xpath('//div[contains(@class, "report-headlines")]//strong/text()'),
                         strict=True))
    assert headlines["统计人数"] == shown(len(report.people))
    assert headlines["集中学法（场）"] == "2"
    assert headlines["参学率"] == shown(report.total.values["attendance_rate"], "rate")
    assert headlines["普法活动（场）"] == "2" and headlines["覆盖群众（人次）"] == "200"


def test_sessions_quizzes_and_outreach_tables(app, client, login, office):
    login(office.leader)
    page = as_page(client.get(report_url()))
    report = expected_report(app)
    sessions = table_rows(page, "sessions")
    assert [row[0] for row in sessions] == [s.title for s in report.sessions]
    first = report.sessions[0]
    assert sessions[0][3:] == [shown(first.expected), shown(first.present), shown(first.late),
                               shown(first.excused), shown(first.absent),
                               shown(first.rate, "rate")]
    # The note under the table says each rule once (it said 签到结束后计入统计 twice).
    note = page.xpath('//section[.//h2[@id="sessions"]]//p[contains(@class, "muted")]')[-1]
    assert note.text_content().count("签到结束后计入统计") == 1
    quizzes = table_rows(page, "quizzes")
    # 应参加 (everyone, as the quiz is for everyone), 其中已参加, 参加率, then the papers:
    # 参加人数, 通过, 通过率, 答卷, 平均
    expected = report.quizzes[0].expected
    assert quizzes == [["民法典测试", "测验", shown(expected), "2",
                        shown(2 / expected, "rate"), "2", "1", "50.0%", "3", "63.3%"]]
    outreach = page.xpath('//section[.//h2[@id="outreach"]]')[0]
    assert "宪法进社区" not in outreach.text_content()  # totals, not the events
    used = next(g for g in report.outreach.by_category if g.totals.events)
    rows = {row[0]: row for row in table_rows(page, "outreach")}
    assert rows[used.name][1:3] == ["2", "200"]
    # Both events are submitted, not verified: the page says so before it is reported (to
    # the leader, who cannot verify them, without asking them to).
    assert "其中 2 场已提交、尚待管理员审核。" in outreach.text_content()
    assert "普法台账中审核" not in outreach.text_content()
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me"))})
    login(office.admin)
    admin_page = as_page(client.get(report_url()))
    assert "其中 2 场已提交、尚待审核：上报前请先在普法台账中审核。" in \
        admin_page.xpath('//section[.//h2[@id="outreach"]]')[0].text_content()


def test_deactivated_people_are_marked_and_listed_only_with_activity(client, login, office):
    login(office.admin)
    page = as_page(client.get(report_url()))
    names = [row[0] for row in table_rows(page, "people")]
    assert "退休辛 已停用" in names
    assert not any("调离壬" in name for name in names)
    text = page.text_content()
    assert "迟到计为参学" in text and "人员按其现在所在的部门统计" in text
    assert ("已停用的人员和统计期间结束后才加入的人员（见用户的“加入日期”），"
            "仅在期间内有学习记录时列出") in text


def test_a_column_added_to_a_source_shows_up_without_template_changes(app, client, login, office,
                                                                      monkeypatch):
    extra = Source("extra", (Column("law_exams", "普法考试", group="年度考试"),),
                   lambda scope: {office.clerk.id: {"law_exams": 3}})
    every = (*sources.SOURCES, extra)
    monkeypatch.setattr(sources, "SOURCES", every)
    monkeypatch.setattr(participation, "SOURCES", every)
    login(office.admin)
    page = as_page(client.get(report_url()))
    assert "年度考试" in page.xpath('string(//section[.//h2[@id="people"]]//thead)')
    clerk = next(row for row in table_rows(page, "people") if row[0] == "科员戊")
    assert clerk[-1] == "3"


def test_one_departments_people_have_no_department_column(app, client, login, office):
    """A lead of a department without sections saw 姓名, 用户名 and the same 部门 on every
    row fill a phone's width before any figure."""
    login(office.office_lead)
    page = as_page(client.get(report_url()))
    heads = page.xpath('//section[.//h2[@id="people"]]//thead/tr[1]/th/text()')
    assert heads[:2] == ["姓名", "用户名"] and "部门" not in heads
    post_with_csrf(client, "/reports/", "/logout")
    login(office.unit_lead)  # a unit with a section: the column tells them apart
    page = as_page(client.get(report_url()))
    assert page.xpath('//section[.//h2[@id="people"]]//thead/tr[1]/th/text()')[:3] == \
        ["姓名", "用户名", "部门"]


# --- search, pagination, filters ---------------------------------------------------------


def test_search_by_name_or_username_keeps_the_figures_of_the_whole_scope(client, login, office):
    login(office.admin)
    page = as_page(client.get(report_url(q="文员")))
    assert [row[0] for row in table_rows(page, "people")] == ["文员庚"]
    assert "“文员”的查找结果：1 人" in page.text_content()
    assert len(table_rows(page, "departments")) >= 3  # the summary is not searched
    page = as_page(client.get(report_url(q="OFFICER")))
    assert [row[0] for row in table_rows(page, "people")] == ["干部己"]
    page = as_page(client.get(report_url(q="无此人")))
    assert table_rows(page, "people") == []
    assert "没有找到姓名或用户名包含“无此人”的人员" in page.text_content()


def test_people_are_paged_fifty_at_a_time_with_the_filters_kept(app, client, login, office,
                                                               make_user):
    for n in range(55):
        make_user(f"bulk{n:02d}", name=f"批量{n:02d}", department_id=office.office)
    login(office.admin)
    url = report_url(department=office.office)
    first = as_page(client.get(url))
    assert len(table_rows(first, "people")) == 50
    assert "第 1 / 2 页，共 57 人" in first.text_content()
    pager = first.xpath('//nav[contains(@class, "report-pager")]')[0]
    following = pager.xpath('./a[text()="下一页"]/@href')[0]
    assert f"department={office.office}" in following and "from=2026-01-01" in following
    assert following.endswith("#people")  # lands on the table, not the top of the page
    assert [a.text for a in pager.xpath(".//ol/li/a")] == ["1", "2"]
    assert pager.xpath('.//a[@aria-current="page"]/text()') == ["1"]
    assert pager.xpath('.//ol/li/a[text()="2"]/@href') == [following]
    second = as_page(client.get(following))
    assert len(table_rows(second, "people")) == 7
    assert second.xpath('//nav[contains(@class, "report-pager")]/a[text()="上一页"]/@href')[0] \
        .endswith("page=1#people")
    # A page past the last one is the last one.
    assert len(table_rows(as_page(client.get(url + "&page=9")), "people")) == 7


@pytest.mark.parametrize(("args", "message"), [
    ({"from": "2026-13-01"}, "日期格式不正确"),
    ({"to": "2026-02-30"}, "日期格式不正确"),
    ({"from": "2026-05-01", "to": "2026-04-01"}, "结束日期不能早于开始日期"),
    ({"from": "2010-01-01", "to": "2026-01-01"}, "统计期间不能超过五年"),
    ({"to": "9999-12-31"}, "日期超出范围：应为 1900—2999 年间的日期。"),
])
def test_bad_dates_re_render_the_form_with_a_chinese_error_and_no_figures(client, login, office,
                                                                         args, message):
    login(office.admin)
    response = client.get(report_url(**args))
    assert response.status_code == 400
    page = as_page(response)
    assert message in page.xpath('string(//form[contains(@class, "report-filters")])')
    assert not page.xpath('//h2[@id="people"]') and not page.xpath('//a[contains(@href, "export")]')
    # What was typed stays in the form.
    form = page.xpath('//form[contains(@class, "report-filters")]')[0]
    for name, value in args.items():
        assert form.xpath(f'.//input[@name="{name}"]/@value') == [value]


def test_unknown_department_is_an_error_under_the_department_field(client, login, office):
    login(office.leader)
    response = client.get(report_url(department=999999))
    assert response.status_code == 400
    assert "部门不存在" in response.get_data(as_text=True)
    # Text is refused too, as the exports refuse it, not read as the whole office.
    text = client.get(report_url(department="abc"))
    assert text.status_code == 400 and "部门参数“abc”不正确。" in text.get_data(as_text=True)
    assert client.get(report_url(department="")).status_code == 200


def test_default_period_is_this_year_so_far(app, client, login, office):
    login(office.admin)
    page = as_page(client.get("/reports/"))
    with app.app_context():
        today = local_day(utcnow())
    form = page.xpath('//form[contains(@class, "report-filters")]')[0]
    assert form.xpath('.//input[@name="from"]/@value') == [f"{today.year}-01-01"]
    assert form.xpath('.//input[@name="to"]/@value') == [today.isoformat()]


def test_navigation_links_to_the_reports(app, office):
    nav = as_page(client_for(app, office.admin).get("/admin/users"))
    assert {"/reports/", "/reports/dashboard"} <= set(nav.xpath('//nav[@class="admin-nav"]//a/@href'))
    for who, report, dashboard in [("admin", True, True), ("leader", True, True),
                                   ("unit_lead", True, False), ("homeless_lead", False, False),
                                   ("clerk", False, False)]:
        links = as_page(client_for(app, getattr(office, who)).get("/me")).xpath(
            '//nav[contains(@class, "list-links")]/a/@href')
        assert "/reports/me" in links
        assert ("/reports/" in links) is report, who
        assert ("/reports/dashboard" in links) is dashboard, who


# --- speed -----------------------------------------------------------------------------------


def add_people(app, office: Office, make_user, n: int, start: int) -> None:
    """``n`` more people with a session record, an answer and points each."""
    refs = [make_user(f"more{start + i:03d}", name=f"增员{start + i:03d}",
                      department_id=office.section if i % 2 else office.office)
            for i in range(n)]
    with app.app_context():
        from lawlearn.sessions.models import StudySession

        first = db.session.scalars(select(StudySession).order_by(StudySession.id)).first()
        for i, ref in enumerate(refs):
            record(first, ref, ("present", "late", "excused", "absent")[i % 4])
            add_attempt(office.quiz_id, ref.id, 1, i % 10, i % 10 >= 6, DAY)
            db.session.add(PointAward(user_id=ref.id, rule="daily", amount=2,
                                      source="daily:2026-03-10", day=date(2026, 3, 10)))
        db.session.commit()


@pytest.mark.parametrize("who", ["admin", "leader", "unit_lead"])
def test_the_page_runs_a_constant_number_of_queries(app, client, login, office, make_user,
                                                     count_queries, who):
    login(getattr(office, who))
    url = report_url()
    client.get(url)  # warm up: the login's own bookkeeping is done
    small = count_queries(lambda: client.get(url))
    add_people(app, office, make_user, 40, 0)
    with count_queries.recording() as statements:
        response = client.get(url)
    assert response.status_code == 200
    assert "增员039" in response.get_data(as_text=True)
    assert len(statements) == small, "\n".join(statements)
