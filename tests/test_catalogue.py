"""One serialisation of the policy's categories and services: the widget's config
carries it as it is, and the scan reads a policy back from it."""

from __future__ import annotations

from consentkit.catalogue import catalogue
from consentkit.scan import policy_from_config
from consentkit.widget_config import widget_config

from .kits import make_policy


def test_the_widget_config_carries_the_catalogue():
    policy = make_policy()
    assert widget_config(policy, "/consentkit")["categories"] == catalogue(policy)


def test_the_catalogue_says_all_the_policy_declares():
    policy = make_policy()
    back = policy_from_config(widget_config(policy, "/consentkit"), {"policy_version": policy.version})
    assert back.category_ids == policy.category_ids and back.sale_or_sharing_ids == policy.sale_or_sharing_ids
    for category in policy.categories:
        theirs = back.category(category.id)
        assert [(s.id, s.vendor, [str(h) for h in s.hosts], [(k.pattern, k.lifetime) for k in s.cookies])
                for s in theirs.services] == [
            (s.id, s.vendor, [str(h) for h in s.hosts], [(k.pattern, k.lifetime) for k in s.cookies])
            for s in category.services
        ]
    ads = next(c for c in catalogue(policy) if c["id"] == "advertising")
    assert ads["sale_or_sharing"] is True
    assert ads["services"][0]["cookies"] == [{"name": "_ads", "lifetime": "13 months"}]
