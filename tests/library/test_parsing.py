"""The statute importer's parser, on the shared official texts and on layouts built here."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from lawlearn.errors import ValidationFailed
from lawlearn.library.parsing import chinese_number, parse_law

parse = parse_law

LAWS = Path(__file__).resolve().parents[3] / "shared" / "data" / "laws"
needs_shared = pytest.mark.skipif(not LAWS.is_dir(), reason=f"shared statute texts not at {LAWS}")


@pytest.fixture(autouse=True)
def _request_context(app):
    # Error messages are translated, which needs a request context.
    with app.test_request_context():
        yield


@pytest.mark.parametrize(("text", "number"), [
    ("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105), ("一百四十三", 143),
    ("一千二百六十", 1260), ("一千一百六十五", 1165), ("两百", 200), ("1165", 1165),
    ("一千零一", 1001), ("三百", 300),
])
def test_chinese_numbers(text, number):
    assert chinese_number(text) == number


@needs_shared
@pytest.mark.parametrize(("name", "expected"), [
    ("宪法.md", {"parts": 0, "subparts": 0, "chapters": 4, "sections": 8, "articles": 143}),
    ("民法典.md", {"parts": 7, "subparts": 8, "chapters": 84, "sections": 37, "articles": 1260}),
    ("word/民法典.docx",
     {"parts": 7, "subparts": 8, "chapters": 84, "sections": 37, "articles": 1260}),
    ("政府信息公开条例_2019.md",
     {"parts": 0, "subparts": 0, "chapters": 6, "sections": 0, "articles": 56}),
    ("重大行政决策程序暂行条例_2019.md",
     {"parts": 0, "subparts": 0, "chapters": 6, "sections": 6, "articles": 44}),
])
def test_shared_statutes(name, expected):
    law = parse((LAWS / name).read_bytes())
    assert law.summary() == expected
    assert [a.number for a in law.articles] == list(range(1, expected["articles"] + 1))


@needs_shared
def test_constitution_details():
    law = parse((LAWS / "宪法.md").read_bytes())
    assert law.title == "中华人民共和国宪法"
    assert law.preamble[0].startswith("中国是世界上历史最悠久的国家之一")
    assert not any("FORCE BREAK" in p for p in law.preamble)
    assert any("2018年3月11日" in note for note in law.notes)
    last = law.articles[-1]
    assert last.label == "第一百四十三条" and "北京" in last.paragraphs[0]
    article_89 = law.articles[88]
    assert sum(1 for p in article_89.paragraphs if p.startswith("（")) == 18  # 国务院职权
    chapter_3 = next(d for d in law.divisions if d.label == "第三章")
    sections = [d for d in law.divisions if d.kind == "section"]
    assert all(law.divisions[s.parent] is chapter_3 for s in sections)


@needs_shared
def test_civil_code_nesting_and_supplementary_provisions():
    law = parse((LAWS / "民法典.md").read_bytes())
    part_2 = next(d for d in law.divisions if d.kind == "part" and d.number == 2)
    assert part_2.title == "物权"
    subpart = next(d for d in law.divisions if d.kind == "subpart")
    assert law.divisions[subpart.parent] is part_2
    chapter = next(d for d in law.divisions[law.divisions.index(subpart):]
                   if d.kind == "chapter")
    assert law.divisions[chapter.parent] is subpart
    assert [d.title for d in law.divisions if d.kind == "section"][1] == "监护"  # spaces squashed
    supplementary = law.divisions[-1]
    assert supplementary.kind == "supplementary" and supplementary.parent is None
    assert law.articles[-1].division == len(law.divisions) - 1


@needs_shared
def test_word_file_skips_its_table_of_contents():
    law = parse((LAWS / "word" / "民法典.docx").read_bytes())
    assert law.title == "中华人民共和国民法典"
    assert law.count("part") == 7  # the 目录 repeats every heading: no duplicates
    assert law.articles[0].paragraphs[0].startswith("为了保护民事主体的合法权益")
    assert law.articles[-1].paragraphs == [law.articles[-1].paragraphs[0]]  # no dateline
    assert any("第十三届全国人民代表大会第三次会议通过" in n for n in law.notes)


GBK_TEXT = (
    "中华人民共和国测试法\r\n"
    "（2024年1月1日第十四届全国人民代表大会常务委员会第七次会议通过）\r\n"
    "\r\n"
    "目　　录\r\n"
    "第一章　总　　则\r\n"
    "第二章　监督管理\r\n"
    "\r\n"
    "第一章　总　　则\r\n"
    "第一条　为了规范测试，制定本法。\r\n"
    "第二条　本法适用于下列情形：\r\n"
    "（一）甲；\r\n"
    "（二）乙。\r\n"
    "依照第一条规定的，从其规定。\r\n"
    "第二章\u2002\u2002监督管理\r\n"
    "第三条\u3000国务院有关部门负责监督管理。\r\n"
    "第三条之一　县级以上人民政府应当配合。\r\n"
    "第四条 本法自公布之日起施行。\r\n"
)


@pytest.mark.parametrize("encoding", ["gbk", "utf-8", "utf-8-sig"])
def test_plain_text_in_any_encoding_with_crlf_and_a_contents_list(encoding):
    # GBK has no en space; Excel-era files use the ideographic space there instead.
    text = GBK_TEXT.replace("\u2002", "\u3000") if encoding == "gbk" else GBK_TEXT
    law = parse(text.encode(encoding))
    assert law.title == "中华人民共和国测试法"
    assert law.summary() == {"parts": 0, "subparts": 0, "chapters": 2, "sections": 0,
                             "articles": 5}
    assert [d.title for d in law.divisions] == ["总则", "监督管理"]
    second = law.articles[1]
    assert second.paragraphs == ["本法适用于下列情形：", "（一）甲；", "（二）乙。",
                                 "依照第一条规定的，从其规定。"]
    assert [(a.number, a.sub_number, a.label) for a in law.articles[2:4]] == [
        (3, 0, "第三条"), (3, 1, "第三条之一")]
    assert law.notes == ["2024年1月1日第十四届全国人民代表大会常务委员会第七次会议通过"]


@pytest.mark.parametrize("gap", ["\r\n", "\r\n\r\n"], ids=["blank-line", "two"])
def test_a_contents_list_after_blank_lines_is_skipped_whole(gap):
    """Official .txt files often leave a blank line after 目录 and between paragraphs: the
    entries were kept as empty chapters before the real ones (4 chapters, not 2)."""
    text = GBK_TEXT.replace("目　　录\r\n", "目　　录\r\n" + gap).replace(
        "\r\n", "\r\n\r\n")
    law = parse(text.encode("utf-8"))
    assert [d.title for d in law.divisions] == ["总则", "监督管理"]
    assert law.summary()["articles"] == 5


@needs_shared
def test_a_txt_without_the_info_marker_files_the_history_lines_as_notes():
    """The same regulation saved as plain text (no INFO END): the lines of its history are
    notes, not a 序言, so the two files give the same law."""
    markdown = (LAWS / "政府信息公开条例_2019.md").read_text(encoding="utf-8")
    plain = re.sub(r"^#+\s*", "", markdown.replace("<!-- INFO END -->", ""), flags=re.M)
    from_markdown, from_text = parse(markdown.encode()), parse(plain.encode())
    assert from_text.preamble == [] and len(from_text.notes) == 3
    assert from_text.notes[0].startswith("2007年4月5日")
    assert [(a.label, a.paragraphs) for a in from_text.articles] == [
        (a.label, a.paragraphs) for a in from_markdown.articles]


def word_file(with_styles: bool) -> bytes:
    document = Document()

    def centred(text, style=None):
        paragraph = document.add_paragraph(text, style=style)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    centred("某某管理条例")
    centred("（2023年5月1日国务院令第100号公布）")
    centred("目\u3000\u3000录")
    document.add_paragraph("第一章\u3000总\u3000\u3000则")
    document.add_paragraph("\u3000\u3000第一节\u3000一般规定")
    document.add_paragraph("第二章\u3000附\u3000\u3000则")
    centred("第一章\u3000总\u3000\u3000则", "Heading 1" if with_styles else None)
    centred("第一节\u3000一般规定", "Heading 2" if with_styles else None)
    document.add_paragraph("第一条\u3000为了加强管理，制定本条例。")
    document.add_paragraph("第二条\u2002\u2002本条例所称管理，是指：")
    document.add_paragraph("（一）登记；")
    centred("第二章\u3000附\u3000\u3000则", "Heading 1" if with_styles else None)
    document.add_paragraph("第三条\u3000本条例自2023年6月1日起施行。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("with_styles", [True, False], ids=["heading-styles", "centred-plain"])
def test_word_files_with_contents_and_either_heading_kind(with_styles):
    law = parse(word_file(with_styles))
    assert law.title == "某某管理条例"
    assert law.summary() == {"parts": 0, "subparts": 0, "chapters": 2, "sections": 1,
                             "articles": 3}
    assert [(d.kind, d.title) for d in law.divisions] == [
        ("chapter", "总则"), ("section", "一般规定"), ("chapter", "附则")]
    assert law.articles[1].paragraphs == ["本条例所称管理，是指：", "（一）登记；"]
    assert law.articles[2].division == 2


def test_title_override():
    assert parse(GBK_TEXT.encode(), "测试法（2024）").title == "测试法（2024）"


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "空"),
    (b"   \n\n  ", "空"),
    ("某某法\n\n总则\n\n这里没有条文。\n".encode(), "未找到任何条文"),
    ("某某法\n第一条 甲。\n第二条 乙。\n第四条 丁。\n".encode(), "第二条之后出现第四条"),
    ("某某法\n第一条 甲。\n第二条 乙。\n第二条 重复。\n".encode(), "不连续"),
    ("某某法\n第二条 乙。\n".encode(), "应从第一条开始"),
    ("某某法\n第一条\n第二条 乙。\n".encode(), "第一条没有内容"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "不支持 PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40), "文件不是文本或 Word 文件"),
    (b"PK\x03\x04" + bytes(60), "不是有效的 Word（.docx）文件"),
    (b"\xff\xfe\xfd\xfc\x80\x81" * 20, "无法识别文件编码"),
], ids=["empty", "blank", "no-articles", "gap", "repeat", "late-start", "empty-article",
        "pdf", "png", "broken-zip", "bad-encoding"])
def test_bad_input_is_refused_with_a_reason(data, reason):
    with pytest.raises(ValidationFailed) as refused:
        parse_law(data)
    assert reason in refused.value.message
    assert not re.search(r"（[a-z]", refused.value.message)  # no English gloss


def test_a_cross_reference_at_a_line_start_is_reported_where_it_is():
    text = ("某某法\n第一条 甲。\n第二条 依照\n第八百六十一条 规定处理。\n第三条 丙。\n")
    with pytest.raises(ValidationFailed) as refused:
        parse_law(text.encode())
    assert "第 4 行" in refused.value.message
