"""The quote form: a fictional premium from four answers, guarded without a third
party when the visitor refuses reCAPTCHA (and with it as a second line when not)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.templating import Jinja2Templates

from .formguard import HONEYPOT_FIELD, STARTED_FIELD, FormGuard, Verdict
from .forms import FormError, read_form

# Google's published reCAPTCHA v2 test key: it renders everywhere and always passes,
# which is what a demo needs. A real site puts its own key here.
RECAPTCHA_SITEKEY = "6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI"

COVERAGE = {"individual": ("Just me", 1.0), "couple": ("Me and a partner", 1.9), "family": ("My family", 2.7)}
AGES = {"18_29": ("18 to 29", 1.0), "30_44": ("30 to 44", 1.35), "45_64": ("45 to 64", 2.1)}
PLANS = (("Bronze", 289.0), ("Silver", 371.0), ("Gold", 458.0))
_ZIP = re.compile(r"^\d{5}$")

_REFUSALS: dict[Verdict, tuple[int, str]] = {
    "honeypot": (400, "We could not accept this form. Please try again."),
    "expired": (400, "This form is too old. Please check your answers and send it again."),
    "too_fast": (400, "That was quick! Please check your answers and send the form again."),
    "rate_limited": (429, "Too many quote requests from this connection. Please wait a few minutes and try again."),
}


@dataclass(frozen=True, slots=True)
class Premium:
    plan: str
    monthly: float


def premiums(coverage: str, age: str, tobacco: bool) -> list[Premium]:
    """Monthly premiums per plan: a toy formula, the same answers give the same figures."""
    factor = COVERAGE[coverage][1] * AGES[age][1] * (1.2 if tobacco else 1.0)
    return [Premium(name, round(base * factor, 2)) for name, base in PLANS]


def _problems(form: dict[str, str]) -> list[str]:
    problems = []
    if not _ZIP.match(form.get("zip", "").strip()):
        problems.append("Enter a 5-digit ZIP code.")
    if form.get("coverage") not in COVERAGE:
        problems.append("Choose who the plan covers.")
    if form.get("age") not in AGES:
        problems.append("Choose the age of the oldest person covered.")
    if form.get("tobacco") not in ("yes", "no"):
        problems.append("Tell us whether anyone covered uses tobacco.")
    return problems


class QuoteForm:
    """``GET /quote`` shows the form; ``POST /quote`` answers with the premiums."""

    def __init__(self, templates: Jinja2Templates, guard: FormGuard) -> None:
        self.templates = templates
        self.guard = guard

    def _form(self, request: Request, status: int = 200, **context: Any) -> Response:
        context.setdefault("answers", {})
        context.update(
            coverage=COVERAGE, ages=AGES, started=self.guard.issue(), started_field=STARTED_FIELD,
            honeypot_field=HONEYPOT_FIELD, sitekey=RECAPTCHA_SITEKEY,
        )
        return self.templates.TemplateResponse(request, "quote.html", context, status_code=status)

    async def show(self, request: Request) -> Response:
        return self._form(request)

    async def submit(self, request: Request) -> Response:
        try:
            form = await read_form(request)
        except FormError as exc:
            return PlainTextResponse(str(exc), status_code=exc.status)
        answers = {k: form.get(k, "") for k in ("zip", "coverage", "age", "tobacco")}
        verdict = self.guard.judge(form, request.client.host if request.client else "")
        if verdict != "ok":
            status, message = _REFUSALS[verdict]
            return self._form(request, status, errors=[message], answers=answers)
        problems = _problems(form)
        if problems:
            return self._form(request, 422, errors=problems, answers=answers)
        context = {
            "premiums": premiums(answers["coverage"], answers["age"], answers["tobacco"] == "yes"),
            "coverage_label": COVERAGE[answers["coverage"]][0],
            "age_label": AGES[answers["age"]][0],
            "zip": answers["zip"].strip(),
        }
        return self.templates.TemplateResponse(request, "quote_result.html", context)
