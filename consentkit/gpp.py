"""The IAB Global Privacy Platform string (GPP 1.1) of a visitor's choices.

A GPP string is a header, then one section per jurisdiction, joined by ``~``. The
header lists the section ids (a Fibonacci-coded range); each section is a core
segment of fixed-width integers, then, where the section has one, the GPC
sub-section after a ``.``. Every segment is its bits, padded with zeros to whole
bytes and then to whole base64 characters, written in the URL-safe alphabet without
``=``: the padding the IAB's reference library (``@iabgpp/cmpapi``) writes, so that
both write the same string for the same fields.

Three layers, each usable on its own:

- ``SECTIONS``: every section this module writes, its id, version and fields (the
  widget's decoder gets the same table, ``layouts()``);
- ``encode(values)``: a GPP string from field values per section;
- ``Signals`` and ``section_values``: a visitor's choices (opted out of sale, of
  sharing, of targeted advertising; sensitive data allowed or limited; age band;
  GPC) as each section's fields, and ``for_visitor``, which does it all for a policy.

Which sections a visitor's string holds depends on the jurisdiction the rules were
applied for: ``JURISDICTION_SECTIONS`` is that table. The applicable section is the
state's own where one exists, else the US National one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal, cast, get_args

from .policy import SENSITIVE_KINDS, Policy

# The value of a two-bit field: 0 not applicable, 1 yes (opted out, notice given,
# no consent for a consent field), 2 no (did not opt out, consent for a consent field).
NOT_APPLICABLE, YES, NO = 0, 1, 2
HEADER_ID = 3
HEADER_VERSION = 1
GPC_SUBSECTION = 1
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

# Kinds of sensitive data, named once; each section lists the ones it has a bit for,
# in its own order (a kind it lumps with others shares their bit).
SensitiveKind = Literal[
    "racial_or_ethnic_origin", "religious_beliefs", "health", "sex_life_or_orientation",
    "citizenship_or_immigration", "genetic", "biometric", "precise_geolocation", "government_id",
    "account_credentials", "union_membership", "communications", "consumer_health", "crime_victim",
    "national_origin", "transgender_or_nonbinary",
]


# The policy lets a category or service name these kinds (``sensitive = ["health"]``).
assert set(get_args(SensitiveKind)) == set(SENSITIVE_KINDS)


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a core segment: ``count`` integers of ``bits`` bits (a list when count > 1)."""

    name: str
    bits: int = 2
    count: int = 1


@dataclass(frozen=True, slots=True)
class Section:
    """A GPP section as this module writes it: id, API prefix, version, core fields,
    whether it has the GPC sub-section, and which sensitive kinds each
    ``SensitiveDataProcessing`` bit covers."""

    id: int
    name: str
    version: int
    fields: tuple[Field, ...]
    gpc: bool
    sensitive: tuple[tuple[SensitiveKind, ...], ...]


def _fields(*names: str, sensitive: int, child: int, after_child: Sequence[str] = ()) -> tuple[Field, ...]:
    out = [Field("Version", 6), *(Field(n) for n in names)]
    out += [Field("SensitiveDataProcessing", 2, sensitive), Field("KnownChildSensitiveDataConsents", 2, child)]
    out += [Field(n) for n in after_child]
    out += [Field("MspaCoveredTransaction"), Field("MspaOptOutOptionMode"), Field("MspaServiceProviderMode")]
    return tuple(out)


def _kinds(*groups: str) -> tuple[tuple[SensitiveKind, ...], ...]:
    """Each bit's kinds, written space-separated; every name must be a SensitiveKind."""
    known = set(get_args(SensitiveKind))
    out = []
    for group in groups:
        kinds = group.split()
        if not set(kinds) <= known:
            raise ValueError(f"unknown sensitive kind in {group!r}")
        out.append(tuple(cast("list[SensitiveKind]", kinds)))
    return tuple(out)


_STATE_NOTICES = ("SharingNotice", "SaleOptOutNotice", "TargetedAdvertisingOptOutNotice")
_STATE_OPT_OUTS = ("SaleOptOut", "TargetedAdvertisingOptOut")
_COMMON_EIGHT = _kinds(
    "racial_or_ethnic_origin", "religious_beliefs", "health", "sex_life_or_orientation",
    "citizenship_or_immigration", "genetic", "biometric", "precise_geolocation",
)

# Field layouts as the section specifications give them (IAB Tech Lab, Global-Privacy-Platform,
# Sections/US-National and Sections/US-States/*) and as @iabgpp/cmpapi 3.2 encodes them.
SECTIONS: Mapping[str, Section] = MappingProxyType({s.name: s for s in (
    Section(7, "usnat", 2, _fields(
        "SharingNotice", "SaleOptOutNotice", "SharingOptOutNotice", "TargetedAdvertisingOptOutNotice",
        "SensitiveDataProcessingOptOutNotice", "SensitiveDataLimitUseNotice",
        "SaleOptOut", "SharingOptOut", "TargetedAdvertisingOptOut",
        sensitive=16, child=3, after_child=("PersonalDataConsents",)), gpc=True,
        sensitive=_kinds(
            "racial_or_ethnic_origin", "religious_beliefs", "health", "sex_life_or_orientation",
            "citizenship_or_immigration", "genetic", "biometric", "precise_geolocation", "government_id",
            "account_credentials", "union_membership", "communications", "consumer_health", "crime_victim",
            "national_origin", "transgender_or_nonbinary")),
    Section(8, "usca", 1, _fields(
        "SaleOptOutNotice", "SharingOptOutNotice", "SensitiveDataLimitUseNotice", "SaleOptOut", "SharingOptOut",
        sensitive=9, child=2, after_child=("PersonalDataConsents",)), gpc=True,
        sensitive=_kinds(
            "government_id", "account_credentials", "precise_geolocation",
            "racial_or_ethnic_origin religious_beliefs union_membership national_origin", "communications",
            "genetic", "biometric", "health consumer_health", "sex_life_or_orientation")),
    Section(9, "usva", 1, _fields(*_STATE_NOTICES, *_STATE_OPT_OUTS, sensitive=8, child=1), gpc=False,
            sensitive=_COMMON_EIGHT),
    Section(10, "usco", 1, _fields(*_STATE_NOTICES, *_STATE_OPT_OUTS, sensitive=7, child=1), gpc=True,
            sensitive=_COMMON_EIGHT[:7]),
    Section(11, "usut", 1, _fields(
        *_STATE_NOTICES, "SensitiveDataProcessingOptOutNotice", *_STATE_OPT_OUTS, sensitive=8, child=1), gpc=False,
        sensitive=_kinds(
            "racial_or_ethnic_origin", "religious_beliefs", "sex_life_or_orientation", "citizenship_or_immigration",
            "health", "genetic", "biometric", "precise_geolocation")),
    Section(12, "usct", 1, _fields(*_STATE_NOTICES, *_STATE_OPT_OUTS, sensitive=8, child=3), gpc=True,
            sensitive=_COMMON_EIGHT),
)})

# The sections a visitor's string holds, by the jurisdiction the rules were applied for;
# the last one is the applicable section. A US state without a section of its own
# gets the national one; a jurisdiction outside the US gets none (an empty string
# section list: the header alone).
JURISDICTION_SECTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    # No state known: the national approach, and California's section, whose law the
    # policy's "Do Not Sell or Share" link answers.
    "US": ("usnat", "usca"),
    "US-CA": ("usnat", "usca"),
    "US-VA": ("usnat", "usva"),
    "US-CO": ("usnat", "usco"),
    "US-UT": ("usnat", "usut"),
    "US-CT": ("usnat", "usct"),
})


def sections_for(jurisdiction: str | None) -> tuple[str, ...]:
    """The section names for a jurisdiction code (``"US-CA"``, ``"US"``, ``"EU"``, None)."""
    if jurisdiction is None:
        return ()
    if jurisdiction in JURISDICTION_SECTIONS:
        return JURISDICTION_SECTIONS[jurisdiction]
    return ("usnat",) if jurisdiction.startswith("US-") else ()


# --- bits -------------------------------------------------------------------------

def _int(value: int, bits: int) -> str:
    if not 0 <= value < 1 << bits:
        raise ValueError(f"{value} does not fit in {bits} bits")
    return format(value, f"0{bits}b")


def fibonacci(value: int) -> str:
    """Fibonacci coding of a positive integer: the smallest Fibonacci number's bit
    first, then a closing 1, so every code ends in "11"."""
    if value < 1:
        raise ValueError("Fibonacci coding needs an integer of 1 or more")
    fibs = [1, 2]
    while fibs[-1] + fibs[-2] <= value:
        fibs.append(fibs[-1] + fibs[-2])
    bits = []
    for fib in reversed(fibs):
        if fib <= value:
            bits.append("1")
            value -= fib
        else:
            bits.append("0")
    return "".join(reversed(bits)).rstrip("0") + "1"


def fibonacci_range(ids: Iterable[int]) -> str:
    """A Range(Fibonacci): a 12-bit count of groups, then each group as a 0 and one
    offset or a 1 and two, each offset from the last id written (0 at first)."""
    ordered = sorted(set(ids))
    groups: list[list[int]] = []
    for value in ordered:
        if groups and groups[-1][-1] + 1 == value:
            groups[-1].append(value)
        else:
            groups.append([value])
    out, last = [_int(len(groups), 12)], 0
    for group in groups:
        if len(group) == 1:
            out.append("0" + fibonacci(group[0] - last))
        else:
            out.append("1" + fibonacci(group[0] - last) + fibonacci(group[-1] - group[0]))
        last = group[-1]
    return "".join(out)


def base64url(bits: str) -> str:
    """Bits as URL-safe base64 without "=": zeros added to whole bytes, then to whole characters."""
    bits += "0" * (-len(bits) % 8)
    bits += "0" * (-len(bits) % 6)
    return "".join(_B64[int(bits[i:i + 6], 2)] for i in range(0, len(bits), 6))


# --- sections ---------------------------------------------------------------------

FieldValue = int | bool | Sequence[int]


def encode_section(name: str, values: Mapping[str, FieldValue]) -> str:
    """One section: its core segment from ``values`` (a field left out is 0, except
    ``Version``, the section's own, and ``MspaCoveredTransaction``, 2: not covered),
    then the GPC sub-section for a section that has one."""
    section = SECTIONS[name]
    unknown = set(values) - {f.name for f in section.fields} - {"Gpc"}
    if unknown:
        raise ValueError(f"{name} has no field {min(unknown)}")
    defaults = {"Version": section.version, "MspaCoveredTransaction": NO}
    bits: list[str] = []
    for spec in section.fields:
        value = values.get(spec.name, defaults.get(spec.name, 0 if spec.count == 1 else [0] * spec.count))
        items = [value] if isinstance(value, int) else list(value)
        if len(items) != spec.count:
            raise ValueError(f"{name}.{spec.name} takes {spec.count} values, not {len(items)}")
        # Two-bit fields are "not applicable, yes, no": 3 means nothing.
        if spec.bits == 2 and any(item > NO for item in items):
            raise ValueError(f"{name}.{spec.name} takes 0, 1 or 2")
        bits.extend(_int(int(item), spec.bits) for item in items)
    segments = [base64url("".join(bits))]
    if section.gpc:
        segments.append(base64url(_int(GPC_SUBSECTION, 2) + ("1" if values.get("Gpc") else "0")))
    return ".".join(segments)


def encode(values: Mapping[str, Mapping[str, FieldValue]]) -> str:
    """The GPP string of these sections (by API prefix, each its field values), in id order."""
    names = sorted(values, key=lambda n: SECTIONS[n].id)
    header = base64url(_int(HEADER_ID, 6) + _int(HEADER_VERSION, 6) + fibonacci_range(SECTIONS[n].id for n in names))
    return "~".join([header, *(encode_section(n, values[n]) for n in names)])


# --- a visitor's choices as fields ----------------------------------------------

Mspa = Literal["opt_out", "service_provider"]


@dataclass(frozen=True, slots=True)
class Signals:
    """What a visitor's string says. An opt-out is None where the business does not
    do it at all (no category sells, shares, or targets ads), else whether the
    visitor opted out. ``sensitive`` maps each kind of sensitive data the business
    processes to whether it may now (consent given, or not limited). ``minor_consent``
    is the consent a minor's band needs for sale or sharing (their own opt-in at
    13-17, a parent's under 13). ``mspa`` is the site's MSPA mode, None when its
    transactions are not MSPA covered transactions."""

    sale: bool | None = None
    sharing: bool | None = None
    targeted_advertising: bool | None = None
    sensitive: Mapping[SensitiveKind, bool] = field(default_factory=lambda: MappingProxyType({}))
    age_band: str = "unknown"
    minor_consent: bool = False
    gpc: bool = False
    notice: bool = True
    mspa: Mspa | None = None


def _opt_out(choice: bool | None, notice: bool) -> tuple[int, int]:
    """(notice field, opt-out field) of one opt-out."""
    if choice is None:
        return NOT_APPLICABLE, NOT_APPLICABLE
    if not notice:
        return NO, NOT_APPLICABLE
    return YES, YES if choice else NO


def _allowed(value: bool) -> int:
    # Consent fields: 1 no consent, 2 consent; opt-out fields: 1 opted out, 2 did not.
    return NO if value else YES


def _sensitive_bits(section: Section, sensitive: Mapping[SensitiveKind, bool]) -> list[int]:
    bits: list[int] = []
    for kinds in section.sensitive:
        present = [sensitive[k] for k in kinds if k in sensitive]
        bits.append(_allowed(all(present)) if present else NOT_APPLICABLE)
    return bits


def section_values(name: str, signals: Signals) -> dict[str, FieldValue]:
    """The fields of section ``name`` that these signals set."""
    section = SECTIONS[name]
    notice = signals.notice
    sale_notice, sale = _opt_out(signals.sale, notice)
    share_notice, share = _opt_out(signals.sharing, notice)
    ads_notice, ads = _opt_out(signals.targeted_advertising, notice)
    any_sensitive = YES if signals.sensitive else NOT_APPLICABLE
    band = signals.age_band
    consent = _allowed(signals.minor_consent)
    child, teen, older_teen = band == "under_13", band == "13_15", band == "16_17"
    values: dict[str, FieldValue] = {
        "SharingNotice": YES if notice else NO,
        "SaleOptOutNotice": sale_notice, "SaleOptOut": sale,
        "SharingOptOutNotice": share_notice, "SharingOptOut": share,
        "TargetedAdvertisingOptOutNotice": ads_notice, "TargetedAdvertisingOptOut": ads,
        "SensitiveDataProcessingOptOutNotice": any_sensitive, "SensitiveDataLimitUseNotice": any_sensitive,
        "SensitiveDataProcessing": _sensitive_bits(section, signals.sensitive),
        "Gpc": signals.gpc,
    }
    if signals.mspa is not None:
        values["MspaCoveredTransaction"] = YES
        values["MspaOptOutOptionMode"] = YES if signals.mspa == "opt_out" else NO
        values["MspaServiceProviderMode"] = YES if signals.mspa == "service_provider" else NO
    # A known child's or teen's consent: the bits each section has for it.
    sells = signals.sale is not None or signals.sharing is not None
    if name == "usnat":
        values["KnownChildSensitiveDataConsents"] = [
            consent if teen else 0, consent if child else 0, consent if older_teen else 0]
    elif name == "usca":
        under_16 = child or teen
        values["KnownChildSensitiveDataConsents"] = [
            consent if under_16 and signals.sale is not None else 0,
            consent if under_16 and signals.sharing is not None else 0]
    else:
        known_child = consent if child and signals.sensitive else 0
        if name == "usct":
            values["KnownChildSensitiveDataConsents"] = [
                known_child, consent if teen and sells else 0,
                consent if teen and signals.targeted_advertising is not None else 0]
        else:
            values["KnownChildSensitiveDataConsents"] = known_child
    names = {f.name for f in section.fields} | ({"Gpc"} if section.gpc else set())
    return {k: v for k, v in values.items() if k in names}


def gpp_string(signals: Signals, names: Iterable[str]) -> tuple[str, tuple[int, ...]]:
    """The GPP string of these signals for these sections, and its section ids."""
    wanted = sorted(set(names), key=lambda n: SECTIONS[n].id)
    return encode({n: section_values(n, signals) for n in wanted}), tuple(SECTIONS[n].id for n in wanted)


def layouts(names: Iterable[str] | None = None) -> dict[str, list[object]]:
    """The section layouts as the widget's decoder reads them (``__gpp``, widget/src/cmpapi.js),
    by section id: ``{"7": ["usnat", gpc, [[name, bits, count], ...]], ...}``."""
    chosen = SECTIONS.values() if names is None else (SECTIONS[n] for n in names)
    return {str(s.id): [s.name, s.gpc, [[f.name, f.bits, f.count] for f in s.fields]] for s in chosen}


def policy_sections(policy: Policy) -> tuple[str, ...]:
    """The sections the strings of a policy's visitors hold (a region's policy: the region's)."""
    return sections_for(policy.region or jurisdiction(policy))


# --- a policy's visitor -------------------------------------------------------------

def jurisdiction(policy: Policy) -> str:
    """The jurisdiction a policy without regions is for: its ``extra["jurisdiction"]``,
    else "EU" in opt_in mode and "US" in opt_out mode (as its receipts say)."""
    explicit = policy.extra.get("jurisdiction")
    if isinstance(explicit, str) and explicit:
        return explicit
    return "EU" if policy.mode == "opt_in" else "US"


def for_visitor(
    policy: Policy, categories: Mapping[str, bool], *, gpc: bool, age_band: str, region: str | None = None,
    services: Mapping[str, bool] | None = None, sections: dict[str, dict[str, FieldValue]] | None = None,
) -> tuple[str, tuple[int, ...]]:
    """The GPP string and section ids of a visitor whose effective categories (and
    services) are these: an opt-out of sale is every category whose purposes include
    sale off, and the same for sharing and targeted advertising (``sale_or_sharing =
    true`` is all three); None (not applicable) where no category has the purpose. For
    a minor, any of them on is the consent their band needs. Each kind of sensitive data
    the policy names (``sensitive = ["health"]``) is allowed while every category and
    service of that kind is on. ``sections``, if given, receives each section's field
    values (what the widget's ``__gpp`` answers for getSection and getField)."""

    def opted_out(purpose: str) -> bool | None:
        ids = [c.id for c in policy.categories if purpose in c.purposes]
        return (not any(categories.get(c, False) for c in ids)) if ids else None

    sensitive: dict[SensitiveKind, bool] = {}
    for category in policy.categories:
        on = categories.get(category.id, False)
        for kind in category.sensitive_kinds:
            sensitive[cast(SensitiveKind, kind)] = sensitive.get(cast(SensitiveKind, kind), True) and on
        for service in category.services:
            served = on if services is None else services.get(service.id, on)
            for kind in service.sensitive_kinds:
                sensitive[cast(SensitiveKind, kind)] = sensitive.get(cast(SensitiveKind, kind), True) and served
    sold = any(categories.get(c, False) for c in policy.sale_or_sharing_ids)
    signals = Signals(
        sale=opted_out("sale"), sharing=opted_out("sharing"), targeted_advertising=opted_out("targeted_advertising"),
        sensitive=MappingProxyType(sensitive), age_band=age_band, minor_consent=sold, gpc=gpc,
    )
    names = sections_for(region or jurisdiction(policy))
    if sections is not None:
        sections.update({n: section_values(n, signals) for n in names})
    return gpp_string(signals, names)
