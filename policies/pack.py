"""The agent-stack-guardrails pack: every rule, in the order reports list them.

Only data lives here; `__main__.py` hands it to `PolicyPack` (which starts the analyzer
server), and `evaluate.py` runs the same rule objects on an offline plan.
"""

from __future__ import annotations

from typing import Final

from pulumi_policy import EnforcementLevel, Policy

from . import (
    backups,
    https_entry,
    redis_encryption,
    secret_access,
    secret_literals,
    secret_stores,
    storage_tls,
)

PACK_NAME: Final = "agent-stack-guardrails"
PACK_DESCRIPTION: Final = (
    "agent-stack guardrails: HTTPS everywhere, secrets only by reference with scoped access "
    "and recovery, and versioned, encrypted, private backups - on AWS, Azure, GCP and "
    "Databricks.")
#: Rules without their own level use this; every HTTPS and secret rule is mandatory.
DEFAULT_ENFORCEMENT: Final = EnforcementLevel.MANDATORY

POLICIES: Final[list[Policy]] = [
    *https_entry.POLICIES,
    *storage_tls.POLICIES,
    *redis_encryption.POLICIES,
    *secret_literals.POLICIES,
    *secret_access.POLICIES,
    *secret_stores.POLICIES,
    *backups.POLICIES,
]


def enforcement_of(policy: Policy) -> EnforcementLevel:
    """The policy's own level, else the pack default (as the analyzer resolves it)."""
    return policy.enforcement_level or DEFAULT_ENFORCEMENT
