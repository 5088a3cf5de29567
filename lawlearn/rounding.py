"""Rounding as the office rounds by hand (四舍五入): 106.25 → 106.3. Python's ``round()`` and
Babel round a half to the even digit (106.25 → 106.2), so a figure checked against its
own parts would be off by a tenth in the reports the office sends upward."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def half_up(value: float, places: int = 1) -> float:
    """``value`` to ``places`` decimals, a half rounded up (away from zero). From the
    shortest text of the float, so 106.25 (exact in binary) and 0.8125 round up as written."""
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places),
                                                     rounding=ROUND_HALF_UP))


def percent_text(rate: float | None) -> str:
    """A ratio 0..1 as a percentage with one decimal, 四舍五入: 0.8125 → "81.3%"."""
    if rate is None:
        return ""
    percent = (Decimal(repr(float(rate))) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{percent}%"
