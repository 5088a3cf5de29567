"""Pages of long lists: the ``page`` query parameter, a page of a query, and a page of a list
already in memory. Every paged view reads its page here, so a hand-edited URL can neither ask
the database for an impossible offset nor leave a list looking empty while it has rows: a page
past the last one redirects to the last one (a query) or is the last one (a list in memory).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select
from werkzeug.datastructures import MultiDict

from lawlearn.extensions import db

# Far more pages than any list here has; beyond it the offset would overflow PostgreSQL's
# BIGINT ("bigint out of range"), a 500 for nothing more than a hand-edited URL.
MAX_PAGE = 10_000


def page_arg(name: str = "page", values: MultiDict[str, str] | None = None) -> int:
    """The page asked for, clamped to 1..MAX_PAGE (1 when missing or not a number); from the
    query string unless ``values`` (e.g. ``request.values`` on a form re-rendered after a
    POST) are given."""
    page = (request.args if values is None else values).get(name, 1, type=int)
    return min(max(1, page or 1), MAX_PAGE)


class PagerLinks:
    """What the pager macro (macros/forms.html's ``pagination_nav``) reads besides ``page``,
    ``pages`` and ``total``, worked out from ``page`` and ``pages`` (the same attributes as
    Flask-SQLAlchemy's ``Pagination``)."""

    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class Page(PagerLinks):
    """One page of a list already in memory, with what the pager macro needs."""

    items: list[Any]
    page: int
    pages: int
    total: int


def page_count(total: int, per_page: int) -> int:
    """Pages needed for ``total`` rows (at least one, so that an empty list has a page)."""
    return max(1, math.ceil(total / per_page))


def page_of(rows: list[Any], page: int, per_page: int) -> Page:
    """Page ``page`` of ``rows``; a page past the last one is the last one."""
    pages = page_count(len(rows), per_page)
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return Page(rows[start:start + per_page], page, pages, len(rows))


def paginate(query: Select, per_page: int | None = None, *, page: int | None = None) -> Pagination:
    """Page ``page`` (by default the one the request asks for, see :func:`page_arg`) of
    ``query``; a GET for a page past the last one is redirected there
    (:func:`redirect_past_last_page`)."""
    pagination = db.paginate(query, page=page_arg() if page is None else page,
                             per_page=per_page or current_app.config["PER_PAGE"],
                             error_out=False)
    redirect_past_last_page(pagination)
    return pagination


def redirect_past_last_page(pagination: Pagination) -> None:
    """When a GET asks for a page past the last one (a stale link, or rows deleted since),
    answer with a redirect to the last page, so that a list with rows never reads as empty.
    For views that get their ``Pagination`` from elsewhere (a service's query helper)."""
    if (request.method in ("GET", "HEAD") and pagination.total
            and pagination.page > pagination.pages):
        abort(redirect(page_url(pagination.pages)))


def page_url(page: int) -> str:
    """The current page's URL, with the same filters, at page ``page``."""
    return pager_url(str(request.endpoint), page, **(request.view_args or {}))


def pager_url(endpoint: str, page: int, **values: Any) -> str:
    """``endpoint``'s URL at page ``page`` with the current query string's filters; the
    pager's links. ``values`` (the endpoint's own, a session's id say) win over the query
    string, and query keys that mean something to ``url_for`` itself (``endpoint``,
    ``_external``, ``_anchor`` …) are dropped: a hand-edited URL can neither break the
    link (a 500) nor make it absolute to whatever Host the request named."""
    args = {key: value for key, value in request.args.to_dict(flat=False).items()
            if key != "endpoint" and not key.startswith("_")}
    return url_for(endpoint, **{**args, **values, "page": page})


def init_pagination(app: Flask) -> None:
    app.jinja_env.globals["pager_url"] = pager_url
