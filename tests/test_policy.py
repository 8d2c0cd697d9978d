from __future__ import annotations

from pathlib import Path

import pytest

from consentkit import Category, Policy, PolicyError, Service
from consentkit.policy import HostRule, lifetime_seconds

from .kits import make_policy

NECESSARY = Category("necessary", required=True)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Policy("v1", [Category("analytics")]), "no 'necessary' category"),
        (lambda: Policy("v1", [Category("necessary")]), "must be required"),
        (lambda: Policy("v1", [NECESSARY, Category("a"), Category("a")]), "declared twice"),
        (lambda: Policy("v1", [NECESSARY], mode="gdpr"), "mode 'gdpr' is unknown"),
        (lambda: Policy("", [NECESSARY]), "version"),
        (lambda: Category("ads", required=True, sale_or_sharing=True), "both required and sale_or_sharing"),
        (lambda: Category("Bad Id"), "category id"),
        (lambda: Service("x", hosts=["not a host"]), "is not a host name"),
        (lambda: Service("x", cookies={"bad name": "1 year"}), "cookie name"),
        (lambda: Service("x", cookies={"_ga": "forever"}), "lifetime"),
        (lambda: Policy("v1", [NECESSARY, Category("a", services=[Service("s")]),
                               Category("b", services=[Service("s")])]), "service 's' is declared twice"),
        (lambda: Policy("v1", [NECESSARY], lifetime_days=0), "lifetime_days"),
        (lambda: Policy("v1", [NECESSARY], consent_mode={"nope": ["ad_storage"]}), "consent_mode names"),
        (lambda: Policy("v1", [NECESSARY, Category("analytics")], consent_mode={"analytics": ["analytic_storage"]}),
         "'analytic_storage', which is not a Consent Mode type"),
        (lambda: Policy("v1", [NECESSARY, Category("analytics")], consent_mode={"analytics": "analytics_storage"}),
         "must be a list of Consent Mode types"),
        (lambda: Policy("v1", [NECESSARY], consent_mode=["security_storage"]), "consent_mode must map"),
        # Issue 19, 5: mistakes that were accepted silently, each named by its service and category.
        (lambda: Service("ga", cookies={"_ga": "0 days"}), r"service 'ga': cookie lifetime '0 days' is zero"),
        (lambda: Service("ga", cookies={"_ga": "100 years"}), r"service 'ga': .*longer than 10 years"),
        (lambda: Service("ga", hosts=["not a host"]), r"service 'ga': host 'not a host'"),
        (lambda: Policy("v1", [NECESSARY, Category("analytics", services=[Service("ga", hosts=["t.example.com"])]),
                               Category("ads", services=[Service("px", hosts=["T.example.com"])])]),
         (r"host 't.example.com' is declared in service 'ga' \(category 'analytics'\) and in service 'px' "
          r"\(category 'ads'\)")),
    ],
)
def test_invalid_policies_say_how_to_fix(build, message):
    with pytest.raises(PolicyError, match=message):
        build()


def test_policy_is_immutable_and_defaults_lifetime_by_mode():
    assert make_policy("opt_out").lifetime_days == 365
    assert make_policy("opt_in").lifetime_days == 182
    policy = make_policy()
    with pytest.raises(AttributeError):
        policy.mode = "opt_in"  # type: ignore[misc]
    assert policy.sale_or_sharing_ids == ("advertising",)


@pytest.mark.parametrize(
    ("url", "category"),
    [
        ("https://www.googletagmanager.com/gtag/js?id=G-X", "analytics"),
        ("//www.google-analytics.com/collect", "analytics"),
        ("HTTPS://WWW.GOOGLE-ANALYTICS.COM/g/collect", "analytics"),
        ("https://www.google.com/recaptcha/api.js", "captcha"),
        ("https://www.google.com/recaptchafake/api.js", None),
        ("https://www.google.com/search?q=recaptcha", None),
        ("https://www.googletagmanager.com.evil.test/gtag.js", None),
        ("https://notwww.google-analytics.com/x", None),
        ("https://ads.example-ads.test:8443/p.gif", "advertising"),
        ("/local/script.js", None),
        ("javascript:alert(1)", None),
        ("https://[::1/x", None),
    ],
)
def test_category_for_url_matches_declared_hosts_only(url, category):
    assert make_policy().category_for_url(url) == category


def test_wildcard_hosts_and_cookie_patterns():
    rule = HostRule.parse("*.doubleclick.net")
    assert rule.matches("ad.doubleclick.net", "/")
    assert rule.matches("doubleclick.net", "/")
    assert not rule.matches("doubleclick.net.evil.test", "/")
    policy = make_policy()
    assert policy.category_for_cookie("_ga_ABC123") == "analytics"
    assert policy.category_for_cookie("_gid") == "analytics"
    assert policy.category_for_cookie("_gidx") is None
    assert policy.category_for_cookie("session") is None


@pytest.mark.parametrize(("text", "seconds"), [("session", None), ("24 hours", 86400), ("2 years", 2 * 365 * 86400),
                                               ("13 Months", 13 * 30 * 86400), ("1 day", 86400)])
def test_lifetimes(text, seconds):
    assert lifetime_seconds(text) == seconds


def test_the_same_host_on_other_paths_is_no_conflict():
    policy = Policy("v1", [NECESSARY, Category("captcha", services=[Service("rc", hosts=["www.google.com/recaptcha"])]),
                           Category("maps", services=[Service("gm", hosts=["www.google.com/maps"])])])
    assert policy.category_for_url("https://www.google.com/maps/embed") == "maps"


def test_a_toml_mistake_names_its_category_and_service(tmp_path: Path):
    path = tmp_path / "policy.toml"
    path.write_text('version = "v1"\n[[categories]]\nid = "necessary"\nrequired = true\n'
                    '[[categories]]\nid = "analytics"\n[[categories.services]]\nid = "ga"\n'
                    'cookies = { _ga = "100 years" }\n')
    with pytest.raises(PolicyError, match=r"policy.toml: category 'analytics', service 'ga': cookie lifetime"):
        Policy.from_toml(path)


def test_from_toml_loads_the_same_policy(tmp_path: Path):
    path = tmp_path / "policy.toml"
    path.write_text(
        """
version = "2026-11-01"
mode = "opt_in"
age_gate = true

[controller]
name = "Example Health"

[[categories]]
id = "necessary"
required = true

[[categories]]
id = "analytics"
label = "Analytics"

[[categories.services]]
id = "web-analytics"
vendor = "Google"
hosts = ["www.googletagmanager.com"]
cookies = { _ga = "2 years", "_ga_*" = "2 years" }

[[categories]]
id = "advertising"
sale_or_sharing = true

[extra.ccpa]
A = true
"""
    )
    policy = Policy.from_toml(path)
    assert policy.mode == "opt_in" and policy.age_gate
    assert policy.category_ids == ("necessary", "analytics", "advertising")
    assert policy.category("analytics").services[0].vendor == "Google"
    assert policy.category_for_cookie("_ga_X") == "analytics"
    assert policy.controller.name == "Example Health"
    assert policy.extra["ccpa"]["A"] is True


def test_from_toml_rejects_unknown_keys_and_bad_toml(tmp_path: Path):
    path = tmp_path / "p.toml"
    path.write_text('version = "1"\nmodee = "opt_in"\n[[categories]]\nid = "necessary"\nrequired = true\n')
    with pytest.raises(PolicyError, match="unknown key.*'modee'"):
        Policy.from_toml(path)
    path.write_text("version = ")
    with pytest.raises(PolicyError, match="not valid TOML"):
        Policy.from_toml(path)


def test_a_misspelt_consent_mode_type_in_toml_stops_the_start(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('version = "v1"\nconsent_mode = {analytics = ["analytic_storage"]}\n'
                    '[[categories]]\nid = "necessary"\nrequired = true\n[[categories]]\nid = "analytics"\n')
    with pytest.raises(PolicyError, match="analytic_storage"):
        Policy.from_toml(path)


def test_consent_mode_defaults_and_the_policys_own_mapping():
    policy = make_policy()
    assert policy.consent_mode["necessary"] == ("security_storage", "functionality_storage")
    assert policy.consent_mode["analytics"] == ("analytics_storage",)
    assert policy.consent_mode["advertising"] == ("ad_storage", "ad_user_data", "ad_personalization")
    assert policy.consent_mode["captcha"] == ()
    mapped = Policy("v1", policy.categories, consent_mode={"captcha": ["functionality_storage"]})
    assert mapped.consent_mode["captcha"] == ("functionality_storage",)
    assert mapped.consent_mode["analytics"] == ("analytics_storage",)


_TOML_BASE = """
version = "2026-11-01"
{top}
[[categories]]
id = "necessary"
required = true
[[categories]]
id = "advertising"
{category}
[[categories.services]]
id = "ads"
{service}
"""


@pytest.mark.parametrize(("top", "category", "service", "says"), [
    ("", 'required = "false"', "", "required must be true or false"),
    ("", 'sale_or_sharing = "true"', "", "sale_or_sharing must be true or false"),
    ("", "sale_or_sharing = 1", "", "sale_or_sharing must be true or false"),
    ('age_gate = "false"', "", "", "age_gate must be true or false"),
    ("", "label = 3", "", "label must be a string"),
    ("", "", 'hosts = "ads.example.net"', "hosts must be a list"),
    ("", "", "cookies = { _ads = 13 }", "lifetime must be a string"),
    ("", "", 'cookies = ["_ads"]', "cookies must be a table"),
    ("", "", "vendor = true", "vendor must be a string"),
    ('controller = { name = 1 }', "", "", "the controller's name must be a string"),
])
def test_a_value_of_the_wrong_type_is_an_error_that_says_what_to_write(tmp_path, top, category, service, says):
    """L8: `required = "false"` in TOML made the category always-on."""
    path = tmp_path / "policy.toml"
    path.write_text(_TOML_BASE.format(top=top, category=category, service=service))
    with pytest.raises(PolicyError, match=says):
        Policy.from_toml(path)


def test_the_same_file_with_real_booleans_loads(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text(_TOML_BASE.format(top="age_gate = false", category="required = false\nsale_or_sharing = true",
                                      service='hosts = ["ads.example.net"]\ncookies = { _ads = "13 months" }'))
    policy = Policy.from_toml(path)
    assert policy.category("advertising").required is False and policy.age_gate is False
