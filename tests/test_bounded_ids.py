"""Numbers no row can have, in a URL or a query string, are a plain 404 or an ignored filter,
never a 500 (PostgreSQL refuses them as "integer out of range"; SQLite overflows past 2**63)."""

from __future__ import annotations

import pytest

from lawlearn.converters import MAX_ID, NO_ROW, BoundedIntConverter, record_id

TOO_BIG = [str(MAX_ID + 1), "99999999999999999999"]

STAFF_PAGES = [
    "/practice/challenge/{n}",
    "/quizzes/{n}",
    "/attempts/{n}",
    "/attempts/{n}/review",
    "/laws/{n}",
    "/laws/{n}/articles/1",
    "/laws/1/articles/{n}",
    "/laws/1/articles/1-{n}",
    "/sessions/{n}",
    "/materials/attachments/{n}",
]
ADMIN_PAGES = [
    "/admin/quiz/quizzes/{n}/results",
    "/admin/sessions/{n}/absentees",
    "/admin/users/{n}",
]


def test_the_app_uses_the_bounded_converter_for_int(app):
    assert app.url_map.converters["int"] is BoundedIntConverter
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/practice/challenge/{MAX_ID}")[1] == {"run_id": MAX_ID}


@pytest.mark.parametrize("number", TOO_BIG)
@pytest.mark.parametrize("page", STAFF_PAGES)
def test_a_huge_id_in_a_staff_url_is_a_404(client, login, make_user, page, number):
    login(make_user())
    response = client.get(page.format(n=number))
    assert response.status_code == 404, page


@pytest.mark.parametrize("number", TOO_BIG)
@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_a_huge_id_in_an_admin_url_is_a_404(admin_client, page, number):
    assert admin_client.get(page.format(n=number)).status_code == 404, page


@pytest.mark.parametrize("number", TOO_BIG)
def test_a_huge_id_in_an_api_url_is_a_json_404(client, login, make_user, number):
    login(make_user())
    response = client.get(f"/api/v1/attempts/{number}")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_the_largest_id_still_reaches_the_view(client, login, make_user):
    login(make_user())
    # The view runs (and finds nothing): the bound does not cut off real ids.
    assert client.get(f"/quizzes/{MAX_ID}").status_code == 404
    assert client.get(f"/practice/challenge/{MAX_ID}").status_code == 404


@pytest.mark.parametrize("number", TOO_BIG)
@pytest.mark.parametrize(("page", "status", "text"), [
    ("/admin/audit?actor={n}", 200, "暂无操作记录"),
    ("/admin/users?department={n}", 200, "没有符合条件的用户"),
    ("/admin/quiz/questions?law={n}", 200, "没有符合条件的试题"),
    # The attendance report says the department is not there and reports on all of them.
    ("/admin/sessions/report?department={n}", 200, "所选的部门不存在，已不按它筛选。"),
])
def test_a_huge_id_in_a_filter_matches_nothing(admin_client, page, status, text, number):
    """As any id that names no row: an empty list, or a message where the page can say
    what it did instead."""
    response = admin_client.get(page.format(n=number))
    assert response.status_code == status, page
    assert text in response.get_data(as_text=True)


def test_record_id_keeps_possible_ids_and_turns_others_into_no_row():
    assert record_id("7") == 7 and record_id(str(MAX_ID)) == MAX_ID and record_id("-3") == -3
    assert record_id(str(MAX_ID + 1)) == record_id("99999999999999999999") == NO_ROW
    assert record_id(str(-MAX_ID - 2)) == NO_ROW
    with pytest.raises(ValueError):
        record_id("abc")


# Digits that str.isdigit() accepts and int() refuses ("²") or reads (full-width "４２"):
# pages that tested isdigit() before int() answered them with a 500.
ODD_DIGITS = ["²", "４２", "1²"]
ODD_DIGIT_PAGES = [
    "/reports/dashboard?year={n}",
    "/reports/dashboard?department={n}",
    "/admin/outreach/ledger?department={n}",
    "/admin/outreach/ledger?category={n}",
    "/admin/outreach/ledger.xlsx?campaign={n}",
    "/outreach/ledger?law={n}",
    "/reports/?department={n}",
    "/search?q=第{n}条",
]


@pytest.mark.parametrize("text", ODD_DIGITS)
@pytest.mark.parametrize("page", ODD_DIGIT_PAGES)
def test_odd_digits_in_a_query_are_refused_in_words(admin_client, page, text):
    response = admin_client.get(page.format(n=text))
    assert response.status_code in (200, 400), response.status_code


def test_plain_digits_are_ascii_digits_only():
    from lawlearn.converters import plain_digits

    assert plain_digits("2026") and not plain_digits("") and not plain_digits("-1")
    assert not any(plain_digits(text) for text in ODD_DIGITS)
