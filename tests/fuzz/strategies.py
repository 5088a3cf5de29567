"""Hypothesis strategies for the files people upload: tables (CSV in every encoding Excel
writes, XLSX), statute texts (Markdown, plain text, Word) and attachments, each built from
something valid and then bent: odd cells, odd lines, other encodings, truncation, noise."""

from __future__ import annotations

import csv
import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

from hypothesis import strategies as st

LAWS = Path("/work/shared/data/laws")
# Small real statutes (the Civil Code would make every example slow).
LAW_FILES = ["政府信息公开条例_2019.md", "重大行政决策程序暂行条例_2019.md"]
SMALL_LAW = ("中华人民共和国测试法\n\n第一章 总则\n\n第一条 为了测试，制定本法。\n\n"
             "第二条 本法自公布之日起施行。\n")

# Text no table or statute should hold, or that Excel users type anyway.
ODD_TEXT = [
    "", " ", "\u3000", "\ufeff", "\x00", "a\x00b", "\x1b[31m", "\r", "\n\n", "\t", '"', "'",
    "=1+1", '=HYPERLINK("http://evil.example","点我")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)",
    "-2+3", "x" * 5000, "法" * 300, "𠀀𠀁", "é", "\u202e", "NaN", "1e309", "-1", "0",
    "99999999999999999999", "True", "None", "null", "<script>", "../../etc/passwd",
]
SAFE_CHARACTERS = st.characters(exclude_categories=("Cs",))  # gb18030 cannot hold surrogates
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16"]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(max_size: int = 20) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ODD_TEXT), st.text(SAFE_CHARACTERS, max_size=max_size))


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """``data`` kept, truncated, or with a few bytes overwritten."""
    how = draw(st.sampled_from(["keep", "keep", "keep", "keep", "truncate", "overwrite"]))
    if how == "truncate" and data:
        return data[:draw(st.integers(0, len(data) - 1))]
    if how == "overwrite" and data:
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
        return bytes(out)
    return data


# --- tables -----------------------------------------------------------------------------------


def table_bytes(header: list[str], rows: list[list[str]], form: str) -> bytes:
    if form == "xlsx":
        import xlsxwriter

        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                                "strings_to_numbers": False,
                                                "strings_to_urls": False})
        sheet = workbook.add_worksheet()
        for index, row in enumerate([header, *rows]):
            sheet.write_row(index, 0, [cell[:32767] for cell in row])
        workbook.close()
        return buffer.getvalue()
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter="\t" if form == "tsv" else ",").writerows([header, *rows])
    encoding = "utf-8" if form in ("csv", "tsv") else form
    return buffer.getvalue().encode(encoding)


@st.composite
def tables(draw, columns: list[str], good_row: st.SearchStrategy[list[str]],
           aliases: dict[str, str], unique: str) -> bytes:
    """A sheet whose header is mostly right (sometimes aliased, duplicated, short of a
    column or in another order) and whose rows are mostly good (``good_row``, in
    ``columns`` order, its ``unique`` column numbered), some with one odd cell, some odd
    through and through, some empty or repeated; written as XLSX or as CSV/TSV in one of
    the encodings Excel writes."""
    header = list(columns)
    change = draw(st.sampled_from(["none"] * 6 + ["alias", "drop", "duplicate", "shuffle"]))
    if change == "alias" and aliases:
        alias, column = draw(st.sampled_from(sorted(aliases.items())))
        if column in header:
            header[header.index(column)] = alias
    elif change == "drop":
        header.pop(draw(st.integers(0, len(header) - 1)))
    elif change == "duplicate":
        header.append(draw(st.sampled_from(header)))
    elif change == "shuffle":
        header = draw(st.permutations(header))

    @st.composite
    def row(draw, number: int) -> list[str]:
        how = draw(st.sampled_from(["good"] * 4 + ["one odd cell"] * 2 + ["odd", "empty"]))
        if how == "empty":
            return [""] * len(header)
        if how == "odd":
            return draw(st.lists(text(), max_size=len(header) + 2))
        cells = dict(zip(columns, draw(good_row), strict=True))
        cells[unique] += f"-{number}"
        if how == "one odd cell":
            cells[draw(st.sampled_from(columns))] = draw(text())
        return [cells.get(aliases.get(name, name), "") for name in header]

    rows = [draw(row(number)) for number in range(draw(st.integers(1, 6)))]
    if draw(st.integers(0, 4)) == 0:
        rows.append(list(draw(st.sampled_from(rows))))  # the same row twice
    form = draw(st.sampled_from(["xlsx", "xlsx", "csv", "tsv", "utf-8-sig", "gb18030"]))
    return draw(damaged(table_bytes(header, rows, form)))


def mostly(main: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """``main`` four times in five, otherwise something that is no such file at all
    (``a | b`` would flatten ``any_file``'s branches and drown ``main``)."""
    return st.integers(0, 4).flatmap(lambda n: any_file() if n == 0 else main)


def any_file() -> st.SearchStrategy[bytes]:
    """What lands in an upload field by mistake: noise, a PDF, an old .xls, a zip."""
    return st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=200).map(lambda b: b"%PDF-1.7\n" + b),
        st.binary(max_size=200).map(lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b),
        st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b),
        st.sampled_from([b"", b" \n", b"\xef\xbb\xbf", "题型".encode("utf-16")]))


# --- statutes -------------------------------------------------------------------------------


ODD_LAW_LINES = [
    "第99999999999999999999章 总则", "第" + "一" * 50 + "章 总则", "第一条之" + "一" * 50 + " 文字。",
    "第一千亿条 文字。", "第〇条 零。", "第二条", "第一章", "# 第一编", "目录", "附则", "序言",
    "<!-- INFO END -->", "题" * 300, "新华社北京6月1日电", "（2019年4月3日通过）",
]


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        line = CONTROL.sub("", line)  # Word (XML) cannot hold them at all
        if line.strip():
            document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@st.composite
def statutes(draw) -> bytes:
    """A real (small) statute with odd lines put in, in some encoding, or as Word."""
    if draw(st.booleans()):
        source = (LAWS / draw(st.sampled_from(LAW_FILES))).read_text("utf-8")
    else:
        source = SMALL_LAW
    lines = source.split("\n")
    for _ in range(draw(st.integers(0, 4))):
        odd = draw(st.one_of(st.sampled_from(ODD_LAW_LINES), st.sampled_from(ODD_LAW_LINES),
                             text(60)))
        lines.insert(draw(st.integers(0, len(lines))), odd)
    source = "\n".join(lines)
    if draw(st.integers(0, 5)) == 0:
        return draw(damaged(_docx(source)))
    encoding = draw(st.sampled_from(ENCODINGS))
    return draw(damaged(source.encode(encoding, errors="replace")))


# --- attachments ----------------------------------------------------------------------------


def _png(width: int, height: int, body: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body or zlib.compress(
        b"\x00" + b"\x00" * 3 * width)) + chunk(b"IEND", b""))


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<w:document/>")
    return buffer.getvalue()


ATTACHMENT_SEEDS = [
    _png(1, 1), _png(100_000, 100_000), _png(10_000, 10_000), _png(0, 0),
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20,
    b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", _docx(SMALL_LAW),
    _zip(["word/document.xml", "word/vbaProject.bin"]), _zip(["xl/workbook.xml"]), _zip([]),
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",
]


def attachments() -> st.SearchStrategy[bytes]:
    return st.one_of(st.sampled_from(ATTACHMENT_SEEDS).flatmap(damaged), any_file())
