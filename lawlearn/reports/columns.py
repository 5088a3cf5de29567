"""The figures a participation report shows, as columns that every table and export shares.

A column is a person's figure; a department's figure combines its people's (a sum, a
maximum, or a ratio of two summed figures, so rates are never averages of rates). Hidden
columns carry what a ratio needs and are not shown.

Values: counts are ints; hours and scores are floats with one decimal (scores are percents
0..100); rates are floats 0..1, unrounded (shown as percentages). A ratio or a maximum with
nothing to count is None.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from typing import Any

from lawlearn.rounding import half_up

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
    # The summed figure that counts the heads of that 人均, when not everyone listed: a
    # requirement only some people have is per person who has it.
    heads: str | None = None
    hidden: bool = False
    group: Any = ""  # the heading the column sits under (出勤, 学习计划, …)

    def combined(self, values: list[dict[str, Any]]) -> Any:
        """This column's figure for a group of people, from their own figures."""
        if self.combine == "ratio":
            numerator, denominator = self.ratio_of or ("", "")
            over = sum(v.get(denominator) or 0 for v in values)
            if not over:
                return None
            ratio = sum(v.get(numerator) or 0 for v in values) / over
            # Scores are shown with one decimal: round here so every page and export agrees.
            return half_up(ratio) if self.kind == "score" else ratio
        present = [v[self.key] for v in values if v.get(self.key) is not None]
        if self.combine == "max":
            return max(present) if present else None
        total = sum(present)
        return half_up(total) if self.kind in ("hours", "score") else total


class GroupTotals:
    """Combines people's figures into a group's, one person at a time: the same results as
    :meth:`Column.combined` over the whole group, in one pass over each person's figures
    (a report adds every person to their section, their unit and the total)."""

    def __init__(self, columns: list[Column]) -> None:
        self.columns = columns
        summed = {c.key for c in columns if c.combine == "sum"}
        for column in columns:
            if column.combine == "ratio" and column.ratio_of:
                summed.update(column.ratio_of)
        self.summed = sorted(summed)
        self.maximised = [c.key for c in columns if c.combine == "max"]
        self.sums: dict[str, float] = dict.fromkeys(self.summed, 0)
        self.maxima: dict[str, Any] = dict.fromkeys(self.maximised)
        self.people = 0

    def add(self, values: dict[str, Any]) -> None:
        self.people += 1
        sums = self.sums
        for key in self.summed:
            value = values.get(key)
            if value:
                sums[key] += value
        for key in self.maximised:
            value = values.get(key)
            if value is not None and (self.maxima[key] is None or value > self.maxima[key]):
                self.maxima[key] = value

    def add_all(self, people: list[dict[str, Any]]) -> None:
        """:meth:`add` for each of ``people``, one figure at a time over all of them (the
        loops run in C: a report adds thousands of people)."""
        self.people += len(people)
        sums = self.sums
        for key in self.summed:
            sums[key] += sum(filter(None, map(dict.get, people, repeat(key))))
        for key in self.maximised:
            present = [value for value in map(dict.get, people, repeat(key))
                       if value is not None]
            if present and (self.maxima[key] is None or max(present) > self.maxima[key]):
                self.maxima[key] = max(present)

    def merge(self, other: GroupTotals) -> None:
        """Add another group's people (a unit takes in its sections' totals, not each of
        their people again)."""
        self.people += other.people
        for key in self.summed:
            self.sums[key] += other.sums[key]
        for key in self.maximised:
            value = other.maxima[key]
            if value is not None and (self.maxima[key] is None or value > self.maxima[key]):
                self.maxima[key] = value

    def values(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for column in self.columns:
            if column.combine == "ratio":
                numerator, denominator = column.ratio_of or ("", "")
                over = self.sums.get(denominator) or 0
                ratio = self.sums.get(numerator, 0) / over if over else None
                result[column.key] = half_up(ratio) if ratio is not None \
                    and column.kind == "score" else ratio
            elif column.combine == "max":
                result[column.key] = self.maxima[column.key]
            else:
                total = self.sums[column.key]
                result[column.key] = half_up(total) if column.kind in ("hours", "score") \
                    else total
        return result
