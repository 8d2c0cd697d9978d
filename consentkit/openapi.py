"""The OpenAPI 3 document of the consent endpoints (``GET /consentkit/openapi.json``),
built from the policy so that category names are part of the schema."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from .call import Call, Handler
from .kit import ConsentKit
from .requests import api_doc as requests_doc
from .state import AGE_BANDS, PARENTAL_STATUSES

_ERROR = {"$ref": "#/components/schemas/Error"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/html": {"schema": {"type": "string"}}}}


def _errors(*statuses: int) -> dict[str, Any]:
    text = {400: "Malformed or invalid input", 403: "Cross-site request refused", 404: "Not found",
            409: "Conflicts with an earlier answer", 410: "Expired", 413: "Body over 8 KiB", 415: "Wrong content type",
            429: "Too many requests", 503: "Could not be done now; nothing changed"}
    out = {str(s): _json(_ERROR, text[s]) for s in statuses}
    for status in (400, 403, 404):  # pages answer a browser's mistakes with a page
        if status in statuses:
            out[str(status)]["content"]["text/html"] = {"schema": {"type": "string"}}
    return out


def document(kit: ConsentKit) -> dict[str, Any]:
    """The OpenAPI document for this kit's policy and prefix."""
    policy, p = kit.policy, kit.prefix
    bool_per_category = {
        "type": "object",
        "properties": {cid: {"type": "boolean"} for cid in policy.category_ids},
        "required": list(policy.category_ids),
        "additionalProperties": False,
    }
    choices = {
        "type": "object",
        "properties": {
            cid: ({"type": "boolean", "enum": [True]} if policy.category(cid).required else {"type": "boolean"})
            for cid in policy.category_ids
        },
        "additionalProperties": False,
    }
    bool_per_service = {
        "type": "object",
        "description": "Every declared service's value: its category's unless chosen on its own",
        "properties": {sid: {"type": "boolean"} for sid in policy.service_ids},
        "required": list(policy.service_ids),
        "additionalProperties": False,
    }
    services = {
        "type": "object",
        "description": "Single services granted (or refused) on their own; a category named in choices covers "
                       "all its services",
        "properties": {sid: {"type": "boolean"} for sid in policy.service_ids},
        "additionalProperties": False,
    }
    date_time = {"type": ["string", "null"], "format": "date-time"}
    state = {
        "type": "object",
        "required": ["visitor_id", "policy_version", "mode", "categories", "decided", "prompt", "gpc",
                     "sale_opt_out", "reprompt_not_before", "age_band", "parental_consent", "updated_at",
                     "expires_at", "usprivacy", "gpp", "gpp_sid", "region", "sensitive_limited"],
        "properties": {
            "visitor_id": {"type": "string"},
            "policy_version": {"type": "string"},
            "mode": {"type": "string", "enum": ["opt_in", "opt_out"]},
            "categories": bool_per_category,
            "services": bool_per_service,
            "decided": {"type": "boolean"},
            "prompt": {"type": "boolean"},
            "gpc": {"type": "boolean"},
            "sale_opt_out": {"type": "boolean"},
            "sale_opt_in": {"type": "boolean"},
            "reprompt_not_before": date_time,
            "age_band": {"type": "string", "enum": list(AGE_BANDS)},
            "parental_consent": {"type": ["string", "null"], "enum": [*PARENTAL_STATUSES, None]},
            "updated_at": date_time,
            "expires_at": date_time,
            "usprivacy": {"type": "string", "pattern": "^1[YN-][YN][YN-]$"},
            "gpp": {"type": "string", "pattern": "^D[A-Za-z0-9_-]*(~[A-Za-z0-9_.-]*)*$",
                    "description": "The IAB GPP string (docs/javascript.md); its header alone where no US section applies"},
            "gpp_sid": {"type": "array", "items": {"type": "integer", "minimum": 1}, "uniqueItems": True,
                        "description": "The section ids the GPP string holds, ascending (7 usnat, 8 usca, ...)"},
            "region": {"type": ["string", "null"], "enum": [*(r.code for r in policy.regions), None],
                       "description": "The policy's region whose rules applied (docs/regions.md): \"US-CO\", "
                                      "\"EU\", ...; null for the policy's own rules (no regions declared, or a "
                                      "request from none of them)"},
            "sensitive_limited": {"type": "boolean", "description": "The visitor limited the use of their sensitive "
                                  "personal information (POST limit); a later grant of a sensitive category lifts it"},
            "changes": {"type": "array", "items": {"type": "string"},
                        "description": "What the policy added since the version the visitor decided under "
                                       "(Policy(changes=...), R37): short texts the banner shows; what they name "
                                       "stays off until the visitor answers. Empty otherwise"},
        },
    }
    consent_request = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "choices": choices,
            "services": services,
            "age_band": {"type": "string", "enum": ["under_13", "13_15", "16_17", "18_plus", "16_plus"],
                         "description": "16_plus (16 or over) where the region does not distinguish 16-17 "
                                        "from 18 and over (docs/regions.md)"},
            "source": {"type": "string", "enum": ["banner", "preferences", "api", "link", "gpc"]},
            "sale_opt_in": {"type": "boolean"},
            "gpc": {"type": "boolean"},
            # The second step of a two-step opt-in: the token of a 202 answer, alone.
            "confirm": {"type": "string", "maxLength": 4096},
        },
        "allOf": [
            # Source "gpc" only goes with the browser's signal itself.
            {"if": {"properties": {"source": {"const": "gpc"}}, "required": ["source"]},
             "then": {"properties": {"gpc": {"const": True}}, "required": ["gpc"]}},
            {"if": {"required": ["confirm"]}, "then": {"maxProperties": 1}},
        ],
    }
    state_ok = _json({"$ref": "#/components/schemas/State"}, "The visitor's state")
    return {
        "openapi": "3.1.0",
        "info": {"title": "consentkit consent endpoints", "version": "1"},
        "paths": {
            f"{p}/state": {"get": {"summary": "The visitor's consent state", "responses": {"200": state_ok}}},
            f"{p}/gpp": {"get": {
                "summary": "The visitor's GPP string, its section ids and each section's decoded fields",
                "responses": {"200": _json({"type": "object", "required": ["gppString", "sectionList", "sections"],
                                            "properties": {
                                                "gppString": {"type": "string"},
                                                "sectionList": {"type": "array", "items": {"type": "integer"}},
                                                "sections": {"type": "object", "additionalProperties": {
                                                    "type": "object"}}}},
                                           "As the IAB's @iabgpp/cmpapi decodes the state's gpp string")}}},
            f"{p}/consent": {"post": {
                "summary": "Record a decision; categories not named keep their value",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ConsentRequest"}}}},
                "description": "A grant of sale or sharing that needs the visitor's separate confirmation (after "
                               "an opt-out within 12 months, or from a 13-15-year-old) changes nothing and answers "
                               "202 with a token; {\"confirm\": \"<token>\"} (alone) applies it: 400 for a token "
                               "that is not valid or not this visitor's, 409 when the choices changed meanwhile, "
                               "410 when it expired (10 minutes).",
                "parameters": [{"name": "X-Consentkit-Test", "in": "header", "required": False,
                                "schema": {"type": "string"},
                                "description": "The kit's test_token: the decision is a QA run's, recorded with "
                                               "source \"test\" and left out of the statistics. Any other value "
                                               "changes nothing."}],
                "responses": {"200": state_ok, "202": _json({"$ref": "#/components/schemas/Confirmation"},
                                                             "Nothing changed: confirm with the token"),
                              **_errors(400, 403, 409, 410, 413, 415, 429)},
            }},
            f"{p}/opt-out": {"post": {
                "summary": "Opt out of every sale_or_sharing category (Do Not Sell or Share)",
                "requestBody": {"required": False, "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "application/x-www-form-urlencoded": {"schema": {
                        "type": "object", "properties": {"next": {"type": "string"}}}},
                }},
                "responses": {"200": state_ok, "303": {"description": "Back to a page of this site"},
                              **_errors(400, 403, 413, 415, 429)},
            }},
            f"{p}/receipts": {
                "get": {"summary": "This visitor's consent receipts", "responses": {"200": _json(
                    {"type": "object", "required": ["receipts"],
                     "properties": {"receipts": {"type": "array", "items": {"type": "object"}}}},
                    "Consent receipts (Kantara CR 1.1 core fields)")}},
                "delete": {"summary": "Erase this visitor's records, keeping the minimal proof of what stays in "
                                      "force: the consent, an opt-out of sale, a parent's decision",
                           "responses": {"200": _json({"type": "object", "required": ["erased", "kept"], "properties": {
                               "erased": {"type": "integer"}, "kept": {"type": "integer"},
                               "in_force": {"type": "object", "description": "What the kept proof records prove",
                                            "properties": {
                                                "consent": {"type": "array", "items": {"type": "string"}},
                                                "opt_out": {"type": "array", "items": {"type": "string"}},
                                                "parent": {"type": "boolean"}}}}},
                               "What was erased, and what was kept"),
                               **_errors(403)}},
            },
            f"{p}/preferences": {
                "get": {"summary": "The preferences page: the same choices as a form, without JavaScript",
                        "parameters": [{"name": "next", "in": "query", "required": False, "schema": {"type": "string"}},
                                       {"name": "service", "in": "query", "required": False,
                                        "description": "A service id: a form for that service alone first "
                                                       "(a click-to-load placeholder's link)",
                                        "schema": {"type": "string"}}],
                        "responses": {"200": _html("The preferences form")}},
                "post": {
                    "summary": "Save the form: a box per category (checked grants), or all=accept|reject",
                    "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
                        "type": "object",
                        "properties": {"csrf_token": {"type": "string"}, "next": {"type": "string"},
                                       "all": {"type": "string", "enum": ["accept", "reject"]},
                                       "confirm": {"type": "string"},
                                       "service": {"type": "string",
                                                   "description": "Grant this service alone (nothing else is read)"},
                                       **{cid: {"type": "string"} for cid in policy.category_ids},
                                       **{f"service.{sid}": {"type": "string", "enum": ["0", "1"]}
                                          for sid in policy.service_ids}},
                    }}}},
                    "responses": {"200": _html("A grant that needs confirming: the confirmation step (its form "
                                               "posts the token back as confirm)"),
                                  "303": {"description": "Saved; back to a page of this site"},
                                  **_errors(400, 403, 409, 410, 413, 415, 429)},
                },
            },
            f"{p}/limit": {
                "get": {"summary": "The Limit the Use of My Sensitive Personal Information page: one button, no "
                                   "account, no JavaScript",
                        "parameters": [{"name": "next", "in": "query", "required": False, "schema": {"type": "string"}}],
                        "responses": {"200": _html("The limit page (says so once the limit is in effect)")}},
                "post": {
                    "summary": "Limit the use of sensitive personal information: every category and service marked "
                               "sensitive off at once, recorded (docs/regions.md)",
                    "requestBody": {"required": False, "content": {
                        "application/json": {"schema": {"type": "object", "additionalProperties": False}},
                        "application/x-www-form-urlencoded": {"schema": {
                            "type": "object", "required": ["csrf_token"],
                            "properties": {"csrf_token": {"type": "string"}, "next": {"type": "string"}}}},
                    }},
                    "responses": {"200": state_ok, "303": {"description": "Done; back to the limit page"},
                                  **_errors(400, 403, 413, 415, 429)},
                },
            },
            f"{p}/do-not-sell": {"get": {
                "summary": "The Do Not Sell or Share My Personal Information page: one button, no account",
                "parameters": [{"name": "done", "in": "query", "required": False, "schema": {"type": "string"}},
                               {"name": "next", "in": "query", "required": False, "schema": {"type": "string"}}],
                "responses": {"200": _html("The opt-out page")},
            }},
            f"{p}/parental/request": {"post": {
                "summary": "Ask a parent's consent for a visitor under 13 (sends a signed, expiring link)",
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"type": "object", "required": ["parent_email"], "additionalProperties": False,
                                                    "properties": {"parent_email": {"type": "string", "format": "email", "maxLength": 254}}}},
                    "application/x-www-form-urlencoded": {"schema": {
                        "type": "object", "required": ["parent_email"], "additionalProperties": False,
                        "properties": {"parent_email": {"type": "string", "format": "email", "maxLength": 254}}}},
                }},
                "responses": {"202": {"description": "Sent; the state is pending", "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/State"}},
                    "text/html": {"schema": {"type": "string"}}}},
                    **_errors(400, 403, 409, 413, 415, 429, 503)},
            }},
            f"{p}/parental/{{token}}": {
                "parameters": [{"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}],
                "get": {"summary": "The parent's page: what would be collected, and the choice",
                        "responses": {"200": _html("The parent's page"), **_errors(404)}},
                "post": {"summary": "The parent's decision, or a later change, deletion or refusal",
                         "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
                             "schema": {"type": "object"}}}},
                         "responses": {"200": _html("Confirmation"), "303": {"description": "Done"},
                                       **_errors(400, 403, 404, 413, 415, 503)}},
            },
            **requests_doc.paths(p),
            "/.well-known/gpc.json": {"get": {"summary": "Global Privacy Control support", "responses": {
                "200": _json({"type": "object", "required": ["gpc", "lastUpdate"], "properties": {
                    "gpc": {"type": "boolean", "enum": [True]},
                    "lastUpdate": {"type": "string", "format": "date"}}}, "GPC support resource")}}},
        },
        "components": {"schemas": {
            "State": state,
            "ConsentRequest": consent_request,
            **requests_doc.SCHEMAS,
            "Confirmation": {"type": "object", "required": ["confirm", "state"], "properties": {
                "confirm": {"type": "object", "required": ["token", "categories"], "properties": {
                    "token": {"type": "string"},
                    "categories": {"type": "array", "items": {"type": "string", "enum": list(policy.sale_or_sharing_ids)}}}},
                "state": {"$ref": "#/components/schemas/State"}}},
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
        }},
    }


async def get_openapi(call: Call) -> Response:
    found = document(call.kit)
    if call.visit.root:  # mounted at /shop: the paths are relative to it
        found["servers"] = [{"url": call.visit.root}]
    return JSONResponse(found, headers={"Cache-Control": "public, max-age=3600"})


ROUTES: dict[tuple[str, str], Handler] = {("GET", "openapi.json"): get_openapi}
