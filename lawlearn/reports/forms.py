"""Filters of the report pages: read from the query string (GET, so no CSRF token), shape
only; the period rules live in :func:`lawlearn.reports.participation.check_period`."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateField, Form, SelectField, StringField

from lawlearn.accounts.departments import department_tree
from lawlearn.converters import record_id
from lawlearn.localtime import YEARS, in_years

BAD_DATE = _l("日期格式不正确，请按“年-月-日”填写，例如 2025-01-31。")


def optional_id(value) -> int | None:
    """A department id from the query string; text or nothing is "no department"."""
    if value in (None, "", "None"):
        return None
    try:
        return record_id(str(value))
    except ValueError:
        return None


def department_options() -> list[tuple[int, str]]:
    """(id, label) for the department select: each unit, then its sections named
    "单位/科室", as the report's tables name them."""
    return [(department.id, department.name if department is unit
             else f"{unit.name}/{department.name}")
            for unit in department_tree() for department in (unit, *unit.children)]


def filled(args: MultiDict[str, str]) -> MultiDict[str, str]:
    """``args`` without empty values, so that a cleared date field means its default."""
    return MultiDict([(key, value) for key, value in args.items(multi=True) if value.strip()])


class PeriodForm(Form):
    """From and to (local days, both included); by default this year so far."""

    date_from = DateField(_l("开始日期"), name="from", invalid_value_message=BAD_DATE)
    date_to = DateField(_l("结束日期"), name="to", invalid_value_message=BAD_DATE)

    def __init__(self, args: MultiDict[str, str], today: date, **kwargs) -> None:
        super().__init__(filled(args), **kwargs)
        if self.date_from.data is None and not self.date_from.raw_data:
            self.date_from.data = date(today.year, 1, 1)
        if self.date_to.data is None and not self.date_to.raw_data:
            self.date_to.data = today

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in (self.date_from, self.date_to):
            if field.data is not None and not in_years(field.data):
                field.errors.append(_("日期超出范围：应为 %(first)d—%(last)d 年间的日期。",
                                      first=YEARS[0], last=YEARS[1]))
                valid = False
        return valid

    def add_error(self, field: str | None, message: str) -> None:
        """A service's message under the field it concerns (the start date otherwise)."""
        target = getattr(self, field or "", None)
        if not hasattr(target, "errors"):
            target = self.date_from
        target.errors = [*target.errors, message]


class ReportFilterForm(PeriodForm):
    """The report page's filters: the period, a department (leaders and admins choose; a
    dept_lead's is fixed) and a search among the people."""

    department = SelectField(_l("部门（含下属科室）"), coerce=optional_id, validate_choice=False)
    q = StringField(_l("查找人员"), filters=[lambda value: (value or "").strip()[:50]],
                    description=_l("姓名或用户名"))

    def __init__(self, args: MultiDict[str, str], today: date,
                 departments: list[tuple[int, str]] | None = None) -> None:
        super().__init__(args, today)
        self.department.choices = [("", _l("全单位（全部部门）")), *(departments or [])]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Text where a department id belongs is refused, as the exports refuse it, rather
        # than read as the whole office.
        raw = (self.department.raw_data or [""])[0].strip()
        if raw and not raw.lstrip("-").isdigit() and raw != "None":
            self.department.errors = [*self.department.errors,
                                      _l("部门参数“%(value)s”不正确。", value=raw[:30])]
            valid = False
        return valid
