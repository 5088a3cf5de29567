"""Generated daily practice, the annual plan with progress and reflections, and the
outreach ledger."""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.scale_data.activity import QuizInfo, SessionInfo
from lawlearn.scale_data.bulk import Awards, bulk, bulk_ids, start_of
from lawlearn.scale_data.people import Person

PRACTICE_DAYS = 60  # a year's average per person
OUTREACH_EVENTS = 200
GROUP = 500  # people written per round, so that a big table never sits in memory whole
REFLECTION = ("通过系统学习习近平法治思想和宪法、民法典等法律法规，我进一步认识到法治是治国理政的"
              "基本方式。作为政府机关工作人员，必须牢固树立法治观念，坚持法定职责必须为、法无授权"
              "不可为，在行政审批、政府信息公开、行政执法等工作中严格依照法定权限和程序办事，"
              "自觉接受监督。今后我将把学法与本职工作紧密结合，带头尊法学法守法用法，不断提升运用"
              "法治思维和法治方式深化改革、推动发展、化解矛盾、维护稳定的能力。")


def _active_days(person: Person, days: list[date]) -> list[date]:
    return days if person.left_on is None else days[:bisect_left(days, person.left_on)]


def practice(people: list[Person], days: list[date], rng: random.Random,
             counts: dict[str, int]) -> dict[int, list[date]]:
    """Completed daily sets on about 60 days a person (more for the keen), each paid its
    points. Returns each person's practice days in order."""
    from lawlearn.practice.models import DailySet

    awards = Awards()
    practised: dict[int, list[date]] = {}
    sets = paid = 0
    scale = len(days) / 365
    for first in range(0, len(people), GROUP):
        rows: list[dict[str, Any]] = []
        wanted = []
        for person in people[first:first + GROUP]:
            mine = _active_days(person, days)
            k = min(len(mine), round(PRACTICE_DAYS * (0.4 + person.keen) / 1.05 * scale))
            chosen = sorted(rng.sample(mine, k))
            practised[person.id] = chosen
            for day in chosen:
                created = start_of(day) + timedelta(minutes=rng.randint(420, 1320))
                done = created + timedelta(minutes=rng.randint(2, 9))
                rows.append({"user_id": person.id, "day": day, "created_at": created,
                             "completed_at": done, "exam_quiz_id": None})
                wanted.append((person.id, "daily_practice", f"daily:{day.isoformat()}", done,
                               1, day))
        sets += bulk(DailySet, rows)
        paid += awards.pay(wanted)
    counts["daily_sets"] = sets
    counts["point_awards"] = counts.get("point_awards", 0) + paid
    return practised


def plan(people: list[Person], days: list[date], sessions: list[SessionInfo],
         quizzes: list[QuizInfo], practised: dict[int, list[date]], now: datetime,
         rng: random.Random, counts: dict[str, int]) -> None:
    """The year's plan for everyone: a video, a session, a quiz, a reflection reviewed by
    the dept_lead, a practice streak and an optional video; progress rows stamped as the
    site stamps them (hours and points count from completion)."""
    from lawlearn.plans import authoring, publishing, stages
    from lawlearn.plans.models import PlanItemProgress, Reflection

    year = days[0].year
    opened = start_of(days[0]) + timedelta(hours=9)
    draft = authoring.create_plan(None, authoring.PlanFields(
        title=f"{year}年度全员学法计划", starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
        description="集中学法与个人自学相结合，全年完成规定学时。", required_hours=30), opened)
    first = stages.add_stage(None, draft, "上半年", opened)
    second = stages.add_stage(None, draft, "下半年", opened)
    at = lambda share: days[min(len(days) - 1, int(share * len(days)))]  # noqa: E731
    streak_days = min(30, len(days))

    def add(stage, kind, title, due, settings, hours, points, required=True):
        return authoring.add_item(None, draft, authoring.ItemFields(
            kind=kind, title=title, stage_id=stage.id, due_on=due, required=required,
            hours=hours, points=points, settings=settings), opened)

    video = add(first, "video", "观看《习近平法治思想》专题辅导", at(0.3),
                {"url": "https://www.12348.gov.cn/", "min_seconds": 120}, 2, 5)
    session = sessions[0] if sessions else None
    if session is not None:
        add(first, "session", "", session.day, {"session_id": session.id,
                                                 "excused_counts": True}, 0, 5)
    quiz = quizzes[0] if quizzes else None
    if quiz is not None:
        add(first, "quiz", "", min(quiz.closes_on, date(year, 12, 31)),
            {"quiz_id": quiz.id, "require": "passed"}, 1, 5)
    reflection = add(second, "reflection", "撰写年度学法心得", at(0.7),
                     {"min_length": 200, "review": True}, 2, 10)
    streak = add(second, "streak", f"每日一练坚持 {streak_days} 天", days[-1],
                 {"days": streak_days, "from": days[0].isoformat()}, 2, 5)
    extra = add(second, "video", "观看“宪法宣传周”专题视频", at(0.9),
                {"url": "https://www.12348.gov.cn/", "min_seconds": 60}, 1, 0, required=False)
    publishing.publish_plan(None, draft, opened)
    items = {item.id: item for item in draft.items}

    # Reflections first: accepted ones stamp their item.
    rows, reviews = [], []
    for person in people:
        due = reflection.due_on
        if not person.active_on(due) or rng.random() > 0.2 + 0.6 * person.diligence:
            continue
        submitted = start_of(max(days[0], due - timedelta(days=rng.randint(0, 30)))) \
            + timedelta(hours=rng.uniform(9, 22))
        roll = rng.random()
        status = "accepted" if roll < 0.8 else "returned" if roll < 0.88 else "submitted"
        reviewed = None if status == "submitted" else min(
            submitted + timedelta(days=rng.randint(1, 5)), start_of(days[-1]) + timedelta(hours=18))
        rows.append({"item_id": reflection.id, "user_id": person.id, "body": REFLECTION,
                     "status": status, "submitted_at": submitted,
                     "reviewer_id": person.lead_id if reviewed and person.lead_id != person.id
                     else None,
                     "reviewed_at": reviewed,
                     "comment": "请结合本职工作再谈谈体会。" if status == "returned" else ""})
        reviews.append(status)
    ids = bulk_ids(Reflection, rows)
    accepted = {row["user_id"]: (reflection_id, row["reviewed_at"])
                for reflection_id, row, status in zip(ids, rows, reviews, strict=True)
                if status == "accepted"}
    counts["reflections"] = len(rows)
    counts["reflections_accepted"] = len(accepted)

    progress, wanted = [], []

    def stamp(item, person, completed, opened_at=None, confirmed_at=None):
        progress.append({"item_id": item.id, "user_id": person.id, "opened_at": opened_at,
                         "confirmed_at": confirmed_at, "completed_at": completed})
        if completed is not None and item.points:
            wanted.append((person.id, "plan_item", f"plan_item:{item.id}", completed,
                           item.points))

    session_item = next((i for i in items.values() if i.kind == "session"), None)
    quiz_item = next((i for i in items.values() if i.kind == "quiz"), None)
    for person in people:
        mine = _active_days(person, days)
        for item, share in ((video, 0.6 + 0.35 * person.diligence), (extra, 0.3)):
            window = [day for day in mine if day <= item.due_on]
            if window and rng.random() < share:
                start = start_of(rng.choice(window)) + timedelta(hours=rng.uniform(8, 21))
                confirmed = start + timedelta(minutes=rng.randint(3, 30))
                stamp(item, person, confirmed, start, confirmed)
        if session_item is not None and session is not None:
            status, moment = session.statuses.get(person.id, ("", None))
            if status in ("present", "late", "excused"):
                stamp(session_item, person, moment or session.ends_at)
        if quiz_item is not None and quiz is not None and person.id in quiz.passed_at:
            stamp(quiz_item, person, quiz.passed_at[person.id])
        if person.id in accepted:
            wanted.append((person.id, "reflection_accepted", f"reflection:{accepted[person.id][0]}",
                           accepted[person.id][1]))
            stamp(reflection, person, accepted[person.id][1])
        done = practised.get(person.id, [])
        if len(done) >= streak_days:
            stamp(streak, person, start_of(done[streak_days - 1]) + timedelta(hours=21))
    counts["plan_items"] = len(items)
    counts["plan_progress"] = bulk(PlanItemProgress, progress)
    counts["point_awards"] = counts.get("point_awards", 0) + Awards().pay(wanted)


# --- outreach -------------------------------------------------------------------------------

CAMPAIGNS = [("民法典宣传月", (5, 1), (5, 31)), ("安全生产月", (6, 1), (6, 30)),
             ("宪法宣传周", (12, 1), (12, 7))]
PLACES = ["城关街道幸福里社区广场", "区实验小学报告厅", "青山镇柳河村村民广场", "区经济开发区企业服务中心",
          "区行政中心会议室", "万达广场东门", "区人武部会议室"]
MATERIALS = ["leaflet", "handbook", "banner", "board"]


def outreach(people: list[Person], tree: dict[int, list[int]], days: list[date],
             rng: random.Random, counts: dict[str, int]) -> None:
    """About 200 events over the year by the generated departments, many of them in a
    campaign; mostly verified, some submitted, a few drafts; materials and laws."""
    from lawlearn.library.models import Law
    from lawlearn.outreach.categories import ensure_categories
    from lawlearn.outreach.models import (
        Campaign,
        OutreachEvent,
        OutreachEventLaw,
        OutreachMaterial,
    )

    year = days[0].year
    categories = [c for c in ensure_categories() if c.active]
    # The demo has some of the same campaigns (titles are unique): those are joined.
    titles = [f"{year}年{name}" for name, _first, _last in CAMPAIGNS]
    existing = {c.title: c for c in db.session.scalars(
        select(Campaign).where(Campaign.title.in_(titles)))}
    campaigns = [existing.get(title) or Campaign(
        title=title, starts_on=date(year, *first), ends_on=date(year, *last),
        description=f"{title}集中宣传。", targets={
            "events": 30, "participants": 5000, "materials": 10000, "departments": 6,
            "categories": 5}) for title, (_name, first, last) in zip(titles, CAMPAIGNS,
                                                                     strict=True)]
    db.session.add_all([c for c in campaigns if c.title not in existing])
    db.session.flush()
    law_ids = list(db.session.scalars(select(Law.id).where(Law.is_current.is_(True))
                                      .order_by(Law.id).limit(5)))
    authors: dict[int, list[Person]] = {}
    for person in people:
        if person.left_on is None:
            authors.setdefault(person.unit_id, []).append(person)
    units = [unit for unit in tree if unit in authors]
    if not units:
        counts["campaigns"], counts["outreach_events"] = len(campaigns), 0
        return
    in_campaigns = [(c, d) for c in campaigns for d in days if c.starts_on <= d <= c.ends_on]
    last_moment = start_of(days[-1]) + timedelta(hours=23)
    rows: list[dict[str, Any]] = []
    for _n in range(max(1, round(OUTREACH_EVENTS * len(days) / 365))):
        campaign, day = rng.choice(in_campaigns) if in_campaigns and rng.random() < 0.35 \
            else (None, rng.choice(days))
        unit = rng.choice(units)
        author = rng.choice(authors[unit])
        category = rng.choice(categories)
        online = category.name == "进网络"
        start = start_of(day) + timedelta(hours=rng.choice((9, 10, 14, 15)))
        end = start + timedelta(hours=rng.choice((1.5, 2, 2.5, 3)))
        roll = rng.random()
        status = "verified" if roll < 0.8 else "submitted" if roll < 0.92 else "draft"
        submitted = min(end + timedelta(days=1), last_moment) if status != "draft" else None
        verified = min(submitted + timedelta(days=2), last_moment) \
            if status == "verified" and submitted else None
        rows.append({
            "title": f"{category.name}：{rng.choice(TOPIC_LINES)}", "starts_at": start,
            "ends_at": end, "place": "区政府办公室微信公众号" if online else rng.choice(PLACES),
            "category_id": category.id, "campaign_id": campaign.id if campaign else None,
            "department_id": rng.choice([unit, *tree[unit]]), "partner_units": "区司法局",
            "other_laws": "", "audiences": ["residents"] if not online else ["residents",
                                                                             "officials"],
            "channel": "wechat" if online else "onsite",
            "participants": 0 if online else rng.randint(30, 500),
            "volunteers": 0 if online else rng.randint(0, 15),
            "consultations": 0 if online else rng.randint(0, 60),
            "online_views": rng.randint(500, 15000) if online else 0,
            "summary": "活动按计划开展，群众反响良好。", "follow_up": "", "status": status,
            "created_by_id": author.id, "created_at": end, "updated_at": verified or end,
            "submitted_by_id": author.id if submitted else None, "submitted_at": submitted,
            "verified_by_id": author.lead_id if verified else None, "verified_at": verified,
            "quiz_completions": 0})
    ids = bulk_ids(OutreachEvent, rows)
    materials = [{"event_id": event_id, "kind": rng.choice(MATERIALS),
                  "kinds": rng.randint(1, 3), "copies": rng.randint(50, 2000), "note": ""}
                 for event_id, row in zip(ids, rows, strict=True) if row["channel"] == "onsite"
                 for _k in range(rng.randint(0, 2))]
    links = [{"event_id": event_id, "law_id": law_id} for event_id in ids
             for law_id in (rng.sample(law_ids, min(len(law_ids), rng.randint(1, 2)))
                            if law_ids else [])]
    counts["campaigns"] = len(campaigns)
    counts["outreach_events"] = len(ids)
    counts["outreach_materials"] = bulk(OutreachMaterial, materials)
    bulk(OutreachEventLaw, links)


TOPIC_LINES = ["宪法宣传咨询", "民法典进万家", "防范电信网络诈骗", "安全生产法宣讲", "以案释法讲座",
               "法律知识有奖问答", "未成年人保护法进校园", "优化营商环境法治体检"]
