"""A create form saves once, however often it is sent (DESIGN: "a double click or a retried
request changes nothing twice").

The first POST of a create form claims a key made of who sent it, to which form, and
everything it says, in the same transaction as what it creates. The same form sent again
within a few minutes (a phone's network resend, or the back button and 提交 once more,
which brings back what was typed) finds the key taken and is sent to what the first one
made instead of making a second. The button's own double-click guard cannot stop either;
a unique key can. A form refused with errors releases its key, so the corrected form saves.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from functools import wraps

from flask import flash, g, redirect, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.unique_keys import inserted

# The same content sent again within this is the same submission; later it is a new one.
SAME_SUBMISSION_WITHIN = timedelta(minutes=10)
NOT_CONTENT = {"csrf_token"}  # differs between two sendings of one form


class FormSubmission(db.Model):
    """A create form's key, claimed by its first POST, and where that POST led."""

    __tablename__ = "form_submission"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    target: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


def submission_key(user_id: int, endpoint: str, view_args: dict, form: list[tuple[str, str]]
                   ) -> str:
    """The key of one person's form with this content: the same whatever order the fields
    come in."""
    content = sorted((name, value) for name, value in form if name not in NOT_CONTENT)
    text = json.dumps([user_id, endpoint, sorted(view_args.items()), content],
                      ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _claim(key: str, now: datetime) -> bool:
    """Claim ``key`` inside the request's transaction; False when a POST of the last few
    minutes holds it. Only the sender's own stale keys are cleared here: clearing everyone's
    would make concurrent senders wait on each other's rows."""
    db.session.execute(delete(FormSubmission).where(
        FormSubmission.user_id == current_user.id,
        FormSubmission.created_at < now - SAME_SUBMISSION_WITHIN))
    return inserted(FormSubmission(key=key, user_id=current_user.id, created_at=now))


def forget_targets(*urls: str) -> None:
    """What a form made was deleted: sending that form again makes it anew, rather than
    leading to a page that is gone."""
    db.session.execute(delete(FormSubmission).where(FormSubmission.target.in_(urls)))


def nothing_saved() -> None:
    """For a create view that refuses with a redirect (not a page with errors): the key is
    released, so the same form is not later taken for a resend of something never made."""
    g.submission_refused = True


def once_per_submission(fallback):
    """Decorate a create view: the same POST again goes where the first one went (or to
    ``fallback()``, a URL, while the first is still saving), saying that nothing was saved
    twice. A view that also edits (a URL with an id) is left alone for its edits: saving
    the same values again is harmless there, and A → B → A → B is four real saves."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method != "POST" or request.view_args \
                    or not current_user.is_authenticated:
                return view(*args, **kwargs)
            key = submission_key(current_user.id, request.endpoint or "",
                                 request.view_args or {}, list(request.form.items(multi=True)))
            if not _claim(key, utcnow()):
                db.session.rollback()
                flash(_("这份表单刚才已经提交过，没有重复保存。"), "info")
                target = db.session.scalar(select(FormSubmission.target).where(
                    FormSubmission.key == key))
                return redirect(target or fallback())
            response = view(*args, **kwargs)
            if 300 <= _status(response) < 400 and not g.get("submission_refused"):
                # Saved: the key stays taken, pointing where the first POST led.
                claimed = db.session.get(FormSubmission, key)
                if claimed is None:  # the view rolled back (it saved nothing): claim again
                    if not inserted(FormSubmission(key=key, user_id=current_user.id)):
                        return response  # an identical POST claimed it meanwhile
                    claimed = db.session.get(FormSubmission, key)
                claimed.target = response.location[:500]
                db.session.commit()
            else:
                # Refused: nothing was saved, and the corrected form may be sent.
                db.session.rollback()
                db.session.execute(delete(FormSubmission).where(FormSubmission.key == key))
                db.session.commit()
            return response

        return wrapper

    return decorate


def _status(response) -> int:
    """The status of what a view returned: a response, or a (body, status) tuple."""
    if isinstance(response, tuple):
        return response[1] if len(response) > 1 and isinstance(response[1], int) else 200
    return getattr(response, "status_code", 200)
