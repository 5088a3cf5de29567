"""The settings of each item kind: checked and normalised when an item is saved, and
described for the admin pages (what an item points at). No HTTP here.

What each kind keeps in ``PlanItem.settings`` (see plans.kinds for how it is used):
articles: law_id (current version) + division_id (章/节) or from_number/to_number;
material: material_id (published) + min_seconds; quiz: quiz_id + require
(passed/attempted); session: session_id + excused_counts; reflection: min_length +
review; video: url (http/https) + min_seconds; streak: days + from (within the plan).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select

from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.i18n import display_date
from lawlearn.plans.kind_base import on_cancelled_session
from lawlearn.plans.models import Plan, PlanItem
from lawlearn.plans.targets import items_pointing_at

DEFAULT_MIN_SECONDS = 60
DEFAULT_MIN_LENGTH = 200
MAX_SECONDS = 4 * 3600
# The most a reflection item may ask for as its minimum length (the longest reflection
# a person may write is actions.MAX_REFLECTION_LENGTH).
MAX_MIN_LENGTH = 5000
MAX_STREAK_DAYS = 366
# Divisions an "articles" item may name: a chapter (章) or a section (节).
ARTICLE_DIVISION_KINDS = ("chapter", "section")
# Settings that point at something held on a date (last year's quiz or session is over):
# a copy clears them and the admin chooses again.
DATED_TARGETS = {"quiz": "quiz_id", "session": "session_id"}


def _whole_number(raw: dict[str, Any], key: str, message: str, *,
                  default: int | None = None, low: int = 0, high: int = 10 ** 9) -> int | None:
    """``raw[key]`` as an int within [low, high], ``default`` when empty; else ``message``."""
    value = raw.get(key)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(message, field=key) from None
    if not low <= number <= high:
        raise ValidationFailed(message, field=key)
    return number


def _flag(raw: dict[str, Any], key: str) -> bool:
    """A checkbox's value, posted ("y") or given as a bool."""
    value = raw.get(key)
    if isinstance(value, str):
        return value.lower() in ("1", "true", "y", "yes", "on")
    return bool(value)


def _chosen(model, raw: dict[str, Any], key: str, message: str):
    """The ``model`` row whose id ``raw[key]`` holds; else ``message`` under that field."""
    row_id = _whole_number(raw, key, message)
    row = db.session.get(model, row_id) if row_id else None
    if row is None:
        raise ValidationFailed(message, field=key)
    return row


def _articles_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    from lawlearn.library.models import Law, LawArticle, LawDivision

    law = _chosen(Law, raw, "law_id", _("请选择法规。"))
    if not law.is_current:
        raise ValidationFailed(_("《%(title)s》已有新版本，请选择现行版本。",
                                 title=law.display_title), field="law_id")
    division_id = _whole_number(raw, "division_id", _("请选择章或节。"))
    low = _whole_number(raw, "from_number", _("条文序号须为正整数。"), low=1)
    high = _whole_number(raw, "to_number", _("条文序号须为正整数。"), low=1)
    if division_id and (low or high):
        raise ValidationFailed(_("章节和条文范围只能选一种。"), field="division_id")
    if division_id:
        division = db.session.get(LawDivision, division_id)
        if division is None or division.law_id != law.id:
            raise ValidationFailed(_("所选章节不属于《%(title)s》。", title=law.display_title),
                                   field="division_id")
        if division.kind not in ARTICLE_DIVISION_KINDS:
            raise ValidationFailed(_("请选择一章或一节。"), field="division_id")
        return {"law_id": law.id, "division_id": division.id}
    if not low and not high:
        raise ValidationFailed(_("请选择一章（节），或填写条文范围。"), field="division_id")
    low = low or 1
    top = db.session.scalar(select(func.max(LawArticle.number)).where(
        LawArticle.law_id == law.id)) or 0
    high = high or top
    if high < low:
        raise ValidationFailed(_("结束条文不能小于起始条文。"), field="to_number")
    if high > top:
        raise ValidationFailed(_("《%(title)s》共 %(n)d 条，条文范围超出了。",
                                 title=law.display_title, n=top), field="to_number")
    return {"law_id": law.id, "from_number": low, "to_number": high}


def _min_seconds(raw: dict[str, Any]) -> int:
    message = _("最短学习时长须在 0 到 %(max)d 秒之间。", max=MAX_SECONDS)
    return _whole_number(raw, "min_seconds", message, default=DEFAULT_MIN_SECONDS,
                         high=MAX_SECONDS) or 0


def _material_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    from lawlearn.library.models import Material

    material = _chosen(Material, raw, "material_id", _("请选择学习资料。"))
    if not material.published:
        raise ValidationFailed(_("资料《%(title)s》尚未发布，请先发布。", title=material.title),
                               field="material_id")
    return {"material_id": material.id, "min_seconds": _min_seconds(raw)}


def _quiz_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    from lawlearn.quiz.models import Quiz

    quiz = _chosen(Quiz, raw, "quiz_id", _("请选择测验。"))
    if not quiz.published:  # a draft is open to no one: the item could never be done
        raise ValidationFailed(_("测验《%(title)s》尚未发布，请先发布。", title=quiz.title),
                               field="quiz_id")
    require = raw.get("require") or "passed"
    if require not in ("passed", "attempted"):
        raise ValidationFailed(_("请选择完成条件。"), field="require")
    return {"quiz_id": quiz.id, "require": require}


def _session_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    from lawlearn.sessions.models import StudySession

    session = _chosen(StudySession, raw, "session_id", _("请选择学法活动。"))
    if session.cancelled_at is not None:
        raise ValidationFailed(_("活动《%(title)s》已取消。", title=session.title),
                               field="session_id")
    return {"session_id": session.id, "excused_counts": _flag(raw, "excused_counts")}


def _reflection_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    message = _("最少字数须在 1 到 %(max)d 之间。", max=MAX_MIN_LENGTH)
    length = _whole_number(raw, "min_length", message, default=DEFAULT_MIN_LENGTH, low=1,
                           high=MAX_MIN_LENGTH)
    return {"min_length": length, "review": _flag(raw, "review")}


def _video_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    url = (raw.get("url") or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise ValidationFailed(_("请填写以 http:// 或 https:// 开头的视频链接。"), field="url")
    return {"url": url, "min_seconds": _min_seconds(raw)}


def streak_window(settings: dict[str, Any], due_on: date | None, starts_on: date,
                  ends_on: date) -> tuple[date, date]:
    """The days a streak item counts: from its ``from`` (else the plan's start,
    ``starts_on``) to its due date (else the plan's end, ``ends_on``), both included."""
    start = settings.get("from")
    first = date.fromisoformat(start) if start else starts_on
    return first, due_on or ends_on


def check_fits(kind: str, settings: dict[str, Any], due_on: date | None, starts_on: date,
               ends_on: date) -> None:
    """What depends on the item's due date and the plan's period as well as on its settings:
    a streak's days must fit in its window (30 days of practice cannot be done in a 7-day
    plan)."""
    if kind != "streak":
        return
    first, last = streak_window(settings, due_on, starts_on, ends_on)
    if not starts_on <= first <= ends_on:
        raise ValidationFailed(_("开始日期须在计划期间内。"), field="streak_from")
    if last < first:
        raise ValidationFailed(_("开始日期（%(start)s）不能晚于截止日期（%(end)s）。",
                                 start=display_date(first), end=display_date(last)),
                               field="streak_from")
    available = (last - first).days + 1
    if int(settings.get("days") or 0) > available:
        raise ValidationFailed(_("%(start)s 至 %(end)s 只有 %(n)d 天，每日一练天数不能超过 %(n)d 天。",
                                 start=display_date(first), end=display_date(last),
                                 n=available), field="days")


def _streak_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    days = _whole_number(raw, "days", _("天数须在 1 到 %(max)d 之间。", max=MAX_STREAK_DAYS),
                         low=1, high=MAX_STREAK_DAYS)
    if days is None:
        raise ValidationFailed(_("请填写需要完成每日一练的天数。"), field="days")
    settings: dict[str, Any] = {"days": days}
    start = raw.get("from")
    if isinstance(start, str) and start:
        try:
            start = date.fromisoformat(start)
        except ValueError:
            raise ValidationFailed(_("开始日期格式不对。"), field="streak_from") from None
    if start:
        if not plan.starts_on <= start <= plan.ends_on:
            raise ValidationFailed(_("开始日期须在计划期间内。"), field="streak_from")
        settings["from"] = start.isoformat()
    return settings


SETTINGS_CHECKS = {
    "articles": _articles_settings, "material": _material_settings, "quiz": _quiz_settings,
    "session": _session_settings, "reflection": _reflection_settings,
    "video": _video_settings, "streak": _streak_settings,
}


def clean_settings(plan: Plan, kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The settings ``kind`` needs (listed at the top of this module), checked and
    normalised; other keys are dropped."""
    if kind not in SETTINGS_CHECKS:
        raise ValidationFailed(_("请选择事项类型。"), field="kind")
    return SETTINGS_CHECKS[kind](plan, raw)


def division_paths(law_ids: set[int]) -> dict[int, str]:
    """division id → its heading after its parents' ("第一编 总则 · 第一章 基本规定"), for
    every division of ``law_ids`` (one query): 民法典 has seven "第一章"."""
    from lawlearn.library.models import LawDivision

    if not law_ids:
        return {}
    rows = {row.id: row for row in db.session.execute(
        select(LawDivision.id, LawDivision.parent_id, LawDivision.label, LawDivision.title)
        .where(LawDivision.law_id.in_(sorted(law_ids))))}
    paths: dict[int, str] = {}

    def path(division_id: int) -> str:
        if division_id not in paths:
            row = rows[division_id]
            heading = f"{row.label} {row.title}".strip()
            parent = row.parent_id if row.parent_id in rows else None
            paths[division_id] = f"{path(parent)} · {heading}" if parent else heading
        return paths[division_id]

    for division_id in rows:
        path(division_id)
    return paths


def nested_title(title: str) -> str:
    """A title quoted inside 《》: its own book-title marks become 〈〉, as Chinese
    typesetting nests them (参加《学习〈宪法〉第二章》)."""
    return title.replace("《", "〈").replace("》", "〉")


def default_title(kind: str, settings: dict[str, Any], context: str = "") -> str:
    """A title taken from what the item points at, for an item left untitled; ``context``
    (the stage's or the plan's title) names what a reflection is about."""
    from lawlearn.library.models import Law, Material
    from lawlearn.quiz.models import Quiz
    from lawlearn.sessions.models import StudySession

    if kind == "articles":
        law = db.session.get(Law, settings["law_id"])
        if settings.get("division_id"):
            return _("学习《%(law)s》%(division)s", law=nested_title(law.display_title),
                     division=division_paths({law.id})[settings["division_id"]])
        return _("学习《%(law)s》第 %(low)d 至 %(high)d 条", law=nested_title(law.display_title),
                 low=settings["from_number"], high=settings["to_number"])
    if kind == "material":
        material = db.session.get(Material, settings["material_id"])
        return _("阅读《%(title)s》", title=nested_title(material.title))
    if kind == "quiz":
        quiz = db.session.get(Quiz, settings["quiz_id"])
        return _("参加测验《%(title)s》", title=nested_title(quiz.title))
    if kind == "session":
        return _("参加《%(title)s》",
                 title=nested_title(db.session.get(StudySession, settings["session_id"]).title))
    if kind == "reflection":
        return _("撰写学习心得：%(about)s", about=context) if context else _("撰写学习心得")
    if kind == "streak":
        return _("坚持每日一练 %(n)d 天", n=settings["days"])
    return ""


def needs_target(item: PlanItem) -> bool:
    """A copied quiz or session item whose target must be chosen again."""
    key = DATED_TARGETS.get(item.kind)
    return key is not None and not item.settings.get(key)


def item_targets(items: list[PlanItem]) -> dict[int, str]:
    """item id → what it points at, for display (one query per kind of target)."""
    from lawlearn.library.models import Law, Material
    from lawlearn.quiz.models import Quiz
    from lawlearn.sessions.models import StudySession

    def ids(kind: str, key: str) -> set[int]:
        return {i.settings[key] for i in items if i.kind == kind and i.settings.get(key)}

    def load(model, wanted: set[int]) -> dict[int, Any]:
        if not wanted:
            return {}
        return {row.id: row for row in db.session.scalars(select(model).where(
            model.id.in_(wanted)))}

    laws = load(Law, ids("articles", "law_id"))
    divisions = division_paths(set(laws)) if ids("articles", "division_id") else {}
    materials = load(Material, ids("material", "material_id"))
    quizzes = load(Quiz, ids("quiz", "quiz_id"))
    sessions = load(StudySession, ids("session", "session_id"))
    result: dict[int, str] = {}
    for item in items:
        s = item.settings
        if item.kind == "articles" and s.get("law_id") in laws:
            law = laws[s["law_id"]].display_title
            if s.get("division_id") in divisions:
                text = _("《%(law)s》%(division)s", law=law,
                         division=divisions[s["division_id"]])
            else:
                text = _("《%(law)s》第 %(low)s 至 %(high)s 条", law=law, low=s.get("from_number"),
                         high=s.get("to_number"))
        elif item.kind == "material" and s.get("material_id") in materials:
            text = _("《%(title)s》，至少 %(n)s 秒", title=nested_title(materials[s["material_id"]].title),
                     n=s.get("min_seconds", DEFAULT_MIN_SECONDS))
        elif item.kind == "quiz" and s.get("quiz_id") in quizzes:
            text = _("《%(title)s》，%(rule)s", title=nested_title(quizzes[s["quiz_id"]].title),
                     rule=_("参加即可") if s.get("require") == "attempted" else _("须通过"))
        elif item.kind == "session" and s.get("session_id") in sessions:
            session = sessions[s["session_id"]]
            text = _("《%(title)s》%(when)s", title=nested_title(session.title),
                     when=display_date(session.starts_at))
            if s.get("excused_counts"):
                text += _("，请假视为完成")
            if on_cancelled_session(item):  # not in a closed plan: it stays as it was
                text += _("（活动已取消，请改选其他场次）")
        elif item.kind == "reflection":
            text = _("至少 %(n)s 字", n=s.get("min_length", DEFAULT_MIN_LENGTH))
            if s.get("review"):
                text += _("，须审阅")
        elif item.kind == "video":
            text = _("%(url)s，至少 %(n)s 秒", url=s.get("url", ""),
                     n=s.get("min_seconds", DEFAULT_MIN_SECONDS))
        elif item.kind == "streak":
            text = _("%(n)s 天", n=s.get("days", 1))
            if s.get("from"):
                text += _("，自 %(day)s 起", day=display_date(date.fromisoformat(s["from"])))
        else:
            text = ""
        result[item.id] = text
    return result


def open_plans_reading(material_id: int) -> list[str]:
    """Titles of the published plans with an item that has people read ``material_id``:
    those items keep showing it after it leaves the library."""
    return sorted({item.plan.title
                   for item in items_pointing_at("material", material_id, published=True)})
