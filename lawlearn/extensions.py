"""Extensions, created unbound; :func:`lawlearn.create_app` binds them."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from lawlearn.database import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class RouteLimiter(Limiter):
    """Flask-Limiter with only per-route limits (decorators), which check themselves when
    their route runs. The extension's own before-request pass looks for default,
    application and blueprint limits, which lawlearn does not set: skipping it takes an
    eighth off a busy API request (bench/bench_quiz_list.py)."""

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        if not in_middleware:
            super()._check_request_limit(callable_name=callable_name, in_middleware=False)


# No default limits: only the routes that guard credentials are throttled.
limiter = RouteLimiter(key_func=get_remote_address)
