"""lawlearn: the rule-of-law study and outreach platform."""

from __future__ import annotations

import os
import secrets
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from lawlearn.text_input import CleanFormRequest

MIN_SECRET_KEY = 32  # characters; a generated key has 64


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with a body nested too deep for the parser (``[[[…]]]`` a thousand
    levels, a 2 KB request) refused as JSON that cannot be read, as a syntax error is,
    instead of a RecursionError and a 500."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("JSON nested too deeply") from error


class LawlearnFlask(Flask):
    """Flask, remembering which functions need no async wrapper: Flask asks
    ``inspect.iscoroutinefunction`` again for every hook and view of every request (a
    sixteenth of a busy API request). The answer for a function cannot change. Bounded:
    functions made per request (``after_this_request``) empty it when it fills up, rather
    than pile up."""

    MAX_REMEMBERED = 1024  # hooks, views and error handlers: a few hundred
    json_provider_class = BoundedJSONProvider
    request_class = CleanFormRequest

    def ensure_sync(self, func):
        try:
            return self._sync_functions[func]
        except KeyError:
            wrapped = super().ensure_sync(func)
            if len(self._sync_functions) >= self.MAX_REMEMBERED:
                self._sync_functions.clear()
            self._sync_functions[func] = wrapped
            return wrapped
        except TypeError:  # unhashable: ask Flask every time
            return super().ensure_sync(func)

    @cached_property
    def _sync_functions(self) -> dict:
        return {}


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app: config → extensions → blueprints → errors → CLI."""
    app = LawlearnFlask(__name__, instance_relative_config=True)
    _configure(app, overrides or {})
    _init_extensions(app)
    _register_converters(app)
    _register_blueprints(app)
    _register_cli(app)
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops:
        # Behind a reverse proxy the client address (for login throttling) is in
        # X-Forwarded-For; trust exactly as many hops as there are proxies.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    return app


def _configure(app: Flask, overrides: dict[str, Any]) -> None:
    app.config.from_object("lawlearn.config")
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("LAWLEARN")
    app.config.update(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    _check_secret_key(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance)
    app.config["SQLALCHEMY_DATABASE_URI"] = _checked_database_url(
        app.config.get("DATABASE_URL")
        or app.config.get("SQLALCHEMY_DATABASE_URI")
        or f"sqlite:///{instance / 'lawlearn.db'}"
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A database file cannot drop the connection: no "SELECT 1" before every request.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.pop("pool_pre_ping", None)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    app.config["UPLOAD_FOLDER"] = app.config.get("UPLOAD_FOLDER") or str(instance / "uploads")
    Path(app.config["UPLOAD_FOLDER"]).mkdir(parents=True, exist_ok=True)

    https = _switch(app.config.get("HTTPS"), "HTTPS")
    app.config["HTTPS"] = https
    app.config["SESSION_COOKIE_SECURE"] = https
    app.config["REMEMBER_COOKIE_SECURE"] = https
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    # Redis down (stopped, restarting) must not take sign-in down with it: each server then
    # counts on its own until Redis answers again, and waits at most a second to find out.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS",
                              {"socket_connect_timeout": 1, "socket_timeout": 1})
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)


def _checked_database_url(url: str) -> str:
    """``url``, refused at start with what to write instead when it is not a database URL
    or names a SQLite file in a folder that does not exist (SQLAlchemy says only "Could not
    parse" or "unable to open database file", deep in the first request's traceback)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    example = "postgresql+psycopg://lawlearn@127.0.0.1/lawlearn or sqlite:////srv/lawlearn/lawlearn.db"
    try:
        parsed = make_url(url)
        # "postgres://…" parses, then names no dialect; "mysql://…" a driver not installed
        parsed.get_dialect().import_dbapi()
    except (ArgumentError, NoSuchModuleError):
        raise RuntimeError(f"LAWLEARN_DATABASE_URL={url!r} is not a database URL: "
                           f"write it as {example}") from None
    except ImportError as error:  # mysql://…: flask would say only "No such command"
        raise RuntimeError(f"LAWLEARN_DATABASE_URL={url!r} needs a driver that is not "
                           f"installed ({error.name}): write it as {example}") from None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        # (a relative path is the instance folder's, which create_app makes)
        folder = Path(parsed.database).parent
        if Path(parsed.database).is_absolute() and not folder.is_dir():
            raise RuntimeError(f"LAWLEARN_DATABASE_URL names a SQLite file in {folder}/, "
                               "which does not exist: create the folder first")
    return url


TRUE_WORDS, FALSE_WORDS = ("true", "yes", "on", "1"), ("false", "no", "off", "0", "")


def _switch(value: Any, name: str) -> bool:
    """A yes/no setting in the spellings people use; any other refuses to start, since
    LAWLEARN_HTTPS=True quietly meaning off would leave cookies without their Secure flag."""
    word = str(value if value is not None else "").strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RuntimeError(f"LAWLEARN_{name}={value!r} is not understood: use true or false")


def _check_secret_key(app: Flask) -> None:
    """The key is text, whatever it looks like (the environment's values are read as JSON:
    20261201 became a number, and every request a 500), and one worth the name."""
    key = app.config.get("SECRET_KEY")
    if key is not None and not isinstance(key, (str, bytes)):
        key = app.config["SECRET_KEY"] = os.environ.get("LAWLEARN_SECRET_KEY", str(key))
    if isinstance(key, str) and not key.strip():
        key = app.config["SECRET_KEY"] = None  # spaces alone are no key: the instance's is
    if "LAWLEARN_SECRET_KEY" in os.environ and not key:
        app.logger.warning("LAWLEARN_SECRET_KEY is empty: signing with instance/secret_key, "
                           "which other servers of this site do not share")
    elif key and len(key) < MIN_SECRET_KEY:
        app.logger.warning("SECRET_KEY has %d characters: use at least %d random ones "
                           "(python3 -c 'import secrets; print(secrets.token_hex(32))')",
                           len(key), MIN_SECRET_KEY)


def _instance_secret_key(instance: Path) -> str:
    """A key generated once per installation: never a key shipped in the code.

    Workers starting together race here: the key is written to a temporary file and
    linked into place, so a reader sees either no file or a complete one.
    """
    key_file = instance / "secret_key"
    if not key_file.exists():
        fd, temporary = tempfile.mkstemp(dir=instance, prefix=".secret_key.")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
            os.link(temporary, key_file)
        except FileExistsError:
            pass  # another worker won; use its key
        finally:
            os.unlink(temporary)
    key = key_file.read_text().strip()
    if not key:
        raise RuntimeError(f"{key_file} is empty: delete it or set LAWLEARN_SECRET_KEY")
    return key


def _init_extensions(app: Flask) -> None:
    from lawlearn import models  # noqa: F401  (registers every table)
    from lawlearn.database import include_in_migrations
    from lawlearn.errors import register_error_handlers
    from lawlearn.extensions import babel, csrf, db, limiter, login_manager, migrate
    from lawlearn.fragments import init_fragments
    from lawlearn.i18n import init_i18n, select_locale
    from lawlearn.pagination import init_pagination
    from lawlearn.security import init_security

    db.init_app(app)
    # Batch mode lets Alembic alter SQLite tables (it rebuilds them).
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     render_as_batch=True, compare_type=True,
                     include_name=include_in_migrations)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    init_i18n(app)
    init_fragments(app)
    init_pagination(app)
    init_security(app)
    register_error_handlers(app)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect, request, url_for
        from flask_babel import gettext as _

        from lawlearn.errors import json_error

        if request.path.startswith("/api/"):
            return json_error(401, "unauthorized", _("请先登录或提供有效的令牌。"))
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _register_converters(app: Flask) -> None:
    """Before the blueprints, whose rules look their converters up when they are added."""
    from lawlearn.converters import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter


def _register_blueprints(app: Flask) -> None:
    from lawlearn.accounts import admin_bp, auth_bp
    from lawlearn.api import api_bp
    from lawlearn.library import library_admin_bp, library_bp
    from lawlearn.main import main_bp
    from lawlearn.outreach import outreach_admin_bp, outreach_bp, stall_bp
    from lawlearn.plans import plans_admin_bp, plans_bp
    from lawlearn.practice import practice_admin_bp, practice_bp
    from lawlearn.quiz import quiz_admin_bp, quiz_bp
    from lawlearn.reports import reports_bp
    from lawlearn.sessions import sessions_admin_bp, sessions_bp

    for blueprint in (main_bp, auth_bp, admin_bp, library_bp, library_admin_bp, quiz_bp,
                      quiz_admin_bp, sessions_bp, sessions_admin_bp, practice_bp, practice_admin_bp,
                      plans_bp, plans_admin_bp, outreach_bp, outreach_admin_bp, stall_bp,
                      reports_bp, api_bp):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from lawlearn.accounts.cli import users_cli
    from lawlearn.cli import backup_command, demo_cli
    from lawlearn.library.cli import law_cli
    from lawlearn.outreach.cli import outreach_cli
    from lawlearn.quiz.cli import questions_cli
    from lawlearn.reports.cli import report_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(law_cli)
    app.cli.add_command(questions_cli)
    app.cli.add_command(outreach_cli)
    app.cli.add_command(report_cli)
