"""Statutes in the database: import, versions, reading, marks, search, CLI, pages."""

from __future__ import annotations

import io
import json
import time
from datetime import date

import pytest
from markupsafe import Markup
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library import services
from lawlearn.library.models import ArticleNote, ArticleStudy, Law, LawArticle, LawDivision
from lawlearn.library.search import highlight, parse_number_query, search_library
from tests.conftest import csrf_from, post_with_csrf
from tests.library.test_parsing import GBK_TEXT, LAWS, needs_shared
from tests.races import key_refusals as key_refusals  # noqa: F401  (a fixture)
from tests.races import reads, twin_at

SMALL_LAW = ("中华人民共和国小法\n\n第一章 总则\n\n第一条 为了保护个人信息，制定本法。\n\n"
             "第二条 自然人的个人信息受法律保护。\n\n第二章 附则\n\n"
             "第三条 本法自公布之日起施行。\n").encode()


@pytest.fixture
def request_ctx(ctx):
    with ctx.test_request_context():
        yield ctx


def import_text(data: bytes = SMALL_LAW, title: str | None = None) -> Law:
    law = services.import_law(None, data, title=title)
    db.session.commit()
    return law


@needs_shared
def test_civil_code_import_is_fast_and_complete(request_ctx):
    data = (LAWS / "民法典.md").read_bytes()
    started = time.perf_counter()
    law = import_text(data)
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"import took {elapsed:.1f} s"
    counts = dict(db.session.execute(select(LawDivision.kind, func.count()).where(
        LawDivision.law_id == law.id).group_by(LawDivision.kind)).all())
    assert counts == {"part": 7, "subpart": 8, "chapter": 84, "section": 37, "supplementary": 1}
    assert db.session.scalar(select(func.count()).select_from(LawArticle).where(
        LawArticle.law_id == law.id)) == 1260 == law.article_count
    assert law.short_title == "民法典" and law.category == "law"


def test_reimport_creates_a_new_version_and_keeps_the_old(request_ctx):
    old = import_text()
    old_article = db.session.scalar(select(LawArticle).filter_by(law_id=old.id, number=2))
    newer_text = SMALL_LAW.replace("受法律保护".encode(), "受法律严格保护".encode())
    new = import_text(newer_text)
    assert (old.version, new.version) == (1, 2)
    assert not old.is_current and old.status == "amended" and new.is_current
    assert new.previous_version_id == old.id
    db.session.refresh(old_article)
    assert old_article.text == "自然人的个人信息受法律保护。"  # unchanged for its references
    assert [law.id for law in services.list_laws()] == [new.id]
    user = db.session.get(User, 1) or User(id=1)
    page = services.article_page(old, 2, 0, _reader())
    assert page.newer.id == new.id
    del user


@needs_shared
def test_an_import_fills_the_body_and_dates_from_the_history_lines(request_ctx):
    """公布日期, 施行日期 and 制定机关 were blank on every statute imported."""
    text = (LAWS / "政府信息公开条例_2019.md").read_bytes()
    law = import_text(text)
    assert (law.issuing_body, law.promulgated_on.isoformat(), law.effective_on.isoformat()) == \
        ("国务院", "2019-04-03", "2019-05-15")
    # A typo mended (the same promulgation) keeps what an admin filled in by hand.
    law.issuing_body, law.effective_on = "中华人民共和国国务院", date(2019, 5, 16)
    db.session.commit()
    mended = import_text(text.replace("申请人".encode(), "申请者".encode(), 1))
    assert (mended.version, mended.issuing_body, mended.effective_on) == \
        (2, "中华人民共和国国务院", date(2019, 5, 16))
    # So does a new version without history lines.
    bare = text.split(b"<!-- INFO END -->")[1].replace("申请人".encode(), "请求人".encode(), 1)
    newer = import_text("中华人民共和国政府信息公开条例\n".encode() + bare)
    assert newer.version == 3
    assert (newer.issuing_body, newer.promulgated_on, newer.effective_on) == \
        ("中华人民共和国国务院", date(2019, 4, 3), date(2019, 5, 16))


def _reader() -> User:
    from lawlearn.accounts.services import UserFields, create_user

    user = db.session.scalar(select(User).filter_by(username="reader"))
    return user or create_user(None, "reader", "study-pass-1",
                               UserFields("读者", None, {"staff"}))


def test_outline_and_article_navigation(request_ctx):
    law = import_text()
    outline = services.law_outline(law)
    assert [(n.division.title, n.first_article.number, n.last_article.number)
            for n in outline] == [("总则", 1, 2), ("附则", 3, 3)]
    user = _reader()
    page = services.article_page(law, 2, 0, user)
    assert page.previous.number == 1 and page.next.number == 3
    assert [d.title for d in page.trail] == ["总则"]
    assert not page.studied and not page.bookmarked and page.note is None
    with pytest.raises(Exception, match="不存在"):
        services.article_page(law, 9, 0, user)


def test_study_marks_bookmarks_and_notes_are_per_user(request_ctx):
    law = import_text()
    article = db.session.scalar(select(LawArticle).filter_by(law_id=law.id, number=1))
    reader = _reader()
    from lawlearn.accounts.services import UserFields, create_user

    other = create_user(None, "other", "second-pass-2", UserFields("他人", None, {"staff"}))
    for _ in range(2):  # repeating a mark changes nothing
        services.set_studied(reader, article, True, utcnow())
        db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(ArticleStudy)) == 1
    services.set_bookmark(reader, article, True)
    services.save_note(reader, article, "  我的理解  ")
    db.session.flush()
    mine = services.article_page(law, 1, 0, reader)
    theirs = services.article_page(law, 1, 0, other)
    assert mine.studied and mine.bookmarked and mine.note.body == "我的理解"
    assert not theirs.studied and not theirs.bookmarked and theirs.note is None
    assert services.studied_counts(reader, [law.id]) == {law.id: 1}
    assert [a.number for a, _note in services.user_bookmarks(reader)] == [1]
    assert services.user_bookmarks(other) == []
    services.save_note(reader, article, "")
    with pytest.raises(ValidationFailed):
        services.save_note(reader, article, "长" * 5001)


def test_search_finds_chinese_substrings_of_any_length(request_ctx):
    import_text()
    for query in ("个人信息", "保护", "信息", "法"):
        results = search_library(query)
        texts = [a.text for _law, articles in results.articles_by_law for a in articles]
        assert texts and all(query in text for text in texts), query
    assert search_library("个人信息 自然人").article_total == 1
    assert search_library("不存在的词语").empty
    assert search_library("100%_").empty  # LIKE wildcards are literal
    # (The search drops them as punctuation now; the pattern escapes them for every LIKE.)
    from lawlearn.database import like_pattern

    assert like_pattern("100%_") == "%100\\%\\_%"
    # Punctuation pasted with the words is no part of them: 《》, quotes, a full stop.
    for query in ("“个人信息”", "个人信息。", "个人信息？", "《小法》个人信息", "个人信息?"):
        assert search_library(query).article_total == 2, query
    assert highlight("受法律保护", "“保护”。") == Markup("受法律<mark>保护</mark>")


@needs_shared
def test_search_on_the_civil_code_and_by_article_number(request_ctx):
    import_text((LAWS / "民法典.md").read_bytes())
    import_text((LAWS / "宪法.md").read_bytes())
    hits = search_library("抛掷物品")
    assert hits.articles_by_law and hits.articles_by_law[0][0].short_title == "民法典"
    for query in ("民法典 1165", "民法典第1165条", "民法典第一千一百六十五条"):
        direct = search_library(query).direct_articles
        assert [(a.law.short_title, a.number) for a in direct] == [("民法典", 1165)], query
    both = search_library("第三十三条").direct_articles
    assert {a.law.short_title for a in both} == {"民法典", "宪法"}
    # A law's name beside a word: that law's articles with the word ("民法典" is seldom in
    # its own text, so the search found nothing)
    privacy = search_library("民法典 隐私权")
    assert [law.short_title for law, _articles in privacy.articles_by_law] == ["民法典"]
    assert privacy.article_total >= 5 and all(
        "隐私权" in a.text for _law, articles in privacy.articles_by_law for a in articles)
    assert search_library("宪法 隐私权").empty
    # Alone, a law's name is still a text search, not all 1,260 articles; found nowhere,
    # the law it names is offered
    assert search_library("民法典").article_total < 20
    assert [law.short_title for law in search_library("宪法典").laws_named] == []
    offered = search_library("中华人民共和国宪法")
    assert offered.empty and [law.short_title for law in offered.laws_named] == ["宪法"]
    # The Constitution's preamble is no article, and was found nowhere.
    for query in ("中国是世界上历史最悠久的国家之一", "宪法 序言", "序言", "《宪法》序言"):
        preambles = search_library(query).preambles
        assert [law.short_title for law, _paragraph in preambles] == ["宪法"], query
    law, paragraph = search_library("历史最悠久").preambles[0]
    assert "历史最悠久" in paragraph and paragraph in law.preamble
    assert search_library("民法典 序言").preambles == []  # it has none


@pytest.mark.parametrize(("query", "parsed"), [
    ("民法典 1165", ("民法典", 1165, None)), ("宪法第33条", ("宪法", 33, None)),
    ("第一千一百六十五条", ("", 1165, None)), ("宪法 第三十三条", ("宪法", 33, None)),
    ("条例第五十六条之一", ("条例", 56, 1)), ("条例 56之一", ("条例", 56, 1)),
    ("1165", None), ("个人信息", None), ("三", None),
    ("《宪法》第三十五条", ("宪法", 35, None)), ("宪法第三十五条规定", ("宪法", 35, None)),
    ("《民法典》 第1165条的规定", ("民法典", 1165, None)),
])
def test_number_queries(query, parsed):
    assert parse_number_query(query) == parsed


def test_highlight_escapes_and_marks(request_ctx):
    marked = highlight("<b>个人信息</b>受保护", "信息")
    assert str(marked) == "&lt;b&gt;个人<mark>信息</mark>&lt;/b&gt;受保护"
    snippet = highlight("甲" * 100 + "目标" + "乙" * 100, "目标", context=30)
    assert "<mark>目标</mark>" in str(snippet) and str(snippet).startswith("…")


@needs_shared
def test_article_page_and_search_use_a_fixed_number_of_queries(app, client, login,
                                                               make_user, count_queries):
    login(make_user("counter"))
    with app.app_context():
        small = import_text().id
    small_article = count_queries(lambda: client.get(f"/laws/{small}/articles/2"))
    small_search = count_queries(lambda: client.get("/search?q=信息"))
    with app.app_context():
        big = import_text((LAWS / "民法典.md").read_bytes()).id
    big_article = count_queries(lambda: client.get(f"/laws/{big}/articles/1165"))
    big_search = count_queries(lambda: client.get("/search?q=信息"))
    assert small_article == big_article
    assert small_search == big_search


def test_cli_import_and_list(runner, app, tmp_path):
    path = tmp_path / "测试法.txt"
    path.write_bytes(GBK_TEXT.replace("\u2002", "\u3000").encode("gbk"))
    result = runner.invoke(args=["law", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body == {"law_id": body["law_id"], "title": "中华人民共和国测试法", "version": 1,
                    "parts": 0, "subparts": 0, "chapters": 2, "sections": 0, "articles": 5}
    renamed = runner.invoke(args=["law", "import", str(path), "--title", "测试法", "--json"])
    assert json.loads(renamed.output)["title"] == "测试法"
    listed = json.loads(runner.invoke(args=["law", "list", "--json"]).output)
    assert {(row["title"], row["articles"]) for row in listed} == {
        ("中华人民共和国测试法", 5), ("测试法", 5)}


@needs_shared
@pytest.mark.parametrize(("name", "articles"), [("宪法.md", 143), ("word/民法典.docx", 1260)])
def test_cli_imports_the_shared_files(runner, app, name, articles):
    result = runner.invoke(args=["law", "import", str(LAWS / name), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["articles"] == articles


@needs_shared
def test_cli_refuses_one_book_in_place_of_the_whole_code_without_force(runner, app):
    """The preview page questions a much shorter text; the CLI has no preview, so it
    refuses it and says how to go ahead."""
    assert runner.invoke(args=["law", "import", str(LAWS / "word/民法典.docx")]).exit_code == 0
    book = str(LAWS / "民法典" / "总则.md")
    result = runner.invoke(args=["law", "import", book, "--json"])
    assert result.exit_code == 1
    answer = json.loads(result.output)
    assert answer["error"] == "much_shorter" and "比现行版本少 1056 条，未导入" in answer["message"]
    assert "--force" in answer["message"]
    with app.app_context():
        current = db.session.scalar(select(Law).where(Law.is_current.is_(True)))
        assert (current.version, current.article_count) == (1, 1260)
    forced = runner.invoke(args=["law", "import", book, "--force", "--json"])
    assert forced.exit_code == 0 and json.loads(forced.output)["articles"] == 204


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n" + bytes(30),
                                     "某法\n第一条 甲。\n第三条 丙。\n".encode()])
def test_cli_refuses_bad_files_and_writes_nothing(runner, app, tmp_path, content):
    path = tmp_path / "bad.md"
    path.write_bytes(content)
    result = runner.invoke(args=["law", "import", str(path)])
    assert result.exit_code == 1
    with app.app_context():
        assert db.session.scalar(select(func.count(Law.id))) == 0


def test_admin_imports_through_the_page_with_a_preview(admin_client, app):
    page = admin_client.get("/admin/library/laws/import")
    token = csrf_from(page)
    preview = admin_client.post("/admin/library/laws/import", data={
        "csrf_token": token, "file": (io.BytesIO(SMALL_LAW), "小法.txt")},
        content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert "《中华人民共和国小法》" in html and "章 2" in html and "条 3" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Law.id))) == 0
    import re

    stash = re.search(r'id="token" name="token" type="hidden" value="([0-9a-f]{32})"',
                      html).group(1)
    done = admin_client.post("/admin/library/laws/import/confirm", data={
        "csrf_token": token, "token": stash, "title": "", "source_name": "小法.txt"},
        follow_redirects=True)
    assert "已导入《中华人民共和国小法》（第 1 版），共 3 条" in done.get_data(as_text=True)
    bad = admin_client.post("/admin/library/laws/import", data={
        "csrf_token": token, "file": (io.BytesIO("某法\n第二条 乙。\n".encode()), "x.txt")},
        content_type="multipart/form-data")
    assert "应从第一条开始" in bad.get_data(as_text=True)
    again = admin_client.post("/admin/library/laws/import", data={
        "csrf_token": token, "file": (io.BytesIO(SMALL_LAW), "小法.txt")},
        content_type="multipart/form-data")
    html = again.get_data(as_text=True)  # said at the preview, with no button to confirm
    assert "与法规库中的现行版本（第 1 版）完全相同" in html and "确认导入 3 条" not in html


def test_a_much_shorter_new_version_is_questioned_at_the_preview(admin_client, app):
    """One book of the Civil Code uploaded alone would replace the whole code."""
    with app.app_context():
        import_text()  # 3 articles
    page = admin_client.get("/admin/library/laws/import")

    def preview(text: str) -> str:
        return admin_client.post("/admin/library/laws/import", data={
            "csrf_token": csrf_from(page), "file": (io.BytesIO(text.encode()), "小法.txt")},
            content_type="multipart/form-data").get_data(as_text=True)

    shorter = preview("中华人民共和国小法\n\n第一条 为了保护个人信息，制定本法。\n\n"
                      "第二条 本法自公布之日起施行。\n")
    assert "注意：新文本只有 2 条，比现行版本少 1 条。" in shorter
    assert 'data-confirm="新文本比现行版本少 1 条，确定以它取代现行版本吗？"' in shorter
    amended = preview(SMALL_LAW.decode().replace("受法律保护", "受法律严格保护"))
    assert "确认导入 3 条" in amended and "注意：新文本只有" not in amended
    assert "data-confirm" not in amended.split("确认导入 3 条")[0].rsplit("<button", 1)[1]


def test_staff_read_mark_bookmark_and_note(client, login, make_user, app):
    login(make_user("reader2"))
    with app.app_context():
        law_id = import_text().id
    html = client.get(f"/laws/{law_id}").get_data(as_text=True)
    assert "第一章 总则" in html and "第二章 附则" in html
    page = client.get(f"/laws/{law_id}/articles/1")
    assert "为了保护个人信息" in page.get_data(as_text=True)
    with app.app_context():
        article_id = db.session.scalar(select(LawArticle.id).filter_by(law_id=law_id, number=1))
    moved = client.post(f"/articles/{article_id}/studied", data={
        "csrf_token": csrf_from(page), "studied": "1", "advance": "1"})
    assert moved.headers["Location"] == f"/laws/{law_id}/articles/2"
    post_with_csrf(client, f"/laws/{law_id}/articles/1", f"/articles/{article_id}/bookmark",
                   {"bookmarked": "1"})
    post_with_csrf(client, f"/laws/{law_id}/articles/1", f"/articles/{article_id}/note",
                   {"body": "要点：个人信息"})
    html = client.get(f"/laws/{law_id}/articles/1").get_data(as_text=True)
    assert "已学习" in html and "已收藏" in html and "要点：个人信息" in html
    collected = client.get("/me/bookmarks").get_data(as_text=True)
    # The note beside the article's own words (a note alone hid which article it was).
    assert "要点：个人信息" in collected and "为了保护个人信息，制定本法。" in collected
    assert client.post(f"/articles/{article_id}/bookmark").status_code == 400  # no CSRF
    assert client.get(f"/laws/{law_id}/articles/99").status_code == 404
    results = client.get("/search?q=个人信息").get_data(as_text=True)
    assert "<mark>个人信息</mark>" in results


def test_a_long_note_with_line_breaks_is_saved_and_a_too_long_one_kept(client, login,
                                                                        make_user, app):
    """Browsers send line breaks as CRLF; the textarea's maxlength counts each as one."""
    login(make_user("writer"))
    with app.app_context():
        law_id = import_text().id
        article_id = db.session.scalar(select(LawArticle.id).filter_by(law_id=law_id, number=1))
    page = f"/laws/{law_id}/articles/1"
    lines = "\r\n".join(["甲" * 99] * 50)  # 4,999 characters as typed, 5,048 as sent
    saved = post_with_csrf(client, page, f"/articles/{article_id}/note", {"body": lines})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ArticleNote.body)) == lines.replace("\r\n", "\n")
    too_long = lines + "乙" * 10
    refused = post_with_csrf(client, page, f"/articles/{article_id}/note", {"body": too_long})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "笔记不能超过 5000 字" in html
    assert "乙" * 10 + "</textarea>" in html  # the text is still in the box
    with app.app_context():  # and the saved note is unchanged
        assert db.session.scalar(select(ArticleNote.body)) == lines.replace("\r\n", "\n")


def test_identical_reimport_is_refused(request_ctx):
    import_text()
    with pytest.raises(ValidationFailed, match="完全相同"):
        services.import_law(None, SMALL_LAW)


def test_new_version_keeps_peoples_marks_and_material_links(request_ctx):
    from lawlearn.library.materials import MaterialFields, create_material

    old = import_text()
    reader = _reader()
    unchanged = db.session.scalar(select(LawArticle).filter_by(law_id=old.id, number=1))
    changed = db.session.scalar(select(LawArticle).filter_by(law_id=old.id, number=2))
    for article in (unchanged, changed):
        services.set_studied(reader, article, True, utcnow())
        services.set_bookmark(reader, article, True)
        services.save_note(reader, article, f"笔记{article.number}")
    material = create_material(None, MaterialFields("资料", "article", "正文",
                                                    article_refs="小法 1-2", published=True))
    db.session.commit()
    new = import_text(SMALL_LAW.replace("受法律保护".encode(), "受法律严格保护".encode()))
    assert services.studied_counts(reader, [new.id]) == {new.id: 1}  # only the unchanged one
    # Bookmarks and notes move to the text in force: 我的收藏 lists each article once.
    assert sorted((a.law_id, a.number, note.body if note else None) for a, note
                  in services.user_bookmarks(reader)) == [(new.id, 1, "笔记1"),
                                                          (new.id, 2, "笔记2")]
    page = services.article_page(new, 2, 0, reader)
    assert page.bookmarked and page.note.body == "笔记2" and not page.studied
    assert services.article_page(old, 1, 0, reader).studied  # the old version's history
    db.session.refresh(material)
    assert sorted((a.law_id, a.number) for a in material.articles) == [(old.id, 2), (new.id, 1)]


@pytest.mark.parametrize("mark", ["studied", "bookmark", "note"])
def test_a_double_tap_whose_twin_commits_meanwhile_is_no_error(app, make_user, mark):
    """The second tap has read "no mark yet" when the first one commits its mark: the
    second must take that mark as made (a note gets the second text), not fail on the
    unique key. Studying pays its points once."""
    from lawlearn.library.models import ArticleBookmark, ArticleNote
    from lawlearn.practice.models import PointAward

    reader_id = make_user("reader").id
    with app.app_context():
        article_id = db.session.scalar(select(LawArticle.id).filter_by(
            law_id=import_text().id, number=1))
    table, model = {"studied": ("article_study", ArticleStudy),
                    "bookmark": ("article_bookmark", ArticleBookmark),
                    "note": ("article_note", ArticleNote)}[mark]

    def tap(text: str) -> None:
        reader, article = db.session.get(User, reader_id), db.session.get(LawArticle, article_id)
        if mark == "studied":
            services.set_studied(reader, article, True, utcnow())
        elif mark == "bookmark":
            services.set_bookmark(reader, article, True)
        else:
            services.save_note(reader, article, text)

    with app.app_context():
        with twin_at(app, lambda: tap("第一次"), after=reads(table)) as twin_ran:
            tap("第二次")
        db.session.commit()
        assert twin_ran
        assert db.session.scalar(select(func.count()).select_from(model)) == 1
        if mark == "note":
            assert db.session.scalar(select(ArticleNote.body)) == "第二次"
        if mark == "studied":
            assert db.session.scalar(select(func.count()).select_from(PointAward)) == 1


@pytest.mark.parametrize("already_in_library", [False, True])
def test_one_law_imported_by_two_admins_at_once_keeps_one_current_version(
        app, already_in_library, key_refusals):
    """The second import read the same current version (or none) as the first: the key on
    current titles refuses it with a message, and nothing of it is written."""
    amended = SMALL_LAW.replace("制定本法".encode(), "根据宪法，制定本法".encode())
    with app.app_context():
        if already_in_library:
            import_text()

    with app.app_context():
        with twin_at(app, lambda: services.import_law(None, amended, source_name="甲"),
                     after=reads("law")) as ran, \
                pytest.raises(Conflict, match="刚刚已由他人导入新的版本"):
            services.import_law(None, amended.replace("保护".encode(), "切实保护".encode()),
                                source_name="乙")
        assert ran and key_refusals == [True]
        db.session.rollback()
        versions = db.session.execute(select(Law.source_name, Law.is_current)
                                      .order_by(Law.id)).all()
        assert versions == ([(None, False)] if already_in_library else []) + [("甲", True)]
        assert db.session.scalar(select(func.count()).select_from(LawArticle)) == \
            3 * len(versions)


SUB_LAW = ("中华人民共和国小法\n\n第一章 总则\n\n第一条 为了保护个人信息，制定本法。\n\n"
           "第二条 自然人的个人信息受法律保护。\n\n第二条之一 处理个人信息应当合法。\n\n"
           "第三条 本法自公布之日起施行。\n").encode()


def test_every_link_to_a_zhiyi_article_opens_that_article(client, login, make_user, app):
    """第二条之一 is /articles/2-1 wherever it is linked: its own page, 我的收藏, a material's
    related articles, a question's snapshot (and one saved before snapshots kept the
    sub-number), not 第二条."""
    from lawlearn.library import materials
    from lawlearn.library.views import article_url

    login(make_user("reader3"))
    with app.app_context():
        law_id = import_text(SUB_LAW).id
        article = db.session.scalar(select(LawArticle).filter_by(law_id=law_id, number=2,
                                                                 sub_number=1))
        article_id = article.id
        material = materials.create_material(None, materials.MaterialFields(
            title="个人信息保护要点", kind="article", body_markdown="正文",
            article_refs="小法 2之一", published=True))
        db.session.commit()
        material_id = material.id
        with app.test_request_context():
            assert article_url(article) == f"/laws/{law_id}/articles/2-1"
            assert article_url({"law_id": law_id, "number": 2, "sub_number": 1,
                                "label": "第二条之一"}) == f"/laws/{law_id}/articles/2-1"
            assert article_url({"law_id": law_id, "number": 2,
                                "label": "第二条之一"}) == f"/laws/{law_id}/articles/2-1"
            assert article_url({"law_id": law_id, "number": 2,
                                "label": "第二条"}) == f"/laws/{law_id}/articles/2"
    url = f"/laws/{law_id}/articles/2-1"
    page = client.get(url).get_data(as_text=True)
    assert f'本条链接：<a href="{url}">' in page
    post_with_csrf(client, url, f"/articles/{article_id}/bookmark", {"bookmarked": "1"})
    assert f'href="{url}"' in client.get("/me/bookmarks").get_data(as_text=True)
    material_page = client.get(f"/materials/{material_id}").get_data(as_text=True)
    assert f'href="{url}"' in material_page
    assert "更新于 " in material_page  # its date says what it is (not when it came out)


def test_an_emptied_note_is_deleted_and_said_so(client, login, make_user, app):
    login(make_user("noter"))
    with app.app_context():
        law_id = import_text().id
        article_id = db.session.scalar(select(LawArticle.id).filter_by(law_id=law_id, number=1))
    url = f"/laws/{law_id}/articles/1"
    assert "删除笔记" not in client.get(url).get_data(as_text=True)  # nothing to delete yet
    page = post_with_csrf(client, url, f"/articles/{article_id}/note", {"body": "   "},
                          follow_redirects=True).get_data(as_text=True)
    assert "笔记是空的，没有保存。" in page
    post_with_csrf(client, url, f"/articles/{article_id}/note", {"body": "要点"})
    page = client.get(url).get_data(as_text=True)
    assert 'data-confirm="删除这条笔记？删除后无法恢复。"' in page  # asked first
    page = post_with_csrf(client, url, f"/articles/{article_id}/note", {"body": ""},
                          follow_redirects=True).get_data(as_text=True)
    assert "笔记已删除。" in page and "笔记已保存" not in page
    with app.app_context():
        assert db.session.scalar(select(func.count(ArticleNote.id))) == 0


@needs_shared
def test_the_search_page_leads_to_the_preamble(client, login, make_user, app):
    login(make_user("preamble-reader"))
    with app.app_context():
        law_id = import_text((LAWS / "宪法.md").read_bytes()).id
    page = client.get("/search", query_string={"q": "“历史最悠久”"}).get_data(as_text=True)
    assert f'href="/laws/{law_id}/preamble"' in page and "《宪法》序言" in page
    assert "<mark>历史最悠久</mark>" in page


def test_an_old_versions_article_can_still_be_marked(request_ctx):
    """A plan's 学习法条 item keeps the version it was made with and counts marks there:
    refusing 标记已学 on an old version (tried, and reverted) left such items undoable."""
    old = import_text()
    import_text(SMALL_LAW.replace("受法律保护".encode(), "受法律严格保护".encode()))
    article = db.session.scalar(select(LawArticle).filter_by(law_id=old.id, number=2))
    reader = _reader()
    services.set_studied(reader, article, True, utcnow())
    assert services.article_page(old, 2, 0, reader).studied
