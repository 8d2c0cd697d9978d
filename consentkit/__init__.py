"""consentkit: consent and cookie management for ASGI apps.

Exceptions::

    ValueError
     ├── PolicyError          the policy is not valid (raised at start-up)
     └── MissingSecretError   ConsentKit got no usable secret key
    Exception
     └── LedgerError          a ledger store is unreachable or misconfigured
"""

from __future__ import annotations

from .admin import Admin, AdminUser
from .cookie import MissingSecretError
from .kit import ConsentKit
from .ledger.base import LedgerError, Record
from .middleware import ConsentMiddleware
from .minors.notifiers import MemoryNotifier, SmtpNotifier
from .policy import Category, Change, Controller, Policy, PolicyError, Region, Service
from .rules import Decision, Signals
from .state import AgeBand, Choices, ConsentState

__all__ = [
    "Admin",
    "AdminUser",
    "AgeBand",
    "Category",
    "Change",
    "Choices",
    "ConsentKit",
    "ConsentMiddleware",
    "ConsentState",
    "Controller",
    "Decision",
    "LedgerError",
    "MemoryNotifier",
    "MissingSecretError",
    "Policy",
    "PolicyError",
    "Record",
    "Region",
    "Service",
    "Signals",
    "SmtpNotifier",
]

__version__ = "0.1.0"
