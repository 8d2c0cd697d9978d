"""The visitor-facing strings: defaults, overrides, negotiation, and the widget's share."""

from __future__ import annotations

import pytest

from consentkit import i18n
from consentkit.translations import LEGAL_KEYS, REVIEW
from consentkit.widget_config import widget_config

from .kits import make_policy

# The keys the built-in languages translated when they were added (issue 19); a key
# added since falls back to English until each language has it.
TRANSLATED = frozenset({
    "banner.title", "banner.opt_in", "banner.opt_out", "banner.kept", "gpc.honored", "action.accept",
    "action.reject", "action.preferences", "action.close", "action.open", "action.save", "dns", "prefs.title",
    "prefs.text", "prefs.required", "prefs.sale", "prefs.services", "prefs.cookies", "prefs.storage",
    "age.question", "age.year", "age.month", "age.submit", "age.invalid", "parent.text", "parent.email",
    "parent.submit", "parent.sent", "parent.unavailable", "parent.pending", "parent.denied", "minor.opt_in",
    "minor.confirm", "confirm.title", "confirm.text", "confirm.teen", "action.confirm", "action.cancel", "saved",
    "error", "notice.unsupported", "page.back", "page.reject_all", "page.accept_all", "page.minor_note",
    "page.forbidden", "dns.text", "dns.button", "dns.none", "dns.opt_in",
})


def test_every_language_has_every_key() -> None:
    english = set(i18n.DEFAULT_TEXTS["en"])
    assert set(i18n.DEFAULT_TEXTS["es"]) == english
    for lang, table in i18n.DEFAULT_TEXTS.items():
        assert TRANSLATED <= set(table) <= english, lang
        assert all(text.strip() for text in table.values()), lang
    assert i18n.WIDGET_KEYS <= english


def test_the_built_in_languages() -> None:
    """California's Civil Code §1632 languages besides English and Spanish, and French
    and German; each with its review status, and its legally fixed phrases its own."""
    assert i18n.languages({}) == ("en", "es", "zh", "tl", "vi", "ko", "fr", "de")
    assert set(REVIEW) == set(i18n.DEFAULT_TEXTS) - {"en"}
    english = i18n.DEFAULT_TEXTS["en"]
    for lang in REVIEW:
        for key in LEGAL_KEYS:
            assert i18n.texts(lang, {})[key] != english[key], (lang, key)
        # Every string in every built-in language: a new string added in English alone
        # would show English in the middle of a Korean banner.
        assert set(i18n.DEFAULT_TEXTS[lang]) == set(english), (lang, sorted(set(english) - set(i18n.DEFAULT_TEXTS[lang])))
    assert i18n.texts("ko", {})["dns"] == "내 개인정보를 판매하거나 공유하지 마십시오"
    assert i18n.texts("zh", {})["action.reject"] == "全部拒絕"


def test_overrides_win_and_a_new_language_starts_from_english() -> None:
    overrides = {"ES": {"banner.title": "Privacidad"}, "ja": {"action.accept": "すべて同意"}}
    assert i18n.texts("es", overrides)["banner.title"] == "Privacidad"
    assert i18n.texts("es", overrides)["action.reject"] == "Rechazar todo"
    japanese = i18n.texts("ja", overrides)
    assert japanese["action.accept"] == "すべて同意" and japanese["action.reject"] == "Reject all"
    assert i18n.languages(overrides) == ("en", "es", "zh", "tl", "vi", "ko", "fr", "de", "ja")


@pytest.mark.parametrize(("header", "expected"), [
    (None, "en"),
    ("", "en"),
    ("es", "es"),
    ("es-MX,es;q=0.9", "es"),
    ("fr-FR, es;q=0.8, en;q=0.5", "fr"),
    ("ja-JP, es;q=0.8, en;q=0.5", "es"),
    ("de-AT", "de"),
    ("zh-TW,zh;q=0.9", "zh"),
    ("ja", "en"),
    ("en;q=0.4, es;q=0.6", "es"),
    ("es;q=0", "en"),
    ("es;q=abc, en", "en"),
    ("*", "en"),
])
def test_negotiate(header: str | None, expected: str) -> None:
    assert i18n.negotiate(header, {}) == expected


def test_negotiate_falls_back_to_the_policys_language() -> None:
    assert i18n.negotiate("ja", {}, "es") == "es"
    assert i18n.negotiate(None, {}, "ko") == "ko"
    assert i18n.negotiate("de", {}, "es") == "de"


def test_the_widget_config_carries_only_the_widgets_strings_in_one_language() -> None:
    spanish, english = widget_config(make_policy(), "es"), widget_config(make_policy(), "en")
    assert set(spanish["texts"]) == i18n.WIDGET_KEYS
    assert spanish["texts"]["gpc.honored"] == "Solicitud de exclusión atendida"
    assert english["texts"]["gpc.honored"] == "Opt-Out Request Honored"
    assert spanish["lang"] == "es" and spanish["languages"] == ["en", "es", "zh", "tl", "vi", "ko", "fr", "de"]
