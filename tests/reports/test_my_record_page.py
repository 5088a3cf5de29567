"""我的学法档案 (/reports/me): one's own figures, sessions and quizzes for a period, the same
as one's row in any report; never anybody else's."""

from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import select

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.plans.views import hours_filter
from lawlearn.practice.models import PointAward
from lawlearn.reports.participation import build_report
from lawlearn.sessions.models import StudySession
from tests.plans.test_kinds import make_plan
from tests.reports.test_report_pages import (
    DAY,
    FROM,
    PERIOD,
    TO,
    add_attempt,
    as_page,
    client_for,
    office_fixture,  # noqa: F401  (the fixture "office")
    shown,
)
from tests.sessions.test_leave_and_attendance import make_session, record

URL = f"/reports/me?from={PERIOD['from']}&to={PERIOD['to']}"
CARDS = '//div[contains(concat(" ", @class, " "), " record-card ")]'


def figures(page) -> dict[str, str]:
    """Each figure on the page (marked with its column's key): key → text. A figure shown
    twice would be a duplicate; the test fails on it."""
    spans = page.xpath("//*[@data-figure]")
    keys = [span.get("data-figure") for span in spans]
    assert len(keys) == len(set(keys)), keys
    return {span.get("data-figure"): span.text_content().strip() for span in spans}


def card_text(card) -> str:
    return " ".join(card.text_content().split())


def test_anonymous_people_are_sent_to_log_in(client, office):
    response = client.get("/reports/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("who", ["clerk", "officer", "unit_lead", "leader", "admin",
                                 "homeless_lead"])
def test_everyone_logged_in_has_a_record(app, office, who):
    response = client_for(app, getattr(office, who)).get("/reports/me")
    assert response.status_code == 200
    assert "我的学法档案" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["clerk", "officer", "secretary"])
def test_figures_equal_the_persons_row_in_the_report(app, office, who):
    person = getattr(office, who)
    page = as_page(client_for(app, person).get(URL))
    with app.app_context():
        report = build_report(FROM, TO)
    row = next(p for p in report.people if p.user_id == person.id)
    # The same figures; hours written as the plan pages write them (3, 1.5).
    assert figures(page) == {c.key: hours_filter(row.values.get(c.key)) if c.kind == "hours"
                             else shown(row.values.get(c.key), c.kind)
                             for c in report.visible_columns}
    # Shown once, in the cards: no second card repeating them.
    assert not page.xpath('//section[@aria-labelledby="record-figures"]')
    assert "全部数据" not in page.text_content()


def test_cards_sessions_and_quizzes_of_the_clerk(app, office):
    page = as_page(client_for(app, office.clerk).get(URL))
    cards = page.xpath(CARDS)
    assert cards[0].xpath("string(./strong)") == "100.0%"
    assert "出席 2 · 迟到 0 · 请假 0 · 缺席 0" in card_text(cards[0])
    assert "应参学 2 场；按计为参学 2 场 ÷ 计入参学率 2 场计算" in card_text(cards[0])
    assert cards[3].xpath("string(./strong)").replace(" ", "") == "1/1"
    assert "最高得分率 90.0% · 每次答卷平均得分率 75.0%" in card_text(cards[3])
    assert cards[-1].xpath("string(./strong)") == "5"
    sessions = page.xpath('//section[@aria-labelledby="record-sessions"]//li')
    assert [" ".join(li.text_content().split()) for li in sessions] == [
        "民法典专题学法 2026年3月17日 09:00 ✓ 出席", "第一季度集中学法 2026年3月10日 09:00 ✓ 出席"]
    quizzes = page.xpath('//section[@aria-labelledby="record-quizzes"]//li')
    assert len(quizzes) == 1  # two answers, the best one shown
    text = " ".join(quizzes[0].text_content().split())
    assert "民法典测试" in text and "共 2 次" in text and "最高 90.0%" in text and "✓ 通过" in text


def test_study_hours_against_the_plans_requirement_with_a_bar(app, office):
    with app.app_context():
        for session in db.session.scalars(select(StudySession)):
            session.study_hours = 1.5
        make_plan(required_hours=4)
        db.session.commit()
    page = as_page(client_for(app, office.clerk).get(URL))
    hours = page.xpath(CARDS)[1]
    # As the plan pages write hours: 3, not 3.0 (and 1.5 as 1.5).
    assert " ".join(hours.xpath("string(./strong)").split()) == "3 / 4"
    bar = hours.xpath(".//progress")[0]
    assert (bar.get("max"), bar.get("value")) == ("4.0", "3.0")
    assert figures(page)["hours_earned"] == "3" and figures(page)["hours_required"] == "4"


def test_absence_and_a_failed_quiz_are_written_out(app, office):
    page = as_page(client_for(app, office.secretary).get(URL))
    # Leave and absence are on the card, with the sessions the rate is counted over: leave
    # leaves the denominator under the default rule, so 0 ÷ 1, not 0 ÷ 2.
    attendance = card_text(page.xpath('//div[contains(@class, "record-attendance")]')[0])
    assert "0.0% 参学率" in attendance
    assert "出席 0 · 迟到 0 · 请假 1 · 缺席 1" in attendance
    assert "应参学 2 场；按计为参学 0 场 ÷ 计入参学率 1 场计算" in attendance
    rules = page.xpath('string(//p[contains(@class, "record-rules")])')
    assert "经批准请假的场次不计入参学率的分母" in rules and "出勤率" not in rules
    statuses = [" ".join(li.xpath("string(./span[@class and contains(@class, 'badge')])").split())
                for li in page.xpath('//section[@aria-labelledby="record-sessions"]//li')]
    assert statuses == ["✗ 缺席", "请假"]
    quiz = page.xpath('string(//section[@aria-labelledby="record-quizzes"]//li)')
    assert "最高 40.0%" in quiz and "✗ 未通过" in quiz


def test_a_column_the_cards_do_not_show_gets_a_line_of_its_own(app, office, monkeypatch):
    from lawlearn.accounts.models import User
    from lawlearn.reports import participation, sources
    from lawlearn.reports.columns import Column
    from lawlearn.reports.participation import my_figures

    extra = sources.Source("extra", (Column("law_exams", "普法考试", group="年度考试"),),
                           lambda scope: {office.clerk.id: {"law_exams": 3}})
    every = (*sources.SOURCES, extra)
    monkeypatch.setattr(sources, "SOURCES", every)
    monkeypatch.setattr(participation, "SOURCES", every)
    page = as_page(client_for(app, office.clerk).get(URL))
    other = page.xpath('//dl[contains(@class, "record-other")]')[0]
    # 答题数 has a card (it was a stray line here: "答题 · 答题数 60").
    assert [" ".join(dt.text_content().split()) for dt in other.xpath("./dt")] == \
        ["年度考试 · 普法考试"]
    answered = page.xpath('//div[@class="record-card"][span[text()="答题数（道）"]]')[0]
    assert answered.xpath("string(.//strong)") == figures(page)["items_answered"]
    with app.app_context():
        value = my_figures(db.session.get(User, office.clerk.id), FROM, TO)["law_exams"]
    assert figures(page)["law_exams"] == shown(value)


def test_only_my_own_data_whatever_the_url_says(app, office):
    client = client_for(app, office.secretary)
    for url in (URL, f"{URL}&user={office.clerk.id}", f"{URL}&user_id={office.clerk.id}",
                f"{URL}&department={office.section}"):
        text = client.get(url).get_data(as_text=True)
        assert "文员庚" in text
        assert "科员戊" not in text and "90.0%" not in text and "法制科" not in text
    assert client.get(f"/reports/me/{office.clerk.id}").status_code == 404


def test_empty_period_says_what_there_is_not(app, office):
    page = as_page(client_for(app, office.clerk).get("/reports/me?from=2025-01-01&to=2025-12-31"))
    text = page.text_content()
    assert "这段时间没有需要参加的学法活动" in text and "这段时间没有交卷的测试" in text


def test_default_period_is_this_year_so_far(app, office):
    page = as_page(client_for(app, office.clerk).get("/reports/me"))
    with app.app_context():
        today = local_day(utcnow())
    assert page.xpath('//input[@name="from"]/@value') == [f"{today.year}-01-01"]
    assert page.xpath('//input[@name="to"]/@value') == [today.isoformat()]


@pytest.mark.parametrize(("query", "message"), [
    ("from=2026-02-31", "日期格式不正确"),
    ("from=2026-06-01&to=2026-05-01", "结束日期不能早于开始日期"),
    ("from=0001-01-01&to=0001-02-01", "日期超出范围"),
])
def test_bad_dates_re_render_the_form_with_a_chinese_error(app, office, query, message):
    response = client_for(app, office.clerk).get(f"/reports/me?{query}")
    assert response.status_code == 400
    page = as_page(response)
    assert message in page.xpath('string(//form[contains(@class, "record-period")])')
    assert not page.xpath(CARDS)
    assert not page.xpath('//a[contains(@href, "/reports/me/export")]')


def test_download_links_cover_the_period_shown(app, office):
    page = as_page(client_for(app, office.clerk).get(URL))
    links = page.xpath('//section[@aria-labelledby="record-downloads"]//a/@href')
    assert len(links) == 2
    for link, fmt in zip(links, ("xlsx", "csv"), strict=True):
        assert link.startswith("/reports/me/export?")
        assert f"format={fmt}" in link and "from=2026-01-01" in link and "to=2026-06-30" in link
        assert "user" not in link


def test_the_page_runs_a_constant_number_of_queries(app, office, count_queries):
    client = client_for(app, office.clerk)
    client.get(URL)
    small = count_queries(lambda: client.get(URL))
    with app.app_context():
        for n in range(12):
            session = make_session(DAY + timedelta(days=20 + n), title=f"加练{n}")
            record(session, office.clerk, ("present", "late", "excused")[n % 3])
            add_attempt(office.quiz_id, office.clerk.id, 3 + n, n % 10, n % 2 == 0,
                        DAY + timedelta(days=20 + n))
            db.session.add(PointAward(user_id=office.clerk.id, rule="daily", amount=1,
                                      source=f"daily:{n}", day=date(2026, 4, 1 + n)))
        db.session.commit()
        assert db.session.scalar(select(db.func.count()).select_from(StudySession)) == 14
    with count_queries.recording() as statements:
        response = client.get(URL)
    assert "加练11" in response.get_data(as_text=True)
    assert len(statements) == small, "\n".join(statements)


def test_the_record_says_which_plan_items_it_counts(app, office):
    """The page said 截止日期在所选期间内 for a figure that, within a year still running,
    counts only the items due by today; it and its workbook now say which."""
    with app.app_context():
        today = local_day(utcnow())
    client = client_for(app, office.clerk)
    this_year = client.get(f"/reports/me?from={today.year}-01-01&to={today.year}-12-31")
    text = " ".join(as_page(this_year).text_content().split())
    if today.month == 12 and today.day == 31:  # the last day: the year is all due
        assert "应完成事项为统计期间内到期的必修计划事项。" in text
    else:
        assert "已到期的必修计划事项；期间尚未结束，此后到期的暂不计入。" in text
    past = client.get(URL)
    assert "应完成事项为统计期间内到期的必修计划事项。（学习计划页列出全部事项）" in " ".join(
        as_page(past).text_content().split())
    book = openpyxl.load_workbook(io.BytesIO(client.get(
        f"/reports/me/export?from={PERIOD['from']}&to={PERIOD['to']}&format=xlsx").data))
    about = {row[0]: row[1] for sheet in book for row in sheet.iter_rows(values_only=True)
             if row and row[0] == "计划事项口径"}
    assert about == {"计划事项口径": "应完成事项为统计期间内到期的必修计划事项。"}
