"""The leaders' dashboard in Chromium on 1280 px and 1024 px desktops and a 360 px phone: the
charts show with text the size of the page's small text and the target named clear of the
line's points, each chart is followed by its month table, which fits without scrolling
sideways, the target cards lay out evenly without breaking a number from its unit, the
易错法条 links line up with their numbers, and the page never scrolls sideways. Then the
admin's targets form after an invalid save."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ACTION_TIMEOUT_MS, PHONE, screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone, log_in
from tests.reports.test_dashboard import build_year_data, last_year

DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
NARROW_DESKTOP = {"viewport": {"width": 1024, "height": 768}, "locale": "zh-CN"}
DEVICES = {"desktop": DESKTOP, "narrow": NARROW_DESKTOP, "phone": PHONE}

# Per chart: its width on screen, the width of its viewBox, the rendered size of its text,
# and whether the element after the chart's box holds a table.
CHARTS = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  let after = svg.closest('.chart-box').nextElementSibling;
  if (after && after.matches('.scroll-hint')) after = after.nextElementSibling;
  const text = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height);
  return {id: svg.id, width: box.width, height: box.height, right: box.right,
          viewBox: svg.viewBox.baseVal.width, tallestText: Math.max(...text),
          table: !!(after && (after.matches('table') || after.querySelector('table')))};
})"""

# Legends that overlap a point of their chart.
LEGEND_OVERLAPS = """() => [...document.querySelectorAll('.chart-legend text')].flatMap(text => {
  const a = text.getBoundingClientRect();
  return [...text.closest('svg').querySelectorAll('circle')].filter(dot => {
    const b = dot.getBoundingClientRect();
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }).map(dot => text.textContent + ' / ' + dot.textContent);
})"""

# Month tables wider than the figure they are in (they would scroll or stick out).
WIDE_TABLES = """() => [...document.querySelectorAll('.trend-table')].filter(table => {
  const figure = table.closest('.chart-figure').getBoundingClientRect();
  const box = table.getBoundingClientRect();
  return table.scrollWidth > table.clientWidth + 1 || box.right > figure.right + 1;
}).map(table => table.querySelector('caption').textContent)"""

# The tops of the target cards, row by row: how many cards share each row.
CARD_ROWS = """() => {
  const rows = {};
  for (const card of document.querySelectorAll('.target')) {
    const top = Math.round(card.getBoundingClientRect().top);
    rows[top] = (rows[top] || 0) + 1;
  }
  return Object.keys(rows).sort((a, b) => a - b).map(top => rows[top]);
}"""

# Number-and-unit spans and badges on the cards that break over more than one line.
BROKEN_UNITS = """() => [...document.querySelectorAll('.target .nowrap, .target .badge')]
  .filter(el => el.getClientRects().length > 1
          || el.getBoundingClientRect().height > parseFloat(getComputedStyle(el).fontSize) * 2)
  .map(el => el.textContent)"""

# 易错法条 rows whose link and numbers are not centred on the same line (more than 3 px).
MISALIGNED = """() => [...document.querySelectorAll('.wrong-table tbody tr')].filter(row => {
  const centre = el => { const range = document.createRange(); range.selectNodeContents(el);
    const box = range.getBoundingClientRect(); return box.top + box.height / 2; };
  const link = centre(row.querySelector('a'));
  return [...row.querySelectorAll('td.num')].some(td => Math.abs(centre(td) - link) > 3);
}).map(row => row.textContent.trim())"""


@pytest.fixture
def offline_context(browser):
    """A browser context per viewport that refuses any request off this machine."""
    contexts, outside = [], []

    def make(options: dict):
        context = browser.new_context(**options)
        context.set_default_timeout(ACTION_TIMEOUT_MS)

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
                                          ("narrow", "leader"), ("phone", "leader"),
                                          ("phone", "admin")])
def test_dashboard_at_desktop_and_phone_widths(app, live_server, offline_context, make_user,
                                               make_department, device, role):
    year = last_year(app)
    build_year_data(app, make_department, make_user, year)
    roles = ("admin", "staff") if role == "admin" else ("leader",)
    make_user(role, roles=roles, name="看板用户")
    page = offline_context(DEVICES[device]).new_page()
    log_in(page, live_server, role)
    page.goto(f"{live_server}/reports/dashboard?year={year}")
    expect(page.get_by_role("heading", name=f"{year}年学法普法数据看板")).to_be_visible()
    expect(page.get_by_role("heading", name=f"{year}年目标完成情况")).to_be_visible()

    charts = page.evaluate(CHARTS)
    assert len(charts) == 5
    viewport = page.viewport_size["width"]
    for chart in charts:
        assert chart["table"], f"{chart['id']} has no table after it"
        assert 0 < chart["right"] <= viewport and chart["height"] > 50
        # Text drawn 13 units high is 12–14 px on screen, like the page's small text.
        assert 12 <= chart["width"] / chart["viewBox"] * 13 <= 14, chart
        assert chart["tallestText"] <= 20, chart
        expect(page.locator(f"#{chart['id']}")).to_be_visible()
    assert page.evaluate(LEGEND_OVERLAPS) == []
    assert page.locator(".chart-legend").count() == 2
    assert page.evaluate(WIDE_TABLES) == []
    assert page.evaluate(CARD_ROWS) == ([2, 2, 2] if device == "phone" else [3, 3])
    assert page.evaluate(BROKEN_UNITS) == []
    assert page.evaluate(MISALIGNED) == []
    expect(page.locator("#department-chart")).to_contain_text("执法局")
    expect(page.get_by_role("table").filter(has_text="参学率").first).to_be_attached()
    expect(page.get_by_role("link", name="《行政处罚法》第二条").first).to_be_visible()
    assert page.locator("progress").count() == 6
    assert (page.locator("details.targets-form").count() == 1) == (role == "admin")
    assert_fits_phone(page)  # no page-level horizontal scroll at any width
    screenshot(page, f"dashboard-{device}-{role}")

    if device == "phone":
        page.locator('select[name="department"]').select_option(label="办公室")
        page.get_by_role("button", name="查看").click()
        expect(page.get_by_text("全办目标，不分解到部门").first).to_be_visible()
        assert_fits_phone(page)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_invalid_targets_land_on_the_error_summary(app, live_server, offline_context, make_user,
                                                   device):
    make_user("admin", roles=("admin", "staff"), name="管理员")
    page = offline_context(DEVICES[device]).new_page()
    log_in(page, live_server, "admin")
    year = last_year(app)
    page.goto(f"{live_server}/reports/dashboard?year={year}")
    page.get_by_text(f"修改{year}年目标").click()
    page.get_by_label("参学率（%）").fill("150")
    page.get_by_label("普法宣传活动（场）").fill("")
    with page.expect_response(lambda r: "/dashboard/targets" in r.url) as posted:
        page.get_by_role("button", name=f"保存{year}年目标").click()
    assert posted.value.status == 422
    summary = page.locator("#targets-errors")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(summary).to_contain_text("须在 0 到 100% 之间")
    assert page.url.endswith("#targets-errors")
    # Clear of the sticky top bar (staff layout on the phone).
    assert summary.bounding_box()["y"] >= 48
    screenshot(page, f"dashboard-targets-errors-{device}")
    # A link in the summary takes you to the field.
    summary.get_by_role("link", name="普法宣传活动（场）：请填写普法宣传活动的目标。").click()
    expect(page.get_by_label("普法宣传活动（场）")).to_be_in_viewport()
    # Opening the form's address (a reload from the address bar, a shared link) is no 405.
    response = page.goto(page.url.split("#")[0])
    assert response.status == 200
    assert page.url.endswith(f"/reports/dashboard?year={year}")
    expect(page.get_by_role("heading", name=f"{year}年学法普法数据看板")).to_be_visible()
