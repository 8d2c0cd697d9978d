"""R47 (§7060-7063, §7101): the information given to make and verify a privacy request
is used for nothing else: it goes to the sources that answer the request and to the
requester's own messages, never into the ledger, the logs, the visitor's consent
records or the opt-out hooks, and it is gone when the request closes."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from consentkit import ConsentKit
from consentkit.ledger.codec import to_json
from consentkit.requests import Answer, Intake, Subject
from tests.apps import client

from .flow import last_code, messages_to

pytestmark = pytest.mark.anyio

ANA = "ana.verify@example.com"
NAME = "Ana Verifiable"


async def test_R47_the_information_given_to_verify_is_used_for_nothing_else(
    make_kit: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    events: list[dict[str, Any]] = []
    kit: ConsentKit = make_kit(opt_out_hooks=[events.append])
    seen: list[Subject] = []

    async def signups(subject: Subject) -> Any:
        seen.append(subject)
        return [{"plan": "gold"}]

    kit.register_source("signups", export=signups)
    async with client(kit, Origin="http://testserver") as c:
        r = await c.post("/consentkit/consent", json={"choices": {"analytics": True}, "source": "banner"})
        visitor = str(r.json()["visitor_id"])
    consent_before = await kit.ledger.for_visitor(visitor)
    try:
        request = await kit.requests.submit(Intake("access", ANA, name=NAME), visitor_id=visitor)
        code = last_code(kit)
        done = await kit.requests.verify(request.id, Answer(code=code, declaration=True))
        assert done.status == "fulfilled"
        # Used to answer the request: the source got the address it was verified through...
        assert seen == [Subject(request.id, ANA, visitor, "consumer")]
        # ...and the requester's messages are this request's own: the code, then the answer.
        mails = messages_to(kit, ANA)
        assert len(mails) == 2 and all(request.id in m.body for m in mails)
        # Never kept beside the proof: no ledger record holds the address, the name or the code.
        stored = [json.dumps(to_json(rec)) async for rec in kit.ledger.store.iter_records()]
        assert stored and not [s for s in stored if ANA in s or NAME in s or code in s]
        assert ANA not in caplog.text and NAME not in caplog.text and code not in caplog.text
        # The visitor's consent is theirs: no record added or changed, no opt-out told to anyone.
        assert await kit.ledger.for_visitor(visitor) == consent_before
        assert events == []
        # And it is gone with the request's end.
        kept = await kit.requests.get(request.id)
        assert kept is not None
        assert (kept.contact, kept.details, kept.verification, kept.visitor_id) == (None, {}, {}, None)
    finally:
        await kit.shutdown()
