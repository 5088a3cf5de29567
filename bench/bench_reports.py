"""Reports at scale: an office of 5,000 staff with a year of activity (lawlearn.scale_data).

Prints one JSON object per figure ({"name", "value", "unit", "baseline", "ratio"}, and a
"note" where something is missing): the time to generate the office, build_report, the
report page and the dashboard (median time and SQL queries per request, at 50 and at 5,000
staff: the queries must be equal), and the XLSX, CSV and DOCX exports (time; XLSX peak
memory measured in a fresh process at 500 and at 5,000 staff). The issue's goals: pages
under 1 s, the XLSX under 10 s with memory that does not grow with the rows.

Run: .venv/bin/python bench/bench_reports.py
With LAWLEARN_BENCH_DATABASE_URL=postgresql+psycopg://… the 5,000-staff figures are taken
on PostgreSQL too; THAT DATABASE IS EMPTIED (drop_all/create_all) first.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from lawlearn import create_app  # noqa: E402
from lawlearn.extensions import db  # noqa: E402

STAFF, MEDIUM, SMALL = 5000, 500, 50
RUNS = 5
PAGE_GOAL_MS, XLSX_GOAL_S = 1000.0, 10.0
ADMIN, PASSWORD = "benchadmin", "bench-password"


def emit(name: str, value: float | None, unit: str, baseline: float | None = None,
         note: str | None = None) -> None:
    """One figure as one JSON line; ``value`` None (with a note) when it could not be taken."""
    row = {"name": name, "value": round(value, 4) if value is not None else None, "unit": unit,
           "baseline": round(baseline, 4) if baseline is not None else None,
           "ratio": round(value / baseline, 3) if value is not None and baseline else None}
    if note:
        row["note"] = note
    print(json.dumps(row, ensure_ascii=False), flush=True)


def make_app(url: str, folder: Path):
    return create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "WTF_CSRF_ENABLED": False,
                       "UPLOAD_FOLDER": str(folder / "up"), "RATELIMIT_ENABLED": False,
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})


def build_office(app, staff: int, year: int) -> float:
    """An empty schema, an admin, then generated people up to ``staff``; seconds taken."""
    from lawlearn.accounts.services import UserFields, create_user
    from lawlearn.scale_data import generate

    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.create_all()
        create_user(None, ADMIN, PASSWORD, UserFields("基准管理员", None, {"admin", "staff"}),
                    must_change_password=False)
        db.session.commit()
        started = time.perf_counter()
        generate(staff, year=year)
        db.session.commit()
        return time.perf_counter() - started


def this_year(app) -> tuple[date, date]:
    """The report period: 1 January to today (local), or last year on 1 January."""
    from lawlearn.database import utcnow
    from lawlearn.localtime import local_day

    with app.app_context():
        today = local_day(utcnow())
    year = today.year if (today.month, today.day) != (1, 1) else today.year - 1
    return date(year, 1, 1), min(date(year, 12, 31), today)


def urls(period: tuple[date, date]) -> dict[str, str]:
    first, last = period
    span = f"from={first.isoformat()}&to={last.isoformat()}"
    return {"report page": f"/reports/?{span}", "dashboard": f"/reports/dashboard?year={first.year}",
            "xlsx": f"/reports/export?{span}&format=xlsx",
            "csv": f"/reports/export?{span}&format=csv",
            "docx": f"/reports/export?{span}&format=docx"}


def logged_in(app):
    client = app.test_client()
    client.post("/login", data={"username": ADMIN, "password": PASSWORD})
    return client


def count_queries(app, run) -> int:
    with app.app_context():
        engine = db.engine
    statements: list[int] = []
    listener = lambda *_args: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


def measure_get(app, client, url: str, runs: int) -> tuple[int | None, float | None, str]:
    """(SQL queries of one request, median seconds, note); None when the page is missing."""
    first = client.get(url)
    first.get_data()
    if first.status_code != 200:
        return None, None, f"missing: GET {url} answered {first.status_code}"
    queries = count_queries(app, lambda: client.get(url).get_data())
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, url
    return queries, statistics.median(timings), ""


def measure_build_report(app, period: tuple[date, date], runs: int = 3) -> tuple[float, int]:
    from lawlearn.reports.participation import build_report

    timings = []
    with app.app_context():
        for _ in range(runs):
            started = time.perf_counter()
            build_report(*period)
            timings.append(time.perf_counter() - started)
            db.session.remove()
        queries = count_queries(app, lambda: build_report(*period))
    return statistics.median(timings), queries


def page_figures(app, period: tuple[date, date], staff: int, label: str, small: dict | None = None) -> dict:
    """Report page and dashboard: queries and median time. ``small``: the same figures at
    50 staff, the baseline of the query counts."""
    client = logged_in(app)
    found = {}
    for page in ("report page", "dashboard"):
        queries, seconds, note = measure_get(app, client, urls(period)[page], RUNS)
        found[page] = queries
        base = (small or {}).get(page)
        emit(f"{page} SQL queries per request, {staff:,} staff{label}", queries, "queries",
             base, note or None)
        if staff >= STAFF:
            emit(f"{page} median time, {staff:,} staff{label} (goal < 1 s)",
                 seconds * 1000 if seconds is not None else None, "ms", PAGE_GOAL_MS, note or None)
    return found


def export_figures(app, period: tuple[date, date], label: str) -> None:
    client = logged_in(app)
    for kind in ("xlsx", "csv", "docx"):
        url = urls(period)[kind]
        _queries, seconds, note = measure_get(app, client, url, 3)
        goal = XLSX_GOAL_S if kind == "xlsx" else None
        emit(f"{kind.upper()} export time (whole request), {STAFF:,} staff{label}"
             + (" (goal < 10 s)" if goal else ""), seconds, "s", goal, note or None)


# --- peak memory, in a fresh process --------------------------------------------------------


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    over from the parent across fork and exec (this bench's parent holds gigabytes)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) / 1024
    except (OSError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_child(url: str, period: tuple[date, date]) -> None:
    """(Run as a child.) Peak memory of the XLSX export: the whole request (process peak RSS
    growth: the report's rows plus the writing) and the writing alone (tracemalloc peak)."""
    import tracemalloc

    folder = Path(tempfile.mkdtemp())
    app = make_app(url, folder)
    client = logged_in(app)
    client.get("/login").get_data()
    import xlsxwriter  # noqa: F401  (imported before the measure, as in a running server)

    import lawlearn.reports.export_views  # noqa: F401
    result: dict[str, float | None] = {}
    before = peak_rss_mb()
    response = client.get(urls(period)["xlsx"])
    response.get_data()
    after = peak_rss_mb()
    result["rss_growth_mb"] = after - before if response.status_code == 200 else None
    try:
        from lawlearn.reports.export_xlsx import write_xlsx
    except ImportError:
        write_xlsx = None
    if write_xlsx is not None:
        from lawlearn.reports.participation import build_report

        with app.app_context():
            report = build_report(*period)
            with tempfile.TemporaryFile() as target:
                started = time.perf_counter()
                write_xlsx(report, target)
                result["write_seconds"] = time.perf_counter() - started
                result["size_mb"] = target.tell() / 1e6
            with tempfile.TemporaryFile() as target:  # again, traced (tracemalloc is slow)
                tracemalloc.start()
                write_xlsx(report, target)
                result["write_peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
                tracemalloc.stop()
    print(json.dumps(result))


def memory_figures(urls_by_staff: dict[int, str], period: tuple[date, date]) -> None:
    found = {}
    for staff, url in urls_by_staff.items():
        child = subprocess.run([sys.executable, __file__, "--memory", url,
                                *(day.isoformat() for day in period)],
                               capture_output=True, text=True, cwd=ROOT, check=False)
        try:
            found[staff] = json.loads(child.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            found[staff] = {}
            print(child.stderr[-2000:], file=sys.stderr)
    small, large = found.get(MEDIUM, {}), found.get(STAFF, {})
    missing = None if large.get("write_peak_mb") is not None else \
        "missing: lawlearn.reports.export_xlsx.write_xlsx"
    for staff, row in sorted(found.items()):
        base = small.get("write_peak_mb") if staff == STAFF else None
        emit(f"XLSX writing peak memory (tracemalloc, write_xlsx only), {staff:,} staff",
             row.get("write_peak_mb"), "MB", base, missing)
    emit(f"XLSX write_xlsx time (report already built), {STAFF:,} staff",
         large.get("write_seconds"), "s", XLSX_GOAL_S, missing)
    emit(f"XLSX file size, {STAFF:,} staff", large.get("size_mb"), "MB")
    for staff, row in sorted(found.items()):
        base = small.get("rss_growth_mb") if staff == STAFF else None
        emit(f"XLSX export request, process peak RSS growth (report rows + writing), "
             f"{staff:,} staff", row.get("rss_growth_mb"), "MB", base,
             None if row.get("rss_growth_mb") is not None else "missing: GET /reports/export")


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    emit("machine: CPU cores", os.cpu_count() or 0, "cores")
    emit("machine: load average (1 min) at the start", os.getloadavg()[0], "load")
    folder = Path(tempfile.mkdtemp())
    try:
        run(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the 5,000-staff database is ~300 MB


def run(folder: Path) -> None:
    sqlite = {staff: f"sqlite:///{folder / f'office{staff}.db'}" for staff in (SMALL, MEDIUM,
                                                                                 STAFF)}
    apps = {staff: make_app(url, folder) for staff, url in sqlite.items()}
    period = this_year(apps[SMALL])
    year = period[0].year
    for staff in (SMALL, MEDIUM, STAFF):
        seconds = build_office(apps[staff], staff, year)
        if staff == STAFF:
            emit(f"generate {STAFF:,} staff × 1 year (SQLite)", seconds, "s")

    small_report = measure_build_report(apps[SMALL], period)
    large_report = measure_build_report(apps[STAFF], period)
    emit("build_report SQL queries, 50 staff", small_report[1], "queries")
    emit(f"build_report SQL queries, {STAFF:,} staff", large_report[1], "queries",
         small_report[1])
    emit(f"build_report time, whole office, year so far, {STAFF:,} staff", large_report[0], "s")
    small = page_figures(apps[SMALL], period, SMALL, "")
    page_figures(apps[STAFF], period, STAFF, "", small)
    export_figures(apps[STAFF], period, "")
    for app in apps.values():  # close the connections before the children read the files
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    memory_figures({MEDIUM: sqlite[MEDIUM], STAFF: sqlite[STAFF]}, period)

    postgres = os.environ.get("LAWLEARN_BENCH_DATABASE_URL")
    if postgres:
        app = make_app(postgres, folder)
        emit(f"generate {STAFF:,} staff × 1 year (PostgreSQL)", build_office(app, STAFF, year),
             "s")
        seconds, queries = measure_build_report(app, period)
        emit(f"build_report time, {STAFF:,} staff (PostgreSQL)", seconds, "s")
        emit(f"build_report SQL queries, {STAFF:,} staff (PostgreSQL)", queries, "queries",
             small_report[1])
        page_figures(app, period, STAFF, " (PostgreSQL)", small)
        export_figures(app, period, " (PostgreSQL)")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--memory":
        memory_child(sys.argv[2], (date.fromisoformat(sys.argv[3]),
                                   date.fromisoformat(sys.argv[4])))
    else:
        main()
