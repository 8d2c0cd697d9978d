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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from .history import ParentalRequest
from .tokens import normal_email

# 16 CFR 312.5(b)(2)(vi) (2025): e-mail plus is enough for consent to collection
# alone; disclosure to third parties needs one of the other methods.
STRONGER_METHODS: tuple[str, ...] = (
    "card_transaction", "signed_form", "call", "video", "id_check", "knowledge_questions", "text_message",
)
DISCLOSURE_NEEDS = ("Sharing your child's information with third parties needs a stronger check than e-mail: a "
                    "card transaction, a signed form, a phone or video call, an ID check, knowledge questions or a "
                    "text message. This site checks parents by e-mail only, so it cannot be allowed here.")


def may_disclose(method: str) -> bool:
    """Whether a verification method may grant disclosure to third parties (sale or
    sharing, targeted advertising): any of 16 CFR 312.5(b)'s methods but e-mail plus."""
    return method in STRONGER_METHODS


@dataclass(frozen=True, slots=True)
class VerifierField:
    """An extra input the parent's page shows for a verifier (its ``name`` is the
    form field the verifier reads)."""

    name: str
    label: str
    type: str = "text"
    autocomplete: str = "off"


class ParentPost:
    """The parent's post as a verifier sees it: the form's fields and the request's
    headers (both read-only), and whether an address is the one the parental request
    was sent to (compared under the site's keys, since only its keyed hash is kept).
    """

    def __init__(
        self, form: Mapping[str, str], headers: Mapping[str, str], sent_to: Callable[[str], bool]
    ) -> None:
        self._form = MappingProxyType(dict(form))
        self.headers: Mapping[str, str] = MappingProxyType(dict(headers))
        self._sent_to = sent_to

    async def form(self) -> Mapping[str, str]:
        """The posted form's fields (the parent's page reads the body before any verifier)."""
        return self._form

    def sent_to(self, address: str) -> bool:
        """Whether ``address`` (in any case, with spaces around) is the one the request went to."""
        normal = normal_email(address)
        return normal is not None and self._sent_to(normal)


@runtime_checkable
class Verifier(Protocol):
    """Verifies that the person deciding is the child's parent.

    ``method`` is what the ledger records, one of the methods 16 CFR 312.5(b)
    names: ``email_plus``, ``card_transaction``, ``signed_form``, ``call``, ``video``,
    ``id_check``, ``knowledge_questions``, ``text_message``. ``fields`` are extra
    inputs for the page. ``verify`` reads the posted form (``await post.form()``)
    and answers whether the parent is verified; it must not raise for bad input.
    """

    method: str
    fields: tuple[VerifierField, ...]

    async def verify(self, post: ParentPost, request: ParentalRequest) -> bool: ...


class EmailPlusVerifier:
    """E-mail plus: the parent types the address the request was sent to, and it
    must match the keyed hash kept for the request. The page always asks for the
    address (the confirmation goes to it), so this verifier adds no field."""

    method = "email_plus"
    fields: tuple[VerifierField, ...] = ()

    async def verify(self, post: ParentPost, request: ParentalRequest) -> bool:
        address = (await post.form()).get("parent_email")
        return address is not None and post.sent_to(address)


__all__ = ["EmailPlusVerifier", "ParentPost", "Verifier", "VerifierField"]
