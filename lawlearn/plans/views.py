"""Staff pages of study plans: my plans, a plan, an item, notices, my study hours.

Pages that show progress stamp items newly seen done (``progress.synced_progress``, which
pays their points, in plans that have just ended or been closed too) and commit after
rendering, so that committing does not expire what the page shows and the page stays at a
fixed number of queries.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lawlearn.database import utcnow
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import ArticleStudy, LawArticle, Material
from lawlearn.library.views import article_url
from lawlearn.localtime import local_day
from lawlearn.pagination import paginate
from lawlearn.plans import actions, plans_bp
from lawlearn.plans import notices as notice_service
from lawlearn.plans.forms import ConfirmItemForm, NoticeForm, ReflectionForm
from lawlearn.plans.kind_base import PENDING, plan_start
from lawlearn.plans.kinds import KINDS, item_states
from lawlearn.plans.models import Notice, PlanItem
from lawlearn.plans.progress import (
    ItemProgress,
    PlanProgress,
    fill_hours,
    item_hours,
    item_progress,
    joined_day,
    next_up,
    progress_for,
    sync_completions,
    synced_progress,
)
from lawlearn.quiz.models import Quiz
from lawlearn.rounding import half_up
from lawlearn.security import is_safe_next, request_user

# --- helpers shared by the pages (and by the home page) -------------------------------------


def _root_route(rule: str, **options):
    """A route of this blueprint outside its /plans prefix (``/notices``), still named
    ``plans.<view>``."""

    def decorator(view):
        endpoint = f"{plans_bp.name}.{view.__name__}"
        plans_bp.record_once(lambda state: state.app.add_url_rule(rule, endpoint, view,
                                                                  **options))
        return view

    return decorator


@plans_bp.app_context_processor
def notice_badge() -> dict:
    """``unread_notices()`` for the staff top bar: one count query per page rendered, only
    when the page shows it and only for a logged-in person."""
    counted: list[int] = []

    def unread_notices() -> int:
        user = request_user()
        if not user.is_authenticated:
            return 0
        if not counted:
            counted.append(notice_service.unread_count(user.id))
        return counted[0]

    return {"unread_notices": unread_notices}


@plans_bp.app_template_filter("item_kind")
def item_kind_label(kind: str) -> str:
    return str(KINDS[kind].label) if kind in KINDS else kind


@plans_bp.app_template_filter("hours")
def hours_filter(value: float | None) -> str:
    """1.5 → "1.5", 2.0 → "2": study hours without a useless ".0"."""
    value = half_up(float(value or 0))
    return str(int(value)) if value == int(value) else str(value)


def _first_unstudied(user, items: list[PlanItem]) -> dict[int, str]:
    """Per articles item, the library page of its first article not yet studied since the
    item's plan started (three queries for all items)."""
    wanted = KINDS["articles"].article_ids(items)  # type: ignore[attr-defined]
    every = set().union(*wanted.values()) if wanted else set()
    if not every:
        return {}
    rows = db.session.execute(
        select(LawArticle.id, LawArticle.law_id, LawArticle.number, LawArticle.sub_number,
               ArticleStudy.studied_at)
        .outerjoin(ArticleStudy, (ArticleStudy.article_id == LawArticle.id)
                   & (ArticleStudy.user_id == user.id))
        .where(LawArticle.id.in_(sorted(every)))
        .order_by(LawArticle.law_id, LawArticle.position)).all()
    links: dict[int, str] = {}
    for item in items:
        start = plan_start(item)
        for row in rows:
            if row.id in wanted[item.id] and (row.studied_at is None or row.studied_at < start):
                links[item.id] = article_url(row)
                break
    return links


def action_links(entries: list[ItemProgress], user) -> dict[int, str]:
    """Where to act on each item: the library, the quiz, the session, daily practice, or
    the item's own page (material, video, reflection)."""
    articles = [e.item for e in entries if e.item.kind == "articles"]
    first = _first_unstudied(user, articles) if articles else {}
    links: dict[int, str] = {}
    for entry in entries:
        item, settings = entry.item, entry.item.settings or {}
        link = url_for("plans.item", item_id=item.id)
        if item.kind == "articles" and settings.get("law_id"):
            link = first.get(item.id) or url_for("library.law", law_id=settings["law_id"])
        elif item.kind == "quiz" and settings.get("quiz_id"):
            link = url_for("quiz.quiz", quiz_id=settings["quiz_id"])
        elif item.kind == "session" and settings.get("session_id"):
            link = url_for("sessions.session", session_id=settings["session_id"])
        elif item.kind == "streak":
            link = url_for("practice.daily")
        links[item.id] = link
    return links


def home_next_up(user, now, limit: int = 3) -> dict:
    """For the home page: ``next_items`` and ``next_links`` to pass to
    ``plans/_next_up.html``, with completions synced (the caller commits). A fixed number
    of queries whatever the number of plans and items."""
    items = next_up(synced_progress(user, now), limit)
    return {"next_items": items, "next_links": action_links(items, user)}


def _stage_groups(entries: list[ItemProgress], plan) -> list[tuple[str | None, list]]:
    """Items grouped by stage in the stages' order; items without a stage come last (or
    alone, without a heading, when the plan has no stages)."""
    by_stage: dict[int | None, list[ItemProgress]] = {}
    for entry in entries:
        by_stage.setdefault(entry.item.stage_id, []).append(entry)
    groups: list[tuple[str | None, list]] = [
        (stage.title, by_stage[stage.id]) for stage in plan.stages if stage.id in by_stage]
    loose = [e for e in entries if e.item.stage_id not in {s.id for s in plan.stages}]
    if loose:
        groups.append((_("其他事项") if groups else None, loose))
    return groups


# --- my plans and a plan ----------------------------------------------------------------------


@plans_bp.route("")
@login_required
def index():
    """My study plans, each with its progress ring, counts and study hours."""
    now = utcnow()
    progress = synced_progress(current_user, now)
    fill_hours(current_user, progress, now)
    page = render_template("plans/index.html", progress=progress)
    db.session.commit()
    return page


@plans_bp.route("/<int:plan_id>")
@login_required
def plan(plan_id: int):
    """A plan: the ring, then its items by stage with my status and where to act."""
    now = utcnow()
    found = actions.get_plan_for(current_user, plan_id)
    # Every current plan is synced, not only this one: the plan's study hours count items
    # done in its period in any plan (as 我的学时 does).
    current = synced_progress(current_user, now)
    progress = [p for p in current if p.plan.id == found.id]
    if not progress:  # an ended plan, still readable by its link
        progress = progress_for(current_user, now, plans=[found])
        sync_completions(current_user, progress, now)
    fill_hours(current_user, progress, now)
    entries = progress[0].items
    page = render_template("plans/plan.html", progress=progress[0],
                           groups=_stage_groups(entries, found),
                           links=action_links(entries, current_user),
                           item_hours=item_hours([entry.item for entry in entries]))
    db.session.commit()
    return page


# --- an item's own page -----------------------------------------------------------------------


def _item_page(item: PlanItem, now, *, form: ReflectionForm | None = None,
               status: int = 200):
    """Render an item's page; showing a material records its first opening. A reflection
    form sent back with errors lists them at the top of the page."""
    row = actions.open_item(current_user, item, now) if item.kind == "material" \
        else actions.get_progress(current_user, item)
    state = item_states([item], [current_user.id], now).get((item.id, current_user.id),
                                                            PENDING)
    entry = item_progress(item, state, joined_day(current_user), local_day(now))
    sync_completions(current_user, [PlanProgress(item.plan, [entry])], now)
    material = db.session.get(Material, item.settings.get("material_id") or 0) \
        if item.kind == "material" else None
    reflection = actions.get_reflection(current_user, item) if item.kind == "reflection" \
        else None
    # Its pass mark: an item that asks for a pass says what a pass is.
    quiz = db.session.get(Quiz, item.settings.get("quiz_id") or 0) if item.kind == "quiz" \
        else None
    if item.kind == "reflection" and form is None:
        form = ReflectionForm(body=reflection.body if reflection else "")
    page = render_template(
        "plans/item.html", item=item, entry=entry, row=row, material=material, quiz=quiz,
        reflection=reflection, form=form, confirm_form=ConfirmItemForm(),
        errors=[(name, message) for name, messages in (form.errors if form else {}).items()
                for message in messages if name != "csrf_token"],
        seconds_left=actions.seconds_left(row, item, now),
        min_length=actions.min_length(item), can_write=actions.can_write(reflection, item),
        video_ok=_video_url(item) is not None, item_hours=item_hours([item]),
        link=action_links([entry], current_user)[item.id])
    db.session.commit()
    return page, status


def _video_url(item: PlanItem) -> str | None:
    url = str(item.settings.get("url") or "").strip()
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


@plans_bp.route("/items/<int:item_id>")
@login_required
def item(item_id: int):
    """An item: read a material, watch a video, write a reflection, or where to go."""
    return _item_page(actions.get_item_for(current_user, item_id), utcnow())


@plans_bp.route("/items/<int:item_id>/open")
@login_required
def open_video(item_id: int):
    """Open an item's video: the server notes when, then sends the browser to it."""
    found = actions.get_item_for(current_user, item_id)
    url = _video_url(found) if found.kind == "video" else None
    if url is None:
        abort(404)
    actions.open_item(current_user, found, utcnow())
    db.session.commit()
    return redirect(url)


@plans_bp.route("/items/<int:item_id>/confirm", methods=["POST"])
@login_required
def confirm(item_id: int):
    """我已读完 / 我已看完: done if the server-measured time is long enough."""
    now = utcnow()
    found = actions.get_item_for(current_user, item_id)
    try:
        actions.confirm_item(current_user, found, now)
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("plans.item", item_id=found.id))
    db.session.commit()
    flash(_("已完成：%(title)s", title=found.title), "success")
    return redirect(url_for("plans.plan", plan_id=found.plan_id))


@plans_bp.route("/items/<int:item_id>/reflection", methods=["POST"])
@login_required
def reflect(item_id: int):
    """Submit (or resubmit after it was returned) my reflection on an item."""
    now = utcnow()
    found = actions.get_item_for(current_user, item_id)
    form = ReflectionForm()
    if not form.validate_on_submit():
        return _item_page(found, now, form=form, status=422)
    before = actions.get_reflection(current_user, found)
    correcting = before is not None and before.status == "submitted"
    try:
        actions.submit_reflection(current_user, found, form.body.data or "", now)
    except ValidationFailed as error:
        db.session.rollback()
        form.body.errors = [error.message]
        return _item_page(found, now, form=form, status=422)
    except Conflict as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("plans.item", item_id=found.id))
    db.session.commit()
    flash(_("已保存修改，仍待审阅。") if correcting else _("学习心得已提交。"), "success")
    return redirect(url_for("plans.item", item_id=found.id))


@plans_bp.route("/reflections")
@login_required
def my_reflections():
    """我的学习心得: every reflection I wrote, with where its review stands."""
    pagination = paginate(actions.my_reflections_query(current_user), per_page=20)
    return render_template("plans/reflections.html", pagination=pagination)


# --- notices ----------------------------------------------------------------------------------


@_root_route("/notices")
@login_required
def notices():
    """My notices, newest first, unread ones marked."""
    pagination = paginate(notice_service.notices_query(current_user.id), per_page=20)
    return render_template("plans/notices.html", pagination=pagination, form=NoticeForm())


@_root_route("/notices/<int:notice_id>/open", methods=["POST"])
@login_required
def open_notice(notice_id: int):
    """Mark a notice read and follow its link (links on this site only)."""
    notice = db.session.scalar(select(Notice).filter_by(id=notice_id, user_id=current_user.id))
    if notice is None:
        abort(404)
    notice_service.mark_read(current_user.id, utcnow(), notice.id)
    link = notice.link
    db.session.commit()
    return redirect(link if is_safe_next(link) else url_for("plans.notices"))


@_root_route("/notices/read-all", methods=["POST"])
@login_required
def read_all_notices():
    """Mark all my notices read."""
    count = notice_service.mark_read(current_user.id, utcnow())
    db.session.commit()
    flash(_("已将 %(n)d 条通知标为已读。", n=count), "success")
    return redirect(url_for("plans.notices"))


# --- my study hours ---------------------------------------------------------------------------


@plans_bp.route("/hours")
@login_required
def hours():
    """我的学时 for a year: from plan items and sessions, against what plans require."""
    now = utcnow()
    this_year = local_day(now).year
    year = request.args.get("year", this_year, type=int)
    if not 2000 <= year <= this_year + 1:
        year = this_year
    # Items done in the year's plans that have ended or been closed since are stamped too.
    synced_progress(current_user, now, year=year)
    detail = actions.hours_detail(current_user, year, now)
    page = render_template("plans/hours.html", detail=detail,
                           years=sorted({*range(this_year - 4, this_year + 1), year},
                                        reverse=True))
    db.session.commit()
    return page

