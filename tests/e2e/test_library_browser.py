"""Reading and searching statutes on a phone, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from lawlearn.extensions import db
from lawlearn.library import services
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone, log_in
from tests.library.test_parsing import LAWS, needs_shared


@needs_shared
def test_read_an_article_and_search_on_a_phone(app, live_server, phone, make_user):
    with app.app_context():
        law_id = services.import_law(None, (LAWS / "宪法.md").read_bytes()).id
        db.session.commit()
    make_user("reader", name="读者")
    page = phone.new_page()
    log_in(page, live_server, "reader")
    nav = page.get_by_role("navigation", name="主导航")
    nav.get_by_role("link", name="学习").click()
    page.get_by_role("link", name=re.compile("宪法")).first.click()
    expect(page.get_by_role("heading", name="中华人民共和国宪法")).to_be_visible()
    page.wait_for_load_state()  # the styles below are read once the stylesheet has applied
    # Chapters that open a page and chapters that unfold line up, each with one sign on the
    # right and no browser triangle on the left.
    rows = page.locator("section.card > ul.outline > li > a, "
                        "section.card > ul.outline > li > details > summary")
    assert rows.count() >= 4 and page.locator("section.card > ul.outline > li > details").count()
    assert len({round(x) for x in rows.locator(":scope > span").evaluate_all(
        "nodes => nodes.map(node => node.getBoundingClientRect().left)")}) == 1
    assert set(rows.evaluate_all("""nodes => nodes.map(node =>
        getComputedStyle(node, '::before').content + getComputedStyle(node, '::after').content)
        """)) == {'none"›"'}
    # The box on a law's page searches that law.
    expect(page.locator("#library-q-hint")).to_have_text("输入“12”可直达本法第十二条。")
    expect(page.get_by_role("searchbox")).to_have_attribute("placeholder", "在本法中搜索")
    page.get_by_text("第三章 国家机构").click()  # a collapsed chapter opens
    page.get_by_role("link", name=re.compile("第一节 全国人民代表大会")).click()
    expect(page.get_by_role("heading", name="第五十七条")).to_be_visible()
    page.wait_for_load_state()
    assert_fits_phone(page)

    statute = page.locator("article.statute")
    before = statute.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")
    page.get_by_role("button", name="增大字号").click()
    after = statute.evaluate("node => parseFloat(getComputedStyle(node).fontSize)")
    assert after > before
    screenshot(page, "article-phone")

    page.get_by_role("button", name="标记已学，下一条").click()
    expect(page.get_by_role("heading", name="第五十八条")).to_be_visible()
    page.get_by_role("link", name=re.compile("第五十七条")).first.click()
    expect(page.get_by_text("已学习")).to_be_visible()
    page.get_by_role("button", name="收藏本条").click()
    expect(page.get_by_role("button", name=re.compile("已收藏"))).to_be_visible()

    nav.get_by_role("link", name="学习").click()
    expect(page.locator("#library-q-hint")).to_have_text("输入“民法典 1165”可直达该条。")
    page.get_by_role("searchbox").fill("人权")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("mark").first).to_have_text("人权")
    assert_fits_phone(page)
    screenshot(page, "search-phone")
    page.get_by_role("searchbox").fill("宪法 33")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="《宪法》第三十三条").click()
    expect(page).to_have_url(re.compile(rf"/laws/{law_id}/articles/33$"))


def test_a_long_search_wraps_on_a_phone(live_server, phone, make_user):
    make_user("searcher")
    page = phone.new_page()
    log_in(page, live_server, "searcher")
    page.goto(f"{live_server}/search?q={'x' * 300}")
    expect(page.get_by_text(re.compile("没有找到与"))).to_be_visible()
    assert_fits_phone(page)


def test_a_note_emptied_and_saved_is_deleted_only_when_confirmed(app, live_server, phone,
                                                                 make_user):
    """Emptying the box and tapping 保存笔记 had deleted the note without a word, where 删除笔记
    asks first. Called off, the form can be sent again at once (no double-tap guard)."""
    from tests.library.test_library import SMALL_LAW

    with app.app_context():
        law_id = services.import_law(None, SMALL_LAW).id
        db.session.commit()
    user = make_user("noter")
    page = phone.new_page()
    log_in(page, live_server, user.username, user.password)
    page.goto(f"{live_server}/laws/{law_id}/articles/1")
    page.wait_for_load_state()
    page.locator("details#note summary").click()
    page.locator("textarea[name=body]").fill("个人信息受法律保护")
    page.get_by_role("button", name="保存笔记").click()
    page.wait_for_load_state()
    if not page.locator("details#note[open]").count():  # open after a save: the note is there
        page.locator("details#note summary").click()
    questions: list[str] = []
    answers = iter([False, True])

    def answer(dialog) -> None:
        questions.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    page.on("dialog", answer)
    page.locator("textarea[name=body]").fill("")
    page.get_by_role("button", name="保存笔记").click()
    assert questions == ["删除这条笔记？删除后无法恢复。"]
    expect(page.locator("textarea[name=body]")).to_have_value("")  # still on the page
    page.get_by_role("button", name="保存笔记").click()
    expect(page.get_by_text("笔记已删除。")).to_be_visible()
    assert len(questions) == 2
