"""Parse official statute texts (Markdown, plain text, Word .docx) into 编/分编/章/节/条.

Headings are recognised by their words (第X编, 第X分编, 第X章, 第X节, 附则, 序言), never by
markup level: statute collections shift levels (the Civil Code's 分编) and Word files
from different sources style headings differently. Pure functions, no database.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _

from lawlearn.errors import ValidationFailed
from lawlearn.zip_limits import check_unpacked_size

CN_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
NUMERAL = r"[零〇○一二两三四五六七八九十百千万\d]+"
SPACES = re.compile(r"[\s\u3000\u2002\u2003\u2009\xa0]+")
HEADING = re.compile(rf"^第({NUMERAL})(分编|编|章|节)(?:\s+(.*)|$)")
ARTICLE = re.compile(rf"^第({NUMERAL})条(之[一二三四五六七八九十]+)?(?:\s+(.*)|$)")
# News sites end the text with a dateline such as 新华社北京6月1日电; it is not statute text.
DATELINE = re.compile(r"^(新华社|人民日报|中新社).{0,20}电$")
# A line of the law's history under its title: a date, then who adopted, promulgated,
# amended it or when it takes effect; short, with no sentence of its own.
PROMULGATION = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[^。]{0,80}"
                          r"(通过|公布|发布|修订|修正|施行|起施行)[^。]{0,40}$")
ITEM = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
HTML_COMMENT = re.compile(r"<!--.*?-->")
LEVELS = {"part": 1, "subpart": 2, "chapter": 3, "section": 4, "supplementary": 1}
KIND_OF_WORD = {"编": "part", "分编": "subpart", "章": "chapter", "节": "section"}
MAX_HEADING_LENGTH = 40
# Numbers go into 32-bit columns and labels (第…条之…) into 40 characters; no statute comes
# near these (the Civil Code ends at 第一千二百六十条).
MAX_NUMBER = 99_999
MAX_NUMERAL_LENGTH = 10
MAX_TITLE_LENGTH = 200


def chinese_number(text: str) -> int:
    """一千二百六十 → 1260; also plain digits. Raises ValueError on nonsense."""
    if text.isdigit():
        return int(text)
    total, section, digit = 0, 0, None
    for char in text:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        elif char in CN_UNITS:
            unit = CN_UNITS[char]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section = 0
            else:
                section += (1 if digit is None else digit) * unit
            digit = None
        else:
            raise ValueError(text)
    return total + section + (digit or 0)


def squash(text: str) -> str:
    """Drop the spaces typesetters put inside short Chinese titles (监  护 → 监护)."""
    return SPACES.sub("", text)


@dataclass
class ParsedDivision:
    kind: str  # part, subpart, chapter, section, supplementary
    number: int | None
    label: str  # 第一编 (empty for 附则)
    title: str
    parent: int | None  # index into ParsedLaw.divisions
    line: int


@dataclass
class ParsedArticle:
    number: int
    sub_number: int  # 0, or 1 for 第X条之一 …
    label: str  # 第一百四十三条 as written
    paragraphs: list[str]
    division: int | None  # innermost division index
    line: int


@dataclass
class ParsedLaw:
    title: str
    notes: list[str] = field(default_factory=list)  # adoption and amendment lines
    preamble: list[str] = field(default_factory=list)
    divisions: list[ParsedDivision] = field(default_factory=list)
    articles: list[ParsedArticle] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for d in self.divisions if d.kind == kind)

    def summary(self) -> dict[str, int]:
        return {"parts": self.count("part"), "subparts": self.count("subpart"),
                "chapters": self.count("chapter"), "sections": self.count("section"),
                "articles": len(self.articles)}


@dataclass
class SourceLine:
    number: int  # line (or paragraph) number in the source, for error messages
    text: str  # normalised: single spaces, stripped, Markdown '#' removed
    heading_mark: bool = False  # was a Markdown heading or a Word heading style


def refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="bad_law_file")


# --- reading files --------------------------------------------------------------------


def read_source(data: bytes) -> list[SourceLine]:
    """Lines of a .docx, .md or .txt, recognised by content (never by file name)."""
    if not data or not data.strip():
        raise refuse(_("文件是空的。"))
    if data.startswith(b"PK\x03\x04"):
        return _docx_lines(data)
    if data.startswith(b"%PDF"):
        raise refuse(_("不支持 PDF，请上传 Word（.docx）、文本（.txt）或 Markdown（.md）文件。"))
    if b"\x00" in data:  # nor could PostgreSQL store it
        raise refuse(_("文件不是文本或 Word 文件。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise refuse(_("无法识别文件编码，请使用 UTF-8 或 GBK 编码。"))
    return _text_lines(text)


def _clean(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def _text_lines(text: str) -> list[SourceLine]:
    text = HTML_COMMENT.sub(lambda m: "\x01INFO END\x01" if "INFO END" in m.group(0) else "",
                            text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = []
    for number, raw in enumerate(text.split("\n"), start=1):
        heading = raw.lstrip().startswith("#")
        cleaned = _clean(raw.lstrip().lstrip("#")) if heading else _clean(raw)
        lines.append(SourceLine(number, cleaned, heading))
    return lines


def _docx_lines(data: bytes) -> list[SourceLine]:
    import docx

    try:
        check_unpacked_size(data)
    except ValidationFailed as error:
        raise refuse(error.message) from error
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise refuse(_("文件不是有效的 Word（.docx）文件。")) from error
    except Exception as error:  # python-docx raises its own kinds for other zip files
        raise refuse(_("文件不是有效的 Word（.docx）文件。")) from error
    lines = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        style = (paragraph.style.name or "") if paragraph.style is not None else ""
        lines.append(SourceLine(number, _clean(paragraph.text),
                                style.lower().startswith(("heading", "title"))))
    return lines


# --- parsing --------------------------------------------------------------------------


def _heading(line: SourceLine) -> tuple[str, int | None, str, str] | None:
    """(kind, number, label, title) when the line is a structural heading."""
    text = line.text
    compact = squash(text)
    if compact == "附则":
        return "supplementary", None, "", "附则"
    match = HEADING.match(text)
    if match is None and len(compact) <= MAX_HEADING_LENGTH:
        match = HEADING.match(compact)
        if match and not match.group(3):
            # 第一章总则 written without a space: split after the marker.
            head = re.match(rf"^第({NUMERAL})(分编|编|章|节)(.*)$", compact)
            if head and head.group(3):
                match = head
    if match is None:
        return None
    title = squash(match.group(3) or "")
    # Body text that merely starts with 第X章 is long or ends a sentence.
    if len(title) > MAX_HEADING_LENGTH or title.endswith(("。", "；", "，")):
        return None
    word = match.group(2)
    number = _number(match.group(1))
    if number is None:
        return None
    return KIND_OF_WORD[word], number, f"第{match.group(1)}{word}", title


def _number(numeral: str) -> int | None:
    """The number a heading or article numeral writes, or None for nonsense."""
    if len(numeral) > MAX_NUMERAL_LENGTH:
        return None
    try:
        number = chinese_number(numeral)
    except ValueError:
        return None
    return number if number <= MAX_NUMBER else None


def _skip_table_of_contents(lines: list[SourceLine]) -> list[SourceLine]:
    """Drop a 目录 block: from 目录 up to where its first entry appears again."""
    for index, line in enumerate(lines):
        if squash(line.text) == "目录":
            rest = lines[index + 1:]
            # The first entry, past any blank lines after 目录 (a .txt often has one).
            start = next((i for i, entry in enumerate(rest) if entry.text), None)
            if start is None or _heading(rest[start]) is None:
                return lines
            key = squash(rest[start].text)
            for offset in range(start + 1, len(rest)):
                if squash(rest[offset].text) == key and _heading(rest[offset]) is not None:
                    return lines[:index] + rest[offset:]
            return lines
        if ARTICLE.match(line.text):
            break
    return lines


def parse_law(data: bytes, title: str | None = None) -> ParsedLaw:
    """Parse a statute; raise ValidationFailed naming the place of any problem."""
    lines = [line for line in _skip_table_of_contents(read_source(data))]
    law = ParsedLaw(title="")
    info_end = next((i for i, line in enumerate(lines) if "\x01INFO END\x01" in line.text), None)
    body_start = 0
    if info_end is not None:
        header = [line.text for line in lines[:info_end] if line.text]
        if header:
            law.title = header[0]
            law.notes = header[1:]
        body_start = info_end + 1

    open_divisions: list[int] = []  # indices of the divisions containing the current line
    in_preamble = False
    current: ParsedArticle | None = None
    seen_structure = False
    for line in lines[body_start:]:
        text = line.text
        if not text or DATELINE.match(text):
            continue
        if not law.title:
            law.title = text
            continue
        article = ARTICLE.match(text)
        heading = None if article else _heading(line)
        if article:
            seen_structure, in_preamble = True, False
            sub = _number(article.group(2)[1:]) if article.group(2) else 0
            number = _number(article.group(1))
            if number is None or sub is None:
                number, sub = -1, 0  # refused by _check as a break in the numbering
            label = f"第{article.group(1)}条{article.group(2) or ''}"
            current = ParsedArticle(number, sub, label,
                                    [article.group(3)] if article.group(3) else [],
                                    open_divisions[-1] if open_divisions else None, line.number)
            law.articles.append(current)
        elif heading:
            seen_structure, in_preamble, current = True, False, None
            kind, number, label, heading_title = heading
            level = LEVELS[kind]
            while open_divisions and LEVELS[law.divisions[open_divisions[-1]].kind] >= level:
                open_divisions.pop()
            law.divisions.append(ParsedDivision(kind, number, label, heading_title,
                                                open_divisions[-1] if open_divisions else None,
                                                line.number))
            open_divisions.append(len(law.divisions) - 1)
        elif squash(text) == "序言":
            in_preamble, current, seen_structure = True, None, True
        elif in_preamble:
            law.preamble.append(text)
        elif current is not None:
            current.paragraphs.append(text)
        elif not seen_structure:
            if squash(text) == squash(law.title) or text.startswith("来源"):
                continue
            if text[0] in "（(" and text[-1] in "）)":
                law.notes.append(text[1:-1])
            elif PROMULGATION.match(text):  # "2019年4月3日 国务院令第711号修订", unbracketed
                law.notes.append(text)
            else:
                law.preamble.append(text)
        # Text after a heading and before its first article (rare) is kept nowhere else:
        # statutes put no free text there, so it is ignored.
    if title:
        law.title = title.strip()
    law.title = squash(law.title)
    _check(law)
    return law


def _check(law: ParsedLaw) -> None:
    if not law.articles:
        raise refuse(_("未找到任何条文：条文应以“第一条”等开头。"))
    if not law.title:
        raise refuse(_("未找到法规标题。"))
    if len(law.title) > MAX_TITLE_LENGTH:
        raise refuse(_("法规标题超过 %(n)d 个字，请检查文件第一行是否为标题。", n=MAX_TITLE_LENGTH))
    expected = 1
    previous: ParsedArticle | None = None
    for article in law.articles:
        if article.sub_number and previous is not None and article.number == previous.number:
            previous = article
            continue
        if article.number != expected or article.sub_number:
            where = (_("第 %(line)d 行", line=article.line))
            if previous is None:
                raise refuse(_("条文编号应从第一条开始，%(where)s 却是%(label)s。",
                               where=where, label=article.label))
            raise refuse(_("条文编号不连续：%(previous)s之后出现%(label)s（%(where)s）。可能是某条中的"
                           "引用文字恰好位于行首，请检查原文。",
                           previous=previous.label, label=article.label, where=where))
        expected += 1
        previous = article
    empty = next((a for a in law.articles if not a.paragraphs), None)
    if empty is not None:
        raise refuse(_("%(label)s没有内容（第 %(line)d 行）。",
                       label=empty.label, line=empty.line))


def is_item(paragraph: str) -> bool:
    """（一）… paragraphs are numbered items of the article."""
    return bool(ITEM.match(paragraph))
