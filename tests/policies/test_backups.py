"""Backup buckets: versioned, encrypted and closed to the public on every cloud."""

from __future__ import annotations

import pytest

from policies.backups import ENCRYPTED, NOT_PUBLIC, VERSIONED
from tests.policies.cases import UNKNOWN, Case, run
from tests.policies.stacks import GCS_MEMBER, PUBLIC_READ, TLS_ONLY, azure, document, gcs, s3

PRIVATE_WITH_CONDITION = {**PUBLIC_READ, "Condition": {
    "StringEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}}

CASES = [
    # backups-versioned
    Case("s3-versioned", VERSIONED, s3()),
    Case("s3-versioned-by-real-name", VERSIONED, s3("agent-dev-backups-1a2b3c4d")),
    Case("s3-versioned-inline", VERSIONED,
         s3(drop=("versioning",), bucket={"bucket": "backups", "versioning": {"enabled": True}})),
    Case("s3-versioning-unknown", VERSIONED,
         s3(versioning={"versioningConfiguration": {"status": UNKNOWN}})),
    Case("s3-no-versioning", VERSIONED, s3(drop=("versioning",)), ["not versioned"],
         on="backups"),
    Case("s3-versioning-suspended", VERSIONED,
         s3(versioning={"versioningConfiguration": {"status": "Suspended"}}), ["not versioned"]),
    Case("gcs-versioned", VERSIONED, gcs()),
    Case("gcs-not-versioned", VERSIONED, gcs(versioning=None), ["not versioned"]),
    Case("azure-versioned", VERSIONED, azure()),
    Case("azure-versioning-off", VERSIONED, azure(versioning=False), ["blob versioning"]),
    Case("azure-no-blob-service", VERSIONED, azure(versioning=None), ["blob versioning"]),
    # backups-encrypted
    Case("s3-kms", ENCRYPTED, s3()),
    Case("s3-aes256", ENCRYPTED, s3(encryption={"rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]})),
    Case("s3-encrypted-inline", ENCRYPTED,
         s3(drop=("encryption",), bucket={
             "bucket": "backups", "serverSideEncryptionConfiguration": {"rule": {
                 "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}}})),
    Case("gcs-always-encrypted", ENCRYPTED, gcs()),
    Case("azure-always-encrypted", ENCRYPTED, azure()),
    Case("s3-no-encryption", ENCRYPTED, s3(drop=("encryption",)), ["no default encryption"],
         on="backups"),
    Case("s3-encryption-without-default", ENCRYPTED,
         s3(encryption={"rules": [{"bucketKeyEnabled": True}]}), ["no default encryption"]),
    # backups-not-public
    Case("s3-private", NOT_PUBLIC, s3()),
    Case("s3-conditional-allow-everyone", NOT_PUBLIC,
         s3(policy={"policy": document(TLS_ONLY, PRIVATE_WITH_CONDITION)})),
    Case("s3-public-block-unknown", NOT_PUBLIC, s3(public_block={
        "blockPublicAcls": UNKNOWN, "blockPublicPolicy": True, "ignorePublicAcls": True,
        "restrictPublicBuckets": True})),
    Case("s3-no-public-block", NOT_PUBLIC, s3(drop=("public_block",)), ["public access block"],
         on="backups"),
    Case("s3-public-block-partial", NOT_PUBLIC, s3(public_block={
        "blockPublicAcls": True, "blockPublicPolicy": False, "ignorePublicAcls": True,
        "restrictPublicBuckets": True}), ["public access block"]),
    Case("s3-public-policy", NOT_PUBLIC, s3(policy={"policy": document(TLS_ONLY, PUBLIC_READ)}),
         ["allows everyone"]),
    Case("s3-public-canned-acl", NOT_PUBLIC, s3(acl={"acl": "public-read"}), ["public ACL"]),
    Case("s3-public-grant", NOT_PUBLIC, s3(acl={"accessControlPolicy": {"grants": [
        {"grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"},
         "permission": "READ"}]}}), ["public ACL"]),
    Case("s3-inline-public-acl", NOT_PUBLIC,
         s3(bucket={"bucket": "backups", "acl": "public-read-write"}), ["public ACL"]),
    Case("gcs-private", NOT_PUBLIC, gcs()),
    Case("gcs-pap-inherited", NOT_PUBLIC, gcs(publicAccessPrevention="inherited"),
         ["public access prevention"]),
    Case("gcs-fine-grained-acls", NOT_PUBLIC, gcs(uniformBucketLevelAccess=False),
         ["uniform bucket-level access"]),
    Case("gcs-all-users-member", NOT_PUBLIC,
         [*gcs(), (GCS_MEMBER, "public-read", {"bucket": "agent-dev-backups",
                                              "role": "roles/storage.objectViewer",
                                              "member": "allUsers"})],
         ["grants roles/storage.objectViewer to allUsers"], on="backups"),
    Case("azure-private", NOT_PUBLIC, azure()),
    Case("azure-public-allowed", NOT_PUBLIC, azure({"allowBlobPublicAccess": True}),
         ["allowBlobPublicAccess"]),
    Case("azure-public-unset", NOT_PUBLIC, azure({"allowBlobPublicAccess": None}),
         ["allowBlobPublicAccess"]),
    Case("azure-public-container", NOT_PUBLIC, azure(container_access="Blob"),
         ["anonymous Blob access"]),
]


@pytest.mark.parametrize("proxied", [False, True], ids=["plan", "preview"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, proxied: bool) -> None:
    case.check(proxied)


def test_untagged_buckets_are_held_to_the_same_controls() -> None:
    untagged = s3(drop=("versioning",), bucket={"bucket": "backups"})
    found = run(VERSIONED, untagged)
    assert found == [("backups", "S3 bucket 'backups' is not versioned "
                                 "(no BucketVersioning with status Enabled)")]


def test_each_bucket_is_judged_by_its_own_companions() -> None:
    """Two buckets, one fully configured: only the other is reported."""
    logs = [("aws:s3/bucket:Bucket", "logs", {"bucket": "agent-dev-logs"})]
    found = run(VERSIONED, [*s3("agent-dev-backups-1a2b3c4d"), *logs])
    assert [name for name, _ in found] == ["logs"]


def test_property_dependency_ties_a_companion_to_its_bucket() -> None:
    stack = s3("https://opaque-id", drop=("encryption",))
    stack.append(("aws:s3/bucketServerSideEncryptionConfiguration:"
                  "BucketServerSideEncryptionConfiguration", "sse",
                  {"bucket": "opaque", "rules": [
                      {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}))
    assert [name for name, _ in run(ENCRYPTED, stack)] == ["backups"]
    assert run(ENCRYPTED, stack, property_dependencies={"sse": {"bucket": "backups"}}) == []
