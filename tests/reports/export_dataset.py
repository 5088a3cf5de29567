"""A small office for the export tests (shared by the export, CLI and view tests): two
sessions in February 2025 (the second titled like a spreadsheet formula), two quizzes (one an
exam), two outreach events (one with materials and consultations), a deactivated person who
attended the first session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.outreach.categories import ensure_categories
from lawlearn.outreach.models import OutreachCategory, OutreachEvent, OutreachMaterial
from lawlearn.quiz.models import Attempt
from lawlearn.reports.participation import build_report
from lawlearn.sessions.models import Attendance, SessionKind, StudySession
from lawlearn.sessions.services import SessionFields, create_sessions

NOW = datetime(2025, 3, 10, 1, 0)  # naive UTC: 09:00 in Shanghai
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
INJECTION = '=HYPERLINK("http://evil.example","点我")'


@dataclass
class Dataset:
    unit: int  # 执法局, with its section 法制科
    section: int
    office: int  # 办公室
    admin: object
    leader: object
    unit_lead: object
    office_lead: object
    clerk: object  # staff, 法制科
    officer: object  # staff, 执法局
    secretary: object  # staff, 办公室
    retired: object  # deactivated, 法制科, attended the first session


def add_session(title: str, starts_at: datetime) -> StudySession:
    kind = db.session.scalar(select(SessionKind))
    if kind is None:
        kind = SessionKind(name="集中学法")
        db.session.add(kind)
        db.session.flush()
    fields = SessionFields(title, kind.id, starts_at, starts_at + timedelta(hours=1),
                           audience_all=True, department_ids=[], user_ids=[])
    return create_sessions(None, fields)[0]


def attend(session: StudySession, statuses: list[tuple]) -> None:
    for person, status in statuses:
        db.session.add(Attendance(
            session_id=session.id, user_id=person.id, status=status,
            source={"excused": "leave", "absent": "closing"}.get(status, "qr"),
            checked_in_at=session.starts_at if status in ("present", "late") else None))


def add_attempt(quiz_id: int, person, score: float, passed: bool, day: datetime) -> None:
    db.session.add(Attempt(quiz_id=quiz_id, user_id=person.id, number=1, started_at=day,
                           submitted_at=day + timedelta(minutes=10), score=score,
                           max_score=10, passed=passed))


def add_event(category: OutreachCategory, department_id: int, title: str, participants: int, *,
           quiz_completions: int = 0, consultations: int = 0, materials=()) -> None:
    starts_at = datetime(2025, 3, 1, 2, 0)
    event = OutreachEvent(title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                          place="人民广场", category_id=category.id, department_id=department_id,
                          status="submitted", participants=participants,
                          quiz_completions=quiz_completions, consultations=consultations,
                          audiences=["residents"], channel="onsite")
    db.session.add(event)
    db.session.flush()
    for kind, kinds, copies in materials:
        db.session.add(OutreachMaterial(event_id=event.id, kind=kind, kinds=kinds, copies=copies))


@pytest.fixture(name="dataset")
def dataset_fixture(app, make_department, make_user, make_questions, make_quiz) -> Dataset:
    """The office described above, committed; ids and users (UserRef) in a Dataset."""
    unit = make_department("执法局")
    section = make_department("法制科", unit)
    office = make_department("办公室")
    data = Dataset(
        unit, section, office,
        admin=make_user("root", roles=("admin", "staff"), name="管理员甲"),
        leader=make_user("boss", roles=("leader", "staff"), name="主任乙"),
        unit_lead=make_user("unitlead", roles=("dept_lead", "staff"), name="局长丙",
                            department_id=unit),
        office_lead=make_user("offlead", roles=("dept_lead", "staff"), name="主任丁",
                              department_id=office),
        clerk=make_user("clerk", name="科员戊", department_id=section),
        officer=make_user("officer", name="干部己", department_id=unit),
        secretary=make_user("secretary", name="文员庚", department_id=office),
        retired=make_user("retired", name="退休辛", department_id=section, active=False))
    questions = make_questions()
    practice = make_quiz(questions, title="宪法小测")
    exam = make_quiz(questions, title="年度考试", is_exam=True)
    with app.app_context():
        first = add_session("宪法集中学法", datetime(2025, 2, 10, 1, 0))
        second = add_session(INJECTION, datetime(2025, 2, 20, 1, 0))
        attend(first, [(data.clerk, "present"), (data.officer, "late"),
                        (data.secretary, "excused"), (data.unit_lead, "present"),
                        (data.office_lead, "absent"), (data.retired, "present"),
                        (data.admin, "present"), (data.leader, "present")])
        attend(second, [(data.clerk, "present"), (data.officer, "absent"),
                         (data.secretary, "present"), (data.unit_lead, "late"),
                         (data.office_lead, "present"), (data.admin, "present"),
                         (data.leader, "excused")])
        day = datetime(2025, 2, 12, 2, 0)
        add_attempt(practice, data.clerk, 9, True, day)
        add_attempt(practice, data.officer, 5, False, day)
        add_attempt(practice, data.secretary, 8, True, day)
        add_attempt(exam, data.clerk, 10, True, day + timedelta(days=1))
        categories = {c.name: c for c in ensure_categories()}
        add_event(categories["进社区"], section, "宪法进社区", 300, quiz_completions=20,
               consultations=45, materials=(("leaflet", 2, 500),))
        add_event(categories["进学校"], office, "宪法进校园", 150)
        db.session.commit()
    return data


def report_for(department_id: int | None = None, period=YEAR):
    return build_report(*period, department_id=department_id, now=NOW)
