"""Short version of bench/bench_pages.py: every main page, as staff, as a dept_lead and as
the admin, answers 200 and sends as many SQL queries for a generated office of 60 people as
for one of 12, and no page sends one statement per row it shows. Same page list as the
bench; the two offices are generated once for the module (a few seconds each)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from bench.bench_pages import (
    REPEAT_LIMIT,
    Office,
    difference,
    find_ids,
    generate_office,
    page_urls,
    repeated,
    report_period,
    survey,
)
from lawlearn import create_app
from lawlearn.extensions import db
from tests.conftest import _empty_tables, _reset_schema

SMALL, LARGE = 12, 60  # 12: the smallest office with a member who is not a dept_lead
# "role: page" names only; the ids and the period come from each office
PAGES = list(page_urls(Office("", "", "", defaultdict(int)), (date.min, date.min)))


@pytest.fixture(scope="module")
def surveys(database_url, tmp_path_factory) -> dict[int, dict[str, tuple[int, list[str]]]]:
    """Each office size → "role: page" → (status, SQL statements of one GET)."""
    # No RATELIMIT_ENABLED=False here: Flask-Limiter keeps it for every later app.
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "DATABASE_URL": database_url,
                      "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
                      "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_STORAGE_URI": "memory://",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    period = report_period(app)
    found = {}
    try:
        for staff in (SMALL, LARGE):
            with app.app_context():
                _reset_schema(database_url)
                _empty_tables()
                office = find_ids(generate_office(staff, period[0].year))
            found[staff] = survey(app, office, period)
    finally:
        with app.app_context():
            _empty_tables()  # the other tests expect an empty database
            db.engine.dispose()
    return found


# (not named "page": pytest-playwright claims that name for its browser fixture)
@pytest.mark.parametrize("page_name", PAGES)
def test_queries_do_not_grow_with_the_office(surveys, page_name):
    (small_status, small), (large_status, large) = (surveys[SMALL][page_name],
                                                    surveys[LARGE][page_name])
    assert (small_status, large_status) == (200, 200)
    assert len(small) == len(large), "\n".join(difference(small, large))
    assert not repeated(large), f"one statement more than {REPEAT_LIMIT} times:\n" + \
        "\n".join(repeated(large))

