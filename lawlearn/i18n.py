"""Locale choice and the display formats of dates, times and numbers."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import format_date, format_decimal, format_percent, format_time, get_locale, get_translations
from flask_login import current_user


def select_locale() -> str:
    """The user's saved choice, else this browser session's choice, else Chinese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.locale in languages:
            return current_user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def display_date(value: date | datetime | None) -> str:
    """2024年12月4日 in Chinese; dates are shown in the configured time zone."""
    if value is None:
        return ""
    return format_date(value, "long")


def display_datetime(value: datetime | None) -> str:
    """2024年12月4日 14:30 (24-hour, in the configured time zone)."""
    if value is None:
        return ""
    return f"{format_date(value, 'long')} {format_time(value, 'HH:mm')}"


def display_count(value: int | None) -> str:
    return format_decimal(value or 0, "#,##0")


def display_rate(value: float | None) -> str:
    """A ratio 0..1 shown with one decimal: 87.5%."""
    return format_percent(value or 0, "#,##0.0%")


def request_translations():
    """This request's catalog, looked up once: a page calls ``_()`` dozens of times, and
    Flask-Babel finds the domain, the locale and the catalog again on every call."""
    try:
        return g.lawlearn_translations
    except AttributeError:
        translations = g.lawlearn_translations = get_translations()
        return translations
    except RuntimeError:  # no app context: Flask-Babel's own fallback
        return get_translations()


def init_i18n(app: Flask) -> None:
    """After Flask-Babel's init_app: replaces the template gettext it installed."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters.update(
        date=display_date,
        datetime=display_datetime,
        count=display_count,
        rate=display_rate,
    )
