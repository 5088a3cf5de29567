"""Layout parts that are the same for everyone, rendered once per worker.

Every staff page carries the tab bar (five links, five labels, five icons); rendering it
for each request cost a tenth of a page (bench/bench_quiz_list.py). A fragment may depend
only on the language, the site's root path and its own arguments, never on who is signed
in or on the request's data.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from markupsafe import Markup

from lawlearn.i18n import current_locale

MAX_FRAGMENTS = 256  # languages × tabs × templates: a handful in practice


def cached_fragment(template: str, **values: str) -> Markup:
    cache: dict = current_app.extensions["lawlearn_fragments"]
    key = (template, current_locale(), request.script_root, tuple(sorted(values.items())))
    found = cache.get(key)
    if found is None:
        # An autoescaped template of ours: its output is already safe HTML.
        found = Markup(render_template(template, **values))  # nosec B704
        if not current_app.debug and len(cache) < MAX_FRAGMENTS:
            cache[key] = found
    return found


def init_fragments(app: Flask) -> None:
    app.extensions["lawlearn_fragments"] = {}
    app.jinja_env.globals.update(cached_fragment=cached_fragment, current_locale=current_locale)
