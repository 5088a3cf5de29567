"""本部门出勤: a head of department reads who of their department (and its sections) came to
one session, who took leave and who missed it — the follow-up the office expects of them,
which the participation report (counts per person) does not show."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lawlearn.accounts.models import Department, Role, User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.pagination import paginate
from lawlearn.sessions import roster, services, sessions_bp
from lawlearn.sessions.models import ATTENDANCE_STATUSES, CHECKIN_SOURCES

PER_PAGE = 100  # a department's people on one page, mostly


@sessions_bp.route("/sessions/<int:session_id>/department")
@login_required
def department_attendance(session_id: int):
    """The session's roster limited to my department and its sections, with the figures."""
    if current_user.is_admin:
        return redirect(url_for("sessions_admin.attendance", session_id=session_id))
    if not current_user.has_role(Role.DEPT_LEAD) or current_user.department_id is None:
        abort(403)
    now = utcnow()
    if services.close_ended_sessions(now):  # absences written, as the admin's page does
        db.session.commit()
    study = services.get_session(session_id)
    departments = {d.id: d for d in db.session.scalars(select(Department))}
    scope = [current_user.department_id,
             *(d.id for d in departments.values() if d.parent_id == current_user.department_id)]
    pagination = paginate(roster.roster_query(study, departments=list(departments.values()))
                          .where(User.department_id.in_(scope)), per_page=PER_PAGE)
    people = list(pagination.items)
    return render_template("sessions/department_attendance.html", study=study,
                           pagination=pagination, people=people,
                           records=roster.records_of(study, people),
                           counts=roster.roster_counts(study, scope),
                           departments=departments, statuses=ATTENDANCE_STATUSES,
                           sources=CHECKIN_SOURCES,
                           department=departments[current_user.department_id],
                           with_sections=len(scope) > 1, check_in_closed=study.closes_at <= now)
