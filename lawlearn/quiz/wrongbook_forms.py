"""Forms of the wrong-answer book, and reading one answer from a posted form."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField


class RedoForm(FlaskForm):
    """Redo a question: the answer fields depend on its type (see :func:`submitted_answer`)."""

    # The entry's state when the page was shown: a form posted twice counts once.
    version = HiddenField()


def submitted_answer(formdata: MultiDict, snapshot: dict[str, Any], name: str = "answer") -> Any:
    """One question's answer from form fields: ``name`` (radio or checkboxes) or
    ``name-0``, ``name-1``… (fill-in blanks); None when nothing was given."""
    kind = snapshot["type"]
    if kind == "multiple":
        return formdata.getlist(name) or None
    if kind == "fill":
        values = [formdata.get(f"{name}-{i}", "") for i in range(snapshot.get("blanks", 0))]
        return values if any(value.strip() for value in values) else None
    value = formdata.get(name) or None
    if kind == "true_false" and value is not None:
        return {"true": True, "false": False}.get(value, value)
    return value
