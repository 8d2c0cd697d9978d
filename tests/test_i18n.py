"""The visitor-facing strings: defaults, overrides, negotiation, and the widget's share."""

from __future__ import annotations

import pytest

from consentkit import i18n
from consentkit.widget_config import widget_config

from .kits import make_policy


def test_every_language_has_every_key() -> None:
    english = set(i18n.DEFAULT_TEXTS["en"])
    for lang, table in i18n.DEFAULT_TEXTS.items():
        assert set(table) == english, lang
    assert i18n.WIDGET_KEYS <= english


def test_overrides_win_and_a_new_language_starts_from_english() -> None:
    overrides = {"ES": {"banner.title": "Privacidad"}, "de": {"action.accept": "Alle akzeptieren"}}
    assert i18n.texts("es", overrides)["banner.title"] == "Privacidad"
    assert i18n.texts("es", overrides)["action.reject"] == "Rechazar todo"
    german = i18n.texts("de", overrides)
    assert german["action.accept"] == "Alle akzeptieren" and german["action.reject"] == "Reject all"
    assert i18n.languages(overrides) == ("en", "es", "de")


@pytest.mark.parametrize(("header", "expected"), [
    (None, "en"),
    ("", "en"),
    ("es", "es"),
    ("es-MX,es;q=0.9", "es"),
    ("fr-FR, es;q=0.8, en;q=0.5", "es"),
    ("en;q=0.4, es;q=0.6", "es"),
    ("es;q=0", "en"),
    ("es;q=abc, en", "en"),
    ("*", "en"),
])
def test_negotiate(header: str | None, expected: str) -> None:
    assert i18n.negotiate(header, {}) == expected


def test_the_widget_config_carries_only_the_widgets_strings_in_one_language() -> None:
    spanish, english = widget_config(make_policy(), "es"), widget_config(make_policy(), "en")
    assert set(spanish["texts"]) == i18n.WIDGET_KEYS
    assert spanish["texts"]["gpc.honored"] == "Solicitud de exclusión atendida"
    assert english["texts"]["gpc.honored"] == "Opt-Out Request Honored"
    assert spanish["lang"] == "es" and spanish["languages"] == ["en", "es"]
