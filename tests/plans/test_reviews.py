"""Heads of departments: reviewing reflections (return with a comment, resubmit, accept pays
once, notices), only within their department; and their department's progress page."""

from __future__ import annotations

import io
from dataclasses import dataclass

import openpyxl
import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.extensions import db
from lawlearn.plans import actions, publishing
from lawlearn.plans.models import Notice, PlanItem, Reflection
from lawlearn.practice.models import PointAward
from tests.conftest import csrf_from, post_with_csrf
from tests.plans.test_kinds import NOW
from tests.plans.test_services import item, new_plan

TEXT = "学习宪法第三十三条的体会：公民在法律面前一律平等。"


@dataclass
class Office:
    unit: int
    section: int
    other: int
    lead: object
    ann: object
    bob: object
    chief: object
    admin: object
    plan: int
    reviewed: int
    unreviewed: int


@pytest.fixture
def office(app, make_user, make_department) -> Office:
    unit = make_department("执法局")
    section = make_department("法规科", unit)
    other = make_department("财政局")
    people = {
        "lead": make_user("lead", roles=("staff", "dept_lead"), department_id=unit, name="李科长"),
        "ann": make_user("ann", department_id=section, name="安娜"),
        "bob": make_user("bob", department_id=other, name="鲍勃"),
        "chief": make_user("chief", roles=("staff", "leader"), department_id=other, name="主任"),
        "admin": make_user("root", roles=("admin", "staff"), name="管理员甲"),
    }
    with app.app_context():
        plan = new_plan()
        reviewed = item(plan, "reflection", {"min_length": 10, "review": True},
                        title="学习宪法心得")
        unreviewed = item(plan, "reflection", {"min_length": 10}, title="自由心得")
        publishing.publish_plan(None, plan, NOW)
        db.session.execute(Notice.__table__.delete())
        db.session.commit()
        ids = (plan.id, reviewed.id, unreviewed.id)
    return Office(unit, section, other, **people, plan=ids[0], reviewed=ids[1],
                  unreviewed=ids[2])


def submit(app, user_ref, item_id: int, text: str = TEXT) -> int:
    with app.app_context():
        reflection = actions.submit_reflection(db.session.get(User, user_ref.id),
                                               db.session.get(PlanItem, item_id), text, NOW)
        db.session.commit()
        return reflection.id


def logged_in(app, user_ref):
    client = app.test_client()
    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={"username": user_ref.username,
                                           "password": user_ref.password, "csrf_token": token})
    assert response.status_code == 302
    return client


def decide(client, reflection_id: int, decision: str, comment: str = ""):
    return post_with_csrf(client, "/plans/reviews", f"/plans/reviews/{reflection_id}",
                          {"decision": decision, "comment": comment})


def reflection_row(app, reflection_id: int) -> tuple[str, str, int | None]:
    with app.app_context():
        row = db.session.get(Reflection, reflection_id)
        return row.status, row.comment, row.reviewer_id


def notices_of(app, user_id: int) -> list[tuple[str, str, str]]:
    with app.app_context():
        return db.session.execute(select(Notice.title, Notice.body, Notice.link).where(
            Notice.user_id == user_id).order_by(Notice.id)).all()


def awards(app, user_id: int) -> list[tuple[str, int]]:
    with app.app_context():
        return db.session.execute(select(PointAward.source, PointAward.amount).where(
            PointAward.user_id == user_id, PointAward.rule == "reflection_accepted")).all()


def test_return_with_a_comment_then_resubmit_then_accept_pays_once(app, office):
    reflection_id = submit(app, office.ann, office.reviewed)
    lead = logged_in(app, office.lead)
    page = lead.get("/plans/reviews")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and TEXT in html and "安娜" in html and "学习宪法心得" in html

    empty = decide(lead, reflection_id, "return", "   ")
    assert empty.status_code == 422
    assert "退回时请填写意见" in empty.get_data(as_text=True)
    assert reflection_row(app, reflection_id) == ("submitted", "", None)
    assert notices_of(app, office.ann.id) == []

    returned = decide(lead, reflection_id, "return", "请结合本职工作谈体会。")
    assert returned.status_code == 302 and returned.location.endswith("/plans/reviews")
    assert reflection_row(app, reflection_id) == ("returned", "请结合本职工作谈体会。",
                                                  office.lead.id)
    assert notices_of(app, office.ann.id) == [
        ("学习心得被退回：学习宪法心得", "审阅意见：请结合本职工作谈体会。",
         f"/plans/items/{office.reviewed}")]
    assert TEXT not in lead.get("/plans/reviews").get_data(as_text=True)  # nothing waiting
    assert decide(lead, reflection_id, "accept").status_code == 302  # not waiting: refused
    assert reflection_row(app, reflection_id)[0] == "returned"
    assert awards(app, office.ann.id) == []

    assert submit(app, office.ann, office.reviewed, TEXT + "结合执法工作，要严格依法办事。") \
        == reflection_id
    assert reflection_row(app, reflection_id)[0] == "submitted"
    accepted = decide(lead, reflection_id, "accept", "写得很好。")
    assert accepted.status_code == 302
    assert reflection_row(app, reflection_id) == ("accepted", "写得很好。", office.lead.id)
    assert awards(app, office.ann.id) == [(f"reflection:{reflection_id}", 5)]
    assert notices_of(app, office.ann.id)[-1][:2] == (
        "学习心得已通过：学习宪法心得",
        "您在学习计划《2026年度学法计划》中提交的学习心得已通过审阅。审阅意见：写得很好。")

    again = decide(lead, reflection_id, "accept")
    assert again.status_code == 302
    assert "已审阅" in lead.get("/plans/reviews").get_data(as_text=True)  # the flash
    assert awards(app, office.ann.id) == [(f"reflection:{reflection_id}", 5)]
    assert len(notices_of(app, office.ann.id)) == 2
    with app.app_context():
        actions_logged = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("reflection.%")).order_by(AuditEntry.id)).all()
    assert actions_logged == ["reflection.return", "reflection.accept"]


def test_a_dept_lead_reviews_only_their_department_and_never_their_own(app, office):
    ann_id = submit(app, office.ann, office.reviewed)
    bob_id = submit(app, office.bob, office.reviewed, "财政局的学习体会：依法理财。")
    own_id = submit(app, office.lead, office.reviewed, "科长自己的学习体会：带头学法。")
    free_id = submit(app, office.ann, office.unreviewed)

    lead = logged_in(app, office.lead)
    html = lead.get("/plans/reviews").get_data(as_text=True)
    assert TEXT in html
    assert "依法理财" not in html and "带头学法" not in html
    assert f"/plans/reviews/{free_id}" not in html  # no review asked: nothing to do
    assert decide(lead, bob_id, "accept").status_code == 404
    assert decide(lead, free_id, "accept").status_code == 404
    assert decide(lead, own_id, "accept").status_code == 403
    assert decide(lead, 99999, "accept").status_code == 404
    for reflection_id in (bob_id, own_id):
        assert reflection_row(app, reflection_id)[0] == "submitted"
    assert decide(lead, ann_id, "maybe").status_code == 422

    admin = logged_in(app, office.admin)
    html = admin.get("/plans/reviews").get_data(as_text=True)
    assert TEXT in html and "依法理财" in html and "带头学法" in html
    assert decide(admin, own_id, "accept").status_code == 302
    assert reflection_row(app, own_id)[0] == "accepted"

    for person in (office.ann, office.chief):
        client = logged_in(app, person)
        assert client.get("/plans/reviews").status_code == 403
        assert decide(client, ann_id, "accept").status_code == 403
    assert app.test_client().get("/plans/reviews").status_code == 302  # to the login page


def test_the_department_page_shows_a_dept_lead_their_department_only(app, office):
    submit(app, office.ann, office.unreviewed)
    lead = logged_in(app, office.lead)
    page = lead.get("/plans/department")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "安娜" in html and "李科长" in html and "鲍勃" not in html and "主任" not in html
    assert "执法局" in html and "提醒未完成者" in html
    elsewhere = lead.get(f"/plans/department?department={office.other}")
    assert elsewhere.status_code == 403  # refused, as the report refuses it, not swapped
    assert "只能查看本部门" in elsewhere.get_data(as_text=True)
    assert "鲍勃" not in elsewhere.get_data(as_text=True)
    section = lead.get(f"/plans/department?department={office.section}").get_data(as_text=True)
    assert "安娜" in section and "李科长" not in section
    assert lead.get(f"/plans/department?plan={office.plan + 100}").status_code == 404

    export = lead.get(f"/plans/department.xlsx?plan={office.plan}")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.data))["完成情况"]
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == ["安娜", "李科长"]
    elsewhere = lead.get(f"/plans/department.xlsx?plan={office.plan}&department={office.other}")
    assert elsewhere.status_code == 403  # another department's is not theirs to see
    row = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}["安娜"]
    assert row[3:5] == ("未开始", "已完成")

    reminded = post_with_csrf(lead, "/plans/department",
                              f"/plans/department/remind?plan={office.plan}",
                              {"department_id": str(office.unit), "not_done": "y"})
    assert reminded.status_code == 302
    with app.app_context():
        # ann; not the lead who sends it
        assert set(db.session.scalars(select(Notice.user_id))) == {office.ann.id}
    outside = post_with_csrf(lead, "/plans/department",
                             f"/plans/department/remind?plan={office.plan}",
                             {"department_id": str(office.other), "not_done": "y"})
    assert outside.status_code == 403  # another department is not a lead's to remind
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Notice).where(
            Notice.user_id == office.bob.id)) == 0
        assert db.session.scalar(select(func.count()).select_from(Notice)) == 1  # ann's only

    chief = logged_in(app, office.chief)
    html = chief.get(f"/plans/department?department={office.other}").get_data(as_text=True)
    assert "鲍勃" in html and "安娜" not in html and "提醒未完成者" not in html
    assert "安娜" in chief.get("/plans/department").get_data(as_text=True)
    assert post_with_csrf(chief, "/plans/department",
                          f"/plans/department/remind?plan={office.plan}",
                          {"department_id": ""}).status_code == 403
    assert logged_in(app, office.ann).get("/plans/department").status_code == 403


def test_a_return_without_a_comment_shows_the_error_at_the_top_and_keeps_what_was_typed(
        app, office):
    first = submit(app, office.ann, office.reviewed, TEXT * 20)  # a long reflection
    lead = logged_in(app, office.lead)
    refused = decide(lead, first, "return", "   ")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    summary = html.index('class="error-summary"')
    assert summary < html.index(TEXT) < html.index(f'id="comment-{first}"')
    assert f'<a href="#comment-{first}">退回时请填写意见，说明需要修改的地方。</a>' in html
    assert 'data-replace-url="/plans/reviews"' in html  # a reload shows the list again
    assert 'src="/static/js/plan_item.js"' in html
    assert reflection_row(app, first) == ("submitted", "", None)

    long_comment = "意见" * 600  # over 1000 characters: kept as typed, the error on top
    refused = decide(lead, first, "return", long_comment)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and html.index('class="error-summary"') < html.index(TEXT)
    assert f">{long_comment}</textarea>" in html


def test_accepting_pays_the_plan_item_at_once(app, office):
    """Before, the item's points waited for its author to open a page, so the leaderboard
    lagged behind the lead's progress page."""
    from lawlearn.plans.models import PlanItem, PlanItemProgress

    with app.app_context():
        db.session.get(PlanItem, office.reviewed).points = 7
        db.session.commit()
    reflection_id = submit(app, office.ann, office.reviewed)
    lead = logged_in(app, office.lead)
    assert decide(lead, reflection_id, "accept").status_code == 302
    with app.app_context():
        paid = db.session.execute(select(PointAward.source, PointAward.amount).where(
            PointAward.user_id == office.ann.id, PointAward.rule == "plan_item")).all()
        assert paid == [(f"plan_item:{office.reviewed}", 7)]
        assert db.session.scalar(select(PlanItemProgress.completed_at).filter_by(
            item_id=office.reviewed, user_id=office.ann.id)) is not None


def test_a_reflection_corrected_after_the_reviewer_read_it_is_read_again(app, office):
    """Its author may correct a reflection until it is reviewed; a decision on the text read
    before the correction is refused, and one on the text now there goes through."""
    import re
    from datetime import timedelta

    reflection_id = submit(app, office.ann, office.reviewed)
    lead = logged_in(app, office.lead)
    response = lead.get("/plans/reviews")
    page, token = response.get_data(as_text=True), csrf_from(response)
    seen = re.search(r'name="seen" value="([^"]+)"', page).group(1)

    corrected = TEXT + "补充：要把宪法精神落实到执法工作中。"
    with app.app_context():
        actions.submit_reflection(db.session.get(User, office.ann.id),
                                  db.session.get(PlanItem, office.reviewed), corrected,
                                  NOW + timedelta(minutes=3))
        db.session.commit()
    refused = lead.post(f"/plans/reviews/{reflection_id}", data={
        "decision": "return", "comment": "请再具体些。", "seen": seen, "csrf_token": token})
    assert refused.status_code == 409
    stale = refused.get_data(as_text=True)
    assert "安娜 刚刚修改了这篇心得，请重新阅读后再审阅。" in stale
    assert corrected in stale  # the page shows the text now there
    assert "请再具体些。</textarea>" in stale  # and keeps the comment as typed
    assert reflection_row(app, reflection_id) == ("submitted", "", None)
    assert awards(app, office.ann.id) == []

    garbled = lead.post(f"/plans/reviews/{reflection_id}", data={
        "decision": "accept", "seen": "yesterday", "csrf_token": token})
    assert garbled.status_code == 422 and "请刷新页面后重试。" in garbled.get_data(as_text=True)

    seen = re.search(r'name="seen" value="([^"]+)"', stale).group(1)
    done = lead.post(f"/plans/reviews/{reflection_id}", data={
        "decision": "accept", "comment": "", "seen": seen, "csrf_token": token})
    assert done.status_code == 302
    assert reflection_row(app, reflection_id)[0] == "accepted"
    assert awards(app, office.ann.id) == [(f"reflection:{reflection_id}", 5)]

    # Reviewed now: its author can no longer change it.
    with app.app_context(), pytest.raises(Exception, match="已审阅通过"):
        actions.submit_reflection(db.session.get(User, office.ann.id),
                                  db.session.get(PlanItem, office.reviewed), TEXT + "再改。",
                                  NOW + timedelta(minutes=9))


def test_my_reflections_lists_mine_with_where_each_review_stands(app, office):
    """我的学习心得 (linked from 我的): each of my reflections, newest first, with its plan,
    where it stands (已退回 with the comment, 已审阅通过, 已提交 where the item asks no review)
    and a link to its item page; nobody else's."""
    from lxml import html

    returned = submit(app, office.ann, office.reviewed)
    submit(app, office.ann, office.unreviewed, "自由心得：依法行政要从身边小事做起。")
    submit(app, office.bob, office.reviewed, "鲍勃的心得：法律面前人人平等，不可例外。")
    lead = logged_in(app, office.lead)
    assert decide(lead, returned, "return", "请结合工作实际。").status_code == 302
    ann = logged_in(app, office.ann)
    assert "/plans/reflections" in ann.get("/me").get_data(as_text=True)

    def cards() -> list[str]:
        page = html.fromstring(ann.get("/plans/reflections").get_data(as_text=True))
        return [" ".join(li.text_content().split())
                for li in page.xpath('//ul[@class="reflection-list"]/li')]

    free, constitution = cards()
    assert free.startswith("自由心得 2026年度学法计划") and "已提交" in free
    assert constitution.startswith("学习宪法心得") and "已退回，待修改" in constitution
    assert "审阅意见：请结合工作实际。" in constitution and "鲍勃" not in constitution + free
    page = html.fromstring(ann.get("/plans/reflections").get_data(as_text=True))
    assert page.xpath('//a[@class="reflection-link"]/@href') == [
        f"/plans/items/{office.unreviewed}", f"/plans/items/{office.reviewed}"]

    submit(app, office.ann, office.reviewed, TEXT + "结合执法工作，做到严格规范公正文明。")
    assert "待审阅" in cards()[1]  # as the plan and item pages say
    decide(lead, returned, "accept")
    assert "已审阅通过" in cards()[1]

    chief = logged_in(app, office.chief)
    assert "还没有学习心得" in chief.get("/plans/reflections").get_data(as_text=True)
    assert app.test_client().get("/plans/reflections").status_code == 302  # to the login


def test_a_lead_looks_back_at_the_reflections_reviewed(app, office, count_queries):
    """已审阅: the reviews made among the reflections a lead reviews — by them or an admin —
    the latest first, with the reviewer, the comment and the text; not other departments'."""
    ann_id = submit(app, office.ann, office.reviewed)
    bob_id = submit(app, office.bob, office.reviewed, "财政局的学习体会：依法理财。")
    lead = logged_in(app, office.lead)
    assert 'href="/plans/reviews?show=reviewed"' in lead.get("/plans/reviews").get_data(
        as_text=True)
    empty = lead.get("/plans/reviews?show=reviewed").get_data(as_text=True)
    assert "还没有审阅过的学习心得" in empty
    queries = count_queries(lambda: lead.get("/plans/reviews?show=reviewed"))
    assert decide(lead, ann_id, "return", "请结合本职工作谈体会").status_code == 302
    admin = logged_in(app, office.admin)
    assert decide(admin, bob_id, "accept").status_code == 302
    page = lead.get("/plans/reviews?show=reviewed").get_data(as_text=True)
    for text in ("安娜", "已退回", "李科长", "请结合本职工作谈体会", TEXT):
        assert text in page, text
    assert "鲍勃" not in page and 'method="post"' not in page
    page = admin.get("/plans/reviews?show=reviewed").get_data(as_text=True)
    assert page.index("鲍勃") < page.index("安娜")  # the latest review first
    assert "管理员甲" in page and "已通过" in page
    assert count_queries(lambda: lead.get("/plans/reviews?show=reviewed")) == queries
    assert logged_in(app, office.ann).get("/plans/reviews?show=reviewed").status_code == 403


# The Constitution's preamble, its opening: prose of the length a reflection has.
PREAMBLE = (
    "中国是世界上历史最悠久的国家之一。中国各族人民共同创造了光辉灿烂的文化，具有光荣的革命传统。"
    "一八四〇年以后，封建的中国逐渐变成半殖民地、半封建的国家。中国人民为国家独立、民族解放和民主"
    "自由进行了前仆后继的英勇奋斗。二十世纪，中国发生了翻天覆地的伟大历史变革。一九一一年孙中山先生"
    "领导的辛亥革命，废除了封建帝制，创立了中华民国。但是，中国人民反对帝国主义和封建主义的历史任务"
    "还没有完成。一九四九年，以毛泽东主席为领袖的中国共产党领导中国各族人民，在经历了长期的艰难曲折"
    "的武装斗争和其他形式的斗争以后，终于推翻了帝国主义、封建主义和官僚资本主义的统治，取得了新民主"
    "主义革命的伟大胜利，建立了中华人民共和国。")


def test_a_long_reflection_folds_and_filler_is_pointed_out(app, office):
    """A 12,000-字 text of 宪法宪法… was shown whole, the decision buttons 20,000 px below
    the name on a phone, and nothing told the reviewer it was filler."""
    from lawlearn.plans.models import Reflection

    filler = submit(app, office.ann, office.reviewed, "宪法" * 6000)
    lead = logged_in(app, office.lead)
    page = lead.get("/plans/reviews").get_data(as_text=True)
    assert "提示：这篇心得大量重复相同的内容，请留意。" in page
    assert '<details class="full-text"><summary>心得全文（12,000 字）</summary>' in page
    # The opening lines before the fold, cut at 200 characters; the whole text inside it.
    assert '<div class="prose preview"><p>' + "宪法" * 100 + "…</p></div>" in page
    assert "宪法" * 6000 in page
    with app.app_context():
        reflection = db.session.get(Reflection, filler)
        assert reflection.mostly_repeated
        reflection.body = TEXT  # short: whole, no fold, no hint
        assert not reflection.mostly_repeated
        reflection.body = PREAMBLE  # prose is not filler
        assert not reflection.mostly_repeated
        reflection.body = TEXT * 3 + "\n" + "本人认真学习。" * 40  # a paragraph pasted over
        assert reflection.mostly_repeated
        reflection.body = TEXT
        db.session.commit()
    page = lead.get("/plans/reviews").get_data(as_text=True)
    assert TEXT in page and "full-text" not in page and "大量重复" not in page
