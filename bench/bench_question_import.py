"""Question import benchmark: a 20,000-row XLSX bank (every type, some with 法条) parsed and
written into an empty SQLite database. Prints one JSON object per figure; the issue's
target is under 15 s in all.

Run: .venv/bin/python bench/bench_question_import.py  (uses ../shared/data/laws when present)
"""

from __future__ import annotations

import io
import json
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

from lawlearn import create_app
from lawlearn.extensions import db
from lawlearn.library import services
from lawlearn.quiz import importing
from lawlearn.quiz.models import Question

LAWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "laws"
ROWS = 20_000
TARGET_SECONDS = 15.0
REFERENCES = ["宪法第三十三条", "宪法 5", "《宪法》第2条", "民法典 1165", "民法典第一千一百八十三条", ""]


def figure(name: str, value: float, unit: str, baseline: float | None = None) -> None:
    print(json.dumps({"name": name, "value": round(value, 4), "unit": unit,
                      "baseline": baseline,
                      "ratio": round(value / baseline, 3) if baseline else None},
                     ensure_ascii=False))


def bank_row(n: int, with_laws: bool) -> list[object]:
    """A realistic row: stem and options of some length, each type, varied spellings."""
    article = REFERENCES[n % len(REFERENCES)] if with_laws else ""
    stem = f"第 {n} 题：根据有关法律规定，下列关于依法行政和公民基本权利的说法，哪一项是正确的（　）？"
    options = [f"选项内容{n}-{k}：行政机关应当依照法定权限和程序行使职权" for k in "ABCD"]
    tags = "宪法；依法行政" if n % 2 else "民法典;侵权责任"
    difficulty = ("易", "中", "难", "")[n % 4]
    kind = n % 10
    if kind < 4:
        return ["单选题", stem, *options, "", "", "ABCD"[n % 4], "解析：见有关条文。", tags,
                difficulty, article]
    if kind < 7:
        return ["多选", stem, *options, "", "", ("AB", "A、C", "b,d", "ＡＢＣ")[n % 4],
                "解析：见有关条文。", tags, difficulty, article]
    if kind < 9:
        return ["判断题", f"第 {n} 题：公民在法律面前一律平等。", "", "", "", "", "", "",
                ("正确", "×", "对", "F")[n % 4], "", tags, difficulty, article]
    return ["填空", f"第 {n} 题：中华人民共和国实行（　），建设社会主义（　）国家。", "", "", "", "",
            "", "", "依法治国|法治/社会主义法治", "", tags, difficulty, article]


def build_workbook(with_laws: bool) -> bytes:
    """openpyxl in normal mode: it writes the sheet's <dimension> as Excel does (write-only
    mode leaves it out, and openpyxl's reader then scans the whole sheet twice)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "试题"
    sheet.append(importing.COLUMNS)
    for n in range(1, ROWS + 1):
        sheet.append(bank_row(n, with_laws))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_excel_like_workbook(with_laws: bool) -> bytes:
    """The same bank as Excel itself stores it: text in a shared string table (XlsxWriter)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("试题")
    sheet.write_row(0, 0, importing.COLUMNS)
    for n in range(1, ROWS + 1):
        sheet.write_row(n, 0, bank_row(n, with_laws))
    workbook.close()
    return buffer.getvalue()


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{folder / 'b.db'}",
                      "UPLOAD_FOLDER": str(folder / "up")})
    with app.app_context():
        db.create_all()
        with_laws = (LAWS / "宪法.md").exists() and (LAWS / "民法典.md").exists()
        if with_laws:
            for name in ("宪法.md", "民法典.md"):
                services.import_law(None, (LAWS / name).read_bytes())
            db.session.commit()

        started = time.perf_counter()
        data = build_workbook(with_laws)
        figure("build 20,000-row XLSX (openpyxl, not part of the import)",
               time.perf_counter() - started, "s")
        figure("XLSX size", len(data) / 1_000_000, "MB")

        started = time.perf_counter()
        parsed = importing.parse_question_import(data)
        parse_seconds = time.perf_counter() - started
        if not parsed.ok:
            raise SystemExit(f"unexpected problems: {parsed.problems[:5]}")

        started = time.perf_counter()
        imported = importing.apply_question_import(None, parsed)
        db.session.commit()
        write_seconds = time.perf_counter() - started
        stored = db.session.scalar(select(func.count(Question.id)))
        with_articles = db.session.scalar(select(func.count(Question.id))
                                          .where(Question.article_id.is_not(None)))

        figure("question import: parse and check 20,000 rows", parse_seconds, "s")
        figure("question import: write 20,000 rows (one executemany + commit)", write_seconds, "s")
        figure("question import: total", parse_seconds + write_seconds, "s", TARGET_SECONDS)
        figure("questions stored", stored, "questions", imported)
        figure("questions with a resolved 法条", with_articles, "questions")

        # Importing the same file again: every row is a duplicate of the bank, nothing written.
        started = time.perf_counter()
        again = importing.parse_question_import(data)
        figure("re-import of the same file: parse and find 20,000 duplicates",
               time.perf_counter() - started, "s", TARGET_SECONDS)
        figure("re-import duplicates reported", len(again.duplicates), "rows", ROWS)

        # The same bank saved the way Excel saves it, into an empty bank again.
        db.session.execute(Question.__table__.delete())
        db.session.commit()
        excel_like = build_excel_like_workbook(with_laws)
        started = time.perf_counter()
        parsed = importing.parse_question_import(excel_like)
        parse_seconds = time.perf_counter() - started
        started = time.perf_counter()
        importing.apply_question_import(None, parsed)
        db.session.commit()
        write_seconds = time.perf_counter() - started
        figure("Excel-style XLSX (shared strings): parse and check 20,000 rows", parse_seconds, "s")
        figure("Excel-style XLSX (shared strings): total", parse_seconds + write_seconds, "s",
               TARGET_SECONDS)


if __name__ == "__main__":
    main()
