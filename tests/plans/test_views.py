"""Staff plan pages on the phone: my plans, a plan, an item, notices, my study hours."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from lxml import html
from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.library.models import Law, Material
from lawlearn.localtime import local_day
from lawlearn.plans.models import Notice, PlanItemProgress, PlanStage, Reflection
from lawlearn.plans.notices import notify
from tests.conftest import csrf_from
from tests.plans.test_kinds import (
    add_item,
    attend,
    import_law,
    make_plan,
    make_quiz,
    make_session,
    practice_day,
)
from tests.plans.test_kinds import study as study_at


class Clock:
    """utcnow() of the plan pages, moved by the test."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def study(user, law, *numbers: int) -> None:
    """Mark articles studied now (after the plans' start, so that they count)."""
    study_at(user, law, *numbers, when=utcnow())


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock(utcnow())
    monkeypatch.setattr("lawlearn.plans.views.utcnow", fake)
    return fake


@pytest.fixture
def ann(make_user, login):
    user = make_user("ann", name="安")
    login(user)
    return user


def this_year_plan(title: str = "年度学法计划", **fields):
    today = local_day(utcnow())
    return make_plan(title, starts_on=today - timedelta(days=30),
                     ends_on=today + timedelta(days=60), **fields)


def person(ref) -> User:
    return db.session.get(User, ref.id)


def post(client, page: str, url: str, data: dict | None = None):
    return client.post(url, data={**(data or {}), "csrf_token": csrf_from(client.get(page))})


def full_plan(user_ref):
    """A plan with one item of every kind (in two stages and loose), ids by kind."""
    today = local_day(utcnow())
    law = import_law()
    quiz = make_quiz()
    session = make_session(starts_at=utcnow() - timedelta(days=1))
    material = Material(title="习近平法治思想学习纲要", body_markdown="正文",
                        body_html="<p>坚持全面依法治国。</p>", body_text="坚持全面依法治国。",
                        published=True)
    db.session.add(material)
    plan = this_year_plan(required_hours=10)
    first = PlanStage(plan_id=plan.id, title="第一阶段", position=1)
    second = PlanStage(plan_id=plan.id, title="第二阶段", position=2)
    db.session.add_all([first, second])
    db.session.flush()
    items = {
        "articles": add_item(plan, "articles", title="学习测试法总则", stage=second, hours=2,
                             points=3, due_on=today - timedelta(days=2),
                             settings={"law_id": law.id, "from_number": 1, "to_number": 2}),
        "material": add_item(plan, "material", title="阅读学习纲要", stage=first, hours=1,
                             settings={"material_id": material.id, "min_seconds": 30}),
        "video": add_item(plan, "video", title="观看宪法公开课", stage=first, required=False,
                          settings={"url": "https://video.example.org/1", "min_seconds": 60}),
        "quiz": add_item(plan, "quiz", title="宪法测验", stage=second,
                         settings={"quiz_id": quiz.id}),
        "session": add_item(plan, "session", title="参加集中学法", stage=second,
                            settings={"session_id": session.id}),
        "reflection": add_item(plan, "reflection", title="撰写学习心得",
                               settings={"min_length": 20, "review": True}),
        "streak": add_item(plan, "streak", title="坚持每日一练", settings={"days": 3}),
    }
    study(person(user_ref), law, 1)
    db.session.commit()
    return plan.id, {kind: item.id for kind, item in items.items()}, law.id


# --- pages render, with my status -------------------------------------------------------------


def test_my_plans_empty_state(client, ann):
    page = client.get("/plans").get_data(as_text=True)
    assert "暂无学习计划" in page


def test_plan_pages_render_for_staff(app, client, ann):
    with app.app_context():
        plan_id, items, law_id = full_plan(ann)

    index = client.get("/plans")
    assert index.status_code == 200
    text = index.get_data(as_text=True)
    assert "年度学法计划" in text and 'class="ring"' in text
    assert "0%" in text and "必修完成 0 / 6 项" in text and "学时 0 / 10" in text

    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert page.index("第一阶段") < page.index("阅读学习纲要") < page.index("第二阶段") \
        < page.index("学习测试法总则") < page.index("撰写学习心得")
    for words in ("学习法条", "阅读资料", "观看视频", "参加测验", "参加集中学法", "撰写学习心得",
                  "坚持每日一练", "必修", "选修", "已逾期", "2 学时", "3 积分", "进行中（1/2）",
                  "未开始"):
        assert words in page, words
    assert page.count("已逾期") == 1
    # Where to act: the first article not yet studied, the quiz, the session, the practice.
    assert f'href="/laws/{law_id}/articles/2"' in page
    assert f'href="/quizzes/{_quiz_id(app, items)}"' in page
    assert re.search(r'href="/sessions/\d+"', page)
    assert 'href="/practice/daily"' in page
    for kind in ("material", "video", "reflection"):
        assert f'href="/plans/items/{items[kind]}"' in page

    for kind, item_id in items.items():
        response = client.get(f"/plans/items/{item_id}")
        assert response.status_code == 200, kind
    material_page = client.get(f"/plans/items/{items['material']}").get_data(as_text=True)
    assert "<p>坚持全面依法治国。</p>" in material_page and "我已读完" in material_page
    assert 'src="/static/js/plan_item.js"' in material_page
    video_page = client.get(f"/plans/items/{items['video']}").get_data(as_text=True)
    assert f'href="/plans/items/{items["video"]}/open"' in video_page
    assert client.get("/plans/hours").status_code == 200
    assert client.get("/notices").status_code == 200


def _quiz_id(app, items) -> int:
    from lawlearn.plans.models import PlanItem

    with app.app_context():
        return db.session.get(PlanItem, items["quiz"]).settings["quiz_id"]


def test_a_newcomer_sees_items_due_before_they_joined_as_not_theirs(app, client, make_user,
                                                                   login):
    newcomer = make_user("newbie", name="新同事", joined=utcnow() - timedelta(days=1))
    login(newcomer)
    with app.app_context():
        today = local_day(utcnow())
        plan = this_year_plan()
        before = add_item(plan, "material", title="上月的资料", due_on=today - timedelta(days=10))
        add_item(plan, "material", title="下周的资料", due_on=today + timedelta(days=7))
        db.session.commit()
        plan_id, before_id = plan.id, before.id
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "加入前已到期" in page and "已逾期" not in page and "必修完成 0 / 1 项" in page
    item_page = client.get(f"/plans/items/{before_id}").get_data(as_text=True)
    assert "加入前已到期" in item_page and "已逾期" not in item_page
    home = client.get("/").get_data(as_text=True)
    assert "下周的资料" in home and "上月的资料" not in home
    # Nothing to do there: its button is not the page's call to action.
    buttons = html.fromstring(page).xpath('//a[contains(@class, "button")]'
                                          '[contains(., "：上月的资料")]/@class')
    assert buttons and "primary" not in buttons[0]


def test_progress_ring_shows_the_share_done(app, client, ann):
    with app.app_context():
        law = import_law()
        plan = this_year_plan()
        first = add_item(plan, "articles", settings={"law_id": law.id, "from_number": 1,
                                                     "to_number": 1})
        add_item(plan, "articles", settings={"law_id": law.id, "from_number": 2,
                                             "to_number": 2})
        add_item(plan, "material", required=False)
        db.session.commit()
        first_id, law_id, plan_id = first.id, law.id, plan.id
    hint = "完成后回到学习计划即可看到进度"
    assert hint in client.get(f"/plans/items/{first_id}").get_data(as_text=True)
    with app.app_context():
        study(person(ann), db.session.get(Law, law_id), 1, 2)
        db.session.commit()
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert 'aria-label="已完成 100%"' in page and "必修完成 2 / 2 项" in page
    assert 'stroke-dasharray="100 100"' in page
    assert hint not in client.get(f"/plans/items/{first_id}").get_data(as_text=True)  # done


def test_video_open_records_the_time_and_goes_only_to_web_links(app, client, ann, clock):
    with app.app_context():
        plan = this_year_plan()
        good = add_item(plan, "video", settings={"url": "https://video.example.org/1",
                                                 "min_seconds": 5}).id
        bad = add_item(plan, "video", settings={"url": "javascript:alert(1)"}).id
        db.session.commit()
    response = client.get(f"/plans/items/{good}/open")
    assert response.status_code == 302
    assert response.headers["Location"] == "https://video.example.org/1"
    assert client.get(f"/plans/items/{bad}/open").status_code == 404
    assert "视频地址无效" in client.get(f"/plans/items/{bad}").get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(select(PlanItemProgress).filter_by(item_id=good))
        assert row.opened_at == clock.now and row.confirmed_at is None


# --- only my own data ---------------------------------------------------------------------------


def test_other_peoples_plans_items_and_notices_are_not_found(app, client, ann, make_user):
    bob = make_user("bob")
    with app.app_context():
        theirs = this_year_plan("别人的计划", audience_all=False, audience=[{"user_id": bob.id}])
        their_item = add_item(theirs, "reflection", settings={"min_length": 1}).id
        draft = this_year_plan("草稿计划", status="draft")
        draft_item = add_item(draft, "material").id
        notify([bob.id], "给别人的通知", "", "/plans", utcnow())
        db.session.commit()
        their_notice = db.session.scalar(select(Notice.id))
        theirs_id, draft_id = theirs.id, draft.id
    for url in (f"/plans/{theirs_id}", f"/plans/items/{their_item}", f"/plans/{draft_id}",
                f"/plans/items/{draft_item}"):
        assert client.get(url).status_code == 404, url
    assert "别人的计划" not in client.get("/plans").get_data(as_text=True)
    assert post(client, "/notices", f"/plans/items/{their_item}/reflection",
                {"body": "想替别人交心得"}).status_code == 404
    assert post(client, "/notices", f"/notices/{their_notice}/open").status_code == 404
    assert "给别人的通知" not in client.get("/notices").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Notice.read_at)) is None
        assert db.session.scalar(select(Reflection.id)) is None


def test_hours_page_shows_my_items_and_sessions_for_the_year(app, client, ann, make_user):
    bob = make_user("bob")
    with app.app_context():
        law = import_law()
        plan = this_year_plan(required_hours=8)
        add_item(plan, "articles", title="学习总则", hours=2,
                 settings={"law_id": law.id, "from_number": 1, "to_number": 1})
        mine = make_session("宪法讲座", hours=3, starts_at=utcnow() - timedelta(days=2))
        theirs = make_session("别人参加的讲座", hours=4, starts_at=utcnow() - timedelta(days=3))
        attend(mine, person(ann), "present")
        attend(theirs, person(bob), "present")
        study(person(ann), law, 1)
        db.session.commit()
    page = client.get("/plans/hours").get_data(as_text=True)
    assert "学习总则" in page and "宪法讲座" in page and "别人参加的讲座" not in page
    assert "<strong>5</strong> / 8" in page and "还差 3 学时" in page
    with app.app_context():
        last_year = local_day(utcnow()).year - 1
    page = client.get(f"/plans/hours?year={last_year}").get_data(as_text=True)
    assert "宪法讲座" not in page and f'value="{last_year}" selected' in page


# --- notices ------------------------------------------------------------------------------------


def test_notice_badge_open_and_mark_all_read(app, client, ann, make_user):
    bob = make_user("bob")
    with app.app_context():
        plan_id = this_year_plan().id
        now = utcnow()
        notify([ann.id], "学习计划已发布", "请按时完成。", f"/plans/{plan_id}", now)
        notify([ann.id], "外部链接", "", "https://evil.example.org/", now + timedelta(seconds=1))
        notify([ann.id], "没有链接", "", None, now + timedelta(seconds=2))
        notify([bob.id], "给别人的", "", None, now)
        db.session.commit()
        ids = {n.title: n.id for n in db.session.scalars(select(Notice))}

    home = client.get("/plans").get_data(as_text=True)
    assert 'aria-label="通知，3 条未读"' in home
    assert '<span class="notice-count" aria-hidden="true">3</span>' in home
    listing = client.get("/notices").get_data(as_text=True)
    assert listing.index("没有链接") < listing.index("外部链接") < listing.index("学习计划已发布")
    assert listing.count(">未读<") == 3

    response = post(client, "/notices", f"/notices/{ids['学习计划已发布']}/open")
    assert response.status_code == 302 and response.headers["Location"] == f"/plans/{plan_id}"
    response = post(client, "/notices", f"/notices/{ids['外部链接']}/open")
    assert response.headers["Location"] == "/notices"  # never off this site
    assert 'aria-label="通知，1 条未读"' in client.get("/plans").get_data(as_text=True)

    response = post(client, "/notices", "/notices/read-all")
    assert response.status_code == 302
    page = client.get("/notices").get_data(as_text=True)
    assert "notice-count" not in page and ">未读<" not in page and "全部标为已读" not in page
    with app.app_context():
        assert db.session.scalar(select(Notice.read_at).filter_by(id=ids["给别人的"])) is None


def test_notice_badge_costs_one_query_and_none_when_logged_out(app, client, make_user, login, count_queries):
    assert client.get("/login").status_code == 200  # no badge, no query for visitors
    login(make_user("ann"))
    with_badge = count_queries(lambda: client.get("/plans"))
    with app.app_context():
        notify([1], "一条通知", "", None, utcnow())
        db.session.commit()
    assert count_queries(lambda: client.get("/plans")) == with_badge


# --- acting on items ---------------------------------------------------------------------------


def test_confirm_is_refused_too_early_then_accepted(app, client, ann, clock):
    with app.app_context():
        plan = this_year_plan()
        material = Material(title="学习资料", body_html="<p>正文</p>", published=True)
        db.session.add(material)
        db.session.flush()
        item_id = add_item(plan, "material", title="阅读资料甲", points=2,
                           settings={"material_id": material.id, "min_seconds": 30}).id
        db.session.commit()
        plan_id = plan.id
    opened = clock.now
    page = client.get(f"/plans/items/{item_id}").get_data(as_text=True)
    assert "还需阅读 30 秒" in page and 'data-seconds-left="30"' in page

    clock.advance(10)
    token = csrf_from(client.get(f"/plans/items/{item_id}"))  # a reload keeps the clock
    refused = client.post(f"/plans/items/{item_id}/confirm", data={"csrf_token": token})
    # Back to the item's page (a reload does not post again), the reason at its top.
    assert refused.status_code == 302 and refused.location == f"/plans/items/{item_id}"
    shown = client.get(refused.location).get_data(as_text=True)
    assert 'class="flash flash-error" role="alert">还需阅读 20 秒才能确认。' in shown
    assert shown.index("还需阅读 20 秒才能确认。") < shown.index('id="item-title"')
    with app.app_context():
        row = db.session.scalar(select(PlanItemProgress).filter_by(item_id=item_id))
        assert (row.opened_at, row.confirmed_at) == (opened, None)

    clock.advance(20)
    accepted = client.post(f"/plans/items/{item_id}/confirm", data={"csrf_token": token})
    assert accepted.status_code == 302 and accepted.headers["Location"] == f"/plans/{plan_id}"
    plan_page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "已完成：阅读资料甲" in plan_page and "✓ 已完成" in plan_page
    with app.app_context():
        row = db.session.scalar(select(PlanItemProgress).filter_by(item_id=item_id))
        assert row.confirmed_at == opened + timedelta(seconds=30)
        assert row.completed_at == row.confirmed_at
    assert client.post(f"/plans/items/{item_id}/confirm",
                       data={"csrf_token": token}).status_code == 302  # again: no change
    assert client.post(f"/plans/items/{item_id}/confirm").status_code == 400  # no CSRF token


def test_reflection_validation_keeps_the_text_then_submits(app, client, ann):
    with app.app_context():
        plan = this_year_plan()
        item_id = add_item(plan, "reflection", title="撰写心得",
                           settings={"min_length": 20, "review": True}).id
        db.session.commit()
    url = f"/plans/items/{item_id}"
    page = client.get(url).get_data(as_text=True)
    assert "至少 20 字" in page and 'data-min-length="20"' in page
    short = post(client, url, f"{url}/reflection", {"body": "  学法心得：很有收获  "})
    assert short.status_code == 422
    text = short.get_data(as_text=True)
    assert "学习心得至少需要 20 字（不计空格、换行和标点），目前 8 字。" in text
    assert "学法心得：很有收获" in text and 'aria-invalid="true"' in text

    body = "通过学习宪法，我深刻认识到依法行政的重要性，今后要在工作中严格依法办事。"
    done = post(client, url, f"{url}/reflection", {"body": body})
    assert done.status_code == 302 and done.headers["Location"] == url
    page = client.get(url).get_data(as_text=True)
    assert "已提交，待审阅" in page and body in page
    # Until a reviewer decides, its author may correct it (the form holds the text).
    assert "审阅前可以修改" in page and "保存修改" in page
    again = post(client, url, f"{url}/reflection", {"body": body + "补充。"})
    assert again.status_code == 302 and again.location == url
    page = client.get(url).get_data(as_text=True)
    assert "已保存修改，仍待审阅。" in page and body + "补充。" in page
    with app.app_context():
        assert db.session.scalar(select(Reflection.body)) == body + "补充。"
        assert db.session.scalar(select(Reflection.status)) == "submitted"

    with app.app_context():
        reflection = db.session.scalar(select(Reflection))
        reflection.status, reflection.comment = "returned", "请结合本单位工作实际。"
        db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "审阅意见：请结合本单位工作实际。" in page and "重新提交" in page
    assert body in page  # the textarea holds the returned text
    assert post(client, url, f"{url}/reflection", {"body": body + "结合实际。"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Reflection.status)) == "submitted"


# --- a fixed number of queries ----------------------------------------------------------------


def _mixed_plan(title: str, kinds: list[str], repeat: int, ann_id: int) -> int:
    law = db.session.scalar(select(import_law.__globals__["Law"])) or import_law()
    quiz = make_quiz()
    session = make_session(starts_at=utcnow() - timedelta(days=1))
    material = Material(title="资料", body_html="<p>正文</p>", published=True)
    db.session.add(material)
    plan = this_year_plan(title)
    settings = {
        "articles": {"law_id": law.id, "from_number": 1, "to_number": 3},
        "material": {"material_id": material.id, "min_seconds": 10},
        "video": {"url": "https://video.example.org/", "min_seconds": 10},
        "quiz": {"quiz_id": quiz.id},
        "session": {"session_id": session.id},
        "reflection": {"min_length": 5},
        "streak": {"days": 5},
    }
    for n in range(repeat):
        for kind in kinds:
            add_item(plan, kind, title=f"{kind}{n}", hours=1, points=1,
                     due_on=date.today() + timedelta(days=n), settings=settings[kind])
    db.session.flush()
    return plan.id


@pytest.mark.parametrize("kinds, small, large", [
    (["articles", "streak", "material"], 1, 5),  # 3 items against 15
    (["articles", "material", "video", "quiz", "session", "reflection", "streak"], 1, 3),
])
def test_plan_page_queries_do_not_grow_with_items(app, client, ann, kinds, small, large, count_queries):
    with app.app_context():
        user = person(ann)
        law = import_law()
        study(user, law, 1, 2, 3)  # articles items are done: their points are paid
        practice_day(user, local_day(utcnow()))
        few = _mixed_plan("小计划", kinds, small, ann.id)
        many = _mixed_plan("大计划", kinds, large, ann.id)
        db.session.commit()
    for plan_id in (few, many):  # the first visit stamps and pays what is done
        assert client.get(f"/plans/{plan_id}").status_code == 200
    few_queries = count_queries(lambda: client.get(f"/plans/{few}"))
    many_queries = count_queries(lambda: client.get(f"/plans/{many}"))
    index_queries = count_queries(lambda: client.get("/plans"))
    assert few_queries == many_queries
    assert index_queries <= many_queries + 2


def test_home_next_up_cards_put_overdue_first_in_a_fixed_number_of_queries(app, ann, count_queries):
    from flask import render_template

    from lawlearn.plans.views import home_next_up

    with app.app_context():
        today = local_day(utcnow())
        law = import_law()
        plan = this_year_plan("一")
        add_item(plan, "material", title="下周到期", due_on=today + timedelta(days=7))
        add_item(plan, "articles", title="逾期的法条", due_on=today - timedelta(days=1),
                 settings={"law_id": law.id, "from_number": 2, "to_number": 3})
        add_item(plan, "reflection", title="不限期的心得")
        add_item(plan, "streak", title="坚持每日一练", required=False, settings={"days": 3})
        add_item(plan, "quiz", title="已完成的测验", settings={"quiz_id": make_quiz().id,
                                                          "require": "attempted"})
        study(person(ann), law, 2)
        db.session.commit()
        law_id = law.id

    with app.test_request_context():
        user, now = person(ann), utcnow()
        assert user.roles and user.department is None  # loaded before counting
        few = count_queries(lambda: home_next_up(user, now))
        html = render_template("plans/_next_up.html", **home_next_up(user, now))
        assert html.index("逾期的法条") < html.index("下周到期") < html.index("不限期的心得")
        assert html.count("已逾期") == 1 and "进行中（1/2）" in html
        assert f'href="/laws/{law_id}/articles/3"' in html
        for n in range(3):
            more = this_year_plan(f"计划{n}")
            for kind in ("articles", "material", "streak", "quiz"):
                add_item(more, kind, settings={"law_id": law_id, "from_number": 1,
                                               "to_number": 9, "days": 3, "quiz_id": 1})
        db.session.commit()
        user = person(ann)
        assert user.roles and user.department is None
        assert count_queries(lambda: home_next_up(user, now)) == few

    with app.test_request_context():
        assert "暂无待完成的学习任务" in render_template("plans/_next_up.html", next_items=[])


# --- fixes after a walk-through as new users ---------------------------------------------------


def test_the_plan_card_plan_page_api_and_my_hours_show_the_same_hours(app, client, ann):
    with app.app_context():
        today = local_day(utcnow())
        law = import_law()
        annual = make_plan(f"{today.year}年度学法计划", starts_on=date(today.year, 1, 1),
                           ends_on=date(today.year, 12, 31), required_hours=40)
        other = this_year_plan("专题学习")
        add_item(annual, "articles", title="学习总则", hours=4,
                 settings={"law_id": law.id, "from_number": 1, "to_number": 2})
        add_item(other, "articles", title="学习分则", hours=3,
                 settings={"law_id": law.id, "from_number": 3, "to_number": 3})
        session = make_session("宪法讲座", hours=6, starts_at=utcnow() - timedelta(hours=2, minutes=5))
        add_item(annual, "session", title="参加宪法讲座", hours=6,
                 settings={"session_id": session.id})
        attend(session, person(ann), "present")
        # Checked in to one still running: counted once its check-in closes, as the reports
        # and 我的学法档案 count it (here it had made 15 where the 档案 said 13).
        running = make_session("民法典讲座", hours=2, starts_at=utcnow() - timedelta(minutes=5))
        attend(running, person(ann), "present")
        study(person(ann), law, 1, 2, 3)
        db.session.commit()
        annual_id = annual.id
    # 4 + 3 from the two plans' items, 6 from the session (once, not again as an item).
    assert "学时 13 / 40" in client.get("/plans").get_data(as_text=True)
    page = client.get(f"/plans/{annual_id}").get_data(as_text=True)
    assert "学时 13 / 40" in page
    assert "学时包括计划期间完成的学习事项和参加的集中学法。" in page
    assert f"计划开始（{today.year}年1月1日）后完成的才计入。" in page
    hours_page = client.get("/plans/hours").get_data(as_text=True)
    assert "<strong>13</strong> / 40" in hours_page
    assert "民法典讲座" in hours_page and "签到结束后计入" in hours_page
    plans = client.get("/api/v1/me/progress").get_json()["plans"]
    assert {p["title"]: p["hours_earned"] for p in plans} == \
        {f"{today.year}年度学法计划": 13.0, "专题学习": 13.0}


def test_a_material_item_and_the_library_record_the_same_reading(app, client, ann, clock):
    from lawlearn.library.models import MaterialRead
    from lawlearn.practice.models import PointAward

    with app.app_context():
        plan = this_year_plan()
        first = Material(title="学习纲要", body_html="<p>正文</p>", published=True)
        second = Material(title="以案释法", body_html="<p>案例</p>", published=True)
        db.session.add_all([first, second])
        db.session.flush()
        on_page = add_item(plan, "material", title="阅读学习纲要", points=2,
                           settings={"material_id": first.id, "min_seconds": 20}).id
        in_library = add_item(plan, "material", title="阅读以案释法",
                              settings={"material_id": second.id, "min_seconds": 20}).id
        db.session.commit()
        first_id, second_id = first.id, second.id

    # Read on the plan's page: the library knows it too, and pays its points once.
    opened = clock.now
    token = csrf_from(client.get(f"/plans/items/{on_page}"))
    clock.advance(20)
    assert client.post(f"/plans/items/{on_page}/confirm",
                       data={"csrf_token": token}).status_code == 302
    with app.app_context():
        reading = db.session.get(MaterialRead, (ann.id, first_id))
        assert (reading.opened_at, reading.confirmed_at) == (opened, opened + timedelta(
            seconds=20))
        assert db.session.scalars(select(PointAward.source).where(
            PointAward.user_id == ann.id, PointAward.rule == "material_read")).all() == \
            [f"material:{first_id}"]

    # Read in the library, long enough: the item is done without confirming it again.
    clock.advance(60)
    with app.app_context():
        db.session.add(MaterialRead(user_id=ann.id, material_id=second_id,
                                    opened_at=clock.now - timedelta(seconds=30),
                                    confirmed_at=clock.now))
        db.session.commit()
    page = client.get(f"/plans/items/{in_library}").get_data(as_text=True)
    assert "✓ 已读完" in page and "我已读完" not in page


def test_a_quiz_item_says_whether_it_needs_a_pass_and_what_a_pass_is(app, client, ann):
    """An item asking for a pass had said nothing of it: a 50-point attempt left it 进行中
    with no word why."""
    with app.app_context():
        plan = this_year_plan()
        quiz = make_quiz()
        quiz.pass_percent = 70
        passed = add_item(plan, "quiz", title="须及格的测验",
                          settings={"quiz_id": quiz.id, "require": "passed"}).id
        tried = add_item(plan, "quiz", title="参加即可的测验",
                         settings={"quiz_id": quiz.id, "require": "attempted"}).id
        plan_id = plan.id
        db.session.commit()
    page = client.get(f"/plans/items/{passed}").get_data(as_text=True)
    assert "须通过才算完成：得分达到满分的 70%（及格线）。" in page
    page = client.get(f"/plans/items/{tried}").get_data(as_text=True)
    assert "参加即可：交卷一次即算完成，不论成绩。" in page and "须通过才算完成" not in page
    facts = html.fromstring(client.get(f"/plans/{plan_id}").get_data(as_text=True))
    spans = [" ".join(p.itertext()) for p in facts.xpath("//p[contains(@class, 'item-facts')]")]
    # In the words of the admin's form (完成条件：须通过 / 参加即可).
    assert any("须通过" in text for text in spans) and any("参加即可" in text for text in spans)


def test_a_reflections_maximum_counts_a_line_break_once_and_says_what_it_counts(app, client,
                                                                                 ann):
    """The form had counted the two characters a browser sends for a line break, and its
    message said 字 where the minimum's 字 leave out spaces and line breaks."""
    with app.app_context():
        item_id = add_item(this_year_plan(), "reflection", title="撰写心得").id
        db.session.commit()
    url = f"/plans/items/{item_id}"
    lines = ["依法行政" * 124 + "依法。"] * 40  # 40 lines of 499 characters
    longest = "\r\n".join(lines)  # 20,038 sent; 19,999 with each line break counted once
    assert len(longest) > 20_000
    too_long = post(client, url, f"{url}/reflection", {"body": longest + "补充"})
    assert too_long.status_code == 422
    assert ("学习心得不能超过 20000 个字符（含空格和换行），目前 20001 个。"
            in too_long.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(Reflection)) is None
    done = post(client, url, f"{url}/reflection", {"body": longest})
    assert done.status_code == 302
    with app.app_context():
        assert len(db.session.scalar(select(Reflection.body))) == 19_999


def test_a_short_reflection_comes_back_with_its_error_at_the_top(app, client, ann):
    with app.app_context():
        plan = this_year_plan("宪法学习")
        item_id = add_item(plan, "reflection", settings={"min_length": 20}).id
        db.session.commit()
    url = f"/plans/items/{item_id}"
    short = post(client, url, f"{url}/reflection", {"body": "很有收获。"})
    assert short.status_code == 422
    html = short.get_data(as_text=True)
    summary = html.index('class="error-summary"')
    assert summary < html.index('id="item-title"') < html.index("<textarea")
    assert f'data-replace-url="{url}"' in html  # a reload shows the page, not a second post
    assert '<a href="#body">学习心得至少需要 20 字（不计空格、换行和标点），目前 4 字。</a>' in html
    assert "很有收获。</textarea>" in html


def test_the_item_page_says_what_counts_from_the_plans_start(app, client, ann):
    with app.app_context():
        plan = this_year_plan()
        quiz_item = add_item(plan, "quiz", settings={"quiz_id": make_quiz().id}).id
        start = plan.starts_on
        db.session.commit()
    page = client.get(f"/plans/items/{quiz_item}").get_data(as_text=True)
    assert f"计划开始（{start.year}年{start.month}月{start.day}日）后完成的才计入。" in page


def test_articles_studied_before_the_plan_lead_back_to_the_first_of_them(app, client, ann):
    with app.app_context():
        law = import_law()
        plan = this_year_plan()
        add_item(plan, "articles", title="学习总则", settings={"law_id": law.id,
                                                         "from_number": 1, "to_number": 3})
        study_at(person(ann), law, 1, when=utcnow() - timedelta(days=60))  # before the plan
        study(person(ann), law, 2)
        db.session.commit()
        plan_id, law_id = plan.id, law.id
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    assert "进行中（1/3）" in page
    assert f'href="/laws/{law_id}/articles/1"' in page  # to study (and mark) again
