"""What the plans' page modules share: how a button's service call ends, and the progress
matrix as the admin progress page and a head of department's page show, export and act on
it (reminders)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lawlearn.accounts.departments import department_choices
from lawlearn.accounts.models import Department
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.exports import XLSX_MIMETYPE, download
from lawlearn.extensions import db
from lawlearn.pagination import page_of
from lawlearn.plans import authoring, oversight
from lawlearn.plans.admin_forms import RemindForm
from lawlearn.plans.export import export_matrix, export_name
from lawlearn.plans.kinds import KINDS
from lawlearn.plans.matrix import Matrix, matrix
from lawlearn.plans.models import Plan

MATRIX_PER_PAGE = 100
# A symbol for each status, always shown with its word (never colour alone).
STATUS_SYMBOLS = {"done": "✓", "in_progress": "◐", "pending": "○", "submitted": "✎",
                  "returned": "↩", "excused": "—", "not_owed": "／",
                  "cancelled": "×"}


# --- service calls from buttons and forms ------------------------------------------------------


def run_change(change: Callable[[], Any], success: Callable[[Any], str]) -> bool:
    """Run a service call behind a button: commit and flash ``success(result)``, or roll
    back and flash the error. A refusal of access (403, 404) stays an error page."""
    try:
        result = change()
    except DomainError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        flash(error.message, "error")
        return False
    db.session.commit()
    flash(success(result), "success")
    return True


# --- the progress matrix -------------------------------------------------------------------


def plan_for_matrix(plan_id: int) -> Plan:
    """A plan with its items and audience loaded (what the matrix needs), or 404."""
    plan = db.session.scalar(select(Plan).where(Plan.id == plan_id).options(
        selectinload(Plan.items), selectinload(Plan.audience)))
    return plan if plan is not None else authoring.get_plan(plan_id)


def matrix_context(grid: Matrix, page: int) -> dict[str, Any]:
    """What the matrix templates show: a page of people, rates over everyone."""
    return {"grid": grid, "people": page_of(grid.people, page, MATRIX_PER_PAGE),
            "rates": {item.id: grid.item_rate(item) for item in grid.items},
            "done_counts": {item.id: sum(1 for p in grid.people if grid.owes(item, p)
                                         and grid.state(item, p).done) for item in grid.items},
            "owing_counts": {item.id: sum(1 for p in grid.people if grid.owes(item, p))
                             for item in grid.items},
            "department_rates": grid.department_rates(), "kinds": KINDS,
            "symbols": STATUS_SYMBOLS}


def matrix_download(plan: Plan, department: Department | None):
    """The matrix of ``plan`` (one department with its sections, or everyone) as XLSX."""
    now = utcnow()
    scope = department.full_name if department else _("全部部门")
    grid = matrix(plan, now, department_id=department.id if department else None)
    return download(export_matrix(grid, scope, now), export_name(plan, scope), XLSX_MIMETYPE,
                    fallback=f"plan-{plan.id}-progress.xlsx")


def posted_remind_form() -> RemindForm:
    """The reminder form as posted (the service checks the department)."""
    form = RemindForm()
    form.department_id.choices = [("", "")] + department_choices()
    return form


def reminders_message(result: oversight.Reminders) -> str:
    """How many were reminded, and how many were not because they just had been."""
    sent = _("已提醒 %(n)d 人。", n=result.sent) if result.sent else ""
    if not result.skipped:
        return sent or _("没有需要提醒的人。")
    hours = int(oversight.REMIND_AGAIN_AFTER.total_seconds() // 3600)
    return sent + _("%(n)d 人在 %(hours)d 小时内已提醒过，本次未重复发送。", n=result.skipped,
                    hours=hours)


def send_reminders(plan: Plan, department_id: int | None, not_done: bool) -> None:
    """Remind those behind on ``plan`` (of one department, or everyone) and say how many."""
    run_change(lambda: oversight.remind(current_user, plan, utcnow(),
                                        department_id=department_id, not_done=not_done),
               reminders_message)
