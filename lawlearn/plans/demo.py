"""Demo plan: this year's 年度学法计划 with an item of every kind, published, and some demo
staff part of the way through it (articles studied, a material read, reflections)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.library import materials
from lawlearn.library.models import ArticleStudy, Law, LawArticle, Material
from lawlearn.localtime import day_start, local_day
from lawlearn.plans import actions, authoring, publishing, stages
from lawlearn.plans.models import PlanItemProgress
from lawlearn.plans.progress import (
    audience_users_query,
    plans_for,
    progress_for,
    sync_completions,
)
from lawlearn.quiz.models import Quiz
from lawlearn.sessions.models import StudySession

REFLECTION = ("通过学习宪法第一章总纲，我进一步认识到宪法是国家的根本法，具有最高的法律地位、"
              "法律权威和法律效力。作为政府机关工作人员，必须牢固树立宪法意识，坚持依法行政，"
              "在履行职责中做到法定职责必须为、法无授权不可为。今后我将把学习宪法同本职工作"
              "结合起来，在办理政府信息公开、行政审批等事项时严格依照法定权限和程序，"
              "自觉接受监督，努力提升运用法治思维和法治方式解决问题的能力，"
              "积极参加单位组织的集中学法活动，认真做好学习笔记，"
              "带头尊法学法守法用法，为建设法治政府贡献自己的力量。")


def _item(plan, stage, kind, title, due, settings, *, hours=1.0, points=5, required=True):
    """An item due on ``due``, or on the plan's first or last day when ``due`` falls outside
    it (in early January "a month ago" is last year)."""
    due = min(max(due, plan.starts_on), plan.ends_on)
    return authoring.add_item(None, plan, authoring.ItemFields(
        kind=kind, title=title, stage_id=stage.id, due_on=due, required=required, hours=hours,
        points=points, settings=settings), utcnow())


def load_plans_demo() -> dict[str, int]:
    now = utcnow()
    today = local_day(now)
    year = today.year
    plan = authoring.create_plan(None, authoring.PlanFields(
        title=f"{year}年度学法计划", starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
        description="围绕习近平法治思想、宪法和民法典，集中学习与个人自学相结合。",
        required_hours=40), now)
    first = stages.add_stage(None, plan, "第一阶段：宪法学习", now)
    second = stages.add_stage(None, plan, "第二阶段：民法典与依法行政", now)
    constitution = db.session.scalar(select(Law).where(Law.title.like("%宪法%"),
                                                       Law.is_current.is_(True)))
    material = db.session.scalar(select(Material).where(Material.published.is_(True))
                                 .order_by(Material.id))
    practice_quiz = db.session.scalar(select(Quiz).where(Quiz.is_exam.is_(False)))
    past_session = db.session.scalar(select(StudySession).where(StudySession.closed_at.is_not(None))
                                     .order_by(StudySession.starts_at.desc()))
    soon = today + timedelta(days=14)
    if constitution is not None:
        _item(plan, first, "articles", "学习宪法第一条至第十条", today - timedelta(days=30),
              {"law_id": constitution.id, "from_number": 1, "to_number": 10}, hours=2)
    if material is not None:
        _item(plan, first, "material", "", today - timedelta(days=20),
              {"material_id": material.id, "min_seconds": 60})
    _item(plan, first, "reflection", "撰写宪法学习心得", soon,
          {"min_length": 200, "review": True}, hours=2, points=10)
    if past_session is not None:
        _item(plan, second, "session", "", local_day(past_session.starts_at),
              {"session_id": past_session.id, "excused_counts": True}, hours=0)
    if practice_quiz is not None:
        _item(plan, second, "quiz", "", soon, {"quiz_id": practice_quiz.id, "require": "passed"})
    _item(plan, second, "video", "观看“宪法宣传周”专题视频", soon,
          {"url": "https://www.12348.gov.cn/", "min_seconds": 120}, required=False)
    _item(plan, second, "streak", "每日一练坚持 10 天", date(year, 12, 31),
          {"days": 10, "from": date(year, 11, 1).isoformat()}, hours=2)
    publishing.publish_plan(None, plan, now)
    _progress_for_some(plan, now)
    return {"plans": 1}


def _progress_for_some(plan, now) -> None:
    """A third of the staff read the articles and the material; some wrote reflections."""
    people = list(db.session.scalars(select(User).where(User.username.like("staff%"))
                                     .order_by(User.username)))
    by_kind = {item.kind: item for item in plan.items}
    articles = by_kind.get("articles")
    article_ids = []
    if articles is not None:
        article_ids = list(db.session.scalars(select(LawArticle.id).where(
            LawArticle.law_id == articles.settings["law_id"],
            LawArticle.number.between(articles.settings["from_number"],
                                      articles.settings["to_number"]))))
    # Only what is done once the plan has started counts for it (early in January, "40 days
    # ago" is last year): nothing here is dated before the plan's first day.
    start = day_start(plan.starts_on)
    for index, person in enumerate(people[:18]):
        when = min(now, max(now - timedelta(days=40 - index), start))
        studied = article_ids if index % 3 else article_ids[: len(article_ids) // 2]
        db.session.add_all(ArticleStudy(user_id=person.id, article_id=article_id,
                                        studied_at=when) for article_id in studied)
        if "material" in by_kind and index % 2 == 0:
            done = when + timedelta(minutes=3)
            db.session.add(PlanItemProgress(item_id=by_kind["material"].id, user_id=person.id,
                                            opened_at=when, confirmed_at=done))
            # Read in the library too, as the item's page records it (and its points paid
            # once): the material's own page must not offer 我已读完 again.
            material = db.session.get(Material, by_kind["material"].settings["material_id"])
            materials.record_open(person.id, material.id, when)
            materials.confirm_reading(person.id, material, done, minimum_seconds=0)
        if index < 6:
            actions.submit_reflection(person, by_kind["reflection"], REFLECTION, when)
    db.session.flush()
    # Everyone the plan is for, as their first page view would: items done by the demo's
    # history (sessions attended, quizzes passed) pay now, not when each first signs in
    # (a report exported before and after would differ).
    for person in db.session.scalars(audience_users_query(plan)):
        sync_completions(person, progress_for(person, now, plans_for(person, now)), now)
