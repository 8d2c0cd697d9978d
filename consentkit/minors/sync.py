"""The child's side of parental consent: a child's request reflects the parent's
latest decision. Only visitors under 13 whose parental consent is pending or
granted are looked up: no store access for anyone else."""

from __future__ import annotations

from ..visit import Visit


def needs_sync(visit: Visit) -> bool:
    choices = visit.choices
    return choices.age_band == "under_13" and choices.parental_consent in ("pending", "granted")


async def sync_child(visit: Visit) -> None:
    """Adopt the parent's latest decision for this child, if it differs."""
    records = await visit.kit.ledger.for_visitor(visit.choices.visitor_id)
    latest = None
    for record in records:
        if record.source == "parent" and record.kind == "decision":
            latest = record
    if latest is None or latest.parental_consent is None:
        return
    choices = visit.choices
    if choices.parental_consent == latest.parental_consent and dict(choices.parental_choices) == dict(latest.choices):
        return
    visit.adopt(choices.evolve(parental_consent=latest.parental_consent, parental_choices=dict(latest.choices)))
