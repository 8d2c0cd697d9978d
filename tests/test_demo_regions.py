"""The demo's regions (issue 15, done when): with CloudFront's headers, a request from
Colorado gets Colorado's rules and one from France gets opt_in; without them, the
policy file's own mode. In-process, and through a real `consentkit demo` run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.test_demo_app import REPO, SECRET, _free_port, client, demo

pytestmark = pytest.mark.anyio
CO = {"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CO"}
FR = {"CloudFront-Viewer-Country": "FR"}


async def test_the_demo_applies_colorados_rules_and_the_eus():
    async with client(demo()) as c:
        co = (await c.get("/consentkit/state", headers=CO)).json()
        fr = (await c.get("/consentkit/state", headers=FR)).json()
        home_fr = await c.get("/", headers=FR)
        nowhere = (await c.get("/consentkit/state")).json()
    assert (co["region"], co["mode"], co["gpp_sid"]) == ("US-CO", "opt_out", [7, 10])
    assert co["categories"]["analytics"] is True
    assert (fr["region"], fr["mode"], fr["gpp_sid"]) == ("EEA", "opt_in", [])
    assert not any(v for k, v in fr["categories"].items() if k != "necessary")
    # The French page serves every tracker inert, and says it varies on the country.
    assert 'data-src="http://analytics.localhost:8000/a.js"' in home_fr.text
    assert "cloudfront-viewer-country" in home_fr.headers["vary"].lower()
    assert (nowhere["region"], nowhere["mode"]) == (None, "opt_out")


async def test_the_demo_applies_colorados_rules_for_a_16_17_year_old():
    """Colorado (SB 24-041): no sale or targeted ads to a 16-17-year-old without their own
    opt-in, given in two steps; in California the same visitor is "16 or over"."""
    async with client(demo()) as c:
        co = (await c.post("/consentkit/consent", json={"age_band": "16_17"}, headers=CO)).json()
        first = await c.post("/consentkit/consent", headers=CO,
                             json={"choices": {"advertising": True}, "source": "preferences"})
        done = await c.post("/consentkit/consent", json={"confirm": first.json()["confirm"]["token"]}, headers=CO)
    async with client(demo()) as c:
        ca = (await c.post("/consentkit/consent", json={"age_band": "16_17"},
                           headers={"CloudFront-Viewer-Country": "US", "CloudFront-Viewer-Country-Region": "CA"})).json()
    assert (co["age_band"], co["categories"]["advertising"], co["categories"]["analytics"]) == ("16_17", False, True)
    assert first.status_code == 202 and done.json()["categories"]["advertising"] is True
    assert (ca["age_band"], ca["categories"]["advertising"]) == ("16_plus", True)


def test_a_consentkit_demo_run_shows_colorado_and_france(tmp_path):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "CONSENTKIT_SECRET": SECRET}
    command = [sys.executable, "-m", "consentkit.cli", "demo", "--port", str(port), "--db", str(tmp_path / "d.db")]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        process.stdout.readline()  # type: ignore[union-attr]
        for _ in range(100):
            try:
                httpx.get(base + "/consentkit/state", timeout=2)
                break
            except httpx.ConnectError:
                time.sleep(0.1)
        co = httpx.get(base + "/consentkit/state", headers=CO).json()
        teen = httpx.post(base + "/consentkit/consent", headers=CO, json={"age_band": "16_17"}).json()
        fr = httpx.get(base + "/consentkit/state", headers=FR).json()
        decided = httpx.post(base + "/consentkit/consent", headers=CO,
                             json={"choices": {"analytics": False}})
        receipts = httpx.get(base + "/consentkit/receipts", cookies=decided.cookies, headers=CO).json()
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=20)
    assert (co["region"], co["mode"]) == ("US-CO", "opt_out") and 10 in co["gpp_sid"]
    assert (teen["age_band"], teen["categories"]["advertising"]) == ("16_17", False)
    assert (fr["region"], fr["mode"]) == ("EEA", "opt_in")
    assert decided.status_code == 200
    assert [r["jurisdiction"] for r in receipts["receipts"]] == ["US-CO"]
