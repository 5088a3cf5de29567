"""Every outreach route, enumerated from the URL map (so a route added later is covered too):
admin routes refuse staff, department leads and leaders; other departments reach none of an
event's routes; every POST needs its CSRF token; no GET changes anything."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.outreach import photos, stall
from lawlearn.outreach.categories import add_category
from lawlearn.outreach.models import Campaign, OutreachEvent, OutreachPhoto, StallQuiz
from tests.conftest import csrf_from
from tests.outreach.test_events import People, draft, make_people, user
from tests.outreach.test_photos import jpeg
from tests.outreach.test_stall import BANK

BLUEPRINTS = ("outreach", "outreach_admin", "stall")
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass
class Ledger:
    people: People
    values: dict[str, object]  # a value for each URL parameter


@pytest.fixture
def ledger(app, make_department, make_user, make_questions, admin) -> Ledger:
    people = make_people(make_department, make_user, admin)
    make_questions(BANK)
    with app.app_context():
        event = draft(people, participants=320)
        # Held today: its stall quiz takes answers (only until 12 hours after the event).
        event.starts_at, event.ends_at = utcnow() - timedelta(hours=1), utcnow()
        photo = photos.add_photo(user(people.author), event, "a.jpg", jpeg(), utcnow())
        campaign = Campaign(title="2024年宪法宣传周", starts_on=event.starts_at.date(),
                            ends_on=event.starts_at.date())
        extra = add_category(user(admin), "进家庭")
        db.session.add(campaign)
        quiz = stall.open_stall_quiz(None, event, now=utcnow(), count=3, collect_phone=True,
                                     rng=random.Random(1))
        db.session.commit()
        values = {"event_id": event.id, "photo_id": photo.id, "campaign_id": campaign.id,
                  "category_id": extra.id, "export_format": "xlsx", "token": quiz.token}
    return Ledger(people, values)


def routes(app, *blueprints: str, method: str, needs: str | None = None) -> list[str]:
    """The URL rules of ``blueprints`` answering ``method`` (only those with the parameter
    ``needs`` when given)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in blueprints or method not in rule.methods:
            continue
        if needs and needs not in rule.arguments:
            continue
        found.append(rule.rule)
    return sorted(set(found))


def filled(url: str, values: dict[str, object]) -> str:
    return PARAMETER.sub(lambda match: str(values[match.group(1)]), url)


def state(app) -> tuple:
    """What a refused request must leave as it was."""
    with app.app_context():
        return _state()


def _state() -> tuple:
    event = db.session.scalar(select(OutreachEvent))
    quiz = db.session.scalar(select(StallQuiz))
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "outreach"
    return (db.session.scalar(select(func.count()).select_from(AuditEntry)),
            (event.title, event.status, event.participants, event.quiz_completions),
            db.session.scalar(select(func.count()).select_from(OutreachPhoto)),
            db.session.scalar(select(func.count()).select_from(Campaign)),
            (quiz.open, len(quiz.question_ids)),
            sorted(p.name for p in folder.rglob("*") if p.is_file()))


def everything_posted() -> dict:
    """Form fields any outreach form might want, so that only the guard can refuse."""
    return {"title": "改掉", "comment": "退回", "name": "进宗教场所", "count": "3",
            "featured": "1", "starts_on": "2025-12-01", "ends_on": "2025-12-07"}


def log_in(client, ref) -> None:
    token = csrf_from(client.get("/login"))
    client.post("/login", data={"username": ref.username, "password": ref.password,
                                "csrf_token": token})


def test_anonymous_visitors_reach_only_the_public_quiz(app, client, ledger):
    values = ledger.values
    for url in routes(app, "outreach", "outreach_admin", method="GET"):
        response = client.get(filled(url, values))
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url
    assert client.get(filled("/q/<token>", values)).status_code == 200


def test_every_admin_route_refuses_staff_leads_and_leaders(app, ledger, make_user):
    people, values = ledger.people, ledger.values
    leader = make_user("zhuren", roles=("leader", "staff"), department_id=people.section)
    before = state(app)
    gets = routes(app, "outreach_admin", method="GET")
    posts = routes(app, "outreach_admin", method="POST")
    assert len(gets) >= 15 and len(posts) >= 14
    for ref in (people.author, people.lead, people.unit_lead, leader):
        client = app.test_client()
        log_in(client, ref)
        token = csrf_from(client.get("/outreach/"))
        for url in gets:
            assert client.get(filled(url, values)).status_code == 403, (ref.username, url)
        for url in posts:
            response = client.post(filled(url, values),
                                   data={**everything_posted(), "csrf_token": token})
            assert response.status_code == 403, (ref.username, url)
    assert state(app) == before


def test_other_departments_reach_none_of_an_events_routes(app, ledger):
    people, values = ledger.people, ledger.values
    before = state(app)
    for ref in (people.other_staff, people.other_lead):
        client = app.test_client()
        log_in(client, ref)
        token = csrf_from(client.get("/outreach/"))
        for needs in ("event_id", "photo_id"):
            for url in routes(app, "outreach", method="GET", needs=needs):
                assert client.get(filled(url, values)).status_code == 404, url
            for url in routes(app, "outreach", method="POST", needs=needs):
                response = client.post(filled(url, values),
                                       data={**everything_posted(), "csrf_token": token})
                assert response.status_code == 404, (ref.username, url)
        listing = client.get("/outreach/").get_data(as_text=True)
        assert "宪法宣传周进社区" not in listing
    assert state(app) == before


def test_every_post_needs_its_csrf_token(app, ledger, admin_client):
    values = ledger.values
    before = state(app)
    posts = routes(app, *BLUEPRINTS, method="POST")
    assert len(posts) >= 20
    for url in posts:
        response = admin_client.post(filled(url, values), data=everything_posted())
        assert response.status_code == 400, url
    assert state(app) == before


def test_no_get_changes_anything(app, ledger, admin_client):
    values = ledger.values
    before = state(app)
    for url in routes(app, *BLUEPRINTS, method="GET"):
        response = admin_client.get(filled(url, values))
        assert response.status_code == 200, url
        response.close()
    assert state(app) == before
