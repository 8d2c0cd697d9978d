"""Parental links, CSRF tokens and the parent's address: signed, timed by the kit's
clock, bound to their purpose, and never carrying the address."""

from __future__ import annotations

import base64
import json

import pytest

from consentkit import Choices
from consentkit.minors.tokens import normal_email
from tests.kits import OLD_SECRET, SECRET

AGES = {"request": 7 * 86400, "manage": 400 * 86400}
CHILD = "child-visitor-id-0123"
REQUEST_ID = "request-id-01234"


def test_a_link_names_the_child_and_the_request_and_nothing_else(make_kit):
    kit = make_kit()
    token = kit.parental.tokens.link("request", CHILD, REQUEST_ID)
    link = kit.parental.tokens.read(token, max_age=AGES)
    assert link is not None
    assert (link.kind, link.child_id, link.id) == ("request", CHILD, REQUEST_ID)
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert payload == {"c": CHILD, "r": REQUEST_ID}


def test_the_kinds_do_not_cross(make_kit):
    kit = make_kit()
    manage = kit.parental.tokens.read(kit.parental.tokens.link("manage", CHILD, REQUEST_ID), max_age=AGES)
    assert manage is not None and manage.kind == "manage"
    # A CSRF token or a consent cookie is no link.
    assert kit.parental.tokens.read(kit.parental.tokens.form_token("x"), max_age=AGES) is None
    assert kit.parental.tokens.read(kit.codec.dumps(Choices(visitor_id=CHILD)), max_age=AGES) is None


@pytest.mark.parametrize("change", ["payload", "signature", "timestamp", "truncate", "empty", "huge", "slash"])
def test_a_tampered_link_is_no_link(make_kit, change):
    kit = make_kit()
    token = kit.parental.tokens.link("request", CHILD, REQUEST_ID)
    payload, stamp, signature = token.split(".")
    forged = base64.urlsafe_b64encode(json.dumps({"c": "another-child-0123", "r": REQUEST_ID}).encode()).decode()
    tampered = {
        "payload": f"{forged.rstrip('=')}.{stamp}.{signature}",
        "signature": f"{payload}.{stamp}.{signature[:-2]}AA",
        "timestamp": f"{payload}.{stamp[:-1]}{'B' if stamp[-1] != 'B' else 'C'}.{signature}",
        "truncate": token[:-5],
        "empty": "",
        "huge": token + "A" * 600,
        "slash": token + "/x",
    }[change]
    assert kit.parental.tokens.read(tampered, max_age=AGES) is None


def test_a_link_expires_by_the_kits_clock(make_kit, clock):
    kit = make_kit()
    token = kit.parental.tokens.link("request", CHILD, REQUEST_ID)
    clock.advance(days=7, seconds=-1)
    assert kit.parental.tokens.read(token, max_age=AGES) is not None
    clock.advance(seconds=2)
    assert kit.parental.tokens.read(token, max_age=AGES) is None
    # A management link lasts far longer.
    manage = kit.parental.tokens.link("manage", CHILD, REQUEST_ID)
    clock.advance(days=399)
    assert kit.parental.tokens.read(manage, max_age=AGES) is not None
    clock.advance(days=2)
    assert kit.parental.tokens.read(manage, max_age=AGES) is None


def test_keys_rotate_and_an_unknown_key_fails(make_kit):
    old = make_kit(secret_keys=[OLD_SECRET])
    token = old.parental.tokens.link("request", CHILD, REQUEST_ID)
    rotated = make_kit(secret_keys=[SECRET, OLD_SECRET])
    assert rotated.parental.tokens.read(token, max_age=AGES) is not None
    dropped = make_kit(secret_keys=[SECRET])
    assert dropped.parental.tokens.read(token, max_age=AGES) is None


def test_csrf_is_bound_to_its_link_and_expires(make_kit, clock):
    kit = make_kit()
    token = kit.parental.tokens.form_token("link-a")
    assert kit.parental.tokens.form_valid("link-a", token)
    assert not kit.parental.tokens.form_valid("link-b", token)
    assert not kit.parental.tokens.form_valid("link-a", None) and not kit.parental.tokens.form_valid("link-a", "x" * 300)
    clock.advance(hours=4, seconds=1)
    assert not kit.parental.tokens.form_valid("link-a", token)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Parent.Person@Example.com", "parent.person@example.com"),
        ("  parent+kid@mail.example.co.uk ", "parent+kid@mail.example.co.uk"),
        ("parent@localhost", None),
        ("parent@@example.com", None),
        ("parent example@example.com", None),
        ("parent@example.com\r\nBcc: victim@example.com", None),
        ("<parent@example.com>", None),
        ('"quoted"@example.com', None),
        ("a" * 65 + "@example.com", None),
        ("parent@" + "a" * 250 + ".com", None),
        ("", None),
        (None, None),
        (42, None),
        (["parent@example.com"], None),
    ],
)
def test_address_shape(given, expected):
    assert normal_email(given) == expected


def test_the_address_is_kept_only_as_a_keyed_hash(make_kit):
    kit = make_kit()
    address = "parent@example.com"
    hashed = kit.parental.tokens.email_hash(address)
    assert address not in hashed and "parent" not in hashed and len(hashed) == 64
    assert kit.parental.tokens.email_matches(address, hashed)
    assert not kit.parental.tokens.email_matches("other@example.com", hashed)
    # Under another key the same address hashes differently: no dictionary of addresses works.
    assert make_kit(secret_keys=[OLD_SECRET]).parental.tokens.email_hash(address) != hashed
    # A key rotated in after the request still matches the hash made under the old one.
    rotated = make_kit(secret_keys=[OLD_SECRET, SECRET])
    assert rotated.parental.tokens.email_matches(address, hashed)
