"""The OpenAPI description of /api/v1. Each endpoint added to the API is described here;
a test fails when a route under /api/v1 is missing from this document."""

from __future__ import annotations

from typing import Any

from lawlearn.api.openapi_errors import ERROR_SCHEMA, complete_refusals
from lawlearn.api.plans_api import ME_PROGRESS_OPENAPI


def _error_responses(*statuses: int) -> dict[str, Any]:
    """The refusals an operation may give; openapi_errors describes each with its codes."""
    return {str(status): {"description": ""} for status in statuses}


USER_SCHEMA = {
    "type": "object",
    "required": ["id", "username", "name", "department", "roles", "must_change_password"],
    "properties": {
        "id": {"type": "integer"},
        "username": {"type": "string"},
        "name": {"type": "string"},
        "department": {"type": ["string", "null"]},
        "department_id": {"type": ["integer", "null"]},
        "roles": {"type": "array",
                  "items": {"type": "string", "enum": ["staff", "dept_lead", "leader", "admin"]}},
        "active": {"type": "boolean"},
        "must_change_password": {"type": "boolean"},
    },
}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


QUIZ_SCHEMAS: dict[str, Any] = {
    "QuizCard": {
        "type": "object",
        "required": ["id", "title", "attempts_allowed", "attempts_used", "attempts_left", "open"],
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"},
            "description": {"type": "string"}, "is_exam": {"type": "boolean"},
            "opens_at": {"type": ["string", "null"], "format": "date-time"},
            "closes_at": {"type": ["string", "null"], "format": "date-time"},
            "time_limit_minutes": {"type": ["integer", "null"]},
            "attempts_allowed": {"type": ["integer", "null"]},
            "attempts_used": {"type": "integer"},
            "attempts_left": {"type": ["integer", "null"]},
            "open": {"type": "boolean"},
            "in_progress_attempt_id": {"type": ["integer", "null"]},
            "score": {"type": ["number", "null"]}, "pass_percent": {"type": "integer"},
        },
    },
    "AttemptQuestion": {
        "type": "object",
        "required": ["id", "type", "stem", "options", "blanks"],
        "properties": {
            "id": {"type": "integer"}, "position": {"type": "integer"},
            "type": {"type": "string", "enum": ["single", "multiple", "true_false", "fill"]},
            "stem": {"type": "string"}, "points": {"type": "number"},
            "options": {"type": "array", "items": {
                "type": "object", "required": ["key", "text"],
                "properties": {"key": {"type": "string"}, "text": {"type": "string"}}}},
            "blanks": {"type": "integer"},
        },
    },
    "Result": {
        "type": "object",
        "required": ["score", "max_score", "passed", "submitted_at"],
        "properties": {"score": {"type": ["number", "null"]}, "max_score": {"type": "number"},
                       "passed": {"type": ["boolean", "null"]},
                       "submitted_at": {"type": ["string", "null"], "format": "date-time"}},
    },
    "Attempt": {
        "type": "object",
        "required": ["id", "deadline", "questions"],
        "properties": {
            "id": {"type": "integer"}, "quiz_id": {"type": "integer"},
            "number": {"type": "integer"},
            "started_at": {"type": "string", "format": "date-time"},
            "deadline": {"type": ["string", "null"], "format": "date-time"},
            "submitted": {"type": "boolean"},
            "questions": {"type": "array", "items": {"$ref": "#/components/schemas/AttemptQuestion"}},
            "answers": {"type": "object", "description": "question id → saved answer",
                        "additionalProperties": {
                            "type": ["string", "array", "boolean", "null"],
                            "items": {"type": "string"}}},
            "result": {"$ref": "#/components/schemas/Result"},
            "review": {"type": "array", "items": {"type": "object"},
                       "description": "right answers and explanations, when the quiz shows them"},
        },
    },
}

QUIZ_PATHS: dict[str, Any] = {
    "/quizzes": {"get": {
        "summary": "Open quizzes for me, with attempts left",
        "responses": {"200": _json({"type": "array", "items": _ref("QuizCard")}, "Quizzes"),
                      **_error_responses(401, 403)}}},
    "/quizzes/{quiz_id}/attempts": {"post": {
        "summary": "Start an attempt, or get the one in progress",
        "parameters": [{"name": "quiz_id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "responses": {"201": _json(_ref("Attempt"), "Started"),
                      "200": _json(_ref("Attempt"), "Already in progress"),
                      **_error_responses(401, 403, 404, 409)}}},
    "/attempts/{attempt_id}": {"get": {
        "summary": "One of my attempts",
        "parameters": [{"name": "attempt_id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "responses": {"200": _json(_ref("Attempt"), "The attempt"),
                      **_error_responses(401, 404)}}},
    "/attempts/{attempt_id}/answers/{question_id}": {"put": {
        "summary": "Save one answer",
        "parameters": [{"name": "attempt_id", "in": "path", "required": True,
                        "schema": {"type": "integer"}},
                       {"name": "question_id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["answer"],
            "properties": {"answer": {"description": '"A", ["A","C"], true, or ["…"] per blank; '
                                                     'null clears'}},
            "examples": [{"answer": "B"}, {"answer": ["A", "C"]}, {"answer": True},
                         {"answer": ["十八"]}, {"answer": None}]}}}},
        "responses": {"200": _json({
            "type": "object", "required": ["question_id", "answer", "saved_at"],
            "properties": {"question_id": {"type": "integer"},
                           "answer": {"description": "the answer as stored: \"A\", "
                                                     "[\"A\",\"C\"], true, [\"…\"] or null"},
                           "saved_at": {"type": "string", "format": "date-time"}},
            "examples": [{"question_id": 12, "answer": ["A", "C"],
                          "saved_at": "2026-12-01T02:03:04.567890Z"}]}, "Saved"),
                      **_error_responses(401, 403, 404, 409, 422)}}},
    "/attempts/{attempt_id}/submit": {"post": {
        "summary": "Submit and grade (idempotent)",
        "parameters": [{"name": "attempt_id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "responses": {"200": _json(_ref("Result"), "The result"),
                      **_error_responses(401, 403, 404)}}},
}


SESSION_SCHEMAS: dict[str, Any] = {
    "StudySession": {
        "type": "object",
        "required": ["id", "title", "starts_at", "ends_at", "place", "checkin_open", "my_status"],
        "properties": {
            "id": {"type": "integer"}, "title": {"type": "string"}, "kind": {"type": "string"},
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "place": {"type": "string"}, "checkin_open": {"type": "boolean"},
            "cancelled": {"type": "boolean"},
            "my_status": {"type": ["string", "null"],
                          "enum": ["present", "late", "excused", "absent", "pending_quiz", None]},
        },
    },
    "CheckinToken": {
        "type": "object",
        "required": ["token", "expires_in", "url", "code"],
        "properties": {
            "token": {"type": "string", "description": "signed (session, 10-second window)"},
            "expires_in": {"type": "integer",
                           "description": "seconds until refused (its window and the next)"},
            "rotates_in": {"type": "integer", "description": "seconds until the next token"},
            "url": {"type": "string", "format": "uri", "description": "what the QR code holds"},
            "code": {"type": "string", "pattern": "^[0-9]{6}$",
                     "description": "six-digit fallback code (typed: lasts longer)"},
            "code_expires_in": {"type": "integer",
                                "description": "seconds until the code is refused (its "
                                               "window and the three after)"},
        },
    },
    "Checkin": {
        "type": "object",
        "required": ["session_id", "status", "checked_in_at"],
        "properties": {
            "session_id": {"type": "integer"},
            "status": {"type": "string", "enum": ["present", "late", "pending_quiz", "excused",
                                                  "absent"]},
            "checked_in_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}

SESSION_PATHS: dict[str, Any] = {
    "/sessions": {"get": {
        "summary": "Sessions of the last 30 days and upcoming: mine (staff) or all (admin)",
        "responses": {"200": _json({"type": "array", "items": _ref("StudySession")}, "Sessions"),
                      **_error_responses(401, 403)}}},
    "/sessions/{session_id}/checkin-token": {"get": {
        "summary": "The current check-in token, its URL and fallback code (admin only)",
        "parameters": [{"name": "session_id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "responses": {"200": _json(_ref("CheckinToken"), "The token of this window"),
                      **_error_responses(401, 403, 404)}}},
    "/checkins": {"post": {
        "summary": "Check in with a scanned token, or the six-digit code typed from the "
                   "projector (idempotent: a repeat returns the first record)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "oneOf": [{"type": "object", "required": ["token"],
                       "properties": {"token": {"type": "string"}}},
                      {"type": "object", "required": ["code"],
                       "properties": {"code": {"type": "string",
                                               "description": "six digits (full width and "
                                                              "spaces are read)"}}}],
            "examples": [{"token": "MTIzOjE3…"},  # nosec B105 - an example, no secret
                         {"code": "439878"}]}}}},
        "responses": {"201": _json(_ref("Checkin"), "Checked in"),
                      "200": _json(_ref("Checkin"), "Already checked in: the first record"),
                      **_error_responses(400, 401, 403, 404, 409, 422, 429)}}},
}


PRACTICE_SCHEMAS: dict[str, Any] = {
    "DailySet": {
        "type": "object",
        "required": ["date", "questions", "answered"],
        "properties": {
            "date": {"type": "string", "format": "date",
                     "description": "the local day the set belongs to"},
            "questions": {"type": "array", "items": _ref("AttemptQuestion"),
                          "description": "empty when there is nothing to practise today"},
            "answered": {"type": "array", "items": {"type": "integer"},
                         "description": "ids of the questions already answered today"},
            "completed": {"type": "boolean"},
            "exam": {"type": ["object", "null"],
                     "description": "the exam the set prepares for (exam-date mode)",
                     "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                                    "opens_at": {"type": "string", "format": "date-time"},
                                    "days_left": {"type": "integer"}}},
        },
    },
    "DailyFeedback": {
        "type": "object",
        "required": ["correct", "explanation", "next_due", "points_awarded"],
        "properties": {
            "question_id": {"type": "integer"},
            "correct": {"type": "boolean", "description": "of the answer just sent"},
            "response": {"description": "the answer just sent, in canonical form"},
            "answer": {"description": "the right answer"},
            "explanation": {"type": "string"},
            "article": {"type": ["object", "null"],
                        "properties": {"law_id": {"type": "integer"},
                                       "number": {"type": "integer"},
                                       "label": {"type": "string"}, "law": {"type": "string"}}},
            "next_due": {"type": ["string", "null"], "format": "date-time",
                         "description": "when the question comes back for review"},
            "points_awarded": {"type": "integer",
                               "description": "0 for a repeat or an answer faster than reading"},
            "too_fast": {"type": "boolean",
                         "description": "answered faster than reading: no points, and the "
                                        "day earns no completion bonus nor streak day"},
            "completed": {"type": "boolean", "description": "today's set is done"},
            "repeated": {"type": "boolean",
                         "description": "already answered: the first answer is kept"},
        },
    },
}

PRACTICE_PATHS: dict[str, Any] = {
    "/practice/daily": {"get": {
        "summary": "Today's daily practice set (chosen once a day; all questions marked shown)",
        "responses": {"200": _json(_ref("DailySet"), "Today's set"),
                      **_error_responses(401, 403)}}},
    "/practice/answers": {"post": {
        "summary": "Answer a question of today's set and get feedback (a repeat pays 0)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["question_id", "answer"],
            "properties": {"question_id": {"type": "integer"},
                           "answer": {"description": '"A", ["A","C"], true, or ["…"] per '
                                                     'blank'}}}}}},
        "responses": {"200": _json(_ref("DailyFeedback"), "Graded, with feedback"),
                      **_error_responses(401, 403, 409, 422)}}},
}


def openapi_document() -> dict[str, Any]:
    document = _document()
    complete_refusals(document["paths"])
    return document


def _document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "lawlearn API",
            "version": "1",
            "description": "Authenticate with POST /auth/token and send "
                           "`Authorization: Bearer <token>` (a token sent beside the site's "
                           "cookie is the one that counts); the site's own pages may use the "
                           "session cookie plus an X-CSRFToken header instead. Every refusal "
                           "is JSON {error, message}: `error` a stable code, `message` "
                           "Chinese for people. A method a path does not take is a 405 with "
                           "an Allow header.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Error": ERROR_SCHEMA,
                "User": USER_SCHEMA,
                "IssuedToken": {
                    "type": "object", "required": ["token", "expires_at", "user"],
                    "properties": {"token": {"type": "string"},
                                   "expires_at": {"type": "string", "format": "date-time"},
                                   "user": _ref("User")}},
                **QUIZ_SCHEMAS,
                **SESSION_SCHEMAS,
                **PRACTICE_SCHEMAS,
            },
        },
        "security": [{"bearer": []}, {"session": []}],
        "paths": {
            "/auth/token": {
                "post": {
                    "summary": "Issue a bearer token",
                    "security": [],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "required": ["username", "password"],
                            "properties": {"username": {"type": "string"},
                                           "password": {"type": "string"}},
                            "examples": [{"username": "staff01", "password": "…"}],  # nosec B105 - an example
                        }}},
                    },
                    "responses": {
                        "201": _json(_ref("IssuedToken"), "Token issued"),
                        **_error_responses(401, 403, 422, 429),
                    },
                },
                "delete": {
                    "summary": "Revoke the token used for this request",
                    "responses": {"204": {"description": "Revoked"},
                                  **_error_responses(401, 403, 422)},
                },
            },
            "/me": {
                "get": {
                    "summary": "The current user",
                    "responses": {
                        "200": {"description": "The user", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/User"}}}},
                        **_error_responses(401),
                    },
                },
            },
            "/me/password": {"post": {
                "summary": "Change my password (the initial one too); every token of mine is "
                           "revoked and a new one returned",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["current_password", "new_password"],
                    "properties": {"current_password": {"type": "string"},
                                   "new_password": {"type": "string"}}}}}},
                "responses": {"200": _json(_ref("IssuedToken"), "Changed: a new token"),
                              **_error_responses(401, 403, 422, 429)}}},
            "/me/progress": ME_PROGRESS_OPENAPI,
            **QUIZ_PATHS,
            **SESSION_PATHS,
            **PRACTICE_PATHS,
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI document"}},
                },
            },
        },
    }
