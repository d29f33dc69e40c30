"""Buckets and storage accounts refuse plain HTTP (S3 TLS-only policy, Azure HTTPS-only)."""

from __future__ import annotations

import pytest

from policies.storage_tls import STORAGE_TLS_ONLY
from tests.policies.cases import UNKNOWN, Case
from tests.policies.stacks import PUBLIC_READ, TLS_ONLY, azure, document, s3

LEGACY_TLS_ONLY = {**TLS_ONLY, "Principal": {"AWS": ["*"]}, "Action": ["s3:*"],
                   "Condition": {"BoolIfExists": {"AWS:SecureTransport": False}}}
ALLOW_TLS = {**TLS_ONLY, "Effect": "Allow"}
GET_ONLY_DENY = {**TLS_ONLY, "Action": "s3:GetObject"}

CASES = [
    Case("s3-tls-only-policy", STORAGE_TLS_ONLY, s3()),
    Case("s3-tls-only-by-real-name", STORAGE_TLS_ONLY, s3("agent-dev-backups-1a2b3c4d")),
    Case("s3-tls-only-inline", STORAGE_TLS_ONLY,
         s3(drop=("policy",), bucket={"bucket": "backups", "policy": document(TLS_ONLY)})),
    Case("s3-tls-only-list-principal", STORAGE_TLS_ONLY,
         s3(policy={"policy": document(PUBLIC_READ, LEGACY_TLS_ONLY)})),
    Case("s3-policy-unknown", STORAGE_TLS_ONLY, s3(policy={"policy": UNKNOWN})),
    Case("s3-companion-bucket-unknown", STORAGE_TLS_ONLY, s3(UNKNOWN)),
    Case("s3-no-policy", STORAGE_TLS_ONLY, s3(drop=("policy",)), ["no bucket policy"],
         on="backups"),
    Case("s3-policy-for-other-bucket", STORAGE_TLS_ONLY, s3("logs-bucket"),
         ["no bucket policy"], on="backups"),
    Case("s3-policy-allows-instead", STORAGE_TLS_ONLY, s3(policy={"policy": document(ALLOW_TLS)}),
         ["no bucket policy"]),
    Case("s3-policy-denies-one-action", STORAGE_TLS_ONLY,
         s3(policy={"policy": document(GET_ONLY_DENY)}), ["no bucket policy"]),
    Case("s3-policy-not-json", STORAGE_TLS_ONLY, s3(policy={"policy": "deny-http"}),
         ["no bucket policy"]),
    Case("azure-https-tls12", STORAGE_TLS_ONLY, azure()),
    Case("azure-classic-name", STORAGE_TLS_ONLY,
         azure({"enableHttpsTrafficOnly": None, "supportsHttpsTrafficOnly": True})),
    Case("azure-http-allowed", STORAGE_TLS_ONLY, azure({"enableHttpsTrafficOnly": False}),
         ["enableHttpsTrafficOnly"], on="backups"),
    Case("azure-https-unset", STORAGE_TLS_ONLY, azure({"enableHttpsTrafficOnly": None}),
         ["enableHttpsTrafficOnly"]),
    Case("azure-tls10", STORAGE_TLS_ONLY, azure({"minimumTlsVersion": "TLS1_0"}),
         ["minimumTlsVersion is TLS1_0"]),
    Case("azure-tls-unset", STORAGE_TLS_ONLY, azure({"minimumTlsVersion": None}),
         ["minimumTlsVersion is unset"]),
]


@pytest.mark.parametrize("proxied", [False, True], ids=["plan", "preview"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, proxied: bool) -> None:
    case.check(proxied)
