"""Backup buckets are versioned, encrypted and closed to the public, on every cloud.

Every S3 bucket, GCS bucket and Azure storage account in a stack is held to these controls,
not only the ones tagged ``agent-stack:role=backup`` (label ``agent-stack-role: backup`` on
GCS): the stacks' buckets all hold vector-store snapshots, and checking every bucket means a
forgotten tag cannot exempt one. Messages say "(backup)" for tagged ones.

* versioned: S3 BucketVersioning status Enabled (or inline versioning); GCS
  ``versioning.enabled``; Azure BlobServiceProperties ``isVersioningEnabled``.
* encrypted: S3 default encryption (SSE-S3, SSE-KMS or DSSE-KMS) configured for the bucket;
  GCS and Azure storage always encrypt at rest (Google-/Microsoft-managed keys).
* not public: S3 public access block with all four settings on, no public ACL, no bucket
  policy allowing everyone unconditionally; GCS public access prevention enforced, uniform
  bucket-level access, no allUsers/allAuthenticatedUsers members; Azure
  ``allowBlobPublicAccess`` false and no container with anonymous access.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .aws_iam import allows_everyone, statements
from .buckets import (
    AZURE_BLOB_SERVICE,
    AZURE_CONTAINERS,
    GCS_IAM,
    S3_ACL,
    S3_ENCRYPTION,
    S3_POLICY,
    S3_PUBLIC_ACCESS_BLOCK,
    S3_VERSIONING,
    Bucket,
    buckets,
)
from .resource_view import UNKNOWN, dig, is_false, is_true, items_of

SSE_ALGORITHMS: Final = frozenset({"AES256", "aws:kms", "aws:kms:dsse"})
PUBLIC_ACCESS_BLOCK_FLAGS: Final = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                    "restrictPublicBuckets")
PUBLIC_CANNED_ACLS: Final = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_GRANTEES: Final = ("AllUsers", "AuthenticatedUsers")
GCS_PUBLIC_MEMBERS: Final = frozenset({"allUsers", "allAuthenticatedUsers"})


def _verdict(value: Any, good: Callable[[Any], bool]) -> bool | None:
    return None if value is UNKNOWN else good(value)


# --- versioned -----------------------------------------------------------------------------

def versioning_problems(bucket: Bucket) -> Iterator[str]:
    props = bucket.resource.props
    if bucket.cloud == "aws":
        if is_true(dig(props, "versioning", "enabled")):
            return
        verdict = bucket.companions(S3_VERSIONING).verdict(lambda p: _verdict(
            dig(p, "versioningConfiguration", "status"), lambda s: s == "Enabled"))
        if verdict is False:
            yield f"{bucket.label} is not versioned (no BucketVersioning with status Enabled)"
    elif bucket.cloud == "gcp":
        enabled = dig(props, "versioning", "enabled")
        if enabled is not UNKNOWN and not is_true(enabled):
            yield f"{bucket.label} is not versioned (versioning.enabled)"
    else:
        verdict = bucket.companions(AZURE_BLOB_SERVICE).verdict(
            lambda p: _verdict(p.get("isVersioningEnabled"), is_true))
        if verdict is False:
            yield (f"{bucket.label} has no blob versioning (BlobServiceProperties "
                   "isVersioningEnabled)")


# --- encrypted -----------------------------------------------------------------------------

def _sse_rules_ok(rules: Any) -> bool | None:
    if rules is UNKNOWN:
        return None
    algorithms = [dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm")
                  for rule in items_of(rules)]
    if UNKNOWN in algorithms:
        return None
    return any(a in SSE_ALGORITHMS for a in algorithms)


def encryption_problems(bucket: Bucket) -> Iterator[str]:
    if bucket.cloud != "aws":
        return  # GCS and Azure Storage encrypt every object at rest; it cannot be turned off
    inline = dig(bucket.resource.props, "serverSideEncryptionConfiguration", "rule")
    if inline is not None and _sse_rules_ok(inline) is not False:
        return
    verdict = bucket.companions(S3_ENCRYPTION).verdict(lambda p: _sse_rules_ok(p.get("rules")))
    if verdict is False:
        yield (f"{bucket.label} has no default encryption (BucketServerSideEncryptionConfiguration"
               " with AES256 or aws:kms)")


# --- not public ----------------------------------------------------------------------------

def _blocks_public(props: dict[str, Any]) -> bool | None:
    flags = [props.get(flag) for flag in PUBLIC_ACCESS_BLOCK_FLAGS]
    if UNKNOWN in flags:
        return None
    return all(is_true(flag) for flag in flags)


def _public_acl(props: dict[str, Any]) -> bool:
    if props.get("acl") in PUBLIC_CANNED_ACLS:
        return True
    grants = items_of(dig(props, "accessControlPolicy", "grants")) + items_of(props.get("grants"))
    for grant in grants:
        uri = dig(grant, "grantee", "uri") or dig(grant, "uri")
        if isinstance(uri, str) and any(uri.endswith(g) for g in PUBLIC_GRANTEES):
            return True
    return False


def _public_policy(document: Any) -> bool:
    return any(allows_everyone(s) for s in statements(document) or [])


def s3_public_problems(bucket: Bucket) -> Iterator[str]:
    props = bucket.resource.props
    verdict = bucket.companions(S3_PUBLIC_ACCESS_BLOCK).verdict(_blocks_public)
    if verdict is False:
        yield (f"{bucket.label} has no public access block with all four settings on "
               f"({', '.join(PUBLIC_ACCESS_BLOCK_FLAGS)})")
    acls = [props, *(c.props for c in bucket.companions(S3_ACL).found)]
    if any(_public_acl(p) for p in acls):
        yield f"{bucket.label} has a public ACL"
    policies = [props.get("policy"),
                *(c.props.get("policy") for c in bucket.companions(S3_POLICY).found)]
    if any(_public_policy(p) for p in policies):
        yield f"{bucket.label} has a bucket policy that allows everyone (Principal '*')"


def gcs_public_problems(bucket: Bucket) -> Iterator[str]:
    props = bucket.resource.props
    prevention = props.get("publicAccessPrevention")
    if prevention is not UNKNOWN and prevention != "enforced":
        yield f"{bucket.label} does not enforce public access prevention"
    uniform = props.get("uniformBucketLevelAccess")
    if uniform is not UNKNOWN and not is_true(uniform):
        yield f"{bucket.label} does not use uniform bucket-level access (object ACLs possible)"
    for member in bucket.companions(GCS_IAM).found:
        granted = set(items_of(member.props.get("members"))) | {member.props.get("member")}
        public = sorted(str(m) for m in granted & GCS_PUBLIC_MEMBERS)
        if public:
            yield f"{bucket.label} grants {member.props.get('role')} to {', '.join(public)}"


def azure_public_problems(bucket: Bucket) -> Iterator[str]:
    allowed = bucket.resource.props.get("allowBlobPublicAccess")
    if allowed is not UNKNOWN and not is_false(allowed):
        yield f"{bucket.label} does not set allowBlobPublicAccess=false"
    for container in bucket.companions(AZURE_CONTAINERS).found:
        access = container.props.get("publicAccess")
        if isinstance(access, str) and access.lower() in ("blob", "container"):
            yield f"{bucket.label} container {container.name!r} allows anonymous {access} access"


def public_problems(bucket: Bucket) -> Iterator[str]:
    if bucket.cloud == "aws":
        yield from s3_public_problems(bucket)
    elif bucket.cloud == "gcp":
        yield from gcs_public_problems(bucket)
    else:
        yield from azure_public_problems(bucket)


def _over_buckets(check: Callable[[Bucket], Iterator[str]]) -> Callable[
        [StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        for bucket in buckets(args):
            for problem in check(bucket):
                report_violation(problem, bucket.resource.urn)

    return validate


VERSIONED = StackValidationPolicy(
    name="backups-versioned",
    description="Backup buckets and storage accounts keep object versions (S3, GCS, Azure).",
    validate=_over_buckets(versioning_problems),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    tags=["backups"],
    remediation_steps=(
        "S3: aws.s3.BucketVersioning(bucket=bucket.id, versioning_configuration={'status': "
        "'Enabled'}). GCS: versioning={'enabled': True}. Azure: "
        "storage.BlobServiceProperties(account_name=..., is_versioning_enabled=True)."),
)

ENCRYPTED = StackValidationPolicy(
    name="backups-encrypted",
    description="Backup buckets encrypt objects at rest by default.",
    validate=_over_buckets(encryption_problems),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=["backups"],
    remediation_steps=(
        "S3: aws.s3.BucketServerSideEncryptionConfiguration(bucket=bucket.id, rules=[{"
        "'apply_server_side_encryption_by_default': {'sse_algorithm': 'aws:kms'}, "
        "'bucket_key_enabled': True}]) (or 'AES256')."),
)

NOT_PUBLIC = StackValidationPolicy(
    name="backups-not-public",
    description="Backup buckets are closed to the public on every cloud.",
    validate=_over_buckets(public_problems),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    tags=["backups"],
    remediation_steps=(
        "S3: aws.s3.BucketPublicAccessBlock with block_public_acls, block_public_policy, "
        "ignore_public_acls and restrict_public_buckets all True; no public ACL or Principal '*'"
        " Allow. GCS: public_access_prevention='enforced', uniform_bucket_level_access=True, no "
        "allUsers members. Azure: allow_blob_public_access=False, containers public_access="
        "'None'."),
)

POLICIES = [VERSIONED, ENCRYPTED, NOT_PUBLIC]
