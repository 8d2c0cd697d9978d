"""Form endpoints refuse a form of more than 64 fields with a 400, never a 500
(issue 13, L1): the opt-out, the preferences, the parental request and link."""

from __future__ import annotations

import pytest

from consentkit import ConsentKit
from tests.apps import make_app
from tests.kits import SECRET, Clock, make_policy

from .exchange import SITE, exchange

pytestmark = pytest.mark.anyio

FORM = (b"content-type", b"application/x-www-form-urlencoded")
ORIGIN = (b"origin", SITE.encode())


def _paths(kit: ConsentKit) -> list[str]:
    token = kit.parental.tokens.link("request", "child-visitor-0000001", "request-00001")
    return ["/consentkit/opt-out", "/consentkit/preferences", "/consentkit/parental/request",
            f"/consentkit/parental/{token}"]


@pytest.mark.parametrize("which", range(4))
@pytest.mark.parametrize("fields", [65, 500])
async def test_too_many_form_fields_are_a_400(which: int, fields: int) -> None:
    kit = ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://", clock=Clock())
    body = "&".join(f"f{i}=1" for i in range(fields)).encode()
    answer = await exchange(make_app(kit), "POST", _paths(kit)[which], headers=[ORIGIN, FORM], body=body)
    assert answer.status == 400, answer.body[:300]
    assert [r async for r in kit.ledger.store.iter_records()] == []
    assert not [v for v in answer.all(b"set-cookie") if v.startswith(b"consentkit=")]


@pytest.mark.parametrize("which", range(2))
async def test_64_fields_are_read(which: int) -> None:
    kit = ConsentKit(make_policy(), secret_keys=[SECRET], store="memory://", clock=Clock())
    body = "&".join(f"f{i}=1" for i in range(64)).encode()
    answer = await exchange(make_app(kit), "POST", _paths(kit)[which], headers=[ORIGIN, FORM], body=body)
    assert answer.status < 500
