"""A weekly or monthly series of sessions: when each one falls."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from lawlearn.errors import ValidationFailed
from lawlearn.localtime import local_day, local_moment

MAX_REPEATS = 60


def repeat_offsets(starts_at: datetime, repeat: str | None, until: datetime | None) -> list:
    """Offsets of each occurrence: weekly, or monthly on the same local day of the month (a
    month without that day, such as the 31st, is skipped), until the local day of ``until``.
    Months are counted in local time: 07:30 on the 1st in Beijing is the 31st in UTC."""
    if not repeat:
        return [timedelta()]
    if until is None or until < starts_at:
        raise ValidationFailed(_("请填写重复截止日期（不早于第一次活动）。"), field="repeat_until")
    first, last_day = local_moment(starts_at), local_day(until)
    offsets, index = [], 0
    while True:
        if repeat == "weekly":
            occurrence = first + timedelta(weeks=index)
        elif repeat == "monthly":
            month = first.month - 1 + index
            year, month = first.year + month // 12, month % 12 + 1
            try:
                occurrence = first.replace(year=year, month=month)
            except ValueError:  # no such day in that month (31st): skip it
                index += 1
                continue
        else:
            raise ValidationFailed(_("未知的重复方式。"), field="repeat")
        if occurrence.date() > last_day:
            break
        offsets.append(occurrence - first)
        index += 1
        if len(offsets) > MAX_REPEATS:
            raise ValidationFailed(_("重复次数过多（最多 %(n)d 次）。", n=MAX_REPEATS),
                                   field="repeat_until")
    return offsets
