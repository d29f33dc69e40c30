"""Redis: TLS in transit with the plain port off (mandatory); at rest and AUTH (advisory)."""

from __future__ import annotations

from typing import Any

import pytest

from policies.redis_encryption import AT_REST, AUTH, IN_TRANSIT
from tests.policies.cases import UNKNOWN, Case, one

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CLUSTER = "aws:elasticache/cluster:Cluster"
AZURE_REDIS = "azure-native:redis:Redis"
AZURE_REDIS_V2 = "azure-native:cache:Redis"
AZURE_MANAGED = "azure-native:redisenterprise:Database"
MEMORYSTORE = "gcp:redis/instance:Instance"
MEMORYSTORE_CLUSTER = "gcp:redis/cluster:Cluster"


def group(**overrides: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "engine": "redis", "transitEncryptionEnabled": True, "transitEncryptionMode": "required",
        "atRestEncryptionEnabled": True, "authToken": "[secret]"}
    props.update(overrides)
    return {k: v for k, v in props.items() if v is not None}


CASES = [
    # https-redis-in-transit
    one(IN_TRANSIT, "elasticache-tls", GROUP, group()),
    one(IN_TRANSIT, "elasticache-tls-default-mode", GROUP, group(transitEncryptionMode=None)),
    one(IN_TRANSIT, "elasticache-memcached-n/a", CLUSTER, {"engine": "memcached"}),
    one(IN_TRANSIT, "elasticache-member-n/a", CLUSTER, {"replicationGroupId": "agent-redis"}),
    one(IN_TRANSIT, "elasticache-no-tls", GROUP, group(transitEncryptionEnabled=False),
        "does not encrypt in transit"),
    one(IN_TRANSIT, "elasticache-tls-unset", GROUP, group(transitEncryptionEnabled=None),
        "does not encrypt in transit"),
    one(IN_TRANSIT, "elasticache-preferred", GROUP, group(transitEncryptionMode="preferred"),
        "accepts plaintext"),
    one(IN_TRANSIT, "elasticache-cluster-no-tls", CLUSTER, {"engine": "valkey"},
        "does not encrypt in transit"),
    one(IN_TRANSIT, "azure-redis-tls12", AZURE_REDIS,
        {"enableNonSslPort": False, "minimumTlsVersion": "1.2"}),
    one(IN_TRANSIT, "azure-redis-v2-token", AZURE_REDIS_V2, {"minimumTlsVersion": "1.2"}),
    one(IN_TRANSIT, "azure-redis-plain-port", AZURE_REDIS,
        {"enableNonSslPort": True, "minimumTlsVersion": "1.2"}, "non-TLS port"),
    one(IN_TRANSIT, "azure-redis-tls10", AZURE_REDIS,
        {"enableNonSslPort": False, "minimumTlsVersion": "1.0"}, "minimumTlsVersion is 1.0"),
    one(IN_TRANSIT, "azure-redis-tls-unset", AZURE_REDIS_V2, {"enableNonSslPort": False},
        "minimumTlsVersion is unset"),
    one(IN_TRANSIT, "azure-managed-encrypted", AZURE_MANAGED, {"clientProtocol": "Encrypted"}),
    one(IN_TRANSIT, "azure-managed-plaintext", AZURE_MANAGED, {"clientProtocol": "Plaintext"},
        "plaintext clients"),
    one(IN_TRANSIT, "memorystore-tls", MEMORYSTORE,
        {"transitEncryptionMode": "SERVER_AUTHENTICATION", "authEnabled": True}),
    one(IN_TRANSIT, "memorystore-default", MEMORYSTORE, {"tier": "STANDARD_HA"},
        "unset (DISABLED)"),
    one(IN_TRANSIT, "memorystore-disabled", MEMORYSTORE, {"transitEncryptionMode": "DISABLED"},
        "DISABLED"),
    one(IN_TRANSIT, "memorystore-cluster-tls", MEMORYSTORE_CLUSTER,
        {"transitEncryptionMode": "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION"}),
    one(IN_TRANSIT, "memorystore-cluster-plain", MEMORYSTORE_CLUSTER,
        {"transitEncryptionMode": "TRANSIT_ENCRYPTION_MODE_DISABLED"}, "cluster"),
    one(IN_TRANSIT, "elasticache-unknown", GROUP, group(transitEncryptionEnabled=UNKNOWN)),
    # redis-at-rest-encryption
    one(AT_REST, "at-rest-on", GROUP, group()),
    one(AT_REST, "at-rest-off", GROUP, group(atRestEncryptionEnabled=False), "at rest"),
    one(AT_REST, "at-rest-unset", GROUP, group(atRestEncryptionEnabled=None), "at rest"),
    # redis-auth-required
    one(AUTH, "auth-token-secret", GROUP, group()),
    one(AUTH, "auth-rbac", GROUP, group(authToken=None, userGroupIds=["app-users"])),
    one(AUTH, "auth-none", GROUP, group(authToken=None), "neither an AUTH token"),
    one(AUTH, "memorystore-auth", MEMORYSTORE, {"authEnabled": True}),
    one(AUTH, "memorystore-no-auth", MEMORYSTORE, {"authEnabled": False}, "AUTH disabled"),
    one(AUTH, "azure-auth-default", AZURE_REDIS, {"redisConfiguration": {}}),
    one(AUTH, "azure-auth-off", AZURE_REDIS, {"redisConfiguration": {"authnotrequired": "true"}},
        "unauthenticated"),
]


@pytest.mark.parametrize("proxied", [False, True], ids=["plan", "preview"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, proxied: bool) -> None:
    case.check(proxied)
