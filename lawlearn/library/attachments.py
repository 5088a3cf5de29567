"""Attachments of study materials: recognised by their bytes (never their names),
size-limited, stored under the shared upload folder."""

from __future__ import annotations

import io
import re
import secrets
import warnings
import zipfile
from pathlib import Path

import filetype
from flask import current_app
from flask_babel import gettext as _

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Material, MaterialAttachment

# Under MAX_CONTENT_LENGTH (64 MB), so a too-large file gets a message on the form.
MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024
IMAGE_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}
UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\"]")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def detect_attachment_type(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) for PDF, DOCX and images, judged by content alone."""
    kind = filetype.guess(data)
    if kind is None:
        return None
    if kind.mime == "application/pdf":
        return kind.mime, "pdf"
    if kind.mime == DOCX_TYPE or kind.mime == "application/zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        # A Word document, but not one carrying macros (.docm renamed .docx).
        if "word/document.xml" in names and "word/vbaProject.bin" not in names:
            return DOCX_TYPE, "docx"
        return None
    if kind.mime in IMAGE_TYPES:
        from PIL import Image, UnidentifiedImageError

        # The magic bytes may lie: only an image that decodes is accepted. One whose header
        # claims a "decompression bomb" of pixels is refused, not merely warned about.
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as image:
                    image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
                Image.DecompressionBombError, Image.DecompressionBombWarning):
            return None
        return kind.mime, IMAGE_TYPES[kind.mime]
    return None


def attachment_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "attachments"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return _("%(n)s MB", n=format(size / (1024 * 1024), "g"))
    if size >= 1024:
        return _("%(n)s KB", n=format(size / 1024, ".0f"))
    return _("%(n)d 字节", n=size)


def safe_file_name(filename: str | None, extension: str) -> str:
    """The last part of an uploaded file's name, ending in the detected extension."""
    name = re.split(r"[\\/]", UNSAFE_NAME_CHARACTERS.sub("", filename or ""))[-1].strip()
    name = name.lstrip(".") or f"attachment.{extension}"
    if not name.lower().endswith(f".{extension}"):
        stem = name.rsplit(".", 1)[0] if "." in name else name
        name = f"{stem or 'attachment'}.{extension}"
    if len(name) > 255:
        name = f"{name[:255 - len(extension) - 1]}.{extension}"
    return name


def add_attachment(actor: User, material: Material, filename: str,
                   data: bytes) -> MaterialAttachment:
    """Store an uploaded file after checking its size and its content (not its name)."""
    limit = current_app.config.get("ATTACHMENT_MAX_BYTES", MAX_ATTACHMENT_BYTES)
    if not data:
        raise ValidationFailed(_("文件是空的。"), field="file")
    if len(data) > limit:
        raise ValidationFailed(_("附件不能超过 %(size)s。", size=_size_label(limit)),
                               field="file")
    detected = detect_attachment_type(data)
    if detected is None:
        raise ValidationFailed(_("只能上传 PDF、Word（.docx）或图片（JPEG/PNG/WebP/GIF）文件。"),
                               field="file")
    content_type, extension = detected
    if (same := _already_attached(material, data)) is not None:
        raise ValidationFailed(_("这个文件已经上传过（%(name)s）。", name=same.original_name),
                               field="file")
    safe_name = safe_file_name(filename, extension)
    stored_name = f"{secrets.token_hex(16)}.{extension}"
    attachment = MaterialAttachment(material=material, original_name=safe_name,
                                    stored_name=stored_name, content_type=content_type,
                                    size=len(data))
    db.session.add(attachment)
    db.session.flush()
    # Written once the row is accepted; a failed commit leaves at most an unused file.
    (attachment_folder() / stored_name).write_bytes(data)
    record_audit(actor, "material.attach", material,
                 _("为《%(title)s》上传附件 %(name)s", title=material.title, name=safe_name))
    return attachment


def _already_attached(material: Material, data: bytes) -> MaterialAttachment | None:
    """The material's attachment holding these very bytes, if any: the same PDF uploaded
    twice listed twice. Only files of the same size are read, and a material has few."""
    for attachment in material.attachments:
        if attachment.size != len(data):
            continue
        try:
            if attachment_path(attachment).read_bytes() == data:
                return attachment
        except OSError:  # its file lost: not a copy to keep out
            continue
    return None


def get_attachment(attachment_id: int, *, published_only: bool) -> MaterialAttachment:
    """An attachment, refused (404) while its material is unpublished for staff."""
    attachment = db.session.get(MaterialAttachment, attachment_id)
    if attachment is None or (published_only and not attachment.material.published):
        raise NotFound(_("附件不存在或所属资料未发布。"))
    return attachment


def remove_attachment(actor: User, attachment: MaterialAttachment) -> Path:
    """Delete the row; returns the stored file, for the caller to unlink after commit."""
    record_audit(actor, "material.detach", attachment.material,
                 _("删除《%(title)s》的附件 %(name)s", title=attachment.material.title,
                   name=attachment.original_name))
    path = attachment_path(attachment)
    db.session.delete(attachment)
    db.session.flush()
    return path


def attachment_path(attachment: MaterialAttachment) -> Path:
    return attachment_folder() / attachment.stored_name
