"""What a scan found, and the judgement of it: pure functions of the policy and of
what each visit saw (the cookies at its end, the requests to other hosts)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from ..cookie_domains import registrable_domain
from ..policy import Category, Policy, PolicyError, Service, split_url

VisitName = Literal["no-choice", "reject-all", "accept-all"]
Kind = Literal[
    "undeclared-host", "undeclared-cookie", "loaded-before-consent", "set-before-consent",
    "loaded-after-reject", "set-after-reject", "no-banner",
]
VISITS: tuple[VisitName, ...] = ("no-choice", "reject-all", "accept-all")
# consentkit's own cookies: the signed consent state and the IAB US Privacy string.
OWN_COOKIES = frozenset({"consentkit", "__Host-consentkit", "__Secure-consentkit", "usprivacy"})


class ScanError(Exception):
    """The scan could not be made (no browser, site unreachable, no policy)."""


@dataclass(frozen=True, slots=True)
class SeenCookie:
    """A cookie present at the end of a visit (never its value); ``category`` is
    the one declaring it, None when undeclared."""

    name: str
    domain: str
    path: str
    expires: float | None
    first_party: bool
    category: str | None
    declared: bool
    vendor: str = ""


@dataclass(frozen=True, slots=True)
class SeenRequest:
    """A request to a host other than the site's; ``category`` is the one
    declaring the host, None when undeclared."""

    url: str
    host: str
    resource_type: str
    category: str | None
    declared: bool
    vendor: str = ""


@dataclass(frozen=True, slots=True)
class VisitResult:
    name: VisitName
    how: str
    granted: tuple[str, ...]
    cookies: tuple[SeenCookie, ...]
    requests: tuple[SeenRequest, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """One violation, named by its culprit (a cookie name or a URL)."""

    visit: VisitName
    kind: Kind
    subject: str
    category: str | None
    message: str


@dataclass(frozen=True)
class ScanReport:
    url: str
    policy_source: str
    mode: str
    scanned_at: str
    visits: tuple[VisitResult, ...]
    findings: tuple[Finding, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


# -- what the policy declares ------------------------------------------------------


def _declaration(policy: Policy, declares: Callable[[Service], bool]) -> tuple[str | None, str]:
    """(category, vendor) of the first service that declares something: gated
    categories first, as the gate decides, then required ones."""
    ordered = sorted(policy.categories, key=lambda c: c.required)
    for category in ordered:
        for service in category.services:
            if declares(service):
                return category.id, service.vendor
    return None, ""


def host_declaration(policy: Policy, url: str) -> tuple[str | None, str]:
    host, path = split_url(url)
    return _declaration(policy, lambda s: any(rule.matches(host, path) for rule in s.hosts))


def cookie_declaration(policy: Policy, name: str) -> tuple[str | None, str]:
    found = _declaration(policy, lambda s: any(rule.matches(name) for rule in s.cookies))
    if found[0] is None and name in OWN_COOKIES:
        # consentkit's own cookies belong to the required category even when undeclared.
        return next((c.id for c in policy.categories if c.required), None), "consentkit"
    return found


def is_first_party(domain: str, site_host: str) -> bool:
    domain = domain.lstrip(".").lower()
    return site_host == domain or site_host.endswith("." + domain)


def see_request(policy: Policy, site_host: str, url: str, resource_type: str) -> SeenRequest | None:
    """The request as the report lists it; None for the site's own host or a non-web URL."""
    host, _ = split_url(url)
    if not host or host == site_host:
        return None
    category, vendor = host_declaration(policy, url)
    return SeenRequest(url, host, resource_type, category, category is not None, vendor)


def see_cookie(policy: Policy, site_host: str, cookie: Mapping[str, Any]) -> SeenCookie:
    expires = cookie.get("expires")
    category, vendor = cookie_declaration(policy, str(cookie["name"]))
    return SeenCookie(
        name=str(cookie["name"]), domain=str(cookie.get("domain", "")), path=str(cookie.get("path", "/")),
        expires=float(expires) if isinstance(expires, (int, float)) and expires > 0 else None,
        first_party=is_first_party(str(cookie.get("domain", "")), site_host),
        category=category,
        declared=category is not None,
        vendor=vendor,
    )


def granted_on(policy: Policy, visit: VisitName) -> tuple[str, ...]:
    """The categories a visit may use: before any choice, what the mode grants
    (everything in ``opt_out``, only the required in ``opt_in``)."""
    if visit == "accept-all" or (visit == "no-choice" and policy.mode == "opt_out"):
        return policy.category_ids
    return tuple(c.id for c in policy.categories if c.required)


# -- judging -------------------------------------------------------------------------


def judge(visit: VisitResult, before_choice: Iterable[SeenCookie] = (), *, hosts_known: bool = True) -> list[Finding]:
    """The findings of one visit. ``before_choice``: the cookies present just before
    the choice, to tell a cookie set after "reject all" from one set earlier.
    ``hosts_known=False`` when the policy lists no hosts at all: then no host can be
    called undeclared."""
    found: list[Finding] = []
    gated_early: Kind = "loaded-after-reject" if visit.name == "reject-all" else "loaded-before-consent"
    set_early: Kind = "set-after-reject" if visit.name == "reject-all" else "set-before-consent"
    earlier = {(c.name, c.domain, c.path): c for c in before_choice}
    hosts_done: set[tuple[str, str]] = set()
    for req in visit.requests:
        if hosts_known and not req.declared and ("u", req.host) not in hosts_done:
            hosts_done.add(("u", req.host))
            found.append(Finding(visit.name, "undeclared-host", req.url, None,
                                 f"request to {req.host}, a host no category of the policy declares"))
        if req.category is not None and req.category not in visit.granted and ("g", req.host) not in hosts_done:
            hosts_done.add(("g", req.host))
            when = "after reject all" if visit.name == "reject-all" else "before consent"
            found.append(Finding(visit.name, gated_early, req.url, req.category,
                                 f"{req.category} host {req.host} requested {when}"))
    for cookie in visit.cookies:
        where = f"{cookie.name} on {cookie.domain}"
        if not cookie.declared:
            found.append(Finding(visit.name, "undeclared-cookie", cookie.name, None,
                                 f"cookie {where} is not declared by any category of the policy"))
        if cookie.category is None or cookie.category in visit.granted:
            continue
        if visit.name != "reject-all":
            found.append(Finding(visit.name, set_early, cookie.name, cookie.category,
                                 f"{cookie.category} cookie {where} set before consent"))
        elif (cookie.name, cookie.domain, cookie.path) not in earlier:
            found.append(Finding(visit.name, set_early, cookie.name, cookie.category,
                                 f"{cookie.category} cookie {where} set after reject all"))
        elif cookie.first_party:
            found.append(Finding(visit.name, set_early, cookie.name, cookie.category,
                                 f"{cookie.category} cookie {where} kept after reject all: the site should expire it"))
    return found


# -- problems: one line each, with the fix --------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a scan, however many visits and pages showed it: what, where,
    and what to change."""

    kind: Kind
    subject: str
    category: str | None
    visits: tuple[str, ...]
    pages: tuple[str, ...]
    message: str
    fix: str


def _site_domain(host: str) -> str:
    """A host's registrable domain by the Public Suffix List (``www.google-analytics.com``
    -> ``google-analytics.com``, ``px.ads.example.co.uk`` -> ``example.co.uk``), or the
    host itself when it has none."""
    return registrable_domain(host) or host


def _category_of_kin_host(policy: Policy | None, host: str) -> str | None:
    """The category that declares another host of the same domain, if exactly one does."""
    if policy is None:
        return None
    domain = _site_domain(host)
    found = {c.id for c in policy.categories for rule in c.hosts
             if _site_domain(rule.host.removeprefix("*.")) == domain}
    return found.pop() if len(found) == 1 else None


def _category_of_kin_cookie(policy: Policy | None, name: str) -> str | None:
    """The category that declares a cookie of the same family (``_ga_XYZ`` beside ``_ga``)."""
    if policy is None:
        return None
    stem = name.split("_")[1] if name.startswith("_") and "_" in name[1:] else name.split("_")[0]
    found = {c.id for c in policy.categories for rule in c.cookies
             if stem and stem in rule.pattern.replace("*", "")}
    return found.pop() if len(found) == 1 else None


def _fix(kind: Kind, subject: str, category: str | None, visits: set[str], policy: Policy | None) -> str:
    if kind == "no-banner":
        return ("mount ConsentMiddleware on this page (or keep consent_head() in its template), so that the "
                "visitor is asked before anything optional runs")
    if kind == "undeclared-host":
        kin = _category_of_kin_host(policy, subject)
        if kin is not None:
            return f'add host {subject} to category {kin} (it declares other hosts of {_site_domain(subject)})'
        if visits <= {"accept-all"}:
            return (f"add host {subject} to the optional category of what it does (it loaded only after "
                    f'"accept all"): hosts = ["{subject}"] in that category\'s service')
        return (f"add host {subject} to the category of what it does, and gate its tag with data-consent "
                "unless it is necessary")
    if kind == "undeclared-cookie":
        kin = _category_of_kin_cookie(policy, subject)
        if kin is not None:
            return f"declare cookie {subject} in category {kin} (beside its family)"
        return f"declare cookie {subject} in the category of the service that sets it"
    if kind in ("loaded-before-consent", "loaded-after-reject"):
        return (f'gate the tag that loads from {subject} until {category} is granted: data-consent="{category}" '
                f'(or consent_tag("{category}", ...) in a template)')
    if kind == "set-before-consent":
        return (f'set cookie {subject} only once {category} is granted (consent.allows("{category}")), or gate '
                f'the script that sets it with data-consent="{category}"')
    return (f"stop setting cookie {subject} after \"reject all\", and expire it when {category} is refused "
            f'(gate what sets it with data-consent="{category}")')


def _problem_key(finding: Finding) -> tuple[str, str]:
    group = {"loaded-after-reject": "loaded-before-consent", "set-after-reject": "set-before-consent"}
    subject = finding.subject
    if finding.kind in ("undeclared-host", "loaded-before-consent", "loaded-after-reject"):
        subject = split_url(subject)[0] or subject
    return group.get(finding.kind, finding.kind), subject


def problems(reports: Iterable[ScanReport], policy: Policy | None = None) -> list[Problem]:
    """Every finding of every page and visit, one per problem: a host, a cookie or a
    page, with the visits and pages that showed it, and its fix."""
    grouped: dict[tuple[str, str], list[tuple[Finding, str]]] = {}
    for report in reports:
        for finding in report.findings:
            grouped.setdefault(_problem_key(finding), []).append((finding, report.url))
    out: list[Problem] = []
    for (_, subject), seen in grouped.items():
        first = seen[0][0]
        kinds = {f.kind for f, _ in seen}
        kind: Kind = "set-after-reject" if kinds == {"set-after-reject"} else first.kind
        if kind in ("loaded-after-reject",) and "loaded-before-consent" in kinds:
            kind = "loaded-before-consent"
        visits = tuple(dict.fromkeys(f.visit for f, _ in seen))
        pages = tuple(dict.fromkeys(url for _, url in seen))
        message = first.message if len(kinds) == 1 else f"{first.message} (and on other visits)"
        out.append(Problem(kind, subject, first.category, visits, pages, message,
                           _fix(kind, subject, first.category, set(visits), policy)))
    return out


# -- the policy from the page -------------------------------------------------------


def policy_from_config(config: Mapping[str, Any], state: Mapping[str, Any] | None = None) -> Policy:
    """The policy as the page's widget declares it (``testing.visits``)."""
    try:
        categories = [
            Category(
                str(c["id"]), required=bool(c.get("required")), sale_or_sharing=bool(c.get("sale_or_sharing")),
                label=str(c.get("label", "")),
                services=[
                    Service(str(s["id"]), vendor=str(s.get("vendor", "")), hosts=s.get("hosts") or (),
                            cookies={str(k["name"]): str(k.get("lifetime", "session")) for k in s.get("cookies", ())})
                    for s in c.get("services", ())
                ],
            )
            for c in config.get("categories", ())
        ]
        version = str((state or {}).get("policy_version") or "unknown")
        return Policy(version, categories, mode=str(config.get("mode", "opt_out")))
    except (KeyError, TypeError, PolicyError) as exc:
        raise ScanError(f"the page's widget config is not a policy consentkit understands: {exc}") from None


def config_lists_hosts(config: Mapping[str, Any]) -> bool:
    """Whether the page's config block says where services load from (consentkit
    versions that do not publish hosts leave the key out)."""
    return any("hosts" in s for c in config.get("categories", ()) for s in c.get("services", ()))
