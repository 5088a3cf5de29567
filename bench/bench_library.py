"""Library benchmark: Civil Code import time, and SQL queries and time per article page and
search with a small and with a large library. Prints one JSON object per figure.

Run: .venv/bin/python bench/bench_library.py  (needs ../shared/data/laws)
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import event

from lawlearn import create_app
from lawlearn.accounts.services import UserFields, create_user
from lawlearn.extensions import db
from lawlearn.library import services

LAWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "laws"


def figure(name: str, value: float, unit: str, baseline: float | None = None) -> None:
    print(json.dumps({"name": name, "value": round(value, 4), "unit": unit,
                      "baseline": baseline,
                      "ratio": round(value / baseline, 3) if baseline else None},
                     ensure_ascii=False))


def measure(client, engine, url: str, runs: int = 20) -> tuple[int, float]:
    statements: list[int] = []
    listener = lambda *_a: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    client.get(url)
    event.remove(engine, "before_cursor_execute", listener)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        assert client.get(url).status_code == 200
        timings.append(time.perf_counter() - started)
    return len(statements), statistics.median(timings) * 1000


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{folder / 'b.db'}",
                      "UPLOAD_FOLDER": str(folder / "up"), "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.create_all()
        create_user(None, "bench", "library-reader-1", UserFields("测", None, {"staff"}),
                    must_change_password=False)
        small = services.import_law(None, (LAWS / "政府信息公开条例_2019.md").read_bytes())
        db.session.commit()
        small_id = small.id
        engine = db.engine
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "library-reader-1"})
    small_page = measure(client, engine, f"/laws/{small_id}/articles/20")
    small_search = measure(client, engine, "/search?q=政府信息")

    with app.app_context():
        for name in ("民法典.md", "word/民法典.docx"):
            data = (LAWS / name).read_bytes()
            started = time.perf_counter()
            # The .docx under its own title: the same text again would be refused as a
            # version that changes nothing.
            law = services.import_law(None, data, title=None if name.endswith(".md")
                                      else "民法典（Word 版）")
            db.session.commit()
            figure(f"import {name} (1,260 articles)", time.perf_counter() - started, "s")
        big_id = law.id
        services.import_law(None, (LAWS / "宪法.md").read_bytes())
        db.session.commit()
    big_page = measure(client, engine, f"/laws/{big_id}/articles/1165")
    big_search = measure(client, engine, "/search?q=政府信息")
    figure("article page SQL queries, small library", small_page[0], "queries")
    figure("article page SQL queries, large library", big_page[0], "queries", small_page[0])
    figure("article page median time, large library", big_page[1], "ms", small_page[1])
    figure("search SQL queries, small library", small_search[0], "queries")
    figure("search SQL queries, large library", big_search[0], "queries", small_search[0])
    figure("search median time, large library", big_search[1], "ms", small_search[1])
    number = measure(client, engine, "/search?q=民法典 1165")
    figure("article-number search median time", number[1], "ms")


if __name__ == "__main__":
    main()
