"""The progress matrix of a plan as XLSX: people × items, per-item rates, per-department
rates, and what the file covers."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from lawlearn.exports import filename_part, local_time
from lawlearn.plans.kinds import KINDS
from lawlearn.plans.matrix import Matrix
from lawlearn.plans.models import Plan
from lawlearn.workbooks import workbook_options


def export_name(plan: Plan, scope: str) -> str:
    """A file name that says what the file holds: 《plan》-scope-学习进度.xlsx."""
    name = _("%(title)s-%(scope)s-学习进度", title=plan.title, scope=scope)
    return filename_part(name, str(plan.id)) + ".xlsx"


def cell_text(grid: Matrix, item, person) -> str:
    """A status in words, with how far (3/10) and whether it is overdue."""
    state = grid.state(item, person)
    text = state.label
    if state.detail:
        text += f" {state.detail}"
    if grid.overdue(item, person):
        text += _("（逾期）")
    return text


def _write_row(sheet, row: int, values: list[Any], formats: dict[int, Any]) -> None:
    for column, value in enumerate(values):
        style = formats.get(column)
        if value is None or value == "":
            sheet.write_blank(row, column, None, style)
        elif isinstance(value, str):
            sheet.write_string(row, column, value, style)
        else:
            sheet.write_number(row, column, value, style)


def export_matrix(grid: Matrix, scope: str, now: datetime) -> bytes:
    """Four sheets: 完成情况 (people × items), 事项完成率, 部门完成率, 说明."""
    import xlsxwriter

    buffer = io.BytesIO()
    # constant_memory writes each row out as soon as the next begins: large plans stay small.
    workbook = xlsxwriter.Workbook(buffer, workbook_options())
    header = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1,
                                  "text_wrap": True, "valign": "top"})
    percent = workbook.add_format({"num_format": "0.0%"})
    items = grid.items

    people = workbook.add_worksheet(_("完成情况"))
    people.set_column(0, 1, 12)
    people.set_column(2, 2, 24)
    people.set_column(3, 3 + len(items), 16)
    people.freeze_panes(1, 3)
    people.write_row(0, 0, [_("姓名"), _("用户名"), _("部门")]
                     + [item.title if item.required else _("%(title)s（选修）", title=item.title)
                        for item in items]
                     + [_("已完成必修"), _("必修完成率")], header)
    rate_column = 3 + len(items) + 1
    for row, person in enumerate(grid.people, start=1):
        done, required = grid.person_done(person), grid.required_for(person)
        _write_row(people, row, [
            person.name, person.username,
            person.department.full_name if person.department else _("未分配部门"),
            *[cell_text(grid, item, person) for item in items],
            f"{done}/{required}",
            done / required if required else None], {rate_column: percent})

    rates = workbook.add_worksheet(_("事项完成率"))
    rates.set_column(0, 0, 6)
    rates.set_column(1, 1, 40)
    rates.set_column(2, 7, 12)
    rates.freeze_panes(1, 0)
    rates.write_row(0, 0, [_("序号"), _("事项"), _("类型"), _("必修/选修"), _("截止日期"),
                           _("已完成人数"), _("应完成人数"), _("完成率")], header)
    for row, item in enumerate(items, start=1):
        owing = [person for person in grid.people if grid.owes(item, person)]
        done = sum(1 for person in owing if grid.state(item, person).done)
        _write_row(rates, row, [
            row, item.title, str(KINDS[item.kind].label) if item.kind in KINDS else item.kind,
            _("必修") if item.required else _("选修"),
            item.due_on.isoformat() if item.due_on else "", done, len(owing),
            grid.item_rate(item)], {7: percent})

    departments = workbook.add_worksheet(_("部门完成率"))
    departments.set_column(0, 0, 28)
    departments.set_column(1, 2, 14)
    departments.freeze_panes(1, 0)
    departments.write_row(0, 0, [_("部门"), _("人数"), _("必修完成率")], header)
    for row, (name, count, rate) in enumerate(grid.department_rates(), start=1):
        _write_row(departments, row, [name or _("未分配部门"), count, rate], {2: percent})

    about = workbook.add_worksheet(_("说明"))
    about.set_column(0, 0, 14)
    about.set_column(1, 1, 60)
    about.freeze_panes(1, 0)
    about.write_row(0, 0, [_("项目"), _("内容")], header)
    plan = grid.plan
    for row, values in enumerate([
            [_("学习计划"), plan.title],
            [_("计划期间"), _("%(start)s 至 %(end)s", start=plan.starts_on.isoformat(),
                          end=plan.ends_on.isoformat())],
            [_("范围"), scope],
            [_("人数"), len(grid.people)],
            [_("统计日期"), grid.today.isoformat()],
            [_("导出时间"), local_time(now)],
            [_("说明"), _("必修完成率 = 已完成的必修事项 ÷ 本人应完成的必修事项数（加入日期之前已到期的"
                        "事项不计）；“逾期”指已过截止日期仍未完成。")],
    ], start=1):
        _write_row(about, row, values, {})
    workbook.close()
    return buffer.getvalue()
