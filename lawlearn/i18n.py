"""Locale choice and the display formats of dates, times and numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import format_date, format_decimal, format_percent, format_time, get_locale, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from lawlearn.rounding import half_up
from lawlearn.security import request_user


def select_locale() -> str:
    """The user's saved choice, else this browser session's choice, else Chinese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = request_user()
    if user is not None and getattr(user, "is_authenticated", False):
        if user.locale in languages:
            return user.locale
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def display_date(value: date | datetime | None) -> str:
    """2024年12月4日 in Chinese; dates are shown in the configured time zone."""
    if value is None:
        return ""
    return _formatted(False, value, *_format_settings())


def display_datetime(value: datetime | None) -> str:
    """2024年12月4日 14:30 (24-hour, in the configured time zone)."""
    if value is None:
        return ""
    return _formatted(True, value, *_format_settings())


def display_time_range(start: datetime | None, end: datetime | None) -> str:
    """2024年12月4日 14:30 – 16:00: the end's day only when it is another day."""
    if start is None or end is None:
        return display_datetime(start or end)
    if display_date(start) != display_date(end):
        return f"{display_datetime(start)} – {display_datetime(end)}"
    return f"{display_datetime(start)} – {format_time(end, 'HH:mm')}"


def current_locale() -> str:
    """This request's language code, as a string (found once per request)."""
    return _format_settings()[0]


def _format_settings() -> tuple[str, str]:
    """The locale and time zone that decide how a date looks, found once per request."""
    try:
        return g.lawlearn_format_settings
    except AttributeError:
        settings = (str(get_locale()), current_app.config["BABEL_DEFAULT_TIMEZONE"])
        g.lawlearn_format_settings = settings
        return settings


@lru_cache(maxsize=4096)
def _formatted(with_time: bool, value: date | datetime, _locale: str, _zone: str) -> str:
    # Cached: a list page shows the same few deadlines to everyone, and Babel's formatting
    # is the slowest part of a card. Called in a context whose settings are the key's.
    if with_time:
        return f"{format_date(value, 'long')} {format_time(value, 'HH:mm')}"
    return format_date(value, "long")


def inner_title(title: str) -> str:
    """A title to be put inside 《》: book-title marks within it become 〈〉, as Chinese
    style nests them (《学习〈民法典〉》, not 《学习《民法典》》)."""
    return title.replace("《", "〈").replace("》", "〉")


def display_count(value: int | None) -> str:
    return format_decimal(value or 0, "#,##0")


def display_rate(value: float | None) -> str:
    """A ratio 0..1 shown with one decimal, 四舍五入: 87.5% (Babel alone would round a
    half to even: 81.25% → 81.2%)."""
    return format_percent(half_up(value or 0, 3), "#,##0.0%")


def display_one_decimal(value: float | None, grouped: bool = False) -> str:
    """A figure with one decimal, 四舍五入: 106.25 → "106.3" (``grouped``: 1,234.5)."""
    return f"{half_up(value or 0):,.1f}" if grouped else f"{half_up(value or 0):.1f}"


def request_translations():
    """This request's catalog, looked up once: a page calls ``_()`` dozens of times, and
    Flask-Babel finds the domain, the locale and the catalog again on every call. (So is
    the locale, in ``_format_settings``: code that switched language mid-request with
    ``flask_babel.force_locale`` or ``refresh`` would have to drop both; none does.)"""
    try:
        return g.lawlearn_translations
    except AttributeError:
        translations = g.lawlearn_translations = get_translations()
        return translations
    except RuntimeError:  # no app context: Flask-Babel's own fallback
        return get_translations()


def _template_gettext_for(translations_of: Callable[[], Any]):
    """``_()`` in templates, as Jinja's "newstyle" gettext behaves (escaped variables in
    HTML, always %-formatted) in one call instead of three: a page calls it dozens of
    times."""

    @pass_eval_context
    def template_gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
        translated = translations_of().ugettext(string)
        if eval_ctx.autoescape:
            translated = Markup(translated)  # nosec B704 - our catalog; variables are escaped
        return translated % variables

    return template_gettext


# The global one finds the catalog on each call (macros imported without context use it);
# a render's own is bound to the request's catalog once, by ``bound_template_gettext``.
template_gettext = _template_gettext_for(request_translations)


def bound_template_gettext() -> dict[str, Any]:
    """Context processor: ``_()`` bound to this request's catalog for the render (each
    lookup through ``g`` costs a proxy lookup: 3 % of the quiz list page's instructions,
    bench/bench_instructions.py)."""
    translations = request_translations()
    gettext = _template_gettext_for(lambda: translations)
    return {"_": gettext, "gettext": gettext}


def init_i18n(app: Flask) -> None:
    """After Flask-Babel's init_app: replaces the template gettext it installed."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.jinja_env.globals["get_locale"] = get_locale
    app.context_processor(bound_template_gettext)
    app.jinja_env.filters.update(
        date=display_date,
        datetime=display_datetime,
        time_range=display_time_range,
        count=display_count,
        rate=display_rate,
        one_decimal=display_one_decimal,
    )
