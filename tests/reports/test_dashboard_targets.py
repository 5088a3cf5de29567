"""The dashboard's targets per year: what each year inherits, saving one year (and only
that year), the audit log's words, and the admins' form on the page."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from lawlearn.accounts.models import AuditEntry
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.reports import dashboard
from lawlearn.reports.dashboard_targets import TARGETS, change_targets, targets_for
from lawlearn.settings import get_setting
from tests.conftest import csrf_from
from tests.reports.test_dashboard import NOW, last_year

DEFAULTS = {"sessions": 12, "attendance_rate": 90, "quiz_pass_rate": 85,
            "hours_per_capita": 40, "outreach_events": 20, "people_reached": 5000}


def audit_entries() -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reports.target")
                              .order_by(AuditEntry.id)).all()


# --- the service ------------------------------------------------------------------------------


def test_a_year_without_targets_inherits_the_latest_earlier_year(ctx):
    assert targets_for(2025).values == DEFAULTS and targets_for(2025).set_in is None
    change_targets(None, 2023, {**DEFAULTS, "sessions": 8}, now=NOW)
    db.session.commit()
    inherited = targets_for(2025)
    assert inherited.values["sessions"] == 8 and inherited.set_in == 2023
    assert not inherited.own and targets_for(2023).own
    assert targets_for(2022).values == DEFAULTS  # earlier years keep the defaults


def test_changing_one_year_never_changes_another_that_has_its_own(ctx):
    change_targets(None, 2024, {**DEFAULTS, "outreach_events": 30}, now=NOW)
    change_targets(None, 2025, {**DEFAULTS, "outreach_events": 0}, now=NOW)
    db.session.commit()
    assert targets_for(2024).values["outreach_events"] == 30
    assert targets_for(2025).values["outreach_events"] == 0
    change_targets(None, 2024, {**DEFAULTS, "outreach_events": 40}, now=NOW)
    db.session.commit()
    assert targets_for(2025).values["outreach_events"] == 0  # 2025 has its own
    assert get_setting("reports.targets") == {
        "2024": {**DEFAULTS, "outreach_events": 40}, "2025": {**DEFAULTS, "outreach_events": 0}}
    # The dashboards follow: 2025 has no outreach target, 2024 has one.
    boards = {year: {t.spec.key: t for t in dashboard.build_dashboard(year, now=NOW).targets}
              for year in (2024, 2025)}
    assert not boards[2025]["outreach_events"].has_target
    assert boards[2024]["outreach_events"].target == 40


def test_changes_are_audited_in_words_with_no_target_for_zero(ctx):
    changed = change_targets(None, 2025, {**DEFAULTS, "sessions": 3, "attendance_rate": 60.5,
                                          "outreach_events": 0, "people_reached": 12000},
                             now=NOW)
    db.session.commit()
    assert changed == 4
    entries = audit_entries()
    assert [e.summary for e in entries] == [
        "修改2025年目标「集中学法」：12 场 → 3 场",
        "修改2025年目标「参学率」：90% → 60.5%",
        "修改2025年目标「普法宣传活动」：20 场 → 不设目标",
        "修改2025年目标「覆盖群众」：5,000 人次 → 12,000 人次"]
    assert entries[0].details == {"year": 2025, "key": "sessions", "before": 12, "after": 3}
    change_targets(None, 2025, {"outreach_events": 5}, now=NOW)  # the others stay
    assert [e.summary for e in audit_entries()[4:]] == [
        "修改2025年目标「普法宣传活动」：不设目标 → 5 场"]


def test_saving_an_inherited_year_unchanged_makes_it_its_own(ctx):
    assert change_targets(None, 2025, dict(DEFAULTS), now=NOW) == 0
    db.session.commit()
    assert targets_for(2025).own
    assert [e.summary for e in audit_entries()] == ["设定2025年目标：与原先沿用的目标相同"]
    assert change_targets(None, 2025, dict(DEFAULTS), now=NOW) == 0  # now truly nothing
    assert len(audit_entries()) == 1


@pytest.mark.parametrize("year, values", [(2027, DEFAULTS), (1999, DEFAULTS),
                                          (2025, {**DEFAULTS, "attendance_rate": 101}),
                                          (2025, {**DEFAULTS, "sessions": -1})])
def test_out_of_range_is_refused_before_anything_changes(ctx, year, values):
    with pytest.raises(ValidationFailed):
        change_targets(None, year, values, now=NOW)
    assert get_setting("reports.targets") == {} and audit_entries() == []


def test_next_year_may_be_set_in_advance_and_is_then_its_own(ctx):
    """In July 2025 the office may set 2026's targets, not 2027's (refused above)."""
    change_targets(None, 2025, {**DEFAULTS, "sessions": 20}, now=NOW)
    assert change_targets(None, 2026, {**DEFAULTS, "sessions": 24}, now=NOW) == 1
    db.session.commit()
    assert targets_for(2026).own and targets_for(2026).values["sessions"] == 24
    assert targets_for(2025).values["sessions"] == 20  # this year keeps its own
    assert audit_entries()[-1].summary == "修改2026年目标「集中学法」：20 场 → 24 场"
    # When 2026 comes, its dashboard measures against them.
    board = dashboard.build_dashboard(2026, now=datetime(2026, 3, 1))
    assert {t.spec.key: t.target for t in board.targets}["sessions"] == 24


def test_a_stored_value_that_does_not_parse_falls_back(ctx):
    from lawlearn.settings import set_setting

    set_setting("reports.targets", {"2024": {"sessions": "many", "attendance_rate": 70},
                                    "junk": {"sessions": 1}, "2023": "x"})
    assert targets_for(2025).values == {**DEFAULTS, "attendance_rate": 70}


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def admin_in(client, login, admin):
    login(admin)
    return client


TYPED = {"sessions": "10", "attendance_rate": "92.5", "quiz_pass_rate": "85",
         "hours_per_capita": "40", "outreach_events": "20", "people_reached": "5000"}


def test_the_form_edits_the_shown_year(app, admin_in):
    year = last_year(app)
    page = admin_in.get(f"/reports/dashboard?year={year}").get_data(as_text=True)
    assert f"修改{year}年目标" in page and f'name="year" type="hidden" value="{year}"' in page
    assert f"{year}年未单独设定目标，使用系统默认目标。" in page
    assert "目标适用于每个年度" not in page
    token = csrf_from(admin_in.get("/reports/dashboard"))
    response = admin_in.post(f"/reports/dashboard/targets?year={year}", data={
        **TYPED, "year": str(year), "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/dashboard?year={year}")
    page = admin_in.get(f"/reports/dashboard?year={year}").get_data(as_text=True)
    assert f"已保存{year}年的 2 项目标。" in page and f"以下为{year}年设定的目标。" in page
    this_year = admin_in.get("/reports/dashboard").get_data(as_text=True)
    assert f"{year + 1}年未单独设定目标，沿用{year}年的目标。" in this_year
    assert re.search(r'<input [^>]*name="attendance_rate"[^>]*value="92.5">', this_year)
    with app.app_context():
        assert targets_for(year).values["attendance_rate"] == 92.5
        assert targets_for(year - 1).values == DEFAULTS  # the year before is untouched
        assert [e.summary for e in audit_entries()] == [
            f"修改{year}年目标「集中学法」：12 场 → 10 场",
            f"修改{year}年目标「参学率」：90% → 92.5%"]


def test_saving_the_inherited_targets_unchanged_says_so(app, admin_in):
    year = last_year(app)
    token = csrf_from(admin_in.get("/reports/dashboard"))
    unchanged = {key: str(value) for key, value in DEFAULTS.items()}
    for expected in (f"已将沿用的目标保存为{year}年的目标，数值没有变化。", f"{year}年目标没有变化。"):
        admin_in.post(f"/reports/dashboard/targets?year={year}",
                      data={**unchanged, "year": str(year), "csrf_token": token})
        assert expected in admin_in.get(f"/reports/dashboard?year={year}").get_data(as_text=True)
    with app.app_context():
        assert targets_for(year).own


def test_invalid_targets_rerender_at_the_error_summary_and_change_nothing(app, admin_in):
    year = last_year(app)
    token = csrf_from(admin_in.get("/reports/dashboard"))
    typed = {**TYPED, "sessions": "十二", "attendance_rate": "150", "hours_per_capita": "",
             "quiz_pass_rate": "85.55", "people_reached": "-1", "outreach_events": "100001",
             "year": str(year), "csrf_token": token}
    response = admin_in.post(f"/reports/dashboard/targets?year={year}", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<details class="targets-form" id="targets-form" open>' in page
    # The form posts to an address that ends at the error summary, which takes the focus.
    assert f'action="/reports/dashboard/targets?year={year}#targets-errors"' in page
    summary = re.search(r'<div class="form-error error-summary" id="targets-errors" '
                        r'role="alert" tabindex="-1" autofocus>(.*?)</div>', page, re.S)
    assert summary and f"有填写错误，{year}年目标尚未保存" in summary.group(1)
    assert '<a href="#attendance_rate">参学率（%）：须在 0 到 100% 之间；填 0 表示不设目标。</a>' \
        in summary.group(1)
    assert "须在 0 到 100,000 场之间；填 0 表示不设目标。" in page  # no stray spaces
    assert "须在 0 到 100,000,000 人次之间" in page
    assert "请填写人均学时的目标。" in page and "最多保留一位小数。" in page
    assert "请填写整数。" in page  # "十二" for the sessions
    assert 'value="150"' in page  # what was typed stays
    with app.app_context():
        assert get_setting("reports.targets") == {} and audit_entries() == []


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-Infinity"])
def test_not_a_number_is_a_field_error(app, admin_in, value):
    """Decimal reads these; NaN cannot even be compared (it was a 500)."""
    year = last_year(app)
    token = csrf_from(admin_in.get("/reports/dashboard"))
    response = admin_in.post(f"/reports/dashboard/targets?year={year}", data={
        **TYPED, "attendance_rate": value, "year": str(year), "csrf_token": token})
    assert response.status_code == 422
    assert '<a href="#attendance_rate">参学率（%）：请填写数字。</a>' in response.get_data(
        as_text=True)
    with app.app_context():
        assert get_setting("reports.targets") == {}


@pytest.mark.parametrize("year", ["", "abc", "1999", "9999"])
def test_a_bad_year_in_the_form_is_an_error_not_this_year(app, admin_in, year):
    token = csrf_from(admin_in.get("/reports/dashboard"))
    response = admin_in.post("/reports/dashboard/targets",
                             data={**TYPED, "year": year, "csrf_token": token})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "年份" in re.search(r'id="targets-errors".*?</div>', page, re.S).group(0)
    with app.app_context():
        assert get_setting("reports.targets") == {}


@pytest.mark.parametrize("query", ["", "?year=2024", "?year=2024&department=3"])
def test_the_form_address_opened_with_get_goes_back_to_the_dashboard(admin_in, query):
    response = admin_in.get(f"/reports/dashboard/targets{query}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/dashboard{query}")


def test_a_past_year_without_a_figure_shows_a_dash_not_zero_percent(app, client, login,
                                                                     make_user):
    login(make_user("leader", roles=("leader",)))
    year = last_year(app)
    page = client.get(f"/reports/dashboard?year={year}").get_data(as_text=True)
    card = re.search(r'<h3 class="target-label">参学率</h3>(.*?)</li>', page, re.S).group(1)
    assert "<strong>—</strong>" in card and "目标 <span class=\"nowrap\">90.0%</span>" in card
    assert "暂无数据" in card and "完成目标的" not in card and "<progress" not in card
    counts = re.search(r'<h3 class="target-label">集中学法（场）</h3>(.*?)</li>', page,
                       re.S).group(1)
    assert "<strong>0</strong>" in counts and "完成目标的 0.0%" in counts  # 0 held is a figure
    assert "还差 <span class=\"nowrap\">12 场</span>" in counts


def test_every_target_has_a_field_and_a_default():
    assert set(DEFAULTS) == set(TARGETS)
    assert {key: spec.default for key, spec in TARGETS.items()} == DEFAULTS


def test_targets_read_once_per_page(app, client, login, make_user, count_queries):
    login(make_user("leader", roles=("leader",)))
    client.get("/reports/dashboard")
    before = count_queries(lambda: client.get("/reports/dashboard"))
    with app.app_context():
        for year in range(2001, 2011):
            change_targets(None, year, dict(DEFAULTS), now=datetime(2025, 1, 1))
        db.session.commit()
    assert count_queries(lambda: client.get("/reports/dashboard")) == before


# --- next year's targets, set in advance ----------------------------------------------------


def log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/"))})


def this_year(app) -> int:
    return last_year(app) + 1


def test_this_years_dashboard_links_to_next_years_targets(app, admin_in, client, login,
                                                          make_user):
    year = this_year(app)
    page = admin_in.get("/reports/dashboard").get_data(as_text=True)
    assert f'href="/reports/dashboard/targets?year={year + 1}">提前设定{year + 1}年目标</a>' in page
    past = admin_in.get(f"/reports/dashboard?year={year - 1}").get_data(as_text=True)
    assert "提前设定" not in past  # only beside this year's
    log_out(admin_in)
    login(make_user("leader", roles=("leader",)))
    assert "提前设定" not in client.get("/reports/dashboard").get_data(as_text=True)


def test_next_years_page_fills_in_what_it_would_inherit_and_saves(app, admin_in):
    year = this_year(app) + 1
    with app.app_context():
        change_targets(None, year - 1, {**DEFAULTS, "sessions": 15})
        db.session.commit()
    response = admin_in.get(f"/reports/dashboard/targets?year={year}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f"<h1>设定{year}年目标</h1>" in page
    assert f"{year}年尚未单独设定目标，届时沿用{year - 1}年的目标（下面已填入）。" in page
    assert re.search(r'<input [^>]*name="sessions"[^>]*value="15">', page)
    assert f'name="year" type="hidden" value="{year}"' in page
    response = admin_in.post(f"/reports/dashboard/targets?year={year}", data={
        **TYPED, "year": str(year), "csrf_token": csrf_from(response)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/dashboard/targets?year={year}")
    page = admin_in.get(response.headers["Location"]).get_data(as_text=True)
    assert f"已保存{year}年的 2 项目标。" in page  # sessions and attendance rate
    assert f"{year}年的目标已设定，可在下面修改。{year}年开始后" in page
    with app.app_context():
        assert targets_for(year).own and targets_for(year).values["sessions"] == 10
        assert targets_for(year - 1).values["sessions"] == 15  # this year untouched


def test_next_years_page_rerenders_its_errors_and_saves_nothing(app, admin_in):
    year = this_year(app) + 1
    token = csrf_from(admin_in.get(f"/reports/dashboard/targets?year={year}"))
    response = admin_in.post(f"/reports/dashboard/targets?year={year}", data={
        **TYPED, "attendance_rate": "150", "year": str(year), "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and f"<h1>设定{year}年目标</h1>" in page
    assert f"有填写错误，{year}年目标尚未保存" in page and 'value="150"' in page
    with app.app_context():
        assert get_setting("reports.targets") == {}


def test_only_next_year_has_a_page_and_only_for_admins(app, admin_in, client, login,
                                                       make_user):
    year = this_year(app)
    for query in (f"?year={year + 2}", f"?year={year}", "?year=x"):
        response = admin_in.get(f"/reports/dashboard/targets{query}")
        assert response.status_code == 302 and "/reports/dashboard" in response.headers[
            "Location"]
    token = csrf_from(admin_in.get("/reports/dashboard"))
    response = admin_in.post("/reports/dashboard/targets", data={
        **TYPED, "year": str(year + 2), "csrf_token": token})
    assert response.status_code == 422
    log_out(admin_in)
    login(make_user("leader", roles=("leader",)))
    response = client.get(f"/reports/dashboard/targets?year={year + 1}")
    assert response.status_code == 302  # to the dashboard, which refuses the year
    assert response.headers["Location"].endswith(f"/reports/dashboard?year={year + 1}")
    with app.app_context():
        assert get_setting("reports.targets") == {}


def test_a_rates_shortfall_is_counted_from_the_figures_as_shown():
    """87.65% is shown as 87.7% (四舍五入); against 90% the badge says 2.3 points, what a
    reader works out, not 2.35 rounded again to 2.4."""
    from lawlearn.reports.dashboard_targets import TargetProgress, quantity

    rate = TARGETS["attendance_rate"]
    assert TargetProgress(rate, 0.8765, 0.9).remaining_points == 2.3
    assert TargetProgress(rate, 0.95, 0.9).remaining_points == 0
    assert TargetProgress(rate, None, 0.9).remaining_points == 90
    # 89.96% is shown as 90.0%: met, with nothing to go (not 还差 0.0 without a ✓).
    assert TargetProgress(rate, 0.8996, 0.9).met
    assert not TargetProgress(rate, 0.8994, 0.9).met
    assert TargetProgress(rate, 0.8994, 0.9).remaining_points == 0.1
    hours = TARGETS["hours_per_capita"]
    assert TargetProgress(hours, 39.96, 40).met and not TargetProgress(hours, 39.94, 40).met
    assert quantity(TARGETS["hours_per_capita"], 40.25) == "40.3 学时"
