"""Translations (issue 19): category and service texts per language in the policy,
the policy's default language, the built-in languages in the widget's per-language
config (never in its code), and the docs' review table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consentkit import Category, Policy, PolicyError, Service
from consentkit.assets import WidgetAssets, widget_dir
from consentkit.i18n import DEFAULT_TEXTS, texts
from consentkit.translations import LEGAL_KEYS, REVIEW
from consentkit.widget_config import widget_config

from .apps import client

ROOT = Path(__file__).resolve().parent.parent
POLICY_TOML = """
version = "2026-11-01"
mode = "opt_in"
language = "es"

[[categories]]
id = "necessary"
required = true
label = {en = "Necessary", es = "Necesarias", ko = "필수"}

[[categories]]
id = "analytics"
label = {en = "Analytics", es = "Analítica", fr = "Mesure d'audience"}
description = {en = "Counts visits.", es = "Cuenta las visitas."}

[[categories.services]]
id = "web-analytics"
vendor = "Example Analytics"
hosts = ["analytics.example.test"]
description = {en = "Counts page views.", es = "Cuenta las páginas vistas.", de = "Zählt Seitenaufrufe."}
"""


@pytest.fixture
def policy(tmp_path: Path) -> Policy:
    path = tmp_path / "policy.toml"
    path.write_text(POLICY_TOML, encoding="utf-8")
    return Policy.from_toml(path)


def _analytics(config: dict) -> dict:
    return next(c for c in config["categories"] if c["id"] == "analytics")


def test_labels_and_descriptions_per_language_from_toml(policy: Policy) -> None:
    analytics = policy.category("analytics")
    assert analytics.label == "Analytics"                       # English when given
    assert analytics.label_in("fr") == "Mesure d'audience"
    assert analytics.label_in("es-MX") == "Analítica"           # a region falls back to its language
    assert analytics.label_in("ko", policy.language) == "Analítica"   # else the policy's language
    assert policy.category("necessary").label_in("ko") == "필수"
    french = _analytics(widget_config(policy, "fr"))
    assert french["label"] == "Mesure d'audience" and french["description"] == "Cuenta las visitas."
    german = _analytics(widget_config(policy, "de"))
    assert german["services"][0]["description"] == "Zählt Seitenaufrufe."
    assert german["label"] == "Analítica"


def test_python_tables_and_a_plain_string_still_work() -> None:
    category = Category("analytics", label={"es": "Analítica", "EN": "Analytics"}, services=[
        Service("counter", description={"de": "Zählt."})])
    assert category.label == "Analytics" and category.label_in("es") == "Analítica"
    assert category.services[0].description == "Zählt." and category.services[0].description_in("en") == "Zählt."
    assert Category("ads", label="Ads").label_in("es") == "Ads"


@pytest.mark.parametrize(("label", "message"), [
    ({}, "category 'analytics': label is an empty table"),
    ({"English": "Analytics"}, "category 'analytics': label: 'English' is not a language code"),
    ({"en": 3}, "category 'analytics': label in 'en' must be a string"),
])
def test_bad_tables_name_the_category(label: object, message: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)):
        Category("analytics", label=label)  # type: ignore[arg-type]


def test_the_policys_language_must_be_on_offer() -> None:
    necessary = Category("necessary", required=True)
    with pytest.raises(PolicyError, match="language 'ja' is not on offer"):
        Policy("1", [necessary], language="ja")
    assert Policy("1", [necessary], language="ja", texts={"ja": {"banner.title": "プライバシー"}}).language == "ja"
    assert Policy("1", [necessary], language="KO").language == "ko"


def test_the_policys_language_is_the_fallback(policy: Policy) -> None:
    assets = WidgetAssets(policy, "/consentkit")
    assert assets.language(None) == "es" and assets.language("ja") == "es" and assets.language("vi") == "vi"
    assert "&lang=es" in assets.url("widget.js", None)


@pytest.mark.anyio
async def test_pages_speak_the_request_language(make_kit, policy: Policy) -> None:
    async with client(make_kit(policy), **{"accept-language": "fr-CA,fr;q=0.9"}) as c:
        french = (await c.get("/consentkit/preferences")).text
    assert '<html lang="fr">' in french and "Mesure d&#39;audience" in french
    assert "Préférences de confidentialité" in french
    async with client(make_kit(policy), **{"accept-language": "ja"}) as c:
        spanish = await c.get("/consentkit/preferences")
    assert spanish.headers["content-language"] == "es" and "Analítica" in spanish.text


def test_strings_travel_in_the_per_language_config_not_in_the_code(policy: Policy) -> None:
    """The built widget carries no language: each language's strings come in its own
    cacheable config (widget.js?lang=xx's prelude, config.json?lang=xx), so they count
    against no JavaScript budget."""
    code = b"".join((widget_dir() / name).read_bytes() for name in ("boot.js", "widget.js", "widget.css"))
    for lang, table in DEFAULT_TEXTS.items():
        for key in ("dns", "gpc.honored", "banner.title"):
            assert table[key].encode() not in code, (lang, key)
    assets = WidgetAssets(policy, "/consentkit")
    korean = assets.get("config.json", "ko")
    assert korean is not None and b"\\ub0b4 \\uac1c\\uc778\\uc815\\ubcf4" in korean.body
    assert assets.get("widget.js", "ko").body.endswith((widget_dir() / "widget.js").read_bytes())


def test_the_docs_list_every_language_and_its_review() -> None:
    page = (ROOT / "docs" / "translations.md").read_text(encoding="utf-8")
    for lang, (name, status) in REVIEW.items():
        row = f"| `{lang}` | {name} |"
        assert row in page, row
        line = next(line for line in page.splitlines() if line.startswith(row))
        for key in LEGAL_KEYS:
            assert texts(lang, {})[key] in line, (lang, key)
        assert status.split(":")[0] in line
