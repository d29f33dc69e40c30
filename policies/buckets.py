"""Buckets and storage accounts, and the companion resources that configure them.

On AWS a bucket's controls are separate resources (BucketVersioning, the SSE configuration,
BucketPublicAccessBlock, BucketPolicy, BucketAcl) whose `bucket` input is the bucket's id,
which is its name. On Azure, blob service properties and containers name their account in
`accountName`; on GCS, IAM members name the bucket in `bucket`. Both the pulumi-aws v7 names
and the deprecated `...V2` types are accepted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import StackValidationArgs

from .resource_view import StackResource, related, stack_resources

S3_BUCKETS: Final = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_VERSIONING: Final = ("aws:s3/bucketVersioning:BucketVersioning",
                        "aws:s3/bucketVersioningV2:BucketVersioningV2")
S3_ENCRYPTION: Final = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
S3_PUBLIC_ACCESS_BLOCK: Final = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
S3_POLICY: Final = ("aws:s3/bucketPolicy:BucketPolicy",)
S3_ACL: Final = ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2")

GCS_BUCKETS: Final = ("gcp:storage/bucket:Bucket",)
GCS_IAM: Final = ("gcp:storage/bucketIAMMember:BucketIAMMember",
                  "gcp:storage/bucketIAMBinding:BucketIAMBinding")

AZURE_ACCOUNTS: Final = ("azure-native:storage:StorageAccount",)
AZURE_BLOB_SERVICE: Final = ("azure-native:storage:BlobServiceProperties",)
AZURE_CONTAINERS: Final = ("azure-native:storage:BlobContainer",)

ALL_BUCKETS: Final = (*S3_BUCKETS, *GCS_BUCKETS, *AZURE_ACCOUNTS)

#: The tag/label the stacks put on backup buckets (every bucket is checked either way).
BACKUP_TAG: Final = ("agent-stack:role", "backup")
BACKUP_LABEL: Final = ("agent-stack-role", "backup")


@dataclass(frozen=True)
class Bucket:
    """A bucket (S3, GCS) or storage account (Azure) and the stack it lives in."""

    resource: StackResource
    stack: list[StackResource]

    @property
    def cloud(self) -> str:
        return self.resource.type.split(":", 1)[0]

    @property
    def label(self) -> str:
        kind = {"aws": "S3 bucket", "gcp": "GCS bucket"}.get(self.cloud, "storage account")
        role = " (backup)" if self.is_backup else ""
        return f"{kind} {self.resource.name!r}{role}"

    @property
    def is_backup(self) -> bool:
        tags = self.resource.props.get("tags") or {}
        labels = self.resource.props.get("labels") or {}
        return ((isinstance(tags, dict) and tags.get(BACKUP_TAG[0]) == BACKUP_TAG[1])
                or (isinstance(labels, dict) and labels.get(BACKUP_LABEL[0]) == BACKUP_LABEL[1]))

    def companions(self, types: tuple[str, ...]) -> Companions:
        """The resources of `types` that configure this bucket."""
        prefixes: tuple[str, ...] = ()
        if self.cloud == "azure-native":
            prop, keys = "accountName", ("accountName",)
        elif self.cloud == "gcp":
            prop, keys = "bucket", ("name",)
        else:
            prop, keys, prefixes = "bucket", ("bucket",), ("bucketPrefix",)
        candidates = [r for r in self.stack if r.type in types]
        found = related(self.resource, candidates, prop, keys, prefixes)
        return Companions(found.found, found.undecided)


@dataclass(frozen=True)
class Companions:
    found: list[StackResource]
    #: True when some resource of the type could belong to this bucket but its reference
    #: is not known yet (preview): absence is then not a violation.
    undecided: bool

    def verdict(self, good: Callable[[dict[str, Any]], bool | None]) -> bool | None:
        """True if any companion is good, None if it can't be told, False otherwise."""
        results = [good(c.props) for c in self.found]
        if any(r is True for r in results):
            return True
        if any(r is None for r in results) or (not self.found and self.undecided):
            return None
        return False


def buckets(args: StackValidationArgs, types: tuple[str, ...] = ALL_BUCKETS) -> list[Bucket]:
    stack = stack_resources(args, {r.resource_type for r in args.resources})
    return [Bucket(r, stack) for r in stack if r.type in types]
