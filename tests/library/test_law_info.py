"""Editing a statute's details (title, category, status, dates) on its admin page."""

from __future__ import annotations

from datetime import date

from lxml import html
from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.library.models import Law
from tests.conftest import field_errors, post_with_csrf
from tests.library.test_library import SMALL_LAW, import_text

OTHER_LAW = SMALL_LAW.replace("小法".encode(), "另一法".encode())
FORM = {"title": "中华人民共和国小法", "short_title": "小法", "category": "law",
        "status": "in_force", "issuing_body": "全国人民代表大会常务委员会",
        "promulgated_on": "2021-08-20", "effective_on": "2021-11-01", "revision_note": ""}


def errors(response, name: str) -> list[str]:
    return field_errors(html.fromstring(response.get_data(as_text=True)), name)


def test_an_admin_edits_a_laws_details_and_bad_ones_change_nothing(app, admin_client):
    with app.app_context():
        law_id = import_text().id
        import_text(OTHER_LAW)
    url = f"/admin/library/laws/{law_id}"
    saved = post_with_csrf(admin_client, url, url, FORM)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    with app.app_context():
        law = db.session.get(Law, law_id)
        assert (law.short_title, law.promulgated_on, law.effective_on) == (
            "小法", date(2021, 8, 20), date(2021, 11, 1))

    # Dates the wrong way round, and another current law's title: each under its field,
    # with a 422, and nothing saved.
    backwards = post_with_csrf(admin_client, url, url, {
        **FORM, "short_title": "改过", "effective_on": "2021-08-01"})
    assert backwards.status_code == 422
    assert errors(backwards, "effective_on") == ["施行日期不能早于公布日期。"]
    taken = post_with_csrf(admin_client, url, url, {**FORM, "title": "中华人民共和国另一法"})
    assert taken.status_code == 422
    assert errors(taken, "title") == [
        "法规库中已有现行的《中华人民共和国另一法》；新的文本请通过导入成为它的新版本。"]
    heading = html.fromstring(taken.get_data(as_text=True)).xpath("string(//h1)")
    assert heading.startswith("中华人民共和国小法 ")  # the law as saved
    with app.app_context():
        law = db.session.get(Law, law_id)
        assert (law.title, law.short_title, law.effective_on) == (
            "中华人民共和国小法", "小法", date(2021, 11, 1))
        assert db.session.scalar(select(Law.title).where(Law.id != law_id)) == \
            "中华人民共和国另一法"
