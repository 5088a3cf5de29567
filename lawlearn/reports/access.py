"""Who sees which report: admins and leaders everything, a dept_lead their own department
(a unit with its sections), staff only their own record."""

from __future__ import annotations

from flask import abort

from lawlearn.accounts.models import Role, User


def sees_every_department(user: User) -> bool:
    return user.has_role(Role.ADMIN, Role.LEADER)


def can_view_reports(user: User) -> bool:
    return sees_every_department(user) or (user.has_role(Role.DEPT_LEAD)
                                           and user.department_id is not None)


def report_department(user: User, requested: int | None) -> int | None:
    """The department a report may cover for ``user`` (None: the whole office).

    A dept_lead always gets their own department, whatever they asked for; asking for
    another one is refused (403) rather than silently swapped.
    """
    if sees_every_department(user):
        return requested
    if not can_view_reports(user):
        abort(403)
    if requested is not None and requested != user.department_id:
        abort(403)
    return user.department_id
