"""Staff pages of the statute library: laws, outline, articles, search, bookmarks."""

from __future__ import annotations

import re
from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lawlearn.converters import record_id
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db
from lawlearn.library import library_bp, services
from lawlearn.library.forms import NoteForm
from lawlearn.library.materials import linked_materials
from lawlearn.library.parsing import NUMERAL, chinese_number, is_item
from lawlearn.library.search import highlight, search_library
from lawlearn.security import safe_next

_SUB_NUMBER_IN_LABEL = re.compile(rf"之({NUMERAL})$")


@library_bp.app_template_global("article_url")
def article_url(article) -> str:
    """The address of an article: a LawArticle, or a question's snapshot of one (a dict).
    第二条之一 is /articles/2-1; a snapshot saved before it kept its sub-number is read
    from its label."""
    get = article.get if isinstance(article, dict) else partial(getattr, article)
    sub_number = get("sub_number", None)
    if sub_number is None:
        found = _SUB_NUMBER_IN_LABEL.search(get("label", "") or "")
        sub_number = chinese_number(found.group(1)) if found else 0
    return url_for("library.article", law_id=get("law_id"), number=get("number"),
                   sub_number=sub_number or None)


@library_bp.app_template_filter("highlight")
def highlight_filter(value: str, query: str, context: int | None = None):
    return highlight(value, query, context=context)


@library_bp.route("/study")
@login_required
def index():
    """学习 tab: the statutes, with the user's progress, and the way to materials."""
    laws = services.list_laws()
    progress = services.studied_counts(current_user, [law.id for law in laws])
    return render_template("library/index.html", laws=laws, progress=progress)


@library_bp.route("/laws/<int:law_id>")
@login_required
def law(law_id: int):
    """A statute's outline: 编/分编/章/节 with their article ranges."""
    law = services.get_law(law_id)
    outline = services.law_outline(law)
    newer = None if law.is_current else services.current_version(law.title)
    studied = services.studied_counts(current_user, [law.id]).get(law.id, 0)
    return render_template("library/law.html", law=law, outline=outline, newer=newer,
                           studied=studied)


@library_bp.route("/laws/<int:law_id>/preamble")
@login_required
def preamble(law_id: int):
    """The preamble (序言) and the adoption notes of a statute."""
    return render_template("library/preamble.html", law=services.get_law(law_id))


@library_bp.route("/laws/<int:law_id>/articles/<int:number>")
@library_bp.route("/laws/<int:law_id>/articles/<int:number>-<int:sub_number>")
@login_required
def article(law_id: int, number: int, sub_number: int = 0):
    """One article, with previous/next, study mark, bookmark and the user's note."""
    law = services.get_law(law_id)
    page = services.article_page(law, number, sub_number, current_user)
    return _article_page(law, page, NoteForm(body=page.note.body if page.note else ""))


def _article_page(law, page, note_form: NoteForm):
    return render_template("library/article.html", law=law, page=page, note_form=note_form,
                           materials=linked_materials(page.article))


def _back_to_article(article) -> str:
    default = article_url(article)
    return safe_next(request.form.get("next")) if request.form.get("next") else default


@library_bp.route("/articles/<int:article_id>/studied", methods=["POST"])
@login_required
def mark_studied(article_id: int):
    """Mark an article as studied (or take the mark back)."""
    article = services.get_article(article_id)
    studied = request.form.get("studied", "1") == "1"
    services.set_studied(current_user, article, studied, utcnow())
    db.session.commit()
    if studied and request.form.get("advance") == "1":
        following = services.article_page(article.law, article.number, article.sub_number,
                                          current_user).next
        if following is not None:
            return redirect(article_url(following))
    return redirect(_back_to_article(article))


@library_bp.route("/articles/<int:article_id>/bookmark", methods=["POST"])
@login_required
def bookmark(article_id: int):
    """Bookmark an article (or remove the bookmark)."""
    article = services.get_article(article_id)
    services.set_bookmark(current_user, article, request.form.get("bookmarked", "1") == "1")
    db.session.commit()
    return redirect(_back_to_article(article))


@library_bp.route("/articles/<int:article_id>/note", methods=["POST"])
@login_required
def save_note(article_id: int):
    """Save the user's private note on an article."""
    article = services.get_article(article_id)
    form = NoteForm()
    if form.validate_on_submit():
        had_note = services.has_note(current_user, article)
        try:
            note = services.save_note(current_user, article, form.body.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            # An emptied note is deleted: say so, rather than "saved".
            flash(_("笔记已保存。") if note is not None else
                  _("笔记已删除。") if had_note else _("笔记是空的，没有保存。"),
                  "success" if note is not None or had_note else "error")
        return redirect(_back_to_article(article))
    # The article again, the text still in the box with what is wrong under it.
    law = services.get_law(article.law_id)
    page = services.article_page(law, article.number, article.sub_number, current_user)
    return _article_page(law, page, form), 422


@library_bp.route("/search")
@login_required
def search():
    """Full-text search over articles and materials; also by article number."""
    query = request.args.get("q", "").strip()[:100]
    law_id = request.args.get("law", type=record_id)  # None when missing or not an id
    results = search_library(query, law_id=law_id,
                             page=request.args.get("page", 1, type=record_id) or 1) \
        if query else None
    return render_template("library/search.html", query=query, results=results)


@library_bp.route("/me/bookmarks")
@login_required
def bookmarks():
    """The user's bookmarked articles and notes."""
    return render_template("library/bookmarks.html",
                           items=services.user_bookmarks(current_user))


@library_bp.app_template_test("item_paragraph")
def item_paragraph_test(paragraph: str) -> bool:
    return is_item(paragraph)
