"""Exports of the ledger opened back: the XLSX with openpyxl (sheets, headers, numbers as
numbers, dates as dates, totals that match) and the DOCX with python-docx (the summary
paragraph's figures and rounding words, a table per category, the photos); the
``flask outreach export`` command writes both and refuses bad arguments."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import docx
import openpyxl
import pytest

from lawlearn.extensions import db
from lawlearn.outreach.activity_summary import about, chinese_ordinal, export_docx
from lawlearn.outreach.export import event_headers, export_name, export_xlsx, material_headers
from lawlearn.outreach.ledger import LedgerFilters, ledger_totals
from lawlearn.outreach.models import OutreachPhoto
from tests.outreach.test_ledger import (  # noqa: F401  (fixtures)
    NOW,
    cats_fixture,
    make_campaign,
    make_event,
    make_law,
    office_fixture,
    write_photo,
)

WEEK = LedgerFilters(date_from=date(2024, 12, 1), date_to=date(2024, 12, 7))


@pytest.fixture
def week(office, cats):
    """Constitution Week: three counted events (two categories), a draft, one event in May."""
    campaign = make_campaign(targets={"events": 5})
    constitution = make_law("中华人民共和国宪法")
    community = make_event(
        cats["进社区"], office.justice_pufa, title="宪法进社区", campaign=campaign,
        participants=3000, quiz_completions=240, volunteers=30, consultations=1234,
        materials=(("leaflet", 20, 50000), ("handbook", 8, 10437)), laws=(constitution,),
        other_laws="《反电信网络诈骗法》", starts_at=datetime(2024, 12, 4, 2, 0))
    school = make_event(
        cats["进学校"], office.education, title="宪法进校园", campaign=campaign,
        status="verified", participants=1500, starts_at=datetime(2024, 12, 2, 1, 0),
        laws=(constitution,))
    make_event(cats["进学校"], office.education, title="晨读宪法", campaign=campaign,
               participants=130, online_views=12345, starts_at=datetime(2024, 12, 5, 0, 30))
    draft = make_event(cats["进企业"], office.health, title="草稿活动", campaign=campaign,
                       status="draft", participants=999, starts_at=datetime(2024, 12, 6, 2, 0))
    make_event(cats["进乡村"], office.health, title="五月活动", participants=77,
               starts_at=datetime(2024, 5, 10, 2, 0))
    db.session.commit()
    return campaign, community, school, draft


# --- rounding words ----------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "unit", "text"), [
    (0, "人次", " 0 人次"),
    (86, "人次", " 86 人次"),
    (150, "人次", " 150 人次"),
    (5000, "人次", " 5,000 人次"),
    (4870, "人次", "近 5,000 人次"),
    (4990, "人次", "近 5,000 人次"),
    (4700, "人次", " 4,700 人次"),
    (4701, "人次", " 4,700 余人次"),
    (1234, "人次", " 1,200 余人次"),
    (60437, "份", " 60,000 余份"),
    (9600, "次", " 9,600 次"),
    (9650, "次", "近 10,000 次"),
    (980, "份", " 980 份"),
    (985, "份", "近 1,000 份"),
    (123, "份", " 120 余份"),
])
def test_figures_in_the_offices_register(ctx, n, unit, text):
    assert about(n, unit) == text


def test_chinese_ordinals_and_file_names(ctx):
    assert [chinese_ordinal(n) for n in (1, 7, 10, 12, 20, 23)] == \
        ["一", "七", "十", "十二", "二十", "二十三"]
    assert export_name(WEEK, "xlsx") == "普法台账_2024-12-01_2024-12-07.xlsx"
    assert export_name(LedgerFilters(), "docx") == "普法宣传活动总结_不限_不限.docx"
    from lawlearn.accounts.departments import create_department

    unit = create_department(None, "执法局")
    section = create_department(None, "法制科", unit.id)
    assert export_name(LedgerFilters(date_from=date(2024, 12, 1), date_to=date(2024, 12, 7),
                                     department_id=section.id), "xlsx") == \
        "普法台账_2024-12-01_2024-12-07_执法局_法制科.xlsx"


# --- XLSX ---------------------------------------------------------------------------------------


def test_xlsx_has_three_sheets_with_numbers_dates_and_matching_totals(week, office):
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(WEEK, NOW)))
    assert book.sheetnames == ["汇总", "活动台账", "宣传资料"]

    ledger = book["活动台账"]
    rows = list(ledger.iter_rows(values_only=True))
    assert list(rows[0]) == event_headers()
    assert ledger.freeze_panes == "D2"
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    # Oldest first; the draft and the May event are not in the week's ledger.
    assert [row["活动名称"] for row in body] == ["宪法进校园", "宪法进社区", "晨读宪法"]
    community = body[1]
    assert community["日期"] == datetime(2024, 12, 4)  # 02:00 UTC is 10:00 in Shanghai
    assert community["开始时间"] == datetime(2024, 12, 4, 10, 0)
    assert community["组织单位"] == "区司法局/普法科"
    assert community["宣传法律法规"] == "中华人民共和国宪法、反电信网络诈骗法"
    assert community["宣传对象"] == "居民" and community["状态"] == "已提交"
    assert (community["参与人次"], community["有奖问答完成人次"], community["覆盖群众（人次）"]) == \
        (3000, 240, 3240)
    assert (community["发放资料种类"], community["发放资料份数"]) == (28, 60437)
    for row in ledger.iter_rows(min_row=2):
        for cell in row[14:22]:
            assert cell.data_type == "n" and isinstance(cell.value, int)
        assert row[3].is_date and row[4].is_date
    totals = ledger_totals(WEEK)
    assert sum(row["覆盖群众（人次）"] for row in body) == totals.reach == 4870
    assert sum(row["解答咨询（人次）"] for row in body) == totals.consultations

    materials = list(book["宣传资料"].iter_rows(values_only=True))
    assert list(materials[0]) == material_headers()
    assert [(row[5], row[6], row[7]) for row in materials[1:]] == \
        [("宣传单", 20, 50000), ("宣传手册", 8, 10437)]
    assert book["宣传资料"].freeze_panes == "A2"

    summary = list(book["汇总"].iter_rows(values_only=True))
    labels = {row[0]: row[1] for row in summary if row[0]}
    assert labels["统计期间"] == "2024年12月1日 至 2024年12月7日"
    assert labels["状态"] == "已提交和已审核"
    assert labels["活动场次"] == 3 and labels["覆盖群众（人次）"] == 4870
    assert labels["发放资料份数"] == 60437 and labels["线上浏览量"] == 12345
    by_category_start = [row[0] for row in summary].index("按类别统计")
    category_rows = {row[0]: row for row in summary[by_category_start + 2:]
                     if row[0] in ("进社区", "进学校", "进军营")}
    assert category_rows["进学校"][1] == 2 and category_rows["进学校"][4] == 1630
    assert category_rows["进军营"][1] == 0
    campaign_start = [row[0] for row in summary].index("按主题宣传统计")
    assert summary[campaign_start + 2][0] == "2024年宪法宣传周"
    assert summary[campaign_start + 2][1] == 3
    assert summary[campaign_start + 3][0] == "合计" and summary[campaign_start + 3][4] == 4870


def test_xlsx_with_drafts_and_department_filter(week, office):
    filters = LedgerFilters(department_id=office.health, status="all")
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(filters, NOW)))
    names = [row[2] for row in book["活动台账"].iter_rows(min_row=2, values_only=True)]
    assert names == ["五月活动", "草稿活动"]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True) if row[0]}
    assert summary["部门"] == "区卫健委（含下属科室）" and summary["状态"] == "全部（含草稿）"


# --- DOCX ---------------------------------------------------------------------------------------


def _document(data: bytes):
    return docx.Document(io.BytesIO(data))


def _text(document) -> str:
    return "\n".join(p.text for p in document.paragraphs)


def test_docx_summary_paragraph_tables_and_featured_photos(week):
    campaign, community, school, draft = week
    write_photo(community, "a1", featured=True, caption="群众在展板前驻足")
    write_photo(community, "a2")
    write_photo(school, "b1", featured=True, width=48, height=64)
    write_photo(draft, "d1", featured=True)  # a draft's photo is not in the summary
    db.session.commit()

    document = _document(export_docx(LedgerFilters(campaign_id=campaign.id), NOW, campaign))
    text = _text(document)
    assert document.paragraphs[0].text == "2024年宪法宣传周活动总结"
    summary = next(p.text for p in document.paragraphs if p.text.startswith("2024年宪法宣传周期间"))
    assert summary == ("2024年宪法宣传周期间（2024年12月1日至2024年12月7日），共组织开展各类普法"
                       "宣传活动 3 场次，发放宣传资料 28 种 60,000 余份，解答群众咨询 1,200 余人次，"
                       "覆盖群众近 5,000 人次。")
    assert "活动覆盖进社区、进学校 2 个“七进”领域" in text
    assert "2 个单位组织开展了活动" in text
    assert "组织志愿者 30 人次" in text and "线上宣传浏览 12,000 余次" in text
    assert "重点宣传了《中华人民共和国宪法》《反电信网络诈骗法》。" in text  # no "法律法规" after two
    assert "“余”表示实际数字多于所列数字" in text
    # Dates as the office writes them, the export's time too (not 2024-12-10 12:00).
    assert document.paragraphs[-1].text == "导出时间：2024年12月10日 12:00"

    # The main figures, then one table per category with its events.
    assert len(document.tables) == 3
    figures = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert figures["活动场次"] == "3" and figures["覆盖群众（人次）"] == "4,870"
    assert figures["发放资料份数"] == "60,437"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert headings == ["（一）进社区（1 场）", "（二）进学校（2 场）"]
    school_rows = [[c.text for c in row.cells] for row in document.tables[2].rows]
    assert school_rows[0][:3] == ["序号", "日期", "活动名称"]
    assert [row[2] for row in school_rows[1:]] == ["宪法进校园", "晨读宪法"]
    assert school_rows[1][1] == "2024年12月2日" and school_rows[1][5] == "1,500"
    # An event's online views have a column of their own (an online push's reach is 0).
    assert school_rows[0][5:7] == ["覆盖群众（人次）", "线上浏览（次）"]
    assert [row[6] for row in school_rows[1:]] == ["0", "12,345"]  # 宪法进校园, 晨读宪法

    # Only the two featured photos of counted events, each with its caption.
    assert len(document.inline_shapes) == 2
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"
                and p.text.startswith("图")]
    # In the order of the events: the school's (2 December, portrait) first.
    assert captions[0] == "图1　宪法进校园（2024年12月2日，人民广场）"
    assert captions[1].startswith("图2　群众在展板前驻足（2024年12月4日")
    portrait, landscape = document.inline_shapes
    assert landscape.width > portrait.width


def test_docx_without_featured_photos_takes_the_first_six(week):
    _campaign, community, school, _draft = week
    for index in range(5):
        write_photo(community, f"c{index}")
        write_photo(school, f"s{index}")
    # A missing file is left out, not an error.
    broken = write_photo(school, "gone")
    db.session.commit()
    from lawlearn.outreach.photos import photo_path

    photo_path(broken).unlink()
    document = _document(export_docx(WEEK, NOW))
    assert len(document.inline_shapes) == 6
    page = document.sections[0]
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)  # A4
    assert page.page_width - page.left_margin - page.right_margin >= docx.shared.Cm(15)
    assert document.paragraphs[0].text == "普法宣传活动总结"
    year = _document(export_docx(LedgerFilters(date_from=date(2024, 1, 1),
                                               date_to=date(2024, 12, 31)), NOW))
    assert year.paragraphs[0].text == "2024年度普法宣传活动总结"
    assert any(p.text.startswith("2024年12月1日至2024年12月7日，共组织开展各类普法宣传活动 3 场次")
               for p in document.paragraphs)


def test_docx_for_an_empty_period(ctx):
    document = _document(export_docx(LedgerFilters(date_from=date(2030, 1, 1),
                                                   date_to=date(2030, 1, 31)), NOW))
    text = _text(document)
    assert "2030年1月1日至2030年1月31日，暂无已提交的普法宣传活动。" in text
    assert "“余”表示" not in text  # no rounded figure to explain
    assert len(document.tables) == 1 and len(document.inline_shapes) == 0
    assert db.session.query(OutreachPhoto).count() == 0


# --- the command line ---------------------------------------------------------------------------


def test_cli_lists_the_campaigns_with_the_ids_export_takes(app, runner, week, tmp_path):
    """`outreach export --campaign ID` needed an id no command showed."""
    with app.app_context():
        later = make_campaign(title="2025年民法典宣传月", starts_on=date(2025, 5, 1),
                              ends_on=date(2025, 5, 31))
        db.session.commit()
        ids = (later.id, week[0].id)
    listed = json.loads(runner.invoke(args=["outreach", "campaigns", "--json"]).output)
    assert listed == [
        {"id": ids[0], "title": "2025年民法典宣传月", "starts_on": "2025-05-01",
         "ends_on": "2025-05-31"},
        {"id": ids[1], "title": "2024年宪法宣传周", "starts_on": "2024-12-01",
         "ends_on": "2024-12-07"}]
    lines = runner.invoke(args=["outreach", "campaigns"]).output.splitlines()
    assert lines == [f"{ids[0]}\t2025年民法典宣传月\t2025-05-01 – 2025-05-31",
                     f"{ids[1]}\t2024年宪法宣传周\t2024-12-01 – 2024-12-07"]


def test_cli_writes_both_formats(app, runner, week, tmp_path):
    campaign = week[0]
    xlsx = tmp_path / "ledger.xlsx"
    result = runner.invoke(args=["outreach", "export", "--from", "2024-12-01", "--to",
                                 "2024-12-07", "--format", "xlsx", "--out", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert "3 events" in result.output
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["汇总", "活动台账", "宣传资料"]
    assert book["活动台账"].max_row == 4

    summary = tmp_path / "week.docx"
    result = runner.invoke(args=["outreach", "export", "--campaign", str(campaign.id),
                                 "--format", "docx", "--out", str(summary)])
    assert result.exit_code == 0, result.output
    document = _document(summary.read_bytes())
    assert document.paragraphs[0].text == "2024年宪法宣传周活动总结"

    period = tmp_path / "period.docx"
    result = runner.invoke(args=["outreach", "export", "--from", "2024-01-01", "--to",
                                 "2024-12-31", "--format", "docx", "--out", str(period)])
    assert result.exit_code == 0, result.output
    assert "共组织开展各类普法宣传活动 4 场次" in _text(_document(period.read_bytes()))


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2024-13-01", "--to", "2024-12-07", "--format", "xlsx"], "is not a date"),
    (["--from", "2024-12-07", "--to", "2024-12-01", "--format", "xlsx"], "is before --from"),
    (["--from", "2024-12-01", "--format", "xlsx"], "--from and --to are required"),
    (["--campaign", "999", "--format", "docx"], "no campaign 999"),
    (["--from", "2024-12-01", "--to", "2024-12-07", "--format", "pdf"], "pdf"),
    (["--from", "2024-12-01", "--to", "2024-12-07", "--format", "docx"], "should end with .docx"),
])
def test_cli_refuses_bad_arguments_and_writes_nothing(app, runner, tmp_path, args, message):
    out = tmp_path / "out.xlsx"
    result = runner.invoke(args=["outreach", "export", *args, "--out", str(out)])
    assert result.exit_code != 0
    assert message in result.output
    assert not out.exists()


def test_cli_refuses_a_missing_folder(app, runner, tmp_path):
    out = tmp_path / "nowhere" / "out.xlsx"
    result = runner.invoke(args=["outreach", "export", "--from", "2024-12-01", "--to",
                                 "2024-12-07", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 1 and "does not exist" in result.output
    assert not out.parent.exists()


def test_the_summary_says_等法律法规_only_behind_three_named_laws(ctx):
    """"重点宣传了《中华人民共和国宪法》法律法规。" read wrong: one to three laws are named
    plainly; more are the first three 等法律法规."""
    from lawlearn.accounts.models import Department
    from lawlearn.outreach.activity_summary import summary_sentences
    from lawlearn.outreach.ledger import LedgerTotals
    from lawlearn.outreach.models import OutreachCategory, OutreachEvent

    unit, category = Department(id=1, name="区司法局"), OutreachCategory(name="其他", seven_into=False)

    def sentences(*other_laws: str) -> str:
        events = [OutreachEvent(other_laws=laws, category=category, department=unit)
                  for laws in other_laws]
        return "".join(summary_sentences("本年", LedgerTotals(events=len(events)), events))

    assert "重点宣传了《中华人民共和国宪法》。" in sentences("《中华人民共和国宪法》")
    many = sentences("《中华人民共和国宪法》、《民法典》", "《中华人民共和国宪法》、《反电信网络诈骗法》",
                     "《中华人民共和国宪法》、《民法典》、《未成年人保护法》")
    assert "重点宣传了《中华人民共和国宪法》《民法典》《反电信网络诈骗法》等法律法规。" in many
