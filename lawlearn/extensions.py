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
    """Flask-Limiter whose before-request pass runs only when it has something to do.

    lawlearn's limits are route decorators, which check themselves when their route runs;
    the before-request pass applies default, application, meta and blueprint limits, which
    lawlearn does not set. Skipping it while there are none takes an eighth off a busy API
    request (bench/bench_quiz_list.py); an operator who sets RATELIMIT_DEFAULT (say) gets
    the pass back."""

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        if in_middleware and not self.has_app_wide_limits():
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def has_app_wide_limits(self) -> bool:
        manager = self.limit_manager
        return bool(manager.default_limits or manager.application_limits
                    or manager._blueprint_limits or self._meta_limits)


# No default limits: only the routes that guard credentials are throttled.
limiter = RouteLimiter(key_func=get_remote_address)
