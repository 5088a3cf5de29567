"""Cancelling a session through its admin page: the reason is required, and a running
plan's item asking for the session is named before and after (it cannot be done until
the plan names another session)."""

from __future__ import annotations

from datetime import date, timedelta

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.sessions.models import StudySession
from tests.conftest import post_with_csrf
from tests.plans.test_kinds import add_item, make_plan
from tests.sessions.test_leave_and_attendance import make_session


def test_cancelling_a_session_a_plan_asks_for_names_the_plan(app, admin_client):
    today = date.today()
    with app.app_context():
        session_id = make_session(utcnow() + timedelta(days=3), title="民法典专题讲座").id
        other_id = make_session(utcnow() + timedelta(days=4), title="宪法学习会").id
        plan = make_plan("年度学法计划", starts_on=today, ends_on=today + timedelta(days=30))
        add_item(plan, "session", title="参加民法典讲座", settings={"session_id": session_id})
        ended = make_plan("上年计划", starts_on=today - timedelta(days=400),
                          ends_on=today - timedelta(days=35))
        add_item(ended, "session", title="旧事项", settings={"session_id": session_id})
        db.session.commit()
    url = f"/admin/sessions/{session_id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert ("学习计划的事项要求参加本次活动：《年度学法计划》的“参加民法典讲座”。"
            "取消后请在计划中改选其他场次。") in page
    cancel_panel = page[page.index("<h2>取消活动</h2>"):page.index('id="delete-heading"')]
    assert "旧事项" not in cancel_panel  # an ended plan's item is not a reason to re-plan
    # Deleting is another matter: every plan naming it keeps it, ended or not.
    delete_panel = page[page.index('id="delete-heading"'):]
    assert "这场活动不能删除" in delete_panel and "旧事项" in delete_panel \
        and "参加民法典讲座" in delete_panel
    assert "学习计划的事项要求" not in admin_client.get(f"/admin/sessions/{other_id}").get_data(
        as_text=True)

    missing_reason = post_with_csrf(admin_client, url, f"{url}/cancel", {"reason": ""},
                                    follow_redirects=True).get_data(as_text=True)
    assert "请填写取消原因。" in missing_reason
    done = post_with_csrf(admin_client, url, f"{url}/cancel", {"reason": "讲师临时出差"},
                          follow_redirects=True).get_data(as_text=True)
    assert "已取消本次活动" in done
    assert ('class="flash flash-warning" role="status">学习计划的事项要求参加本次活动：'
            '《年度学法计划》的“参加民法典讲座”。请在计划中改选其他场次；'
            '改选前，这些事项不计入任何人的完成情况。') in done
    with app.app_context():
        assert db.session.get(StudySession, session_id).cancel_reason == "讲师临时出差"
