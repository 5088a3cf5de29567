"""Stall quizzes (有奖问答): the public page residents open from the QR code at a stall,
and the admin's pages to open it, print its QR code, follow the results and run the draw.

A resident's device is recognised by a long-lived random cookie; only a keyed hash of it
is stored, so one device answers once. Rate limits per client address and per quiz stop
a script that throws its cookie away from flooding the count.
"""

from __future__ import annotations

import io
import re
import secrets
from datetime import timedelta
from typing import Any

import segno
from flask import (
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict

from lawlearn.accounts.forms import ConfirmForm
from lawlearn.database import utcnow
from lawlearn.errors import DomainError, NotFound
from lawlearn.exports import CSV_MIMETYPE, download, filename_part
from lawlearn.extensions import db, limiter
from lawlearn.i18n import display_datetime
from lawlearn.outreach import outreach_admin_bp, prize_phones, stall, stall_bp
from lawlearn.outreach.models import OutreachEvent, StallQuiz
from lawlearn.outreach.stall_forms import StallEntryForm, StallQuizForm
from lawlearn.pagination import paginate

DEVICE_COOKIE = "lawlearn_stall"
DEVICE_COOKIE_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


# --- the public page ------------------------------------------------------------------------


def page_rate_limit() -> str:
    return current_app.config["STALL_QUIZ_PAGE_RATE_LIMIT"]


def submit_rate_limit() -> str:
    return current_app.config["STALL_QUIZ_RATE_LIMIT"]


def quiz_rate_cap() -> str:
    return current_app.config["STALL_QUIZ_CAP"]


def quiz_key() -> str:
    """Rate-limit key of the quiz itself, whichever address the request comes from."""
    return "stall-quiz:" + str((request.view_args or {}).get("token", ""))


@stall_bp.after_request
def private_pages(response: Response) -> Response:
    # Each page carries this device's CSRF token and answers: never in a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@stall_bp.errorhandler(429)
def too_many_requests(error):
    """A friendly page when an address or the quiz is over its rate limit. Answers sent over
    the address's limit are shown again on the quiz, not lost: a crowd on one network can
    meet it, and each of them can send again a little later (not so the quiz's hourly cap)."""
    hit = getattr(error, "limit", None)
    per_address = request.method == "POST" and getattr(hit, "key_func", None) is not quiz_key
    quiz = stall.quiz_by_token((request.view_args or {}).get("token", "")) \
        if per_address else None
    if quiz is None or not stall.accepts_answers(quiz, utcnow()):
        return render_template("stall/limited.html"), 429
    return _render_quiz(quiz, StallEntryForm(), answers=_answers_from(request.form, quiz),
                        status=429, error=_("同一时间提交的人太多，本次未能提交。您的答案仍在本页，"
                                            "请稍等半分钟后再点“提交答案”。"))


@stall_bp.errorhandler(CSRFError)
def expired_form(_error):
    """The form's token is missing or stale: most often cookies are off."""
    return render_template(
        "stall/unavailable.html", status=400, heading=_("页面已过期"),
        message=_("请确认浏览器允许使用 Cookie，然后重新扫码或刷新本页再作答。")), 400


def _unavailable():
    return render_template(
        "stall/unavailable.html", status=404, heading=_("问答已结束或不存在"),
        message=_("本次有奖问答已结束或链接有误，感谢您的关注。")), 404


def _device_cookie() -> str | None:
    value = request.cookies.get(DEVICE_COOKIE, "")
    return value if DEVICE_COOKIE_SHAPE.fullmatch(value) else None


def _device_key(cookie: str) -> str:
    return stall.device_key(current_app.config["SECRET_KEY"], cookie)


def _set_device_cookie(response: Response) -> None:
    response.set_cookie(
        DEVICE_COOKIE, secrets.token_urlsafe(24),
        max_age=int(timedelta(days=current_app.config["STALL_DEVICE_COOKIE_DAYS"])
                    .total_seconds()),
        # "t" is a placeholder token, to find the folder the stall pages live in.
        path=url_for("stall.quiz", token="t").rpartition("/")[0] + "/",  # nosec B106
        secure=bool(current_app.config.get("HTTPS")), httponly=True, samesite="Lax")


def _answers_from(form: MultiDict, quiz: StallQuiz) -> dict[str, Any]:
    """The raw answers of the posted form, by question id (missing ones left out)."""
    answers: dict[str, Any] = {}
    for qid, snapshot in zip(quiz.question_ids, quiz.snapshots, strict=True):
        name = f"q-{qid}"
        if snapshot["type"] == "multiple":
            value: Any = form.getlist(name) or None
        elif snapshot["type"] == "fill":
            value = [form.get(f"{name}-{i}", "") for i in range(snapshot.get("blanks") or 0)]
            value = value if any(v.strip() for v in value) else None
        else:
            value = form.get(name) or None
        if value is not None:
            answers[str(qid)] = value
    return answers


def _render_quiz(quiz: StallQuiz, form: StallEntryForm, *, answers: dict[str, Any] | None = None,
                 error: str | None = None, status: int = 200):
    return render_template("stall/quiz.html", quiz=quiz, event=quiz.event, form=form,
                           organiser=stall.organiser_name(quiz.event), answers=answers or {},
                           error=error, preview=stall.preview_only(quiz, utcnow()),
                           opens_at=stall.answers_open_at(quiz)), status


@stall_bp.route("/<token>")
@limiter.limit(page_rate_limit)
def quiz(token: str):
    """The public quiz a QR code opens; once this device has answered, its result."""
    found = stall.quiz_by_token(token)
    if found is None or not stall.accepts_answers(found, utcnow()):
        return _unavailable()
    cookie = _device_cookie()
    entry = stall.entry_for_device(found, _device_key(cookie)) if cookie else None
    if entry is not None:
        return render_template("stall/result.html", quiz=found, event=found.event, entry=entry,
                               organiser=stall.organiser_name(found.event),
                               review=stall.entry_review(found, entry))
    body, status = _render_quiz(found, StallEntryForm())
    response = make_response(body, status)
    if cookie is None:
        _set_device_cookie(response)
    return response


@stall_bp.route("/<token>", methods=["POST"])
@limiter.limit(submit_rate_limit)
@limiter.limit(quiz_rate_cap, key_func=quiz_key)
def submit(token: str):
    """Grade this device's answers once, count the completion, then show the result."""
    quiz = stall.quiz_by_token(token)
    if quiz is None or not stall.accepts_answers(quiz, utcnow()):
        return _unavailable()
    form = StallEntryForm()
    answers = _answers_from(request.form, quiz)
    if stall.preview_only(quiz, utcnow()):  # said first: nothing else matters yet
        return _render_quiz(quiz, form, answers=answers, status=409, error=_(
            "本次有奖问答 %(when)s 起接受作答，现在只能预览题目，提交的答卷不计入。",
            when=display_datetime(stall.answers_open_at(quiz))))
    if not form.validate_on_submit():
        return _render_quiz(quiz, form, answers=answers, status=422,
                            error=_("请检查填写的内容。"))
    cookie = _device_cookie()
    if cookie is None:
        return _render_quiz(quiz, form, answers=answers, status=400, error=_(
            "无法识别您的设备：请允许浏览器使用 Cookie，刷新本页后再提交。"))
    phone = form.phone.data if quiz.collect_phone else None
    try:
        _entry, created = stall.submit_entry(quiz, answers, _device_key(cookie), phone,
                                             utcnow())
    except NotFound:
        db.session.rollback()
        return _unavailable()
    except DomainError as error:
        db.session.rollback()
        if error.field == "phone":
            form.phone.errors.append(error.message)
        return _render_quiz(quiz, form, answers=answers, error=error.message,
                            status=error.status)
    db.session.commit()
    if created:
        flash(_("提交成功。"), "success")
    else:
        flash(_("您已经参加过本次问答，以下是您之前的结果。"), "info")
    return redirect(url_for("stall.quiz", token=token), code=303)


# --- admin ----------------------------------------------------------------------------------


def public_url(quiz: StallQuiz) -> str:
    return url_for("stall.quiz", token=quiz.token, _external=True)


def qr_svg(url: str) -> bytes:
    """A QR code (never a Micro QR) of ``url`` as SVG, dark on white with its quiet zone."""
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, kind="svg", scale=10, border=4,
                                        dark="#000", light="#fff")
    return buffer.getvalue()


def _quiz_or_404(event_id: int) -> tuple[OutreachEvent, StallQuiz]:
    event = stall.get_event(event_id)
    quiz = stall.stall_quiz_of(event)
    if quiz is None:
        raise NotFound(_("本活动还没有开启有奖问答。"))
    return event, quiz


def _render_admin(event: OutreachEvent, quiz: StallQuiz | None, form: StallQuizForm, status: int = 200):
    results = pagination = None
    if quiz is not None:
        results = stall.stall_results(quiz)
        pagination = paginate(stall.entries_query(quiz))
    return render_template("outreach_admin/stall.html", event=event, quiz=quiz, form=form,
                           results=results, pagination=pagination, confirm=ConfirmForm(),
                           url=public_url(quiz) if quiz else None,
                           answers_from=stall.answers_open_at(quiz) if quiz else None,
                           answers_until=stall.answers_close_at(quiz) if quiz else None,
                           past_window=quiz is not None
                           and utcnow() >= stall.answers_close_at(quiz),
                           mask=prize_phones.mask_phone), status


# The event page links here: url_for("outreach_admin.stall", event_id=…).
@outreach_admin_bp.route("/events/<int:event_id>/stall", endpoint="stall")
def stall_page(event_id: int):
    """The event's stall quiz: open it, or its link, QR code, results and phone numbers."""
    event = stall.get_event(event_id)
    return _render_admin(event, stall.stall_quiz_of(event), StallQuizForm())


@outreach_admin_bp.route("/events/<int:event_id>/stall", methods=["POST"])
def stall_open(event_id: int):
    """Open the stall quiz with questions from the bank, or draw again before any answer."""
    event = stall.get_event(event_id)
    form = StallQuizForm()
    if not form.validate_on_submit():
        return _render_admin(event, stall.stall_quiz_of(event), form, 422)
    try:
        stall.open_stall_quiz(current_user, event, now=utcnow(), count=form.count.data,
                              tag=form.tag.data, collect_phone=form.collect_phone.data)
    except DomainError as error:
        db.session.rollback()
        if error.field is None:
            flash(error.message, "error")
            return redirect(url_for("outreach_admin.stall", event_id=event.id))
        getattr(form, error.field).errors.append(error.message)
        return _render_admin(event, stall.stall_quiz_of(event), form, error.status)
    db.session.commit()
    flash(_("有奖问答已开启：打印二维码放在摊位上即可。"), "success")
    return redirect(url_for("outreach_admin.stall", event_id=event.id))


@outreach_admin_bp.route("/events/<int:event_id>/stall/close", methods=["POST"])
def stall_close(event_id: int):
    """Stop taking answers."""
    _event, quiz = _quiz_or_404(event_id)
    if ConfirmForm().validate_on_submit():
        stall.close_stall_quiz(current_user, quiz, utcnow())
        db.session.commit()
        flash(_("有奖问答已关闭，扫码将提示问答已结束。"), "success")
    return redirect(url_for("outreach_admin.stall", event_id=event_id))


@outreach_admin_bp.route("/events/<int:event_id>/stall/reopen", methods=["POST"])
def stall_reopen(event_id: int):
    """Take answers again through the same link."""
    _event, quiz = _quiz_or_404(event_id)
    if ConfirmForm().validate_on_submit():
        try:
            stall.reopen_stall_quiz(current_user, quiz, utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("有奖问答已重新开启。"), "success")
    return redirect(url_for("outreach_admin.stall", event_id=event_id))


@outreach_admin_bp.route("/events/<int:event_id>/stall/qr.svg")
def stall_qr(event_id: int):
    """The QR code of the public link, as SVG."""
    _event, quiz = _quiz_or_404(event_id)
    response = make_response(qr_svg(public_url(quiz)))
    response.mimetype = "image/svg+xml"
    return response


@outreach_admin_bp.route("/events/<int:event_id>/stall/print")
def stall_print(event_id: int):
    """A printable sheet for the stall: the event's title and a big QR code."""
    event, quiz = _quiz_or_404(event_id)
    return render_template("outreach_admin/stall_print.html", event=event, quiz=quiz,
                           url=public_url(quiz), organiser=stall.organiser_name(event))


@outreach_admin_bp.route("/events/<int:event_id>/stall/phones.csv", methods=["POST"])
def stall_phones(event_id: int):
    """Download the full phone numbers for the prize draw (recorded in the audit log)."""
    event, quiz = _quiz_or_404(event_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("outreach_admin.stall", event_id=event_id))
    data = prize_phones.export_phones(current_user, quiz)
    db.session.commit()
    name = _("%(title)s-抽奖手机号", title=event.title)
    return download(data, f"{filename_part(name, 'phones')}.csv", CSV_MIMETYPE,
                    fallback=f"event-{event.id}-phones.csv")


@outreach_admin_bp.route("/events/<int:event_id>/stall/erase-phones", methods=["POST"])
def stall_erase_phones(event_id: int):
    """清除手机号: erase every phone number of the quiz once the draw is done."""
    _event, quiz = _quiz_or_404(event_id)
    if ConfirmForm().validate_on_submit():
        erased = prize_phones.erase_phones(current_user, quiz)
        db.session.commit()
        flash(_("已清除 %(n)d 个手机号。", n=erased), "success")
    return redirect(url_for("outreach_admin.stall", event_id=event_id))

