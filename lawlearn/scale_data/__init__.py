"""A large office with a year of activity, for benchmarks and scale tests.

``generate(5000, year=2026)`` adds eight units of four sections and people up to 5,000, then
a year of what the office does: study sessions with everyone's attendance, quizzes with
answers, daily practice, points, an annual plan with progress and reflections, and the
outreach ledger. The big tables are written by bulk inserts in chunks (never one ORM
object per row), so 5,000 people take seconds. Only the days of ``year`` before today
(local) get activity. Everything random comes from ``seed``.

Run once per database (``flask demo load --staff N`` loads the normal demo first).
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from lawlearn.accounts.departments import create_department
from lawlearn.accounts.models import Department, Role, User, UserRole
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.localtime import day_start, local_day
from lawlearn.scale_data.bulk import bulk, bulk_ids
from lawlearn.scale_data.people import Person

USERNAME_PREFIX = "scale"
UNITS = ["区发展和改革局", "区财政局", "区教育局", "区司法局", "区市场监督管理局",
         "区住房和城乡建设局", "区卫生健康局", "区人力资源和社会保障局"]
SECTIONS = ["办公室", "政策法规科", "业务一科", "业务二科"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆晨琳雪婷倩颖"
MOVED_SHARE = 0.05  # changed department during the year
LEFT_SHARE = 0.02  # deactivated during the year


def activity_days(year: int, now: datetime) -> list[date]:
    """The local days of ``year`` that are over by ``now``."""
    first = date(year, 1, 1)
    last = min(date(year, 12, 31), local_day(now) - timedelta(days=1))
    if last < first:
        raise ValueError(f"{year} has no day over yet; choose an earlier year")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def already_generated() -> bool:
    return db.session.scalar(select(User.id).where(
        User.username.like(f"{USERNAME_PREFIX}%")).limit(1)) is not None


def generate(staff: int, *, year: int, seed: int = 0, now: datetime | None = None) -> dict[str, int]:
    """Add departments and people up to ``staff`` accounts, and a year of their activity.
    Flushes, does not commit. Returns how many rows of each kind were written."""
    from lawlearn.scale_data.activity import quizzes, sessions
    from lawlearn.scale_data.ledger import outreach, plan, practice

    now = now or utcnow()
    days = activity_days(year, now)
    if already_generated():
        raise ValueError("this database already has a generated office")
    rng = random.Random(seed)  # nosec B311 - repeatable generated data, not a secret
    counts: dict[str, int] = {}
    existing = db.session.scalar(select(func.count(User.id))) or 0
    sections = _departments(counts)
    people = _people(max(0, staff - existing), sections, days, rng, counts)
    everyone = _existing_people(days) + people
    session_rows = sessions(everyone, sections, days, rng, counts)
    quiz_rows = quizzes(people, days, rng, counts)
    practiced = practice(people, days, rng, counts)
    plan(people, days, session_rows, quiz_rows, practiced, now, rng, counts)
    outreach(people, sections, days, rng, counts)
    db.session.flush()
    return counts


def _departments(counts: dict[str, int]) -> dict[int, list[int]]:
    """Units and their sections: unit id → section ids. A unit or section of the same
    name already there (the demo has some of the same units) is used, not made twice."""
    from lawlearn.accounts.models import Department

    existing = {(parent_id, name): department_id for department_id, parent_id, name
                in db.session.execute(select(Department.id, Department.parent_id,
                                             Department.name))}
    made = 0

    def department(name: str, parent_id: int | None) -> int:
        nonlocal made
        if (parent_id, name) in existing:
            return existing[(parent_id, name)]
        row = create_department(None, name, parent_id)
        db.session.flush()
        made += 1
        return row.id

    tree: dict[int, list[int]] = {}
    for position, name in enumerate(UNITS):
        unit_id = department(name, None)
        db.session.get(Department, unit_id).sort_order = 10 + position
        tree[unit_id] = [department(section, unit_id) for section in SECTIONS]
    db.session.flush()
    counts["departments"] = made
    return tree


def _people(n: int, tree: dict[int, list[int]], days: list[date], rng: random.Random,
            counts: dict[str, int]) -> list[Person]:
    """``n`` staff spread over the sections (some straight in a unit); a few moved
    department mid-year and a few left (deactivated). One dept_lead per section."""
    password = generate_password_hash(
        _demo_password(), method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))
    places = [(unit, section) for unit, sections in tree.items() for section in sections]
    joined = day_start(days[0]) - timedelta(days=30)
    people: list[Person] = []
    rows: list[dict[str, Any]] = []
    for index in range(n):
        unit, section = places[index % len(places)]
        department = unit if index % 10 == 9 else section
        person = Person(0, department, unit, diligence=rng.triangular(0.45, 1.0, 0.95),
                        skill=rng.uniform(0.45, 0.98), keen=rng.uniform(0.3, 1.0))
        roll = rng.random()
        if roll < MOVED_SHARE and len(days) > 10:
            old_unit, old_section = rng.choice([p for p in places if p[1] != section])
            person.old_department_id, person.old_unit_id = old_section, old_unit
            person.moved_on = days[rng.randint(len(days) // 5, len(days) * 4 // 5)]
        elif roll < MOVED_SHARE + LEFT_SHARE and len(days) > 10:
            person.left_on = days[rng.randint(len(days) // 4, len(days) * 9 // 10)]
        people.append(person)
        rows.append({"username": f"{USERNAME_PREFIX}{index + 1:05d}", "name": _name(rng),
                     "department_id": department, "password_hash": password,
                     "active": person.left_on is None, "must_change_password": False,
                     "failed_logins": 0,  # nosec B105 - "password_hash" above is a real hash
                     "login_nonce": secrets.token_hex(8),
                     "created_at": joined, "joined_at": joined})
    for person, user_id in zip(people, bulk_ids(User, rows), strict=True):
        person.id = user_id
    leads = {p.department_id: p.id for p in reversed(people) if p.department_id != p.unit_id}
    bulk(UserRole, [{"user_id": p.id, "role": Role.STAFF.value} for p in people])
    bulk(UserRole, [{"user_id": uid, "role": Role.DEPT_LEAD.value} for uid in leads.values()])
    for person in people:
        person.lead_id = leads.get(person.department_id)
    counts["people"] = n
    counts["deactivated"] = sum(1 for p in people if p.left_on)
    counts["moved"] = sum(1 for p in people if p.moved_on)
    return people


def _existing_people(days: list[date]) -> list[Person]:
    """Accounts already there (the demo office): expected at sessions for everyone, but
    not given quizzes, practice or plan progress of their own here."""
    rows = db.session.execute(select(User.id, User.active, User.department_id,
                                     Department.parent_id)
                              .outerjoin(Department, Department.id == User.department_id)
                              .where(~User.username.like(f"{USERNAME_PREFIX}%")))
    return [Person(user_id, department_id, parent_id or department_id, generated=False,
                   left_on=None if active else days[0])
            for user_id, active, department_id, parent_id in rows]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _demo_password() -> str:
    from lawlearn.demo import demo_password

    return demo_password()
