"""The stall quiz (有奖问答): residents answer without an account, one entry per device,
each completion counted in the event's reach; rate limits; the admin's pages."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import random
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select, text

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law, LawArticle
from lawlearn.outreach import prize_phones, services, stall
from lawlearn.outreach.models import (
    OutreachCategory,
    OutreachEvent,
    OutreachEventLaw,
    StallQuiz,
    StallQuizEntry,
)
from lawlearn.quiz.bank import QuestionFields
from lawlearn.quiz.models import Question
from tests.conftest import csrf_from, post_with_csrf

COOKIE = "lawlearn_stall"
BANK = [
    QuestionFields("single", "我国的根本大法是？", ["民法典", "宪法", "刑法"], "B",
                   "宪法是国家的根本法。", ["宪法"], "easy"),
    QuestionFields("true_false", "公民在法律面前一律平等。", [], True, "宪法第三十三条。",
                   ["宪法"], "easy"),
    QuestionFields("single", "国家宪法日是每年的哪一天？", ["12月4日", "3月15日", "5月1日"], "A",
                   "2014年设立国家宪法日。", ["宪法"], "easy"),
    QuestionFields("true_false", "民法典自2021年1月1日起施行。", [], True, "民法典第一千二百六十条。",
                   ["民法典"], "easy"),
    QuestionFields("single", "民法典共有几编（不含附则）？", ["五编", "七编", "九编"], "B",
                   "总则、物权、合同、人格权、婚姻家庭、继承、侵权责任。", ["民法典"], "medium"),
    # Never drawn for a stall: not answered with one tap.
    QuestionFields("multiple", "下列属于公民基本权利的有？", ["选举权", "宗教信仰自由", "纳税"],
                   ["A", "B"], "纳税是义务。", ["宪法"], "medium"),
    QuestionFields("fill", "国家工作人员就职时应当依照法律规定公开进行（　　）宣誓。", [],
                   [["宪法"]], "宪法第二十七条。", ["宪法"], "medium"),
]


@pytest.fixture
def event_id(app, make_department) -> int:
    unit = make_department("区司法局")
    section = make_department("普法科", unit)
    with app.app_context():
        category = OutreachCategory(name="进社区", seven_into=True, position=3)
        db.session.add(category)
        db.session.flush()
        start = utcnow().replace(microsecond=0)
        event = OutreachEvent(title="宪法宣传周进社区", starts_at=start,
                              ends_at=start + timedelta(hours=3), place="幸福社区广场",
                              category_id=category.id, department_id=section)
        db.session.add(event)
        db.session.commit()
        return event.id


@pytest.fixture
def bank(make_questions) -> list[int]:
    return make_questions(BANK)


def open_quiz(app, event_id: int, **options) -> tuple[int, str]:
    with app.app_context():
        event = db.session.get(OutreachEvent, event_id)
        quiz = stall.open_stall_quiz(None, event, now=utcnow(), rng=random.Random(7),
                                     **{"count": 3, **options})
        db.session.commit()
        return quiz.id, quiz.token


def answers_for(app, quiz_id: int, wrong: int = 0) -> dict[str, str]:
    """Form fields answering every question, the first ``wrong`` ones wrongly."""
    with app.app_context():
        quiz = db.session.get(StallQuiz, quiz_id)
        data = {}
        for n, (qid, snap) in enumerate(zip(quiz.question_ids, quiz.snapshots, strict=True)):
            if snap["type"] == "true_false":
                value = snap["answer"] if n >= wrong else not snap["answer"]
                data[f"q-{qid}"] = "true" if value else "false"
            else:
                keys = [o["key"] for o in snap["options"]]
                data[f"q-{qid}"] = snap["answer"] if n >= wrong else \
                    next(k for k in keys if k != snap["answer"])
        return data


def answer(client, token: str, data: dict, **kwargs):
    """Open the public page (it sets the device cookie) and submit ``data``."""
    page = client.get(f"/q/{token}", **kwargs)
    return client.post(f"/q/{token}", data={**data, "csrf_token": csrf_from(page)}, **kwargs)


def entries(app) -> list[StallQuizEntry]:
    with app.app_context():
        return list(db.session.scalars(select(StallQuizEntry).order_by(StallQuizEntry.id)))


def completions(app, event_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(OutreachEvent.quiz_completions)
                                 .where(OutreachEvent.id == event_id))


# --- opening (services) ---------------------------------------------------------------------


def test_open_draws_one_tap_questions_and_prefers_the_events_laws(ctx, event_id, bank):
    law = Law(title="中华人民共和国宪法", short_title="宪法")
    article = LawArticle(law=law, number=33, label="第三十三条", paragraphs=["……"], text="……",
                         position=1)
    db.session.add(article)
    db.session.flush()
    linked = [bank[1], bank[2]]
    for qid in linked:
        db.session.get(Question, qid).article_id = article.id
    db.session.add(OutreachEventLaw(event_id=event_id, law_id=law.id))
    db.session.commit()

    event = stall.get_event(event_id)
    for seed in range(5):
        quiz = stall.open_stall_quiz(None, event, now=utcnow(), count=3, rng=random.Random(seed))
        assert set(linked) <= set(quiz.question_ids)
        assert len(set(quiz.question_ids)) == 3
        assert {s["type"] for s in quiz.snapshots} <= {"single", "true_false"}
    assert 16 <= len(quiz.token) <= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", quiz.token)
    snapshot = quiz.snapshots[quiz.question_ids.index(bank[1])]
    assert snapshot["article"]["label"] == "第三十三条" and snapshot["answer"] is True

    quiz = stall.open_stall_quiz(None, event, now=utcnow(), count=5, rng=random.Random(1))
    assert sorted(quiz.question_ids) == sorted(bank[:5])  # every one-tap question of the bank
    # Edits to the bank never reach a quiz being answered.
    db.session.get(Question, bank[0]).stem = "改过的题干"
    db.session.commit()
    quiz = db.session.get(StallQuiz, quiz.id)
    assert "改过的题干" not in [s["stem"] for s in quiz.snapshots]


def test_open_checks_the_count_and_the_tag(ctx, event_id, bank):
    event = stall.get_event(event_id)
    for count in (2, 11):
        with pytest.raises(ValidationFailed) as error:
            stall.open_stall_quiz(None, event, now=utcnow(), count=count)
        assert error.value.field == "count"
    with pytest.raises(ValidationFailed) as error:
        stall.open_stall_quiz(None, event, now=utcnow(), count=6)
    assert "只有 5 道" in error.value.message
    with pytest.raises(ValidationFailed) as error:
        stall.open_stall_quiz(None, event, now=utcnow(), count=3, tag="民法典")
    assert error.value.field == "tag" and "只有 2 道" in error.value.message
    quiz = stall.open_stall_quiz(None, event, now=utcnow(), count=3, tag="宪法")
    assert sorted(quiz.question_ids) == sorted(bank[:3])


def test_drawing_again_keeps_the_link_until_someone_answers(ctx, event_id, bank):
    event = stall.get_event(event_id)
    quiz = stall.open_stall_quiz(None, event, now=utcnow(), count=3)
    token = quiz.token
    again = stall.open_stall_quiz(None, event, now=utcnow(), count=4, collect_phone=True)
    assert again.id == quiz.id and again.token == token and len(again.question_ids) == 4
    stall.submit_entry(again, {str(q): "A" if s["type"] == "single" else "true"
                               for q, s in zip(again.question_ids, again.snapshots, strict=True)},
                       "k" * 64, None, utcnow())
    with pytest.raises(Conflict):
        stall.open_stall_quiz(None, event, now=utcnow(), count=3)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["outreach.stall.open", "outreach.stall.redraw"]


def test_the_counter_is_raised_by_the_database(ctx, event_id, bank):
    """A stale copy of the event in memory must not overwrite completions counted since."""
    event = stall.get_event(event_id)
    quiz = stall.open_stall_quiz(None, event, now=utcnow(), count=3)
    db.session.commit()
    assert event.quiz_completions == 0  # loaded, and about to go stale
    db.session.execute(text("UPDATE outreach_event SET quiz_completions = 5"))
    answers = {str(q): s["answer"] for q, s in zip(quiz.question_ids, quiz.snapshots,
                                                   strict=True)}
    entry, created = stall.submit_entry(quiz, answers, "a" * 64, None, utcnow())
    db.session.commit()
    assert created and entry.correct == entry.total == 3
    assert db.session.scalar(select(OutreachEvent.quiz_completions)) == 6
    again, created = stall.submit_entry(quiz, answers, "a" * 64, None, utcnow())
    assert again.id == entry.id and not created
    assert db.session.scalar(select(OutreachEvent.quiz_completions)) == 6


def test_phone_numbers(ctx):
    assert prize_phones.normalise_phone(" 138 0013-8000 ") == "13800138000"
    assert prize_phones.normalise_phone("+86 13800138000") == "13800138000"
    for bad in ("12800138000", "1380013800", "138001380001", "abc"):
        with pytest.raises(ValidationFailed):
            prize_phones.normalise_phone(bad)
    assert prize_phones.mask_phone("13812341234") == "138****1234"


# --- the public page ------------------------------------------------------------------------


def test_the_public_page_needs_no_login_and_sets_the_device_cookie(app, client, event_id, bank):
    _quiz_id, token = open_quiz(app, event_id)
    page = client.get(f"/q/{token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "宪法宣传周进社区" in html and "区司法局" in html and "第 1 / 3 题" in html
    assert "bottom-nav" not in html and "本问答不收集任何个人信息" in html
    assert 'name="phone"' not in html
    cookie = next(h for h in page.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/q/" in cookie
    assert "Secure" not in cookie and "Max-Age=31536000" in cookie
    assert page.headers["Cache-Control"] == "private, no-store"
    # The cookie is set once, not again on every visit.
    again = client.get(f"/q/{token}")
    assert not any(h.startswith(COOKIE + "=") for h in again.headers.getlist("Set-Cookie"))


@pytest.mark.app_config(HTTPS=True)
def test_the_device_cookie_is_secure_behind_https(app, client, event_id, bank):
    _quiz_id, token = open_quiz(app, event_id)
    page = client.get(f"/q/{token}", base_url="https://localhost")
    cookie = next(h for h in page.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "="))
    assert "Secure" in cookie


def test_answering_grades_counts_and_shows_the_result(app, client, event_id, bank):
    quiz_id, token = open_quiz(app, event_id)
    done = answer(client, token, answers_for(app, quiz_id, wrong=1))
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/q/{token}")
    result = client.get(f"/q/{token}").get_data(as_text=True)
    assert "提交成功" in result and result.count("感谢") == 1  # thanked once
    assert "如中奖" not in result  # this quiz asks for no phone number
    assert re.search(r"答对\s*<strong>2</strong>\s*/\s*3", result)
    assert "答错了" in result and "正确答案：" in result
    with app.app_context():
        quiz = db.session.get(StallQuiz, quiz_id)
        assert any(s["explanation"] in result for s in quiz.snapshots if s["explanation"])
    [entry] = entries(app)
    assert (entry.correct, entry.total, entry.phone) == (2, 3, None)
    cookie = client.get_cookie(COOKIE, path="/q/").value
    assert entry.device_key == hmac.new(b"test-secret", cookie.encode(),
                                        hashlib.sha256).hexdigest()
    assert cookie not in entry.device_key
    assert completions(app, event_id) == 1


def test_one_entry_per_device(app, client, event_id, bank):
    quiz_id, token = open_quiz(app, event_id)
    data = answers_for(app, quiz_id)
    answer(client, token, data)
    # Revisiting shows the result, not the questions; submitting again changes nothing.
    assert 'name="csrf_token"' not in client.get(f"/q/{token}").get_data(as_text=True)
    token_page = client.get("/login")  # the session's CSRF token is the same everywhere
    again = client.post(f"/q/{token}", data={**answers_for(app, quiz_id, wrong=3),
                                              "csrf_token": csrf_from(token_page)})
    assert again.status_code == 303
    html = client.get(f"/q/{token}").get_data(as_text=True)
    assert "您已经参加过本次问答" in html and re.search(r"<strong>3</strong>\s*/\s*3", html)
    assert len(entries(app)) == 1 and completions(app, event_id) == 1

    # Another phone counts as another completion.
    other = app.test_client()
    assert answer(other, token, data).status_code == 303
    assert len(entries(app)) == 2 and completions(app, event_id) == 2


def test_a_submission_without_the_device_cookie_is_refused(app, client, event_id, bank):
    quiz_id, token = open_quiz(app, event_id)
    page = client.get(f"/q/{token}")
    client.delete_cookie(COOKIE, path="/q/")
    refused = client.post(f"/q/{token}", data={**answers_for(app, quiz_id),
                                               "csrf_token": csrf_from(page)})
    assert refused.status_code == 400 and "Cookie" in refused.get_data(as_text=True)
    client.set_cookie(COOKIE, "short", path="/q/")  # not one of ours
    refused = client.post(f"/q/{token}", data={**answers_for(app, quiz_id),
                                               "csrf_token": csrf_from(page)})
    assert refused.status_code == 400
    assert entries(app) == [] and completions(app, event_id) == 0


def test_every_question_must_be_answered_and_answers_are_kept(app, client, event_id, bank):
    quiz_id, token = open_quiz(app, event_id)
    data = answers_for(app, quiz_id)
    last = list(data)[-1]
    kept_name, kept_value = list(data.items())[0]
    del data[last]
    refused = answer(client, token, data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "第 3 题还没有作答" in html
    assert re.search(rf'name="{kept_name}" value="{kept_value}"\s*(required)?\s*checked', html)
    assert entries(app) == []
    # Every question left blank is named at once, not one per try.
    names = list(data)
    refused = answer(client, token, {names[0]: data[names[0]]})
    assert "第 2、3 题还没有作答" in refused.get_data(as_text=True)


def test_without_csrf_token_nothing_is_written(app, client, event_id, bank):
    quiz_id, token = open_quiz(app, event_id)
    client.get(f"/q/{token}")
    refused = client.post(f"/q/{token}", data=answers_for(app, quiz_id))
    assert refused.status_code == 400 and "Cookie" in refused.get_data(as_text=True)
    assert entries(app) == []


def test_the_phone_is_never_stored_when_not_asked(app, client, event_id, bank):
    quiz_id, token = open_quiz(app, event_id)
    answer(client, token, {**answers_for(app, quiz_id), "phone": "13800138000"})
    [entry] = entries(app)
    assert entry.phone is None


def test_the_phone_is_validated_masked_exported_and_erased(app, client, admin_client, event_id,
                                                          bank):
    quiz_id, token = open_quiz(app, event_id, collect_phone=True)
    resident = app.test_client()
    page = resident.get(f"/q/{token}").get_data(as_text=True)
    assert 'name="phone"' in page and "仅用于本次活动抽奖" in page
    bad = answer(resident, token, {**answers_for(app, quiz_id), "phone": "12345"})
    assert bad.status_code == 422 and "11 位手机号" in bad.get_data(as_text=True)
    assert entries(app) == []
    assert answer(resident, token, {**answers_for(app, quiz_id),
                                    "phone": "138 1234 5678"}).status_code == 303
    assert "如中奖，工作人员将通过您留下的手机号联系您" in resident.get(f"/q/{token}").get_data(
        as_text=True)
    without_phone = app.test_client()
    assert answer(without_phone, token, answers_for(app, quiz_id)).status_code == 303
    assert [e.phone for e in entries(app)] == ["13812345678", None]
    # No number left, no promise of a call.
    assert "如中奖" not in without_phone.get(f"/q/{token}").get_data(as_text=True)

    admin_page = f"/admin/outreach/events/{event_id}/stall"
    html = admin_client.get(admin_page).get_data(as_text=True)
    assert "138****5678" in html and "13812345678" not in html
    export = post_with_csrf(admin_client, admin_page, f"{admin_page}/phones.csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert export.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert export.headers["Content-Disposition"] == (
        f'attachment; filename="event-{event_id}-phones.csv"; filename*=UTF-8\'\''
        + quote("宪法宣传周进社区-抽奖手机号.csv", safe=""))
    rows = list(csv.reader(io.StringIO(export.get_data().decode("utf-8-sig"))))
    assert rows[2] == ["序号", "提交时间", "答对题数", "题目数", "手机号"]
    assert [r[-1] for r in rows[3:]] == ["13812345678"]
    erased = post_with_csrf(admin_client, admin_page, f"{admin_page}/erase-phones",
                            follow_redirects=True)
    assert "已清除 1 个手机号" in erased.get_data(as_text=True)
    assert [e.phone for e in entries(app)] == [None, None]
    assert "138****5678" not in admin_client.get(admin_page).get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action)).all()
    assert {"outreach.stall.export_phones", "outreach.stall.erase_phones"} <= set(actions)


def test_a_scan_long_before_the_event_previews_the_questions_and_counts_nothing(
        app, client, event_id, bank):
    """An officer trying the printed code the day before adds nothing to the event's reach;
    from an hour before the start, answers count."""
    quiz_id, token = open_quiz(app, event_id)
    with app.app_context():
        event = db.session.get(OutreachEvent, event_id)
        event.starts_at, event.ends_at = utcnow() + timedelta(days=1), \
            utcnow() + timedelta(days=1, hours=3)
        db.session.commit()
    page = client.get(f"/q/{token}").get_data(as_text=True)
    assert "预览：本次有奖问答" in page and "起接受作答" in page
    data = answers_for(app, quiz_id)
    refused = answer(client, token, data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "现在只能预览题目，提交的答卷不计入" in html
    assert html.count("checked") == len(data)  # what was chosen is kept
    assert entries(app) == [] and completions(app, event_id) == 0
    # Said first, even with a blank answer.
    blank = answer(client, token, {})
    assert blank.status_code == 409 and "现在只能预览题目" in blank.get_data(as_text=True)

    with app.app_context():
        event = db.session.get(OutreachEvent, event_id)
        event.starts_at = utcnow() + timedelta(minutes=50)
        db.session.commit()
    assert answer(client, token, data).status_code == 303
    assert len(entries(app)) == 1 and completions(app, event_id) == 1


def test_answers_stop_counting_twelve_hours_after_the_event(app, client, admin_client, event_id,
                                                           bank):
    """A link kept after the event must not go on raising its reach in the upward report: a
    resident who took the leaflet home answers that evening, and no later."""
    quiz_id, token = open_quiz(app, event_id)
    data = {**answers_for(app, quiz_id), "csrf_token": csrf_from(client.get(f"/q/{token}"))}

    def event_ended(ago: timedelta) -> None:
        with app.app_context():
            event = db.session.get(OutreachEvent, event_id)
            event.ends_at = utcnow() - ago
            event.starts_at = event.ends_at - timedelta(hours=3)
            db.session.commit()

    event_ended(timedelta(hours=11, minutes=50))
    assert client.get(f"/q/{token}").status_code == 200
    event_ended(timedelta(hours=12, minutes=1))
    late = client.get(f"/q/{token}")
    assert late.status_code == 404 and "已结束" in late.get_data(as_text=True)
    assert client.post(f"/q/{token}", data=data).status_code == 404
    with app.app_context(), pytest.raises(NotFound):
        stall.submit_entry(db.session.get(StallQuiz, quiz_id), {}, "k" * 64, None, utcnow())
    assert entries(app) == [] and completions(app, event_id) == 0
    admin_page = admin_client.get(f"/admin/outreach/events/{event_id}/stall")
    html = admin_page.get_data(as_text=True)
    assert "已过作答时间" in html and "接受作答" in html

    event_ended(timedelta(hours=1))
    assert answer(client, token, data).status_code == 303
    assert completions(app, event_id) == 1


def test_a_closed_quiz_or_an_unknown_link_is_refused(app, client, event_id, bank):
    quiz_id, token = open_quiz(app, event_id)
    page = client.get(f"/q/{token}")
    data = {**answers_for(app, quiz_id), "csrf_token": csrf_from(page)}
    with app.app_context():
        stall.close_stall_quiz(None, db.session.get(StallQuiz, quiz_id), utcnow())
        db.session.commit()
    closed = client.get(f"/q/{token}")
    assert closed.status_code == 404 and "已结束" in closed.get_data(as_text=True)
    assert "login" not in closed.headers.get("Location", "")
    assert client.post(f"/q/{token}", data=data).status_code == 404
    unknown = client.get("/q/not-a-token")
    assert unknown.status_code == 404 and "已结束或链接有误" in unknown.get_data(as_text=True)
    assert "error-status" not in unknown.get_data(as_text=True)  # no big "404" for the public
    assert client.get("/q/" + "x" * 40).status_code == 404
    assert entries(app) == [] and completions(app, event_id) == 0


def test_verifying_the_event_closes_its_quiz_so_the_locked_figures_stay(
        app, client, admin_client, admin, event_id, bank):
    quiz_id, token = open_quiz(app, event_id)
    assert answer(client, token, answers_for(app, quiz_id)).status_code == 303
    with app.app_context():
        event = db.session.get(OutreachEvent, event_id)
        event.status = "submitted"
        services.verify_event(db.session.get(User, admin.id), event, event.ends_at)  # once over
        db.session.commit()
        quiz = db.session.get(StallQuiz, quiz_id)
        assert not quiz.open and quiz.closed_at is not None
        assert db.session.scalar(select(AuditEntry.summary).where(
            AuditEntry.action == "outreach.stall.close")).startswith("活动审核通过")
    late = app.test_client()
    assert answer(late, token, answers_for(app, quiz_id), environ_base={
        "REMOTE_ADDR": "10.0.0.7"}).status_code == 404
    # Neither reopening nor drawing again is allowed on the locked event.
    page_url = f"/admin/outreach/events/{event_id}/stall"
    page = admin_client.get(page_url).get_data(as_text=True)
    assert "活动已审核并锁定" in page and "重新开启" not in page and "重新抽题" not in page
    refused = post_with_csrf(admin_client, page_url, f"{page_url}/reopen", follow_redirects=True)
    assert "不能再开启有奖问答" in refused.get_data(as_text=True)
    with app.app_context():
        quiz = db.session.get(StallQuiz, quiz_id)
        assert not quiz.open
        with pytest.raises(Conflict, match="锁定"):
            stall.open_stall_quiz(None, quiz.event, now=utcnow(), count=3)
        # A quiz left open by older data takes no answer on a verified event either.
        quiz.open = True
        db.session.commit()
        with pytest.raises(NotFound):
            stall.submit_entry(quiz, {}, "c" * 64, None, utcnow())
        db.session.rollback()
    assert app.test_client().get(f"/q/{token}", environ_base={
        "REMOTE_ADDR": "10.0.0.8"}).status_code == 404
    assert completions(app, event_id) == 1 and len(entries(app)) == 1


# --- flooding -------------------------------------------------------------------------------


@pytest.mark.app_config(STALL_QUIZ_RATE_LIMIT="3 per minute")
def test_one_address_cannot_flood_by_throwing_cookies_away(app, client, event_id, bank):
    quiz_id, token = open_quiz(app, event_id)
    data = answers_for(app, quiz_id)
    statuses = []
    for _ in range(4):
        client.delete_cookie(COOKIE, path="/q/")  # a "new device" each time
        statuses.append(answer(client, token, data).status_code)
    assert statuses == [303, 303, 303, 429]
    assert len(entries(app)) == 3 and completions(app, event_id) == 3
    # The quiz again, in Chinese, with the answers sent still chosen (a crowd on one network
    # lost them): send again a little later. Another address is not affected.
    client.delete_cookie(COOKIE, path="/q/")
    blocked = answer(client, token, data)
    text = blocked.get_data(as_text=True)
    assert blocked.status_code == 429 and "同一时间提交的人太多，本次未能提交。您的答案仍在本页" in text
    page = lxml_html.fromstring(text)
    chosen = {box.get("name"): box.get("value") for box in page.xpath("//input[@checked]")}
    assert chosen == data
    assert page.xpath('//input[@name="csrf_token"]/@value')  # ready to send again
    assert len(entries(app)) == 3
    other = app.test_client()
    assert answer(other, token, data, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 303


@pytest.mark.app_config(STALL_QUIZ_CAP="2 per hour")
def test_a_quiz_takes_a_capped_number_of_submissions(app, event_id, bank):
    quiz_id, token = open_quiz(app, event_id)
    data = answers_for(app, quiz_id)
    responses = [answer(app.test_client(), token, data,
                        environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}) for n in range(1, 4)]
    assert [r.status_code for r in responses] == [303, 303, 429]
    assert completions(app, event_id) == 2
    # The quiz's hourly cap is no "wait half a minute": the friendly page says so.
    assert "请稍等一分钟后再刷新本页" in responses[2].get_data(as_text=True)
    assert "请稍等半分钟" not in responses[2].get_data(as_text=True)


@pytest.mark.app_config(STALL_QUIZ_PAGE_RATE_LIMIT="2 per minute")
def test_the_page_is_rate_limited_per_address(app, client, event_id, bank):
    _quiz_id, token = open_quiz(app, event_id)
    pages = [client.get(f"/q/{token}") for _ in range(3)]
    assert [p.status_code for p in pages] == [200, 200, 429]
    assert "操作过于频繁" in pages[2].get_data(as_text=True)
    assert "bottom-nav" not in pages[2].get_data(as_text=True)


# --- admin ----------------------------------------------------------------------------------


def test_admin_pages_are_for_admins_only(app, client, login, make_user, event_id, bank):
    open_quiz(app, event_id)
    base = f"/admin/outreach/events/{event_id}/stall"
    gets = [base, f"{base}/qr.svg", f"{base}/print"]
    posts = [base, f"{base}/close", f"{base}/reopen", f"{base}/phones.csv",
             f"{base}/erase-phones"]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for url in posts:
        assert client.post(url).status_code in (302, 400)
    login(make_user("staff1"))
    token = csrf_from(client.get("/"))
    for url in gets:
        assert client.get(url).status_code == 403
    for url in posts:
        assert client.post(url, data={"csrf_token": token, "count": 3}).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(StallQuiz.open)) is True
        assert db.session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action.like("outreach.stall.%"))) == 1  # only the opening


def test_admin_opens_the_quiz_and_gets_its_qr_code(app, admin_client, event_id, bank):
    page_url = f"/admin/outreach/events/{event_id}/stall"
    page = admin_client.get(page_url)
    assert page.status_code == 200 and "开启有奖问答" in page.get_data(as_text=True)
    refused = post_with_csrf(admin_client, page_url, page_url, {"count": 11})
    assert refused.status_code == 422
    refused = post_with_csrf(admin_client, page_url, page_url, {"count": 3, "tag": "刑法"})
    assert refused.status_code == 422 and "只有 0 道" in refused.get_data(as_text=True)
    opened = post_with_csrf(admin_client, page_url, page_url,
                            {"count": 4, "tag": "", "collect_phone": "y"})
    assert opened.status_code == 302
    with app.app_context():
        quiz = db.session.scalar(select(StallQuiz))
        assert len(quiz.question_ids) == 4 and quiz.collect_phone and quiz.open
        token = quiz.token
    html = admin_client.get(page_url).get_data(as_text=True)
    assert f"http://localhost/q/{token}" in html and "qr.svg" in html and "还没有人作答" in html

    svg = admin_client.get(f"{page_url}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    body = svg.get_data(as_text=True)
    assert "<svg" in body
    # A full QR code (version 1 is 21 modules; a Micro QR is at most 17) with its quiet zone.
    width = int(re.search(r'width="(\d+)"', body).group(1))
    assert width >= (21 + 8) * 10

    printed = admin_client.get(f"{page_url}/print").get_data(as_text=True)
    assert "宪法宣传周进社区" in printed and "qr.svg" in printed and f"/q/{token}" in printed

    closed = post_with_csrf(admin_client, page_url, f"{page_url}/close", follow_redirects=True)
    assert "已关闭" in closed.get_data(as_text=True)
    assert admin_client.get(f"/q/{token}").status_code == 404
    post_with_csrf(admin_client, page_url, f"{page_url}/reopen")
    assert admin_client.get(f"/q/{token}").status_code == 200


def test_admin_without_a_quiz_gets_404_for_its_parts(admin_client, event_id):
    assert admin_client.get(f"/admin/outreach/events/{event_id}/stall/qr.svg").status_code == 404
    assert admin_client.get("/admin/outreach/events/999/stall").status_code == 404


@pytest.mark.parametrize("huge", ["2147483648", "99999999999999999999"])
def test_a_huge_page_or_event_id_is_the_last_page_or_a_404(app, admin_client, event_id, bank,
                                                          huge):
    """Both were 500s on PostgreSQL ("out of range")."""
    quiz_id, token = open_quiz(app, event_id)
    page_url = f"/admin/outreach/events/{event_id}/stall"
    response = admin_client.get(f"{page_url}?page={huge}")
    assert response.status_code == 200  # no entries yet: the only page, empty
    answer(app.test_client(), token, answers_for(app, quiz_id))
    response = admin_client.get(f"{page_url}?page={huge}")
    assert response.status_code == 302 and response.headers["Location"] == f"{page_url}?page=1"
    assert admin_client.get(f"/admin/outreach/events/{huge}/stall").status_code == 404


def test_results_page_shows_statistics_in_constant_queries(app, admin_client, event_id, bank, count_queries):
    quiz_id, token = open_quiz(app, event_id)
    page_url = f"/admin/outreach/events/{event_id}/stall"
    answer(app.test_client(), token, answers_for(app, quiz_id))
    few = count_queries(lambda: admin_client.get(page_url))
    for wrong in (1, 2, 3, 3):
        answer(app.test_client(), token, answers_for(app, quiz_id, wrong=wrong))
    many = count_queries(lambda: admin_client.get(page_url))
    assert few == many
    html = admin_client.get(page_url).get_data(as_text=True)
    assert re.search(r"完成人次.*?<strong>5</strong>", html, re.S)
    assert "1.2 / 3" in html  # (3 + 2 + 1 + 0 + 0) / 5
    with app.app_context():
        results = stall.stall_results(db.session.get(StallQuiz, quiz_id))
    assert results.entries == 5 and results.distribution == [(0, 2), (1, 1), (2, 1), (3, 1)]
    assert [(q.answered, q.correct) for q in results.questions] == [(5, 1), (5, 2), (5, 3)]
    assert results.questions[2].rate == pytest.approx(0.6)


def test_two_requests_of_one_device_at_once_make_one_entry(ctx, event_id, bank, monkeypatch):
    """The unique key settles a race the first look-up missed: the earlier entry wins."""
    event = stall.get_event(event_id)
    quiz = stall.open_stall_quiz(None, event, now=utcnow(), count=3)
    answers = {str(q): s["answer"] for q, s in zip(quiz.question_ids, quiz.snapshots,
                                                   strict=True)}
    first, _created = stall.submit_entry(quiz, answers, "b" * 64, None, utcnow())
    db.session.commit()
    looks = iter([None])
    real = stall.entry_for_device
    monkeypatch.setattr(stall, "entry_for_device",
                        lambda q, key: next(looks, None) or real(q, key))
    again, created = stall.submit_entry(quiz, answers, "b" * 64, None, utcnow())
    db.session.commit()
    assert not created and again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(StallQuizEntry)) == 1
    assert db.session.scalar(select(OutreachEvent.quiz_completions)) == 1


def test_a_verified_event_without_a_quiz_says_it_cannot_open_one(app, admin_client, admin,
                                                                 event_id):
    with app.app_context():
        event = db.session.get(OutreachEvent, event_id)
        event.status, event.participants = "submitted", 40  # it reached people
        services.verify_event(db.session.get(User, admin.id), event, event.ends_at)  # once over
        db.session.commit()
    page = admin_client.get(f"/admin/outreach/events/{event_id}/stall").get_data(as_text=True)
    assert "活动已审核，不能再开启有奖问答" in page and "已关闭" not in page


def test_the_print_sheet_of_a_closed_quiz_shows_no_code(app, admin_client, event_id, bank):
    quiz_id, token = open_quiz(app, event_id)
    url = f"/admin/outreach/events/{event_id}/stall/print"
    sheet = admin_client.get(url).get_data(as_text=True)
    assert "stall/qr.svg" in sheet and f"/q/{token}" in sheet and "已无法答题" not in sheet
    with app.app_context():
        stall.close_stall_quiz(None, db.session.get(StallQuiz, quiz_id), utcnow())
        db.session.commit()
    closed = admin_client.get(url).get_data(as_text=True)
    assert "扫码已无法答题，因此不显示二维码" in closed
    assert "stall/qr.svg" not in closed and f"/q/{token}" not in closed
