"""The OpenAPI description of /api/v1. Each endpoint added to the API is described here;
a test fails when a route under /api/v1 is missing from this document."""

from __future__ import annotations

from typing import Any


def _error_responses(*statuses: int) -> dict[str, Any]:
    return {
        str(status): {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for status, description in {
            401: "Not authenticated",
            403: "Forbidden, CSRF failure or password change required",
            404: "Not found",
            409: "Conflict",
            422: "Invalid input",
            429: "Too many attempts",
        }.items()
        if status in statuses
    }


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


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "lawlearn API",
            "version": "1",
            "description": "Authenticate with POST /auth/token and send "
                           "`Authorization: Bearer <token>`; the site's own pages may use the "
                           "session cookie plus an X-CSRFToken header instead.",
        },
        "servers": [{"url": "/api/v1"}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                },
                "User": USER_SCHEMA,
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
                        }}},
                    },
                    "responses": {
                        "201": {"description": "Token issued", "content": {"application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["token", "expires_at", "user"],
                                "properties": {
                                    "token": {"type": "string"},
                                    "expires_at": {"type": "string", "format": "date-time"},
                                    "user": {"$ref": "#/components/schemas/User"},
                                },
                            }}}},
                        **_error_responses(403, 422, 429),
                    },
                },
                "delete": {
                    "summary": "Revoke the token used for this request",
                    "responses": {"204": {"description": "Revoked"},
                                  **_error_responses(401, 422)},
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
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI document"}},
                },
            },
        },
    }
