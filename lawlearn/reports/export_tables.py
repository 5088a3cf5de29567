"""What every export of a participation report shares: its tables (headings, how each value
shows, rows read from the report), the headline figures, value texts and file names.

The XLSX, CSV and DOCX writers all read the tables defined here, so a column added to the
report's sources (``lawlearn.reports.sources``) shows up in every export at once. Nothing
here computes a figure: values come from :func:`lawlearn.reports.participation.build_report`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lawlearn.accounts.models import Department
from lawlearn.exports import filename_part, local_time, safe_text
from lawlearn.i18n import display_date
from lawlearn.localtime import local_day
from lawlearn.reports.columns import Column
from lawlearn.reports.participation import DepartmentRow, ParticipationReport
from lawlearn.rounding import half_up, percent_text
from lawlearn.sessions.attendance import AttendanceRule, rule_clauses

EXPORT_FORMATS = ("xlsx", "csv", "docx")
CSV_TABLES = ("people", "departments", "sessions", "quizzes", "outreach")
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Field:
    """One column of an exported table. ``kind``: text, count, hours, score (a percent
    0..100), rate (0..1), decimal (one decimal place), moment (naive UTC) or date."""

    label: str
    kind: str = "text"
    group: str = ""


@dataclass
class Table:
    """A table of the report as the exports write it. ``rows`` is consumed once, in order
    (the XLSX is written row by row); ``total`` is a last, emphasised row."""

    name: str
    fields: list[Field]
    rows: Iterator[list[Any]]
    total: list[Any] | None = None
    frozen_columns: int = 1
    widths: list[float] = field(default_factory=list)


def _figure_kind(column: Column) -> str:
    return column.kind if column.kind in ("count", "hours", "score", "rate") else "count"


# --- the tables ------------------------------------------------------------------------------


def people_table(report: ParticipationReport) -> Table:
    """人员: one row per person, with their department and a mark for deactivated people."""
    columns = report.visible_columns
    basics = str(_("人员"))
    fields = [Field(_("姓名"), group=basics), Field(_("用户名"), group=basics),
              Field(_("部门"), group=basics), Field(_("状态"), group=basics)]
    fields += [Field(str(c.label), _figure_kind(c), str(c.group)) for c in columns]
    # Both states named: a blank cell reads as data missing, and filters poorly in Excel.
    active, inactive = _("在用"), _("已停用")
    rows = ([p.name, p.username, p.department, active if p.active else inactive,
             *[p.values.get(c.key) for c in columns]] for p in report.people)
    return Table(_("人员"), fields, rows, frozen_columns=2,
                 widths=[10, 12, 22, 7] + [9] * len(columns))


def _department_layout(columns: list[Column]) -> list[tuple[Field, Callable[[DepartmentRow], Any]]]:
    """Each visible column, followed within its group by its per-capita figure (人均)."""
    layout: list[tuple[Field, Callable[[DepartmentRow], Any]]] = []
    for column in columns:
        group = str(column.group)
        layout.append((Field(str(column.label), _figure_kind(column), group),
                       lambda row, key=column.key: row.values.get(key)))
        if column.per_capita:
            layout.append((Field(_("人均%(label)s", label=column.label), "decimal", group),
                           lambda row, key=column.key: row.per_capita(key)))
    return layout


def department_table(report: ParticipationReport) -> Table:
    """部门: one row per department (a unit includes its sections), then 合计."""
    layout = _department_layout(report.visible_columns)
    basics = str(_("部门"))
    fields = [Field(_("部门"), group=basics), Field(_("人数"), "count", basics)]
    fields += [f for f, _get in layout]

    def values(row: DepartmentRow) -> list[Any]:
        return [row.name, row.people, *[get(row) for _f, get in layout]]

    return Table(_("部门"), fields, (values(row) for row in report.departments),
                 total=values(report.total), frozen_columns=1,
                 widths=[24, 7] + [9] * len(layout))


def session_table(report: ParticipationReport) -> Table:
    """集中学法: each session of the period with its attendance."""
    fields = [Field(_("序号"), "count"), Field(_("时间"), "moment"), Field(_("名称")),
              Field(_("类型")), Field(_("应参学"), "count"), Field(_("出席"), "count"),
              Field(_("迟到"), "count"), Field(_("请假"), "count"), Field(_("缺席"), "count"),
              Field(_("参学率"), "rate")]
    rows = ([index, s.starts_at, s.title, s.kind, s.expected, s.present, s.late, s.excused,
             s.absent, s.rate] for index, s in enumerate(report.sessions, start=1))
    return Table(_("集中学法"), fields, rows, frozen_columns=3,
                 widths=[6, 16, 30, 12, 8, 8, 8, 8, 8, 9])


def quiz_table(report: ParticipationReport) -> Table:
    """在线测试: each quiz answered in the period, with takers, pass rate and average."""
    # Who it was for, and of them who has taken it (by the period's end); then the papers
    # handed in during the period, whoever's (a session's exit quiz has no 应参加).
    fields = [Field(_("序号"), "count"), Field(_("测试名称")), Field(_("类型")),
              Field(_("应参加人数"), "count"), Field(_("其中已参加"), "count"),
              Field(_("参加率"), "rate"), Field(_("参加人数"), "count"),
              Field(_("通过人数"), "count"), Field(_("通过率"), "rate"),
              Field(_("答卷份数"), "count"), Field(_("平均得分率"), "score")]
    exam, quiz = _("考试"), _("测验")
    rows = ([index, q.title, exam if q.is_exam else quiz, q.expected,
             q.expected_takers if q.expected else None, q.take_rate, q.takers, q.passed,
             q.pass_rate, q.attempts, q.average_score]
            for index, q in enumerate(report.quizzes, start=1))
    return Table(_("在线测试"), fields, rows, frozen_columns=2,
                 widths=[6, 30, 8, 10, 10, 9, 9, 9, 9, 9, 10])


def outreach_table(report: ParticipationReport) -> Table:
    """普法活动: each outreach event behind the report's outreach figures (as the ledger counts
    them), then 合计: the figures themselves."""
    from lawlearn.outreach.export import event_status, total_values
    from lawlearn.outreach.ledger import local_naive

    # 状态 last: the events still awaiting review (the page says how many) can be picked out
    # before the figures are sent upward.
    fields = [Field(_("活动名称")), Field(_("日期"), "date"),
              Field(_("类别")), Field(_("主题宣传")), Field(_("组织单位")), Field(_("地点")),
              *[Field(label, "count") for label in outreach_headers()[1:]], Field(_("状态"))]
    section = report.outreach
    rows = ([e.title, local_naive(e.starts_at).date(), e.category.name,
             e.campaign.title if e.campaign else "", e.department.full_name, e.place,
             e.participants, e.quiz_completions, e.reach, e.volunteers, e.consultations,
             e.online_views, *e.handed_out, event_status(e)] for e in section.events)
    events, *sums = total_values(section.totals)
    total = [_("合计（%(count)s 场）", count=events), None, "", "", "", "", *sums, ""]
    return Table(_("普法活动"), fields, rows, total=total,
                 widths=[30, 11, 12, 16, 20, 16] + [11] * len(sums) + [8])


def csv_table(report: ParticipationReport, table: str) -> Table:
    return {"people": people_table, "departments": department_table,
            "sessions": session_table, "quizzes": quiz_table,
            "outreach": outreach_table}[table](report)


def headings(fields: list[Field]) -> list[str]:
    """One heading per column for a single header row: the label, or "group·label" where
    two columns share a label."""
    seen: dict[str, int] = {}
    for f in fields:
        seen[f.label] = seen.get(f.label, 0) + 1
    return [f"{f.group}·{f.label}" if seen[f.label] > 1 and f.group else f.label
            for f in fields]


# --- the headline figures --------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The figures of the annual report's study-and-publicity section."""

    people: int
    sessions_held: int
    attendances: int  # 参学人次 (as the attendance rule counts them)
    attendance_rate: float | None
    quizzes_held: int
    quiz_takers: int  # 参测人次: people × quizzes taken
    quiz_expected: int  # 应参测人次: people × quizzes they were for (quizzes with an audience)
    quiz_expected_taken: int  # of those, taken by the period's end
    quiz_take_rate: float | None  # 参测率: that share
    quiz_passed: int
    quiz_pass_rate: float | None
    average_score: float | None
    items_answered: int  # 答题数: questions answered in quizzes, daily practice, challenges
    hours_earned: float
    hours_per_capita: float | None
    practice_days: int
    reflections: int
    outreach: Any  # LedgerTotals or None


def headline(report: ParticipationReport) -> Headline:
    total = report.total.values
    taken, passed = total.get("quizzes_taken") or 0, total.get("quizzes_passed") or 0
    return Headline(
        people=report.total.people, sessions_held=len(report.sessions),
        attendances=total.get("sessions_attended") or 0,
        attendance_rate=total.get("attendance_rate"),
        # Taken by someone of the scope in the period (the table also lists those nobody took).
        quizzes_held=sum(1 for quiz in report.quizzes if quiz.takers),
        quiz_takers=taken, quiz_passed=passed, quiz_expected=report.quizzes_expected[0],
        quiz_expected_taken=report.quizzes_expected[1], quiz_take_rate=report.quiz_take_rate,
        # The report has no pass-rate column; the ratio of its two summed figures, as a
        # ratio column would be.
        quiz_pass_rate=passed / taken if taken else None,
        average_score=total.get("average_score"),
        items_answered=total.get("items_answered") or 0,
        hours_earned=total.get("hours_earned") or 0.0,
        hours_per_capita=report.total.per_capita("hours_earned"),
        practice_days=total.get("practice_days") or 0,
        reflections=total.get("reflections_accepted") or 0,
        outreach=report.outreach.totals if report.outreach is not None else None)


def headline_rows(figures: Headline) -> list[tuple[str, Any, str]]:
    """(label, value, kind) for the summary sheet and the DOCX main-figures table."""
    rows: list[tuple[str, Any, str]] = [
        (_("统计人数"), figures.people, "count"),
        (_("集中学法场次"), figures.sessions_held, "count"),
        (_("参学人次"), figures.attendances, "count"),
        (_("参学率"), figures.attendance_rate, "rate"),
        (_("在线测试场次"), figures.quizzes_held, "count"),
        (_("参测人次"), figures.quiz_takers, "count"),
        (_("应参测人次"), figures.quiz_expected, "count"),
        (_("应参测人员已参测人次"), figures.quiz_expected_taken, "count"),
        (_("参测率"), figures.quiz_take_rate, "rate"),
        (_("通过人次"), figures.quiz_passed, "count"),
        (_("通过率"), figures.quiz_pass_rate, "rate"),
        (_("平均得分率"), figures.average_score, "score"),
        (_("答题数"), figures.items_answered, "count"),
        (_("已获学时合计"), figures.hours_earned, "hours"),
        (_("人均已获学时"), figures.hours_per_capita, "hours"),
    ]
    if figures.outreach is not None:
        from lawlearn.outreach.export import total_values

        outreach = _("普法活动")
        rows += [(f"{outreach}·{label}", value, "count") for label, value in
                 zip(outreach_headers(), total_values(figures.outreach), strict=True)]
    return rows


def outreach_headers() -> list[str]:
    """The outreach totals' headings, in the order of
    :func:`lawlearn.outreach.export.total_values`, in the report's words (覆盖群众)."""
    return [_("活动场次"), _("参与人次"), _("有奖问答完成人次"), _("覆盖群众（人次）"),
            _("志愿者（人次）"), _("解答咨询（人次）"), _("线上浏览量"), _("发放资料种类"),
            _("发放资料份数")]


def column_totals(report: ParticipationReport) -> list[tuple[str, str, Any, Any, str]]:
    """(group, label, total, per capita or None, kind) for every visible column: the
    report's 合计 row."""
    rows = []
    for column in report.visible_columns:
        per_capita = report.total.per_capita(column.key) if column.per_capita else None
        rows.append((str(column.group), str(column.label), report.total.values.get(column.key),
                     per_capita, _figure_kind(column)))
    return rows


# --- texts ---------------------------------------------------------------------------------


def rate_rule_text(rule: AttendanceRule) -> str:
    """How 参学率 is counted under ``rule``, in the report's words; shown under every
    参学率 (page, record, XLSX, DOCX)."""
    late, excused = rule_clauses(rule)
    return _("参学率 = 计为参学的人次 ÷ 计入参学率的人次（一人参加一场计一人次）；应参学为应参加的"
             "集中学法人次，%(late)s，%(excused)s。集中学法签到结束后计入统计。", late=late,
             excused=excused)


def plan_rule_text(date_to: date, generated_at: datetime) -> str:
    """Which plan items 应完成事项 counts (reports.sources._plans) for a period ending on
    ``date_to``: while it runs, only those due by today, said with the day, as 参学率's
    rule is said under it (the report, a person's record, their files)."""
    today = local_day(generated_at)
    if today < date_to:
        return _("应完成事项为统计期间内截至 %(day)s 已到期的必修计划事项；期间尚未结束，"
                 "此后到期的暂不计入。", day=display_date(today))
    return _("应完成事项为统计期间内到期的必修计划事项。")


def value_text(value: Any, kind: str, *, grouped: bool = False, spreadsheet: bool = True) -> str:
    """A value as text for CSV and DOCX: counts whole ("1,234" when ``grouped``), hours,
    scores and per-capita figures with one decimal, rates as "87.5%", moments local; text
    made safe from formula injection when it is meant for a ``spreadsheet``."""
    if value is None:
        return ""
    if kind == "rate":
        return percent_text(value)
    if kind == "score":  # a percent 0..100, shown as the page shows it
        return f"{value:.1f}%"
    if kind in ("hours", "decimal"):
        value = half_up(value)
        return f"{value:,.1f}" if grouped else f"{value:.1f}"
    if kind == "count" and isinstance(value, (int, float)):
        return f"{int(value):,}" if grouped else str(int(value))
    if isinstance(value, datetime):
        return local_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value)) if spreadsheet else str(value)


def prose_name(department: Department) -> str:
    """A department as formal prose names it: 区政府办公室综合科 (no slash)."""
    return department.parent.name + department.name if department.parent else department.name


def scope_text(report: ParticipationReport, *, prose: bool = False) -> str:
    """全单位（全部部门）, 执法局（含下属科室） (a unit that has sections), 执法局/法制科
    (or 执法局法制科 in ``prose``)."""
    department = report.department
    if department is None:
        return report.scope_name
    name = prose_name(department) if prose else department.full_name
    if department.parent_id is None and department.children:
        return _("%(name)s（含下属科室）", name=name)
    return name


def period_text(report: ParticipationReport) -> str:
    return _("%(start)s 至 %(end)s", start=display_date(report.date_from),
             end=display_date(report.date_to))


# --- file names ------------------------------------------------------------------------------

TABLE_NAMES = {"people": _l("人员"), "departments": _l("部门"), "sessions": _l("集中学法"),
               "quizzes": _l("在线测试"), "outreach": _l("普法活动")}


def export_name(report: ParticipationReport, export_format: str,
                table: str = "people") -> str:
    """参学统计_执法局_2024-01-01_2024-12-31.xlsx; the CSV names its table, the DOCX is the
    draft section (学法普法工作情况)."""
    scope = report.department.full_name if report.department else _("全部部门")
    if export_format == "docx":
        what = _("学法普法工作情况")
    elif export_format == "csv":
        what = _("参学统计_%(table)s", table=TABLE_NAMES[table])
    else:
        what = _("参学统计")
    stem = f"{what}_{scope}_{report.date_from.isoformat()}_{report.date_to.isoformat()}"
    return filename_part(stem, "participation") + "." + export_format


def export_fallback(report: ParticipationReport, export_format: str,
                    table: str = "people") -> str:
    """The ASCII name: participation-dept3_2024-01-01_2024-12-31.xlsx."""
    what = "study-and-publicity" if export_format == "docx" else "participation"
    if export_format == "csv":
        what += f"-{table}"
    if report.department is not None:
        what += f"-dept{report.department.id}"
    return f"{what}_{report.date_from.isoformat()}_{report.date_to.isoformat()}.{export_format}"
