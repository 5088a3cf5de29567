"""The campaign and ledger pages: only admins change anything (staff 403; leaders read the
ledger and dashboards under /outreach), forms re-render with their errors and change
nothing, copy and delete ask first, the dashboard and the ledger render their figures in
words and numbers in a constant number of queries, and the export buttons answer files."""

from __future__ import annotations

import io
from datetime import date, timedelta

import docx
import openpyxl
import pytest
from flask import g
from sqlalchemy import func, select

from lawlearn.extensions import db
from lawlearn.outreach.models import Campaign, OutreachCategory
from tests.conftest import csrf_from, post_with_csrf
from tests.outreach.test_ledger import (  # noqa: F401  (fixtures)
    DAY,
    cats_fixture,
    make_campaign,
    make_event,
    make_law,
    office_fixture,
)

FORM = {"title": "2025年宪法宣传周", "starts_on": "2025-12-01", "ends_on": "2025-12-07",
        "description": "围绕国家宪法日", "target_events": "20", "target_participants": "5000",
        "target_materials": "60000", "target_departments": "3", "target_categories": "5"}


def campaign_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Campaign))


@pytest.fixture
def week(app, office, cats):
    campaign = make_campaign(targets={"events": 4, "participants": 0, "materials": 2000,
                                      "departments": 3, "categories": 5})
    constitution = make_law("中华人民共和国宪法")
    make_event(cats["进社区"], office.justice_pufa, title="宪法进社区", campaign=campaign,
               participants=300, consultations=20, materials=(("leaflet", 3, 1500),),
               laws=(constitution,), other_laws="《反电信网络诈骗法》")
    make_event(cats["进学校"], office.education, title="宪法进校园", campaign=campaign,
               status="verified", participants=500, materials=(("handbook", 1, 800),))
    make_event(cats["进企业"], office.health, title="企业草稿", campaign=campaign,
               status="draft", participants=999)
    db.session.commit()
    return campaign.id


@pytest.fixture
def leader_client(client, login, make_user):
    login(make_user("leader1", roles=("leader", "staff"), name="主要负责人甲"))
    return client


# --- who may see what --------------------------------------------------------------------------


def test_staff_get_403_everywhere(client, login, make_user, week):
    login(make_user("staff1"))
    for url in ("/admin/outreach/campaigns", "/admin/outreach/campaigns/new",
                f"/admin/outreach/campaigns/{week}", "/admin/outreach/ledger",
                "/admin/outreach/ledger.xlsx", "/outreach/ledger", "/outreach/ledger.docx",
                "/outreach/campaigns", f"/outreach/campaigns/{week}",
                f"/outreach/campaigns/{week}/export.xlsx"):
        assert client.get(url).status_code == 403, url
    token = csrf_from(client.get("/"))
    response = client.post("/admin/outreach/campaigns/new", data={**FORM, "csrf_token": token})
    assert response.status_code == 403
    assert campaign_count() == 1


def test_anonymous_is_sent_to_login(client, week):
    for url in ("/admin/outreach/ledger", "/outreach/ledger", f"/outreach/campaigns/{week}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_leaders_read_the_ledger_and_dashboards_without_buttons_that_change(leader_client,
                                                                             week):
    dashboard = leader_client.get(f"/outreach/campaigns/{week}")
    assert dashboard.status_code == 200
    html = dashboard.get_data(as_text=True)
    assert "目标完成情况" in html and "尚无活动的单位" in html
    assert "/admin/outreach" not in html
    assert "编辑" not in html and "删除" not in html
    ledger = leader_client.get("/outreach/ledger?from=2024-12-01&to=2024-12-07")
    assert ledger.status_code == 200 and "宪法进校园" in ledger.get_data(as_text=True)
    assert leader_client.get("/outreach/campaigns").status_code == 200
    export = leader_client.get("/outreach/ledger.xlsx?from=2024-12-01&to=2024-12-07")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    # The admin pages stay closed to leaders.
    assert leader_client.get("/admin/outreach/campaigns").status_code == 403
    assert leader_client.get(f"/admin/outreach/campaigns/{week}/edit").status_code == 403


# --- forms ---------------------------------------------------------------------------------------


def test_create_a_campaign_through_the_form(admin_client, ctx):
    page = admin_client.get("/admin/outreach/campaigns/new")
    assert page.status_code == 200 and "新建主题宣传" in page.get_data(as_text=True)
    response = post_with_csrf(admin_client, "/admin/outreach/campaigns/new",
                              "/admin/outreach/campaigns/new", FORM)
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert response.headers["Location"].endswith(f"/admin/outreach/campaigns/{campaign.id}")
    assert campaign.targets == {"events": 20, "participants": 5000, "materials": 60000,
                                "departments": 3, "categories": 5}
    assert campaign.starts_on == date(2025, 12, 1)


@pytest.mark.parametrize(("changes", "message"), [
    ({"target_events": "-3"}, "请填写不小于 0 的整数。"),
    ({"target_categories": "9"}, "请填写 0 到 7 之间的整数。"),
    ({"ends_on": "2025-11-30"}, "结束日期不能早于开始日期。"),
    ({"title": ""}, "活动名称"),
    ({"starts_on": "2025-13-40"}, "开始日期"),
])
def test_bad_form_rerenders_with_errors_and_creates_nothing(admin_client, ctx, changes,
                                                            message):
    response = post_with_csrf(admin_client, "/admin/outreach/campaigns/new",
                              "/admin/outreach/campaigns/new", {**FORM, **changes})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and "请按提示修改后再保存。" in html
    # What was typed is kept.
    assert 'value="60000"' in html
    assert campaign_count() == 0


def test_edit_form_with_errors_changes_nothing(admin_client, week):
    url = f"/admin/outreach/campaigns/{week}/edit"
    page = admin_client.get(url).get_data(as_text=True)
    assert 'value="2024年宪法宣传周"' in page and 'value="2000"' in page
    response = post_with_csrf(admin_client, url, url, {**FORM, "target_materials": "-1"})
    assert response.status_code == 422
    db.session.expire_all()
    campaign = db.session.get(Campaign, week)
    assert campaign.title == "2024年宪法宣传周" and campaign.targets["materials"] == 2000
    # A period that leaves the campaign's events (4 December 2024) outside is refused.
    response = post_with_csrf(admin_client, url, url, FORM)
    assert response.status_code == 422
    assert "已关联的活动中有 3 场不在新的期间内" in response.get_data(as_text=True)
    response = post_with_csrf(admin_client, url, url, {**FORM, "starts_on": "2024-12-01",
                                                       "ends_on": "2024-12-08"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Campaign, week).title == "2025年宪法宣传周"
    assert db.session.get(Campaign, week).ends_on.isoformat() == "2024-12-08"


def test_copy_asks_first_then_makes_one_copy(admin_client, ctx):
    source = make_campaign("2023年宪法宣传周", date(2023, 12, 1), date(2023, 12, 7),
                           targets={"events": 10})
    db.session.commit()
    source_id = source.id
    # Offered on the list and on the new-campaign form as last year's template.
    assert f"/admin/outreach/campaigns/{source_id}/copy" in \
        admin_client.get("/admin/outreach/campaigns").get_data(as_text=True)
    url = f"/admin/outreach/campaigns/{source_id}/copy"
    page = admin_client.get(url).get_data(as_text=True)
    assert "2024年宪法宣传周" in page and "2024年12月1日" in page and "确定复制" in page
    assert campaign_count() == 1
    response = post_with_csrf(admin_client, url, url)
    assert response.status_code == 302
    copy = db.session.scalar(select(Campaign).where(Campaign.id != source_id))
    assert response.headers["Location"].endswith(f"/admin/outreach/campaigns/{copy.id}/edit")
    assert (copy.title, copy.starts_on, copy.targets["events"]) == \
        ("2024年宪法宣传周", date(2024, 12, 1), 10)
    # Again (a double click): refused, still two campaigns.
    token = csrf_from(admin_client.get(url))
    again = admin_client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "已复制为《2024年宪法宣传周》" in again.get_data(as_text=True)
    assert campaign_count() == 2
    # The list no longer offers to copy it again: it names the copy.
    listing = admin_client.get("/admin/outreach/campaigns").get_data(as_text=True)
    assert f"/admin/outreach/campaigns/{source_id}/copy" not in listing
    assert f'已复制为 <a href="/admin/outreach/campaigns/{copy.id}">2024年宪法宣传周</a>' in listing


def test_delete_only_without_events(admin_client, week):
    url = f"/admin/outreach/campaigns/{week}/delete"
    assert "不能删除" in admin_client.get(url).get_data(as_text=True)
    response = post_with_csrf(admin_client, url, url, follow_redirects=True)
    assert "已有 3 场活动，不能删除" in response.get_data(as_text=True)
    assert campaign_count() == 1

    spare = make_campaign("2026年宪法宣传周", date(2026, 12, 1), date(2026, 12, 7))
    db.session.commit()
    url = f"/admin/outreach/campaigns/{spare.id}/delete"
    assert "确定删除" in admin_client.get(url).get_data(as_text=True)
    response = post_with_csrf(admin_client, url, url)
    assert response.status_code == 302
    assert campaign_count() == 1


def test_posts_without_csrf_change_nothing(admin_client, ctx):
    source = make_campaign("2023年宪法宣传周", date(2023, 12, 1), date(2023, 12, 7))
    db.session.commit()
    assert admin_client.post(f"/admin/outreach/campaigns/{source.id}/copy").status_code == 400
    assert admin_client.post("/admin/outreach/campaigns/new", data=FORM).status_code == 400
    assert campaign_count() == 1


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_shows_targets_in_words_gaps_laws_and_events(admin_client, week):
    html = admin_client.get(f"/admin/outreach/campaigns/{week}").get_data(as_text=True)
    assert "2024年宪法宣传周" in html
    # Two counted events of four: 50.0 %, in text as well as in the bar.
    assert "完成 50.0%" in html and "还差 2 场" in html
    assert 'aria-label="活动场次：50.0%"' in html
    assert "未设目标" in html  # the participants target is 0
    assert "✓ 已完成" in html  # 2,300 copies of 2,000
    assert "另有草稿 1 场（覆盖群众 999 人次）未计入" in html
    assert "尚无活动的单位" in html and "区卫健委" in html
    assert "尚未覆盖的七进领域" in html and "进军营" in html
    assert "中华人民共和国宪法" in html and "反电信网络诈骗法" in html
    assert "宪法进社区" in html and "企业草稿" in html
    assert f"/admin/outreach/campaigns/{week}/export.docx" in html
    with_drafts = admin_client.get(f"/admin/outreach/campaigns/{week}?drafts=1")
    assert "完成 75.0%" in with_drafts.get_data(as_text=True)


def test_dashboard_queries_do_not_grow_with_events(admin_client, week, office, count_queries):
    category_id = db.session.scalar(select(OutreachCategory.id).filter_by(name="进乡村"))
    url = f"/admin/outreach/campaigns/{week}"

    def load() -> None:
        # The test shares the requests' session: start each request from an empty one.
        db.session.expunge_all()
        admin_client.get(url)

    load()
    few = count_queries(load)
    campaign = db.session.get(Campaign, week)
    category = db.session.get(OutreachCategory, category_id)
    for index in range(25):
        make_event(category, office.justice_law, title=f"进村{index}", campaign=campaign,
                   materials=(("leaflet", 1, 5),), participants=index,
                   starts_at=DAY + timedelta(hours=index))
    db.session.commit()
    assert count_queries(load) == few


def test_campaign_lists_name_every_target_set(admin_client, week):
    """单位 and 领域 targets were missing from the lists (three of the five were shown)."""
    from lxml import html as lxml_html

    for url in ("/admin/outreach/campaigns", "/outreach/campaigns"):
        page = lxml_html.fromstring(admin_client.get(url).data)
        cells = page.xpath("//tbody/tr[td[1]/a[text()='2024年宪法宣传周']]/td[5]")
        # participants 0 is no target
        assert cells[0].text_content().strip() == "4 场，2,000 份，3 个单位，5 个领域", url


def test_campaign_lists_load_in_a_constant_number_of_queries(admin_client, week, office, count_queries):
    """The admin's list and the leaders' list (one query for every campaign's counts)."""
    category = db.session.scalar(select(OutreachCategory).filter_by(name="进乡村"))

    def load() -> None:
        for url in ("/admin/outreach/campaigns", "/outreach/campaigns"):
            # The requests share the test's app context: start each from scratch.
            db.session.expunge_all()
            g.pop("_login_user", None)
            admin_client.get(url)

    few = count_queries(load)
    for year in range(2015, 2023):
        campaign = make_campaign(f"{year}年宪法宣传周", date(year, 12, 1), date(year, 12, 7),
                                 targets={"events": 3})
        make_event(category, office.health, title=f"{year}年进村", campaign=campaign,
                   starts_at=DAY.replace(year=year))
    db.session.commit()
    assert count_queries(load) == few
    assert "2015年宪法宣传周" in admin_client.get("/outreach/campaigns").get_data(as_text=True)


def test_unknown_campaign_is_404(admin_client, ctx):
    assert admin_client.get("/admin/outreach/campaigns/999").status_code == 404
    assert admin_client.get("/admin/outreach/campaigns/999/export.docx").status_code == 404


def test_campaign_exports(admin_client, week):
    docx_response = admin_client.get(f"/admin/outreach/campaigns/{week}/export.docx")
    assert docx_response.status_code == 200
    assert docx_response.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in docx_response.headers["Content-Disposition"]
    xlsx_response = admin_client.get(f"/admin/outreach/campaigns/{week}/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx_response.data))
    assert book["活动台账"].max_row == 3
    # The campaign's own days, where the file had said 全部.
    labels = {row[0]: row[1] for sheet in book for row in sheet.iter_rows(values_only=True)
              if row and row[0] == "统计期间"}
    assert labels == {"统计期间": "2024年12月1日 至 2024年12月7日"}
    assert admin_client.get(f"/admin/outreach/campaigns/{week}/export.pdf").status_code == 404


# --- the ledger page ---------------------------------------------------------------------------


def test_ledger_page_filters_totals_and_exports(admin_client, week, office):
    # Default period: this year. The fixture's events are in December 2024.
    page = admin_client.get("/admin/outreach/ledger?from=2024-12-01&to=2024-12-07")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "宪法进社区" in html and "宪法进校园" in html and "企业草稿" not in html
    assert "合计（全部 2 场）" in html and "800" in html
    assert "统计期间：2024年12月1日 至 2024年12月7日" in html
    # The exports submit the filter form, so a file follows the fields as they stand.
    form = html[html.index('id="ledger-filters"'):]
    form = form[:form.index("</form>")]
    assert 'formaction="/admin/outreach/ledger.xlsx"' in form
    # 筛选 is the form's first button: Enter in a field filters, it does not download.
    assert form.index("筛选</button>") < form.index("formaction=")

    only_justice = admin_client.get(
        f"/admin/outreach/ledger?from=2024-12-01&to=2024-12-07&department={office.justice}")
    text = only_justice.get_data(as_text=True)
    assert "宪法进社区" in text and "宪法进校园" not in text

    drafts = admin_client.get("/admin/outreach/ledger?from=2024-12-01&to=2024-12-07&status=all")
    assert "企业草稿" in drafts.get_data(as_text=True)

    export = admin_client.get(
        f"/admin/outreach/ledger.xlsx?from=2024-12-01&to=2024-12-07&department={office.justice}")
    book = openpyxl.load_workbook(io.BytesIO(export.data))
    assert [row[2] for row in book["活动台账"].iter_rows(min_row=2, values_only=True)] == \
        ["宪法进社区"]
    summary = admin_client.get("/admin/outreach/ledger.docx?from=2024-12-01&to=2024-12-07")
    assert summary.status_code == 200 and summary.mimetype.endswith("document")
    assert summary.headers["Content-Disposition"].endswith("_2024-12-01_2024-12-07.docx")
    # The people reached go by one name on the page, in the workbook and in the draft, as in
    # the participation report: 覆盖群众 (the ledger said 受众, its draft 受教育群众).
    words = [html, " ".join(str(cell) for sheet in book for row in sheet.iter_rows(
        values_only=True) for cell in row if cell is not None),
             " ".join(p.text for p in docx.Document(io.BytesIO(summary.data)).paragraphs)]
    for text in words:
        assert "覆盖群众" in text and "受众" not in text and "受教育群众" not in text


def test_ledger_page_reports_bad_filters(admin_client, week):
    html = admin_client.get("/admin/outreach/ledger?from=2024-99-01&status=lost") \
        .get_data(as_text=True)
    assert "开始日期无效：应为 1900—2999 年间的日期" in html and "未知的状态范围。" in html
    swapped = admin_client.get("/admin/outreach/ledger?from=2024-12-07&to=2024-12-01")
    assert "已按对调后的期间统计" in swapped.get_data(as_text=True)
    assert "宪法进社区" in swapped.get_data(as_text=True)
    # Ids that name nothing match no event, and the page says why its figures are zero.
    period = "from=2024-12-01&to=2024-12-07"
    for query in ("department=99999", "department=999999999999999999999", "category=98765",
                  "campaign=4242", "law=777"):
        html = admin_client.get(f"/admin/outreach/ledger?{period}&{query}").get_data(
            as_text=True)
        assert "不存在，没有符合条件的活动。" in html and "宪法进社区" not in html, query
    # Text where an id belongs was dropped without a word: whole-office figures passed for
    # the filter's. Now the page says so, and an export refuses it.
    for name, label in (("department", "部门"), ("category", "类别"), ("campaign", "主题宣传"),
                        ("law", "法规")):
        for text in ("abc", "²", "４２"):  # letters, and digits int() refuses or reads oddly
            html = admin_client.get(f"/admin/outreach/ledger?{period}&{name}={text}")
            assert html.status_code == 200, (name, text)
            assert f"{label}参数“{text}”不正确。" in html.get_data(as_text=True), name
            export = admin_client.get(f"/admin/outreach/ledger.xlsx?{period}&{name}={text}")
            assert export.status_code == 400 and f"{label}参数“{text}”不正确。" in \
                export.get_data(as_text=True), name


def test_ledger_page_defaults_to_this_year_and_paginates(admin_client, office, cats, count_queries):
    from lawlearn.database import utcnow
    from lawlearn.localtime import day_start
    from lawlearn.outreach.ledger import local_naive

    year = local_naive(utcnow()).year
    midyear = day_start(date(year, 6, 15))
    for index in range(25):
        make_event(cats["进社区"], office.education, title=f"本年活动{index:02d}",
                   starts_at=midyear - timedelta(minutes=index))
    make_event(cats["进社区"], office.education, title="去年活动",
               starts_at=day_start(date(year - 1, 12, 31)))
    db.session.commit()
    first = admin_client.get("/admin/outreach/ledger").get_data(as_text=True)
    assert "去年活动" not in first
    assert "第 1 / 2 页，共 25 条" in first
    second = admin_client.get("/admin/outreach/ledger?page=2").get_data(as_text=True)
    assert "本年活动00" in second

    def load(url: str):
        return lambda: (db.session.expunge_all(), admin_client.get(url))

    few = count_queries(load("/admin/outreach/ledger?page=2"))
    assert count_queries(load("/admin/outreach/ledger")) == few


# --- numbers a hand-edited URL may hold --------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "leader"])
def test_an_export_asked_with_bad_filters_is_refused_in_words(request, week, who):
    """A hand-typed period that is no period gave a file of another one (the default year,
    or the dates swapped) that looked like the one asked for."""
    client = request.getfixturevalue(f"{who}_client")
    base = "/admin/outreach/ledger" if who == "admin" else "/outreach/ledger"
    for query, said in (("from=2026-13-01&to=abc", "结束日期无效：应为 1900—2999 年间的日期"),
                        ("from=2024-12-07&to=2024-12-01", "结束日期早于开始日期"),
                        ("from=2024-12-01&to=2024-12-07&status=whatever", "未知的状态范围。")):
        for export_format in ("xlsx", "docx"):
            response = client.get(f"{base}.{export_format}?{query}")
            text = response.get_data(as_text=True)
            assert response.status_code == 400, query
            assert "无法导出" in text and said in text, query
            assert "已按对调后的期间统计" not in text  # it does not: it refuses
            assert f'href="{base}?' in text  # back to the page, filters kept
    fine = client.get(f"{base}.xlsx?from=2024-12-01&to=2024-12-07")
    assert fine.status_code == 200 and fine.data.startswith(b"PK")


@pytest.mark.parametrize("huge", ["2147483648", "99999999999999999999"])
def test_huge_ids_filter_nothing_and_a_huge_page_is_the_last_one(admin_client, week, huge):
    """Past a 32-bit id or PostgreSQL's BIGINT: these were 500s on PostgreSQL (the admin
    also reads the leaders' pages under /outreach)."""
    period = "from=2024-12-01&to=2024-12-07"
    for name in ("department", "category", "campaign", "law"):
        for url in (f"/admin/outreach/ledger?{period}&{name}={huge}",
                    f"/outreach/ledger?{period}&{name}={huge}"):
            response = admin_client.get(url)
            assert response.status_code == 200, url
            assert "宪法进社区" not in response.get_data(as_text=True), url
    # The export says why rather than a file of nothing (or of the whole office)
    export = admin_client.get(f"/admin/outreach/ledger.xlsx?{period}&campaign={huge}")
    assert export.status_code == 400
    assert "所选的主题宣传不存在，没有符合条件的活动。" in export.get_data(as_text=True)
    for name in ("department_id", "category_id", "campaign_id"):
        response = admin_client.get(f"/admin/outreach/events?{name}={huge}")
        assert response.status_code == 200, name
        assert "宪法进社区" not in response.get_data(as_text=True), name
    assert "宪法进社区" in admin_client.get("/admin/outreach/events").get_data(as_text=True)

    for url, last in ((f"/admin/outreach/ledger?{period}&page={huge}",
                       f"/admin/outreach/ledger?{period}&page=1"),
                      (f"/outreach/ledger?{period}&page={huge}",
                       f"/outreach/ledger?{period}&page=1"),
                      (f"/admin/outreach/events?page={huge}", "/admin/outreach/events?page=1"),
                      (f"/outreach/?page={huge}", "/outreach/?page=1")):
        response = admin_client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == last, url
        assert "宪法进社区" in admin_client.get(last).get_data(as_text=True), url


def test_export_file_names_have_a_plain_ascii_fallback(admin_client, week):
    ledger = admin_client.get("/admin/outreach/ledger.xlsx?from=2024-12-01&to=2024-12-07")
    disposition = ledger.headers["Content-Disposition"]
    assert disposition.startswith(
        'attachment; filename="outreach-ledger_2024-12-01_2024-12-07.xlsx"; filename*=UTF-8')
    assert ledger.headers["Cache-Control"] == "no-cache"
    summary = admin_client.get(f"/admin/outreach/campaigns/{week}/export.docx")
    assert summary.headers["Content-Disposition"].startswith(
        f'attachment; filename="campaign-{week}-summary.docx"; filename*=UTF-8')


def test_choosing_a_past_campaign_with_default_dates_uses_its_period(admin_client, week):
    year = date.today().year
    for query in (f"campaign={week}",
                  f"from={year}-01-01&to={year}-12-31&campaign={week}"):
        html = admin_client.get(f"/admin/outreach/ledger?{query}").get_data(as_text=True)
        assert "宪法进社区" in html and "合计（全部 2 场）" in html, query
        assert "统计期间：2024年12月1日 至 2024年12月7日" in html
    typed = admin_client.get(f"/admin/outreach/ledger?from=2025-01-01&to=2025-12-31"
                             f"&campaign={week}").get_data(as_text=True)
    assert "宪法进社区" not in typed


def test_the_new_campaign_hint_names_this_year(admin_client, ctx):
    html = admin_client.get("/admin/outreach/campaigns/new").get_data(as_text=True)
    assert f"例如：{date.today().year}年宪法宣传周" in html and "主题宣传" in html


def test_the_event_table_heading_counts_the_drafts_it_lists(admin_client, week):
    """The table lists drafts either way; its heading says how many, counted in the
    figures (drafts=1) or not."""
    for url in (f"/admin/outreach/campaigns/{week}", f"/admin/outreach/campaigns/{week}?drafts=1"):
        assert "活动（3 场，其中草稿 1 场）" in admin_client.get(url).get_data(as_text=True)


def test_the_sections_without_an_event_of_their_own_are_named(admin_client, week):
    """A campaign asking every 科室 for an event: 普法科 held one, 法制科 did not, though
    their unit counts as covered."""
    html = admin_client.get(f"/admin/outreach/campaigns/{week}").get_data(as_text=True)
    assert "尚无本科室活动的科室（1）" in html and "<li>区司法局/法制科</li>" in html
    assert "<li>区司法局/普法科</li>" not in html
