"""Secret stores keep a recovery path.

AWS Secrets Manager: a deleted secret stays recoverable for its recovery window (7-30
days); ``recoveryWindowInDays: 0`` deletes it at once. Azure Key Vault: soft delete stays on
and purge protection is on, so a deleted vault or secret can be restored and nobody can purge
it early. GCP Secret Manager and Databricks secret scopes have no soft delete to switch off.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, Severity

from .resource_view import UNKNOWN, by_type, dig, is_false, is_true

SECRETS_MANAGER_SECRET: Final = "aws:secretsmanager/secret:Secret"
KEY_VAULT: Final = "azure-native:keyvault:Vault"
MIN_RECOVERY_DAYS: Final = 7


def secrets_manager_problems(props: dict[str, Any]) -> Iterator[str]:
    days = props.get("recoveryWindowInDays")
    if days is None or days is UNKNOWN:
        return  # unset means AWS's default 30-day window
    try:
        window = int(days)
    except (TypeError, ValueError):
        return
    if window < MIN_RECOVERY_DAYS:
        yield (f"recoveryWindowInDays is {window}: a deleted secret is gone "
               f"{'at once' if window == 0 else 'too soon'} (allowed: 7-30)")


def key_vault_problems(props: dict[str, Any]) -> Iterator[str]:
    if is_false(dig(props, "properties", "enableSoftDelete")):
        yield "Key Vault has soft delete disabled (properties.enableSoftDelete)"
    purge = dig(props, "properties", "enablePurgeProtection")
    if purge is not UNKNOWN and not is_true(purge):
        yield "Key Vault purge protection is off (properties.enablePurgeProtection)"


STORE_RECOVERY = ResourceValidationPolicy(
    name="secrets-store-recovery",
    description="Secret stores keep a recovery path: Secrets Manager recovery window of 7+ "
                "days; Key Vault soft delete and purge protection on.",
    validate=by_type({
        SECRETS_MANAGER_SECRET: secrets_manager_problems,
        KEY_VAULT: key_vault_problems,
    }),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=["secrets"],
    remediation_steps=(
        "Secrets Manager: leave recovery_window_in_days unset (30) or set 7-30; never 0. "
        "Key Vault: properties.enable_soft_delete=True (or unset), "
        "properties.enable_purge_protection=True, soft_delete_retention_in_days 7-90."),
)

POLICIES = [STORE_RECOVERY]
