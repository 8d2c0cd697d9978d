"""What the request tests share: reading the code from the development outbox."""

from __future__ import annotations

import re
from typing import Any

from consentkit import ConsentKit

CODE = re.compile(r"^[ \t]+(\d{8})\r?$", re.MULTILINE)


def code_in(body: str) -> str:
    found = CODE.search(body)
    assert found, body
    return found.group(1)


def last_code(kit: ConsentKit) -> str:
    """The code in the newest message of the development outbox."""
    return code_in(kit.notifier.messages[-1].body)  # type: ignore[attr-defined]


def messages_to(kit: ConsentKit, address: str) -> list[Any]:
    return [m for m in kit.notifier.messages if m.to == address]  # type: ignore[attr-defined]
