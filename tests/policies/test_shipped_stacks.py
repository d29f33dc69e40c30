"""The shipped stacks pass every mandatory rule, and breaking one of them is caught.

Plans are built in-process with the real program under Pulumi's mocks
(`infra.offline.plan.build_plan`), for every built cloud and every environment that has a
Pulumi.<env>.yaml, with and without the secret settings configured.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from infra.offline.plan import ROOT, build_plan
from infra.settings import BUILT_CLOUDS
from policies.evaluate import Violation, evaluate_plan, main

ENVIRONMENTS = sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))
STACKS = [(cloud, env) for cloud in BUILT_CLOUDS for env in ENVIRONMENTS]
SECRET_SETTINGS = {"anthropicApiKey": "sk-ant-api03-" + "TestOnlyKey0123" * 3,
                   "apiKeys": "client-key-one-0123456789,client-key-two-0123456789"}
FAKE_KEY = "sk-ant-api03-" + "MutationKey4567" * 3

_PLANS: dict[tuple[str, str, bool], dict[str, Any]] = {}


def shipped(cloud: str, env: str, secrets: bool = True) -> dict[str, Any]:
    """A deep copy of the plan (built once per session), free to mutate."""
    key = (cloud, env, secrets)
    if key not in _PLANS:
        _PLANS[key] = build_plan(cloud, env, SECRET_SETTINGS if secrets else {})
    return copy.deepcopy(_PLANS[key])


def mandatory(violations: list[Violation]) -> list[Violation]:
    return [v for v in violations if v.mandatory]


def test_every_environment_is_covered() -> None:
    assert {"dev", "prod"} <= set(ENVIRONMENTS)


@pytest.mark.parametrize("secrets", [True, False], ids=["secrets-set", "secrets-unset"])
@pytest.mark.parametrize(("cloud", "env"), STACKS, ids=[f"{c}-{e}" for c, e in STACKS])
def test_shipped_stack_has_no_mandatory_violation(cloud: str, env: str, secrets: bool) -> None:
    plan = shipped(cloud, env, secrets)
    found = mandatory(evaluate_plan(plan))
    assert found == [], "\n".join(f"{v.policy} {v.urn}: {v.message}" for v in found)
    assert plan["policy"]["violations"] == [v.to_json() for v in evaluate_plan(plan)]


PEM_KEY = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIMockMockMock\n-----END EC PRIVATE KEY-----\n"


def in_the_clear(value: Any, key: str = "") -> Any:
    """`value` with every "[secret]" replaced by what the policy SDK would hand over."""
    if value == "[secret]":
        if key == "registries":
            return [{"address": "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                     "username": "AWS", "password": "eyJwYXlsb2FkIjoiTW9jayJ9"}]
        return PEM_KEY if "privatekey" in key.lower() else SECRET_SETTINGS["anthropicApiKey"]
    if isinstance(value, dict):
        return {k: in_the_clear(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [in_the_clear(v, key) for v in value]
    return value


@pytest.mark.parametrize(("cloud", "env"), STACKS, ids=[f"{c}-{e}" for c, e in STACKS])
def test_shipped_stack_passes_with_secrets_in_the_clear(cloud: str, env: str) -> None:
    """Under `pulumi preview` the SDK gives rules secret values as plain values: the places
    the stack legitimately puts secrets (secret store values, the imported certificate's key,
    the registry login, the Redis AUTH token) must not read as leaked literals."""
    plan = shipped(cloud, env)
    marked = json.dumps(plan["resources"]).count('"[secret]"')
    assert marked >= 3, "the shipped plan should carry secret-marked inputs"
    plan["resources"] = [{**r, "inputs": in_the_clear(r["inputs"])} for r in plan["resources"]]
    assert '"[secret]"' not in json.dumps(plan["resources"])
    found = mandatory(evaluate_plan(plan))
    assert found == [], "\n".join(f"{v.policy} {v.urn}: {v.message}" for v in found)


# --- mutations -----------------------------------------------------------------------------

Plan = dict[str, Any]


def resources(plan: Plan, type_: str, **inputs: Any) -> list[dict[str, Any]]:
    return [r for r in plan["resources"] if r["type"] == type_
            and all(r["inputs"].get(k) == v for k, v in inputs.items())]


def the(plan: Plan, type_: str, **inputs: Any) -> dict[str, Any]:
    found = resources(plan, type_, **inputs)
    assert len(found) == 1, f"expected one {type_} with {inputs}, got {[r['name'] for r in found]}"
    return found[0]


def drop(plan: Plan, resource: dict[str, Any]) -> None:
    plan["resources"].remove(resource)


def app_task(plan: Plan) -> dict[str, Any]:
    tasks = resources(plan, "aws:ecs/taskDefinition:TaskDefinition")
    serving = [t for t in tasks if "portMappings" in t["inputs"]["containerDefinitions"]]
    assert len(serving) == 1
    return serving[0]


def add_env(task: dict[str, Any], name: str, value: str) -> None:
    containers = json.loads(task["inputs"]["containerDefinitions"])
    containers[0]["environment"].append({"name": name, "value": value})
    task["inputs"]["containerDefinitions"] = json.dumps(containers)


def bucket(plan: Plan) -> dict[str, Any]:
    return the(plan, "aws:s3/bucket:Bucket")


def https_to_http(plan: Plan) -> str:
    listener = the(plan, "aws:lb/listener:Listener", protocol="HTTPS")
    listener["inputs"]["protocol"] = "HTTP"
    return listener["urn"]


def weak_tls_policy(plan: Plan) -> str:
    listener = the(plan, "aws:lb/listener:Listener", protocol="HTTPS")
    listener["inputs"]["sslPolicy"] = "ELBSecurityPolicy-2016-08"
    return listener["urn"]


def port_80_forwards(plan: Plan) -> str:
    listener = the(plan, "aws:lb/listener:Listener", protocol="HTTP")
    https = the(plan, "aws:lb/listener:Listener", protocol="HTTPS")
    listener["inputs"]["defaultActions"] = https["inputs"]["defaultActions"]
    return listener["urn"]


def keeps_invalid_headers(plan: Plan) -> str:
    alb = the(plan, "aws:lb/loadBalancer:LoadBalancer")
    alb["inputs"]["dropInvalidHeaderFields"] = False
    return alb["urn"]


def redis_plaintext(plan: Plan) -> str:
    group = the(plan, "aws:elasticache/replicationGroup:ReplicationGroup")
    group["inputs"]["transitEncryptionEnabled"] = False
    return group["urn"]


def key_literal_in_env(plan: Plan) -> str:
    task = app_task(plan)
    add_env(task, "ANTHROPIC_API_KEY", FAKE_KEY)
    return task["urn"]


def secret_value_in_env(plan: Plan) -> str:
    task = app_task(plan)
    add_env(task, "AGENT_REDIS_PASSWORD", "[secret]")
    return task["urn"]


def secret_in_task_json(plan: Plan) -> str:
    task = app_task(plan)
    task["inputs"]["containerDefinitions"] = "[secret]"
    return task["urn"]


def access_key_in_user_data(plan: Plan) -> str:
    host = the(plan, "aws:ec2/instance:Instance")
    host["inputs"]["userData"] += "\nexport AWS_ACCESS_KEY_ID=AKIAQ3EXAMPLE7Z4KEYX\n"
    return host["urn"]


def secret_read_on_everything(plan: Plan) -> str:
    for policy in resources(plan, "aws:iam/rolePolicy:RolePolicy"):
        document = json.loads(policy["inputs"]["policy"])
        for statement in document["Statement"]:
            if "secretsmanager:GetSecretValue" in statement["Action"]:
                statement["Resource"] = "*"
                policy["inputs"]["policy"] = json.dumps(document)
                return str(policy["urn"])
    raise AssertionError("no role policy reads secrets")


def secret_force_delete(plan: Plan) -> str:
    secret = resources(plan, "aws:secretsmanager/secret:Secret")[0]
    secret["inputs"]["recoveryWindowInDays"] = 0
    return str(secret["urn"])


def no_public_access_block(plan: Plan) -> str:
    drop(plan, the(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"))
    return str(bucket(plan)["urn"])


def public_bucket_policy(plan: Plan) -> str:
    policy = the(plan, "aws:s3/bucketPolicy:BucketPolicy")
    document = json.loads(policy["inputs"]["policy"])
    document["Statement"].append({"Effect": "Allow", "Principal": "*",
                                  "Action": "s3:GetObject", "Resource": "*"})
    policy["inputs"]["policy"] = json.dumps(document)
    return str(bucket(plan)["urn"])


def public_acl(plan: Plan) -> str:
    bucket(plan)["inputs"]["acl"] = "public-read"
    return str(bucket(plan)["urn"])


def versioning_suspended(plan: Plan) -> str:
    versioning = the(plan, "aws:s3/bucketVersioning:BucketVersioning")
    versioning["inputs"]["versioningConfiguration"]["status"] = "Suspended"
    return str(bucket(plan)["urn"])


def no_encryption(plan: Plan) -> str:
    drop(plan, the(plan, "aws:s3/bucketServerSideEncryptionConfiguration:"
                         "BucketServerSideEncryptionConfiguration"))
    return str(bucket(plan)["urn"])


def no_tls_only_policy(plan: Plan) -> str:
    drop(plan, the(plan, "aws:s3/bucketPolicy:BucketPolicy"))
    return str(bucket(plan)["urn"])


MUTATIONS: list[tuple[Callable[[Plan], str], str]] = [
    (https_to_http, "https-lb-listeners"),
    (weak_tls_policy, "https-lb-listeners"),
    (port_80_forwards, "https-lb-listeners"),
    (keeps_invalid_headers, "https-alb-drop-invalid-headers"),
    (redis_plaintext, "https-redis-in-transit"),
    (key_literal_in_env, "secrets-by-reference"),
    (key_literal_in_env, "secrets-no-literals"),
    (secret_value_in_env, "secrets-by-reference"),
    (secret_in_task_json, "secrets-by-reference"),
    (access_key_in_user_data, "secrets-no-literals"),
    (secret_read_on_everything, "secrets-scoped-read"),
    (secret_force_delete, "secrets-store-recovery"),
    (no_public_access_block, "backups-not-public"),
    (public_bucket_policy, "backups-not-public"),
    (public_acl, "backups-not-public"),
    (versioning_suspended, "backups-versioned"),
    (no_encryption, "backups-encrypted"),
    (no_tls_only_policy, "https-storage-tls-only"),
]
AWS_STACKS = [env for cloud, env in STACKS if cloud == "aws"]


@pytest.mark.parametrize("env", AWS_STACKS)
@pytest.mark.parametrize(("mutate", "policy"), MUTATIONS,
                         ids=[f"{m.__name__}->{p}" for m, p in MUTATIONS])
def test_breaking_a_shipped_plan_is_caught(mutate: Callable[[Plan], str], policy: str,
                                           env: str) -> None:
    plan = shipped("aws", env)
    urn = mutate(plan)
    found = mandatory(evaluate_plan(plan))
    assert [(v.policy, v.urn) for v in found if v.policy == policy] == [(policy, urn)], found


def test_the_policy_command_fails_a_broken_plan_and_passes_the_shipped_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(shipped("aws", "prod")))
    broken = shipped("aws", "prod")
    urn = weak_tls_policy(broken)
    bad.write_text(json.dumps(broken))

    assert main([str(good)]) == 0
    assert main([str(bad)]) == 1
    out = capsys.readouterr().out
    assert urn in out and "ELBSecurityPolicy-TLS13-1-2-2021-06" in out  # URN and remediation

    config = tmp_path / "config.json"
    config.write_text(json.dumps({"https-lb-listeners": "advisory"}))
    assert main([str(bad), "--config", str(config)]) == 0
