"""The plans admin pages: only admins, forms that keep what was typed and change nothing on
error, publish / copy / close / delete through the pages, the progress matrix (a constant
number of queries, pagination, words for every status) and its XLSX export."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from urllib.parse import quote

import openpyxl
import pytest
from lxml import html
from sqlalchemy import func, select

from lawlearn.accounts.models import Department, User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.library.models import ArticleStudy, LawArticle
from lawlearn.localtime import local_day
from lawlearn.plans import actions, publishing, stages
from lawlearn.plans.models import Notice, Plan, PlanItem, PlanItemProgress, PlanStage
from lawlearn.plans.notices import notify
from tests.conftest import csrf_from, post_with_csrf
from tests.plans.test_kinds import (
    attempt,
    attend,
    department,
    import_law,
    make_person,
    make_quiz,
    make_session,
    practice_day,
)
from tests.plans.test_services import item, new_plan, published_material


@pytest.fixture
def today(app) -> date:
    with app.app_context():
        return local_day(utcnow())


def make_draft(app, today: date, title: str = "年度学法计划") -> int:
    with app.app_context():
        plan = new_plan(title, starts_on=today - timedelta(days=100),
                        ends_on=today + timedelta(days=100))
        item(plan, "reflection", {"min_length": 10}, title="撰写心得")
        db.session.commit()
        return plan.id


def plan_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Plan))


# --- access ------------------------------------------------------------------------------------


def test_staff_get_403_on_every_admin_plans_route(app, client, login, make_user, today):
    plan_id = make_draft(app, today)
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        stage = stages.add_stage(None, plan, "一月", utcnow())
        db.session.commit()
        ids = {"plan_id": plan_id, "item_id": plan.items[0].id, "stage_id": stage.id}
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("plans_admin.")]
    assert len(rules) >= 18
    urls = []
    for rule in rules:
        path = rule.rule
        for name, value in ids.items():
            path = path.replace(f"<int:{name}>", str(value))
        assert "<" not in path
        urls.append((path, rule.methods))
    for path, methods in urls:  # anonymous: to the login page (a POST fails its CSRF check)
        if "GET" in methods:
            assert client.get(path).status_code == 302, path
        else:
            assert client.post(path).status_code in (302, 400), path
    login(make_user("staffer"))
    page_token = csrf_from(client.get("/"))
    for path, methods in urls:
        if "GET" in methods:
            assert client.get(path).status_code == 403, path
        if "POST" in methods:
            assert client.post(path, data={"csrf_token": page_token}).status_code == 403, path
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        assert (plan.status, len(plan.items), len(plan.stages)) == ("draft", 1, 1)


# --- forms -------------------------------------------------------------------------------------


def test_the_plan_form_shows_errors_keeps_what_was_typed_and_saves_nothing(admin_client, app):
    assert admin_client.get("/admin/plans/new").status_code == 200
    bad = post_with_csrf(admin_client, "/admin/plans/new", "/admin/plans/new", {
        "title": "2026年度学法计划", "kind": "annual", "starts_on": "2026-12-31",
        "ends_on": "2026-01-01", "required_hours": "40"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "结束日期不能早于开始日期。" in html and 'value="2026年度学法计划"' in html
    missing = post_with_csrf(admin_client, "/admin/plans/new", "/admin/plans/new", {
        "title": "", "kind": "annual", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
        "required_hours": "-2"})
    assert missing.status_code == 422
    assert "请填写计划名称。" in missing.get_data(as_text=True)
    assert plan_count(app) == 0

    good = post_with_csrf(admin_client, "/admin/plans/new", "/admin/plans/new", {
        "title": "2026年度学法计划", "kind": "annual", "starts_on": "2026-01-01",
        "ends_on": "2026-12-31", "required_hours": "40", "description": "全年安排"})
    assert good.status_code == 302
    with app.app_context():
        plan = db.session.scalar(select(Plan))
        assert (plan.title, plan.required_hours, plan.status) == ("2026年度学法计划", 40, "draft")
    edit = f"/admin/plans/{plan.id}/edit"
    assert "全年安排" in admin_client.get(edit).get_data(as_text=True)
    assert post_with_csrf(admin_client, edit, edit, {
        "title": "改名", "kind": "annual", "starts_on": "2026-01-01", "ends_on": "2025-01-01",
        "required_hours": "40"}).status_code == 422
    with app.app_context():
        assert db.session.get(Plan, plan.id).title == "2026年度学法计划"


def test_the_item_form_validates_each_kind_and_keeps_the_input(admin_client, app, today):
    plan_id = make_draft(app, today)
    with app.app_context():
        law = import_law()
        material = published_material()
        db.session.commit()
        law_id, material_id = law.id, material.id
    page = f"/admin/plans/{plan_id}"
    html = admin_client.get(page).get_data(as_text=True)
    assert "plan_item_form.js" in html and 'data-kinds="articles"' in html
    assert f'data-law="{law_id}"' in html  # chapters carry their law for the script

    base = {"title": "宣传片", "kind": "video", "hours": "1", "points": "2", "required": "y",
            "url": "ftp://example.org/v.mp4", "min_seconds": "90"}
    bad = post_with_csrf(admin_client, page, f"{page}/items", base)
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert "请填写以 http:// 或 https:// 开头的视频链接。" in html
    assert 'value="ftp://example.org/v.mp4"' in html and 'value="宣传片"' in html
    both = post_with_csrf(admin_client, page, f"{page}/items", {
        "kind": "articles", "law_id": str(law_id), "division_id": "", "from_number": "9",
        "to_number": "2", "hours": "0", "points": "0"})
    assert both.status_code == 422 and "结束条文不能小于起始条文" in both.get_data(as_text=True)
    # The service names every problem it finds at once: the link and the date.
    late = (today + timedelta(days=200)).isoformat()
    several = post_with_csrf(admin_client, page, f"{page}/items", {**base, "due_on": late})
    html = several.get_data(as_text=True)
    assert several.status_code == 422
    assert "请填写以 http:// 或 https:// 开头的视频链接。" in html
    assert "截止日期须在计划期间" in html
    wrong_type = post_with_csrf(admin_client, page, f"{page}/items", {
        **base, "url": "https://example.org/v.mp4", "hours": "很多"})
    assert wrong_type.status_code == 422
    # The form's own check (学时 not a number) does not hide the service's.
    all_three = post_with_csrf(admin_client, page, f"{page}/items", {
        **base, "hours": "很多", "due_on": late})
    html = all_three.get_data(as_text=True)
    assert all_three.status_code == 422 and html.count('<p class="error"') == 3, html
    assert "请填写以 http:// 或 https:// 开头的视频链接。" in html
    assert "截止日期须在计划期间" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PlanItem)) == 1

    added = post_with_csrf(admin_client, page, f"{page}/items", {
        **base, "url": "https://example.org/v.mp4", "due_on": (today + timedelta(days=5))
        .isoformat()})
    assert added.status_code == 302
    read = post_with_csrf(admin_client, page, f"{page}/items", {
        "kind": "material", "material_id": str(material_id), "min_seconds": "", "hours": "0.5",
        "points": "0"})
    assert read.status_code == 302
    with app.app_context():
        video, material_item = db.session.scalars(select(PlanItem).where(
            PlanItem.kind.in_(("video", "material"))).order_by(PlanItem.id)).all()
        assert video.settings == {"url": "https://example.org/v.mp4", "min_seconds": 90}
        assert (video.hours, video.points, video.required) == (1, 2, True)
        assert material_item.settings == {"material_id": material_id, "min_seconds": 60}
        assert material_item.title == "阅读《宪法学习辅导》" and not material_item.required
        video_id = video.id

    edit = f"{page}/items/{video_id}"
    form = admin_client.get(edit).get_data(as_text=True)
    assert 'value="https://example.org/v.mp4"' in form and 'value="90"' in form
    refused = post_with_csrf(admin_client, edit, edit, {**base, "url": "https://example.org/v2",
                                                         "due_on": "2020-01-01"})
    assert refused.status_code == 422 and "截止日期须在计划期间" in refused.get_data(as_text=True)
    saved = post_with_csrf(admin_client, edit, edit, {**base, "url": "https://example.org/v2",
                                                       "title": "新宣传片"})
    assert saved.status_code == 302
    with app.app_context():
        video = db.session.get(PlanItem, video_id)
        assert (video.title, video.settings["url"], video.due_on) == (
            "新宣传片", "https://example.org/v2", None)

    detail = admin_client.get(page).get_data(as_text=True)
    assert "新宣传片" in detail and "观看视频" in detail and "阅读资料" in detail
    deleted = post_with_csrf(admin_client, page, f"{edit}/delete")
    assert deleted.status_code == 302
    with app.app_context():
        assert db.session.get(PlanItem, video_id) is None


def test_stages_through_the_page(admin_client, app, today):
    plan_id = make_draft(app, today)
    page = f"/admin/plans/{plan_id}"
    empty = post_with_csrf(admin_client, page, f"{page}/stages", {"stage-title": ""})
    assert empty.status_code == 422 and "请填写阶段名称" in empty.get_data(as_text=True)
    for title in ("一月", "二月"):
        assert post_with_csrf(admin_client, page, f"{page}/stages",
                              {"stage-title": title}).status_code == 302
    with app.app_context():
        first, second = db.session.scalars(select(PlanStage).order_by(PlanStage.id)).all()
    post_with_csrf(admin_client, page, f"{page}/stages/{second.id}/move", {"direction": "up"})
    post_with_csrf(admin_client, page, f"{page}/stages/{first.id}/rename", {"title": "第一阶段"})
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        assert [s.title for s in plan.stages] == ["二月", "第一阶段"]
    assert post_with_csrf(admin_client, page, f"{page}/stages/{second.id}/delete").status_code == 302
    with app.app_context():
        assert [s.title for s in db.session.get(Plan, plan_id).stages] == ["第一阶段"]


def test_the_audience_form(admin_client, app, make_user, make_department, today):
    plan_id = make_draft(app, today)
    unit = make_department("执法局")
    make_user("ann", department_id=unit)
    url = f"/admin/plans/{plan_id}/audience"
    nothing = post_with_csrf(admin_client, url, url, {"usernames": ""})
    assert nothing.status_code == 422
    assert "请选择部门、人员或角色" in nothing.get_data(as_text=True)
    unknown = post_with_csrf(admin_client, url, url, {"usernames": "ann ghost"})
    assert unknown.status_code == 422 and "ghost" in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Plan, plan_id).audience_all
    saved = post_with_csrf(admin_client, url, url, {"department_ids": [str(unit)],
                                                     "roles": ["leader"], "usernames": "ann"})
    assert saved.status_code == 302
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        assert not plan.audience_all
        assert sorted((a.department_id or 0, a.role or "", a.user_id or 0)
                      for a in plan.audience)[0] == (0, "", db.session.scalar(
                          select(User.id).filter_by(username="ann")))
        assert len(plan.audience) == 3
    html = admin_client.get(url).get_data(as_text=True)
    assert re.search(rf'value="{unit}"[^>]*checked|checked[^>]*value="{unit}"', html)
    assert "执法局" in admin_client.get(f"/admin/plans/{plan_id}").get_data(as_text=True)


def test_publish_copy_close_and_delete_through_the_pages(admin_client, app, make_user, today):
    ann = make_user("ann")
    plan_id = make_draft(app, today, f"{today.year}年度学法计划")
    page = f"/admin/plans/{plan_id}"
    assert "确定删除" in admin_client.get(f"{page}/delete").get_data(as_text=True)
    assert post_with_csrf(admin_client, page, f"{page}/publish").status_code == 302
    with app.app_context():
        assert db.session.get(Plan, plan_id).status == "published"
        notified = set(db.session.scalars(select(Notice.user_id)))
        assert ann.id in notified and len(notified) == 2  # ann and the admin
    refused = post_with_csrf(admin_client, page, f"{page}/delete", follow_redirects=True)
    assert "只能删除草稿" in refused.get_data(as_text=True)
    assert plan_count(app) == 1

    preview = admin_client.get(f"{page}/copy").get_data(as_text=True)
    assert f"{today.year + 1}年度学法计划" in preview
    with app.app_context():
        quiz = make_quiz()
        plan = db.session.get(Plan, plan_id)
        plan.items.append(PlanItem(kind="quiz", title="年度测验", settings={"quiz_id": quiz.id}))
        db.session.commit()
    copied = post_with_csrf(admin_client, f"{page}/copy", f"{page}/copy")
    assert copied.status_code == 302
    with app.app_context():
        copy = db.session.scalar(select(Plan).where(Plan.copied_from_id == plan_id))
        assert (copy.title, copy.status) == (f"{today.year + 1}年度学法计划", "draft")
        copy_id = copy.id
    copy_page = admin_client.get(copied.location).get_data(as_text=True)
    assert "需重新选择" in copy_page and "年度测验" in copy_page
    assert post_with_csrf(admin_client, copied.location,
                          f"/admin/plans/{copy_id}/publish").status_code == 302
    with app.app_context():
        assert db.session.get(Plan, copy_id).status == "draft"  # the quiz must be chosen again

    assert "确定结束" in admin_client.get(f"{page}/close").get_data(as_text=True)
    assert post_with_csrf(admin_client, f"{page}/close", f"{page}/close").status_code == 302
    with app.app_context():
        assert db.session.get(Plan, plan_id).status == "closed"
    assert "不能再修改" in admin_client.get(page).get_data(as_text=True)
    # Its edit page leads back to the plan with the reason, rather than a form to be refused.
    refused = admin_client.get(f"{page}/edit", follow_redirects=True)
    assert refused.request.path == page and "计划已结束，不能再修改。" in refused.get_data(as_text=True)
    assert 'name="title"' not in refused.get_data(as_text=True)
    assert post_with_csrf(admin_client, f"/admin/plans/{copy_id}/delete",
                          f"/admin/plans/{copy_id}/delete").status_code == 302
    assert plan_count(app) == 1

    listing = admin_client.get("/admin/plans/?status=closed&q=年度").get_data(as_text=True)
    assert f"{today.year}年度学法计划" in listing
    assert "没有符合条件的学习计划" in admin_client.get("/admin/plans/?status=draft").get_data(
        as_text=True)


# --- the progress matrix -------------------------------------------------------------------------


def progress_plan(app, today: date, size: int, name: str, code: str = "zf") -> tuple[int, int]:
    """A published plan for a department of ``size`` people, with an item of every kind and
    some progress on each; returns (plan id, department id)."""
    with app.app_context():
        unit = department(name)
        section = department(f"{name}一科", unit)
        people = [make_person(f"{code}{i:03d}", department_id=(unit if i % 2 else section).id)
                  for i in range(size)]
        law = db.session.scalar(select(LawArticle.law_id)) or import_law().id
        quiz, session, material = make_quiz(), make_session(), published_material()
        plan = new_plan(f"{name}学法", starts_on=today - timedelta(days=100),
                        ends_on=today + timedelta(days=100))
        publishing.set_audience(None, plan, utcnow(), everyone=False, department_ids=[unit.id])
        overdue = today - timedelta(days=10)
        item(plan, "articles", {"law_id": law, "from_number": 1, "to_number": 2}, due_on=overdue)
        item(plan, "material", {"material_id": material.id})
        item(plan, "quiz", {"quiz_id": quiz.id})
        item(plan, "session", {"session_id": session.id})
        reflection = item(plan, "reflection", {"min_length": 5, "review": True})
        item(plan, "video", {"url": "https://example.org/v"}, title="视频", required=False)
        item(plan, "streak", {"days": 2})
        publishing.publish_plan(None, plan, utcnow())
        articles = db.session.scalars(select(LawArticle.id).where(
            LawArticle.law_id == law, LawArticle.number <= 2)).all()
        for index, person in enumerate(people):
            if index % 3 == 0:
                db.session.add_all([ArticleStudy(user_id=person.id, article_id=a)
                                    for a in articles])
            attempt(quiz, person, passed=index % 2 == 0, submitted_at=utcnow())
            attend(session, person, "present" if index % 2 else "excused")
            practice_day(person, today - timedelta(days=1))
            db.session.add(PlanItemProgress(item_id=plan.items[1].id, user_id=person.id,
                                            opened_at=utcnow()))
            actions.submit_reflection(person, reflection, "学习的体会。", utcnow())
        db.session.commit()
        return plan.id, unit.id


def test_the_matrix_page_takes_the_same_queries_for_5_or_60_people(admin_client, app, today, count_queries):
    counts = {}
    for size, name, code in ((5, "小局", "xj"), (60, "大局", "dj")):
        plan_id, unit = progress_plan(app, today, size, name, code)
        urls = [f"/admin/plans/{plan_id}/progress", f"/admin/plans/{plan_id}/progress.xlsx",
                f"/admin/plans/{plan_id}/progress?department={unit}",
                f"/plans/department?plan={plan_id}&department={unit}"]
        for url in urls:
            assert admin_client.get(url).status_code == 200  # warm up
        counts[size] = [count_queries(lambda url=url: admin_client.get(url))
                        for url in urls]
    assert counts[5] == counts[60], counts
    assert counts[5][0] <= 25, counts


def test_the_matrix_shows_words_overdue_rates_and_pages_of_people(admin_client, app, today):
    plan_id, unit = progress_plan(app, today, 105, "执法局")
    url = f"/admin/plans/{plan_id}/progress"
    first = admin_client.get(url).get_data(as_text=True)
    assert first.count('<th scope="row" class="nowrap">测试zf') == 100
    assert "完成率（共 105 人；" in first and "第 1 / 2 页，共 105 人" in first
    assert "✓ 已完成" in first and "○ 未开始" in first and "✎ 待审阅" in first
    assert "⚠ 逾期" in first and "◐ 进行中" in first
    assert f"{url}?page=2" in first
    second = admin_client.get(f"{url}?page=2").get_data(as_text=True)
    assert second.count('<th scope="row" class="nowrap">测试zf') == 5
    # Per-item rates cover everyone on every page: the quiz was passed by 53 of 105.
    assert "53/105" in first and "53/105" in second and "50.5%" in first
    assert "各部门必修完成率" in first and "执法局" in first
    with app.app_context():
        section = db.session.scalar(select(Department.id).filter_by(name="执法局一科"))
    filtered = admin_client.get(f"{url}?department={section}").get_data(as_text=True)
    assert filtered.count('<th scope="row" class="nowrap">测试zf') == 53
    assert "范围：执法局/执法局一科" in filtered

    reminded = post_with_csrf(admin_client, url, f"/admin/plans/{plan_id}/remind",
                              {"department_id": str(section)})
    assert reminded.status_code == 302 and f"department={section}" in reminded.location
    with app.app_context():
        # Everyone in the section who has not studied both articles (the overdue item).
        assert db.session.scalar(select(func.count()).select_from(Notice).where(
            Notice.title.like("学习提醒%"))) == 35


def _plan_with_rows(app, today: date, n: int, tag: str) -> int:
    """A published plan with ``n`` items of every kind, ``n`` reflections waiting for review,
    and ``n`` sessions and article items the admin has done."""
    with app.app_context():
        admin = db.session.scalar(select(User).filter_by(username="root"))
        law = db.session.scalar(select(LawArticle.law_id)) or import_law().id
        plan = new_plan(f"计划{tag}", starts_on=today - timedelta(days=100),
                        ends_on=today + timedelta(days=100))
        for i in range(n):
            session = make_session(f"集中学法{tag}{i}")
            item(plan, "articles", {"law_id": law, "from_number": 1, "to_number": 2}, hours=1)
            item(plan, "material", {"material_id": published_material(f"资料{tag}{i}").id})
            item(plan, "quiz", {"quiz_id": make_quiz(f"测验{tag}{i}").id})
            item(plan, "session", {"session_id": session.id})
            reflection = item(plan, "reflection", {"min_length": 5, "review": True})
            item(plan, "streak", {"days": 2})
            attend(session, admin, "present")
        publishing.publish_plan(None, plan, utcnow())
        for i in range(n):
            actions.submit_reflection(make_person(f"{tag}{i:03d}"), reflection, "学习的体会。",
                                      utcnow())
        if not db.session.scalar(select(ArticleStudy.article_id).filter_by(user_id=admin.id)):
            db.session.add_all(ArticleStudy(user_id=admin.id, article_id=a) for a in
                               db.session.scalars(select(LawArticle.id).where(
                                   LawArticle.law_id == law, LawArticle.number <= 2)))
        db.session.commit()
        return plan.id


def test_the_other_pages_take_the_same_queries_for_one_or_many_rows(admin_client, app, today, count_queries):
    counts = {}
    for n, tag in ((1, "few"), (6, "many")):
        plan_id = _plan_with_rows(app, today, n, tag)
        urls = [f"/admin/plans/{plan_id}", "/admin/plans/", "/plans/reviews", "/plans/hours",
                "/notices", f"/plans/{plan_id}", "/plans"]
        for url in urls:
            assert admin_client.get(url).status_code == 200, url  # and stamps what is done
        counts[n] = [count_queries(lambda url=url: admin_client.get(url)) for url in urls]
    assert counts[1] == counts[6], counts
    hours = admin_client.get("/plans/hours").get_data(as_text=True)
    assert hours.count("集中学法") == 7 and hours.count("学习《测试法》") == 7
    assert admin_client.get("/plans/reviews").get_data(as_text=True).count("学习的体会。") == 7


def test_the_xlsx_export(admin_client, app, today):
    plan_id, unit = progress_plan(app, today, 6, "执法局")
    response = admin_client.get(f"/admin/plans/{plan_id}/progress.xlsx?department={unit}")
    assert response.status_code == 200
    assert response.mimetype == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="plan-{plan_id}-progress.xlsx"; filename*=UTF-8\'\''
        + quote("执法局学法-执法局-学习进度.xlsx", safe=""))
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["完成情况", "事项完成率", "部门完成率", "说明"]

    people = book["完成情况"]
    assert people.freeze_panes == "D2"
    rows = list(people.iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "用户名", "部门", "学习《测试法》第 1 至 2 条")
    assert rows[0][8] == "视频（选修）" and rows[0][-2:] == ("已完成必修", "必修完成率")
    assert len(rows) == 7
    by_user = {row[1]: row for row in rows[1:]}
    first = by_user["zf000"]  # studied both articles, passed the quiz, excused
    assert first[2] == "执法局/执法局一科"
    assert first[3] == "已完成 2/2" and first[5] == "已完成" and first[6] == "已请假"
    assert first[4] == "进行中" and first[7] == "待审阅" and first[9] == "进行中 1/2"
    assert by_user["zf001"][3] == "未开始（逾期）"
    assert first[-2] == "2/6" and first[-1] == pytest.approx(2 / 6)
    last_cell = people.cell(row=2, column=len(rows[0]))
    assert last_cell.number_format == "0.0%"

    rates = book["事项完成率"]
    assert rates.freeze_panes == "A2"
    header, *lines = list(rates.iter_rows(values_only=True))
    assert header == ("序号", "事项", "类型", "必修/选修", "截止日期", "已完成人数", "应完成人数",
                      "完成率")
    quiz = lines[2]
    assert quiz[2:4] == ("参加测验", "必修") and quiz[5:] == (3, 6, 0.5)
    assert rates.cell(row=4, column=8).number_format == "0.0%"
    assert lines[0][4] == (today - timedelta(days=10)).isoformat()

    departments = book["部门完成率"]
    assert departments.freeze_panes == "A2"
    # The department's own people and its section's, each on a row of its own.
    assert [row[:2] for row in list(departments.iter_rows(values_only=True))[1:]] == [
        ("执法局", 3), ("执法局/执法局一科", 3)]
    about = {row[0]: row[1] for row in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert about["学习计划"] == "执法局学法" and about["范围"] == "执法局"
    assert about["人数"] == 6


def test_the_xlsx_export_keeps_text_as_text(admin_client, app, today):
    plan_id = make_draft(app, today, "=HYPERLINK(\"https://evil.example.org\",\"计划\")")
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        plan.items[0].title = "=1+1"
        plan.items.append(PlanItem(kind="reflection", title="https://example.org/a",
                                   settings={"min_length": 10}, position=1))
        db.session.commit()
    response = admin_client.get(f"/admin/plans/{plan_id}/progress.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    header = book["完成情况"][1]
    assert (header[3].value, header[3].data_type) == ("=1+1", "s")
    assert (header[4].value, header[4].data_type) == ("https://example.org/a", "s")
    assert not any(cell.hyperlink for row in book["完成情况"].iter_rows() for cell in row)
    about = {row[0].value: row[1] for row in book["说明"].iter_rows(min_row=2)}
    assert about["学习计划"].data_type == "s"
    assert about["学习计划"].value.startswith("=HYPERLINK")


def test_every_admin_page_renders(admin_client, app, today):
    plan_id, _unit = progress_plan(app, today, 3, "执法局")
    with app.app_context():
        item_id = db.session.scalar(select(PlanItem.id).where(PlanItem.plan_id == plan_id))
    for url in ("/admin/plans/", f"/admin/plans/{plan_id}", f"/admin/plans/{plan_id}/edit",
                f"/admin/plans/{plan_id}/audience", f"/admin/plans/{plan_id}/items/{item_id}",
                f"/admin/plans/{plan_id}/copy", f"/admin/plans/{plan_id}/close",
                f"/admin/plans/{plan_id}/delete", f"/admin/plans/{plan_id}/progress",
                "/plans/department", "/plans/reviews", "/admin/plans/999"):
        response = admin_client.get(url)
        assert response.status_code == (404 if url.endswith("999") else 200), url
        assert "<script>" not in response.get_data(as_text=True)  # no inline script (CSP)
    started = datetime.now()
    admin_client.get(f"/admin/plans/{plan_id}/progress")
    assert (datetime.now() - started).total_seconds() < 5




def test_an_admin_keeps_the_admin_layout_on_the_lead_pages_a_lead_gets_the_staff_one(
        admin_client, app, make_user, make_department, today):
    """请假审批, 心得审阅 and 部门进度 are linked from the admin side: an admin had landed
    in the phone layout there, with no way back but the browser's."""
    progress_plan(app, today, 3, "执法局")
    pages = {"/leave-requests": ("学法活动", "/admin/sessions/"),
             "/plans/reviews": ("学习计划", "/admin/plans/"),
             "/plans/department": ("学习计划", "/admin/plans/")}
    for url, (section, back) in pages.items():
        page = html.fromstring(admin_client.get(url).get_data(as_text=True))
        assert page.xpath("//nav[@class='admin-nav']/a[@aria-current='page']/text()") == [
            section], url
        assert page.xpath("//p[@class='crumbs']/a/@href") == [back], url
        assert not page.xpath("//nav[@class='bottom-nav']"), url
        if url.startswith("/plans/"):  # the people table and the two columns
            assert page.xpath("//link[contains(@href, 'css/plans.css')]"), url
    lead = make_user("lead", roles=("staff", "dept_lead"), department_id=make_department("法制科"))
    client = app.test_client()
    client.post("/login", data={"username": lead.username, "password": lead.password,
                                "csrf_token": csrf_from(client.get("/login"))})
    for url in pages:
        page = html.fromstring(client.get(url).get_data(as_text=True))
        assert page.xpath("//nav[@class='bottom-nav']") and not page.xpath(
            "//nav[@class='admin-nav']"), url
        assert page.xpath("//p[@class='crumbs']/a/@href") == ["/me"], url

# Past a 32-bit id and past PostgreSQL's BIGINT: both were 500s there ("out of range").
HUGE_NUMBERS = ("2147483648", "99999999999999999999")


@pytest.mark.parametrize("huge", HUGE_NUMBERS)
def test_huge_numbers_in_the_query_string_are_a_404_or_the_last_page(admin_client, app, today,
                                                                      huge):
    plan_id, _unit = progress_plan(app, today, 3, "执法局")
    with app.app_context():
        admin_id = db.session.scalar(select(User.id).filter_by(username="root"))
        notify([admin_id], "一条通知", "", None, utcnow())
        db.session.commit()
    for url in (f"/admin/plans/{plan_id}/progress?department={huge}",
                f"/admin/plans/{plan_id}/progress.xlsx?department={huge}",
                f"/plans/department?plan={plan_id}&department={huge}",
                f"/plans/department.xlsx?plan={plan_id}&department={huge}",
                f"/plans/department?plan={huge}", f"/admin/plans/{huge}/progress"):
        assert admin_client.get(url).status_code == 404, url
    remind = post_with_csrf(admin_client, "/plans/department",
                            f"/plans/department/remind?plan={huge}", {"department_id": ""})
    assert remind.status_code == 404
    # A page past the last one of a list with rows is the last one, however far.
    for url in ("/admin/plans/", "/plans/reviews", "/notices"):
        response = admin_client.get(f"{url}?page={huge}")
        assert response.status_code == 302, url
        assert response.headers["Location"].endswith(f"{url}?page=1"), url
    for url in (f"/admin/plans/{plan_id}/progress?page={huge}",
                f"/plans/department?plan={plan_id}&page={huge}"):
        response = admin_client.get(url)
        assert response.status_code == 200 and "zf000" in response.get_data(as_text=True), url
    hours = admin_client.get(f"/plans/hours?year={huge}")
    assert hours.status_code == 200
    assert f"{today.year} 年学时" in hours.get_data(as_text=True)


# --- fixes after a walk-through as new users ---------------------------------------------------


def test_the_plan_form_reports_every_error_at_once(admin_client, app):
    response = post_with_csrf(admin_client, "/admin/plans/new", "/admin/plans/new", {
        "title": "宪法宣传周", "kind": "thematic", "starts_on": "2026-12-07",
        "ends_on": "2026-12-01", "required_hours": "-2"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "要求学时须在 0 到 1000 之间。" in html and "结束日期不能早于开始日期。" in html
    assert html.count('<p class="error">') == 2
    assert plan_count(app) == 0


def test_copying_to_next_year_posted_twice_makes_one_draft(admin_client, app, today):
    plan_id = make_draft(app, today, f"{today.year}年度学法计划")
    page = f"/admin/plans/{plan_id}/copy"
    token = csrf_from(admin_client.get(page))
    first = admin_client.post(page, data={"csrf_token": token})
    second = admin_client.post(page, data={"csrf_token": token})
    assert first.status_code == 302 and second.status_code == 302
    assert second.location == page
    with app.app_context():
        copies = db.session.scalars(select(Plan.id).where(Plan.copied_from_id == plan_id)).all()
    assert len(copies) == 1
    html = admin_client.get(second.location).get_data(as_text=True)
    assert "不能重复复制" in html  # the flash, and the page says where the copy is
    assert f'href="/admin/plans/{copies[0]}"' in html and "复制为草稿" not in html


def test_the_item_form_labels_chapters_with_their_parts_and_says_when_no_session(
        admin_client, app, today):
    from tests.plans.test_services import CIVIL_CODE

    with app.app_context():
        law = import_law(CIVIL_CODE)
        plan = new_plan("宪法宣传周", starts_on=today + timedelta(days=200),
                        ends_on=today + timedelta(days=206))
        stage = stages.add_stage(None, plan, "第一天", utcnow())
        item(plan, "reflection", {"min_length": 10}, stage_id=stage.id)
        item(plan, "reflection", {"min_length": 10}, title="不分阶段的心得")
        db.session.commit()
        plan_id, title = plan.id, law.display_title
    html = admin_client.get(f"/admin/plans/{plan_id}").get_data(as_text=True)
    for label in ("第一编 总则 · 第一章 基本规定", "第一编 总则 · 第二章 自然人 · 第一节 民事权利能力",
                  "第二编 物权 · 第一分编 通则 · 第一章 一般规定"):
        assert f">{title} · {label}</option>" in html, label
    assert "计划期间没有学法活动，请先在学法活动中安排。" in html
    assert ">其他事项</th>" in html and "未分组" not in html
    assert "撰写学习心得：第一天" in html


def test_reminders_posted_twice_are_sent_once(admin_client, app, today):
    plan_id, unit = progress_plan(app, today, 4, "执法局")
    url = f"/admin/plans/{plan_id}/progress"
    token = csrf_from(admin_client.get(url))
    for _ in range(2):
        admin_client.post(f"/admin/plans/{plan_id}/remind",
                          data={"csrf_token": token, "department_id": str(unit)})
    with app.app_context():
        notices = db.session.execute(select(Notice.user_id, Notice.body).where(
            Notice.title.like("学习提醒%"))).all()
    assert len(notices) == len({user_id for user_id, _body in notices}) == 2  # zf001, zf002
    assert all("“学习《测试法》第 1 至 2 条”" in body for _user, body in notices)
    html = admin_client.get(url).get_data(as_text=True)
    assert "2 人在 12 小时内已提醒过，本次未重复发送。" in html
