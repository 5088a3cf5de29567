"""Accounts: authentication, passwords, users and API tokens. No HTTP here."""

from __future__ import annotations

import functools
import hashlib
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import ApiToken, Department, LoginFailure, Role, User, UserRole

# The rules, here for the callers that have always asked this module for them.
from lawlearn.accounts.rules import (  # noqa: F401
    PHONE_PATTERN,
    USERNAME_PATTERN,
    check_password_rules,
    check_username,
    normalize_username,
    password_problems,
)
from lawlearn.database import like_pattern, utcnow
from lawlearn.errors import NotFound, PermissionDenied, TooManyAttempts, ValidationFailed, raise_all
from lawlearn.extensions import db
from lawlearn.localtime import day_start, in_years, local_day
from lawlearn.unique_keys import duplicate_raises

# --- authentication -----------------------------------------------------------------


def _still_locked(locked_until: datetime, now: datetime) -> TooManyAttempts:
    return TooManyAttempts(_("登录失败次数过多，账号已暂时锁定，请稍后再试或联系管理员。"),
                           code="account_locked",
                           retry_after=max(1, math.ceil((locked_until - now).total_seconds())))


def _just_locked() -> TooManyAttempts:
    lockout = current_app.config["LOGIN_LOCKOUT"]
    return TooManyAttempts(_("连续登录失败次数过多，账号已锁定 %(minutes)d 分钟。",
                             minutes=lockout // timedelta(minutes=1)), code="account_locked",
                           retry_after=math.ceil(lockout.total_seconds()))


def _count_failure(table, key_column, key, now: datetime) -> None:
    """Add one failure atomically in the database (concurrent guesses cannot overwrite each
    other's counts) and lock at the limit; raise what the person is told."""
    failures_column = table.c.failed_logins if "failed_logins" in table.c else table.c.failures
    failures = db.session.execute(
        update(table).where(key_column == key)
        .values({failures_column: failures_column + 1})
        .returning(failures_column)).scalar_one()
    if failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        db.session.execute(update(table).where(key_column == key).values(
            {failures_column: 0, table.c.locked_until: now + current_app.config["LOGIN_LOCKOUT"]}))
        raise _just_locked()


def _fail_unknown_username(username: str, password: str, now: datetime) -> None:
    """Answer an unknown username exactly as a known one: same work, same lockout."""
    check_password_hash(_dummy_hash(), password)
    username = username[:64]
    record = db.session.get(LoginFailure, username, populate_existing=True)
    if record is None:
        try:
            with db.session.begin_nested():
                db.session.add(LoginFailure(username=username, failures=0))
        except IntegrityError:
            pass  # a concurrent request created it
        record = db.session.get(LoginFailure, username, populate_existing=True)
    if record.locked_until and record.locked_until > now:
        raise _still_locked(record.locked_until, now)
    _count_failure(LoginFailure.__table__, LoginFailure.__table__.c.username, username, now)


@functools.cache
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def _dummy_hash() -> str:
    return _dummy_hash_for(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def authenticate(username: str, password: str, now: datetime, known_device: bool = False) -> User:
    """Return the user for these credentials or raise; count failures and lock. A known
    device (accounts.devices) is not held by the lock and counts its failures itself.
    The caller commits even on failure, so that the failure count is kept."""
    username = normalize_username(username)
    # Fresh from the database: failure counts change by atomic UPDATEs, not through the ORM.
    user = db.session.scalar(select(User).filter_by(username=username)
                             .execution_options(populate_existing=True))
    invalid = ValidationFailed(_("用户名或密码错误。"), code="invalid_credentials")
    if user is None:
        _fail_unknown_username(username, password, now)
        raise invalid
    if user.locked_until and user.locked_until > now and not known_device:
        raise _still_locked(user.locked_until, now)
    if not user.check_password(password):
        if not known_device:
            _count_failure(User.__table__, User.__table__.c.id, user.id, now)
        raise invalid
    if not user.active:
        raise PermissionDenied(_("账号已停用，请联系管理员。"), code="account_inactive")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def revoke_all_tokens(user: User, now: datetime) -> None:
    """End every bearer token of ``user`` (after a password change, reset or deactivation),
    and the address of their calendar feed, which works as one: a new one is made when
    next shown."""
    user.calendar_token = None
    db.session.execute(
        ApiToken.__table__.update()
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now))


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change one's own password; a wrong current password counts as a failed login, and
    a locked account is refused (a stolen session or token could otherwise keep guessing)."""
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        raise _still_locked(user.locked_until, now)
    if not user.check_password(current_password):
        _count_failure(User.__table__, User.__table__.c.id, user.id, utcnow())
        raise ValidationFailed(_("当前密码不正确。"), field="current_password",
                               code="wrong_password")
    if current_password == new_password:
        raise ValidationFailed(_("新密码不能与当前密码相同。"), field="new_password",
                               code="same_password")
    check_password_rules(new_password, user.username, field="new_password")
    user.set_password(new_password)
    user.must_change_password = False
    revoke_all_tokens(user, utcnow())


# --- API tokens ---------------------------------------------------------------------


def issue_api_token(user: User, now: datetime) -> tuple[str, ApiToken]:
    """A fresh bearer token; the raw value is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        token_hash=hashlib.sha256(raw.encode()).hexdigest(),
        created_at=now,
        expires_at=now + current_app.config["API_TOKEN_LIFETIME"],
    )
    db.session.add(token)
    return raw, token


def revoke_api_token(token: ApiToken, now: datetime) -> None:
    token.revoked_at = now


# --- users (admin) --------------------------------------------------------------------


FIELD_LABELS = {"name": _l("姓名"), "department_id": _l("部门"), "roles": _l("角色"),
                "phone": _l("手机号"), "joined_on": _l("加入日期")}


@dataclass
class UserFields:
    name: str
    department_id: int | None
    roles: set[str]
    phone: str | None = None
    joined_on: date | None = None  # None: the day the account is made (an edit keeps it)


def joined_day_problem(day: date, today: date) -> str | None:
    """Why ``day`` cannot be a joining day, in words (an import names it by row)."""
    if not in_years(day):
        return _("加入日期不在有效范围内。")
    if day > today:
        # A future day would leave the person out of everything until then.
        return _("加入日期不能晚于今天。")
    return None


def joined_at_for(day: date | None, now: datetime) -> datetime:
    """The moment stored for a joining day: the day's start (local), or now."""
    return now if day is None else day_start(day)


def field_problems(fields: UserFields, kept_phone: str | None = None) -> list[ValidationFailed]:
    """Every rule of the fields the values break; ``kept_phone``: the number the account has
    (one saved under an older rule is kept as it is, not refused at every edit)."""
    problems = []
    if not fields.name.strip():
        problems.append(ValidationFailed(_("请填写姓名。"), field="name"))
    unknown = set(fields.roles) - {r.value for r in Role}
    if unknown:
        problems.append(ValidationFailed(_("未知角色：%(roles)s", roles="、".join(sorted(unknown))),
                                         field="roles"))
    if fields.department_id is not None and db.session.get(Department, fields.department_id) is None:
        problems.append(ValidationFailed(_("部门不存在。"), field="department_id"))
    elif Role.DEPT_LEAD.value in fields.roles and fields.department_id is None:
        # A lead without a department would find every lead page refused.
        problems.append(ValidationFailed(_("科室负责人须有所属部门，请选择部门。"),
                                         field="department_id"))
    phone = (fields.phone or "").strip()
    if phone and phone != kept_phone and not PHONE_PATTERN.match(phone):
        problems.append(ValidationFailed(_("手机号须为 7 至 20 位数字，可含空格、+ 和 -。"),
                                         field="phone"))
    problem = fields.joined_on and joined_day_problem(fields.joined_on, local_day(utcnow()))
    if problem:
        problems.append(ValidationFailed(problem, field="joined_on"))
    return problems


def _username_taken(username: str) -> ValidationFailed:
    return ValidationFailed(_("用户名 %(username)s 已存在。", username=username), field="username")


def new_user_problems(username: str, password: str | None, fields: UserFields, *,
                      hashed: bool = False) -> list[ValidationFailed]:
    """Every rule a new account would break (``hashed``: its password was checked
    earlier), in order: username, the fields, the password."""
    try:
        username = check_username(username)
    except ValidationFailed as error:
        problems = [error]
    else:
        problems = [] if db.session.scalar(select(User.id).filter_by(username=username)) is None \
            else [_username_taken(username)]
    problems += field_problems(fields)
    if not hashed:
        problems += [ValidationFailed(text, field="password", code="weak_password") for text
                     in password_problems(password or "", username)] if password else \
            [ValidationFailed(_("请设置初始密码。"), field="password")]
    return problems


def create_user(actor: User | None, username: str, password: str | None, fields: UserFields,
                *, must_change_password: bool = True, password_hash: str | None = None,
                audit: bool = True) -> User:
    """Create an account; ``password_hash`` replaces ``password`` when the rules were
    checked earlier (the default password of an import is kept only as a hash)."""
    # Every problem at once: the form shows each by its field.
    raise_all(new_user_problems(username, password, fields, hashed=password_hash is not None))
    username = normalize_username(username)
    now = utcnow()
    user = User(username=username, name=fields.name.strip(), department_id=fields.department_id,
                phone=(fields.phone or "").strip() or None,
                must_change_password=must_change_password, created_at=now,
                joined_at=joined_at_for(fields.joined_on, now))
    if password_hash is None:
        user.set_password(password or "")
    else:
        user.password_hash = password_hash
    user.roles = fields.roles or {Role.STAFF.value}
    if not audit:  # a bulk import: it guards its batch as a whole and writes one entry
        db.session.add(user)
        db.session.flush()
        return user
    with duplicate_raises(_username_taken(username)):  # the same username submitted twice at once
        db.session.add(user)
    record_audit(actor, "user.create", user, _("创建用户 %(name)s（%(username)s）",
                                                name=user.name, username=user.username),
                 {"roles": sorted(user.roles), "department_id": user.department_id})
    return user


def update_user(actor: User, user: User, fields: UserFields) -> None:
    raise_all(field_problems(fields, kept_phone=user.phone))
    if user.id == actor.id and Role.ADMIN in user.roles and Role.ADMIN not in fields.roles:
        raise PermissionDenied(_("不能取消自己的管理员角色。"), field="roles")
    before = {"name": user.name, "department_id": user.department_id,
              "roles": sorted(user.roles), "phone": user.phone,
              "joined_on": local_day(user.joined_at).isoformat()}
    user.name = fields.name.strip()
    user.department_id = fields.department_id
    user.phone = (fields.phone or "").strip() or None
    user.roles = fields.roles or {Role.STAFF.value}
    # The same day again keeps the moment the account was made (precise to the minute).
    if fields.joined_on is not None and fields.joined_on.isoformat() != before["joined_on"]:
        user.joined_at = day_start(fields.joined_on)
    after = {"name": user.name, "department_id": user.department_id,
             "roles": sorted(user.roles), "phone": user.phone,
             "joined_on": local_day(user.joined_at).isoformat()}
    changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changed:
        record_audit(actor, "user.update", user,
                     _("修改用户 %(name)s（%(username)s）：%(fields)s", name=user.name,
                       username=user.username, fields="、".join(
                           _role_change(*changed["roles"]) if k == "roles"
                           else str(FIELD_LABELS.get(k, k)) for k in changed)), changed)


def _role_change(before: list[str], after: list[str]) -> str:
    """"角色（授予管理员；取消科室负责人）": the log says which powers changed hands."""
    def named(roles: set[str]) -> str:
        return "、".join(Role(role).label for role in sorted(roles))

    parts = []
    if set(after) - set(before):
        parts.append(_("授予%(roles)s", roles=named(set(after) - set(before))))
    if set(before) - set(after):
        parts.append(_("取消%(roles)s", roles=named(set(before) - set(after))))
    return f"{FIELD_LABELS['roles']}（{'；'.join(parts)}）"


def reset_password(actor: User, user: User, new_password: str) -> None:
    """Set a temporary password that must be changed at next login; also unlocks."""
    check_password_rules(new_password, user.username)
    user.set_password(new_password)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    revoke_all_tokens(user, utcnow())
    record_audit(actor, "user.reset_password", user,
                 _("重置用户 %(username)s 的密码", username=user.username))


def end_every_sign_in(user: User, now: datetime) -> None:
    """Refuse every session and remember-me cookie issued so far (they carry the nonce),
    and every bearer token: a lost phone holds either."""
    user.login_nonce = secrets.token_hex(8)
    revoke_all_tokens(user, now)


def set_user_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise PermissionDenied(_("不能停用自己的账号。"))
    if user.active == active:
        return
    user.active = active
    if not active:
        # Ends the person's open sessions and bearer tokens at once.
        end_every_sign_in(user, utcnow())
    action = "user.activate" if active else "user.deactivate"
    summary = (_("启用用户 %(username)s", username=user.username) if active
               else _("停用用户 %(username)s", username=user.username))
    record_audit(actor, action, user, summary)


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("用户不存在。"))
    return user


def user_query(*, q: str | None = None, department_id: int | None = None,
               role: str | None = None, active: bool | None = None) -> Select[tuple[User]]:
    """Users for the admin list, with department loaded (roles load in one more query)."""
    query = select(User).options(joinedload(User.department).joinedload(Department.parent),
                                 selectinload(User.role_rows))
    if q:
        pattern = like_pattern(q.strip())
        query = query.where(or_(User.username.ilike(pattern, escape="\\"),
                                User.name.ilike(pattern, escape="\\")))
    if department_id:
        sub_ids = select(Department.id).where(Department.parent_id == department_id)
        query = query.where(or_(User.department_id == department_id,
                                User.department_id.in_(sub_ids)))
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if active is not None:
        query = query.where(User.active.is_(active))
    return query.order_by(User.active.desc(), User.username)


def all_users(usernames: Iterable[str] | None = None) -> list[User]:
    query = select(User).options(joinedload(User.department).joinedload(Department.parent),
                                 selectinload(User.role_rows))
    if usernames is not None:
        query = query.where(User.username.in_(list(usernames)))
    return list(db.session.scalars(query.order_by(User.username)).unique())


def user_summary(user: User) -> dict:
    """The JSON shape of a user, shared by the API and the CLI."""
    return {
        "id": user.id,
        "username": user.username,
        "name": user.name,
        "department": user.department.full_name if user.department else None,
        "department_id": user.department_id,
        "roles": sorted(user.roles),
        "active": user.active,
        "must_change_password": user.must_change_password,
    }
