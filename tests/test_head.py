"""The markup consentkit writes into <head>: the state block cannot be broken out of."""

from __future__ import annotations

import json
import re

import pytest

from consentkit.head import state_script


@pytest.mark.parametrize("value", ["</script><script>alert(1)</script>", "<!--", "a & b > c", "\u2028\u2029", "é ☃"])
def test_state_script_cannot_be_closed_by_a_value(value):
    out = state_script({"visitor_id": value, "n": [1, None, True]}, nonce="abc")
    text = out.decode("ascii")  # everything outside ASCII is escaped
    assert text.startswith('<script type="application/json" id="consentkit-state" nonce="abc">')
    body = text[text.index(">") + 1 : -len("</script>")]
    assert not re.search(r"[<>&\u2028\u2029]", body)
    assert json.loads(body) == {"visitor_id": value, "n": [1, None, True]}


def test_state_script_escapes_its_attributes():
    out = state_script({}, element_id='x" onload="y')
    assert out == b'<script type="application/json" id="x&quot; onload=&quot;y">{}</script>'
