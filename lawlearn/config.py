"""Safe defaults. Overrides come from ``instance/config.py`` and ``LAWLEARN_*``
environment variables, layered by :func:`lawlearn.create_app`."""

from __future__ import annotations

import json
from datetime import timedelta

# The database URL defaults to a SQLite file in the instance folder; the factory
# fills it in because the instance path is only known there.
DATABASE_URL: str | None = None
# JSON columns keep Chinese readable (and searchable as text) instead of \u escapes.
SQLALCHEMY_ENGINE_OPTIONS: dict = {
    "pool_pre_ping": True,  # survives a PostgreSQL restart (dropped for SQLite files)
    "json_serializer": lambda value: json.dumps(value, ensure_ascii=False),
}

# Redis for the rate-limit counters (failed logins, check-in code guesses), shared by every
# server and worker; without it each gunicorn worker counts alone (tests/scale).
REDIS_URL: str | None = None
LOGIN_RATE_LIMIT = "20 per minute"
LOGIN_MAX_FAILURES = 5
LOGIN_LOCKOUT = timedelta(minutes=15)
PASSWORD_MIN_LENGTH = 8
# Of letters, digits and other characters, how many kinds a new password holds (1 to 3).
PASSWORD_MIN_KINDS = 2
# Public stall quizzes (有奖问答), per client address: a stall crowd may share one address
# (a school's or a company's Wi-Fi, a carrier's NAT; thirty in a minute met 20 per minute),
# so these stay generous; one device answers once whatever the limits.
STALL_QUIZ_PAGE_RATE_LIMIT = "180 per minute"
STALL_QUIZ_RATE_LIMIT = "60 per minute;600 per hour"
# ... and per quiz, from every address together.
STALL_QUIZ_CAP = "600 per hour"
STALL_DEVICE_COOKIE_DAYS = 365
API_TOKEN_LIFETIME = timedelta(days=30)

BABEL_DEFAULT_LOCALE = "zh_CN"
BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
LANGUAGES = ("zh_CN", "en")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_DURATION = timedelta(days=14)
# Set LAWLEARN_HTTPS=true behind TLS: cookies then carry the Secure flag.
HTTPS = False

WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
MAX_CONTENT_LENGTH = 64 * 1024 * 1024  # several phone photos in one upload
UPLOAD_FOLDER: str | None = None  # defaults to instance/uploads; share it between servers
PER_PAGE = 20
PASSWORD_HASH_METHOD = "scrypt"  # nosec B105 - a hash method; tests use a faster one
# Number of reverse proxies in front of the app (nginx: 1); 0 trusts no X-Forwarded-* header.
PROXY_HOPS = 0
# How attendance rates count late arrivals and approved leave.
ATTENDANCE_RULE = {"late_counts_as_present": True, "excused_counts": "excluded"}
