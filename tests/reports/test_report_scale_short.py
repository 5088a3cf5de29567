"""Short scale checks (the long ones are bench/bench_reports.py): the report service, the
report page and the dashboard send as many SQL queries for a generated office of 200 as
for one of 20, and the pages answer with the figures."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from lawlearn.extensions import db
from lawlearn.scale_data import generate
from tests.conftest import PASSWORD, UserRef, csrf_from

YEAR = 2025
SMALL, LARGE = 20, 200
REPORT_URL = f"/reports/?from={YEAR}-01-01&to={YEAR}-12-31"
DASHBOARD_URL = f"/reports/dashboard?year={YEAR}"


def _empty_database() -> None:
    db.session.remove()
    tables = db.metadata.sorted_tables
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


def _office(app, staff: int) -> UserRef:
    """A fresh database: an admin, then generated people up to ``staff`` with 2025's
    activity."""
    from lawlearn.accounts.services import UserFields, create_user

    with app.app_context():
        _empty_database()
        admin = create_user(None, "root", PASSWORD, UserFields("管理员甲", None,
                                                               {"admin", "staff"}),
                            must_change_password=False)
        generate(staff, year=YEAR)
        db.session.commit()
        return UserRef(admin.id, admin.username, PASSWORD)


def _report_queries(app, count_queries) -> tuple[int, int]:
    from lawlearn.reports.participation import build_report

    with app.app_context():
        holder = {}
        queries = count_queries(lambda: holder.setdefault("report", build_report(
            date(YEAR, 1, 1), date(YEAR, 12, 31))))
        return queries, len(holder["report"].people)


def _page_queries(app, count_queries, admin: UserRef, url: str) -> tuple[int, str]:
    """SQL queries of ``url`` seen by ``admin`` (a new client: the database was emptied)."""
    client = app.test_client()
    token = csrf_from(client.get("/login"))
    client.post("/login", data={"username": admin.username, "password": admin.password,
                                "csrf_token": token})
    first = client.get(url)  # the first view of a page may warm caches
    assert first.status_code == 200, url
    holder = {}
    queries = count_queries(lambda: holder.setdefault("page", client.get(url)))
    assert holder["page"].status_code == 200
    return queries, holder["page"].get_data(as_text=True)


def _measure(app, count_queries, staff: int) -> dict[str, int]:
    admin = _office(app, staff)
    report, people = _report_queries(app, count_queries)
    assert people == staff
    page, html = _page_queries(app, count_queries, admin, REPORT_URL)
    assert "scale0" in html  # generated people are listed
    dashboard, html = _page_queries(app, count_queries, admin, DASHBOARD_URL)
    assert "<svg" in html  # the charts are drawn
    return {"build_report": report, "report page": page, "dashboard": dashboard}


def test_queries_do_not_grow_with_the_office(app, count_queries):
    """build_report, the report page and the dashboard: the same number of SQL queries for
    200 people as for 20 (one test, so that each office is generated once)."""
    small = _measure(app, count_queries, SMALL)
    large = _measure(app, count_queries, LARGE)
    assert small == large
