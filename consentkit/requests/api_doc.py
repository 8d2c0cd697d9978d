"""The privacy requests' part of the OpenAPI document (``consentkit.openapi`` adds it)."""

from __future__ import annotations

from typing import Any

from .model import REQUEST_TYPES, REQUESTERS, STATUSES

_ERROR = {"$ref": "#/components/schemas/Error"}
_TEXT = {400: "Malformed or invalid input", 403: "Refused (cross-site, a bad form token, a wrong code too often, "
         "an agent without permission)", 404: "No such request or link", 409: "The request is not in that state",
         413: "Body over 8 KiB", 415: "Wrong content type", 429: "Too many requests",
         503: "Could not be done now; nothing changed"}


def _errors(*statuses: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for status in statuses:
        content: dict[str, Any] = {"application/json": {"schema": _ERROR}}
        if status != 413 and status != 415:
            content["text/html"] = {"schema": {"type": "string"}}
        out[str(status)] = {"description": _TEXT[status], "content": content}
    return out


def _both(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema},
            "application/x-www-form-urlencoded": {"schema": {**schema, "properties": {
                **schema["properties"], "csrf_token": {"type": "string"}}}}}


INTAKE = {
    "type": "object",
    "required": ["type", "contact"],
    "additionalProperties": False,
    "properties": {
        "type": {"type": "string", "enum": list(REQUEST_TYPES)},
        "contact": {"type": "string", "format": "email", "maxLength": 254,
                    "description": "The consumer's e-mail address: the code and the answer go there"},
        "requester": {"type": "string", "enum": list(REQUESTERS), "default": "consumer"},
        "name": {"type": "string", "maxLength": 500},
        "agent_name": {"type": "string", "maxLength": 500, "description": "An authorized agent's name"},
        "child_name": {"type": "string", "maxLength": 500, "description": "A parent's or guardian's child"},
        "permission": {"type": "boolean", "description": "The agent holds the consumer's signed permission, or "
                                                         "the parent or guardian states the relationship"},
        "correction": {"type": "string", "maxLength": 500, "description": "For correct: what is wrong and right"},
        "sensitive": {"type": "boolean", "description": "For delete: includes sensitive personal information"},
    },
}
VERIFY = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"code": {"type": "string", "maxLength": 32},
                   "declaration": {"type": "boolean", "description": "The signed declaration under penalty of "
                                                                     "perjury, where declaration_required"}},
}
STATUS = {
    "type": "object",
    "required": ["id", "type", "requester", "status", "received_at", "acknowledge_by", "respond_by", "extended_to",
                 "due"],
    "properties": {
        "id": {"type": "string"},
        "type": {"type": "string", "enum": list(REQUEST_TYPES)},
        "requester": {"type": "string", "enum": list(REQUESTERS)},
        "status": {"type": "string", "enum": list(STATUSES)},
        "received_at": {"type": "string", "format": "date-time"},
        "acknowledge_by": {"type": "string", "format": "date", "description": "10 business days after receipt"},
        "respond_by": {"type": "string", "format": "date", "description": "45 calendar days after receipt"},
        "extended_to": {"type": ["string", "null"], "format": "date", "description": "After the one extension"},
        "due": {"type": "string", "format": "date"},
        "verify": {"type": "string", "description": "Where to post the code (while status is received)"},
        "declaration_required": {"type": "boolean"},
        "reason": {"type": ["string", "null"], "description": "Why it was denied"},
    },
}


def paths(p: str) -> dict[str, Any]:
    """The request endpoints under the prefix ``p``."""
    status_ref = {"$ref": "#/components/schemas/PrivacyRequestStatus"}
    status_ok = {"application/json": {"schema": status_ref}, "text/html": {"schema": {"type": "string"}}}
    request_id = [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}]
    return {
        f"{p}/requests": {
            "get": {"summary": "The privacy request page: know, access, delete, correct, limit; no account, no "
                               "JavaScript", "responses": {"200": {"description": "The request form", "content": {
                                   "text/html": {"schema": {"type": "string"}}}}}},
            "post": {
                "summary": "Make a privacy request; a code goes to the contact (opt-out of sale is not a request: "
                           "use /opt-out)",
                "requestBody": {"required": True, "content": _both(INTAKE)},
                "responses": {"202": {"description": "Received: the id and the deadlines", "content": status_ok},
                              **_errors(400, 403, 413, 415, 429, 503)},
            },
        },
        f"{p}/requests/{{id}}": {
            "parameters": request_id,
            "get": {"summary": "A request's status and deadlines (no personal data)",
                    "responses": {"200": {"description": "The request", "content": status_ok}, **_errors(404)}},
        },
        f"{p}/requests/verify/{{id}}": {
            "parameters": request_id,
            "post": {"summary": "Verify with the code sent to the contact (and the declaration where required); "
                                "a request to know is then answered by e-mail with a single-use download link",
                     "requestBody": {"required": True, "content": _both(VERIFY)},
                     "responses": {"200": {"description": "Verified (and answered)", "content": status_ok},
                                   **_errors(400, 403, 404, 409, 413, 415, 429, 503)}},
        },
        f"{p}/requests/resend/{{id}}": {
            "parameters": request_id,
            "post": {"summary": "Send a new code (a few per request)",
                     "requestBody": {"required": False, "content": _both(
                         {"type": "object", "properties": {}, "additionalProperties": False})},
                     "responses": {"200": {"description": "Sent", "content": status_ok},
                                   **_errors(400, 403, 404, 409, 413, 415, 429, 503)}},
        },
        f"{p}/requests/download/{{token}}": {
            "parameters": [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"summary": "The download page (a button, so that following the link does not spend it)",
                    "responses": {"200": {"description": "The page", "content": {
                        "text/html": {"schema": {"type": "string"}}}}}},
            "post": {"summary": "The answer's package, once: a zip with data.json and a CSV per source",
                     "responses": {"200": {"description": "The package", "content": {
                         "application/zip": {"schema": {"type": "string", "format": "binary"}}}},
                         **_errors(403, 404, 503)}},
        },
    }


SCHEMAS = {"PrivacyRequest": INTAKE, "PrivacyRequestStatus": STATUS}

__all__ = ["SCHEMAS", "paths"]
