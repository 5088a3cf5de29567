"""Marking many people at once: a paper sign-in sheet entered after the session, a row
ticked for each name on it. No HTTP here."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, DomainError, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.sessions import services
from lawlearn.sessions.mark_times import check_mark_time
from lawlearn.sessions.models import StudySession

# A page of the roster at most is ticked at once; a few pages' worth is allowed.
MAX_MARKED_AT_ONCE = 200


def mark_many(actor: User, session: StudySession, user_ids: list[int], status: str,
              note: str, now: datetime) -> list[User]:
    """Mark each person as ``status``, each as :func:`services.mark` does (audited one by
    one). Every refusal is named in one error; the caller then rolls back, so none is
    marked."""
    wanted = sorted(set(user_ids))
    if not wanted:
        raise ValidationFailed(_("请先勾选要标记的人员。"), field="user_ids")
    if len(wanted) > MAX_MARKED_AT_ONCE:
        raise ValidationFailed(_("一次最多标记 %(n)d 人，请分批标记。", n=MAX_MARKED_AT_ONCE),
                               field="user_ids")
    people = list(db.session.scalars(select(User).where(User.id.in_(wanted))
                                     .order_by(User.name_key, User.id)))
    if len(people) != len(wanted):
        raise NotFound(_("勾选的人员中有账号已不存在，请刷新页面后重试。"))
    check_mark_time(session, status, now)  # once, not once per person
    refusals = []
    for person in people:
        try:
            services.mark(actor, session, person, status, note, now)
        except DomainError as error:
            refusals.append(error.message)
    if refusals:
        raise Conflict(_("未标记任何人：%(reasons)s", reasons="".join(refusals)),
                       code="not_marked")
    return people
