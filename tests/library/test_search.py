"""Search results: every law found with its real count, a bounded page however large the
library, and one law's hits a page at a time."""

from __future__ import annotations

from sqlalchemy import func, select

from lawlearn.extensions import db
from lawlearn.library.models import LawArticle
from lawlearn.library.search import HITS_PER_LAW, HITS_PER_PAGE, LAWS_WITH_HITS, search_library
from tests.library.test_library import import_text
from tests.library.test_parsing import LAWS, needs_shared


@needs_shared
def test_a_common_word_finds_every_law_with_its_real_count(app, client, login, make_user,
                                                           count_queries):
    """公开 had shown 宪法 and 48 articles of the 条例 (50 in title order) and left out the
    民法典 and the 暂行条例, with counts that were only what fitted."""
    login(make_user("searcher"))
    with app.app_context():
        for name in ("宪法.md", "民法典.md", "政府信息公开条例_2019.md",
                     "重大行政决策程序暂行条例_2019.md"):
            import_text((LAWS / name).read_bytes())
        with app.test_request_context():
            results = search_library("公开")
            real = dict(db.session.execute(
                select(LawArticle.law_id, func.count(LawArticle.id))
                .where(LawArticle.text.contains("公开")).group_by(LawArticle.law_id)).all())
            assert len(real) == 4 and results.law_totals == real
            assert results.article_total == sum(real.values()) > 50
            shown = {law.id: articles for law, articles in results.articles_by_law}
            assert set(shown) == set(real)  # every law, each with its first hits
            assert all(len(articles) == min(HITS_PER_LAW, real[law_id])
                       for law_id, articles in shown.items())
            regulation = max(real, key=real.get)
            within = search_library("公开", law_id=regulation, page=2)
            assert within.within.id == regulation and within.page == 2
            assert within.pages == -(-real[regulation] // HITS_PER_PAGE)
            assert [law.id for law, _a in within.articles_by_law] == [regulation]
            first_page = search_library("公开", law_id=regulation).articles_by_law[0][1]
            assert len(first_page) == min(HITS_PER_PAGE, real[regulation])
            assert all("公开" in article.text for article in first_page)
    page = client.get("/search?q=公开").get_data(as_text=True)
    assert f"共 {real[regulation]} 条" in page
    assert f'href="/search?q=%E5%85%AC%E5%BC%80&amp;law={regulation}"' in page
    drill = client.get(f"/search?q=公开&law={regulation}").get_data(as_text=True)
    assert "全部搜索结果" in drill and "查看本法全部" not in drill
    assert client.get(f"/search?q=公开&law={regulation}&page=99999999999").status_code == 200
    assert client.get("/search?q=公开&law=abc").status_code == 200
    # A fixed number of queries, however many laws and hits.
    assert count_queries(lambda: client.get("/search?q=公开")) == count_queries(
        lambda: client.get("/search?q=宪法修正案"))
    assert count_queries(lambda: client.get(f"/search?q=公开&law={regulation}")) == \
        count_queries(lambda: client.get(f"/search?q=公开&law={regulation}&page=2"))


def test_a_library_of_many_laws_keeps_the_results_page_bounded(app, client, login, make_user):
    """Five hits of every law found had no end: a city's library made a page of 458 KB."""
    login(make_user("searcher"))
    with app.app_context():
        for number in range(LAWS_WITH_HITS + 4):
            import_text(f"某某管理办法{number:02d}\n\n第一条 国家机关应当依法履职。\n\n"
                        f"第二条 国家机关工作人员应当学法。\n".encode())
        with app.test_request_context():
            results = search_library("国家机关")
            assert len(results.articles_by_law) == LAWS_WITH_HITS
            assert len(results.more_laws) == 4 and all(hits == 2 for _l, hits in
                                                       results.more_laws)
            assert results.article_total == 2 * (LAWS_WITH_HITS + 4)
    page = client.get("/search?q=国家机关").get_data(as_text=True)
    assert "其他法规" in page and page.count("共 2 条") == LAWS_WITH_HITS + 4


@needs_shared
def test_a_laws_page_searches_that_law(app, client, login, make_user):
    """The box on a statute's page searched the whole library: 公民 typed on the
    Constitution's page listed other laws. Now it searches the law (an article number
    goes to that law's article), with a way out to everything; elsewhere the box is the
    library's."""
    login(make_user("searcher"))
    with app.app_context():
        constitution = import_text((LAWS / "宪法.md").read_bytes())
        regulation = import_text((LAWS / "政府信息公开条例_2019.md").read_bytes())
        ids = constitution.id, regulation.id
        db.session.commit()
    law_page = client.get(f"/laws/{ids[0]}").get_data(as_text=True)
    assert f'<input type="hidden" name="law" value="{ids[0]}">' in law_page
    assert 'placeholder="在本法中搜索"' in law_page and "输入“12”可直达本法第十二条" in law_page
    assert 'name="law"' not in client.get("/laws").get_data(as_text=True)

    found = client.get(f"/search?q=公民&law={ids[0]}").get_data(as_text=True)
    assert "《宪法》中的搜索结果" in found and "全部搜索结果" in found
    assert "政府信息公开条例" not in found  # the other law has 公民 too
    assert f'<input type="hidden" name="law" value="{ids[0]}">' in found  # searching on
    assert "政府信息公开条例" in client.get("/search?q=公民").get_data(as_text=True)

    with app.test_request_context():
        direct = search_library("第十二条", law_id=ids[1]).direct_articles
        assert [(a.law_id, a.number) for a in direct] == [(ids[1], 12)]
        assert {a.law_id for a in search_library("第十二条").direct_articles} >= set(ids)
        # A law named in the query is that law's, whichever page it was typed on.
        named = search_library("宪法第十二条", law_id=ids[1]).direct_articles
        assert [(a.law_id, a.number) for a in named] == [(ids[0], 12)]
        # A bare "12" in one law is its article 12 too (everywhere else, only text).
        bare = search_library("12", law_id=ids[0]).direct_articles
        assert [(a.law_id, a.number) for a in bare] == [(ids[0], 12)]
        assert search_library("12").direct_articles == []
    missing = client.get(f"/search?q=不存在的词语&law={ids[0]}").get_data(as_text=True)
    assert "中没有找到与“不存在的词语”相关的条文" in missing
    assert "在全部法规和资料中搜索" in missing


def test_a_laws_name_found_nowhere_offers_the_law(app, client, login, make_user):
    """"民法典" typed alone (seldom in any article) said only 没有找到."""
    login(make_user("named"))
    with app.app_context():
        law = import_text()
        law_id, title = law.id, law.display_title
    page = client.get(f"/search?q={title}").get_data(as_text=True)
    assert "没有找到" in page and "要找的是这部法规吗？" in page
    assert f'<a href="/laws/{law_id}">《{title}》</a>' in page
    nothing = client.get("/search?q=不存在的词语").get_data(as_text=True)
    assert "没有找到" in nothing and "要找的是这部法规吗？" not in nothing
