"""Generated study sessions with everyone's attendance, and quizzes with answers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lawlearn.extensions import db
from lawlearn.library.models import Law, LawArticle
from lawlearn.practice.demo import answer_for
from lawlearn.quiz.models import Attempt, AttemptItem, Question
from lawlearn.scale_data.bulk import Awards, bulk, bulk_ids, start_of
from lawlearn.scale_data.people import Person
from lawlearn.sessions.models import Attendance, SessionAudience, StudySession

SESSIONS = 40
QUIZZES = 10
QUESTIONS_PER_QUIZ = 5
KINDS = [("集中学法", 2.0), ("会前学法", 0.5), ("专题讲座", 2.0), ("法治讲座", 1.5),
         ("旁听庭审", 3.0), ("中心组学法", 1.0), ("线上学习", 1.0)]
TOPICS = ["习近平法治思想", "《中华人民共和国宪法》", "《中华人民共和国民法典》合同编",
          "《中华人民共和国行政复议法》", "《中华人民共和国行政处罚法》",
          "《中华人民共和国政府信息公开条例》", "《优化营商环境条例》",
          "《中华人民共和国安全生产法》", "《重大行政决策程序暂行条例》",
          "《中华人民共和国行政许可法》"]


@dataclass
class SessionInfo:
    id: int
    day: date
    starts_at: datetime
    ends_at: datetime
    audience_all: bool
    # user id → (status, checked_in_at), kept for the session a plan item points at
    statuses: dict[int, tuple[str, datetime | None]] = field(default_factory=dict)


@dataclass
class QuizInfo:
    id: int
    opens_on: date
    closes_on: date
    passed_at: dict[int, datetime] = field(default_factory=dict)  # first pass per person


def _spread(days: list[date], n: int) -> list[date]:
    """``n`` days spread evenly over ``days``."""
    n = min(n, len(days))
    return [days[int((i + 0.5) * len(days) / n)] for i in range(n)]


def sessions(everyone: list[Person], tree: dict[int, list[int]], days: list[date],
             rng: random.Random, counts: dict[str, int]) -> list[SessionInfo]:
    """About 40 closed sessions (every fourth for one unit only), each with a record for
    everyone expected on its day: present, late, excused or absent."""
    from lawlearn.sessions.demo import ensure_kinds

    kinds = ensure_kinds()
    workdays = [day for day in days if day.weekday() < 5] or days
    units = list(tree)
    made: list[tuple[StudySession, date, int | None]] = []
    for index, day in enumerate(_spread(workdays, SESSIONS)):
        kind, hours = KINDS[index % len(KINDS)]
        start = start_of(day) + timedelta(hours=9, minutes=30)
        end = start + timedelta(hours=hours)
        unit = units[index % len(units)] if index % 4 == 3 else None
        session = StudySession(
            title=f"{kind}：{TOPICS[index % len(TOPICS)]}", kind_id=kinds[kind].id,
            starts_at=start, ends_at=end, place="区行政中心会议室", speaker="法制科",
            study_hours=hours, audience_all=unit is None, closed_at=end,
            created_at=start - timedelta(days=7))
        if unit is not None:
            session.audience.append(SessionAudience(department_id=unit))
        made.append((session, day, unit))
    db.session.add_all(session for session, _day, _unit in made)
    db.session.flush()

    awards = Awards()
    result: list[SessionInfo] = []
    records = paid = 0
    for session, day, unit in made:
        info = SessionInfo(session.id, day, session.starts_at, session.ends_at, unit is None)
        keep = not result  # the first session is the one the plan points at
        rows, wanted = [], []
        for person in everyone:
            if not person.active_on(day) or (unit is not None and person.unit_on(day) != unit):
                continue
            status, moment = _attendance(person, session, rng)
            rows.append({"session_id": session.id, "user_id": person.id, "status": status,
                         "checked_in_at": moment, "source": _SOURCES[status],
                         "note": "因公外出" if status == "excused" else None,
                         "updated_at": moment or session.ends_at})
            if moment is not None:
                wanted.append((person.id, "session_attended", f"session:{session.id}", moment,
                               1, day))
            if keep:
                info.statuses[person.id] = (status, moment)
        records += bulk(Attendance, rows)
        paid += awards.pay(wanted)
        result.append(info)
    counts["sessions"] = len(made)
    counts["attendance"] = records
    counts["point_awards"] = counts.get("point_awards", 0) + paid
    return result


_SOURCES = {"present": "qr", "late": "qr", "excused": "leave", "absent": "closing"}


def _attendance(person: Person, session: StudySession,
                rng: random.Random) -> tuple[str, datetime | None]:
    roll = rng.random()
    if roll < person.diligence * 0.9:
        return "present", session.starts_at - timedelta(minutes=rng.randint(0, 25))
    if roll < person.diligence:
        return "late", session.starts_at + timedelta(minutes=rng.randint(11, 40))
    if roll < person.diligence + (1 - person.diligence) * 0.4:
        return "excused", None
    return "absent", None


# --- quizzes --------------------------------------------------------------------------------


def quizzes(people: list[Person], days: list[date], rng: random.Random,
            counts: dict[str, int]) -> list[QuizInfo]:
    """About ten quizzes of five questions a fortnight each (the last one the annual exam);
    most people answer, some who fail try again."""
    from lawlearn.quiz.authoring import QuizFields, create_quiz
    from lawlearn.quiz.services import DEFAULT_POINTS, question_snapshot

    bank = _questions(counts)
    awards = Awards()
    result: list[QuizInfo] = []
    n = min(QUIZZES, max(1, len(days) // 14))
    attempts = items = paid = 0
    for k, opens_on in enumerate(_spread(days[: max(1, len(days) - 3)], n)):
        exam = k == n - 1 and n > 1
        closes_on = opens_on + timedelta(days=13)
        chosen = rng.sample(bank, min(QUESTIONS_PER_QUIZ, len(bank)))
        quiz = create_quiz(None, QuizFields(
            title=f"{'年度学法考试' if exam else '学法测试'}（第{k + 1}期）", is_exam=exam,
            opens_at=start_of(opens_on) + timedelta(hours=8),
            closes_at=start_of(closes_on) + timedelta(hours=22),
            attempts_allowed=1 if exam else 2, question_ids=[q.id for q in chosen]),
            published=True)
        snapshots = [question_snapshot(q, False, rng) for q in chosen]
        points = [float(DEFAULT_POINTS[q.type]) for q in chosen]
        ease = [rng.uniform(0.55, 1.0) for _q in chosen]  # some questions are hard
        info = QuizInfo(quiz.id, opens_on, closes_on)
        last = min(closes_on, days[-1])
        rows, answers = [], []
        for person in people:
            if rng.random() > 0.55 + 0.4 * person.diligence:
                continue
            earliest = opens_on
            for number in (1, 2):
                day = earliest + timedelta(days=rng.randint(0, (last - earliest).days))
                if not person.active_on(day):
                    break
                started = start_of(day) + timedelta(hours=rng.uniform(8, 21))
                submitted = started + timedelta(minutes=rng.randint(4, 15))
                right = [rng.random() < min(0.99, person.skill * e + 0.1 * number) for e in ease]
                score = sum(p for p, r in zip(points, right, strict=True) if r)
                passed = 100 * score / sum(points) >= quiz.pass_percent
                rows.append({"quiz_id": quiz.id, "user_id": person.id, "number": number,
                             "started_at": started, "submitted_at": submitted,
                             "auto_submitted": False, "score": score,
                             "max_score": sum(points), "passed": passed})
                answers.append((started, right))
                if passed:
                    info.passed_at.setdefault(person.id, submitted)
                # Those who failed may try again on a later day (not the exam).
                earliest = day + timedelta(days=1)
                if passed or exam or rng.random() < 0.5 or earliest > last:
                    break
        items += bulk(AttemptItem, (
            {"attempt_id": attempt_id, "question_id": q.id, "position": position,
             "snapshot": snapshot, "points": p, "response": answer_for(snapshot, r),
             "answered_at": started + timedelta(minutes=position + 1), "correct": r,
             "awarded": p if r else 0.0}
            for attempt_id, (started, right) in zip(bulk_ids(Attempt, rows), answers, strict=True)
            for position, (q, snapshot, p, r) in enumerate(zip(chosen, snapshots, points, right,
                                                                strict=True))))
        attempts += len(rows)
        paid += awards.pay(
            (user_id, "quiz_passed", f"quiz:{quiz.id}", moment)
            for user_id, moment in info.passed_at.items())
        result.append(info)
    counts["quizzes"] = len(result)
    counts["attempts"] = attempts
    counts["attempt_items"] = items
    counts["point_awards"] = counts.get("point_awards", 0) + paid
    return result


def _questions(counts: dict[str, int]) -> list[Question]:
    """Active questions linked to a law article (the dashboard ranks articles answered
    wrongly): the bank's own, or thirty made here on the library's articles."""
    found = list(db.session.scalars(
        select(Question).options(joinedload(Question.article).joinedload(LawArticle.law))
        .where(Question.status == "active", Question.article_id.is_not(None))
        .order_by(Question.id).limit(40)))
    if len(found) >= 2 * QUESTIONS_PER_QUIZ:
        counts["questions"] = 0
        return found
    from lawlearn.quiz.bank import QuestionFields, create_question

    made = []
    for index, article in enumerate(_articles()):
        where = f"《{article.law.display_title}》{article.label}"
        fields = QuestionFields("true_false", f"{where}的规定适用于本区各级行政机关。", [], True,
                                f"见{where}。", ["规模测试"], article_id=article.id) \
            if index % 3 == 2 else QuestionFields(
                "single", f"根据{where}，下列说法正确的是？",
                ["应当依法履行职责", "可以不受法律约束", "由个人自行决定", "无需公开"], "A",
                f"见{where}。", ["规模测试"], article_id=article.id)
        made.append(create_question(None, fields, audit=False))
    db.session.flush()
    counts["questions"] = len(made)
    return made


def _articles() -> list[LawArticle]:
    """Thirty articles of the library's current laws; a small statute of our own when the
    library is empty."""
    query = (select(LawArticle).join(Law, Law.id == LawArticle.law_id)
             .options(joinedload(LawArticle.law)).where(Law.is_current.is_(True))
             .order_by(LawArticle.law_id, LawArticle.position).limit(30))
    articles = list(db.session.scalars(query))
    if len(articles) < 10:
        from lawlearn.library.services import import_law

        text = "法治政府建设示范条例\n\n" + "\n\n".join(
            f"第{_numeral(n)}条 行政机关应当依照法定权限和程序履行第{_numeral(n)}项职责。"
            for n in range(1, 31))
        import_law(None, text.encode())
        db.session.flush()
        articles = list(db.session.scalars(query))
    return articles


def _numeral(n: int) -> str:
    """1..99 in Chinese numerals (第二十一条)."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if not tens:
        return digits[ones]
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")
