"""Departments, users, their roles, API tokens and the admin audit log."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.name_order import KEY_LENGTH, name_sort_key


class Role(StrEnum):
    STAFF = "staff"
    DEPT_LEAD = "dept_lead"
    LEADER = "leader"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.STAFF: _l("干部职工"),
    Role.DEPT_LEAD: _l("科室负责人"),
    Role.LEADER: _l("主要负责人"),
    Role.ADMIN: _l("管理员"),
}


class Department(db.Model):
    """A unit (top level) or a section inside a unit; the tree has two levels."""

    __tablename__ = "department"
    __table_args__ = (
        UniqueConstraint("parent_id", "name"),
        # The constraint above lets top-level units share a name: both databases take a
        # NULL parent_id as distinct from every other.
        Index("uq_department_top_level_name", "name", unique=True,
              sqlite_where=text("parent_id IS NULL"),
              postgresql_where=text("parent_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    sort_order: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Department | None] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list[Department]] = relationship(
        back_populates="parent", order_by="(Department.sort_order, Department.name)"
    )

    @property
    def full_name(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent else self.name

    def __repr__(self) -> str:
        return f"<Department {self.full_name}>"


class UserRole(db.Model):
    __tablename__ = "user_role"
    __table_args__ = (
        CheckConstraint(
            "role IN ('staff', 'dept_lead', 'leader', 'admin')", name="known_role"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class User(db.Model):
    """A person who logs in. People are deactivated, never deleted."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    # The order people are listed in (pinyin): kept with the name by the ORM (set_name_key
    # below) and, for rows inserted without it, by the column's default.
    name_key: Mapped[str] = mapped_column(String(KEY_LENGTH), default=lambda context:
                                          name_sort_key(context.get_current_parameters()["name"]))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    # Part of the login cookie: changing it signs out every other session.
    login_nonce: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(8))
    locale: Mapped[str | None] = mapped_column(String(10))
    # Secret part of the personal calendar feed URL; reset to revoke old links.
    calendar_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the person joined the office's study (the account's making unless an admin or an
    # import gave a day): what ended before it is not theirs, in the figures as on the pages.
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    department: Mapped[Department | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan"
    )

    @validates("name")
    def set_name_key(self, _key: str, name: str) -> str:
        self.name_key = name_sort_key(name)
        return name

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.login_nonce}"

    @property
    def roles(self) -> set[str]:
        read = self.__dict__.get("_roles_read")
        if read is not None and "role_rows" not in self.__dict__:
            return set(read)
        return {row.role for row in self.role_rows}

    @roles.setter
    def roles(self, value: set[str] | list[str]) -> None:
        self.__dict__.pop("_roles_read", None)
        wanted = set(value)
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        for role in sorted(wanted - self.roles):
            self.role_rows.append(UserRole(role=role))

    def remember_roles(self, names: str | None) -> None:
        """Roles read with the user in one statement (the sign-in's, see
        ``security.load_user``), comma-separated: they stand in for ``role_rows`` until
        those are loaded, which cost a joined load on every page, and are forgotten when
        the user is expired (a commit or a rollback), as a loaded attribute would be."""
        self.__dict__["_roles_read"] = frozenset(names.split(",")) if names else frozenset()

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def studies(self) -> bool:
        """Holds the 干部职工 role: expected at sessions, in plans, counted in reports (the
        Python twin of :func:`studies_condition`)."""
        return Role.STAFF in self.roles

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in Role if r in self.roles]

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(
            password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        )
        self.login_nonce = secrets.token_hex(8)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


@event.listens_for(User, "expire")
def _forget_remembered_roles(user: User | None, _attributes) -> None:
    if user is not None:  # None: the instance is already gone
        user.__dict__.pop("_roles_read", None)


class LoginFailure(db.Model):
    """Failed logins for usernames that do not exist: counted and locked exactly like real
    accounts, so that the answers never tell which usernames exist."""

    __tablename__ = "login_failure"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]


class ApiToken(db.Model):
    """A bearer token for phone clients and scripts; only its hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class AuditEntry(db.Model):
    """Who changed what and when, for every admin action."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()


def studies_condition():
    """SQL condition on ``User``: holds the 干部职工 role, so is one of the people who study
    (expected at sessions, in everyone's plans, counted in the reports). An account with
    only 管理员 (the IT admin who set the site up) is not."""
    from sqlalchemy import select

    return User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.STAFF.value))

