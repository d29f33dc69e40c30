"""The pack as Pulumi runs it: metadata, rule coverage, and the real analyzer over gRPC."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel

import policies
from policies.pack import PACK_NAME, POLICIES, enforcement_of
from tests.policies import (
    test_backups,
    test_https_entry,
    test_redis_encryption,
    test_secret_access,
    test_secret_literals,
    test_secret_stores,
    test_storage_tls,
)

PACK_DIR = Path(policies.__file__).resolve().parent
ALL_CASES = [*test_https_entry.CASES, *test_redis_encryption.CASES, *test_storage_tls.CASES,
             *test_secret_literals.CASES, *test_secret_access.CASES,
             *test_secret_stores.CASES, *test_backups.CASES]
#: The pulumi_policy wire format for a secret value.
SECRET_SIG = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270"}


def test_the_pack_project_runs_python_with_the_sdk_the_project_pins() -> None:
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text())
    assert project["runtime"]["name"] == "python" and project["version"]
    pyproject = tomllib.loads((PACK_DIR.parent / "pyproject.toml").read_text())
    pinned = {re.split(r"[<>=~!\[ ]", d, maxsplit=1)[0]: d
              for d in pyproject["project"]["dependencies"]}
    required = (PACK_DIR / "requirements.txt").read_text().split()
    assert required and all(pinned[re.split(r"[<>=~! ]", r, maxsplit=1)[0]] == r
                            for r in required)


def test_every_rule_is_described_and_leveled() -> None:
    names = [p.name for p in POLICIES]
    assert len(names) == len(set(names)) and len(names) <= 25  # CrossGuard's per-pack limit
    for policy in POLICIES:
        assert policy.description and policy.remediation_steps and policy.severity, policy.name
        assert policy.enforcement_level is not None, policy.name


def test_https_and_secret_rules_are_mandatory_by_default() -> None:
    families = [p for p in POLICIES if p.name.startswith(("https-", "secrets-"))]
    assert len(families) == 13
    assert all(enforcement_of(p) is EnforcementLevel.MANDATORY for p in families)


def test_every_rule_has_a_compliant_and_a_violating_case() -> None:
    for policy in POLICIES:
        cases = [c for c in ALL_CASES if c.policy is policy]
        assert any(c.violating for c in cases), f"{policy.name}: no violating case"
        assert any(not c.violating for c in cases), f"{policy.name}: no compliant case"


# --- the real policy host ------------------------------------------------------------------

def start_host(pack_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Runs the pack as the Pulumi CLI's `pulumi-analyzer-policy-python` shim does: the
    virtualenv's python, `-m pulumi.policy ENGINE .`, in the pack's directory."""
    host = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", "."],
                            cwd=pack_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert host.stdout is not None
    port = host.stdout.readline().decode().strip()
    if not port.isdigit():
        host.kill()
        _, err = host.communicate(timeout=10)
        pytest.fail(f"policy host did not start: {port!r} {err.decode()}")
    return host, f"127.0.0.1:{port}"


@pytest.fixture(scope="module")
def analyzer() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    host, address = start_host(PACK_DIR)
    channel = grpc.insecure_channel(address)
    try:
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        channel.close()
        host.terminate()
        host.wait(timeout=10)


def struct(props: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(props)
    return message


def analyze(stub: analyzer_pb2_grpc.AnalyzerStub, type_: str, props: dict[str, Any]
            ) -> list[Any]:
    request = proto.AnalyzeRequest(type=type_, properties=struct(props),
                                   urn=f"urn:pulumi:dev::agent-stack::{type_}::r", name="r")
    return list(stub.Analyze(request).diagnostics)


def test_the_host_serves_every_rule(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == PACK_NAME
    served = {p.name: p for p in info.policies}
    assert set(served) == {p.name for p in POLICIES}
    assert served["secrets-no-literals"].enforcementLevel == proto.MANDATORY
    assert served["redis-auth-required"].enforcementLevel == proto.ADVISORY
    assert served["https-lb-listeners"].remediation_steps


def test_the_host_reports_a_secret_handed_over_in_the_clear(
        analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    definitions = ('[{"name": "agent", "environment": [{"name": "ANTHROPIC_API_KEY", '
                   '"value": "sk-ant-api03-' + "Zz9" * 12 + '"}]}]')
    found = analyze(analyzer, "aws:ecs/taskDefinition:TaskDefinition",
                    {"containerDefinitions": {**SECRET_SIG, "value": definitions}})
    assert sorted(d.policyName for d in found) == ["secrets-by-reference",
                                                    "secrets-no-literals"]
    assert all(d.enforcementLevel == proto.MANDATORY for d in found)


def test_the_host_treats_unknown_values_as_not_yet_known(
        analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    found = analyze(analyzer, "aws:lb/listener:Listener",
                    {"protocol": "HTTPS", "port": 443, "sslPolicy": unknown})
    assert found == []
    found = analyze(analyzer, "aws:lb/listener:Listener",
                    {"protocol": "HTTPS", "port": 443, "sslPolicy": "ELBSecurityPolicy-2016-08"})
    assert [d.policyName for d in found] == ["https-lb-listeners"]


def test_the_host_runs_stack_rules(analyzer: analyzer_pb2_grpc.AnalyzerStub) -> None:
    bucket_urn = "urn:pulumi:dev::agent-stack::aws:s3/bucket:Bucket::backups"
    request = proto.AnalyzeStackRequest(resources=[proto.AnalyzerResource(
        type="aws:s3/bucket:Bucket", urn=bucket_urn, name="backups",
        properties=struct({"bucketPrefix": "agent-dev-backups-"}))])
    found = analyzer.AnalyzeStack(request).diagnostics
    assert {d.policyName for d in found} == {"https-storage-tls-only", "backups-versioned",
                                              "backups-encrypted", "backups-not-public"}
    assert {d.urn for d in found} == {bucket_urn}


def test_the_pack_loads_from_a_copy_under_another_name(tmp_path: Path) -> None:
    copy = tmp_path / "agent-stack-guardrails-0.1.0"
    shutil.copytree(PACK_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    host, address = start_host(copy)
    try:
        with grpc.insecure_channel(address) as channel:
            info = analyzer_pb2_grpc.AnalyzerStub(channel).GetAnalyzerInfo(empty_pb2.Empty())
        assert len(info.policies) == len(POLICIES)
    finally:
        host.terminate()
        host.wait(timeout=10)
