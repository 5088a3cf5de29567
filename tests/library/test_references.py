"""Article references as people write them, 之一 articles included, checked against the
articles themselves (a law's count of entries says nothing of which numbers exist)."""

from __future__ import annotations

import pytest

from lawlearn.accounts.services import UserFields, create_user
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.library import services
from lawlearn.library.models import LawArticle
from lawlearn.library.references import format_references, resolve_article_references
from lawlearn.library.search import search_library
from tests.conftest import csrf_from

LAW = ("中华人民共和国小法\n\n第一条 为了保护个人信息，制定本法。\n\n"
       "第二条 自然人的个人信息受法律保护。\n\n第二条之一 处理个人信息应当合法。\n\n"
       "第三条 本法自公布之日起施行。\n").encode()


@pytest.fixture
def law(ctx):
    with ctx.test_request_context():
        imported = services.import_law(None, LAW)
        db.session.commit()
        yield imported


def labels(articles) -> list[str]:
    return [article.label for article in articles]


@pytest.mark.parametrize(("text", "expected"), [
    ("小法 2之一", ["第二条之一"]),
    ("小法第二条之一", ["第二条之一"]),
    ("《小法》第二条之一、第三条", ["第二条之一", "第三条"]),
    ("小法 1-3", ["第一条", "第二条", "第三条"]),  # a range runs between whole articles
    ("小法 3；小法 1", ["第三条", "第一条"]),
])
def test_references_name_articles_and_their_zhiyi(law, text, expected):
    assert labels(resolve_article_references(text)) == expected


@pytest.mark.parametrize(("text", "message"), [
    # Four entries, numbered to 3: "4" was let through by the count, then silently dropped.
    ("小法 4", "《小法》没有第 4 条"),
    ("小法 2之二", "《小法》没有第 2之二 条"),
    ("小法 1之一-3", "无法识别"),
    ("小法 99999999999999999999", "《小法》没有第 99999999999999999999 条"),  # was a 500
    ("小法 2之99999999999999999999", "没有第 2之99999999999999999999 条"),
])
def test_a_reference_to_no_article_is_refused_by_name(law, text, message):
    with pytest.raises(ValidationFailed, match=message):
        resolve_article_references(text)


def test_references_written_back_read_the_same(law):
    articles = resolve_article_references("小法 1；小法 2之一")
    written = format_references(articles)
    assert written == "小法 1、2之一"
    assert resolve_article_references(written) == articles


def test_search_goes_straight_to_a_zhiyi_article(law):
    assert labels(search_library("小法第二条之一").direct_articles) == ["第二条之一"]
    assert labels(search_library("小法 2").direct_articles) == ["第二条", "第二条之一"]


def test_the_question_import_reads_a_zhiyi_reference(law):
    from lawlearn.quiz.importing import ArticleResolver

    resolver = ArticleResolver()
    article_id, problem = resolver.resolve("小法第二条之一")
    assert problem is None
    assert labels([db.session.get(LawArticle, article_id)]) == ["第二条之一"]
    assert "《小法》没有第 2之二 条" in resolver.resolve("小法 2之二")[1]


def test_reading_walks_through_a_zhiyi_article(law, app):
    """Previous, next and 标记已学，下一条 reach 第二条之一 (they led back to 第二条)."""
    create_user(None, "reader", "correct-horse-9", UserFields("读者", None, {"staff"}),
                must_change_password=False, audit=False)
    db.session.commit()
    client = app.test_client()
    client.post("/login", data={"username": "reader", "password": "correct-horse-9",
                                "csrf_token": csrf_from(client.get("/login"))})
    second = client.get(f"/laws/{law.id}/articles/2").get_data(as_text=True)
    assert f'rel="next" href="/laws/{law.id}/articles/2-1"' in second
    third = client.get(f"/laws/{law.id}/articles/3").get_data(as_text=True)
    assert f'rel="prev" href="/laws/{law.id}/articles/2-1"' in third
    article = db.session.scalar(db.select(LawArticle).filter_by(law_id=law.id, number=2,
                                                                 sub_number=0))
    moved = client.post(f"/articles/{article.id}/studied", data={
        "csrf_token": csrf_from(client.get(f"/laws/{law.id}/articles/2")), "studied": "1",
        "advance": "1"})
    assert moved.headers["Location"] == f"/laws/{law.id}/articles/2-1"
