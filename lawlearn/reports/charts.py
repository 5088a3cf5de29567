"""Chart geometry for server-rendered SVG: a horizontal bar chart and a monthly trend chart
(columns or a line). Plain numbers here; ``reports/_charts.html`` draws them, so every
label goes through the template's escaping.

Charts are drawn in a narrow coordinate space (``VIEW_WIDTH`` units) and scaled to the
width of their box: on a 360 px phone one unit is about 0.95 px, and the stylesheet caps a
chart at ``MAX_WIDTH_PX`` elsewhere, so text drawn ``TEXT_SIZE`` units high is 12–14 px on
screen at any width, like the page's small text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

VIEW_WIDTH = 320
MAX_WIDTH_PX = 340  # .chart-box in dashboard.css: 13 units → 13.8 px at most
TEXT_SIZE = 13
LABEL_SIZE = TEXT_SIZE  # department names, in view units
AXIS_SIZE = TEXT_SIZE  # ticks, month numbers and the target's legend
MAX_LABEL_CHARS = 14


def nice_scale(largest: float, *, steps: int = 4) -> tuple[float, float]:
    """(top, step): a round axis top at or above ``largest`` cut into at most ``steps``
    round steps (1, 2, 2.5 or 5 times a power of ten). ``largest`` ≤ 0 gives (1, 1)."""
    if not largest or largest <= 0 or math.isnan(largest):
        return 1.0, 1.0
    rough = largest / steps
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= rough)
    if largest >= 1 and step < 1:
        step = 1.0  # counts: whole steps only
    return math.ceil(largest / step - 1e-9) * step, step


def shorten(label: str, limit: int = MAX_LABEL_CHARS) -> str:
    """A label cut to ``limit`` characters with an ellipsis (the full one is in the title)."""
    return label if len(label) <= limit else label[:limit - 1] + "…"


def _fraction(value: float | None, top: float) -> float:
    """``value`` as a share of ``top``, within 0..1; nothing, a negative or a zero top is 0."""
    if value is None or top <= 0 or value <= 0:
        return 0.0
    return min(value / top, 1.0)


# --- horizontal bars ------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str  # as drawn (shortened)
    full_label: str
    value: float | None
    display: str  # the value as text ("87.5%")
    label_y: float  # baseline of the label and value line
    bar_y: float
    width: float  # 0 when no value

    @property
    def has_value(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    width: int = VIEW_WIDTH
    height: float = 0
    bar_height: float = 14
    label_size: int = LABEL_SIZE

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height:g}"

    @property
    def empty(self) -> bool:
        return not any(bar.has_value for bar in self.bars)


ROW_HEIGHT = 46


def bar_chart(title: str, items: Sequence[tuple[str, float | None, str]], *,
              max_value: float | None = None) -> BarChart:
    """One row per item (label, value, value as text): the label and value on a line, the bar
    under them, its length proportional to ``value / max_value`` (default: the largest)."""
    values = [value for _label, value, _display in items if value is not None]
    top = max_value if max_value is not None else max(values, default=0.0)
    bars = []
    for index, (label, value, display) in enumerate(items):
        row_top = index * ROW_HEIGHT
        bars.append(Bar(shorten(label), label, value, display, row_top + 16, row_top + 23,
                        round(VIEW_WIDTH * _fraction(value, top), 2)))
    return BarChart(title, bars, height=len(items) * ROW_HEIGHT + 2)


# --- monthly trends -------------------------------------------------------------------------


@dataclass(frozen=True)
class Tick:
    position: float  # y in view units
    label: str


@dataclass(frozen=True)
class Point:
    label: str  # the month ("3")
    full_label: str  # "3月"
    value: float | None
    display: str
    x: float  # centre of the slot
    y: float  # top of the column / the line's point
    column_x: float
    column_width: float
    column_height: float

    @property
    def has_value(self) -> bool:
        return self.value is not None


PLOT_HEIGHT = 158
LEGEND_HEIGHT = 18  # above the plot, for the target line: nothing is drawn there


@dataclass(frozen=True)
class TrendChart:
    title: str
    kind: str  # "column" or "line"
    points: list[Point]
    ticks: list[Tick]
    segments: list[str] = field(default_factory=list)  # polyline "x,y x,y" runs
    reference: Tick | None = None  # a target line, named in the legend above the plot
    has_data: bool = True
    width: int = VIEW_WIDTH
    left: int = 44
    right: int = VIEW_WIDTH - 6
    top: int = 14
    axis_size: int = AXIS_SIZE

    @property
    def bottom(self) -> int:
        return self.top + PLOT_HEIGHT

    @property
    def height(self) -> int:
        return self.bottom + 28

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def empty(self) -> bool:
        return not self.has_data

    @property
    def label_y(self) -> int:
        return self.bottom + 18

    @property
    def legend_y(self) -> int:
        """The baseline of the legend, above the plot and its top tick label."""
        return self.top - 12

    @property
    def legend_line_y(self) -> int:
        return self.legend_y - 4

    @property
    def legend_text_x(self) -> int:
        return self.left + 30


def trend_chart(title: str, labels: Sequence[tuple[str, str]], values: Sequence[float | None],
                displays: Sequence[str], *, kind: str = "column", max_value: float | None = None,
                tick_label: Callable[[float], str] = lambda v: f"{v:g}",
                reference: float | None = None, reference_label: str = "",
                zero_is_data: bool = False) -> TrendChart:
    """Columns (counts) or a line (rates) over the months. ``labels`` are (short, full)
    pairs; a ``None`` value is a month without data (no column, a gap in the line).
    Without ``max_value`` the axis top is a round number above the largest value. With no
    value at all (or only zeros, unless ``zero_is_data``) the chart has no data."""
    if kind not in ("column", "line"):
        raise ValueError(kind)
    top = 14 + (LEGEND_HEIGHT if reference is not None else 0)
    chart = TrendChart(title, kind, [], [], top=top)
    present = [value for value in values if value is not None]
    has_data = bool(present) and (zero_is_data or any(present))
    if max_value is not None:
        axis_top, step = max_value, max_value / 4
    else:
        axis_top, step = nice_scale(max(present, default=0.0))
    plot_height = chart.bottom - chart.top
    slot = (chart.right - chart.left) / max(len(values), 1)
    column_width = round(slot * 0.62, 2)

    def y_of(value: float) -> float:
        return round(chart.bottom - plot_height * _fraction(value, axis_top), 2)

    ticks = [Tick(y_of(step * n), tick_label(step * n))
             for n in range(int(round(axis_top / step)) + 1)]
    points = []
    for index, ((short, full), value, display) in enumerate(zip(labels, values, displays,
                                                               strict=True)):
        x = round(chart.left + slot * (index + 0.5), 2)
        y = y_of(value) if value is not None else float(chart.bottom)
        points.append(Point(short, full, value, display, x, y, round(x - column_width / 2, 2),
                            column_width, round(chart.bottom - y, 2)))
    segments, run = [], []
    for point in points:
        if point.has_value:
            run.append(f"{point.x:g},{point.y:g}")
        elif run:
            segments.append(" ".join(run))
            run = []
    if run:
        segments.append(" ".join(run))
    line = Tick(y_of(reference), reference_label) if reference is not None else None
    return TrendChart(title, kind, points, ticks, segments if kind == "line" else [], line,
                      has_data, top=top)
