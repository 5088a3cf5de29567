"""Photos of outreach events: checked by their content (never their names), size-limited,
turned upright, re-encoded as JPEG without any EXIF (so no location is ever served), with a
thumbnail; the capture time read from EXIF is kept on the row.

Files live under ``UPLOAD_FOLDER/outreach/<event id>/``: ``<stored_name>`` (at most 2560 px
on the longest side) and ``<stored_name>-t.jpg`` (at most 480 px). Use :func:`photo_path`.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import struct
import warnings
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.localtime import local_zone
from lawlearn.outreach.access import require_edit, require_feature
from lawlearn.outreach.history import record_revision
from lawlearn.outreach.models import OutreachEvent, OutreachPhoto
from lawlearn.unique_keys import duplicate_raises

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS_PER_EVENT = 20
# 60 megapixels: above any phone camera's normal output, and a bounded amount of memory.
MAX_PHOTO_PIXELS = 60_000_000
LONGEST_SIDE = 2560
THUMB_SIDE = 480
JPEG_QUALITY = 85
# Pillow names of what we accept. Phones often write multi-picture JPEGs ("MPO").
ACCEPTED_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}
UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\"<>]")
EXIF_DATETIME_ORIGINAL = 36867
EXIF_OFFSET_TIME_ORIGINAL = 36881
EXIF_DATETIME = 306

_heif_registered = False


def _register_heif() -> None:
    """Teach Pillow to open HEIC/HEIF (iPhone photos) once per process."""
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def event_folder(event_id: int, *, create: bool = True) -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "outreach" / str(int(event_id))
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def photo_path(photo: OutreachPhoto, *, thumb: bool = False) -> Path:
    """Where the re-encoded photo (or its thumbnail) is stored."""
    name = f"{photo.stored_name}-t.jpg" if thumb else photo.stored_name
    return event_folder(photo.event_id, create=False) / name


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(n)s MB", n=format(size / (1024 * 1024), ".1f").removesuffix(".0"))
    return _("%(n)s KB", n=format(max(size, 1) / 1024, ".0f"))


def _clean_name(filename: str | None) -> str:
    name = re.split(r"[\\/]", UNSAFE_NAME_CHARACTERS.sub("", filename or ""))[-1].strip()
    return name[:200]


def _parse_offset(value) -> timezone | None:
    """"+08:00" (EXIF OffsetTimeOriginal) as a fixed zone."""
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", str(value or "").strip("\x00 "))
    if not match:
        return None
    minutes = int(match.group(2)) * 60 + int(match.group(3))
    if minutes > 14 * 60:
        return None
    return timezone(timedelta(minutes=minutes if match.group(1) == "+" else -minutes))


def capture_time(image: Image.Image) -> datetime | None:
    """The capture time from EXIF (DateTimeOriginal, else DateTime) as naive UTC. Cameras
    write local time: it is read in the offset the camera recorded, else in the site's time
    zone (Asia/Shanghai by default)."""
    try:
        exif = image.getexif()
        details = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:  # noqa: BLE001  (a broken EXIF block must not refuse the photo)
        return None
    raw = details.get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "ignore")
    if not isinstance(raw, str):
        return None
    try:
        local = datetime.strptime(raw.strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if local.year < 1990:
        return None
    zone = _parse_offset(details.get(EXIF_OFFSET_TIME_ORIGINAL)) or local_zone()
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def _rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white and bring any mode to 8-bit RGB."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    image.info = {}  # nothing of the original's metadata (EXIF, XMP, comments) is written
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def _open_checked(data: bytes, name: str) -> Image.Image:
    """Open ``data`` as an accepted image, refusing anything else with a clear message."""
    max_pixels = int(current_app.config.get("OUTREACH_PHOTO_MAX_PIXELS", MAX_PHOTO_PIXELS))
    refused = _("“%(name)s”不是可以识别的照片：只能上传 JPEG、PNG、WebP 或 HEIC（苹果手机）格式的图片。",
                name=name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise ValidationFailed(_(
                        "“%(name)s”是 %(format)s 格式，只能上传 JPEG、PNG、WebP 或 HEIC 格式的照片。",
                        name=name, format=probe.format or "?"), field="photos")
                width, height = probe.size
                if max_pixels and width * height > max_pixels:
                    raise ValidationFailed(_too_many_pixels(name, width, height), field="photos")
                probe.verify()
            image = Image.open(io.BytesIO(data))
            image.draft("RGB", (LONGEST_SIDE, LONGEST_SIDE))  # JPEG: decode at a smaller scale
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationFailed(_("“%(name)s”像素过多，无法处理，请缩小后再上传。", name=name),
                               field="photos") from None
    except UnidentifiedImageError:
        raise ValidationFailed(refused, field="photos") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise ValidationFailed(_("“%(name)s”文件已损坏或不完整，无法读取。", name=name),
                               field="photos") from None
    return image


def _too_many_pixels(name: str, width: int, height: int) -> str:
    return _("“%(name)s”像素过多（%(width)d×%(height)d），请缩小后再上传。", name=name,
             width=width, height=height)


def _store_photo(actor: User, event: OutreachEvent, filename: str | None, data: bytes,
                 now: datetime) -> OutreachPhoto:
    """Check, convert and store one uploaded photo, unaudited; raises ValidationFailed with a
    message naming the file when it is refused (nothing is written then)."""
    name = _clean_name(filename) or _("照片")
    limit = int(current_app.config.get("OUTREACH_PHOTO_MAX_BYTES", MAX_PHOTO_BYTES))
    if not data:
        raise ValidationFailed(_("“%(name)s”是空文件。", name=name), field="photos")
    if len(data) > limit:
        raise ValidationFailed(_("“%(name)s”有 %(size)s，每张照片不能超过 %(limit)s。", name=name,
                                 size=_size_label(len(data)), limit=_size_label(limit)),
                               field="photos")
    digest = hashlib.sha256(data).hexdigest()
    again = AlreadyUploaded(_("“%(name)s”此前已上传，未重复添加。", name=name), field="photos")
    if db.session.scalar(select(OutreachPhoto.id).where(OutreachPhoto.event_id == event.id,
                                                        OutreachPhoto.source_sha256 == digest)):
        raise again
    existing = db.session.scalar(select(func.count()).select_from(OutreachPhoto).where(
        OutreachPhoto.event_id == event.id)) or 0
    if existing >= MAX_PHOTOS_PER_EVENT:
        raise ValidationFailed(_("每个活动最多 %(n)d 张照片，“%(name)s”未上传。",
                                 n=MAX_PHOTOS_PER_EVENT, name=name), field="photos")
    _register_heif()
    image = _open_checked(data, name)
    try:
        captured_at = capture_time(image)
        upright = ImageOps.exif_transpose(image)
        picture = _rgb(upright)
        picture.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
        body = _jpeg(picture, JPEG_QUALITY)
        thumbnail = picture.copy()
        thumbnail.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        thumb_body = _jpeg(thumbnail, 80)
    except (OSError, ValueError, SyntaxError):
        raise ValidationFailed(_("“%(name)s”文件已损坏或不完整，无法读取。", name=name),
                               field="photos") from None
    finally:
        image.close()
    photo = OutreachPhoto(event_id=event.id, stored_name=f"{secrets.token_hex(16)}.jpg",
                          original_name=name, width=picture.width, height=picture.height,
                          size=len(body), source_sha256=digest, captured_at=captured_at,
                          uploaded_by_id=actor.id, uploaded_at=now)
    with duplicate_raises(again):  # the same file sent at the same moment
        db.session.add(photo)
    # Written once the row is accepted; a failed commit leaves at most unused files.
    written: list[Path] = []
    try:
        event_folder(event.id)
        for path, content in ((photo_path(photo), body), (photo_path(photo, thumb=True),
                                                         thumb_body)):
            path.write_bytes(content)
            written.append(path)
    except OSError:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return photo


def _photo_ref(photo: OutreachPhoto) -> dict[str, Any]:
    return {"photo_id": photo.id, "name": photo.original_name}


def _record_added(actor: User, event: OutreachEvent, added: list[OutreachPhoto]) -> None:
    """One entry per photo on an unverified event; on a verified one (an admin's change) one
    numbered revision naming every photo of the upload."""
    if not added:
        return
    if event.status == "verified":
        record_revision(actor, event, [_("活动照片：新增 %(names)s", names="、".join(
            photo.original_name for photo in added))],
            {"changed": ["photos"], "photos_added": [_photo_ref(p) for p in added]})
        return
    for photo in added:
        record_audit(actor, "outreach.photo.add", event,
                     _("为普法活动《%(title)s》上传照片 %(name)s", title=event.title,
                       name=photo.original_name),
                     {"photo_id": photo.id})


def add_photo(actor: User, event: OutreachEvent, filename: str | None, data: bytes,
              now: datetime) -> OutreachPhoto:
    """Check, convert and store one uploaded photo; raises ValidationFailed with a message
    naming the file when it is refused (nothing is written then)."""
    require_edit(actor, event)
    photo = _store_photo(actor, event, filename, data, now)
    _record_added(actor, event, [photo])
    return photo


class AlreadyUploaded(ValidationFailed):
    """The event has this very file already (a resend or a double tap): not a second photo."""


class AddedPhotos(list[OutreachPhoto]):
    """The photos an upload added, and how many of its files the event had already."""

    skipped = 0


class PhotosRefused(ValidationFailed):
    """Some photos of one upload were refused, so none was kept; ``refused`` names each."""

    def __init__(self, refused: list[str]):
        super().__init__(_("照片均未上传：请去掉或换掉下列照片后重新上传。"), field="photos")
        self.refused = refused


def add_photos(actor: User, event: OutreachEvent, uploads: list[tuple[str | None, bytes]],
               now: datetime) -> AddedPhotos:
    """Store several uploaded photos, all or none: if any is refused, the files written for
    the others are removed and :class:`PhotosRefused` names every refused one (the caller
    rolls the session back)."""
    require_edit(actor, event)
    existing = db.session.scalar(select(func.count()).select_from(OutreachPhoto).where(
        OutreachPhoto.event_id == event.id)) or 0
    # Files the event has already (a resend) are no new photos: they count for nothing.
    digests = {hashlib.sha256(data).hexdigest() for _name, data in uploads}
    known = set(db.session.scalars(select(OutreachPhoto.source_sha256).where(
        OutreachPhoto.event_id == event.id, OutreachPhoto.source_sha256.in_(digests))))
    chosen = len(digests - known)
    if existing + chosen > MAX_PHOTOS_PER_EVENT:
        raise PhotosRefused([_("每个活动最多 %(n)d 张照片：已有 %(have)d 张，这次选了 %(chosen)d 张。",
                               n=MAX_PHOTOS_PER_EVENT, have=existing, chosen=chosen)])
    added = AddedPhotos()
    problems: list[str] = []
    for filename, data in uploads:
        try:
            added.append(_store_photo(actor, event, filename, data, now))
        except AlreadyUploaded:
            added.skipped += 1  # sent again: nothing more to keep, and nothing wrong
        except ValidationFailed as error:
            problems.append(error.message)
    if problems:
        for photo in added:
            photo_path(photo).unlink(missing_ok=True)
            photo_path(photo, thumb=True).unlink(missing_ok=True)
        raise PhotosRefused(problems)
    _record_added(actor, event, added)
    return added


def get_photo(photo_id: int) -> OutreachPhoto:
    photo = db.session.get(OutreachPhoto, photo_id)
    if photo is None:
        raise NotFound(_("照片不存在。"))
    return photo


def remove_photo(actor: User, photo: OutreachPhoto) -> list[Path]:
    """Delete the row; returns the files, for the caller to unlink after commit. On a
    verified event (an admin's change) this is a numbered revision."""
    event = photo.event
    require_edit(actor, event)
    paths = [photo_path(photo), photo_path(photo, thumb=True)]
    if event.status == "verified":
        record_revision(actor, event, [_("活动照片：删除 %(name)s", name=photo.original_name)],
                        {"changed": ["photos"], "photos_removed": [
                            {**_photo_ref(photo), "featured": photo.featured}]})
    else:
        record_audit(actor, "outreach.photo.remove", event,
                     _("删除普法活动《%(title)s》的照片 %(name)s", title=event.title,
                       name=photo.original_name),
                     {"photo_id": photo.id})
    db.session.delete(photo)
    db.session.flush()
    return paths


def set_featured(actor: User, photo: OutreachPhoto, featured: bool) -> None:
    """Choose a photo for the campaign summary (admins and the department's lead; once the
    event is verified only an admin, and the change is a numbered revision)."""
    event = photo.event
    require_feature(actor, event)
    if photo.featured == featured:
        return
    photo.featured = featured
    if event.status == "verified":
        line = (_("总结照片：选入 %(name)s", name=photo.original_name) if featured else
                _("总结照片：移出 %(name)s", name=photo.original_name))
        key = "photos_featured" if featured else "photos_unfeatured"
        record_revision(actor, event, [line],
                        {"changed": ["featured_photos"], key: [_photo_ref(photo)]})
        return
    record_audit(actor, "outreach.photo.feature", event,
                 (_("将活动《%(title)s》的照片 %(name)s 选入总结", title=event.title,
                    name=photo.original_name) if featured else
                  _("将活动《%(title)s》的照片 %(name)s 移出总结", title=event.title,
                    name=photo.original_name)),
                 {"photo_id": photo.id, "featured": featured})
