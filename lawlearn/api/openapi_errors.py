"""What the API answers when it refuses, for its OpenAPI description: the Error body, and
for each operation the statuses it may give with the error codes a client can act on.

A client reads ``error`` (a stable code) and shows ``message`` (Chinese, for people)."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string",
                  "description": "a stable code for programs; each operation's responses "
                                 "name the codes it gives"},
        "message": {"type": "string", "description": "what to tell the person (Chinese)"},
        "reference": {"type": "string",
                      "description": "a server error's reference (500 only): the server's "
                                     "log names the error by it"},
    },
    "examples": [{"error": "attempt_closed", "message": "本次答题已结束，答案未保存。"}],
}

# What any operation may meet, unless REFUSALS names its own codes for the status.
GENERAL = {
    401: "unauthorized: no valid bearer token or session (WWW-Authenticate says how)",
    404: "not_found: no such thing, or not yours (another person's attempt is a 404)",
    413: "too_large: the request body is larger than the site accepts",
}
NUL_REFUSED = "invalid_characters: a NUL character in the path, query or body"
OWES_NEW_CREDENTIALS = ("password_change_required: the account must change its initial password "
                 "on the site first")
CSRF_FAILED = "csrf_failed: a cookie session's change without a valid X-CSRFToken header"

# (path, method) → status → its error codes (beyond GENERAL's).
REFUSALS: dict[tuple[str, str], dict[int, str]] = {
    ("/auth/token", "post"): {
        401: "invalid_credentials",
        403: "account_inactive: the account was deactivated",
        422: "invalid_json: the body is not a JSON object; invalid: username or password "
             "missing or not text",
        429: "too_many_requests: too many attempts from this address in a minute; "
             "account_locked: too many wrong passwords (Retry-After: the lock's time left)",
    },
    ("/auth/token", "delete"): {
        422: "no_token: the request was not made with a token (a cookie session)",
    },
    ("/me/password", "post"): {
        422: "invalid: a field missing or not text; wrong_password: the current password is "
             "wrong (counted as a failed sign-in); same_password; weak_password: the new one "
             "breaks the password rules (the message lists them)",
        429: "too_many_requests; account_locked: too many wrong passwords",
    },
    ("/quizzes/{quiz_id}/attempts", "post"): {
        409: "quiz_closed: outside the quiz's open window; no_attempts_left; no_questions, "
             "not_enough_questions: the quiz cannot be drawn (ask an admin)",
    },
    ("/attempts/{attempt_id}/answers/{question_id}", "put"): {
        404: "not_found: no such attempt of yours, or the question is not in it",
        409: "attempt_closed: submitted, or its deadline passed (then it is submitted)",
        422: "invalid_json: no {\"answer\": …}; invalid_answer: not a possible answer to "
             "this question's type and options",
    },
    ("/sessions/{session_id}/checkin-token", "get"): {
        403: "forbidden: for admins only (the projector's token)",
    },
    ("/checkins", "post"): {
        400: "invalid_token: not a token this site signed; expired_token: its window has "
             "passed (scan the newest code)",
        409: "not_expected: you are not in the session's audience; checkin_closed: its "
             "check-in is not open (or, for a code, no session of yours is open)",
        422: "invalid_json: neither {\"token\": …} nor {\"code\": …}; invalid_code: not six "
             "digits, or not the code of a session open now",
        429: "too_many_requests: ten wrong codes a minute (the 签到 page's count too)",
    },
    ("/practice/answers", "post"): {
        409: "not_in_todays_set",
        422: "invalid_json; invalid_answer",
    },
}

DESCRIPTIONS = {400: "Bad request", 401: "Not authenticated", 403: "Forbidden",
                404: "Not found", 409: "Conflict", 413: "Request body too large",
                422: "Invalid input", 429: "Too many requests"}
# Reachable while the account still owes a new password (api.auth.PASSWORD_CHANGE_EXEMPT).
NO_PASSWORD_CHECK = {("/auth/token", "post"), ("/auth/token", "delete"), ("/me", "get"),
                     ("/me/password", "post"), ("/openapi.json", "get")}


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def complete_refusals(paths: dict[str, Any]) -> None:
    """Give every operation the refusals any request may meet (400, 401 and 403 when signed
    in, 413 with a body) and name the error codes of each status it lists."""
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            statuses = {int(status) for status in responses if status.startswith(("4", "5"))}
            statuses.add(400)
            if operation.get("security") != []:
                statuses.add(401)
                if (path, method) not in NO_PASSWORD_CHECK:
                    statuses.add(403)
            if "requestBody" in operation:
                statuses.add(413)
            codes = dict(GENERAL) | REFUSALS.get((path, method), {})
            codes[400] = "; ".join(filter(None, (codes.get(400), NUL_REFUSED)))
            if 403 in statuses:
                codes[403] = "; ".join(filter(None, (
                    codes.get(403),
                    OWES_NEW_CREDENTIALS if (path, method) not in NO_PASSWORD_CHECK else None,
                    CSRF_FAILED if method != "get" and (path, method) != ("/auth/token", "post")
                    else None)))
            for status in sorted(statuses):
                said = codes.get(status)
                described = responses.get(str(status), {}).get("description") or \
                    DESCRIPTIONS.get(status, "Refused")
                responses[str(status)] = _error(f"{described}. {said}" if said else described)
