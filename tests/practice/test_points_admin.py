"""Admin pages of points: the rules and settings form (validation, audit) and the report of
accounts with machine-like timing (with its CSV)."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lawlearn.accounts.models import AuditEntry
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.practice import points
from lawlearn.practice.admin_forms import field_name
from lawlearn.practice.models import (
    ChallengeAnswer,
    ChallengeRun,
    DailySet,
    DailySetItem,
    PointRule,
    TimingFlag,
)
from lawlearn.settings import DEFAULTS, SiteSetting, get_settings
from tests.conftest import csrf_from

RULES_URL = "/admin/practice/rules"
TIMING_URL = "/admin/practice/timing"


def form_data(**changes) -> dict[str, str]:
    """The rules form as the page fills it in (the defaults), with ``changes``."""
    data: dict[str, str] = {}
    for key, rule in points.RULES.items():
        data[field_name(key, "amount")] = str(rule.amount)
        data[field_name(key, "cap")] = "" if rule.daily_cap is None else str(rule.daily_cap)
        data[field_name(key, "enabled")] = "y"
    for key in points.PRACTICE_SETTINGS:
        data[field_name(key, "value")] = str(DEFAULTS[key])
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def post_rules(client, data: dict[str, str]):
    token = csrf_from(client.get(RULES_URL))
    return client.post(RULES_URL, data={**data, "csrf_token": token})


def test_staff_are_refused_on_the_admin_pages(app, client, login, make_user):
    login(make_user("staffer"))
    assert client.get(RULES_URL).status_code == 403
    assert client.get(TIMING_URL).status_code == 403
    assert client.get(f"{TIMING_URL}?format=csv").status_code == 403
    token = csrf_from(client.get("/practice/points"))
    response = client.post(RULES_URL, data={**form_data(quiz_passed_amount="99"),
                                            "csrf_token": token})
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalars(select(PointRule)).all() == []


def test_the_form_shows_every_rule_and_setting(admin_client):
    html = admin_client.get(RULES_URL).get_data(as_text=True)
    for rule in points.RULES.values():
        assert str(rule.label) in html
    for spec in points.PRACTICE_SETTINGS.values():
        assert str(spec.label) in html
    assert re.search(r'<input[^>]*name="material_read_cap"[^>]*type="number" value="10">', html)
    assert re.search(r'<input[^>]*name="quiz_passed_cap"[^>]*type="number" value="">', html)
    assert '/admin/practice/rules' in html and '/admin/practice/timing' in html  # navigation


@pytest.mark.parametrize("changes, message", [
    ({"quiz_passed_amount": "-1"}, "积分须在 0 到 1000 之间。"),
    ({"quiz_passed_amount": ""}, "请填写积分（0 或正整数）。"),
    ({"material_read_cap": "0"}, "每日上限须在 1 到 100,000 之间；不设上限请留空。"),
    ({"material_read_cap": "99999999999"}, "每日上限须在 1 到 100,000 之间"),  # was a 500
    ({"article_read_amount": "abc"}, "请填写整数。"),
    ({"practice_daily_size_value": "25"}, "每日一练题数须在 1 到 20 题之间。"),
    ({"practice_challenge_seconds_value": "5"}, "挑战答题每题限时须在 10 到 120 秒之间。"),
    ({"practice_floor_base_ms_value": "10001"}, "须在 0 到 10000 毫秒之间。"),
    ({"practice_floor_ms_per_char_value": "501"}, "须在 0 到 500 毫秒之间。"),
])
def test_invalid_input_re_renders_and_changes_nothing(app, admin_client, changes, message):
    # A valid change alongside the invalid one must not be saved either.
    response = post_rules(admin_client, form_data(session_attended_amount="8", **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and "尚未保存任何修改" in html
    assert 'value="8"' in html  # what was typed is kept
    with app.app_context():
        assert db.session.scalars(select(PointRule)).all() == []
        assert db.session.scalars(select(SiteSetting)).all() == []
        assert db.session.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(["points.rule", "practice.setting"]))).all() == []


def test_a_valid_change_is_saved_audited_and_takes_effect(app, admin_client, make_user, admin):
    response = post_rules(admin_client, form_data(
        material_read_amount="3", material_read_cap="", quiz_passed_enabled=None,
        practice_floor_ms_per_char_value="40"))
    assert response.status_code == 302 and response.headers["Location"] == RULES_URL
    assert "已保存 3 项修改" in admin_client.get(RULES_URL).get_data(as_text=True)
    learner = make_user()
    with app.app_context():
        rules = points.current_rules()
        assert (rules["material_read"].amount, rules["material_read"].daily_cap) == (3, None)
        assert rules["quiz_passed"].enabled is False
        assert get_settings("practice.floor_ms_per_char")["practice.floor_ms_per_char"] == 40
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.in_(
            ["points.rule", "practice.setting"])).order_by(AuditEntry.id)).all()
        assert [(e.action, e.actor_id) for e in entries] == [
            ("points.rule", admin.id), ("points.rule", admin.id), ("practice.setting", admin.id)]
        assert {e.details.get("rule") for e in entries[:2]} == {"material_read", "quiz_passed"}
        assert entries[2].details == {"key": "practice.floor_ms_per_char", "before": 8,
                                      "after": 40}
        now = utcnow()
        assert [points.award(learner.id, "material_read", f"material:{i}", now)
                for i in range(6)] == [3] * 6  # no cap any more
        assert points.award(learner.id, "quiz_passed", "quiz:1", now) == 0  # switched off
    log = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "修改积分规则" in log and "修改练习设置" in log
    # Saving the same values again changes nothing and writes nothing.
    again = post_rules(admin_client, form_data(
        material_read_amount="3", material_read_cap="", quiz_passed_enabled=None,
        practice_floor_ms_per_char_value="40"))
    assert again.status_code == 302
    assert "没有需要保存的修改" in admin_client.get(RULES_URL).get_data(as_text=True)
    with app.app_context():
        assert db.session.query(AuditEntry).filter(AuditEntry.action.in_(
            ["points.rule", "practice.setting"])).count() == 3


def test_post_without_csrf_changes_nothing(app, admin_client):
    admin_client.get(RULES_URL)
    response = admin_client.post(RULES_URL, data=form_data(quiz_passed_amount="50"))
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(PointRule)).all() == []


# --- the timing report ----------------------------------------------------------------------


def answered(user_id: int, question_id: int, when: datetime, *, daily: int = 0,
             challenge: int = 0, flags: list[tuple[int, int]] = ()) -> None:
    """``daily`` set items and ``challenge`` answers answered at ``when``; ``flags`` are
    (elapsed ms, floor ms) of the too-fast ones among them."""
    if daily:
        daily_set = DailySet(user_id=user_id, day=when.date(), created_at=when)
        daily_set.items = [DailySetItem(question_id=question_id + i, position=i,
                                        snapshot={"stem": "题"}, answered_at=when,
                                        elapsed_ms=1000, correct=True)
                           for i in range(daily)]
        db.session.add(daily_set)
    if challenge:
        run = ChallengeRun(user_id=user_id, status="ended", started_at=when, ended_at=when)
        run.answers = [ChallengeAnswer(question_id=question_id, position=i, snapshot={},
                                       correct=True, shown_at=when, answered_at=when,
                                       elapsed_ms=500) for i in range(challenge)]
        db.session.add(run)
    for elapsed, floor in flags:
        db.session.add(TimingFlag(user_id=user_id, question_id=question_id, context="daily",
                                  elapsed_ms=elapsed, floor_ms=floor, created_at=when))
    db.session.flush()


@pytest.fixture
def question_ids(make_questions):
    return make_questions()


def test_timing_report_lists_flagged_accounts_with_their_share(app, admin_client, make_user,
                                                               make_department, question_ids):
    unit = make_department("区司法局")
    section = make_department("普法科", unit)
    bot = make_user("bot", name="快手", department_id=section)
    careful = make_user("careful", name="细心")
    old = make_user("old", name="早先")
    now = utcnow()
    with app.app_context():
        answered(bot.id, question_ids[0], now - timedelta(days=1), daily=3, challenge=5,
                 flags=[(200, 3000), (300, 3500), (250, 2600), (400, 3000)])
        answered(careful.id, question_ids[0], now - timedelta(days=2), daily=3,
                 flags=[(2900, 3000)])
        answered(old.id, question_ids[0], now - timedelta(days=45), daily=3,
                 flags=[(100, 3000)])  # outside the last 30 days
        db.session.commit()
    page = admin_client.get(TIMING_URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "快手" in html and "区司法局/普法科" in html and "细心" in html
    assert "早先" not in html
    assert html.index("快手") < html.index("细心")  # most flags first
    assert "50.0%" in html  # 4 of 8 practice answers
    assert "33.3%" in html  # 1 of 3
    assert "275 毫秒" in html and "3,000 毫秒" in html  # medians: elapsed and floor

    earlier = (now - timedelta(days=60)).date().isoformat()
    wide = admin_client.get(f"{TIMING_URL}?from={earlier}").get_data(as_text=True)
    assert "早先" in wide

    export = admin_client.get(f"{TIMING_URL}?format=csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][:5] == ["统计期间", "姓名", "用户名", "部门", "被标记答题"]
    assert [(r[1], r[4], r[5], r[6]) for r in rows[1:]] == [
        ("快手", "4", "8", "50.0%"), ("细心", "1", "3", "33.3%")]


def test_timing_report_is_empty_without_flags(admin_client):
    html = admin_client.get(TIMING_URL).get_data(as_text=True)
    assert "这段时间没有答题快于阅读下限的账号" in html


def test_timing_report_ignores_dates_out_of_range(admin_client):
    # Year 1 and year 9999 cannot be moved to UTC (they were a 500): the default period.
    for query in ("from=0001-01-01", "to=9999-12-31", "from=0001-01-01&to=9999-12-31&format=csv"):
        response = admin_client.get(f"{TIMING_URL}?{query}")
        assert response.status_code == 200, query
    html = admin_client.get(f"{TIMING_URL}?from=0001-01-01").get_data(as_text=True)
    assert 'value="0001-01-01"' not in html


def test_timing_report_takes_a_fixed_number_of_queries(app, admin_client, make_user,
                                                       question_ids, count_queries):
    def add_people(count: int) -> None:
        people = [make_user() for _ in range(count)]
        with app.app_context():
            for person in people:
                answered(person.id, question_ids[0], utcnow() - timedelta(hours=1), daily=2,
                         challenge=2, flags=[(100, 2000), (200, 2000)])
            db.session.commit()

    def queries() -> int:
        return count_queries(lambda: admin_client.get(TIMING_URL))

    add_people(2)
    small = queries()
    add_people(15)
    large = queries()
    assert small == large
