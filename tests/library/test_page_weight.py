"""The weight budget of a staff page (UI.md: under 60 KB transferred in all, HTML, CSS and
JS, here uncompressed) on the heaviest reading pages: the Civil Code's outline, a search
for one common character, an article. Each page and every stylesheet, script and icon it
links are fetched and added up."""

from __future__ import annotations

import re

import pytest

from lawlearn.extensions import db
from lawlearn.library import services
from tests.library.test_parsing import LAWS, needs_shared

BUDGET = 60 * 1024
ASSETS = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="(/static/[^"]+)"')


def weight(client, url: str) -> int:
    page = client.get(url)
    assert page.status_code == 200, url
    total = len(page.data)
    for asset in set(ASSETS.findall(page.get_data(as_text=True))):
        response = client.get(asset)
        assert response.status_code == 200, asset
        total += len(response.get_data())
        response.close()
    return total


@needs_shared
@pytest.mark.parametrize("path", ["", "/articles/1165", "search:法", "search:合同"])
def test_the_heaviest_reading_pages_keep_to_the_budget(app, client, login, make_user, path):
    login(make_user("reader"))
    with app.app_context():
        law = services.import_law(None, (LAWS / "民法典.md").read_bytes())
        db.session.commit()
        law_id = law.id
    url = f"/search?q={path[7:]}" if path.startswith("search:") else f"/laws/{law_id}{path}"
    assert weight(client, url) < BUDGET, url
