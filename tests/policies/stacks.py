"""Small hand-made stacks of buckets with their companion resources, per cloud."""

from __future__ import annotations

import json
from typing import Any

from tests.policies.cases import Resource

BUCKET = "aws:s3/bucket:Bucket"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
ENCRYPTION = ("aws:s3/bucketServerSideEncryptionConfiguration:"
              "BucketServerSideEncryptionConfiguration")
PUBLIC_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"
GCS = "gcp:storage/bucket:Bucket"
GCS_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"
ACCOUNT = "azure-native:storage:StorageAccount"
BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
CONTAINER = "azure-native:storage:BlobContainer"

TLS_ONLY = {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
            "Action": "s3:*", "Resource": ["arn:aws:s3:::backups", "arn:aws:s3:::backups/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
PUBLIC_READ = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
               "Resource": "arn:aws:s3:::backups/*"}


def document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def s3(bucket_ref: str = "backups", drop: tuple[str, ...] = (),
       bucket: dict[str, Any] | None = None, **replace: dict[str, Any]) -> list[Resource]:
    """A backup bucket (named via bucketPrefix) with every control.

    `drop` removes companions by key; a keyword replaces a companion's props (an unknown key
    such as ``acl=...`` adds an aws.s3.BucketAcl with those props).
    """
    companions: dict[str, Resource] = {
        "versioning": (VERSIONING, "backups-versioning",
                       {"bucket": bucket_ref, "versioningConfiguration": {"status": "Enabled"}}),
        "encryption": (ENCRYPTION, "backups-encryption",
                       {"bucket": bucket_ref, "rules": [
                           {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"},
                            "bucketKeyEnabled": True}]}),
        "public_block": (PUBLIC_BLOCK, "backups-public-access",
                         {"bucket": bucket_ref, "blockPublicAcls": True,
                          "blockPublicPolicy": True, "ignorePublicAcls": True,
                          "restrictPublicBuckets": True}),
        "policy": (BUCKET_POLICY, "backups-tls-only",
                   {"bucket": bucket_ref, "policy": document(TLS_ONLY)}),
    }
    for key, props in replace.items():
        kind, name, _ = companions.get(key, (BUCKET_ACL, f"backups-{key}", {}))
        companions[key] = (kind, name, {"bucket": bucket_ref, **props})
    bucket_props = bucket if bucket is not None else {
        "bucketPrefix": "agent-dev-backups-", "forceDestroy": True,
        "tags": {"agent-stack:role": "backup"}}
    return [(BUCKET, "backups", bucket_props),
            *(r for key, r in companions.items() if key not in drop)]


def gcs(**overrides: Any) -> list[Resource]:
    props: dict[str, Any] = {"name": "agent-dev-backups", "location": "EU",
                             "versioning": {"enabled": True},
                             "publicAccessPrevention": "enforced",
                             "uniformBucketLevelAccess": True,
                             "labels": {"agent-stack-role": "backup"}}
    props.update(overrides)
    return [(GCS, "backups", {k: v for k, v in props.items() if v is not None})]


def azure(account: dict[str, Any] | None = None, versioning: bool | None = True,
          container_access: str = "None") -> list[Resource]:
    props: dict[str, Any] = {"accountName": "agentdevbackups", "enableHttpsTrafficOnly": True,
                             "minimumTlsVersion": "TLS1_2", "allowBlobPublicAccess": False,
                             "tags": {"agent-stack:role": "backup"}}
    props.update(account or {})
    resources: list[Resource] = [
        (ACCOUNT, "backups", {k: v for k, v in props.items() if v is not None}),
        (CONTAINER, "snapshots", {"accountName": "agentdevbackups", "containerName": "snapshots",
                                  "publicAccess": container_access})]
    if versioning is not None:
        resources.append((BLOB_SERVICE, "blob-service",
                          {"accountName": "agentdevbackups", "blobServicesName": "default",
                           "isVersioningEnabled": versioning,
                           "deleteRetentionPolicy": {"enabled": True, "days": 7}}))
    return resources
