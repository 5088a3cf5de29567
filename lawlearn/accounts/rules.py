"""The rules an account's username, password and phone number follow, in words for the
user."""

from __future__ import annotations

import re
import unicodedata

from flask import current_app
from flask_babel import gettext as _

from lawlearn.errors import ValidationFailed

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,63}$")
# 7 to 20 digits (a landline without its area code has 7), single spaces or dashes between.
PHONE_PATTERN = re.compile(r"^\+?[0-9](?:[ -]?[0-9]){6,19}$")


def normalize_username(username: str) -> str:
    return (username or "").strip().lower()


def password_problems(password: str, username: str) -> list[str]:
    """Every rule the password breaks, in words for the user."""
    problems = []
    password = password or ""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(_("密码至少需要 %(n)d 个字符。", n=minimum))
    elif not password.strip():
        problems.append(_("密码不能只由空格组成。"))
    elif len(character_kinds(password)) < current_app.config["PASSWORD_MIN_KINDS"]:
        # "12345678", "88888888" and "password" are the first a guesser tries.
        problems.append(_("密码须包含字母、数字、符号中的至少 %(n)d 类。",
                          n=current_app.config["PASSWORD_MIN_KINDS"]))
    name = normalize_username(username)
    if password and normalize_username(password) == name:
        problems.append(_("密码不能与用户名相同。"))
    elif len(name) >= 3 and name in unicodedata.normalize("NFKC", password).lower():
        # "zhangsan123": the username is public inside the office.
        problems.append(_("密码不能包含用户名。"))
    return problems


def character_kinds(password: str) -> set[str]:
    """Which of letters (any script), digits and other characters (spaces, punctuation)
    ``password`` holds."""
    return {"digit" if ch.isdigit() else "letter" if ch.isalpha() else "other"
            for ch in password}


def password_rule_text() -> str:
    """The rules of ``password_problems`` in one line, for a form's hint."""
    return _("至少 %(n)d 个字符，含字母、数字、符号中的至少 %(kinds)d 类，不能包含用户名。",
             n=current_app.config["PASSWORD_MIN_LENGTH"],
             kinds=current_app.config["PASSWORD_MIN_KINDS"])


def check_password_rules(password: str, username: str, field: str = "password") -> None:
    problems = password_problems(password, username)
    if problems:
        raise ValidationFailed(" ".join(problems), field=field, code="weak_password")


def check_username(username: str) -> str:
    username = normalize_username(username)
    if not USERNAME_PATTERN.match(username):
        raise ValidationFailed(
            _("用户名须为 2–64 位小写字母、数字、下划线、点或连字符，并以字母或数字开头。"),
            field="username",
        )
    return username
