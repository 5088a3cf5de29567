"""Demo sessions: past ones with realistic attendance, and one today with check-in open."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.sessions import services
from lawlearn.sessions.models import DEFAULT_KINDS, Attendance, SessionKind


def ensure_kinds() -> dict[str, SessionKind]:
    """The default kinds (the migration seeds them; databases made by create_all need them)."""
    kinds = {k.name: k for k in db.session.scalars(select(SessionKind))}
    for position, name in enumerate(DEFAULT_KINDS):
        if name not in kinds:
            kinds[name] = SessionKind(name=name, position=position)
            db.session.add(kinds[name])
    db.session.flush()
    return kinds


def load_sessions_demo(rng: random.Random | None = None) -> dict[str, int]:
    rng = rng or random.Random(1204)  # nosec B311 - repeatable demo data, not a secret
    kinds = ensure_kinds()
    now = utcnow()
    people = db.session.scalars(select(User).where(User.active.is_(True))).all()
    past_plan = [
        ("学习贯彻习近平法治思想集中学法", "集中学法", 40, 2.0, "区政府三楼会议室", "法制科"),
        ("常务会议会前学法：《重大行政决策程序暂行条例》", "会前学法", 25, 0.5, "常务会议室", "法制科科长"),
        ("民法典专题讲座：人格权编", "专题讲座", 18, 2.0, "区行政中心报告厅", "区法院法官"),
        ("旁听行政诉讼案件庭审", "旁听庭审", 10, 3.0, "区人民法院第一法庭", ""),
        ("宪法宣传周集中学习", "宪法宣传周活动", 3, 1.5, "区政府三楼会议室", "法制科"),
    ]
    sessions = 0
    for title, kind, days_ago, hours, place, speaker in past_plan:
        start = (now - timedelta(days=days_ago)).replace(hour=1, minute=30, second=0,
                                                         microsecond=0)
        session = services.create_sessions(None, services.SessionFields(
            title=title, kind_id=kinds[kind].id, starts_at=start,
            ends_at=start + timedelta(hours=hours), place=place, speaker=speaker,
            study_hours=hours))[0]
        for person in people:
            roll = rng.random()
            if roll < 0.72:
                arrived = start - timedelta(minutes=rng.randint(0, 20))
            elif roll < 0.82:
                arrived = start + timedelta(minutes=rng.randint(11, 30))
            elif roll < 0.9:
                db.session.add(Attendance(session_id=session.id, user_id=person.id,
                                          status="excused", source="leave", note="因公外出"))
                continue
            else:
                continue  # absent: recorded when the session is closed below
            services.check_in(person, session, arrived, via="qr",
                              user_agent="Mozilla/5.0 (iPhone) demo")
        services.close_session(session, start + timedelta(hours=hours))
        sessions += 1
    today = now.replace(second=0, microsecond=0) - timedelta(minutes=10)
    services.create_sessions(None, services.SessionFields(
        title="今日集中学法：《中华人民共和国宪法》第二章", kind_id=kinds["集中学法"].id,
        starts_at=today, ends_at=today + timedelta(hours=2), place="区政府三楼会议室",
        speaker="法制科", study_hours=2, checkin_opens_minutes=60, late_after_minutes=15,
        description="请带手机扫码签到；没有手机的同志请找法制科补签。"))
    return {"sessions": sessions + 1}
