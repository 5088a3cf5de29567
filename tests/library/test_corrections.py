"""An admin corrects an article's wording in place (勘误): audited, searched, refused to
staff."""

from __future__ import annotations

from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry
from lawlearn.extensions import db
from lawlearn.library import services
from lawlearn.library.models import Law, LawArticle
from lawlearn.library.search import search_library
from tests.conftest import csrf_from
from tests.library.test_library import SMALL_LAW


def test_an_admin_corrects_an_articles_wording_in_place(admin_client, app, make_user):
    """A typo had taken importing the whole law as a new version, leaving every question on
    the old one."""
    with app.app_context():
        law = services.import_law(None, SMALL_LAW.replace("制定本法".encode(), "制订本法".encode()))
        db.session.commit()
        law_id = law.id
        article = db.session.scalar(select(LawArticle).filter_by(law_id=law_id, number=1))
        article_id = article.id
    url = f"/admin/library/laws/{law_id}/articles/{article_id}"
    reading = admin_client.get(f"/laws/{law_id}/articles/1").get_data(as_text=True)
    assert f'href="{url}"' in reading  # 更正本条文字, for admins
    form = admin_client.get(url).get_data(as_text=True)
    assert "为了保护个人信息，制订本法。" in form
    token = csrf_from(admin_client.get(url))
    empty = admin_client.post(url, data={"csrf_token": token, "text": " \r\n "})
    assert empty.status_code == 422 and "请填写" in empty.get_data(as_text=True)
    too_long = admin_client.post(url, data={"csrf_token": token, "text": "法" * 10_001})
    assert too_long.status_code == 422 and "条文不能超过 10000 字。" in too_long.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.get(LawArticle, article_id).text == "为了保护个人信息，制订本法。"
    done = admin_client.post(url, data={
        "csrf_token": token, "text": "为了保护个人信息，制定本法。\r\n\r\n第二款 另起一段。\r\n"},
        follow_redirects=True)
    assert "已更正第一条。" in done.get_data(as_text=True)
    with app.app_context():
        corrected = db.session.get(LawArticle, article_id)
        assert corrected.paragraphs == ["为了保护个人信息，制定本法。", "第二款 另起一段。"]
        assert corrected.text == "为了保护个人信息，制定本法。\n第二款 另起一段。"
        assert db.session.scalar(select(func.count(Law.id))) == 1  # no new version
        with app.test_request_context():
            found = search_library("制定本法")
            assert [a.id for _law, articles in found.articles_by_law for a in articles] == [
                article_id]
            assert search_library("制订本法").empty  # the index follows the correction
        entry = db.session.scalar(select(AuditEntry).filter_by(action="law.article_correct"))
        assert entry.summary == "更正《中华人民共和国小法》第一条的文字"
        assert entry.details["before"] == "为了保护个人信息，制订本法。"
    unchanged = admin_client.post(url, data={
        "csrf_token": token, "text": "为了保护个人信息，制定本法。\n第二款 另起一段。"},
        follow_redirects=True)
    assert "条文没有改动。" in unchanged.get_data(as_text=True)
    assert admin_client.get(f"/admin/library/laws/{law_id}/articles/999999").status_code == 404
    reader, staff = app.test_client(), make_user("reader")
    reader.post("/login", data={"username": staff.username, "password": staff.password,
                                "csrf_token": csrf_from(reader.get("/login"))})
    assert reader.get(url).status_code == 403
    assert reader.post(url, data={"csrf_token": csrf_from(reader.get("/")),
                                  "text": "改"}).status_code == 403
    assert f'href="{url}"' not in reader.get(f"/laws/{law_id}/articles/1").get_data(
        as_text=True)
