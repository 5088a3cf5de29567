"""Refusing a zip bomb before a library unpacks it.

XLSX and DOCX files are zip archives; openpyxl and python-docx unpack their parts whole, so
a 1 MB upload holding a 1 GB string would take gigabytes of memory. Python's zipfile never
unpacks more than the size an entry declares, so the declared sizes are a safe bound.
"""

from __future__ import annotations

import io
import zipfile

from flask_babel import gettext as _

from lawlearn.errors import ValidationFailed

# Far above any real file: 50,000 questions with long explanations unpack to about 100 MB.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024


def check_unpacked_size(data: bytes) -> None:
    """Refuse an archive whose entries declare more than the limit in all. A file that is
    not a zip archive is left to the reader, which says what is wrong with it."""
    limit = MAX_UNPACKED_BYTES
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    if unpacked > limit:
        raise ValidationFailed(_("文件解压后超过 %(mb)d MB，不像正常的表格或文档，请检查后拆分上传。",
                                 mb=limit // (1024 * 1024)), code="too_large_unpacked")
