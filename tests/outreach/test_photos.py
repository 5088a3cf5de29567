"""Event photos with real image files: checked by content, re-encoded without EXIF (no
location), turned upright, capture time kept, thumbnails, limits, and who may fetch them."""

from __future__ import annotations

import io
import itertools
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict, PermissionDenied, ValidationFailed
from lawlearn.extensions import db
from lawlearn.outreach import photos, services
from lawlearn.outreach.models import OutreachEvent, OutreachPhoto
from tests.conftest import csrf_from
from tests.outreach.test_events import People, draft, make_people, user

GPS_LATITUDE = (31.0, 14.0, 24.5)


@pytest.fixture
def people(make_department, make_user, admin) -> People:
    return make_people(make_department, make_user, admin)


def exif_block(*, orientation: int = 1, taken: str | None = "2024:12:04 10:14:30",
               offset: str | None = None, gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.Base.DateTime] = "2024:12:05 08:00:00"  # when edited, not when taken
    details = exif.get_ifd(ExifTags.IFD.Exif)
    if taken:
        details[ExifTags.Base.DateTimeOriginal] = taken
    if offset:
        details[ExifTags.Base.OffsetTimeOriginal] = offset
    if gps:
        location = exif.get_ifd(ExifTags.IFD.GPSInfo)
        location[ExifTags.GPS.GPSLatitudeRef] = "N"
        location[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
        location[ExifTags.GPS.GPSLongitudeRef] = "E"
        location[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 12.0)
    return exif


def picture(size=(300, 200), color=(183, 28, 28), mode="RGB") -> Image.Image:
    image = Image.new(mode, size, color)
    # A distinct top-left corner, to see that the photo was turned upright.
    image.paste((255, 255, 255) if mode == "RGB" else (255, 255, 255, 255), (0, 0, 40, 20))
    return image


_SHOTS = itertools.count()


def jpeg(size=(300, 200), exif: Image.Exif | None = None, **options) -> bytes:
    """A JPEG file; each call a different file (a JPEG comment numbers it), as each shot
    of a camera is: the same file sent twice is one photo."""
    buffer = io.BytesIO()
    options.setdefault("comment", f"shot {next(_SHOTS)}".encode())
    picture(size).save(buffer, "JPEG", exif=exif or Image.Exif(), quality=90, **options)
    return buffer.getvalue()


def encoded(image: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def files_under(app) -> list[Path]:
    root = Path(app.config["UPLOAD_FOLDER"]) / "outreach"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def photo_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutreachPhoto))


def test_a_jpeg_is_stored_upright_without_any_exif_but_with_its_capture_time(ctx, people):
    event = draft(people)
    data = jpeg(exif=exif_block(orientation=6), xmp=b"<x:xmpmeta><exif:GPSLatitude>31,14"
                                                    b"</exif:GPSLatitude></x:xmpmeta>")
    assert b"Exif" in data and b"GPSLatitude" in data
    photo = photos.add_photo(user(people.author), event, "IMG_0001.JPG", data, utcnow())
    db.session.commit()
    # 10:14:30 in Shanghai is 02:14:30 UTC.
    assert photo.captured_at == datetime(2024, 12, 4, 2, 14, 30)
    assert photo.original_name == "IMG_0001.JPG" and photo.stored_name.endswith(".jpg")
    stored = photos.photo_path(photo).read_bytes()
    assert photo.size == len(stored)
    assert b"Exif" not in stored and b"xmpmeta" not in stored and b"GPS" not in stored
    assert b"TestPhone" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert "exif" not in image.info and "xmp" not in image.info
        # Orientation 6 (turn 90° clockwise): 300×200 becomes 200×300, the white corner
        # moves to the top right.
        assert image.size == (200, 300) == (photo.width, photo.height)
        assert image.getpixel((195, 5))[0] > 230 and image.getpixel((5, 5))[1] < 80
    thumb = photos.photo_path(photo, thumb=True)
    assert thumb.name == f"{photo.stored_name}-t.jpg"
    assert thumb.parent == Path(ctx.config["UPLOAD_FOLDER"]) / "outreach" / str(event.id)
    with Image.open(thumb) as small:
        assert small.format == "JPEG" and max(small.size) <= 480 and len(small.getexif()) == 0


def test_big_photos_are_scaled_down_and_the_recorded_offset_wins(ctx, people):
    event = draft(people)
    data = jpeg(size=(4000, 3000), exif=exif_block(offset="+02:00", gps=False))
    photo = photos.add_photo(user(people.author), event, "big.jpg", data, utcnow())
    assert (photo.width, photo.height) == (2560, 1920)
    assert photo.captured_at == datetime(2024, 12, 4, 8, 14, 30)
    with Image.open(photos.photo_path(photo, thumb=True)) as small:
        assert small.size == (480, 360)


def test_without_date_time_original_the_date_time_tag_is_used(ctx, people):
    event = draft(people)
    photo = photos.add_photo(user(people.author), event, "edited.jpg",
                             jpeg(exif=exif_block(taken=None)), utcnow())
    assert photo.captured_at == datetime(2024, 12, 5, 0, 0)
    plain = photos.add_photo(user(people.author), event, "plain.jpg", jpeg(), utcnow())
    assert plain.captured_at is None


def test_a_photo_taken_far_from_the_events_time_is_flagged_for_the_reviewer(app, ctx, people,
                                                                           client, login):
    """Last year's photo and one dated ahead went onto a verified event unnoticed. Flagged,
    not refused: a phone's clock may be wrong, the reviewer decides."""
    event = draft(people)  # 4 December 2024, 09:00–12:00 in Shanghai
    author = user(people.author)
    on_the_day = photos.add_photo(author, event, "a.jpg", jpeg(exif=exif_block()), utcnow())
    last_year = photos.add_photo(author, event, "b.jpg",
                                 jpeg(exif=exif_block(taken="2023:12:04 10:00:00")), utcnow())
    ahead = photos.add_photo(author, event, "c.jpg",
                             jpeg(exif=exif_block(taken="2024:12:09 10:00:00")), utcnow())
    no_time = photos.add_photo(author, event, "d.jpg", jpeg(), utcnow())
    db.session.commit()
    assert [p.taken_elsewhen for p in (on_the_day, last_year, ahead, no_time)] == [
        False, True, True, False]
    login(people.author)
    page = client.get(f"/outreach/events/{event.id}").get_data(as_text=True)
    assert page.count("拍摄时间与活动时间不符") == 2


def test_png_and_webp_are_accepted_and_converted_to_jpeg(ctx, people):
    event = draft(people)
    clear = picture(mode="RGBA", color=(0, 0, 0, 0))
    png = photos.add_photo(user(people.author), event, "screen.png", encoded(clear, "PNG"),
                           utcnow())
    webp = photos.add_photo(user(people.author), event, "chat.webp",
                            encoded(picture(), "WEBP", quality=80), utcnow())
    for photo in (png, webp):
        with Image.open(photos.photo_path(photo)) as image:
            assert image.format == "JPEG" and image.mode == "RGB"
    with Image.open(photos.photo_path(png)) as image:
        assert image.getpixel((150, 100)) == (255, 255, 255)  # transparency on white


def test_a_heic_photo_from_an_iphone_is_converted_to_jpeg(ctx, people):
    from pillow_heif import register_heif_opener

    register_heif_opener()
    heic = encoded(picture(size=(320, 240)), "HEIF", exif=exif_block().tobytes(), quality=80)
    assert heic[4:12] == b"ftypheic"  # a real HEIC container, as iPhones write
    event = draft(people)
    photo = photos.add_photo(user(people.author), event, "IMG_1234.HEIC", heic, utcnow())
    assert photo.captured_at == datetime(2024, 12, 4, 2, 14, 30)
    stored = photos.photo_path(photo).read_bytes()
    assert stored[:3] == b"\xff\xd8\xff" and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (320, 240)
        assert len(image.getexif()) == 0


@pytest.mark.parametrize(("name", "data", "message"), [
    ("notes.jpg", "宪法宣传周活动记录\n参加人数 320 人\n".encode() * 20, "不是可以识别的照片"),
    ("fake.jpg", b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 50, "已损坏或不完整"),
    ("anim.gif", None, "是 GIF 格式"),
    ("cut.jpg", "truncated", "已损坏或不完整"),
    ("empty.jpg", b"", "空文件"),
])
def test_anything_but_a_photo_is_refused_and_nothing_is_written(app, ctx, people, name, data,
                                                               message):
    event = draft(people)
    if data is None:
        data = encoded(picture(), "GIF")
    elif data == "truncated":
        data = jpeg(size=(800, 600))[:1500]
    with pytest.raises(ValidationFailed, match=message) as refused:
        photos.add_photo(user(people.author), event, name, data, utcnow())
    assert name in refused.value.message or message == "空文件"
    assert photo_count() == 0 and files_under(app) == []


@pytest.mark.app_config(OUTREACH_PHOTO_MAX_BYTES=20_000)
def test_too_large_files_are_refused_before_decoding(app, ctx, people):
    event = draft(people)
    noise = Image.effect_noise((400, 400), 80).convert("RGB")
    big = encoded(noise, "JPEG", quality=95)
    assert len(big) > 20_000
    with pytest.raises(ValidationFailed, match="不能超过 20 KB"):
        photos.add_photo(user(people.author), event, "big.jpg", big, utcnow())
    with pytest.raises(ValidationFailed, match="不能超过"):  # size first: not even opened
        photos.add_photo(user(people.author), event, "x.jpg", b"x" * 30_000, utcnow())
    assert photo_count() == 0 and files_under(app) == []


@pytest.mark.app_config(OUTREACH_PHOTO_MAX_PIXELS=10_000)
def test_absurd_pixel_counts_are_refused(app, ctx, people):
    event = draft(people)
    with pytest.raises(ValidationFailed, match="像素过多"):
        photos.add_photo(user(people.author), event, "wide.png",
                         encoded(Image.new("L", (200, 200)), "PNG"), utcnow())
    assert photo_count() == 0 and files_under(app) == []


def test_a_decompression_bomb_is_refused(app, ctx, people, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)
    event = draft(people)
    with pytest.raises(ValidationFailed, match="像素过多"):
        photos.add_photo(user(people.author), event, "bomb.png",
                         encoded(Image.new("1", (100, 100)), "PNG"), utcnow())
    assert photo_count() == 0


def test_at_most_twenty_photos_per_event(ctx, people):
    event = draft(people)
    for number in range(photos.MAX_PHOTOS_PER_EVENT):
        photos.add_photo(user(people.author), event, f"{number}.jpg", jpeg(size=(40, 30)),
                         utcnow())
    with pytest.raises(ValidationFailed, match="最多 20 张"):
        photos.add_photo(user(people.author), event, "21.jpg", jpeg(size=(40, 30)), utcnow())
    assert photo_count() == 20


def test_who_may_add_remove_and_feature_photos(app, ctx, people):
    event = draft(people)
    photo = photos.add_photo(user(people.lead), event, "a.jpg", jpeg(), utcnow())
    with pytest.raises(PermissionDenied):
        photos.add_photo(user(people.colleague), event, "b.jpg", jpeg(), utcnow())
    with pytest.raises(PermissionDenied):
        photos.set_featured(user(people.author), photo, True)
    photos.set_featured(user(people.lead), photo, True)
    assert photo.featured
    with pytest.raises(PermissionDenied):
        photos.set_featured(user(people.other_lead), photo, False)
    services.submit_event(user(people.lead), event, utcnow())
    with pytest.raises(Conflict):
        photos.add_photo(user(people.author), event, "late.jpg", jpeg(), utcnow())
    with pytest.raises(Conflict):
        photos.remove_photo(user(people.lead), photo)
    photos.set_featured(user(people.admin), photo, False)  # featuring is not ledger content
    paths = photos.remove_photo(user(people.admin), photo)
    db.session.commit()
    assert photo_count() == 0 and all(path.exists() for path in paths)  # view unlinks


# --- pages ----------------------------------------------------------------------------------


def upload(client, event_id: int, *files: tuple[str, bytes]):
    page = client.get(f"/outreach/events/{event_id}")
    return client.post(f"/outreach/events/{event_id}/photos", data={
        "csrf_token": csrf_from(page),
        "photos": [(io.BytesIO(data), name) for name, data in files]},
        content_type="multipart/form-data", follow_redirects=True)


def test_an_upload_with_a_refused_photo_keeps_none_and_names_it(app, client, login, people):
    with app.app_context():
        event_id = draft(people).id
    login(people.author)
    response = upload(client, event_id, ("IMG_0001.jpg", jpeg(exif=exif_block())),
                      ("notes.jpg", b"just some text, renamed"),
                      ("IMG_0002.jpg", jpeg()))
    html = response.get_data(as_text=True)
    assert "照片均未上传" in html and "“notes.jpg”不是可以识别的照片" in html
    assert "已上传" not in html and "IMG_0001" not in html
    with app.app_context():
        assert photo_count() == 0
    assert files_under(app) == []  # the good photo's files were removed again
    good = upload(client, event_id, ("IMG_0001.jpg", jpeg(exif=exif_block())),
                  ("IMG_0002.jpg", jpeg()))
    html = good.get_data(as_text=True)
    assert "已上传 2 张照片" in html
    assert "/outreach/photos/" in html and "/static/" not in html.split("photo-grid")[1][:500]
    with app.app_context():
        assert photo_count() == 2
        photo = db.session.scalar(select(OutreachPhoto))
        assert photo.uploaded_by_id == people.author.id
    assert len(files_under(app)) == 4
    nothing = upload(client, event_id)
    assert "请先拍照或选择照片" in nothing.get_data(as_text=True)


def test_an_upload_over_the_photo_limit_is_refused_whole(app, ctx, people):
    event = draft(people)
    photos.add_photos(user(people.author), event,
                      [(f"{n}.jpg", jpeg(size=(40, 30)))
                       for n in range(photos.MAX_PHOTOS_PER_EVENT - 1)], utcnow())
    db.session.commit()
    with pytest.raises(photos.PhotosRefused) as refused:
        photos.add_photos(user(people.author), event, [("a.jpg", jpeg(size=(40, 30))),
                                                       ("b.jpg", jpeg(size=(40, 30)))],
                          utcnow())
    assert "已有 19 张，这次选了 2 张" in refused.value.refused[0]
    db.session.rollback()
    assert photo_count() == 19 and len(files_under(app)) == 38


def test_the_same_file_sent_again_is_not_a_second_photo(app, client, login, people):
    """A resend or a double tap sends the same files: the event keeps one of each, says
    so, and a resend of a full event is not refused as over the limit."""
    with app.app_context():
        event_id = draft(people).id
    login(people.author)
    first, second = jpeg(), jpeg()
    response = upload(client, event_id, ("IMG_0001.jpg", first), ("IMG_0002.jpg", second),
                      ("IMG_0001(1).jpg", first))  # picked twice in one go
    html = response.get_data(as_text=True)
    assert "已上传 2 张照片" in html and "1 张照片此前已上传，未重复添加" in html
    again = upload(client, event_id, ("IMG_0001.jpg", first), ("IMG_0002.jpg", second))
    html = again.get_data(as_text=True)
    assert "2 张照片此前已上传，未重复添加" in html and "已上传 2 张" not in html
    with app.app_context():
        assert photo_count() == 2
        event = db.session.get(OutreachEvent, event_id)
        with pytest.raises(ValidationFailed, match="此前已上传"):
            photos.add_photo(db.session.get(User, people.author.id), event, "x.jpg", first,
                             utcnow())
        for number in range(photos.MAX_PHOTOS_PER_EVENT - 2):
            photos.add_photo(db.session.get(User, people.author.id), event, f"{number}.jpg",
                             jpeg(size=(40, 30)), utcnow())
        db.session.commit()
    full = upload(client, event_id, ("IMG_0001.jpg", first))
    assert "1 张照片此前已上传" in full.get_data(as_text=True)
    assert len(files_under(app)) == 2 * photos.MAX_PHOTOS_PER_EVENT


def test_photos_are_served_only_to_the_department_and_admins(app, client, login, people):
    with app.app_context():
        event = draft(people)
        photo = photos.add_photo(user(people.author), event, "a.jpg", jpeg(exif=exif_block()),
                                 utcnow())
        db.session.commit()
        photo_id = photo.id
    urls = (f"/outreach/photos/{photo_id}.jpg", f"/outreach/photos/{photo_id}-t.jpg")
    for url in urls:  # the public never
        assert client.get(url).status_code == 302
    login(people.colleague)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert b"GPS" not in response.data and b"Exif" not in response.data
        assert "private" in response.headers["Cache-Control"]
        response.close()
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/outreach/"))})
    login(people.other_staff)
    for url in urls:
        assert client.get(url).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/outreach/"))})
    login(people.admin)
    response = client.get(urls[0])
    assert response.status_code == 200 and response.data[:3] == b"\xff\xd8\xff"
    response.close()


def test_removing_a_photo_and_deleting_a_draft_remove_the_files(app, client, login, people):
    with app.app_context():
        event = draft(people)
        first = photos.add_photo(user(people.author), event, "a.jpg", jpeg(), utcnow())
        photos.add_photo(user(people.author), event, "b.jpg", jpeg(), utcnow())
        db.session.commit()
        event_id, first_id = event.id, first.id
    assert len(files_under(app)) == 4
    login(people.author)
    page = client.get(f"/outreach/events/{event_id}")
    client.post(f"/outreach/photos/{first_id}/delete", data={"csrf_token": csrf_from(page)})
    assert len(files_under(app)) == 2
    client.post(f"/outreach/events/{event_id}/delete", data={"csrf_token": csrf_from(page)})
    with app.app_context():
        assert db.session.get(OutreachEvent, event_id) is None and photo_count() == 0
    assert files_under(app) == []


def test_the_lead_features_a_photo_from_the_event_page(app, client, login, people):
    with app.app_context():
        event = draft(people, starts_at=utcnow() - timedelta(days=1),
                      ends_at=utcnow() - timedelta(hours=20))
        photo_id = photos.add_photo(user(people.author), event, "a.jpg", jpeg(), utcnow()).id
        db.session.commit()
        event_id = event.id
    login(people.lead)
    page = client.get(f"/outreach/events/{event_id}")
    assert "选入总结" in page.get_data(as_text=True)
    done = client.post(f"/outreach/photos/{photo_id}/featured",
                       data={"csrf_token": csrf_from(page), "featured": "1"},
                       follow_redirects=True)
    assert "已选入总结照片。" in done.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(OutreachPhoto, photo_id).featured
    done = client.post(f"/outreach/photos/{photo_id}/featured",
                       data={"csrf_token": csrf_from(page), "featured": "0"},
                       follow_redirects=True)
    assert "已移出总结照片。" in done.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(OutreachPhoto, photo_id).featured


def test_the_photo_link_opens_the_full_photo_and_urls_change_with_the_photo(
        app, client, login, people):
    with app.app_context():
        event = draft(people)
        first = photos.add_photo(user(people.author), event, "a.jpg", jpeg(size=(900, 600)),
                                 utcnow())
        db.session.commit()
        event_id, first_id, first_name = event.id, first.id, first.stored_name
    login(people.author)
    html = client.get(f"/outreach/events/{event_id}").get_data(as_text=True)
    link = html.split('class="photo-link" href="')[1].split('"')[0].replace("&amp;", "&")
    assert link == f"/outreach/photos/{first_id}.jpg?v={first_name}"
    large = client.get(link)
    with Image.open(io.BytesIO(large.data)) as image:
        assert image.size == (900, 600)  # the full photo, not the 480 px thumbnail
    large.close()
    client.post(f"/outreach/photos/{first_id}/delete",
                data={"csrf_token": csrf_from(client.get(f"/outreach/events/{event_id}"))})
    with app.app_context():
        event = db.session.get(OutreachEvent, event_id)
        second = photos.add_photo(user(people.author), event, "b.jpg", jpeg(), utcnow())
        db.session.commit()
        second_id = second.id
    # The newest row was deleted: its id is not reused, and an old URL never shows another photo.
    assert second_id != first_id
    assert client.get(link).status_code == 404
    assert client.get(f"/outreach/photos/{first_id}-t.jpg?v={first_name}").status_code == 404


def test_a_deleted_events_id_is_never_reused(ctx, people):
    first = draft(people)
    first_id = first.id
    db.session.delete(first)
    db.session.commit()
    assert draft(people).id != first_id


@pytest.mark.app_config(MAX_CONTENT_LENGTH=2 * 1024 * 1024)
def test_an_upload_over_the_total_limit_returns_to_the_event_with_a_message(
        app, client, login, people):
    with app.app_context():
        event_id = draft(people).id
    login(people.author)
    page = client.get(f"/outreach/events/{event_id}").get_data(as_text=True)
    assert "每次上传合计不超过 2 MB" in page and "js/outreach_photos.js" in page
    assert 'data-max-total="1048576"' in page
    # Refused from its declared length, before the body is read (the CSRF token included).
    response = client.post(f"/outreach/events/{event_id}/photos", data=b"x" * (3 * 1024 * 1024),
                           content_type="multipart/form-data; boundary=photos")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/outreach/events/{event_id}")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "每次上传合计不能超过 2 MB" in html
    with app.app_context():
        assert photo_count() == 0


def test_a_refused_upload_returns_to_the_top_where_the_message_is(app, client, login, people):
    with app.app_context():
        event_id = draft(people).id
    login(people.author)
    response = client.post(f"/outreach/events/{event_id}/photos", data={
        "csrf_token": csrf_from(client.get(f"/outreach/events/{event_id}")),
        "photos": [(io.BytesIO(b"not a photo"), "a.jpg")]}, content_type="multipart/form-data")
    assert response.headers["Location"].endswith(f"/outreach/events/{event_id}")
    good = client.post(f"/outreach/events/{event_id}/photos", data={
        "csrf_token": csrf_from(client.get(f"/outreach/events/{event_id}")),
        "photos": [(io.BytesIO(jpeg()), "a.jpg")]}, content_type="multipart/form-data")
    assert good.headers["Location"].endswith("#photos")
