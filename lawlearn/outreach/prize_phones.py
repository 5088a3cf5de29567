"""The stall quiz's phone numbers, kept only for a prize draw: checked when given, shown
masked, exported in full (audited) for the draw, then erased."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import ValidationFailed
from lawlearn.exports import csv_bytes, local_time
from lawlearn.extensions import db
from lawlearn.outreach.models import StallQuiz, StallQuizEntry

MOBILE = re.compile(r"1[3-9]\d{9}")
PHONE_SEPARATORS = re.compile(r"[\s\-()（）]+")


def normalise_phone(raw: str) -> str:
    """"138 0013 8000" or "+86 138-0013-8000" → "13800138000"; 422 if not a mainland mobile."""
    phone = PHONE_SEPARATORS.sub("", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif len(phone) == 13 and phone.startswith("86"):
        phone = phone[2:]
    if not MOBILE.fullmatch(phone):
        raise ValidationFailed(_("请填写 11 位手机号码，或留空。"), field="phone")
    return phone


def mask_phone(phone: str | None) -> str:
    """13812341234 → 138****1234."""
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def export_phones(actor: User | None, quiz: StallQuiz) -> bytes:
    """Full phone numbers of the entries that left one, as CSV for the prize draw."""
    entries = db.session.scalars(
        select(StallQuizEntry).where(StallQuizEntry.quiz_id == quiz.id,
                                     StallQuizEntry.phone.is_not(None))
        .order_by(StallQuizEntry.created_at, StallQuizEntry.id)).all()
    rows: list[list[Any]] = [[_("活动"), quiz.event.title], [],
                             [_("序号"), _("提交时间"), _("答对题数"), _("题目数"), _("手机号")]]
    rows += [[n, local_time(e.created_at), e.correct, e.total, e.phone]
             for n, e in enumerate(entries, start=1)]
    record_audit(actor, "outreach.stall.export_phones", quiz,
                 _("导出有奖问答手机号（%(n)d 个）：%(title)s", n=len(entries),
                   title=quiz.event.title))
    return csv_bytes(rows)


def erase_phones(actor: User | None, quiz: StallQuiz) -> int:
    """Erase every phone number of the quiz (after the prize draw); how many were erased."""
    erased = db.session.execute(
        update(StallQuizEntry).where(StallQuizEntry.quiz_id == quiz.id,
                                     StallQuizEntry.phone.is_not(None))
        .values(phone=None).execution_options(synchronize_session="fetch")).rowcount
    record_audit(actor, "outreach.stall.erase_phones", quiz,
                 _("清除有奖问答手机号（%(n)d 个）：%(title)s", n=erased or 0,
                   title=quiz.event.title))
    return erased or 0
