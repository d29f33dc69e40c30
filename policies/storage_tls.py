"""Buckets and storage accounts refuse plain HTTP.

S3: a bucket policy (the bucket's `policy` input or an aws.s3.BucketPolicy for it) denies
every S3 action to everyone when ``aws:SecureTransport`` is false. Azure: the storage account
has HTTPS-only traffic (`enableHttpsTrafficOnly` in azure-native, `supportsHttpsTrafficOnly`
in the classic provider/ARM docs; both accepted) and minimum TLS 1.2. GCS serves only HTTPS,
so it needs no rule.
"""

from __future__ import annotations

from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .aws_iam import denies_insecure_transport, statements
from .buckets import AZURE_ACCOUNTS, S3_BUCKETS, S3_POLICY, Bucket, buckets
from .resource_view import SECRET_MARK, UNKNOWN, is_true

AZURE_MODERN_TLS: Final = frozenset({"TLS1_2", "TLS1_3"})


def _tls_only(document: Any) -> bool | None:
    found = statements(document)
    if found is None:
        return None if document is UNKNOWN or document == SECRET_MARK else False
    return any(denies_insecure_transport(s) for s in found)


def s3_problem(bucket: Bucket) -> str | None:
    inline = bucket.resource.props.get("policy")
    if inline is not None and _tls_only(inline) is not False:
        return None
    verdict = bucket.companions(S3_POLICY).verdict(lambda props: _tls_only(props.get("policy")))
    if verdict is False:
        return (f"{bucket.label} has no bucket policy denying requests without TLS "
                "(Deny s3:* when aws:SecureTransport is false)")
    return None


def azure_problems(account: Bucket) -> list[str]:
    props = account.resource.props
    problems = []
    https_only = props.get("enableHttpsTrafficOnly", props.get("supportsHttpsTrafficOnly"))
    if https_only is not UNKNOWN and not is_true(https_only):
        problems.append(f"{account.label} does not set enableHttpsTrafficOnly=true")
    minimum = props.get("minimumTlsVersion")
    if minimum is not UNKNOWN and minimum not in AZURE_MODERN_TLS:
        problems.append(f"{account.label} minimumTlsVersion is {minimum or 'unset'}; "
                        "it must be TLS1_2")
    return problems


def validate_storage_tls(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    for bucket in buckets(args, S3_BUCKETS):
        problem = s3_problem(bucket)
        if problem:
            report_violation(problem, bucket.resource.urn)
    for account in buckets(args, AZURE_ACCOUNTS):
        for problem in azure_problems(account):
            report_violation(problem, account.resource.urn)


STORAGE_TLS_ONLY = StackValidationPolicy(
    name="https-storage-tls-only",
    description="Buckets and storage accounts refuse plain HTTP: S3 TLS-only bucket policy; "
                "Azure storage HTTPS-only with minimum TLS 1.2.",
    validate=validate_storage_tls,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=["https", "storage"],
    remediation_steps=(
        "S3: add an aws.s3.BucketPolicy for the bucket with a statement {Effect: Deny, "
        "Principal: '*', Action: 's3:*', Resource: [bucket ARN, bucket ARN + '/*'], "
        "Condition: {Bool: {'aws:SecureTransport': 'false'}}}. Azure: set "
        "enable_https_traffic_only=True and minimum_tls_version='TLS1_2' on the StorageAccount."),
)

POLICIES = [STORAGE_TLS_ONLY]
