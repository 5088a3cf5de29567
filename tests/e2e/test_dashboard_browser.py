"""The leaders' dashboard in Chromium on a 1280 px desktop and a 360 px phone: the charts
show and stay readable, each is followed by its table, and the page never scrolls sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone, log_in
from tests.reports.test_dashboard import build_year_data, last_year

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}

# Per chart: its width on screen, the width of its viewBox, and whether the element after
# the chart's box holds a table.
CHARTS = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const after = svg.closest('.chart-box').nextElementSibling;
  return {id: svg.id, width: box.width, height: box.height, right: box.right,
          viewBox: svg.viewBox.baseVal.width,
          table: !!(after && (after.matches('table') || after.querySelector('table')))};
})"""


@pytest.fixture
def offline_context(browser):
    """A browser context per viewport that refuses any request off this machine."""
    contexts, outside = [], []

    def make(options: dict):
        context = browser.new_context(**options)
        context.set_default_timeout(8000)

        def only_local(route):
            if route.request.url.startswith(("http://127.0.0.1", "data:")):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_local)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert outside == []


@pytest.mark.parametrize("device, role", [("desktop", "admin"), ("desktop", "leader"),
                                          ("phone", "leader"), ("phone", "admin")])
def test_dashboard_at_desktop_and_phone_widths(app, live_server, offline_context, make_user,
                                               make_department, device, role):
    year = last_year(app)
    build_year_data(app, make_department, make_user, year)
    roles = ("admin", "staff") if role == "admin" else ("leader",)
    make_user(role, roles=roles, name="看板用户")
    page = offline_context(PHONE if device == "phone" else DESKTOP).new_page()
    log_in(page, live_server, role)
    page.goto(f"{live_server}/reports/dashboard?year={year}")
    expect(page.get_by_role("heading", name=f"{year}年学法普法数据看板")).to_be_visible()
    expect(page.get_by_role("heading", name="年度目标完成情况")).to_be_visible()

    charts = page.evaluate(CHARTS)
    assert len(charts) == 5
    viewport = page.viewport_size["width"]
    for chart in charts:
        assert chart["table"], f"{chart['id']} has no table after it"
        assert 0 < chart["right"] <= viewport and chart["height"] > 50
        # Text drawn 13 units high must stay at least 12 px high on screen.
        assert chart["width"] / chart["viewBox"] * 13 >= 12, chart
        expect(page.locator(f"#{chart['id']}")).to_be_visible()
    expect(page.locator("#department-chart")).to_contain_text("执法局")
    expect(page.get_by_role("table").filter(has_text="参学率").first).to_be_attached()
    expect(page.get_by_role("link", name="《行政处罚法》第二条").first).to_be_visible()
    assert page.locator("progress").count() == 6
    assert (page.locator("details.targets-form").count() == 1) == (role == "admin")
    assert_fits_phone(page)  # no page-level horizontal scroll at either width
    screenshot(page, f"dashboard-{device}-{role}")

    if device == "phone":
        page.locator('select[name="department"]').select_option(label="办公室")
        page.get_by_role("button", name="查看").click()
        expect(page.get_by_text("全办目标，不分解到部门").first).to_be_visible()
        assert_fits_phone(page)
