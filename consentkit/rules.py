"""The consent rules (contract section 6) as pure functions.

Nothing here reads a clock, a cookie or a database: every function takes the
policy, what the visitor said (``Choices``), the request's signals and ``now``,
and returns new values. That is what lets the 12-month and expiry rules be tested
without waiting a year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import NamedTuple

from . import gpp
from .policy import Policy
from .state import AGE_BANDS, AgeBand, Choices, ConsentState, Source, usprivacy_string

# How long, after an opt-out of sale or sharing, nothing may ask the visitor to opt
# back in (Civ. Code 1798.135(c)(4)).
REPROMPT_MONTHS = 12
# Sources whose decisions are only an opt-out of sale or sharing (GPC, the "Do Not Sell"
# link and POST /opt-out): their records keep what proving the opt-out needs and no
# more (11 CCR 7025(d), R7): nothing about the browser.
OPT_OUT_SOURCES: frozenset[str] = frozenset({"gpc", "link"})
# The youngest age each band admits: a later answer may say younger, never older
# (16_plus, "16 or over", may be made precise as 16_17 or 18_plus).
_BAND_FLOOR = {"unknown": 99, "under_13": 0, "13_15": 13, "16_17": 16, "16_plus": 16, "18_plus": 18}
assert set(_BAND_FLOOR) == set(AGE_BANDS)


class RuleError(ValueError):
    """A decision the rules refuse; the message says what is wrong with it."""


class AlreadyAnswered(RuleError):
    """A decision that contradicts an earlier answer that stands (the age question)."""


@dataclass(frozen=True, slots=True)
class Signals:
    """What the request itself says about the visitor's wishes."""

    gpc: bool = False


def gpc_from_header(value: str | None) -> bool:
    """Global Privacy Control counts only for a header value of exactly "1"."""
    return value == "1"


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision, as the ledger will record it (without receipt id and browser)."""

    visitor_id: str
    at: datetime
    policy_version: str
    mode: str
    choices: Mapping[str, bool]
    source: Source
    gpc: bool
    age_band: AgeBand
    parental_consent: str | None
    # Service-level values that differ from their category's (a service granted, or
    # refused, on its own); the rest follow ``choices``.
    services: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType({}))
    # The policy's region whose rules applied (``"US-CO"``, ``"EU"``); None for its own.
    region: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of applying the rules to a request: what to store, what to show,
    and the decision to record, if one was made."""

    choices: Choices
    state: ConsentState
    decision: Decision | None = None


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later; a day that month lacks rolls to the next day,
    so that "12 months" is never shorter than 12 months."""
    month0 = moment.month - 1 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    try:
        return moment.replace(year=year, month=month)
    except ValueError:
        first_next = moment.replace(year=year + (month == 12), month=month % 12 + 1, day=1)
        return first_next


def expires_at(policy: Policy, choices: Choices) -> datetime | None:
    if choices.decided_at is None:
        return None
    return choices.decided_at + timedelta(days=policy.lifetime_days)


def _live_choices(policy: Policy, choices: Choices, now: datetime) -> tuple[Mapping[str, bool], bool]:
    """The visitor's explicit choices that still count, and whether they are current
    (given for this policy version and not expired).

    Expired choices lapse, except an opt-out of sale or sharing, which never turns
    into an opt-in by itself (rule 7). A new policy version keeps earlier choices in
    effect until the visitor answers again (rule 6).
    """
    end = expires_at(policy, choices)
    if end is not None and now >= end:
        kept = {
            cid: value
            for cid, value in choices.choices.items()
            if value is False and cid in policy and policy.category(cid).sale_or_sharing
        }
        return kept, False
    current = choices.decided_at is not None and choices.policy_version == policy.version
    return choices.choices, current


def _live_services(policy: Policy, choices: Choices, now: datetime) -> Mapping[str, bool]:
    """The visitor's service-level choices that still count: they lapse with the
    choices (after the lifetime from the decision, or from the last change when no
    category was ever decided), except a refusal in a sale or sharing category."""
    if not choices.services:
        return choices.services
    end = expires_at(policy, choices)
    if end is None and choices.updated_at is not None:
        end = choices.updated_at + timedelta(days=policy.lifetime_days)
    if end is None or now < end:
        return choices.services
    return {sid: False for sid, value in choices.services.items()
            if value is False and sid in policy.service_ids and policy.service(sid)[0].sale_or_sharing}


def effective_services(
    policy: Policy, choices: Choices, now: datetime, categories: Mapping[str, bool] | None = None
) -> dict[str, bool]:
    """Every declared service's value: its category's, unless the visitor chose the
    service on its own. A service grant counts where the visitor's own grant of its
    category would (not for a child under 13, whose grants come from a parent; in a
    sale or sharing category for a teen only after the teen's own opt-in)."""
    if categories is None:
        categories = effective_categories(policy, choices, now)
    live = _live_services(policy, choices, now)
    band = choices.age_band
    # Where sensitive data needs an opt-in, a sensitive service in a category that is not
    # is on only by a grant of its own or of its category (not by the mode's default).
    opted_in = _live_choices(policy, choices, now)[0] if policy.sensitive != "limit" else None
    result: dict[str, bool] = {}
    for category in policy.categories:
        for service in category.services:
            value = categories[category.id]
            explicit = live.get(service.id)
            if category.required or explicit is None:
                pass
            elif explicit is False:
                value = False
            elif not value:
                value = band != "under_13" and not (
                    category.sale_or_sharing and not _minor_may_sell(policy, choices))
            if (opted_in is not None and service.sensitive and value and explicit is not True
                    and opted_in.get(category.id) is not True and band != "under_13"):
                value = False
            result[service.id] = value
    for sid in additions(policy, choices).services:
        result[sid] = False
    return result


def service_deviations(policy: Policy, categories: Mapping[str, bool], services: Mapping[str, bool]) -> dict[str, bool]:
    """The services whose value is not their category's: what a record must add."""
    return {sid: value for sid, value in services.items() if value != categories[policy.service(sid)[0].id]}


def _minor_may_sell(policy: Policy, choices: Choices) -> bool:
    """Whether sale, sharing or targeted advertising may reach this visitor if granted:
    an adult, or a minor whose rule is their own opt-in and who gave it."""
    rule = policy.minor_rule(choices.age_band)
    return rule == "opt_out" or (rule == "opt_in" and choices.sale_opt_in)


def shown_band(policy: Policy, band: AgeBand) -> AgeBand:
    """The age band as the state shows it here: ``16_17`` and ``18_plus`` where the
    region has rules for 16-17-year-olds, ``16_plus`` (16 or over) where it does not."""
    if band in ("16_17", "18_plus") and not policy.distinguishes_16_17:
        return "16_plus"
    return band


class Additions(NamedTuple):
    """What the policy added since the version a visitor decided under (R37)."""

    categories: frozenset[str] = frozenset()
    services: frozenset[str] = frozenset()
    texts: tuple[str, ...] = ()


NO_ADDITIONS = Additions()


def additions(policy: Policy, choices: Choices) -> Additions:
    """The categories (new, or put to a new purpose) and services that the policy's
    ``changes`` added after the version the visitor last decided under: they stay off
    until the visitor answers again. A version the changes do not list counts as older
    than all of them."""
    if not policy.changes or choices.decided_at is None or choices.policy_version == policy.version:
        return NO_ADDITIONS
    versions = [change.version for change in policy.changes]
    start = versions.index(choices.policy_version) + 1 if choices.policy_version in versions else 0
    categories: set[str] = set()
    services: set[str] = set()
    texts: list[str] = []
    for change in policy.changes[start:]:
        categories.update(change.categories)
        services.update(change.services)
        names = [policy.service(sid)[1].vendor or sid for sid in change.services]
        names += [policy.category(cid).label for cid in change.categories]
        texts.append(change.note or ", ".join(dict.fromkeys(names)))
    return Additions(frozenset(categories), frozenset(services), tuple(t for t in texts if t))


def effective_categories(policy: Policy, choices: Choices, now: datetime) -> dict[str, bool]:
    """Rules 1, 2 and 4: what each category is, given what the visitor said; what a
    new policy version added stays off until the visitor answers again (R37)."""
    live, _ = _live_choices(policy, choices, now)
    band = choices.age_band
    result: dict[str, bool] = {}
    for category in policy.categories:
        cid = category.id
        if category.required:
            result[cid] = True
            continue
        explicit = live.get(cid)
        if band == "under_13":
            granted = choices.parental_consent == "granted" and choices.parental_choices.get(cid, False)
            # A parent's grant of disclosure still yields to the child's opt-out signal.
            granted = granted and not (category.sale_or_sharing and explicit is False)
        else:
            granted = explicit if explicit is not None else policy.mode == "opt_out"
            if category.sensitive and policy.sensitive != "limit":
                # Sensitive data where the region needs an opt-in: off until given, in any mode.
                granted = explicit is True
            if category.sale_or_sharing and policy.minor_rule(band) != "opt_out":
                # A minor's own opt-in where the region asks for one; never where it bans sale.
                granted = explicit is True and _minor_may_sell(policy, choices)
        result[cid] = bool(granted)
    for cid in additions(policy, choices).categories:
        result[cid] = False
    return result


def evaluate(policy: Policy, choices: Choices, signals: Signals, now: datetime) -> Outcome:
    """Apply the request's signals and the rules: the state for this request.

    A GPC signal not yet honoured for this visitor is honoured now, as a decision
    with source ``gpc`` (recorded once per visitor, rule 3).
    """
    decision = None
    if signals.gpc and not choices.gpc and policy.sale_or_sharing_ids:
        choices = _opt_out(policy, choices, now).evolve(gpc=True)
        categories = effective_categories(policy, choices, now)
        decision = _decision(policy, choices, categories, "gpc", now)
    elif signals.gpc and not choices.gpc:
        choices = choices.evolve(gpc=True)
    return Outcome(choices, view(policy, choices, now), decision)


def view(policy: Policy, choices: Choices, now: datetime) -> ConsentState:
    """The contract's state for these choices at ``now``."""
    categories = effective_categories(policy, choices, now)
    _, current = _live_choices(policy, choices, now)
    sale_ids = policy.sale_or_sharing_ids
    sale_opt_out = bool(sale_ids) and not any(categories[c] for c in sale_ids)
    services = effective_services(policy, choices, now, categories)
    band = shown_band(policy, choices.age_band)
    gpp_string, gpp_sid = gpp.for_visitor(policy, categories, gpc=choices.gpc, age_band=band,
                                          region=policy.region, services=services)
    added = additions(policy, choices)
    prompt = not current
    if prompt and in_reprompt_window(choices, now):
        # After an opt-out (GPC, the link, the API, a refusal) nothing re-asks about sale
        # or sharing for 12 months (rule 5, R8): the banner comes back only for what is
        # still unanswered and is not sale (the age question, opt_in's categories).
        prompt = still_asks(policy, choices) or any(
            not policy.category(cid).sale_or_sharing for cid in added.categories) or any(
            not policy.service(sid)[0].sale_or_sharing for sid in added.services)
    return ConsentState(
        visitor_id=choices.visitor_id,
        policy_version=policy.version,
        mode=policy.mode,
        categories=MappingProxyType(categories),
        decided=current,
        prompt=prompt,
        gpc=choices.gpc,
        sale_opt_out=sale_opt_out,
        reprompt_not_before=choices.reprompt_not_before,
        age_band=band,
        parental_consent=choices.parental_consent,
        updated_at=choices.updated_at,
        expires_at=expires_at(policy, choices),
        usprivacy=usprivacy_string(has_sale_categories=bool(sale_ids), sale_opt_out=sale_opt_out),
        sale_opt_in=choices.sale_opt_in,
        gpp=gpp_string,
        gpp_sid=gpp_sid,
        choices=choices,
        services=MappingProxyType(services),
        region=policy.region,
        sensitive_limited=choices.sensitive_limited,
        changes=added.texts,
    )


def in_reprompt_window(choices: Choices, now: datetime) -> bool:
    return choices.reprompt_not_before is not None and now < choices.reprompt_not_before


def still_asks(policy: Policy, choices: Choices) -> bool:
    """Whether, sale and sharing apart, the policy still needs an answer from a visitor
    whose choices are not current: the age question, or (opt_in mode) a category that
    needs consent."""
    if policy.age_gate and choices.age_band == "unknown":
        return True
    return policy.mode == "opt_in" and any(
        not c.required and not c.sale_or_sharing for c in policy.categories)


def opted_out(policy: Policy, choices: Choices) -> bool:
    """Whether the visitor sent an opt-out of sale or sharing that stands (GPC, the link,
    a refusal of a sale or sharing category): what "Opt-Out Request Honored" may answer.
    Sale kept off by the mode or for a minor is no request of theirs."""
    return choices.gpc or any(choices.choices.get(cid) is False for cid in policy.sale_or_sharing_ids)


def decide(
    policy: Policy,
    choices: Choices,
    *,
    source: Source,
    now: datetime,
    given: Mapping[str, bool] | None = None,
    age_band: AgeBand | None = None,
    sale_opt_in: bool | None = None,
    services: Mapping[str, bool] | None = None,
) -> Outcome:
    """Apply a visitor's decision (the consent endpoint, the banner, the preferences).

    ``given`` names only the categories decided now; the others keep their value.
    ``given is None`` (an age answer alone) changes no choice and leaves the banner up.
    ``services`` grants (or refuses) single services: a category named in ``given``
    covers all its services (their own earlier choices go), then ``services`` apply;
    services alone leave the banner as it was. Raises RuleError for what the rules refuse.
    """
    if given:
        for cid, value in given.items():
            if cid not in policy:
                raise RuleError(f"unknown category {cid!r}; this policy has: {', '.join(policy.category_ids)}")
            if policy.category(cid).required and value is not True:
                raise RuleError(f"category {cid!r} is required and cannot be denied")
    for sid, value in (services or {}).items():
        if sid not in policy.service_ids:
            known = ", ".join(policy.service_ids) or "none"
            raise RuleError(f"unknown service {sid!r}; this policy has: {known}")
        if policy.service(sid)[0].required and value is not True:
            raise RuleError(f"service {sid!r} is in the required category and cannot be denied")
    if age_band is not None and age_band != choices.age_band:
        refines = choices.age_band == "16_plus" and age_band in ("16_17", "18_plus")
        if choices.age_band != "unknown" and _BAND_FLOOR[age_band] > _BAND_FLOOR[choices.age_band] and not refines:
            raise AlreadyAnswered("the age question was already answered")
        choices = choices.evolve(age_band=age_band)
    if (sale_opt_in is None and policy.minor_rule(choices.age_band) == "opt_in" and source != "banner"
            and (any(given.get(cid) is True for cid in policy.sale_or_sharing_ids if given)
                 or any(value and policy.service(sid)[0].sale_or_sharing
                        for sid, value in (services or {}).items()))):
        # A teen's own grant outside the banner is their request to opt in (its first
        # step: see needs_confirmation); the banner's "accept all" never is.
        sale_opt_in = True
    live, _ = _live_choices(policy, choices, now)
    merged = dict(live)
    if given is not None:
        # An answer under the new version: what it added is granted only if named now (R37).
        for cid in additions(policy, choices).categories - set(given):
            merged.pop(cid, None)
    opted_out = False
    protect_sale = source == "banner" and in_reprompt_window(choices, now)
    # Washington (policy.sensitive "separate"): sharing sensitive data needs a consent of
    # its own, apart from any other grant, and never the banner's "accept all".
    granting = [cid for cid, value in (given or {}).items() if value and not policy.category(cid).required]
    apart = source != "banner" and len(granting) == 1
    for cid, value in (given or {}).items():
        category = policy.category(cid)
        if category.required:
            continue
        if (value and policy.sensitive == "separate" and category.sensitive and category.sale_or_sharing
                and not apart):
            continue
        if category.sale_or_sharing:
            if value is False:
                opted_out = True
            elif protect_sale and merged.get(cid) is False:
                # The banner may not turn an opt-out back into an opt-in within 12
                # months (rule 5); only the visitor's own visit to the preferences can.
                continue
        merged[cid] = bool(value)
    by_service = _merged_services(policy, choices, now, given, services, merged if protect_sale else None)
    changes: dict[str, object] = {"choices": merged, "updated_at": now, "services": by_service}
    if given is not None:
        changes.update(decided_at=now, policy_version=policy.version)
    lifted = any(policy.category(cid).sensitive for cid in granting) or any(
        value and sid in policy.sensitive_service_ids for sid, value in (services or {}).items())
    if lifted:
        changes["sensitive_limited"] = False
    if sale_opt_in is not None:
        changes["sale_opt_in"] = bool(sale_opt_in)
    elif opted_out:
        changes["sale_opt_in"] = False
    choices = choices.evolve(**changes)
    if opted_out:
        choices = _extend_reprompt(choices, now)
    categories = effective_categories(policy, choices, now)
    return Outcome(choices, view(policy, choices, now), _decision(policy, choices, categories, source, now))


def _merged_services(
    policy: Policy, choices: Choices, now: datetime, given: Mapping[str, bool] | None,
    services: Mapping[str, bool] | None, protect: Mapping[str, bool] | None,
) -> dict[str, bool]:
    """Service-level choices after a decision: a category decided now drops its
    services' own choices; then the services decided now. ``protect`` (the banner
    within 12 months of an opt-out) keeps a refused sale category's services off."""
    decided = set(given or ())
    out = {sid: value for sid, value in _live_services(policy, choices, now).items()
           if sid in policy.service_ids and policy.service(sid)[0].id not in decided}
    for sid, value in (services or {}).items():
        category = policy.service(sid)[0]
        if category.required:
            continue
        if value and protect is not None and category.sale_or_sharing and protect.get(category.id) is False:
            continue
        out[sid] = bool(value)
    return out


def needs_confirmation(policy: Policy, before: Choices, after: Outcome, now: datetime) -> tuple[str, ...]:
    """The sale or sharing categories that this decision would turn on and that need
    the visitor's separate confirmation first (11 CCR 7001(a), 7028): an opt-in after
    an opt-out within the 12 months, and a 13-15-year-old's opt-in. A parent decides
    for a child under 13 through the parental flow instead."""
    if after.choices.age_band == "under_13":
        return ()
    was = effective_categories(policy, before, now)
    was_services = effective_services(policy, before, now, was)
    on = {policy.service(sid)[0].id for sid, value in after.state.services.items()
          if value and not was_services[sid]}
    newly = tuple(cid for cid in policy.sale_or_sharing_ids
                  if (after.state.categories[cid] and not was[cid]) or cid in on)
    if newly and (policy.minor_rule(after.choices.age_band) == "opt_in" or in_reprompt_window(before, now)):
        return newly
    return ()


def opt_out(policy: Policy, choices: Choices, *, source: Source, now: datetime) -> Outcome:
    """The "Do Not Sell or Share" action: every sale_or_sharing category off."""
    choices = _opt_out(policy, choices, now)
    categories = effective_categories(policy, choices, now)
    return Outcome(choices, view(policy, choices, now), _decision(policy, choices, categories, source, now))


def limit(policy: Policy, choices: Choices, *, source: Source, now: datetime) -> Outcome:
    """The "Limit the Use of My Sensitive Personal Information" action (Civ. Code
    1798.121, 11 CCR 7027): every sensitive category and service off, at once."""
    live, _ = _live_choices(policy, choices, now)
    merged = {**live, **dict.fromkeys(policy.sensitive_ids, False)}
    own = {sid: False for sid in policy.sensitive_service_ids if policy.service(sid)[0].id not in policy.sensitive_ids}
    services = _merged_services(policy, choices, now, dict.fromkeys(policy.sensitive_ids, False), own, None)
    choices = choices.evolve(choices=merged, services=services, updated_at=now, sensitive_limited=True)
    categories = effective_categories(policy, choices, now)
    return Outcome(choices, view(policy, choices, now), _decision(policy, choices, categories, source, now))


def _opt_out(policy: Policy, choices: Choices, now: datetime) -> Choices:
    live, _ = _live_choices(policy, choices, now)
    merged = dict(live)
    for cid in policy.sale_or_sharing_ids:
        merged[cid] = False
    # An opt-out of sale or sharing covers every service of those categories.
    services = _merged_services(policy, choices, now, dict.fromkeys(policy.sale_or_sharing_ids, False), None, None)
    return _extend_reprompt(choices.evolve(choices=merged, sale_opt_in=False, updated_at=now, services=services), now)


def _extend_reprompt(choices: Choices, now: datetime) -> Choices:
    until = add_months(now, REPROMPT_MONTHS)
    if choices.reprompt_not_before is not None and choices.reprompt_not_before > until:
        return choices
    return choices.evolve(reprompt_not_before=until)


def _decision(
    policy: Policy, choices: Choices, categories: Mapping[str, bool], source: Source, now: datetime
) -> Decision:
    services = service_deviations(policy, categories, effective_services(policy, choices, now, categories))
    return Decision(
        visitor_id=choices.visitor_id,
        at=now,
        policy_version=policy.version,
        mode=policy.mode,
        choices=MappingProxyType(dict(categories)),
        source=source,
        gpc=choices.gpc,
        age_band=choices.age_band,
        parental_consent=choices.parental_consent,
        services=MappingProxyType(services),
        region=policy.region,
    )
