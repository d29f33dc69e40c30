"""Secret stores keep a recovery path (Secrets Manager window, Key Vault soft delete/purge)."""

from __future__ import annotations

import pytest

from policies.secret_stores import STORE_RECOVERY
from tests.policies.cases import UNKNOWN, Case, one

SECRET = "aws:secretsmanager/secret:Secret"
VAULT = "azure-native:keyvault:Vault"


def vault(**properties: object) -> dict[str, object]:
    base: dict[str, object] = {"tenantId": "t", "sku": {"family": "A", "name": "standard"},
                               "enableRbacAuthorization": True, "enableSoftDelete": True,
                               "softDeleteRetentionInDays": 90, "enablePurgeProtection": True}
    base.update(properties)
    return {"properties": {k: v for k, v in base.items() if v is not None}}


CASES = [
    one(STORE_RECOVERY, "default-window", SECRET, {"namePrefix": "agent-dev/api-keys-"}),
    one(STORE_RECOVERY, "seven-days", SECRET, {"recoveryWindowInDays": 7}),
    one(STORE_RECOVERY, "window-unknown", SECRET, {"recoveryWindowInDays": UNKNOWN}),
    one(STORE_RECOVERY, "force-delete", SECRET, {"recoveryWindowInDays": 0}, "gone at once"),
    one(STORE_RECOVERY, "window-too-short", SECRET, {"recoveryWindowInDays": 3}, "too soon"),
    one(STORE_RECOVERY, "vault-protected", VAULT, vault()),
    one(STORE_RECOVERY, "vault-soft-delete-default", VAULT, vault(enableSoftDelete=None)),
    one(STORE_RECOVERY, "vault-no-soft-delete", VAULT, vault(enableSoftDelete=False),
        "soft delete disabled"),
    one(STORE_RECOVERY, "vault-no-purge-protection", VAULT, vault(enablePurgeProtection=None),
        "purge protection is off"),
    one(STORE_RECOVERY, "vault-unprotected", VAULT,
        vault(enableSoftDelete=False, enablePurgeProtection=False),
        "soft delete disabled", "purge protection is off"),
]


@pytest.mark.parametrize("proxied", [False, True], ids=["plan", "preview"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, proxied: bool) -> None:
    case.check(proxied)
