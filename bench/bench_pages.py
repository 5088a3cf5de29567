"""SQL queries per page for every main page, at 50 and at 5,000 staff (they must be equal).

Both offices come from lawlearn.scale_data (a year of activity), plus what a year's data
leaves out but the pages need: six quizzes open now, one with the staff member's attempt
submitted and another in progress. Each page is fetched as a generated staff member, a
dept_lead or the admin: once to warm up (today's daily set is made then), once counted.
Prints one JSON line per page ({"name": "queries: <role>: <page>", "value": queries at 5,000,
"unit", "baseline": queries at 50, "ratio"}) and one with its median time at 5,000 staff.
The statements that differ, and any statement one request sends more than REPEAT_LIMIT
times (one query per row shown, which a full page of rows hides from the comparison), go to
stderr; the exit code is 1 when a page's count differs or a page does not answer 200.

Run: .venv/bin/python bench/bench_pages.py  (SQLite; a few minutes, generating included)
tests/test_page_queries.py runs the same page list on two small offices.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, select  # noqa: E402

from lawlearn import create_app  # noqa: E402
from lawlearn.extensions import db  # noqa: E402

STAFF, SMALL = 5000, 50
RUNS = 5
REPEAT_LIMIT = 3  # the same statement more often than this in one request: one a row
ADMIN, PASSWORD = "benchadmin", "bench-password"
OPEN_QUIZ = "页面基准测验（进行中）"
OPEN_QUIZZES = 6  # open now, for everyone


@dataclass
class Office:
    """Who logs in and the ids the pages need, found in a generated office."""
    staff: str
    lead: str
    password: str
    ids: dict[str, int] = field(default_factory=dict)


def make_app(url: str, folder: Path, **overrides):
    return create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "WTF_CSRF_ENABLED": False,
                       "UPLOAD_FOLDER": str(folder / "up"), "RATELIMIT_ENABLED": False,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", **overrides})


def report_period(app) -> tuple[date, date]:
    """1 January of this year (local) to today, or last year on 1 January when this one has
    no day over yet: the year the office is generated for."""
    from lawlearn.database import utcnow
    from lawlearn.localtime import local_day

    with app.app_context():
        today = local_day(utcnow())
    year = today.year if (today.month, today.day) != (1, 1) else today.year - 1
    return date(year, 1, 1), min(date(year, 12, 31), today)


def generate_office(staff: int, year: int) -> Office:
    """(In an app context, on an empty schema.) The admin, a generated office up to
    ``staff`` accounts and the open quizzes. Commits."""
    from lawlearn.accounts.models import Role, User, UserRole
    from lawlearn.accounts.services import UserFields, create_user
    from lawlearn.database import utcnow
    from lawlearn.demo import demo_password
    from lawlearn.quiz.authoring import QuizFields, create_quiz
    from lawlearn.quiz.models import Question
    from lawlearn.quiz.services import start_attempt, submit_attempt
    from lawlearn.scale_data import generate

    create_user(None, ADMIN, PASSWORD, UserFields("基准管理员", None, {"admin", "staff"}),
                must_change_password=False, audit=False)
    db.session.flush()
    generate(staff, year=year)
    now = utcnow()
    generated = User.username.like("scale%")
    leads = select(UserRole.user_id).where(UserRole.role == Role.DEPT_LEAD.value)
    member = db.session.scalar(select(User).where(generated, User.active.is_(True),
                                                  User.id.not_in(leads)).order_by(User.id))
    lead = db.session.scalar(select(User).where(generated, User.active.is_(True),
                                                User.id.in_(leads)).order_by(User.id))
    question_ids = list(db.session.scalars(select(Question.id).where(Question.status == "active")
                                           .order_by(Question.id).limit(5)))
    for n in range(1, OPEN_QUIZZES):  # a list long enough to show one query per row
        create_quiz(None, QuizFields(title=f"页面基准测验（第{n}期）", opens_at=now - timedelta(hours=1),
                                     closes_at=now + timedelta(days=7 + n),
                                     question_ids=question_ids), published=True)
    quiz = create_quiz(None, QuizFields(title=OPEN_QUIZ, opens_at=now - timedelta(hours=1),
                                        closes_at=now + timedelta(days=7), attempts_allowed=2,
                                        question_ids=question_ids), published=True)
    db.session.flush()
    # One attempt submitted (the review page, a wrong-answer book entry), one in progress
    # (the take page), whatever the generated year gave this person.
    first, _new = start_attempt(member, quiz, now - timedelta(minutes=30))
    submit_attempt(first, now - timedelta(minutes=20))
    start_attempt(member, quiz, now)
    db.session.commit()
    return Office(member.username, lead.username, demo_password())


def find_ids(office: Office) -> Office:
    """(In an app context.) The ids of one thing of each kind the pages show."""
    from lawlearn.accounts.models import Department, User
    from lawlearn.library.models import Law, LawArticle
    from lawlearn.outreach.models import Campaign, OutreachEvent
    from lawlearn.plans.models import Plan, PlanItem
    from lawlearn.quiz.models import Attempt, Question, Quiz
    from lawlearn.sessions.models import StudySession

    first = lambda query: db.session.scalar(query.limit(1))  # noqa: E731
    member = db.session.scalar(select(User).where(User.username == office.staff))
    article = first(select(LawArticle).join(Law, Law.id == LawArticle.law_id)
                    .where(Law.is_current.is_(True))
                    .order_by(LawArticle.law_id, LawArticle.position))
    open_quiz = first(select(Quiz.id).where(Quiz.title == OPEN_QUIZ))
    office.ids = {
        "law": article.law_id, "article": article.number,
        "open_quiz": open_quiz,
        "attempt": first(select(Attempt.id).where(Attempt.user_id == member.id,
                                                  Attempt.quiz_id == open_quiz,
                                                  Attempt.submitted_at.is_(None))),
        # the quiz answered by the most people: its results and item analysis
        "quiz": first(select(Attempt.quiz_id).group_by(Attempt.quiz_id)
                      .order_by(db.func.count().desc(), Attempt.quiz_id)),
        "submitted": first(select(Attempt.id).where(Attempt.user_id == member.id,
                                                    Attempt.quiz_id == open_quiz,
                                                    Attempt.submitted_at.is_not(None))),
        "question": first(select(Question.id).order_by(Question.id)),
        "session": first(select(StudySession.id).order_by(StudySession.starts_at)),
        "plan": first(select(Plan.id).order_by(Plan.id)),
        "plan_item": first(select(PlanItem.id).order_by(PlanItem.id)),
        "campaign": first(select(Campaign.id).order_by(Campaign.id)),
        "event": first(select(OutreachEvent.id).order_by(OutreachEvent.id)),
        "department": first(select(Department.id).where(Department.parent_id.is_(None))
                            .order_by(Department.id)),
        "user": member.id,
    }
    return office


def staff_pages(ids: dict[str, int], period: tuple[date, date]) -> dict[str, str]:
    year = period[0].year
    return {
        "home": "/",
        "profile": "/me",
        "library browse": "/study",
        "law": f"/laws/{ids['law']}",
        "article": f"/laws/{ids['law']}/articles/{ids['article']}",
        "search": "/search?q=行政机关",
        "materials": "/materials",
        "bookmarks": "/me/bookmarks",
        "quizzes list": "/quizzes",
        "quiz page": f"/quizzes/{ids['open_quiz']}",
        "closed quizzes": "/quizzes/closed",
        "quiz take page": f"/attempts/{ids['attempt']}",
        "quiz review": f"/attempts/{ids['submitted']}/review",
        "wrong-answer book": "/wrong-answers",
        "practice daily": "/practice/daily",
        "challenge": "/practice/challenge",
        "leaderboard": "/practice/leaderboard",
        "points": "/practice/points",
        "plans list": "/plans",
        "plan page": f"/plans/{ids['plan']}",
        "plan item": f"/plans/items/{ids['plan_item']}",
        "plan hours": "/plans/hours",
        "my reflections": "/plans/reflections",
        "notices": "/notices",
        "sessions list": "/sessions",
        "session page": f"/sessions/{ids['session']}",
        "my attendance": "/me/attendance",
        "reports/me": f"/reports/me?year={year}",
        "outreach": "/outreach/",
    }


def lead_pages(ids: dict[str, int], period: tuple[date, date]) -> dict[str, str]:
    return {"department progress": "/plans/department", "reflection reviews": "/plans/reviews",
            "leave requests": "/leave-requests"}


def admin_pages(ids: dict[str, int], period: tuple[date, date]) -> dict[str, str]:
    span = f"from={period[0].isoformat()}&to={period[1].isoformat()}"
    year = period[0].year
    return {
        "admin index": "/admin/",
        "users list": "/admin/users",
        "user edit": f"/admin/users/{ids['user']}",
        "departments": "/admin/departments",
        "department edit": f"/admin/departments/{ids['department']}",
        "audit log": "/admin/audit",
        "laws admin": "/admin/library/laws",
        "materials admin": "/admin/library/materials",
        "question bank": "/admin/quiz/questions",
        "question edit": f"/admin/quiz/questions/{ids['question']}",
        "quiz list (admin)": "/admin/quiz/quizzes",
        "quiz edit": f"/admin/quiz/quizzes/{ids['quiz']}",
        "quiz results": f"/admin/quiz/quizzes/{ids['quiz']}/results",
        "quiz item analysis": f"/admin/quiz/quizzes/{ids['quiz']}/items",
        "sessions list (admin)": "/admin/sessions/",
        "session edit": f"/admin/sessions/{ids['session']}",
        "session attendance": f"/admin/sessions/{ids['session']}/attendance",
        "session absentees": f"/admin/sessions/{ids['session']}/absentees",
        "attendance report": "/admin/sessions/report",
        "plans admin": "/admin/plans/",
        "plan admin page": f"/admin/plans/{ids['plan']}",
        "plan matrix": f"/admin/plans/{ids['plan']}/progress",
        "practice rules": "/admin/practice/rules",
        "practice timing": "/admin/practice/timing",
        "outreach ledger": "/admin/outreach/ledger",
        "outreach events": "/admin/outreach/events",
        "campaigns": "/admin/outreach/campaigns",
        "campaign dashboard": f"/admin/outreach/campaigns/{ids['campaign']}",
        "outreach event (admin)": f"/admin/outreach/events/{ids['event']}",
        "reports page": f"/reports/?{span}",
        "dashboard": f"/reports/dashboard?year={year}",
    }


ROLES = {"staff": staff_pages, "lead": lead_pages, "admin": admin_pages}


def login(app, username: str, password: str):
    client = app.test_client()
    reply = client.post("/login", data={"username": username, "password": password})
    assert reply.status_code == 302, f"login {username}: {reply.status_code}"
    return client


def clients(app, office: Office) -> dict[str, object]:
    return {"staff": login(app, office.staff, office.password),
            "lead": login(app, office.lead, office.password),
            "admin": login(app, ADMIN, PASSWORD)}


@contextmanager
def recording(app) -> Iterator[list[str]]:
    """The SQL statements sent meanwhile."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def page_statements(app, client, url: str) -> tuple[int, list[str]]:
    """(status, statements) of one GET, after a first GET that may warm caches or write
    once (today's daily set)."""
    client.get(url).get_data()
    with recording(app) as statements:
        reply = client.get(url)
        reply.get_data()
    return reply.status_code, statements


def survey(app, office: Office, period: tuple[date, date]) -> dict[str, tuple[int, list[str]]]:
    """Every page as its role: "role: page" → (status, statements)."""
    logged = clients(app, office)
    found = {}
    for role, pages in ROLES.items():
        for name, url in pages(office.ids, period).items():
            found[f"{role}: {name}"] = page_statements(app, logged[role], url)
    return found


def page_urls(office: Office, period: tuple[date, date]) -> dict[str, tuple[str, str]]:
    """"role: page" → (role, url)."""
    return {f"{role}: {name}": (role, url) for role, pages in ROLES.items()
            for name, url in pages(office.ids, period).items()}


_NUMBERS = re.compile(r"\b\d+\b")


def shape(statement: str) -> str:
    return _NUMBERS.sub("N", " ".join(statement.split()))


def difference(small: list[str], large: list[str]) -> list[str]:
    """The statements (numbers folded) sent a different number of times, with the counts."""
    a, b = Counter(map(shape, small)), Counter(map(shape, large))
    return [f"{a[s]} → {b[s]}: {s[:300]}" for s in sorted(set(a) | set(b)) if a[s] != b[s]]


def repeated(statements: list[str], limit: int = REPEAT_LIMIT) -> list[str]:
    """Statements sent more than ``limit`` times by one request: one query per row shown,
    which a page-sized list hides from the comparison of two offices."""
    return [f"{n} ×: {s[:300]}" for s, n in Counter(map(shape, statements)).items() if n > limit]


def median_ms(client, url: str, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url).get_data()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def emit(name: str, value: float | None, unit: str, baseline: float | None = None,
         note: str | None = None) -> None:
    row = {"name": name, "value": round(value, 4) if value is not None else None, "unit": unit,
           "baseline": round(baseline, 4) if baseline is not None else None,
           "ratio": round(value / baseline, 3) if value is not None and baseline else None}
    if note:
        row["note"] = note
    print(json.dumps(row, ensure_ascii=False), flush=True)


def build(app, staff: int, year: int) -> tuple[Office, float]:
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.create_all()
        started = time.perf_counter()
        office = generate_office(staff, year)
        seconds = time.perf_counter() - started
        return find_ids(office), seconds


def main() -> int:
    emit("machine: CPU cores", os.cpu_count() or 0, "cores")
    emit("machine: load average (1 min) at the start", os.getloadavg()[0], "load")
    folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        return run(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run(folder: Path) -> int:
    apps = {n: make_app(f"sqlite:///{folder / f'office{n}.db'}", folder) for n in (SMALL, STAFF)}
    period = report_period(apps[SMALL])
    offices = {}
    for n, app in apps.items():
        offices[n], seconds = build(app, n, period[0].year)
        emit(f"generate {n:,} staff × 1 year (SQLite)", seconds, "s")
    small = survey(apps[SMALL], offices[SMALL], period)
    large = survey(apps[STAFF], offices[STAFF], period)
    logged = clients(apps[STAFF], offices[STAFF])
    grows, per_row = [], []
    for key, (role, url) in page_urls(offices[STAFF], period).items():
        (status_s, small_sql), (status_l, large_sql) = small[key], large[key]
        notes = []
        if status_s != 200 or status_l != 200:
            notes.append(f"GET {url} answered {status_s} ({SMALL}) and {status_l} ({STAFF:,})")
            grows.append(key)
        elif len(small_sql) != len(large_sql):
            notes.append("grows with the office")
            grows.append(key)
            print(f"{key} ({url}), {SMALL} → {STAFF:,} staff:", *difference(small_sql, large_sql),
                  sep="\n  ", file=sys.stderr)
        if repeats := repeated(large_sql):
            notes.append("one query per row")
            per_row.append(key)
            print(f"{key} ({url}), {STAFF:,} staff:", *repeats, sep="\n  ", file=sys.stderr)
        emit(f"queries: {key}", len(large_sql), "queries", len(small_sql),
             "; ".join(notes) or None)
        emit(f"time: {key}, {STAFF:,} staff", median_ms(logged[role], url), "ms")
    emit(f"pages whose queries differ between {SMALL} and {STAFF:,} staff (goal 0)", len(grows),
         "pages")
    emit(f"pages sending one statement more than {REPEAT_LIMIT} times (goal 0)", len(per_row),
         "pages")
    for app in apps.values():
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return 1 if grows else 0


if __name__ == "__main__":
    sys.exit(main())
