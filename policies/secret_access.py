"""Permission to read secrets is scoped to those secrets; Databricks scopes grant READ only.

AWS: no identity policy allows a secret read (``secretsmanager:GetSecretValue``,
``ssm:GetParameter*``, or a wildcard covering them) on ``*``, on every secret
(``arn:aws:secretsmanager:...:secret:*``) or through NotResource; no managed policy that
reads every secret is attached; no secret resource policy lets everyone read. Azure: Key
Vault secret-reading roles are assigned at a vault (or secret) scope, not a subscription or
resource group. GCP: Secret Manager accessor/admin roles are granted per secret
(``secretmanager.SecretIamMember``), not on the project, folder or organization.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, Severity

from .aws_iam import allows_everyone, broad_resources, grants_secret_read
from .aws_iam import statements as policy_statements
from .resource_view import UNKNOWN, by_type, items_of, load_json

AWS_POLICY_DOCUMENTS: Final = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
                               "aws:iam/groupPolicy:GroupPolicy", "aws:iam/policy:Policy")
AWS_ATTACHMENTS: Final = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",
                          "aws:iam/userPolicyAttachment:UserPolicyAttachment",
                          "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
                          "aws:iam/policyAttachment:PolicyAttachment")
#: AWS managed policies that read every secret in the account.
AWS_BROAD_MANAGED: Final = frozenset({
    "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
})
#: Built-in Azure roles that read Key Vault secret values (data plane).
AZURE_SECRET_READ_ROLES: Final = {
    "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
    "00482a5a-887f-4fb3-b363-3b7fe8e74483": "Key Vault Administrator",
}
GCP_SECRET_READ_ROLES: Final = frozenset({"roles/secretmanager.secretAccessor",
                                          "roles/secretmanager.admin"})
GCP_WIDE_IAM: Final = (
    "gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding",
    "gcp:projects/iAMPolicy:IAMPolicy", "gcp:organizations/iAMMember:IAMMember",
    "gcp:organizations/iAMBinding:IAMBinding", "gcp:folder/iAMMember:IAMMember",
    "gcp:folder/iAMBinding:IAMBinding",
)


def document_problems(document: Any, where: str) -> Iterator[str]:
    found = policy_statements(document)
    for index, statement in enumerate(found or []):
        if not grants_secret_read(statement):
            continue
        broad = broad_resources(statement)
        if broad:
            sid = statement.get("Sid") or f"#{index}"
            yield (f"{where} statement {sid} allows reading secrets on {', '.join(broad)}; "
                   "list the secret ARNs instead")


def aws_document_problems(props: dict[str, Any]) -> Iterator[str]:
    yield from document_problems(props.get("policy"), "policy")


def aws_role_problems(props: dict[str, Any]) -> Iterator[str]:
    for inline in items_of(props.get("inlinePolicies")):
        if isinstance(inline, dict):
            yield from document_problems(inline.get("policy"),
                                         f"inline policy {inline.get('name')!r}")
    for arn in items_of(props.get("managedPolicyArns")):
        if arn in AWS_BROAD_MANAGED:
            yield f"managed policy {arn} reads every secret in the account"


def aws_attachment_problems(props: dict[str, Any]) -> Iterator[str]:
    arn = props.get("policyArn")
    if arn in AWS_BROAD_MANAGED:
        yield f"managed policy {arn} reads every secret in the account"


def aws_secret_policy_problems(props: dict[str, Any]) -> Iterator[str]:
    for statement in policy_statements(props.get("policy")) or []:
        if allows_everyone(statement) and grants_secret_read(statement):
            yield "secret resource policy lets everyone read the secret"


def azure_role_assignment_problems(props: dict[str, Any]) -> Iterator[str]:
    role = props.get("roleDefinitionId")
    scope = props.get("scope")
    if not isinstance(role, str) or scope is UNKNOWN:
        return
    name = AZURE_SECRET_READ_ROLES.get(role.rstrip("/").rsplit("/", 1)[-1].lower())
    if name is None:
        return
    if not isinstance(scope, str) or "/providers/microsoft.keyvault/vaults/" not in scope.lower():
        yield (f"{name} is assigned at scope {scope!r}, which covers every vault under it; "
               "assign it on the app's Key Vault (or a single secret)")


def gcp_wide_iam_problems(props: dict[str, Any]) -> Iterator[str]:
    roles: list[Any] = [props.get("role")]
    policy = load_json(props.get("policyData"))
    if isinstance(policy, dict):
        roles += [b.get("role") for b in items_of(policy.get("bindings")) if isinstance(b, dict)]
    for role in roles:
        if role in GCP_SECRET_READ_ROLES:
            yield (f"{role} is granted on a whole project/folder/organization, so it reads "
                   "every secret there; grant it per secret with secretmanager.SecretIamMember")


def databricks_acl_problems(props: dict[str, Any]) -> Iterator[str]:
    permission = props.get("permission")
    if permission is UNKNOWN:
        return
    if str(permission).upper() != "READ":
        yield (f"secret ACL on scope {props.get('scope')!r} grants {permission} to "
               f"{props.get('principal')!r}; the app's principal needs READ only")


def databricks_app_problems(props: dict[str, Any]) -> Iterator[str]:
    for resource in items_of(props.get("resources")):
        secret = resource.get("secret") if isinstance(resource, dict) else None
        if not isinstance(secret, dict):
            continue
        permission = secret.get("permission")
        if permission is not UNKNOWN and str(permission).upper() != "READ":
            yield (f"app resource {resource.get('name')!r} gets {permission} on secret "
                   f"{secret.get('scope')}/{secret.get('key')}; READ is enough")


SCOPED_READ = ResourceValidationPolicy(
    name="secrets-scoped-read",
    description="Permission to read secrets is scoped to those secrets: no '*' resource on "
                "secret reads, no account/project/subscription-wide secret reader roles.",
    validate=by_type({
        **dict.fromkeys(AWS_POLICY_DOCUMENTS, aws_document_problems),
        "aws:iam/role:Role": aws_role_problems,
        **dict.fromkeys(AWS_ATTACHMENTS, aws_attachment_problems),
        "aws:secretsmanager/secretPolicy:SecretPolicy": aws_secret_policy_problems,
        "azure-native:authorization:RoleAssignment": azure_role_assignment_problems,
        **dict.fromkeys(GCP_WIDE_IAM, gcp_wide_iam_problems),
    }),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=["secrets", "iam"],
    remediation_steps=(
        "AWS: Resource = the exact secret ARNs the workload reads (e.g. "
        "Output.all(*arns).apply(...)). Azure: scope the 'Key Vault Secrets User' assignment to "
        "the vault id. GCP: secretmanager.SecretIamMember(secret_id=..., "
        "role='roles/secretmanager.secretAccessor') for each secret."),
)

DATABRICKS_READ_ONLY = ResourceValidationPolicy(
    name="secrets-databricks-read-only",
    description="Databricks secret scopes grant READ, not WRITE or MANAGE, to the app's "
                "principal (secret ACLs and Databricks App secret resources).",
    validate=by_type({
        "databricks:index/secretAcl:SecretAcl": databricks_acl_problems,
        "databricks:index/app:App": databricks_app_problems,
    }),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=["secrets", "databricks"],
    remediation_steps="Set permission='READ' on the databricks.SecretAcl (and on the App's "
                      "resources[].secret); keep MANAGE with the deploying identity only.",
)

POLICIES = [SCOPED_READ, DATABRICKS_READ_ONLY]
