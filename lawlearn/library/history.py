"""What a statute's history lines under its title say of it: who made it, when its current
text was promulgated and when it takes effect (公布日期, 施行日期, 制定机关), so that an
import fills them instead of leaving them blank. No HTTP, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lawlearn.localtime import in_years

DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# 第十三届全国人民代表大会第三次会议 / 第十届全国人民代表大会常务委员会第二十四次会议 / a
# province's congress; 中华人民共和国国务院令 / 某某省人民政府令; 全国人民代表大会公告.
BODIES = (
    re.compile(r"([^\s第届，,、。]{0,10}?)第[^届\s]{1,6}届\s*([^第届\s]{0,20}?人民代表大会(?:常务委员会)?)"
               r"\s*第[^次\s]{1,6}次会议"),
    re.compile(r"(?:中华人民共和国)?(国务院|[^\s，,、。]{2,20}?人民政府)令"),
    re.compile(r"(全国人民代表大会(?:常务委员会)?)公告"),
)
MADE = re.compile(r"通过|公布|发布|修订|修正")


@dataclass(frozen=True)
class HistoryFacts:
    issuing_body: str | None = None
    promulgated_on: date | None = None
    effective_on: date | None = None


def history_facts(notes: list[str]) -> HistoryFacts:
    """The facts of the latest version the lines describe. Each event runs from one date to
    the next (a .docx puts them all on one line): the last one adopted, promulgated or
    amended gives the body and the promulgation date; the last 施行 on or after it the
    date of effect (none given: left blank rather than guessed)."""
    text = " ".join(notes)
    dates = list(DATE.finditer(text))
    body = promulgated = effective = None
    for index, found in enumerate(dates):
        end = dates[index + 1].start() if index + 1 < len(dates) else len(text)
        event = text[found.end():end]
        try:
            day = date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            continue
        if not in_years(day):  # a typo's year: no date rather than one the forms refuse
            continue
        if MADE.search(event):
            promulgated = day
            named = next((match for pattern in BODIES if (match := pattern.search(event))), None)
            if named:
                body = "".join(named.groups())
        if "施行" in event:
            effective = day
    if promulgated and effective and effective < promulgated:
        effective = None  # the 施行 of an earlier text: the amended one's is not given
    return HistoryFacts(body, promulgated, effective)
