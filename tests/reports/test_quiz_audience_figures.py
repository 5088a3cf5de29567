"""应参加 and 参加率 of each quiz in a report, and 应参测人次 / 参测率 in its headline: the
report said only who took a quiz and how many of them passed, so an exam one of twelve
handed in read "通过率 100%" in the draft going upward. Who a quiz is for follows its
results page (quiz.audience.for_the_quiz), for every quiz in one query."""

from __future__ import annotations

from datetime import date, timedelta

from lxml import html

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.quiz import services
from lawlearn.quiz.audience import outstanding
from lawlearn.quiz.models import Quiz
from lawlearn.reports.export_tables import headline
from lawlearn.reports.participation import build_report
from lawlearn.rounding import percent_text


def _hand_in(app, username_id: int, quiz_id: int, when=None) -> None:
    with app.app_context():
        attempt, _new = services.start_attempt(db.session.get(User, username_id),
                                               db.session.get(Quiz, quiz_id), when or utcnow())
        services.submit_attempt(attempt, when or utcnow())
        db.session.commit()


def test_each_quiz_says_who_it_was_for_and_how_many_of_them_took_it(
        app, make_department, make_user, make_quiz):
    justice = make_department("区司法局")
    section = make_department("普法科", justice)
    other = make_department("区教育局")
    took = make_user("took", department_id=section)
    make_user("missed", department_id=justice)
    make_user("gone", department_id=justice, active=False)  # inactive: not expected
    make_user("it-admin", roles=("admin",), department_id=justice)  # does not study
    teacher = make_user("teacher", department_id=other)
    named = make_user("named", department_id=other)
    exam = make_quiz(title="司法局考试", is_exam=True, audience_all=False,
                     department_ids=[justice], user_ids=[named.id])
    everyone = make_quiz(title="全员练习")
    exit_quiz = make_quiz(title="随堂测验")
    with app.app_context():  # listed to nobody, as a session's exit quiz is
        db.session.get(Quiz, exit_quiz).audience_all = False
        db.session.commit()
    for person in (took, named):
        _hand_in(app, person.id, exam)
    _hand_in(app, teacher.id, everyone)
    _hand_in(app, took.id, exit_quiz)
    with app.app_context():
        # Joined after the exam closed: not behind with it (its results page agrees).
        late = db.session.get(Quiz, exam)
        newcomer = make_user("newcomer", department_id=justice, joined=None)
        db.session.get(User, newcomer.id).joined_at = utcnow() + timedelta(days=8)
        db.session.commit()
        today = local_day(utcnow())
        report = build_report(date(today.year, 1, 1), today)
        rows = {row.title: row for row in report.quizzes}
        # 区司法局 with its section (took, missed) and the person named (named).
        assert (rows["司法局考试"].expected, rows["司法局考试"].expected_takers) == (3, 2)
        assert rows["司法局考试"].take_rate == 2 / 3
        assert rows["司法局考试"].expected == outstanding(late).expected
        # Everyone who studies: took, missed, teacher, named.
        assert (rows["全员练习"].expected, rows["全员练习"].expected_takers) == (4, 1)
        # A quiz listed to nobody (a session's exit quiz): no 应参加, no rate.
        assert rows["随堂测验"].expected is None and rows["随堂测验"].take_rate is None
        figures = headline(report)
        assert (figures.quiz_expected, figures.quiz_take_rate) == (7, 3 / 7)

        # One department: its own people only.
        mine = build_report(date(today.year, 1, 1), today, department_id=justice)
        rows = {row.title: row for row in mine.quizzes}
        assert (rows["司法局考试"].expected, rows["司法局考试"].expected_takers) == (2, 1)
        # Nobody of the department took it, but it was for them: listed, not left out.
        assert (rows["全员练习"].expected, rows["全员练习"].takers) == (2, 0)
        assert rows["全员练习"].take_rate == 0 and "随堂测验" in rows  # took it: listed
        assert headline(mine).quizzes_held == 2  # taken by someone of it: 全员练习 not


def test_the_page_the_exports_and_the_draft_show_it(app, admin_client, make_user, make_quiz):
    first = make_user("first")
    for number in range(11):
        make_user(f"other{number:02d}")
    exam = make_quiz(title="年度学法考试", is_exam=True)
    _hand_in(app, first.id, exam)
    with app.app_context():
        from lawlearn.reports.export_docx import study_sentence

        today = local_day(utcnow())
        report = build_report(date(today.year, 1, 1), today)
        sentence = study_sentence(report, headline(report))
        expected = report.quizzes[0].expected
    assert expected >= 12  # the twelve, and the admin signed in if they study too
    rate = percent_text(1 / expected)
    assert "开展在线测试 1 场，参测 1 人次，通过率 0.0%；" \
        f"应参测 {expected} 人次，已参测 1 人次，参测率 {rate}" in sentence
    period = {"from": date(today.year, 1, 1).isoformat(), "to": today.isoformat()}
    page = html.fromstring(admin_client.get("/reports/", query_string=period).data)
    tiles = {tile.xpath("string(span)"): tile.xpath("string(strong)")
             for tile in page.xpath("//div[contains(@class, 'report-headlines')]/div")}
    assert tiles["测试参测率"] == rate
    table = page.xpath("//section[@aria-labelledby='quizzes']//table")[0]
    heads = [th.text_content().strip() for th in table.xpath(".//thead//th")]
    cells = [cell.text_content().strip() for cell in table.xpath(".//tbody/tr[1]/*")]
    shown = dict(zip(heads, cells, strict=True))
    assert (shown["应参加人数"], shown["其中已参加"], shown["参加率"]) == (str(expected), "1", rate)


def test_the_dashboard_says_the_take_up_beside_the_pass_rate(app, admin_client, make_user,
                                                            make_quiz):
    passer = make_user("passer")
    for number in range(3):
        make_user(f"idle{number}")
    exam = make_quiz(title="年度学法考试", is_exam=True, pass_percent=0)
    _hand_in(app, passer.id, exam)
    with app.app_context():
        year = local_day(utcnow()).year
        expected = build_report(date(year, 1, 1), local_day(utcnow())).quizzes[0].expected
    page = html.fromstring(admin_client.get(f"/reports/dashboard?year={year}").data)
    tile = page.xpath("//li[@class='target'][h3[text()='在线测试通过率']]")[0]
    assert tile.xpath("string(.//p[@class='target-figure'])").strip() == "100.0%"
    assert f"参测率 {percent_text(1 / expected)}（1 / {expected} 人次）" in tile.text_content()


def test_an_exam_nobody_took_is_listed_and_counted_short(app, make_department, make_user,
                                                        make_quiz):
    """An exam for a department none of whose people took it was missing from the report:
    its 应参测 and 参测率 read as if the exam had not been set. Someone who took it before
    the period (March, on April's report) has taken it."""
    skipped = make_department("乙局")
    for number in range(3):
        make_user(f"skip{number}", department_id=skipped)
    early = make_user("early", department_id=skipped)
    exam = make_quiz(title="乙局考试", is_exam=True, audience_all=False,
                     department_ids=[skipped], opens_at=utcnow() - timedelta(days=40))
    _hand_in(app, early.id, exam, when=utcnow() - timedelta(days=35))
    with app.app_context():
        today = local_day(utcnow())
        # A period starting after that paper: the exam is still open in it.
        first = local_day(utcnow() - timedelta(days=20))
        report = build_report(first, today, department_id=skipped)
        (row,) = report.quizzes
        assert (row.title, row.takers, row.expected, row.expected_takers) == ("乙局考试", 0, 4, 1)
        assert report.quiz_take_rate == 1 / 4
