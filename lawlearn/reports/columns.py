"""The figures a participation report shows, as columns that every table and export shares.

A column is a person's figure; a department's figure combines its people's (a sum, a
maximum, or a ratio of two summed figures, so rates are never averages of rates). Hidden
columns carry what a ratio needs and are not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# How a value is shown and exported: whole counts, hours and scores with one decimal,
# rates (0..1) as percentages.
KINDS = ("count", "hours", "score", "rate")


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy string
    kind: str = "count"
    combine: str = "sum"  # "sum", "max" or "ratio" (of ``ratio_of``, both summed)
    ratio_of: tuple[str, str] | None = None
    # Show the department's figure per person as well (人均).
    per_capita: bool = False
    hidden: bool = False
    group: Any = ""  # the heading the column sits under (出勤, 学习计划, …)

    def combined(self, values: list[dict[str, Any]]) -> Any:
        """This column's figure for a group of people, from their own figures."""
        if self.combine == "ratio":
            numerator, denominator = self.ratio_of or ("", "")
            over = sum(v.get(denominator) or 0 for v in values)
            return (sum(v.get(numerator) or 0 for v in values) / over) if over else None
        present = [v[self.key] for v in values if v.get(self.key) is not None]
        if self.combine == "max":
            return max(present) if present else None
        total = sum(present)
        return round(total, 1) if self.kind in ("hours", "score") else total
