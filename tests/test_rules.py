"""The consent rules (contract section 6) as one table: mode x age band x GPC x
earlier choices x time. Each row is a story of steps, then what must hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from consentkit import rules
from consentkit.rules import AlreadyAnswered, RuleError, Signals, add_months, decide, evaluate, opt_out
from consentkit.state import Choices

from .kits import START, make_policy

DAY = timedelta(days=1)
ALL = {"analytics": True, "captcha": True, "advertising": True}
NONE = {"analytics": False, "captcha": False, "advertising": False}


def run(mode, steps, *, version="2026-11-01"):
    """Play steps on a new visitor; returns (policy, choices, decisions)."""
    policy = make_policy(mode, version=version)
    choices = Choices(visitor_id="v" * 22)
    decisions = []
    for step in steps:
        kind, at, *args = step
        now = START + at
        if kind == "version":
            policy = make_policy(mode, version=args[0])
            continue
        if kind == "visit":
            outcome = evaluate(policy, choices, Signals(gpc=args[0]), now)
        elif kind == "decide":
            kwargs = dict(args[0])
            outcome = decide(policy, choices, now=now, source=kwargs.pop("source", "banner"), **kwargs)
        elif kind == "opt_out":
            outcome = opt_out(policy, choices, source="link", now=now)
        else:  # parent
            outcome = rules.Outcome(choices.evolve(parental_consent=args[0], parental_choices=args[1]),
                                    rules.view(policy, choices, now))
        choices = outcome.choices
        if outcome.decision is not None:
            decisions.append(outcome.decision)
    return policy, choices, decisions


def state_at(mode, steps, at, *, gpc=False):
    policy, choices, decisions = run(mode, steps)
    outcome = evaluate(policy, choices, Signals(gpc=gpc), START + at)
    if outcome.decision is not None:
        decisions.append(outcome.decision)
    return outcome.state, decisions


T0 = timedelta(0)
CASES = [
    # id, mode, steps, when, gpc, expected categories (subset), expected flags
    ("rule1-necessary-always", "opt_in", [], T0, False, {"necessary": True}, {"prompt": True, "decided": False}),
    ("rule2-opt_in-denied-until-granted", "opt_in", [], T0, False, NONE, {"prompt": True}),
    ("rule2-opt_in-granted", "opt_in", [("decide", T0, {"given": {"analytics": True}})], DAY, False,
     {"analytics": True, "advertising": False}, {"prompt": False, "decided": True}),
    ("rule2-opt_out-granted-from-first-request", "opt_out", [], T0, False, ALL, {"prompt": True}),
    ("rule2-opt_out-denied-by-visitor", "opt_out", [("decide", T0, {"given": {"analytics": False}})], DAY, False,
     {"analytics": False, "captcha": True, "advertising": True}, {"prompt": False}),
    ("rule3-gpc-opts-out-sale-opt_out", "opt_out", [], T0, True, {"analytics": True, "advertising": False},
     {"gpc": True, "sale_opt_out": True, "usprivacy": "1YYN"}),
    ("rule3-gpc-opts-out-sale-opt_in", "opt_in", [("decide", T0, {"given": ALL})], DAY, True,
     {"analytics": True, "advertising": False}, {"gpc": True, "sale_opt_out": True}),
    ("rule3-gpc-beats-earlier-allow", "opt_out", [("decide", T0, {"given": ALL})], DAY, True,
     {"advertising": False}, {"usprivacy": "1YYN"}),
    ("rule7-later-visit-without-gpc-keeps-opt-out", "opt_out", [("visit", T0, True)], 30 * DAY, False,
     {"advertising": False}, {"gpc": True}),
    ("rule4-under13-denied-whatever-mode", "opt_out",
     [("decide", T0, {"given": ALL, "age_band": "under_13"})], DAY, False, NONE, {"age_band": "under_13"}),
    ("rule4-under13-parent-grants-collection-not-disclosure", "opt_out",
     [("decide", T0, {"given": ALL, "age_band": "under_13"}),
      ("parent", DAY, "granted", {"analytics": True, "advertising": False})], 2 * DAY, False,
     {"analytics": True, "captcha": False, "advertising": False}, {"parental_consent": "granted"}),
    ("rule4-under13-parent-denies", "opt_in",
     [("decide", T0, {"age_band": "under_13"}), ("parent", DAY, "denied", {"analytics": True})], 2 * DAY, False,
     NONE, {"parental_consent": "denied"}),
    ("rule4-teen-accept-all-keeps-sale-off", "opt_out",
     [("decide", T0, {"given": ALL, "age_band": "13_15"})], DAY, False,
     {"analytics": True, "advertising": False}, {"sale_opt_out": True}),
    ("rule4-teen-affirmative-opt-in", "opt_out",
     [("decide", T0, {"given": ALL, "age_band": "13_15"}),
      ("decide", DAY, {"given": {"advertising": True}, "sale_opt_in": True, "source": "preferences"})],
     2 * DAY, False, {"advertising": True}, {"sale_opt_in": True, "usprivacy": "1YNN"}),
    ("rule4-16plus-mode-rule", "opt_out", [("decide", T0, {"age_band": "16_plus"})], DAY, False, ALL,
     {"prompt": True}),
    ("rule5-opt-out-sets-12-months", "opt_out", [("opt_out", T0)], DAY, False, {"advertising": False},
     {"reprompt_not_before": add_months(START, 12)}),
    ("rule5-banner-cannot-undo-opt-out-inside-12-months", "opt_out",
     [("opt_out", T0), ("decide", 364 * DAY, {"given": ALL, "source": "banner"})], 365 * DAY - timedelta(hours=1),
     False, {"analytics": True, "advertising": False}, {}),
    ("rule5-preferences-may-opt-back-in", "opt_out",
     [("opt_out", T0), ("decide", 10 * DAY, {"given": {"advertising": True}, "source": "preferences"})],
     11 * DAY, False, {"advertising": True}, {"sale_opt_out": False}),
    ("rule5-banner-after-12-months-may-ask", "opt_out",
     [("opt_out", T0), ("decide", 366 * DAY, {"given": ALL, "source": "banner"})], 367 * DAY, False,
     {"advertising": True}, {}),
    ("rule5-policy-change-keeps-opt-out", "opt_out",
     [("decide", T0, {"given": {"advertising": False}}), ("version", DAY, "2027-01-01")], 2 * DAY, False,
     {"advertising": False, "analytics": True}, {"prompt": True, "decided": False, "policy_version": "2027-01-01"}),
    ("rule6-new-version-prompts-earlier-choices-keep-effect", "opt_in",
     [("decide", T0, {"given": {"analytics": True}}), ("version", DAY, "2027-01-01")], 2 * DAY, False,
     {"analytics": True, "advertising": False}, {"prompt": True, "decided": False}),
    ("rule7-opt_out-expiry-day-before", "opt_out", [("decide", T0, {"given": {"analytics": False}})],
     365 * DAY - timedelta(seconds=1), False, {"analytics": False}, {"prompt": False}),
    ("rule7-opt_out-expiry-asks-again", "opt_out", [("decide", T0, {"given": {"analytics": False}})], 365 * DAY,
     False, {"analytics": True}, {"prompt": True, "decided": False}),
    ("rule7-opt_in-expiry-182-days", "opt_in", [("decide", T0, {"given": ALL})], 182 * DAY, False, NONE,
     {"prompt": True}),
    ("rule7-expired-opt-out-of-sale-stays-out", "opt_out", [("decide", T0, {"given": NONE})], 400 * DAY, False,
     {"analytics": True, "advertising": False}, {"prompt": True, "sale_opt_out": True}),
]


@pytest.mark.parametrize(("mode", "steps", "when", "gpc", "categories", "flags"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rules_table(mode, steps, when, gpc, categories, flags):
    state, _ = state_at(mode, steps, when, gpc=gpc)
    for cid, expected in categories.items():
        assert state.allows(cid) is expected, cid
    for name, expected in flags.items():
        assert getattr(state, name) == expected, name


@pytest.mark.parametrize(("offset", "inside"), [(-timedelta(seconds=1), True), (T0, False)])
def test_twelve_month_boundary_on_both_sides(offset, inside):
    policy, choices, _ = run("opt_out", [("opt_out", T0)])
    boundary = add_months(START, 12)
    assert rules.in_reprompt_window(choices, boundary + offset) is inside
    outcome = decide(policy, choices, source="banner", now=boundary + offset, given={"advertising": True})
    assert outcome.state.allows("advertising") is (not inside)


def test_gpc_is_recorded_once_per_visitor():
    policy = make_policy()
    choices = Choices(visitor_id="v" * 22)
    first = evaluate(policy, choices, Signals(gpc=True), START)
    again = evaluate(policy, first.choices, Signals(gpc=True), START + DAY)
    assert first.decision is not None and first.decision.source == "gpc"
    assert again.decision is None


def test_gpc_header_must_be_exactly_one():
    assert rules.gpc_from_header("1")
    for value in ("0", "true", " 1", "1 ", "yes", "", None, "11"):
        assert not rules.gpc_from_header(value)


def test_a_policy_without_sale_categories_has_nothing_to_opt_out_of():
    from consentkit import Category, Policy

    policy = Policy("v1", [Category("necessary", required=True), Category("analytics")])
    outcome = evaluate(policy, Choices(visitor_id="v" * 22), Signals(gpc=True), START)
    assert outcome.decision is None and outcome.state.usprivacy == "1YNN" and outcome.state.allows("analytics")


@pytest.mark.parametrize(
    ("given", "message"),
    [({"necessary": False}, "required"), ({"nope": True}, "unknown category")],
)
def test_refused_decisions(given, message):
    with pytest.raises(RuleError, match=message) as err:
        decide(make_policy(), Choices(visitor_id="v" * 22), source="api", now=START, given=given)
    assert not isinstance(err.value, AlreadyAnswered) and not hasattr(err.value, "status")


def test_age_band_cannot_be_raised_once_given():
    policy, choices, _ = run("opt_out", [("decide", T0, {"age_band": "under_13"})])
    with pytest.raises(AlreadyAnswered, match="already answered"):
        decide(policy, choices, source="banner", now=START, age_band="16_plus")
    assert decide(policy, choices, source="banner", now=START, age_band="under_13").state.age_band == "under_13"


def test_age_answer_alone_is_not_an_answer_to_the_banner():
    policy, choices, decisions = run("opt_in", [("decide", T0, {"age_band": "16_plus"})])
    state = rules.view(policy, choices, START)
    assert state.prompt and not state.decided and decisions[0].age_band == "16_plus"


def test_every_decision_carries_what_the_ledger_needs():
    _, _, decisions = run("opt_out", [("decide", T0, {"given": {"analytics": False}, "source": "preferences"})])
    (decision,) = decisions
    assert decision.source == "preferences" and decision.policy_version == "2026-11-01"
    assert decision.mode == "opt_out" and decision.choices["analytics"] is False
    assert decision.choices["necessary"] is True and decision.at == START


def test_add_months_never_shortens():
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(leap, 12) == datetime(2029, 3, 1, tzinfo=UTC)
    assert add_months(datetime(2026, 11, 27, tzinfo=UTC), 12) == datetime(2027, 11, 27, tzinfo=UTC)
