"""Layout parts rendered once per language (lawlearn.fragments): the staff tab bar."""

from __future__ import annotations

import re

import pytest

from tests.conftest import post_with_csrf

CURRENT_TAB = re.compile(r'<a href="([^"]+)" class="tab current"\s+aria-current="page">')


def tab_bar(response) -> str:
    html = response.get_data(as_text=True)
    return html[html.index('<nav class="bottom-nav"'):html.index("</nav>", html.index(
        '<nav class="bottom-nav"'))]


def test_each_page_marks_its_own_tab_after_the_bar_is_cached(app, client, login, make_user):
    login(make_user())
    for _round in range(2):  # the second round is served from the cache
        for url, current in (("/", "/"), ("/quizzes", "/quizzes"), ("/me", "/me"),
                             ("/study", "/study"), ("/checkin", "/checkin")):
            response = client.get(url)
            assert response.status_code == 200, url
            assert CURRENT_TAB.findall(tab_bar(response)) == [current], url
    bars = [key for key in app.extensions["lawlearn_fragments"]
            if key[0] == "partials/bottom_nav.html"]
    assert len(bars) == 5  # one per tab, each rendered once


def test_the_bar_follows_the_language(client, login, make_user):
    login(make_user())
    assert "答题" in tab_bar(client.get("/quizzes"))
    post_with_csrf(client, "/me", "/language", {"locale": "en", "next": "/me"})
    english = tab_bar(client.get("/quizzes"))
    assert "答题" not in english and "Quizzes" in english
    post_with_csrf(client, "/me", "/language", {"locale": "zh_CN", "next": "/me"})
    assert "答题" in tab_bar(client.get("/quizzes"))


@pytest.mark.app_config(DEBUG=True)
def test_nothing_is_cached_while_debugging(app, client, login, make_user):
    """Template edits show at once during development."""
    login(make_user())
    client.get("/quizzes")
    assert app.extensions["lawlearn_fragments"] == {}
