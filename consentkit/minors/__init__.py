"""Minors: COPPA parental consent for children under 13, and the teen opt-in.

The teen opt-in lives in the rules (``rules.effective_categories``); this package
is the parental flow: the request a child sends (``request``), the links and the
keyed hash of the parent's address (``tokens``), the parent's pages (``parent``,
``manage``), what the ledger says of a child (``history``), the child's side
(``sync``), and the pluggable parts a site configures on ``ConsentKit``:
``notifier=`` and ``parental_verifier=``.
"""

from __future__ import annotations

from .notifiers import MemoryNotifier, Notifier, NotifierError, ParentMessage, SmtpNotifier
from .verifiers import EmailPlusVerifier, ParentPost, Verifier, VerifierField

__all__ = [
    "EmailPlusVerifier",
    "MemoryNotifier",
    "Notifier",
    "NotifierError",
    "ParentMessage",
    "ParentPost",
    "SmtpNotifier",
    "Verifier",
    "VerifierField",
]
