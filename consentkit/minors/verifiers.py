"""How the parent is verified before their consent counts (16 CFR 312.5(b)), and
the name the ledger records for it.

``EmailPlusVerifier`` is the default, for consent that is not followed by any
disclosure to third parties: the parent proves control of the address the request
went to by typing it again on the page reached through the link sent there, and a
confirmation is sent to it afterwards (the "plus"). A site that needs a stronger
method (a card transaction, an ID check) plugs in its own verifier with
``ConsentKit(..., parental_verifier=...)``; the record names its ``method``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from .tokens import email_matches, normal_email

if TYPE_CHECKING:
    from ..call import Call
    from .history import ParentalRequest


@dataclass(frozen=True, slots=True)
class VerifierField:
    """An extra input the parent's page shows for a verifier (its ``name`` is the
    form field the verifier reads)."""

    name: str
    label: str
    type: str = "text"
    autocomplete: str = "off"


@runtime_checkable
class Verifier(Protocol):
    """Verifies that the person deciding is the child's parent.

    ``method`` is what the ledger records, one of the methods 16 CFR 312.5(b)
    names: ``email_plus``, ``card_transaction``, ``signed_form``, ``call``, ``video``,
    ``id_check``, ``knowledge_questions``, ``text_message``. ``fields`` are extra
    inputs for the page. ``verify`` reads the posted form (``await call.form()``)
    and answers whether the parent is verified; it must not raise for bad input.
    """

    method: str
    fields: tuple[VerifierField, ...]

    async def verify(self, call: Call, request: ParentalRequest) -> bool: ...


class EmailPlusVerifier:
    """E-mail plus: the parent types the address the request was sent to, and it
    must match the keyed hash kept for the request. The page always asks for the
    address (the confirmation goes to it), so this verifier adds no field."""

    method = "email_plus"
    fields: tuple[VerifierField, ...] = ()

    async def verify(self, call: Call, request: ParentalRequest) -> bool:
        address = normal_email((await call.form()).get("parent_email"))
        return address is not None and bool(request.email_hash) and email_matches(
            call.kit, address, request.email_hash
        )


__all__ = ["EmailPlusVerifier", "Verifier", "VerifierField"]
