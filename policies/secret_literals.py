"""No secret literal in any resource input; workloads read secrets by reference.

Two rules:

* ``secrets-no-literals`` scans every string of every input, JSON strings and base64 user
  data included, for known credential patterns (Anthropic/OpenAI keys, AWS access key ids,
  GitHub tokens, PEM private keys, ...), and flags secret-marked values in fields stored in
  plain text (user data, startup scripts). The inputs where a secret *belongs* (a secret
  store's value, a certificate's private key, a registry password) are exempt.
* ``secrets-by-reference`` checks workload settings (ECS container environment, Container
  App / Container Apps job env and secrets, Cloud Run env, App Service app settings, Lambda
  environment, Databricks Spark env): a secret-named setting (``*_KEY``, ``*_TOKEN``,
  ``*_SECRET``, ``*_PASSWORD``, ...) must be a reference, never a literal, and no
  secret-marked value may sit in plain environment.

The policy SDK hands secret values to policies in the clear, while the offline plan prints
them as "[secret]"; both shapes are caught.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from .resource_view import (
    SECRET_MARK,
    UNKNOWN,
    PropPath,
    by_type,
    dig,
    find_key,
    items_of,
    load_json,
    plain,
    show_path,
    walk_strings,
)


@dataclass(frozen=True)
class CredentialPattern:
    name: str
    regex: re.Pattern[str]


CREDENTIAL_PATTERNS: Final = (
    CredentialPattern("Anthropic API key", re.compile(r"sk-ant-[A-Za-z0-9_-]{20,}")),
    CredentialPattern("OpenAI API key",
                      re.compile(r"\bsk-(?!ant-)(?:proj-|svcacct-)?[A-Za-z0-9_-]{40,}")),
    CredentialPattern("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    CredentialPattern("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|"
                                                 r"github_pat_[A-Za-z0-9_]{22,})")),
    CredentialPattern("PEM private key",
                      re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
    CredentialPattern("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    CredentialPattern("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    CredentialPattern("Stripe secret key", re.compile(r"\b[rs]k_live_[0-9A-Za-z]{20,}")),
    CredentialPattern("Databricks token", re.compile(r"\bdapi[0-9a-f]{32}\b")),
    CredentialPattern("Azure storage account key",
                      re.compile(r"AccountKey=[A-Za-z0-9+/]{40,}={0,2}")),
    CredentialPattern("password in a URL",
                      re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@]*:(?![$<{%*])[^\s/@]+@")),
)

#: Inputs that exist to carry a secret (a store's value, a key, a registry login). A secret
#: there is the point; the pipeline marks it secret so state and plans stay redacted.
SECRET_SINKS: Final[dict[str, tuple[PropPath, ...]]] = {
    "aws:secretsmanager/secretVersion:SecretVersion": (("secretString",), ("secretBinary",),
                                                       ("secretStringWo",)),
    "aws:acm/certificate:Certificate": (("privateKey",),),
    "aws:iam/serverCertificate:ServerCertificate": (("privateKey",),),
    "aws:elasticache/replicationGroup:ReplicationGroup": (("authToken",),),
    "aws:elasticache/user:User": (("passwords",),),
    "aws:rds/instance:Instance": (("password",),),
    "aws:rds/cluster:Cluster": (("masterPassword",),),
    "azure-native:keyvault:Secret": (("properties", "value"),),
    "azure-native:network:ApplicationGateway": (("sslCertificates", "*", "data"),
                                                ("sslCertificates", "*", "password")),
    "gcp:secretmanager/secretVersion:SecretVersion": (("secretData",),),
    "gcp:compute/sSLCertificate:SSLCertificate": (("privateKey",),),
    "gcp:compute/regionSslCertificate:RegionSslCertificate": (("privateKey",),),
    "databricks:index/secret:Secret": (("stringValue",),),
    "tls:index/selfSignedCert:SelfSignedCert": (("privateKeyPem",),),
    "tls:index/certRequest:CertRequest": (("privateKeyPem",),),
    "tls:index/locallySignedCert:LocallySignedCert": (("caPrivateKeyPem",),),
    "docker-build:index:Image": (("registries", "*", "password"), ("secrets",)),
    "docker:index/image:Image": (("registry", "password"),),
    "pulumi:providers:docker-build": (("registries", "*", "password"),),
}
#: SSM parameters are a sink only when they are SecureString.
SSM_PARAMETER: Final = "aws:ssm/parameter:Parameter"

#: Inputs stored and shown in plain text (console, describe APIs, instance metadata).
PLAIN_TEXT_FIELDS: Final[dict[str, tuple[PropPath, ...]]] = {
    "aws:ec2/instance:Instance": (("userData",), ("userDataBase64",)),
    "aws:ec2/launchTemplate:LaunchTemplate": (("userData",),),
    "gcp:compute/instance:Instance": (("metadataStartupScript",),
                                      ("metadata", "startup-script")),
    "gcp:compute/instanceTemplate:InstanceTemplate": (("metadataStartupScript",),
                                                      ("metadata", "startup-script")),
    "azure-native:compute:VirtualMachine": (("osProfile", "customData"), ("userData",)),
}

_SECRET_NAME: Final = re.compile(
    r"(?:^|[_.-])(?:API_?KEYS?|ACCESS_?KEY|PRIVATE_?KEY|SECRET_?KEY|KEY|TOKEN|SECRET|PASSWORD|"
    r"PASSWD|PASSPHRASE|CREDENTIALS?|CONNECTION_?STRING)$", re.IGNORECASE)
_HARMLESS_VALUES: Final = frozenset({"", "true", "false", "yes", "no", "on", "off", "0", "1",
                                     "none", "null"})
_REFERENCE: Final = re.compile(
    r"^(?:\{\{secrets/[^/{}]+/[^/{}]+\}\}"           # Databricks secret reference
    r"|@Microsoft\.KeyVault\(.+\)"                    # App Service Key Vault reference
    r"|arn:aws[a-z-]*:(?:secretsmanager|ssm):\S+"     # AWS secret / parameter ARN
    r"|projects/[^/]+/secrets/[^/]+(?:/versions/\S+)?"  # GCP Secret Manager name
    r"|https://[a-z0-9-]+\.vault\.azure\.net/secrets/\S+"  # Key Vault secret URI
    r")$", re.IGNORECASE)
_DATABRICKS_REFERENCE: Final = re.compile(r"^\{\{secrets/[^/{}]+/[^/{}]+\}\}$")
_BASE64: Final = re.compile(r"^[A-Za-z0-9+/\s]+={0,2}\s*$")


def is_secret_name(name: str) -> bool:
    """Whether a setting name says it holds a secret (ANTHROPIC_API_KEY, REDIS_PASSWORD...)."""
    return bool(_SECRET_NAME.search(name.strip()))


def _matches(path: PropPath, pattern: PropPath) -> bool:
    return len(path) >= len(pattern) and all(
        p == "*" or p == step for p, step in zip(pattern, path, strict=False))


def _is_sink(resource_type: str, props: dict[str, Any], path: PropPath) -> bool:
    if resource_type == SSM_PARAMETER:
        return path[:1] == ("value",) and props.get("type") == "SecureString"
    return any(_matches(path, p) for p in SECRET_SINKS.get(resource_type, ()))


def _decoded(text: str) -> str | None:
    """`text` base64-decoded when it is base64 of printable text (user data), else None."""
    compact = "".join(text.split())
    if len(compact) < 24 or len(compact) % 4 or not _BASE64.match(text):
        return None
    try:
        decoded = base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in decoded)
    return decoded if printable >= 0.95 * len(decoded) else None


def credential_findings(text: str) -> list[str]:
    """Names of the credential patterns found in `text` (or in it base64-decoded)."""
    found = [p.name for p in CREDENTIAL_PATTERNS if p.regex.search(text)]
    decoded = _decoded(text)
    if decoded is not None:
        found += [f"{p.name} (base64-encoded)" for p in CREDENTIAL_PATTERNS
                  if p.regex.search(decoded)]
    return found


def literal_problems(resource_type: str, props: dict[str, Any]) -> Iterator[str]:
    for path, text in walk_strings(props):
        if text == SECRET_MARK or _is_sink(resource_type, props, path):
            continue
        for name in credential_findings(text):
            yield f"{show_path(path)} contains a literal {name}"
    for path in PLAIN_TEXT_FIELDS.get(resource_type, ()):
        if dig(props, *path) == SECRET_MARK:
            yield (f"{show_path(path)} embeds a secret value; it is stored in plain text. Read "
                   "the secret at boot from the secret store instead")


def validate_no_literals(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    for message in literal_problems(args.resource_type, plain(args.props)):
        report_violation(message, None)


# --- workload settings by reference --------------------------------------------------------

def setting_problem(where: str, name: Any, value: Any,
                    references: re.Pattern[str] = _REFERENCE) -> str | None:
    """The problem with one plain setting (name=value in an environment), if any."""
    if value is UNKNOWN or not isinstance(name, str) or value is None:
        return None
    if value == SECRET_MARK:
        return (f"{where} sets {name} to a secret value in plain environment; "
                "reference the secret store instead")
    if not is_secret_name(name) or not isinstance(value, str):
        return None
    if value.strip().lower() in _HARMLESS_VALUES or references.match(value.strip()):
        return None
    return f"{where} sets secret-named {name} to a literal value; reference the secret store"


def ecs_problems(props: dict[str, Any]) -> Iterator[str]:
    raw = props.get("containerDefinitions")
    if raw == SECRET_MARK:
        yield ("containerDefinitions embeds a secret value (the whole JSON is secret-marked); "
               "pass secrets as secrets[].valueFrom ARNs, never as values")
        return
    containers = load_json(raw)
    if not isinstance(containers, list):
        return
    for container in containers:
        if not isinstance(container, dict):
            continue
        where = f"container {container.get('name')!r}"
        for item in items_of(container.get("environment")):
            if isinstance(item, dict):
                problem = setting_problem(where, item.get("name"), item.get("value"))
                if problem:
                    yield problem


def _container_env_problems(props: dict[str, Any], env_key: str) -> Iterator[str]:
    for containers in find_key(props, "containers"):
        for container in items_of(containers):
            if not isinstance(container, dict):
                continue
            where = f"container {container.get('name')!r}"
            for item in items_of(container.get(env_key)):
                if isinstance(item, dict):
                    problem = setting_problem(where, item.get("name"), item.get("value"))
                    if problem:
                        yield problem


def container_app_problems(props: dict[str, Any]) -> Iterator[str]:
    yield from _container_env_problems(props, "env")
    for secret in items_of(dig(props, "configuration", "secrets")):
        if not isinstance(secret, dict):
            continue
        name = secret.get("name")
        if secret.get("value") not in (None, UNKNOWN):
            yield (f"Container App secret {name!r} carries its value; reference Key Vault "
                   "with keyVaultUrl and a managed identity")
        elif secret.get("keyVaultUrl") is None and secret.get("value") is None:
            yield f"Container App secret {name!r} has no keyVaultUrl"
        elif secret.get("keyVaultUrl") is not None and not secret.get("identity"):
            yield (f"Container App secret {name!r} reads Key Vault without an identity "
                   "(set identity to the user-assigned identity id or 'system')")


def cloud_run_problems(props: dict[str, Any]) -> Iterator[str]:
    yield from _container_env_problems(props, "envs")


def _map_problems(where: str, mapping: Any) -> Iterator[str]:
    if isinstance(mapping, dict):
        for name, value in mapping.items():
            problem = setting_problem(where, name, value)
            if problem:
                yield problem


def web_app_problems(props: dict[str, Any]) -> Iterator[str]:
    for item in items_of(dig(props, "siteConfig", "appSettings")):
        if isinstance(item, dict):
            problem = setting_problem("app settings", item.get("name"), item.get("value"))
            if problem:
                yield problem


def web_app_settings_problems(props: dict[str, Any]) -> Iterator[str]:
    yield from _map_problems("app settings", props.get("properties"))


def lambda_problems(props: dict[str, Any]) -> Iterator[str]:
    yield from _map_problems("function environment", dig(props, "environment", "variables"))


def databricks_problems(props: dict[str, Any]) -> Iterator[str]:
    for key in ("sparkEnvVars", "environmentVars"):
        for mapping in find_key(props, key):
            if isinstance(mapping, dict):
                for name, value in mapping.items():
                    problem = setting_problem(key, name, value, _DATABRICKS_REFERENCE)
                    if problem:
                        yield f"{problem} ({{{{secrets/<scope>/<key>}}}})"


DATABRICKS_WORKLOADS: Final = ("databricks:index/job:Job", "databricks:index/cluster:Cluster",
                               "databricks:index/pipeline:Pipeline",
                               "databricks:index/modelServing:ModelServing")

NO_LITERALS = ResourceValidationPolicy(
    name="secrets-no-literals",
    description="No secret literal in any resource input: no known credential pattern "
                "anywhere (user data included) and no secret value in plain-text fields.",
    validate=validate_no_literals,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    tags=["secrets"],
    remediation_steps=(
        "Remove the credential from the program and rotate it (assume it leaked into state "
        "and history). Store it with `pulumi config set --secret`, put it in the secret store "
        "(Secrets Manager, Key Vault, Secret Manager, a Databricks secret scope) and let the "
        "workload or boot script read it by reference at run time."),
)

BY_REFERENCE = ResourceValidationPolicy(
    name="secrets-by-reference",
    description="Workloads read secrets by reference (ECS secrets/valueFrom, Container App "
                "Key Vault secrets through an identity, Cloud Run secretKeyRef, Databricks "
                "{{secrets/scope/key}}), never as literal environment values.",
    validate=by_type({
        "aws:ecs/taskDefinition:TaskDefinition": ecs_problems,
        "aws:lambda/function:Function": lambda_problems,
        "azure-native:app:ContainerApp": container_app_problems,
        "azure-native:app:Job": container_app_problems,
        "azure-native:web:WebApp": web_app_problems,
        "azure-native:web:WebAppApplicationSettings": web_app_settings_problems,
        "gcp:cloudrunv2/service:Service": cloud_run_problems,
        "gcp:cloudrunv2/job:Job": cloud_run_problems,
        **dict.fromkeys(DATABRICKS_WORKLOADS, databricks_problems),
    }),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.CRITICAL,
    tags=["secrets"],
    remediation_steps=(
        "ECS: move the variable to secrets=[{name, valueFrom: <Secrets Manager ARN>}]. "
        "Container Apps: configuration.secrets=[{name, key_vault_url, identity}] and env "
        "secret_ref. Cloud Run: envs value_source.secret_key_ref. App Service: "
        "@Microsoft.KeyVault(SecretUri=...). Databricks: {{secrets/<scope>/<key>}}."),
)

POLICIES = [NO_LITERALS, BY_REFERENCE]
