"""Parental links, CSRF tokens and the parent's address: signed, timed by the kit's
clock, bound to their purpose, and never carrying the address."""

from __future__ import annotations

import base64
import json

import pytest

from consentkit import Choices
from consentkit.minors.tokens import (
    csrf_token,
    csrf_valid,
    email_hash,
    email_matches,
    make_link_token,
    normal_email,
    read_link_token,
)
from tests.kits import OLD_SECRET, SECRET

AGES = {"request": 7 * 86400, "manage": 400 * 86400}
CHILD = "child-visitor-id-0123"
REQUEST_ID = "request-id-01234"


def test_a_link_names_the_child_and_the_request_and_nothing_else(make_kit):
    kit = make_kit()
    token = make_link_token(kit, "request", CHILD, REQUEST_ID)
    link = read_link_token(kit, token, max_age=AGES)
    assert link is not None
    assert (link.kind, link.child_id, link.id) == ("request", CHILD, REQUEST_ID)
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert payload == {"c": CHILD, "r": REQUEST_ID}


def test_the_kinds_do_not_cross(make_kit):
    kit = make_kit()
    manage = read_link_token(kit, make_link_token(kit, "manage", CHILD, REQUEST_ID), max_age=AGES)
    assert manage is not None and manage.kind == "manage"
    # A CSRF token or a consent cookie is no link.
    assert read_link_token(kit, csrf_token(kit, "x"), max_age=AGES) is None
    assert read_link_token(kit, kit.codec.dumps(Choices(visitor_id=CHILD)), max_age=AGES) is None


@pytest.mark.parametrize("change", ["payload", "signature", "timestamp", "truncate", "empty", "huge", "slash"])
def test_a_tampered_link_is_no_link(make_kit, change):
    kit = make_kit()
    token = make_link_token(kit, "request", CHILD, REQUEST_ID)
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
    assert read_link_token(kit, tampered, max_age=AGES) is None


def test_a_link_expires_by_the_kits_clock(make_kit, clock):
    kit = make_kit()
    token = make_link_token(kit, "request", CHILD, REQUEST_ID)
    clock.advance(days=7, seconds=-1)
    assert read_link_token(kit, token, max_age=AGES) is not None
    clock.advance(seconds=2)
    assert read_link_token(kit, token, max_age=AGES) is None
    # A management link lasts far longer.
    manage = make_link_token(kit, "manage", CHILD, REQUEST_ID)
    clock.advance(days=399)
    assert read_link_token(kit, manage, max_age=AGES) is not None
    clock.advance(days=2)
    assert read_link_token(kit, manage, max_age=AGES) is None


def test_keys_rotate_and_an_unknown_key_fails(make_kit):
    old = make_kit(secret_keys=[OLD_SECRET])
    token = make_link_token(old, "request", CHILD, REQUEST_ID)
    rotated = make_kit(secret_keys=[SECRET, OLD_SECRET])
    assert read_link_token(rotated, token, max_age=AGES) is not None
    dropped = make_kit(secret_keys=[SECRET])
    assert read_link_token(dropped, token, max_age=AGES) is None


def test_csrf_is_bound_to_its_link_and_expires(make_kit, clock):
    kit = make_kit()
    token = csrf_token(kit, "link-a")
    assert csrf_valid(kit, "link-a", token)
    assert not csrf_valid(kit, "link-b", token)
    assert not csrf_valid(kit, "link-a", None) and not csrf_valid(kit, "link-a", "x" * 300)
    clock.advance(hours=4, seconds=1)
    assert not csrf_valid(kit, "link-a", token)


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
    hashed = email_hash(kit, address)
    assert address not in hashed and "parent" not in hashed and len(hashed) == 64
    assert email_matches(kit, address, hashed)
    assert not email_matches(kit, "other@example.com", hashed)
    # Under another key the same address hashes differently: no dictionary of addresses works.
    assert email_hash(make_kit(secret_keys=[OLD_SECRET]), address) != hashed
    # A key rotated in after the request still matches the hash made under the old one.
    rotated = make_kit(secret_keys=[OLD_SECRET, SECRET])
    assert email_matches(rotated, address, hashed)
