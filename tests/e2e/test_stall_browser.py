"""A resident at a stall answers the 有奖问答 on a phone, without an account."""

from __future__ import annotations

import random
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.outreach import stall
from lawlearn.outreach.models import OutreachCategory, OutreachEvent, StallQuizEntry
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone
from tests.outreach.test_stall import BANK


def open_stall(app, make_department, make_questions) -> tuple[str, list[dict]]:
    make_questions(BANK)
    section = make_department("普法科", make_department("区司法局"))
    with app.app_context():
        category = OutreachCategory(name="进社区", seven_into=True)
        db.session.add(category)
        db.session.flush()
        start = utcnow()
        event = OutreachEvent(title="宪法宣传周进社区", starts_at=start,
                              ends_at=start + timedelta(hours=3), category_id=category.id,
                              department_id=section)
        db.session.add(event)
        db.session.flush()
        quiz = stall.open_stall_quiz(None, event, now=utcnow(), count=4, collect_phone=True,
                                     rng=random.Random(3))
        db.session.commit()
        return quiz.token, quiz.snapshots


def test_a_resident_answers_the_stall_quiz_on_a_phone(app, live_server, phone, make_department,
                                                      make_questions):
    token, snapshots = open_stall(app, make_department, make_questions)
    page = phone.new_page()
    page.goto(f"{live_server}/q/{token}")
    expect(page.get_by_role("heading", name="宪法宣传周进社区")).to_be_visible()
    expect(page.get_by_text("区司法局")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "stall-quiz-phone")

    questions = page.locator("fieldset.question")
    expect(questions).to_have_count(4)
    for n, snap in enumerate(snapshots):
        question = questions.nth(n)
        if snap["type"] == "true_false":
            wanted = "正确" if snap["answer"] else "错误"
            if n == 0:  # one wrong answer
                wanted = "错误" if snap["answer"] else "正确"
        else:
            keys = {o["key"]: o["text"] for o in snap["options"]}
            key = snap["answer"] if n else next(k for k in keys if k != snap["answer"])
            wanted = keys[key]
        option = question.locator("label.option", has_text=wanted)
        box = option.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 280  # the width of the card: easy to tap
        option.click()
    page.get_by_label("手机号（选填）").fill("138 1234 5678")
    page.get_by_role("button", name="提交答案").click()

    expect(page.get_by_text("提交成功。")).to_be_visible()
    expect(page.locator(".result .score")).to_have_text("答对 3 / 4 题")
    expect(page.get_by_text("答错了")).to_have_count(1)
    expect(page.get_by_text("正确答案：").first).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "stall-result-phone")
    with app.app_context():
        [entry] = db.session.scalars(select(StallQuizEntry)).all()
        assert (entry.correct, entry.total, entry.phone) == (3, 4, "13812345678")
        assert db.session.scalar(select(OutreachEvent.quiz_completions)) == 1

    # Coming back from the same phone shows the result, never the questions again.
    page.goto(f"{live_server}/q/{token}")
    expect(page.locator(".result .score")).to_have_text("答对 3 / 4 题")
    expect(page.locator("fieldset.question")).to_have_count(0)
