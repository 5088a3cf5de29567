"""答题数: the questions a person answered in the period (one of the annual report's figures,
DESIGN.md), in quiz papers handed in, daily practice and challenge runs."""

from __future__ import annotations

from datetime import date, timedelta

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.practice.models import ChallengeAnswer, ChallengeRun, DailySet, DailySetItem
from lawlearn.quiz import services
from lawlearn.quiz.models import Quiz
from lawlearn.reports.participation import build_report, my_figures


def test_items_answered_counts_every_answer_given_in_the_period(app, make_user, make_quiz,
                                                                make_questions):
    person_ref = make_user("answers")
    make_user("idle")
    handed_in, in_progress = make_quiz(title="交卷的"), make_quiz(title="还在答的")
    now = utcnow()
    with app.app_context():
        today = local_day(now)
        person = db.session.get(User, person_ref.id)
        questions = make_questions()
        # A paper handed in with two answers of four: 2.
        attempt, _new = services.start_attempt(person, db.session.get(Quiz, handed_in), now)
        for item in attempt.items[:2]:
            answer = {"single": "A", "multiple": ["A"], "true_false": True,
                      "fill": ["宪法"]}[item.snapshot["type"]]
            services.save_answer(attempt, item.question_id, answer, now)
        services.submit_attempt(attempt, now)
        # A paper still being answered counts nothing yet.
        open_attempt, _new = services.start_attempt(person, db.session.get(Quiz, in_progress),
                                                    now)
        services.save_answer(open_attempt, open_attempt.items[0].question_id, "A", now)
        # Daily practice: two answered today, one shown and not answered; one answered in
        # last year's December, outside the period: 2.
        today_set = DailySet(user_id=person.id, day=today)
        last_year = DailySet(user_id=person.id, day=date(today.year - 1, 12, 30))
        db.session.add_all([today_set, last_year])
        db.session.flush()
        for position, (answered_set, response, when) in enumerate((
                (today_set, "A", now), (today_set, True, now), (today_set, None, None),
                (last_year, "B", now.replace(year=today.year - 1, month=12, day=30)))):
            db.session.add(DailySetItem(
                set_id=answered_set.id, question_id=questions[position % len(questions)],
                position=position, snapshot={}, response=response, answered_at=when))
        # A challenge run: two answered, one timed out (its response a JSON null): 2.
        run = ChallengeRun(user_id=person.id, status="ended", started_at=now)
        db.session.add(run)
        db.session.flush()
        for position, response in enumerate(("A", False, None)):
            db.session.add(ChallengeAnswer(
                run_id=run.id, question_id=questions[0], position=position, snapshot={},
                response=response, correct=False, shown_at=now,
                answered_at=now + timedelta(seconds=position), elapsed_ms=5000))
        db.session.commit()

        period = (date(today.year, 1, 1), today)
        mine = my_figures(db.session.get(User, person_ref.id), *period, now=now)
        assert mine["items_answered"] == 6
        report = build_report(*period, now=now)
        by_name = {row.username: row.values for row in report.people}
        assert by_name["answers"]["items_answered"] == 6
        assert not by_name["idle"].get("items_answered")
        assert report.total.values["items_answered"] == 6


def test_the_draft_and_the_summary_sheet_quote_it(app, make_user, make_quiz):
    from lawlearn.reports.export_docx import study_sentence
    from lawlearn.reports.export_tables import headline, headline_rows

    make_user("answers")
    quiz_id = make_quiz()
    now = utcnow()
    with app.app_context():
        person = db.session.scalar(db.select(User).filter_by(username="answers"))
        attempt, _new = services.start_attempt(person, db.session.get(Quiz, quiz_id), now)
        services.save_answer(attempt, attempt.items[0].question_id,
                             {"single": "A", "multiple": ["A"], "true_false": True,
                              "fill": ["宪法"]}[attempt.items[0].snapshot["type"]], now)
        services.submit_attempt(attempt, now)
        db.session.commit()
        today = local_day(now)
        report = build_report(date(today.year, 1, 1), today, now=now)
        figures = headline(report)
        assert figures.items_answered == 1
        assert ("答题数", 1, "count") in headline_rows(figures)
        assert "累计答题 1 道次" in study_sentence(report, figures)
