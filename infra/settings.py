"""Typed, validated stack settings: the one place that reads `pulumi.Config`.

Mocks do not run provider-side validation, so the rules that would otherwise only fail
at `pulumi up` (name lengths, Fargate CPU/memory pairs, AUTH token rules, AZ counts, log
retention values, schedule expressions) are encoded here. Every problem is collected
and reported in one `SettingsError` before any resource is declared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
from pydantic import (
    BaseModel,
    ConfigDict,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

PROJECT = "agent-stack"

Cloud = Literal["aws", "azure", "gcp", "databricks"]
Environment = Literal["dev", "prod"]
BUILT_CLOUDS: tuple[str, ...] = ("aws",)

# Fargate: CPU units -> the memory sizes (MiB) the API accepts for it.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4096 + 1, 1024)),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

# The values CloudWatch Logs' PutRetentionPolicy accepts.
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
    2557, 2922, 3288, 3653,
)

# ElastiCache AUTH tokens: 16-128 printable characters without '@', '"' or '/'. The stack
# generates the token; these are the characters it may draw from besides letters and digits.
AUTH_TOKEN_SPECIAL_CHARS = "!&#$^<>-"
AUTH_TOKEN_LENGTH = (16, 128)

# ALB and target group names: at most 32 characters, letters, digits and hyphens.
AWS_LB_NAME_MAX = 32
LB_NAME_SUFFIXES = ("-alb", "-tg")

_NAME_PREFIX = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
_REGION = {
    "aws": re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$"),
    "azure": re.compile(r"^[a-z0-9]+$"),
    "gcp": re.compile(r"^[a-z]+-[a-z]+\d$"),
    "databricks": re.compile(r"^[a-z0-9-]+$"),
}
_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)
_CRON_FIELD = r"[0-9A-Za-z*?,/#L\-]+"
_SCHEDULE = re.compile(
    r"^(rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)"
    rf"|cron\({_CRON_FIELD}( {_CRON_FIELD}){{5}}\)"
    r"|at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\))$"
)


@dataclass(frozen=True)
class Setting:
    """One config key: its Pulumi.yaml type, description and default.

    `profile` holds the per-environment defaults for keys whose default depends on the
    environment; in Pulumi.yaml those keys default to 0 / "" meaning "use the profile".
    """

    key: str
    type: Literal["string", "integer"]
    description: str
    default: Any = None
    profile: Mapping[str, Any] | None = None
    secret: bool = False

    @property
    def yaml_default(self) -> Any:
        if self.profile is not None:
            return {"string": "", "integer": 0}[self.type]
        return self.default


SETTINGS: tuple[Setting, ...] = (
    Setting("cloud", "string", "Cloud to build on: aws, azure, gcp or databricks.", "aws"),
    Setting("environment", "string", "Environment profile: dev or prod.", "dev"),
    Setting("region", "string", "Cloud region, e.g. us-east-1.", "us-east-1"),
    Setting("namePrefix", "string",
            "Prefix of physical resource names (lowercase letters, digits, hyphens).", "agent"),
    Setting("domain", "string",
            "Public DNS name of the API (e.g. agent.example.com); required in prod. "
            "Empty in dev: a self-signed certificate is used.", ""),
    Setting("hostedZone", "string",
            "Route 53 public hosted zone that holds `domain`; empty: the domain's parent.", ""),
    Setting("vectorStore", "string", "Vector store engine: qdrant or chroma.", "qdrant"),
    Setting("azCount", "integer", "Availability zones to spread over (2-6).",
            profile={"dev": 2, "prod": 2}),
    Setting("natGateways", "string",
            "NAT gateways: single (one shared) or per-az (one per AZ, survives an AZ loss).",
            profile={"dev": "single", "prod": "per-az"}),
    Setting("appCpu", "integer", "Fargate CPU units per app task (256, 512, 1024, ...).",
            profile={"dev": 256, "prod": 512}),
    Setting("appMemory", "integer", "Fargate memory per app task in MiB (valid for appCpu).",
            profile={"dev": 1024, "prod": 1024}),
    Setting("appMinCount", "integer", "Minimum (and initial) number of app tasks.",
            profile={"dev": 1, "prod": 2}),
    Setting("appMaxCount", "integer", "Maximum number of app tasks under autoscaling.",
            profile={"dev": 2, "prod": 6}),
    Setting("appCapacity", "string",
            "Fargate capacity of app tasks: spot (interruptible, about 70% cheaper) or "
            "on-demand.",
            profile={"dev": "spot", "prod": "on-demand"}),
    Setting("vectorStoreInstanceType", "string", "EC2 instance type of the vector store host.",
            profile={"dev": "t4g.micro", "prod": "t4g.medium"}),
    Setting("vectorStoreDiskGb", "integer", "Size of the vector store's gp3 data volume (GiB).",
            profile={"dev": 10, "prod": 50}),
    Setting("cacheNodeType", "string", "ElastiCache node type.",
            profile={"dev": "cache.t4g.micro", "prod": "cache.t4g.small"}),
    Setting("cacheNodes", "integer",
            "ElastiCache nodes (1 = no replica; 2+ = Multi-AZ with automatic failover).",
            profile={"dev": 1, "prod": 2}),
    Setting("cacheAuthTokenLength", "integer",
            "Length of the generated Redis AUTH token (16-128).", 32),
    Setting("logRetentionDays", "integer",
            "CloudWatch log retention in days (a value the API accepts).",
            profile={"dev": 14, "prod": 90}),
    Setting("backupRetentionDays", "integer", "Days a vector-store snapshot is kept.",
            profile={"dev": 7, "prod": 35}),
    Setting("backupSchedule", "string",
            "EventBridge Scheduler expression for snapshots: rate(...), cron(...) or at(...).",
            "cron(0 3 * * ? *)"),
    Setting("secretRecoveryDays", "integer",
            "Secrets Manager recovery window in days (7-30).",
            profile={"dev": 7, "prod": 30}),
    Setting("alertEmail", "string", "E-mail address that receives alarms; empty: none.", ""),
    Setting("requestsPerMonth", "integer", "Cost assumption: API requests per month.",
            profile={"dev": 100_000, "prod": 3_000_000}),
    Setting("egressGbPerMonth", "integer", "Cost assumption: internet egress GB per month.",
            profile={"dev": 5, "prod": 50}),
    Setting("logGbPerMonth", "integer", "Cost assumption: log GB ingested per month.",
            profile={"dev": 1, "prod": 10}),
    Setting("anthropicApiKey", "string",
            "Anthropic API key (set with --secret); empty: the app answers extractively.",
            "", secret=True),
    Setting("apiKeys", "string",
            "Client API keys, comma-separated (set with --secret); empty: one is generated.",
            "", secret=True),
)
SETTINGS_BY_KEY = {s.key: s for s in SETTINGS}


# Whole-number settings with a plain range: field -> (min, max or None, why).
INTEGER_RANGES: dict[str, tuple[int, int | None, str]] = {
    "az_count": (2, 6, "an ALB needs subnets in at least two AZs"),
    "app_min_count": (1, 100, ""),
    "vector_store_disk_gb": (1, 16384, "gp3 volume sizes in GiB"),
    "cache_nodes": (1, 6, "a primary and up to 5 replicas"),
    "cache_auth_token_length": (*AUTH_TOKEN_LENGTH, "ElastiCache AUTH token rules"),
    "backup_retention_days": (1, 3650, ""),
    "secret_recovery_days": (7, 30, "the Secrets Manager recovery window"),
    "requests_per_month": (0, None, ""),
    "egress_gb_per_month": (0, None, ""),
    "log_gb_per_month": (0, None, ""),
}


class SettingsError(pulumi.RunError):
    """Bad stack settings: raised before any resource is declared."""


class StackSettings(BaseModel):
    """The validated settings of one stack. Field names are the config keys in snake_case."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    project: str = PROJECT
    stack: str
    cloud: Cloud
    environment: Environment
    region: str
    name_prefix: str
    domain: str | None
    hosted_zone: str | None
    vector_store: Literal["qdrant", "chroma"]
    az_count: int
    nat_gateways: Literal["single", "per-az"]
    app_cpu: int
    app_memory: int
    app_min_count: int
    app_max_count: int
    app_capacity: Literal["spot", "on-demand"]
    vector_store_instance_type: str
    vector_store_disk_gb: int
    cache_node_type: str
    cache_nodes: int
    cache_auth_token_length: int
    log_retention_days: int
    backup_retention_days: int
    backup_schedule: str
    secret_recovery_days: int
    alert_email: str | None
    requests_per_month: int
    egress_gb_per_month: int
    log_gb_per_month: int
    anthropic_api_key: SecretStr | None
    api_keys: SecretStr | None

    @property
    def name(self) -> str:
        """Stem of physical names: `<namePrefix>-<environment>`."""
        return f"{self.name_prefix}-{self.environment}"

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def tags(self) -> dict[str, str]:
        return {"project": self.project, "environment": self.environment,
                "managed-by": "pulumi", "stack": self.stack}

    @field_validator(*INTEGER_RANGES)
    @classmethod
    def _in_range(cls, v: int, info: ValidationInfo) -> int:
        lo, hi, why = INTEGER_RANGES[info.field_name or ""]
        if v < lo or (hi is not None and v > hi):
            allowed = f"{lo} or more" if hi is None else f"{lo} to {hi}"
            raise ValueError(f"allowed: {allowed}" + (f" ({why})" if why else ""))
        return v

    @field_validator("region")
    @classmethod
    def _region(cls, v: str) -> str:
        if not any(p.match(v) for p in _REGION.values()):
            raise ValueError("allowed: a region name such as us-east-1")
        return v

    @field_validator("name_prefix")
    @classmethod
    def _name_prefix(cls, v: str) -> str:
        if not _NAME_PREFIX.match(v) or "--" in v:
            raise ValueError("allowed: lowercase letters, digits and single hyphens, "
                             "starting with a letter and not ending with a hyphen")
        return v

    @field_validator("domain")
    @classmethod
    def _domain(cls, v: str | None) -> str | None:
        if v is not None and not is_domain_name(v):
            raise ValueError("allowed: a DNS name with at least two labels such as "
                             "agent.example.com (lowercase letters, digits, hyphens)")
        return v

    @field_validator("hosted_zone")
    @classmethod
    def _hosted_zone(cls, v: str | None) -> str | None:
        if v is not None and not is_domain_name(v.rstrip(".")):
            raise ValueError("allowed: a DNS zone name such as example.com")
        return v

    @field_validator("app_cpu")
    @classmethod
    def _app_cpu(cls, v: int) -> int:
        if v not in FARGATE_MEMORY:
            raise ValueError(f"allowed Fargate CPU units: {', '.join(map(str, FARGATE_MEMORY))}")
        return v

    @field_validator("cache_node_type")
    @classmethod
    def _cache_node_type(cls, v: str) -> str:
        if not re.match(r"^cache\.[a-z0-9]+\.[a-z0-9]+$", v):
            raise ValueError("allowed: an ElastiCache node type such as cache.t4g.micro")
        return v

    @field_validator("vector_store_instance_type")
    @classmethod
    def _instance_type(cls, v: str) -> str:
        if not re.match(r"^[a-z][a-z0-9-]*\.[a-z0-9]+$", v):
            raise ValueError("allowed: an EC2 instance type such as t4g.small")
        return v

    @field_validator("log_retention_days")
    @classmethod
    def _log_retention(cls, v: int) -> int:
        if v not in LOG_RETENTION_DAYS:
            raise ValueError(f"allowed: {', '.join(map(str, LOG_RETENTION_DAYS))}")
        return v

    @field_validator("backup_schedule")
    @classmethod
    def _schedule(cls, v: str) -> str:
        if not _SCHEDULE.match(v) or (v.startswith("cron(") and not _cron_has_one_question(v)):
            raise ValueError("allowed: rate(N minutes|hours|days), cron(min hour day month "
                             "weekday year) with '?' in exactly one of day/weekday, "
                             "or at(yyyy-mm-ddThh:mm:ss)")
        return v

    @field_validator("alert_email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        if v is not None and not _EMAIL.match(v):
            raise ValueError("allowed: an e-mail address such as ops@example.com")
        return v

    @field_validator("api_keys")
    @classmethod
    def _api_keys(cls, v: SecretStr | None) -> SecretStr | None:
        # The message names the rule only: the value is a secret.
        if v is not None and any(
            len(k.strip()) < 16 for k in v.get_secret_value().split(",")
        ):
            raise ValueError("allowed: comma-separated keys of at least 16 characters each")
        return v


def _cron_has_one_question(expr: str) -> bool:
    fields = expr[len("cron("):-1].split(" ")
    return (fields[2] == "?") != (fields[4] == "?")


def is_domain_name(v: str) -> bool:
    labels = v.split(".")
    return (len(v) <= 253 and len(labels) >= 2
            and all(_DOMAIN_LABEL.match(label) for label in labels)
            and not labels[-1].isdigit())


def _cross_field_problems(s: StackSettings) -> list[str]:
    """Rules that involve more than one key."""
    problems = []
    if s.cloud not in BUILT_CLOUDS:
        problems.append(f"cloud = {s.cloud!r}: that cloud's stack is not built yet; "
                        f"allowed: {', '.join(BUILT_CLOUDS)}")
    if s.app_memory not in FARGATE_MEMORY.get(s.app_cpu, ()):
        allowed = ", ".join(map(str, FARGATE_MEMORY.get(s.app_cpu, ())))
        problems.append(f"appMemory = {s.app_memory}: not a valid Fargate pair with "
                        f"appCpu {s.app_cpu}; allowed: {allowed}")
    if s.app_max_count < s.app_min_count:
        problems.append(f"appMaxCount = {s.app_max_count}: must be at least appMinCount "
                        f"({s.app_min_count})")
    if s.is_prod and s.domain is None:
        problems.append("domain = '': prod needs a domain for a CA-signed certificate "
                        "(the self-signed fallback is for dev only); allowed: a DNS name "
                        "such as agent.example.com")
    if s.is_prod and s.app_min_count < 2:
        problems.append(f"appMinCount = {s.app_min_count}: prod runs at least 2 tasks "
                        "spread over AZs; allowed: 2 or more")
    for suffix in LB_NAME_SUFFIXES:
        name = s.name + suffix
        if len(name) > AWS_LB_NAME_MAX:
            problems.append(
                f"namePrefix = {s.name_prefix!r}: the load balancer name {name!r} has "
                f"{len(name)} characters; allowed: at most {AWS_LB_NAME_MAX} (shorten namePrefix "
                f"to {AWS_LB_NAME_MAX - len(s.name) + len(s.name_prefix) - len(suffix)} or fewer)")
    if s.cache_nodes > 1 and s.cache_node_type.startswith("cache.t1."):
        problems.append(f"cacheNodeType = {s.cache_node_type!r}: t1 nodes do not support "
                        "automatic failover; allowed: t4g/t3/m/r node types")
    return problems


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _coerce(setting: Setting, raw: Any) -> Any:
    if raw is None:
        return None
    if setting.type == "integer":
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ValueError("allowed: a whole number") from None
    return str(raw).strip()


def _is_unset(setting: Setting, value: Any) -> bool:
    return value is None or value == "" or (setting.profile is not None and value == 0)


def build_settings(raw: Mapping[str, Any], stack: str) -> StackSettings:
    """Validates raw config values (key -> str) into `StackSettings`, or raises one error.

    Unset keys take the environment profile's value, then the key's default.
    """
    problems: list[str] = []
    values: dict[str, Any] = {}
    env = str(raw.get("environment") or SETTINGS_BY_KEY["environment"].default)
    unknown = sorted(set(raw) - set(SETTINGS_BY_KEY))
    for key in unknown:
        problems.append(f"{key}: unknown setting; allowed keys: {', '.join(SETTINGS_BY_KEY)}")
    for setting in SETTINGS:
        shown = "[secret]" if setting.secret else repr(raw.get(setting.key))
        try:
            value = _coerce(setting, raw.get(setting.key))
        except ValueError as exc:
            problems.append(f"{setting.key} = {shown}: {exc}")
            continue
        if _is_unset(setting, value):
            value = (setting.profile or {}).get(env, setting.default)
        if setting.type == "string" and value == "":
            value = None
        if setting.secret and value is not None:
            value = SecretStr(value)
        values[_snake(setting.key)] = value
    if not problems:
        try:
            settings = StackSettings(stack=stack, **values)
        except ValidationError as exc:
            problems.extend(_describe(exc, values))
        else:
            problems.extend(_cross_field_problems(settings))
    if problems:
        raise SettingsError(
            f"invalid stack settings for {PROJECT}/{stack} (nothing was deployed):\n  - "
            + "\n  - ".join(problems))
    return settings


def _describe(exc: ValidationError, values: Mapping[str, Any]) -> list[str]:
    camel = {_snake(s.key): s for s in SETTINGS}
    out = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else "?"
        setting = camel.get(field)
        key = setting.key if setting else field
        shown = "[secret]" if setting and setting.secret else repr(values.get(field))
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "literal_error":
            message = "allowed: " + message.removeprefix("Input should be ")
        out.append(f"{key} = {shown}: {message}")
    return out


def read_config(get: Callable[[str], Any] | None = None) -> dict[str, Any]:
    """Raw values of every declared key from the Pulumi config (secret keys included)."""
    get = get or (lambda key: pulumi.runtime.get_config(f"{PROJECT}:{key}"))
    return {s.key: v for s in SETTINGS if (v := get(s.key)) is not None}


def load_settings() -> StackSettings:
    """Reads and validates the current stack's settings; raises `SettingsError`."""
    return build_settings(read_config(), pulumi.get_stack())
