from __future__ import annotations

from datetime import timedelta

import pytest

from consentkit.cookie import MAX_AGE_SECONDS, CookieCodec, MissingSecretError
from consentkit.state import Choices

from .kits import OLD_SECRET, SECRET, START, Clock

CHOICES = Choices(
    visitor_id="AbCdEfGhIjKlMnOpQrStUv",
    policy_version="2026-11-01",
    decided_at=START,
    updated_at=START,
    gpc=True,
    reprompt_not_before=START + timedelta(days=365),
    age_band="13_15",
    sale_opt_in=True,
).evolve(choices={"analytics": True, "advertising": False})


def codec(keys=(SECRET,), clock=None):
    return CookieCodec(list(keys), clock=clock or Clock())


def test_round_trip_is_compact():
    value = codec().dumps(CHOICES)
    assert len(value) < 400
    loaded = codec().loads(value, START)
    assert loaded is not None and loaded[0] == CHOICES and loaded[1] == 0


def test_rotation_first_key_signs_all_verify():
    old = codec([OLD_SECRET]).dumps(CHOICES)
    rotated = codec([SECRET, OLD_SECRET])
    from_old = rotated.loads(old, START)
    assert from_old is not None and from_old.current_key is False  # to be re-signed
    new = rotated.dumps(CHOICES)
    assert rotated.loads(new, START).current_key is True
    assert codec([SECRET]).loads(new, START) is not None
    assert codec([OLD_SECRET]).loads(new, START) is None


def _tamper(value: str) -> str:
    payload, rest = value.split(".", 1)
    return payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + rest


@pytest.mark.parametrize(
    "mangle",
    [
        _tamper,
        lambda v: v[: len(v) // 2],
        lambda v: v + "x",
        lambda v: "",
        lambda v: "not-a-cookie",
        lambda v: "." * 50,
        lambda v: "x" * 100_000,
        lambda v: v.replace(".", ""),
        lambda v: codec(["a-foreign-key-0123456789"]).dumps(CHOICES),
    ],
    ids=["tampered", "truncated", "appended", "empty", "garbage", "dots", "oversized", "no-signature", "foreign-key"],
)
def test_a_bad_cookie_is_no_cookie(mangle):
    assert codec().loads(mangle(codec().dumps(CHOICES)), START) is None


def test_a_signed_but_malformed_payload_is_no_cookie():
    import base64

    c = codec()
    for payload in (b"[]", b'{"v": 1}', b'{"v":"short"}', b'{"v":"AbCdEfGhIjKlMnOpQrStUv","a":9}', b"{bad json"):
        value = c._signer.sign(base64.urlsafe_b64encode(payload).rstrip(b"=")).decode()
        assert c.loads(value, START) is None, payload


def test_too_old_is_no_cookie():
    clock = Clock()
    c = codec(clock=clock)
    value = c.dumps(CHOICES)
    assert c.loads(value, START + timedelta(seconds=MAX_AGE_SECONDS)) is not None
    assert c.loads(value, START + timedelta(seconds=MAX_AGE_SECONDS + 1)) is None
    # Not even from the cache of verified values.
    assert codec(clock=clock).loads(value, START + timedelta(seconds=MAX_AGE_SECONDS + 1)) is None


@pytest.mark.parametrize("keys", [[], [""], ["short"], "a-string-not-a-list!!", None, 12345678901234567, [None]])
def test_missing_or_weak_secret_fails_loudly(keys):
    if isinstance(keys, str):
        CookieCodec(keys)  # a single string is accepted as one key
        return
    with pytest.raises(MissingSecretError):
        CookieCodec(keys)
