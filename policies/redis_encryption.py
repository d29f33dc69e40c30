"""Redis on every cloud: TLS in transit with the plain port off, plus at-rest and AUTH advice.

ElastiCache (replication groups and stand-alone Redis/Valkey clusters), Azure Cache for Redis
(`azure-native:redis:Redis` in azure-native v3, `azure-native:cache:Redis` before), Azure
Managed Redis / Redis Enterprise databases, Memorystore instances and clusters.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, Severity

from .resource_view import SECRET_MARK, UNKNOWN, by_type, dig, is_true, items_of

ELASTICACHE_GROUP: Final = "aws:elasticache/replicationGroup:ReplicationGroup"
ELASTICACHE_CLUSTER: Final = "aws:elasticache/cluster:Cluster"
AZURE_REDIS: Final = ("azure-native:redis:Redis", "azure-native:cache:Redis")
AZURE_REDIS_DATABASE: Final = ("azure-native:redisenterprise:Database",
                               "azure-native:cache:Database")
MEMORYSTORE: Final = "gcp:redis/instance:Instance"
MEMORYSTORE_CLUSTER: Final = "gcp:redis/cluster:Cluster"
AZURE_MODERN_TLS: Final = frozenset({"1.2", "1.3"})


def _redis_engine(props: dict[str, Any]) -> bool:
    engine = props.get("engine")
    return engine is UNKNOWN or str(engine or "redis").lower() in ("redis", "valkey")


def transit_elasticache(props: dict[str, Any]) -> Iterator[str]:
    if props.get("replicationGroupId") and "transitEncryptionEnabled" not in props:
        return  # a member of a replication group: the group's settings apply
    if not _redis_engine(props):
        return
    enabled = props.get("transitEncryptionEnabled")
    if enabled is not UNKNOWN and not is_true(enabled):
        yield "ElastiCache Redis does not encrypt in transit (transitEncryptionEnabled)"
        return
    mode = props.get("transitEncryptionMode")
    if isinstance(mode, str) and mode.lower() == "preferred":
        yield ("ElastiCache Redis accepts plaintext connections too "
               "(transitEncryptionMode 'preferred')")


def transit_azure_redis(props: dict[str, Any]) -> Iterator[str]:
    if is_true(props.get("enableNonSslPort")):
        yield "Azure Cache for Redis has the non-TLS port (6379) enabled"
    minimum = props.get("minimumTlsVersion")
    if minimum is not UNKNOWN and str(minimum) not in AZURE_MODERN_TLS:
        yield (f"Azure Cache for Redis minimumTlsVersion is {minimum or 'unset'}; "
               "it must be '1.2'")


def transit_azure_redis_database(props: dict[str, Any]) -> Iterator[str]:
    protocol = props.get("clientProtocol")
    if isinstance(protocol, str) and protocol.lower() == "plaintext":
        yield "Azure Managed Redis database accepts plaintext clients (clientProtocol)"


def transit_memorystore(props: dict[str, Any]) -> Iterator[str]:
    mode = props.get("transitEncryptionMode")
    if mode is not UNKNOWN and mode != "SERVER_AUTHENTICATION":
        yield (f"Memorystore transitEncryptionMode is {mode or 'unset (DISABLED)'}; it must be "
               "SERVER_AUTHENTICATION")


def transit_memorystore_cluster(props: dict[str, Any]) -> Iterator[str]:
    mode = props.get("transitEncryptionMode")
    if mode is not UNKNOWN and mode != "TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION":
        yield f"Memorystore cluster transitEncryptionMode is {mode or 'unset (DISABLED)'}"


def at_rest_elasticache(props: dict[str, Any]) -> Iterator[str]:
    enabled = props.get("atRestEncryptionEnabled")
    if _redis_engine(props) and enabled is not UNKNOWN and not is_true(enabled):
        yield "ElastiCache Redis does not encrypt at rest (atRestEncryptionEnabled)"


def auth_elasticache(props: dict[str, Any]) -> Iterator[str]:
    token = props.get("authToken")
    groups = props.get("userGroupIds")
    if UNKNOWN in (token, groups) or token == SECRET_MARK or token or items_of(groups):
        return
    yield "ElastiCache Redis has neither an AUTH token nor RBAC user groups"


def auth_memorystore(props: dict[str, Any]) -> Iterator[str]:
    enabled = props.get("authEnabled")
    if enabled is not UNKNOWN and not is_true(enabled):
        yield "Memorystore Redis has AUTH disabled (authEnabled)"


def auth_azure_redis(props: dict[str, Any]) -> Iterator[str]:
    if is_true(dig(props, "redisConfiguration", "authnotrequired")):
        yield "Azure Cache for Redis allows unauthenticated clients (authnotrequired)"


IN_TRANSIT = ResourceValidationPolicy(
    name="https-redis-in-transit",
    description="Redis encrypts in transit and has its non-TLS port off (ElastiCache, "
                "Azure Cache for Redis, Memorystore).",
    validate=by_type({
        ELASTICACHE_GROUP: transit_elasticache,
        ELASTICACHE_CLUSTER: transit_elasticache,
        **dict.fromkeys(AZURE_REDIS, transit_azure_redis),
        **dict.fromkeys(AZURE_REDIS_DATABASE, transit_azure_redis_database),
        MEMORYSTORE: transit_memorystore,
        MEMORYSTORE_CLUSTER: transit_memorystore_cluster,
    }),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=["https", "redis"],
    remediation_steps=(
        "ElastiCache: transit_encryption_enabled=True, transit_encryption_mode='required'. "
        "Azure Cache for Redis: enable_non_ssl_port=False, minimum_tls_version='1.2'. "
        "Azure Managed Redis: client_protocol='Encrypted'. Memorystore: "
        "transit_encryption_mode='SERVER_AUTHENTICATION'; clients connect with rediss://."),
)

AT_REST = ResourceValidationPolicy(
    name="redis-at-rest-encryption",
    description="ElastiCache Redis encrypts data at rest (Azure and Memorystore always do).",
    validate=by_type({ELASTICACHE_GROUP: at_rest_elasticache}),
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    tags=["redis", "aws"],
    remediation_steps="Set at_rest_encryption_enabled=True (replaces the replication group).",
)

AUTH = ResourceValidationPolicy(
    name="redis-auth-required",
    description="Redis requires clients to authenticate (AUTH token, RBAC or access keys).",
    validate=by_type({
        ELASTICACHE_GROUP: auth_elasticache,
        MEMORYSTORE: auth_memorystore,
        **dict.fromkeys(AZURE_REDIS, auth_azure_redis),
    }),
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    tags=["redis"],
    remediation_steps=(
        "ElastiCache: auth_token from Secrets Manager (or user_group_ids). Memorystore: "
        "auth_enabled=True. Azure Cache for Redis: leave redis_configuration.authnotrequired "
        "unset."),
)

POLICIES = [IN_TRANSIT, AT_REST, AUTH]
