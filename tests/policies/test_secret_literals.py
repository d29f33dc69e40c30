"""No secret literal in any input; workloads read secrets by reference."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from policies.secret_literals import (
    BY_REFERENCE,
    CREDENTIAL_PATTERNS,
    NO_LITERALS,
    credential_findings,
    is_secret_name,
)
from tests.policies.cases import UNKNOWN, Case, one, run

# Fake credentials shaped like real ones (none is valid anywhere).
ANTHROPIC = "sk-ant-api03-" + "A1b2C3d4E5f6G7h8" * 4
AWS_KEY_ID = "AKIA" + "Q3EXAMPLE7Z4KEYX"
GITHUB = "ghp_" + "0123456789abcdefABCDEF0123456789abcd"
PEM = ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
       "-----END OPENSSH PRIVATE KEY-----")

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
LAMBDA = "aws:lambda/function:Function"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
CERTIFICATE = "aws:acm/certificate:Certificate"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
CONTAINER_APP = "azure-native:app:ContainerApp"
CONTAINER_APP_JOB = "azure-native:app:Job"
WEB_APP = "azure-native:web:WebApp"
WEB_APP_SETTINGS = "azure-native:web:WebAppApplicationSettings"
VM = "azure-native:compute:VirtualMachine"
CLOUD_RUN = "gcp:cloudrunv2/service:Service"
CLOUD_RUN_JOB = "gcp:cloudrunv2/job:Job"
GCE = "gcp:compute/instance:Instance"
DATABRICKS_JOB = "databricks:index/job:Job"
DATABRICKS_CLUSTER = "databricks:index/cluster:Cluster"
IMAGE = "docker-build:index:Image"

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent/anthropic-AbCdEf"


def task(environment: list[dict[str, Any]], secrets: list[dict[str, Any]] | None = None) -> dict[
        str, Any]:
    container = {"name": "agent", "image": "repo/agent@sha256:abc", "essential": True,
                 "environment": environment,
                 "secrets": secrets if secrets is not None else [
                     {"name": "ANTHROPIC_API_KEY", "valueFrom": ARN}]}
    return {"family": "agent-dev-app", "containerDefinitions": json.dumps([container])}


def container_app(env: list[dict[str, Any]], secrets: list[dict[str, Any]] | None = None
                  ) -> dict[str, Any]:
    return {"configuration": {
        "ingress": {"external": True, "targetPort": 8000},
        "secrets": secrets if secrets is not None else [{
            "name": "anthropic-api-key",
            "keyVaultUrl": "https://agent-kv.vault.azure.net/secrets/anthropic-api-key",
            "identity": "/subscriptions/s/resourceGroups/rg/providers/"
                        "Microsoft.ManagedIdentity/userAssignedIdentities/agent"}]},
        "template": {"containers": [{"name": "agent", "image": "acr/agent:1", "env": env}]}}


def cloud_run(envs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"template": {"containers": [{"image": "gcr/agent:1", "envs": envs}]}}


KEY_REF = {"name": "ANTHROPIC_API_KEY", "valueSource": {"secretKeyRef": {
    "secret": "projects/p/secrets/anthropic-api-key", "version": "latest"}}}

CASES = [
    # secrets-no-literals: patterns anywhere in any input
    one(NO_LITERALS, "clean-instance", INSTANCE,
        {"userData": "#!/bin/bash\naws secretsmanager get-secret-value --secret-id " + ARN}),
    one(NO_LITERALS, "secret-marked-store-value", SECRET_VERSION,
        {"secretId": ARN, "secretString": "[secret]"}),
    one(NO_LITERALS, "store-value-in-the-clear", SECRET_VERSION,
        {"secretId": ARN, "secretString": ANTHROPIC}),
    one(NO_LITERALS, "certificate-private-key", CERTIFICATE,
        {"certificateBody": "-----BEGIN CERTIFICATE-----", "privateKey": PEM}),
    one(NO_LITERALS, "secure-ssm-parameter", SSM_PARAMETER,
        {"name": "/agent/key", "type": "SecureString", "value": ANTHROPIC}),
    one(NO_LITERALS, "registry-password", IMAGE,
        {"registries": [{"address": "ecr", "username": "AWS", "password": GITHUB}]}),
    one(NO_LITERALS, "key-in-user-data", INSTANCE,
        {"userData": f"#!/bin/bash\nexport ANTHROPIC_API_KEY={ANTHROPIC}\n"},
        "userData contains a literal Anthropic API key"),
    one(NO_LITERALS, "key-in-base64-user-data", LAUNCH_TEMPLATE,
        {"userData": base64.b64encode(f"#!/bin/sh\nAWS_ACCESS_KEY_ID={AWS_KEY_ID}\n".encode())
         .decode()},
        "AWS access key id (base64-encoded)"),
    one(NO_LITERALS, "pem-in-gce-metadata", GCE,
        {"metadata": {"ssh-key": PEM}}, "metadata.ssh-key contains a literal PEM private key"),
    one(NO_LITERALS, "token-in-tags", "aws:s3/bucket:Bucket",
        {"tags": {"note": f"deploy with {GITHUB}"}}, "tags.note contains a literal GitHub token"),
    one(NO_LITERALS, "plain-ssm-parameter", SSM_PARAMETER,
        {"name": "/agent/key", "type": "String", "value": ANTHROPIC}, "Anthropic API key"),
    one(NO_LITERALS, "key-in-task-json", TASK,
        task([{"name": "NOTES", "value": f"key {AWS_KEY_ID}"}]), "AWS access key id"),
    one(NO_LITERALS, "password-in-url", LAMBDA,
        {"environment": {"variables": {"REDIS_URL": "rediss://:hunter2hunter2@cache:6379/0"}}},
        "password in a URL"),
    one(NO_LITERALS, "databricks-token-in-cluster", DATABRICKS_CLUSTER,
        {"sparkConf": {"spark.databricks.token": "dapi" + "0123456789abcdef" * 2}},
        "Databricks token"),
    one(NO_LITERALS, "secret-in-user-data", INSTANCE, {"userData": "[secret]"},
        "userData embeds a secret value"),
    one(NO_LITERALS, "secret-in-vm-custom-data", VM, {"osProfile": {"customData": "[secret]"}},
        "osProfile.customData embeds a secret"),
    one(NO_LITERALS, "secret-in-startup-script", GCE,
        {"metadata": {"startup-script": "[secret]"}}, "metadata.startup-script embeds"),
    # secrets-by-reference
    one(BY_REFERENCE, "ecs-by-reference", TASK,
        task([{"name": "AGENT_REDIS_URL", "value": "rediss://cache:6379/0"},
              {"name": "AGENT_LLM_MAX_TOKENS", "value": "1024"},
              {"name": "AGENT_REQUIRE_API_KEY", "value": "true"},
              {"name": "ANTHROPIC_BASE_URL", "value": ""}])),
    one(BY_REFERENCE, "ecs-json-unknown", TASK, {"containerDefinitions": UNKNOWN}),
    one(BY_REFERENCE, "ecs-literal-key", TASK,
        task([{"name": "AGENT_QDRANT_API_KEY", "value": "q-0123456789abcdef"}]),
        "secret-named AGENT_QDRANT_API_KEY to a literal"),
    one(BY_REFERENCE, "ecs-secret-in-env", TASK,
        task([{"name": "AGENT_REDIS_URL", "value": "[secret]"}]),
        "AGENT_REDIS_URL to a secret value in plain environment"),
    one(BY_REFERENCE, "ecs-secret-marked-json", TASK, {"containerDefinitions": "[secret]"},
        "containerDefinitions embeds a secret value"),
    one(BY_REFERENCE, "ecs-two-literals", TASK,
        task([{"name": "AGENT_REDIS_PASSWORD", "value": "hunter2"},
              {"name": "AGENT_CHROMA_TOKEN", "value": "abc"}]),
        "AGENT_REDIS_PASSWORD", "AGENT_CHROMA_TOKEN"),
    one(BY_REFERENCE, "container-app-key-vault", CONTAINER_APP,
        container_app([{"name": "ANTHROPIC_API_KEY", "secretRef": "anthropic-api-key"},
                       {"name": "AGENT_LOG_LEVEL", "value": "INFO"}])),
    one(BY_REFERENCE, "container-app-literal-env", CONTAINER_APP,
        container_app([{"name": "ANTHROPIC_API_KEY", "value": "not-a-reference"}]),
        "secret-named ANTHROPIC_API_KEY"),
    one(BY_REFERENCE, "container-app-secret-value", CONTAINER_APP,
        container_app([], [{"name": "anthropic-api-key", "value": "[secret]"}]),
        "carries its value"),
    one(BY_REFERENCE, "container-app-vault-no-identity", CONTAINER_APP,
        container_app([], [{"name": "k", "keyVaultUrl": "https://kv.vault.azure.net/secrets/k"}]),
        "without an identity"),
    one(BY_REFERENCE, "container-app-job-literal", CONTAINER_APP_JOB,
        container_app([{"name": "AGENT_API_KEYS", "value": "one,two"}]), "AGENT_API_KEYS"),
    one(BY_REFERENCE, "web-app-key-vault-reference", WEB_APP,
        {"siteConfig": {"appSettings": [{
            "name": "ANTHROPIC_API_KEY",
            "value": "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/k/)"}]}}),
    one(BY_REFERENCE, "web-app-literal", WEB_APP,
        {"siteConfig": {"appSettings": [{"name": "DB_PASSWORD", "value": "p4ss"}]}},
        "app settings sets secret-named DB_PASSWORD"),
    one(BY_REFERENCE, "web-app-settings-literal", WEB_APP_SETTINGS,
        {"properties": {"STRIPE_SECRET": "whsec_123", "WEBSITES_PORT": "8000"}},
        "STRIPE_SECRET"),
    one(BY_REFERENCE, "cloud-run-secret-key-ref", CLOUD_RUN,
        cloud_run([KEY_REF, {"name": "AGENT_LOG_LEVEL", "value": "INFO"}])),
    one(BY_REFERENCE, "cloud-run-literal", CLOUD_RUN,
        cloud_run([{"name": "ANTHROPIC_API_KEY", "value": "x" * 30}]), "ANTHROPIC_API_KEY"),
    one(BY_REFERENCE, "cloud-run-job-secret-env", CLOUD_RUN_JOB,
        {"template": {"template": {"containers": [{"envs": [
            {"name": "BACKUP_TARGET", "value": "[secret]"}]}]}}},
        "BACKUP_TARGET to a secret value"),
    one(BY_REFERENCE, "lambda-literal", LAMBDA,
        {"environment": {"variables": {"SLACK_TOKEN": "abc", "STAGE": "dev"}}}, "SLACK_TOKEN"),
    one(BY_REFERENCE, "databricks-secret-reference", DATABRICKS_JOB,
        {"tasks": [{"taskKey": "backup", "newCluster": {"sparkEnvVars": {
            "ANTHROPIC_API_KEY": "{{secrets/agent/anthropic-api-key}}", "STAGE": "dev"}}}]}),
    one(BY_REFERENCE, "databricks-literal", DATABRICKS_JOB,
        {"jobClusters": [{"newCluster": {"sparkEnvVars": {"AGENT_API_KEYS": "k1,k2"}}}]},
        "{{secrets/<scope>/<key>}}"),
    one(BY_REFERENCE, "databricks-arn-is-not-a-reference", DATABRICKS_CLUSTER,
        {"sparkEnvVars": {"ANTHROPIC_API_KEY": ARN}}, "ANTHROPIC_API_KEY"),
]


@pytest.mark.parametrize("proxied", [False, True], ids=["plan", "preview"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, proxied: bool) -> None:
    case.check(proxied)


@pytest.mark.parametrize("name", ["ANTHROPIC_API_KEY", "AGENT_API_KEYS", "AGENT_CHROMA_TOKEN",
                                  "AGENT_REDIS_PASSWORD", "CLIENT_SECRET", "OPENAI_APIKEY",
                                  "aws_secret_access_key", "DB_CONNECTION_STRING", "KEY"])
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["AGENT_LLM_MAX_TOKENS", "AGENT_REDIS_URL", "AGENT_COLLECTION",
                                  "MONKEY", "AWS_ACCESS_KEY_ID", "KEYCLOAK_URL", "TOKENIZER"])
def test_setting_names_that_are_not_secret(name: str) -> None:
    assert not is_secret_name(name)


def test_a_secret_is_caught_in_both_shapes_the_pack_sees() -> None:
    """Offline plans print secrets as "[secret]"; the policy SDK hands them over in the clear."""
    plan_shape = task([{"name": "ANTHROPIC_API_KEY", "value": "[secret]"}])
    engine_shape = task([{"name": "ANTHROPIC_API_KEY", "value": ANTHROPIC}])
    assert len(run(BY_REFERENCE, [(TASK, "app", plan_shape)])) == 1
    assert len(run(BY_REFERENCE, [(TASK, "app", engine_shape)])) == 1
    assert len(run(NO_LITERALS, [(TASK, "app", engine_shape)])) == 1
    assert run(NO_LITERALS, [(TASK, "app", plan_shape)]) == []


def test_messages_never_repeat_the_secret() -> None:
    found = run(NO_LITERALS, [(INSTANCE, "host", {"userData": f"KEY={ANTHROPIC}"})])
    assert found and all(ANTHROPIC not in message for _, message in found)


#: One realistic-looking (fake) sample per credential pattern the pack knows.
SAMPLES = {
    "Anthropic API key": ANTHROPIC,
    "OpenAI API key": "sk-proj-" + "Ab3Cd4Ef5Gh6" * 4,
    "AWS access key id": "ASIA" + "Q3EXAMPLE7Z4KEYX",
    "GitHub token": "github_pat_" + "11ABCDEFG0" * 3,
    "PEM private key": "-----BEGIN RSA PRIVATE KEY-----\nMIIEow...",
    "Slack token": "xoxb-" + "1234567890-abcdefghij",
    "Google API key": "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
    "Stripe secret key": "sk_live_" + "0123456789abcdefABCDEF",
    "Databricks token": "dapi" + "0123456789abcdef" * 2,
    "Azure storage account key": "DefaultEndpointsProtocol=https;AccountName=a;AccountKey="
                                 + "Zm9vYmFy" * 8 + "==",
    "password in a URL": "postgres://agent:s3cr3t-pass@db.internal:5432/agent",
}


def test_every_credential_pattern_has_a_sample() -> None:
    assert set(SAMPLES) == {p.name for p in CREDENTIAL_PATTERNS}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_credential_pattern_finds_its_sample(name: str) -> None:
    assert credential_findings(f"config: {SAMPLES[name]}\n") == [name]


@pytest.mark.parametrize("text", [
    "rediss://master.agent-dev-redis.cache.amazonaws.com:6379/0",
    "postgres://agent:${DB_PASSWORD}@db:5432/agent",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/agent@sha256:" + "ab" * 32,
    "-----BEGIN CERTIFICATE-----\nMIIB...",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent/key-AbCdEf",
    "sk-short",
    "AKIA-not-a-key",
])
def test_harmless_text_is_not_a_credential(text: str) -> None:
    assert credential_findings(text) == []
