"""``consentkit requests``: the open requests by deadline (overdue first), one
request's steps, the staff's actions through the site's kit, and the metrics."""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from consentkit import ConsentKit
from consentkit.cli import main
from consentkit.requests import Answer, Intake
from consentkit.requests.model import new_request_id

from .flow import last_code

SITE_KIT = '''
from consentkit import ConsentKit
from tests.kits import SECRET, make_policy

kit = ConsentKit(make_policy(), secret_keys=[SECRET], store="sqlite:///{db}")
'''


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ConsentKit]:
    """A site module (``site_kit_<n>:kit``) with its kit on a SQLite file, as a site would have it."""
    name = f"site_kit_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(SITE_KIT.format(db=tmp_path / "consent.db"))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("CONSENTKIT_APP", f"{name}:kit")
    module = importlib.import_module(name)
    yield module.kit
    sys.modules.pop(name, None)


async def _requests(kit: ConsentKit) -> tuple[str, str]:
    """An old unverified access request (overdue) and a fresh verified deletion in progress."""
    await kit.startup()
    try:
        real = kit.requests.clock
        kit.requests.clock = lambda: real() - timedelta(days=60)
        old = await kit.requests.submit(Intake("access", "ana@example.com"))
        kit.requests.clock = real
        kit.requests.auto_fulfil = False
        new = await kit.requests.submit(Intake("delete", "bo@example.com"))
        await kit.requests.verify(new.id, Answer(code=last_code(kit)))
        return old.id, new.id
    finally:
        kit.requests.auto_fulfil = True
        await kit.shutdown()


def test_list_show_act_and_metrics(site: ConsentKit, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = asyncio.run(_requests(site))
    db = f"sqlite:///{tmp_path / 'consent.db'}"
    assert main(["requests", "list", "--db", db]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].startswith(old) and "OVERDUE" in table[1] and table[2].startswith(new)
    assert main(["requests", "list", "--db", db, "--overdue", "--json"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert json.loads(line)["id"] == old and json.loads(line)["overdue"] is True
    # Actions need the kit (they tell the consumer); the kit comes from $CONSENTKIT_APP.
    assert main(["requests", "extend", new, "--actor", "lee@staff", "--reason", "the archive is offline"]) == 0
    assert "in_progress" in capsys.readouterr().out
    assert main(["requests", "extend", new, "--actor", "lee@staff", "--reason", "again"]) == 1
    assert "one extension" in capsys.readouterr().err
    assert main(["requests", "close", new, "--outcome", "done", "--actor", "lee@staff"]) == 0
    assert f"{new}: fulfilled" in capsys.readouterr().out
    assert main(["requests", "show", new, "--db", db, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "fulfilled" and shown["extension_reason"] == "the archive is offline"
    assert [s["step"] for s in shown["steps"]] == ["received", "acknowledged", "verified", "extended", "fulfilled"]
    assert shown["steps"][3]["actor"] == "lee@staff"
    assert "bo@example.com" not in json.dumps(shown)
    assert main(["requests", "metrics", "--db", db, "--year", str(datetime.now(UTC).year), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)["by_type"]
    assert figures["delete"]["complied"] == 1
    assert main(["requests", "show", "no-such-request-id", "--db", db]) == 1
    capsys.readouterr()
    # The daily sweep: the old unverified request is closed with its reason.
    assert main(["requests", "sweep"]) == 0
    assert "closed 1 unverified request(s); answered 0 after retrying" in capsys.readouterr().out
    assert main(["requests", "show", old, "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "denied"


def test_actions_without_the_kit_say_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CONSENTKIT_APP", raising=False)
    assert main(["requests", "close", "x" * 24, "--outcome", "deny", "--actor", "lee"]) == 2
    assert "--app module:kit" in capsys.readouterr().err
    assert main(["requests", "list", "--db", f"sqlite:///{tmp_path / 'none.db'}"]) == 2
    assert "no ledger" in capsys.readouterr().err
    assert main(["requests", "list", "--app", "json:dumps"]) == 2
    assert "not a ConsentKit" in capsys.readouterr().err


def test_a_request_id_never_reads_as_an_option() -> None:
    """One id in 64 began with '-', and `consentkit requests show <id>` took it for an option."""
    assert not any(new_request_id().startswith("-") for _ in range(2000))
