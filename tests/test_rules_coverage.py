"""Rules of ../shared/REQUIREMENTS.md that the issue 15 audit found without a test of their own
(the table: /work/notes/15_rules_table.md). Each test is named after its rule."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from consentkit import Policy, Region
from consentkit.i18n import DEFAULT_TEXTS
from consentkit.rules import Signals, decide, evaluate
from consentkit.state import Choices

from .apps import client
from .kits import START, make_policy

pytestmark = pytest.mark.anyio

# Button labels a visitor chooses with: the banner's, the dialog's and the pages'.
CHOICE_KEYS = ("action.accept", "action.reject", "action.preferences", "action.save",
               "page.accept_all", "page.reject_all", "action.confirm", "action.cancel")
# §7004(a)(2): "Yes / Ask me later" is no choice; the only answers are to accept or to refuse.
DEFERRALS = re.compile(r"\b(later|not now|maybe|remind me)\b", re.IGNORECASE)
# §7004(a)(2)(C): no double negatives, e.g. "Don't not sell". Two negations in one clause.
NEGATION = r"(?:not|never|no|cannot|don't|doesn't|won't|isn't)"
DOUBLE_NEGATIVE = re.compile(rf"\b{NEGATION}\b[^.:;!?]*\b{NEGATION}\b", re.IGNORECASE)
BUTTON = re.compile(r'<button class="([^"]*)" type="submit" name="all" value="(accept|reject)">')


def test_R15_no_choice_button_offers_to_ask_later():
    english = DEFAULT_TEXTS["en"]
    labels = {key: english[key] for key in CHOICE_KEYS}
    assert [key for key, label in labels.items() if DEFERRALS.search(label)] == []
    # The check itself catches one.
    assert DEFERRALS.search("Ask me later")


def test_R15_no_english_text_uses_a_double_negative():
    found = [(key, clause) for key, text in DEFAULT_TEXTS["en"].items()
             for clause in re.split(r"[.:;!?]", text) if DOUBLE_NEGATIVE.search(clause)]
    assert found == []
    # The check itself catches one.
    assert DOUBLE_NEGATIVE.search("Don't not sell my information")


@pytest.mark.parametrize("mode", ["opt_in", "opt_out"])
async def test_R15_the_no_javascript_page_offers_accept_and_reject_alike_in_the_widgets_order(make_kit, mode):
    async with client(make_kit(make_policy(mode))) as c:
        r = await c.get("/consentkit/preferences")
    assert r.status_code == 200
    buttons = BUTTON.findall(r.text)
    # The widget's banner and dialog put "Accept all" before "Reject all" (widget/src/ui.js);
    # the page keeps that order, with the same class (same size and weight), one click each.
    assert [value for _, value in buttons] == ["accept", "reject"]
    assert buttons[0][0] == buttons[1][0]
    assert ">Accept all and save<" in r.text and ">Reject all and save<" in r.text


@pytest.mark.parametrize(("region", "days"), [(None, 30), ("EU", 90)])
def test_R28_stored_choices_expire_after_the_configured_lifetime_and_the_banner_asks_again(region, days):
    """The lifetime is the site's to set (CNIL's good practice is about 6 months), for
    the policy and per region: inside it the choice holds and nothing is asked; after
    it the banner asks again and, in opt_in mode, nothing optional runs until then."""
    base = make_policy("opt_in", age_gate=False)
    policy = Policy(base.version, base.categories, mode="opt_in", lifetime_days=30,
                    regions=[Region("EU", mode="opt_in", lifetime_days=90)]).for_region(region)
    assert policy.lifetime_days == days
    chosen = decide(policy, Choices(visitor_id="v" * 22), now=START, source="banner",
                    given={"analytics": True}).choices
    inside = evaluate(policy, chosen, Signals(), START + timedelta(days=days - 1)).state
    after = evaluate(policy, chosen, Signals(), START + timedelta(days=days + 1)).state
    assert inside.allows("analytics") and inside.prompt is False
    assert not after.allows("analytics") and after.prompt is True
