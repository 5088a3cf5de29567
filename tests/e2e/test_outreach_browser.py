"""Recording an outreach event with a photo from a phone, 360 px wide."""

from __future__ import annotations

import re
from datetime import datetime

from PIL import ExifTags, Image
from playwright.sync_api import expect
from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.outreach.models import OutreachEvent
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone, field, log_in


def camera_photo(path) -> None:
    """A JPEG as a phone camera writes it: EXIF with the capture time and a GPS position."""
    image = Image.new("RGB", (1600, 1200), (183, 28, 28))
    image.paste((255, 255, 255), (0, 0, 400, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TestPhone"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:12:04 10:14:30"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (31.0, 14.0, 24.5)
    image.save(path, "JPEG", exif=exif, quality=90)


def test_staff_record_an_event_with_a_photo_on_a_phone(app, live_server, phone, make_user,
                                                       make_department, tmp_path):
    section = make_department("普法科", make_department("区司法局"))
    make_user("xuanchuan", name="宣传员", department_id=section)
    photo_file = tmp_path / "IMG_2024.jpg"
    camera_photo(photo_file)
    page = phone.new_page()
    log_in(page, live_server, "xuanchuan")
    page.goto(f"{live_server}/outreach/")
    expect(page.get_by_role("heading", name="普法活动台账")).to_be_visible()
    expect(page.get_by_text("暂无活动记录")).to_be_visible()
    assert_fits_phone(page)

    page.get_by_role("link", name="登记活动").click()
    field(page, "活动名称").fill("宪法宣传周进社区")
    field(page, "开始时间").fill("2024-12-04T09:00")
    field(page, "结束时间").fill("2024-12-04T11:30")
    field(page, "地点").fill("幸福社区文化广场")
    field(page, "类别（七进）").select_option(label="进社区")
    page.get_by_label("居民").check()
    page.get_by_label("机关干部").check()
    field(page, "参与人次").fill("320")
    field(page, "解答咨询人次").fill("45")
    first_row = page.locator("fieldset.material-row").first
    first_row.get_by_label("资料类型").select_option(label="宣传单")
    first_row.get_by_label("种数").fill("3")
    first_row.get_by_label("数量").fill("1200")
    second_row = page.locator("fieldset.material-row").nth(1)
    second_row.get_by_label("资料类型").select_option(label="宣传手册")
    second_row.get_by_label("种数").fill("1")
    second_row.get_by_label("数量").fill("300")
    assert_fits_phone(page)
    screenshot(page, "outreach-event-form-phone")
    page.get_by_role("button", name="保存草稿").click()

    expect(page.get_by_role("heading", name="宪法宣传周进社区")).to_be_visible()
    expect(page.get_by_text("宣传单 3 种 1,200 份")).to_be_visible()
    expect(page.get_by_text("居民、机关干部")).to_be_visible()
    expect(page.get_by_text("还没有照片")).to_be_visible()
    camera = page.locator("#photo-camera")
    assert camera.get_attribute("capture") == "environment"
    assert camera.get_attribute("accept") == "image/*"
    camera.set_input_files(str(photo_file))
    page.get_by_role("button", name="上传照片").click()

    expect(page.get_by_text("已上传 1 张照片")).to_be_visible()
    thumbnail = page.locator(".photo-grid img").first
    expect(thumbnail).to_be_visible()
    page.wait_for_function("() => { const i = document.querySelector('.photo-grid img');"
                           " return i && i.complete && i.naturalWidth > 0; }")
    assert page.evaluate("document.querySelector('.photo-grid img').naturalWidth") == 480
    expect(page.get_by_text(re.compile("拍摄于 2024年12月4日 10:14"))).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "outreach-event-phone")

    # Tapping the thumbnail opens the large photo, served behind the login, without EXIF.
    large = page.locator(".photo-grid a.photo-link").first.get_attribute("href")
    assert large.startswith("/outreach/photos/") and large.endswith(".jpg")
    response = page.request.get(f"{live_server}{large}")
    assert response.status == 200 and response.headers["content-type"] == "image/jpeg"
    assert b"Exif" not in response.body() and b"TestPhone" not in response.body()

    page.get_by_role("link", name="普法活动台账").first.click()
    expect(page.get_by_text("宪法宣传周进社区")).to_be_visible()
    expect(page.get_by_text("照片 1 张")).to_be_visible()
    assert_fits_phone(page)
    with app.app_context():
        event = db.session.scalar(select(OutreachEvent))
        assert event.department_id == section and event.status == "draft"
        assert [(m.kind, m.copies) for m in event.materials] == [("leaflet", 1200),
                                                                ("handbook", 300)]
        assert event.photos[0].captured_at == datetime(2024, 12, 4, 2, 14, 30)


def test_a_leader_reads_the_ledger_and_a_campaign_on_a_phone(app, live_server, phone,
                                                             desktop, make_user):
    """Leaders read the ledger and the campaign dashboards in the staff layout: the wide
    tables scroll inside their box, the page itself never scrolls sideways; at a desk the
    ledger takes the width (it had kept a phone's column)."""
    from lawlearn.accounts.departments import create_department
    from lawlearn.outreach.categories import ensure_categories
    from tests.outreach.test_ledger import make_campaign, make_event

    with app.app_context():
        unit = create_department(None, "区司法局")
        section = create_department(None, "普法科", unit.id)
        categories = {c.name: c for c in ensure_categories()}
        campaign = make_campaign(targets={"events": 10, "participants": 5000,
                                          "materials": 60000, "departments": 3,
                                          "categories": 7})
        for number, name in enumerate(("进社区", "进学校", "进企业")):
            make_event(categories[name], section.id, title=f"宪法宣传周{name}活动",
                       campaign=campaign, participants=300 + number,
                       materials=(("leaflet", 3, 1200),))
        campaign_id, section_id = campaign.id, section.id
        db.session.commit()
    make_user("zhuren", roles=("leader", "staff"), name="主任", department_id=section_id)
    page = phone.new_page()
    log_in(page, live_server, "zhuren")
    page.goto(f"{live_server}/outreach/ledger?from=2024-12-01&to=2024-12-07")
    expect(page.get_by_role("heading", name="普法台账")).to_be_visible()
    expect(page.get_by_role("link", name="宪法宣传周进社区活动")).to_be_visible()
    assert_fits_phone(page)
    # The title column stays readable: the wide table scrolls in its box instead.
    assert page.locator("td.title-cell").first.bounding_box()["width"] >= 120
    screenshot(page, "outreach-ledger-leader-phone")
    # An export follows the fields as they stand, 筛选 not pressed (a link had kept the
    # page's filters: a file of the whole year for a week asked for).
    page.locator('input[name="from"]').fill("2024-12-03")
    with page.expect_download() as info:
        page.get_by_role("button", name="导出台账 XLSX").click()
    assert "from=2024-12-03" in info.value.url and "to=2024-12-07" in info.value.url
    assert info.value.suggested_filename.endswith("_2024-12-03_2024-12-07.xlsx")
    page.locator('input[name="from"]').press("Enter")  # filters: the page, not a file
    page.wait_for_url("**/outreach/ledger?from=2024-12-03*")
    expect(page.get_by_role("heading", name="普法台账")).to_be_visible()
    page.goto(f"{live_server}/outreach/campaigns/{campaign_id}")
    expect(page.get_by_role("heading", name="目标完成情况")).to_be_visible()
    expect(page.get_by_text("进军营").first).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "outreach-campaign-leader-phone")
    wide = desktop.new_page()
    log_in(wide, live_server, "zhuren")
    wide.goto(f"{live_server}/outreach/ledger?from=2024-12-01&to=2024-12-07")
    wide.wait_for_load_state()
    assert wide.locator("main").bounding_box()["width"] >= 1200
    screenshot(wide, "outreach-ledger-leader-desktop")
