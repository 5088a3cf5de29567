"""Every UI string is in the English catalog, and the catalogs compile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "lawlearn/translations/en/LC_MESSAGES/messages.po"


def test_english_catalog_covers_every_string(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext", "-k", "lazy_pgettext:1c,2", "-o", str(pot), "--no-location", "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with pot.open("rb") as handle:
        extracted = {(m.context, m.id) for m in read_po(handle) if m.id}
    with CATALOG.open("rb") as handle:
        catalog = read_po(handle)
    translated = {(m.context, m.id) for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(str(key) for key in extracted - translated)
    assert missing == [], f"run `make messages` and translate: {missing[:10]}"
    broken = [(m.id, m.check(catalog)) for m in catalog if m.id and m.check(catalog)]
    assert broken == []
    assert CATALOG.with_suffix(".mo").exists(), "catalogs are compiled by `make translations`"


def test_the_same_words_in_two_contexts_read_apart_in_english(app):
    """学习法条 is a points rule, a plan item's kind and the session form's list of
    articles: one English text could not fit all three."""
    from flask_babel import force_locale

    from lawlearn.plans.kinds import ArticlesKind
    from lawlearn.practice.points import RULES
    from lawlearn.sessions.forms import SessionForm

    with app.test_request_context(), force_locale("en"):
        field = SessionForm.article_refs.args[0]
        texts = {str(RULES["article_read"].label), str(ArticlesKind.label), str(field)}
    assert texts == {"Studying an article", "Study articles", "Articles to study"}
