"""The downloadable question-import template: an empty 试题 sheet with the columns
``parse_question_import`` reads, and a 说明 sheet with every accepted spelling and examples."""

from __future__ import annotations

import io

from flask_babel import gettext as _

from lawlearn.quiz.importing import COLUMNS

TEMPLATE_EXAMPLES = [
    ["单选", "根据宪法，中华人民共和国实行（　），建设社会主义法治国家。", "依法治国", "以德治国",
     "依规治党", "从严治党", "", "", "A", "宪法第五条第一款。", "宪法；法治", "易", "宪法第五条"],
    ["多选题", "人民行使国家权力的机关是（　）。", "全国人民代表大会", "地方各级人民代表大会",
     "国务院", "最高人民法院", "", "", "A、B", "宪法第二条第二款。", "宪法", "中等",
     "《宪法》第2条"],
    ["判断题", "中华人民共和国的社会主义制度是中华人民共和国的根本制度。", "", "", "", "", "", "",
     "正确", "宪法第一条第二款。", "宪法", "easy", "宪法 1"],
    ["填空题", "中华人民共和国实行（　），建设社会主义（　）国家。", "", "", "", "", "", "",
     "依法治国|法治/社会主义法治", "第一空只有一个答案；第二空“法治”或“社会主义法治”都算对。",
     "宪法；法治", "难", "宪法第五条"],
    ["单项选择题", "行政机关公开政府信息，应当坚持（　）的原则。", "以公开为常态、不公开为例外",
     "以不公开为常态", "依申请公开", "", "", "", "a", "", "政府信息公开", "", ""],
]


def template_workbook() -> bytes:
    """The downloadable template: an empty 试题 sheet and a 说明 sheet with every spelling."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    header = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    sheet = workbook.add_worksheet(_("试题"))
    sheet.write_row(0, 0, COLUMNS, header)
    sheet.set_column(0, 0, 10)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 7, 18)
    sheet.set_column(8, len(COLUMNS) - 1, 14)
    sheet.freeze_panes(1, 0)
    # Drop-downs that suggest, but do not force, the usual words.
    sheet.data_validation(1, 0, 20000, 0, {"validate": "list", "show_error": False,
                                           "source": ["单选", "多选", "判断", "填空"]})
    sheet.data_validation(1, COLUMNS.index("难度"), 20000, COLUMNS.index("难度"),
                          {"validate": "list", "show_error": False, "source": ["易", "中", "难"]})

    notes = workbook.add_worksheet(_("说明"))
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 70)
    lines: list[tuple[str, str]] = [
        (_("填写方法"), _("在“试题”表中从第 2 行起每行填写一道题；题型、题干、答案必填。")),
        (_("题型"), _("单选、单选题、单项选择题、单项选择；多选、多选题、多项选择题、多项选择；"
                    "判断、判断题；填空、填空题")),
        (_("选项"), _("选择题至少填写选项A、选项B，最多 8 个；选项须连续填写，不可跳过。"
                    "需要选项G、选项H 时自行增加这两列。判断题、填空题不填选项。")),
        (_("单选题答案"), _("一个字母：A、a、Ａ")),
        (_("多选题答案"), _("至少两个字母，以下写法均可：AB、ＡＢ、A、B、A,B、a,b、A B")),
        (_("判断题答案"), _("正确/错误、对/错、√/×、T/F")),
        (_("填空题答案"), _("多个空之间用 | 分隔，同一空的多个可接受答案用 / 分隔，"
                         "如：依法治国|法治/社会主义法治")),
        (_("标签"), _("多个标签用顿号、逗号或分号分隔，如：宪法、法治")),
        (_("难度"), _("易、中、难（也可填简单、中等、困难或 easy、medium、hard）；不填为“中”。")),
        (_("法条"), _("只填一条，须为题库中已导入的现行法规，如：宪法第三十三条、宪法 33、"
                    "《宪法》第33条、民法典 1165。可不填。")),
        (_("重复"), _("题干和选项都相同的试题视为重复：与题库中已有试题重复的跳过，"
                    "同一文件内重复的须删除。")),
        (_("出错时"), _("任何一行有错，整个文件都不导入；预览会列出每个出错的行号和原因。")),
    ]
    for index, (topic, text) in enumerate(lines):
        notes.write(index, 0, topic, bold)
        notes.write(index, 1, text, wrap)
    start = len(lines) + 1
    notes.write(start, 0, _("示例（不会导入，可复制到“试题”表）："), bold)
    notes.write_row(start + 1, 0, COLUMNS, header)
    for offset, example in enumerate(TEMPLATE_EXAMPLES, start=start + 2):
        notes.write_row(offset, 0, example)
    workbook.close()
    return buffer.getvalue()
