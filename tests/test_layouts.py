"""The banner's layout and position as policy keys (issue 19): validated, carried to
the widget as the root's classes, and styled by widget.css (tests/browser/test_layouts.py
measures them in Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from consentkit import Category, Policy, PolicyError
from consentkit.assets import widget_dir
from consentkit.widget_config import widget_config

NECESSARY = Category("necessary", required=True)


@pytest.mark.parametrize(("layout", "position", "classes"), [
    ("bar", "bottom", "ck"),
    ("bar", "top", "ck ck-top"),
    ("box", "bottom", "ck ck-box"),
    ("box", "bottom-right", "ck ck-box ck-right"),
    ("box", "top-left", "ck ck-box ck-top ck-left"),
])
def test_the_widget_gets_the_layouts_classes(layout: str, position: str, classes: str) -> None:
    policy = Policy("1", [NECESSARY], layout=layout, position=position)
    assert widget_config(policy, "en")["classes"] == classes


def test_every_class_is_styled() -> None:
    css = (widget_dir() / "widget.css").read_text()
    for selector in ("#consentkit.ck-top", ".ck-box .ck-ban", ".ck-left", ".ck-right"):
        assert selector + "{" in css, selector


@pytest.mark.parametrize(("options", "message"), [
    ({"layout": "popup"}, "the policy's layout 'popup' is unknown: use 'bar' or 'box'"),
    ({"layout": "bar", "position": "top-left"}, "position 'top-left' does not fit the bar layout"),
    ({"position": "middle"}, "position 'middle' does not fit the bar layout"),
])
def test_bad_layouts_say_what_fits(options: dict[str, str], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        Policy("1", [NECESSARY], **options)


def test_toml_keys(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('version = "1"\nlayout = "box"\nposition = "bottom-left"\n'
                    '[[categories]]\nid = "necessary"\nrequired = true\n')
    policy = Policy.from_toml(path)
    assert (policy.layout, policy.position) == ("box", "bottom-left")
    assert Policy("1", [NECESSARY]).layout == "bar"
