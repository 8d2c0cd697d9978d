"""Privacy requests (CCPA/CPRA): know, access, delete, correct and limit, with
verification, authorized agents and parents, the legal clocks, and hooks into the
site's own data. Opting out of sale or sharing is not a request: it stays the
instant ``/consentkit/opt-out`` path.

Every kit has a desk, ``kit.requests`` (a ``RequestDesk``); the endpoints
(``/consentkit/requests``), the CLI (``consentkit requests ...``) and the admin
console act through it. Its Python API::

    desk = kit.requests

    # what the site holds: async callables keyed by the verified Subject
    kit.register_source("signups", export=find_signups, delete=delete_signups, correct=fix_signup)
    desk.add_source(WebhookSource("mailer", "https://mailer.example/privacy", secret).source())

    # intake (the endpoints do this): sends the acknowledgment with a one-time code
    request = await desk.submit(Intake(type="access", contact="ana@example.com"), visitor_id=...)
    request = await desk.verify(request.id, Answer(code="12345678", declaration=True))

    # the staff's side
    open_ = await desk.list()                          # open requests, soonest deadline (overdue) first
    late = await desk.list(overdue=True)               # only those past their deadline
    done = await desk.list(status="closed", type="delete", limit=50, offset=0)
    request = await desk.get(request_id)               # whole: deadlines, steps, source outcomes
    records = await desk.records(request_id)           # its ledger records, one per step
    await desk.transition(request_id, "extend", actor="ana@staff", reason="the archive is offline")
    await desk.transition(request_id, "deny", actor="ana@staff", reason="...")   # told to the consumer
    await desk.transition(request_id, "approve", actor="ana@staff")   # answer now / retry failed sources
    await desk.transition(request_id, "done", actor="ana@staff")      # answered outside consentkit
    figures = await desk.metrics(2026)                 # the §7102 figures

A ``PrivacyRequest`` carries ``acknowledge_by`` (10 business days, US federal
holidays), ``respond_by`` (45 days), ``extended_to`` (the one extension, 45 more)
and ``due``. Errors are ``RequestError`` (``status`` is the HTTP status an endpoint
answers with); a concurrent change is ``Conflict``.
"""

from __future__ import annotations

from .clocks import BusinessCalendar, RequestClocks
from .desk import Intake, Metrics, RequestDesk, ledger_key, open_request_store
from .model import (
    ACTIONS,
    REQUEST_TYPES,
    REQUESTERS,
    STATUSES,
    Conflict,
    PrivacyRequest,
    RequestError,
    RequestNotFound,
    RequestSummary,
    Step,
)
from .sources import Source, Subject, WebhookSource
from .store import MemoryRequestStore, RequestStore
from .verification import Answer, EmailCodeVerifier, Outcome, RequestVerifier

__all__ = [
    "ACTIONS",
    "REQUESTERS",
    "REQUEST_TYPES",
    "STATUSES",
    "Answer",
    "BusinessCalendar",
    "Conflict",
    "EmailCodeVerifier",
    "Intake",
    "MemoryRequestStore",
    "Metrics",
    "Outcome",
    "PrivacyRequest",
    "RequestClocks",
    "RequestDesk",
    "RequestError",
    "RequestNotFound",
    "RequestStore",
    "RequestSummary",
    "RequestVerifier",
    "Source",
    "Step",
    "Subject",
    "WebhookSource",
    "ledger_key",
    "open_request_store",
]
