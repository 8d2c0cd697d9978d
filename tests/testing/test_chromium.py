"""Finding Chromium and the launch settings handed to Playwright."""

from __future__ import annotations

import os

import pytest

from consentkit.testing.chromium import CHROMIUM_ARGS, ENV_VAR, find_chromium, launch_options


def test_the_environment_variable_wins(tmp_path):
    binary = tmp_path / "my-chromium"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    assert find_chromium({ENV_VAR: str(binary), "PATH": ""}) == str(binary)


def test_a_wrong_environment_variable_says_how_to_fix_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=ENV_VAR):
        find_chromium({ENV_VAR: str(tmp_path / "nothing-here")})


@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="needs Debian's chromium")
def test_the_system_chromium_is_found_and_launched_without_sandbox_or_background_traffic():
    options = launch_options(environ={"PATH": ""})
    assert options["executable_path"] == "/usr/bin/chromium"
    assert options["headless"] is True
    for flag in ("--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        assert flag in options["args"]
    assert options["args"] == list(CHROMIUM_ARGS)
    options["args"].append("--mutated")
    assert "--mutated" not in launch_options(environ={"PATH": ""})["args"]
