"""Schemathesis over every operation of /api/v1/openapi.json, in-process (WSGI), as a staff
member who has something to see: no 5xx, responses as the document describes them, errors
in JSON. Deterministic (derandomized) and bounded, so it is a regression test, not a hunt.

The operations are parametrized by hand rather than through ``schema.parametrize()``: the
schemathesis pytest plugin sets ``Function._nodeid``, which pytest 9 no longer has.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.accounts.services import issue_api_token
from lawlearn.api.openapi import openapi_document
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.practice import daily
from lawlearn.quiz import services as quiz_services
from lawlearn.quiz.models import Quiz
from lawlearn.sessions import tokens
from tests.conftest import PASSWORD
from tests.plans.test_admin_views import progress_plan
from tests.quiz.fixtures import SAMPLE
from tests.sessions.test_checkin import new_session

MAX_EXAMPLES = 20
FRESH_CHECKIN_TOKEN = "<fresh check-in token>"  # swapped for a live token when sent
# Operations that answer an admin differently: fuzzed as the admin too.
ALSO_AS_ADMIN = {("GET", "/sessions"), ("GET", "/sessions/{session_id}/checkin-token")}

# A schema-valid body can still be refused for what it means (a wrong password, a forged
# check-in token, an answer of the wrong shape): 400 and 422 are right there.
CONFIG = schemathesis.Config.from_dict({"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"]}}})


@dataclass
class World:
    staff_id: int
    admin_id: int
    ids: dict[str, list[int]]  # path parameters
    body_values: dict[str, list[Any]]


@pytest.fixture
def world(app, make_user, make_questions, make_quiz) -> World:
    """A staff member of a department with a published plan of every item kind, an open
    quiz with an attempt submitted and one in progress (and someone else's), a session open
    for check-in and today's practice set."""
    with app.app_context():
        today = local_day(utcnow())
    _plan_id, unit = progress_plan(app, today, 2, "执法局")
    staff = make_user("fuzzer", department_id=unit)
    other = make_user("bystander", department_id=unit)
    admin = make_user("root", roles=("admin", "staff"))
    question_ids = make_questions(SAMPLE)
    open_quiz = make_quiz(question_ids, attempts_allowed=None)
    session_id = new_session(app, utcnow() + timedelta(minutes=5))
    with app.app_context():
        now = utcnow()
        user, bystander = db.session.get(User, staff.id), db.session.get(User, other.id)
        quiz = db.session.get(Quiz, open_quiz)
        done, _ = quiz_services.start_attempt(user, quiz, now)
        quiz_services.submit_attempt(done, now)
        current, _ = quiz_services.start_attempt(user, quiz, now)
        theirs, _ = quiz_services.start_attempt(bystander, quiz, now)
        todays = daily.get_or_create_set(user, now)
        db.session.commit()
        ids = {"quiz_id": list(db.session.scalars(select(Quiz.id))),
               "attempt_id": [current.id, done.id, theirs.id],
               "question_id": question_ids, "session_id": [session_id]}
        # NUL: PostgreSQL refuses it in any text parameter; random text rarely holds one.
        body_values = {"question_id": [item.question_id for item in todays.items],
                       "token": [FRESH_CHECKIN_TOKEN, "1.2\x00"],
                       "username": [staff.username, "nul\x00byte"], "password": [PASSWORD],
                       "answer": [None, "B", ["A", "B"], True, ["宪法"], ["\x00宪法"]]}
        return World(staff.id, admin.id, ids, body_values)


def _operations() -> list[tuple[str, str, str]]:
    document = openapi_document()
    staff = [("staff", method.upper(), path) for path, item in document["paths"].items()
             for method in item]
    return staff + [("admin", method, path) for _role, method, path in staff
                    if (method, path) in ALSO_AS_ADMIN]


def _known_values(operation, world: World):
    """Cases whose ids exist (random ones are nearly all 404) and whose body carries a live
    check-in token, a question of today's set, a well-formed answer or the right password,
    so that the code behind the 404s and 422s is reached too; None when nothing is known."""
    names = re.findall(r"\{(\w+)\}", operation.path)
    body = operation.definition.raw.get("requestBody", {})
    properties = (body.get("content", {}).get("application/json", {}).get("schema", {})
                  .get("properties", {}))
    known = {name: st.sampled_from(world.body_values[name])
             for name in properties if name in world.body_values}
    if not names and not known:
        return None
    combos = [dict(zip(names, values, strict=True))
              for values in itertools.product(*(world.ids[name] for name in names))]

    def with_body(pair):
        case, values = pair
        if values:
            case.body = {**case.body, **values}
        return case

    return st.sampled_from(combos).flatmap(lambda params: st.tuples(
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=params),
        st.fixed_dictionaries(known)).map(with_body))


def _bearer(app, user_id: int) -> dict[str, str]:
    with app.app_context():
        raw, _token = issue_api_token(db.session.get(User, user_id), utcnow())
        db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


@pytest.mark.parametrize(("role", "method", "path"), _operations(),
                         ids=lambda value: str(value))
def test_operation(role, method, path, app, world):
    """Schema-valid and schema-invalid cases of one operation: no 5xx, answers as documented
    (status, content type, body schema), every error a JSON object."""
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    schema = schemathesis.openapi.from_dict(document, config=CONFIG)
    schema.app = app
    operation = schema[path][method]
    strategies = [operation.as_strategy(GenerationMode.POSITIVE),
                  operation.as_strategy(GenerationMode.NEGATIVE)]
    known = _known_values(operation, world)
    strategy = st.one_of(*strategies, *([known] if known is not None else []))
    user_id = world.admin_id if role == "admin" else world.staff_id
    headers = _bearer(app, user_id)

    @given(case=strategy)
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        if isinstance(case.body, dict) and case.body.get("token") == FRESH_CHECKIN_TOKEN:
            with app.app_context():
                case.body = {**case.body, "token": tokens.make_token(
                    world.ids["session_id"][0], utcnow())}
        # Revoking spends the token: that case gets one of its own.
        auth = _bearer(app, user_id) if (method, path) == ("DELETE", "/auth/token") else headers
        response = case.call_and_validate(headers=auth)
        if response.status_code >= 400:
            assert response.headers.get("content-type") == ["application/json"], response.text
            assert set(response.json()) == {"error", "message"}, response.text

    check()
