"""Secrets Manager entries for every secret the stack needs, with a recovery window.

Values come from the stack's secret config (Anthropic key, client API keys) or are
generated here with pulumi-random (Redis AUTH token, vector store API key, client API keys
when none are configured). Workloads get the ARNs only and read values by reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from infra.aws.part import AwsPart
from infra.settings import AUTH_TOKEN_SPECIAL_CHARS, StackSettings

API_KEY_LENGTH = 40


@dataclass(frozen=True)
class SecretRef:
    """A secret as the workloads see it: the env var it lands in and its ARN."""

    env: str
    arn: pulumi.Output[str]


class Secrets(AwsPart):
    def __init__(self, name: str, settings: StackSettings, vector_key_env: str,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, settings, opts)
        self._name = name
        self._entries: dict[str, aws.secretsmanager.Secret] = {}
        self.refs: dict[str, SecretRef] = {}

        if settings.anthropic_api_key is not None:
            self._store("anthropic-api-key", "ANTHROPIC_API_KEY",
                        pulumi.Output.secret(settings.anthropic_api_key.get_secret_value()))
        else:
            pulumi.log.warn("anthropicApiKey is not set: the app will answer extractively. "
                            "Set it with `pulumi config set --secret anthropicApiKey ...`.",
                            resource=self)
        api_keys = (pulumi.Output.secret(settings.api_keys.get_secret_value())
                    if settings.api_keys is not None else self._generate("api-key",
                                                                         API_KEY_LENGTH))
        self._store("api-keys", "AGENT_API_KEYS", api_keys)

        self.redis_auth_token = self._generate(
            "redis-auth-token", settings.cache_auth_token_length,
            override_special=AUTH_TOKEN_SPECIAL_CHARS)
        self._store("redis-auth-token", "AGENT_REDIS_PASSWORD", self.redis_auth_token)

        self.vector_store_key = self._generate("vector-store-key", API_KEY_LENGTH)
        self._store("vector-store-key", vector_key_env, self.vector_store_key)

        self.arns = {key: entry.arn for key, entry in self._entries.items()}
        self.add_cost("secretsmanager-secret-month", len(self._entries))
        # Each task start reads every secret once; a few hundred starts a month at most.
        self.add_cost("secretsmanager-10k-api-calls", 0.1)
        self.register_outputs({"arns": self.arns})

    def _generate(self, key: str, length: int,
                  override_special: str | None = None) -> pulumi.Output[str]:
        password = random.RandomPassword(
            f"{self._name}-{key}", length=length, special=override_special is not None,
            override_special=override_special, min_lower=1, min_upper=1, min_numeric=1,
            opts=self.child)
        return pulumi.Output.secret(password.result)

    def _store(self, key: str, env: str, value: pulumi.Output[str]) -> None:
        settings = self.settings
        secret = aws.secretsmanager.Secret(
            f"{self._name}-{key}", name_prefix=f"{settings.name}/{key}-",
            description=f"{settings.project} {settings.environment}: {key}",
            recovery_window_in_days=settings.secret_recovery_days,
            tags=settings.tags, opts=self.child)
        aws.secretsmanager.SecretVersion(f"{self._name}-{key}", secret_id=secret.id,
                                         secret_string=value, opts=self.child)
        self._entries[key] = secret
        self.refs[key] = SecretRef(env=env, arn=secret.arn)

    def for_app(self) -> list[SecretRef]:
        return list(self.refs.values())
