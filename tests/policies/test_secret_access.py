"""Secret reads are scoped to those secrets; Databricks scopes grant READ only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.secret_access import DATABRICKS_READ_ONLY, SCOPED_READ
from tests.policies.cases import UNKNOWN, Case, one

ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SECRET_POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember"
PROJECT_POLICY = "gcp:projects/iAMPolicy:IAMPolicy"
SECRET_MEMBER = "gcp:secretmanager/secretIamMember:SecretIamMember"
SECRET_ACL = "databricks:index/secretAcl:SecretAcl"
DATABRICKS_APP = "databricks:index/app:App"

ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent-dev/api-keys-AbCdEf"
SECRETS_USER = ("/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/"
                "4633458b-17de-408a-b874-0445c86b69e6")
READER = ("/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/"
          "acdd72a7-3385-48ef-bd42-f606fba81ae7")
VAULT = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/agent-kv"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def allow(action: Any, resource: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


CASES = [
    # secrets-scoped-read: AWS
    one(SCOPED_READ, "read-listed-secrets", ROLE_POLICY,
        doc(allow(["secretsmanager:GetSecretValue"], [ARN]),
            allow("logs:PutLogEvents", "*"))),
    one(SCOPED_READ, "batch-get-needs-star", ROLE_POLICY,
        doc(allow("secretsmanager:BatchGetSecretValue", "*"),
            allow("secretsmanager:GetSecretValue", ARN))),
    one(SCOPED_READ, "deny-on-star", ROLE_POLICY,
        doc({"Effect": "Deny", "Action": "secretsmanager:*", "Resource": "*"})),
    one(SCOPED_READ, "policy-unknown", ROLE_POLICY, {"policy": UNKNOWN}),
    one(SCOPED_READ, "read-on-star", ROLE_POLICY,
        doc(allow("secretsmanager:GetSecretValue", "*")), "allows reading secrets on *"),
    one(SCOPED_READ, "wildcard-action-on-star", POLICY,
        doc({"Sid": "All", **allow("secretsmanager:*", ["*"])}), "statement All"),
    one(SCOPED_READ, "every-secret-arn", ROLE_POLICY,
        doc(allow("secretsmanager:GetSecretValue",
                  "arn:aws:secretsmanager:us-east-1:123456789012:secret:*")),
        "secret:*"),
    one(SCOPED_READ, "ssm-parameters-on-star", ROLE_POLICY,
        doc(allow(["ssm:GetParameters"], "*")), "on *"),
    one(SCOPED_READ, "not-resource", ROLE_POLICY,
        doc({"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
             "NotResource": ARN}), "NotResource"),
    one(SCOPED_READ, "not-action-on-star", ROLE_POLICY,
        doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}), "on *"),
    one(SCOPED_READ, "role-inline-policy", ROLE,
        {"inlinePolicies": [{"name": "read", **doc(allow("*", "*"))}]},
        "inline policy 'read'"),
    one(SCOPED_READ, "role-managed-readwrite", ROLE,
        {"managedPolicyArns": ["arn:aws:iam::aws:policy/SecretsManagerReadWrite"]},
        "SecretsManagerReadWrite"),
    one(SCOPED_READ, "task-execution-policy", ATTACHMENT,
        {"policyArn": "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"}),
    one(SCOPED_READ, "attach-admin", ATTACHMENT,
        {"policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, "AdministratorAccess"),
    one(SCOPED_READ, "secret-policy-account-only", SECRET_POLICY,
        doc({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": "secretsmanager:GetSecretValue", "Resource": "*"})),
    one(SCOPED_READ, "secret-policy-everyone", SECRET_POLICY,
        doc({"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue",
             "Resource": "*"}), "lets everyone read"),
    # Azure
    one(SCOPED_READ, "vault-scoped-secrets-user", ROLE_ASSIGNMENT,
        {"roleDefinitionId": SECRETS_USER, "scope": VAULT, "principalType": "ServicePrincipal"}),
    one(SCOPED_READ, "secret-scoped-secrets-user", ROLE_ASSIGNMENT,
        {"roleDefinitionId": SECRETS_USER, "scope": f"{VAULT}/secrets/anthropic-api-key"}),
    one(SCOPED_READ, "reader-on-group", ROLE_ASSIGNMENT,
        {"roleDefinitionId": READER, "scope": "/subscriptions/s/resourceGroups/rg"}),
    one(SCOPED_READ, "secrets-user-on-group", ROLE_ASSIGNMENT,
        {"roleDefinitionId": SECRETS_USER, "scope": "/subscriptions/s/resourceGroups/rg"},
        "Key Vault Secrets User is assigned at scope"),
    one(SCOPED_READ, "admin-on-subscription", ROLE_ASSIGNMENT,
        {"roleDefinitionId": "00482a5a-887f-4fb3-b363-3b7fe8e74483", "scope": "/subscriptions/s"},
        "Key Vault Administrator"),
    # GCP
    one(SCOPED_READ, "accessor-per-secret", SECRET_MEMBER,
        {"secretId": "anthropic-api-key", "role": "roles/secretmanager.secretAccessor",
         "member": "serviceAccount:agent@p.iam.gserviceaccount.com"}),
    one(SCOPED_READ, "project-log-writer", PROJECT_MEMBER,
        {"project": "p", "role": "roles/logging.logWriter", "member": "serviceAccount:a@p"}),
    one(SCOPED_READ, "project-accessor", PROJECT_MEMBER,
        {"project": "p", "role": "roles/secretmanager.secretAccessor",
         "member": "serviceAccount:agent@p.iam.gserviceaccount.com"}, "whole project"),
    one(SCOPED_READ, "project-policy-admin", PROJECT_POLICY,
        {"project": "p", "policyData": json.dumps({"bindings": [
            {"role": "roles/secretmanager.admin", "members": ["user:x@example.com"]}]})},
        "roles/secretmanager.admin"),
    # secrets-databricks-read-only
    one(DATABRICKS_READ_ONLY, "acl-read", SECRET_ACL,
        {"scope": "agent", "principal": "agent-app-sp", "permission": "READ"}),
    one(DATABRICKS_READ_ONLY, "acl-manage", SECRET_ACL,
        {"scope": "agent", "principal": "agent-app-sp", "permission": "MANAGE"},
        "grants MANAGE"),
    one(DATABRICKS_READ_ONLY, "acl-write", SECRET_ACL,
        {"scope": "agent", "principal": "users", "permission": "WRITE"}, "grants WRITE"),
    one(DATABRICKS_READ_ONLY, "app-secret-read", DATABRICKS_APP,
        {"name": "agent", "resources": [
            {"name": "anthropic", "secret": {"scope": "agent", "key": "anthropic-api-key",
                                             "permission": "READ"}},
            {"name": "warehouse", "sqlWarehouse": {"id": "w", "permission": "CAN_USE"}}]}),
    one(DATABRICKS_READ_ONLY, "app-secret-manage", DATABRICKS_APP,
        {"name": "agent", "resources": [
            {"name": "anthropic", "secret": {"scope": "agent", "key": "anthropic-api-key",
                                             "permission": "MANAGE"}}]},
        "gets MANAGE on secret agent/anthropic-api-key"),
]


@pytest.mark.parametrize("proxied", [False, True], ids=["plan", "preview"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, proxied: bool) -> None:
    case.check(proxied)
