"""Chart geometry (lawlearn.reports.charts) and its SVG drawing (reports/_charts.html)."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string

from lawlearn.reports.charts import (
    AXIS_SIZE,
    LABEL_SIZE,
    MAX_WIDTH_PX,
    VIEW_WIDTH,
    bar_chart,
    nice_scale,
    shorten,
    trend_chart,
)

MONTHS = [(str(m), f"{m}月") for m in range(1, 13)]


@pytest.mark.parametrize("largest, expected", [
    (0, (1, 1)), (-3, (1, 1)), (None, (1, 1)), (1, (1, 1)), (3, (3, 1)), (7, (8, 2)),
    (12, (15, 5)), (38, (40, 10)), (5000, (6000, 2000)), (0.5, (0.6, 0.2))])
def test_nice_scale(largest, expected):
    top, step = nice_scale(largest)
    assert (pytest.approx(top), pytest.approx(step)) == expected


def test_bars_are_proportional_to_the_maximum():
    chart = bar_chart("参学率", [("甲", 0.5, "50.0%"), ("乙", 1.0, "100.0%"), ("丙", None, "—"),
                              ("丁", 0, "0.0%"), ("戊", 1.5, "150.0%")], max_value=1.0)
    assert [bar.width for bar in chart.bars] == [VIEW_WIDTH / 2, VIEW_WIDTH, 0, 0, VIEW_WIDTH]
    assert [bar.has_value for bar in chart.bars] == [True, True, False, True, True]
    assert chart.bars[1].bar_y - chart.bars[0].bar_y == chart.bars[2].bar_y - chart.bars[1].bar_y
    assert chart.view_box == f"0 0 {VIEW_WIDTH} {chart.height:g}" and not chart.empty
    assert chart.height > chart.bars[-1].bar_y + chart.bar_height


def test_bars_default_to_the_largest_value_and_are_zero_safe():
    chart = bar_chart("人数", [("甲", 10, "10"), ("乙", 5, "5"), ("丙", -2, "-2")])
    assert [bar.width for bar in chart.bars] == [VIEW_WIDTH, VIEW_WIDTH / 2, 0]
    zeros = bar_chart("人数", [("甲", 0, "0"), ("乙", 0, "0")])
    assert [bar.width for bar in zeros.bars] == [0, 0] and not zeros.empty
    assert bar_chart("无", [("甲", None, "—")]).empty and bar_chart("无", []).empty


def test_long_labels_are_shortened_but_kept_whole_for_the_title():
    name = "区人力资源和社会保障局劳动保障监察大队"
    chart = bar_chart("参学率", [(name, 0.9, "90.0%")], max_value=1)
    assert chart.bars[0].label == shorten(name) and len(chart.bars[0].label) == 14
    assert chart.bars[0].label.endswith("…") and chart.bars[0].full_label == name
    assert shorten("办公室") == "办公室"


def test_columns_rise_in_proportion_on_a_round_axis():
    values = [0, 2, 4, None] + [None] * 8
    chart = trend_chart("场次", MONTHS, values, [str(v) for v in values])
    plot = chart.bottom - chart.top
    heights = [point.column_height for point in chart.points[:4]]
    assert heights == [0, plot / 2, plot, 0]
    assert [point.y for point in chart.points[:3]] == [chart.bottom, chart.bottom - plot / 2,
                                                        chart.top]
    assert [tick.label for tick in chart.ticks] == ["0", "1", "2", "3", "4"]
    xs = [point.x for point in chart.points]
    assert xs == sorted(xs) and chart.left < xs[0] and xs[-1] < chart.right
    assert all(point.column_width > 0 for point in chart.points)
    assert chart.segments == [] and not chart.empty


def test_a_line_breaks_where_a_month_has_no_data_and_shows_the_target():
    values = [0.5, 1.0, None, 0.25] + [None] * 8
    chart = trend_chart("参学率", MONTHS, values, ["x"] * 12, kind="line", max_value=1.0,
                        tick_label=lambda v: f"{v * 100:g}%", reference=0.9,
                        reference_label="目标 90.0%", zero_is_data=True)
    assert [tick.label for tick in chart.ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert len(chart.segments) == 2 and len(chart.segments[0].split()) == 2
    assert len(chart.segments[1].split()) == 1
    plot = chart.bottom - chart.top
    assert chart.reference.position == pytest.approx(chart.bottom - 0.9 * plot)
    assert chart.points[1].y == chart.top


def test_the_target_is_named_above_the_plot_where_no_point_can_be():
    values = [0.95, 0.9, 1.0] + [0.92] * 9  # points all round the target line
    chart = trend_chart("参学率", MONTHS, values, ["x"] * 12, kind="line", max_value=1.0,
                        reference=0.9, reference_label="目标 90.0%")
    plain = trend_chart("参学率", MONTHS, values, ["x"] * 12, kind="line", max_value=1.0)
    assert chart.top == plain.top + 18 and chart.height == plain.height + 18  # room above
    assert chart.bottom - chart.top == plain.bottom - plain.top  # the same plot
    highest_point = min(point.y for point in chart.points) - 4  # the dot's radius
    # The legend's text (13 units high from its baseline) ends above the plot and the
    # highest dot, and starts right of the axis labels (which end at left - 6).
    assert chart.legend_y + 3 < chart.top and chart.legend_y + 3 < highest_point
    assert chart.top + 4 - AXIS_SIZE > chart.legend_y  # the 100% tick label is below it
    assert chart.legend_text_x > chart.left and chart.legend_line_y < chart.legend_y


@pytest.mark.parametrize("width_px", [300, 310, MAX_WIDTH_PX])
def test_text_is_12_to_14_px_on_a_phone_and_at_the_desktop_cap(width_px):
    for size in (AXIS_SIZE, LABEL_SIZE):
        assert 12 <= size * width_px / VIEW_WIDTH <= 14


def test_charts_without_data_say_so():
    nothing = [None] * 12
    assert trend_chart("场次", MONTHS, nothing, ["—"] * 12).empty
    assert trend_chart("场次", MONTHS, [0] * 12, ["0"] * 12).empty
    rates = trend_chart("通过率", MONTHS, [0.0] + [None] * 11, ["0%"] + ["—"] * 11,
                        kind="line", max_value=1, zero_is_data=True)
    assert not rates.empty  # everyone failed is still data
    with pytest.raises(ValueError):
        trend_chart("x", MONTHS, nothing, ["—"] * 12, kind="pie")


def _render(source: str, **context) -> str:
    return render_template_string(
        '{% from "reports/_charts.html" import bar_chart, trend_chart %}' + source, **context)


def test_svg_markup_escapes_text(app):
    evil = '<script>alert("x")</script>&'
    with app.test_request_context():
        bars = _render("{{ bar_chart(chart, 'c') }}", chart=bar_chart(evil, [(evil, 0.5, evil)],
                                                                      max_value=1))
        trend = _render("{{ trend_chart(chart, 't') }}", chart=trend_chart(
            evil, [(evil, evil)] + MONTHS[1:], [1] + [0] * 11, [evil] * 12,
            reference=1, reference_label=evil))
    for svg in (bars, trend):
        assert "<script>" not in svg and "&lt;script&gt;" in svg and "&amp;" in svg
        assert re.search(r'<svg class="chart[^>]*viewBox="0 0 320 [\d.]+"[^>]*width="100%"', svg)
        assert 'role="img"' in svg and "style=" not in svg
    assert 'class="chart-bar"' in bars and 'width="160' in bars


def test_svg_draws_one_column_per_month_with_data(app):
    values = [3, 0, 1] + [None] * 9
    with app.test_request_context():
        svg = _render("{{ trend_chart(chart, 't') }}", chart=trend_chart(
            "场次", MONTHS, values, [str(v) for v in values]))
        line = _render("{{ trend_chart(chart, 't') }}", chart=trend_chart(
            "率", MONTHS, [0.5, None, 0.7] + [None] * 9, ["x"] * 12, kind="line", max_value=1))
    assert svg.count('<rect ') == 2  # a zero month draws no column
    assert "chart-legend" not in svg
    assert svg.count('class="chart-axis"') == 12 + 1 + 4  # months, "月", ticks 0 to 3
    assert line.count("<polyline") == 2 and line.count("<circle") == 2


def test_svg_draws_the_target_legend_and_escapes_it(app):
    with app.test_request_context():
        svg = _render("{{ trend_chart(chart, 't') }}", chart=trend_chart(
            "率", MONTHS, [0.5] * 12, ["x"] * 12, kind="line", max_value=1,
            reference=0.9, reference_label="目标 <90%>"))
    legend = re.search(r'<g class="chart-legend">(.*?)</g>', svg, re.S).group(1)
    assert 'x="74" y="20"' in legend and "目标 &lt;90%&gt;" in legend
    assert legend.count('stroke-dasharray="6 4"') == 1  # the sample of the dashed line


def test_month_table_has_a_row_per_month(app):
    figure = type("Figure", (), {"columns": ["参学率", "人次"],
                                 "rows": [("1月", ["50.0%", "1 / 2"]), ("2月", ["—", "—"])]})
    with app.test_request_context():
        html = render_template_string(
            '{% from "reports/_charts.html" import trend_table %}{{ trend_table(f, "标题") }}',
            f=figure)
    assert re.findall(r'<th scope="row">(.*?)</th>', html) == ["1月", "2月"]
    assert re.findall(r'<th scope="col"[^>]*>(.*?)</th>', html) == ["月份", "参学率", "人次"]
    assert html.count("<td") == 4 and "table-scroll" not in html
