"""The whole AWS stack: every part wired together, exporting the AgentStack contract."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from infra.aws.app_service import AppService
from infra.aws.backups import Backups
from infra.aws.cache import Cache
from infra.aws.load_balancer import LoadBalancer
from infra.aws.logs import Logs
from infra.aws.monitoring import Monitoring
from infra.aws.network import Network
from infra.aws.part import AwsPart
from infra.aws.secrets import Secrets
from infra.aws.vector_store import VectorStore
from infra.common.app_package import HEALTH_PATH
from infra.common.vector_engines import ENGINES
from infra.cost.estimate import estimate
from infra.settings import StackSettings


class AgentStack(AwsPart):
    def __init__(self, name: str, settings: StackSettings,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, settings, opts)
        # One explicit provider: the region comes from the stack settings, not aws:region.
        provider = aws.Provider(f"{name}-aws", region=settings.region,
                                default_tags=aws.ProviderDefaultTagsArgs(tags=settings.tags),
                                opts=self.child)
        child = pulumi.ResourceOptions(parent=self, providers={"aws": provider})

        engine = ENGINES[settings.vector_store]
        self.network = Network(f"{name}-network", settings, opts=child)
        self.logs = Logs(f"{name}-logs", settings, opts=child)
        self.secrets = Secrets(f"{name}-secrets", settings, vector_key_env=engine.app_key_env,
                               opts=child)
        self.load_balancer = LoadBalancer(f"{name}-lb", settings, self.network, opts=child)
        self.cache = Cache(f"{name}-cache", settings, self.network,
                           auth_token=self.secrets.redis_auth_token, opts=child)
        self.vector_store = VectorStore(
            f"{name}-vector", settings, self.network,
            api_key_secret_arn=self.secrets.arns["vector-store-key"],
            log_group=self.logs.groups["vector-store"], opts=child)
        # The app's settings contract (app/settings.py): non-secret values by value here,
        # secrets by reference from Secrets.for_app().
        vector_env: dict[str, pulumi.Input[str]] = {
            "AGENT_VECTOR_STORE": engine.name,
            engine.app_url_env: self.vector_store.endpoint,
            "AGENT_COLLECTION": self.vector_store.collection,
            "AGENT_LOG_LEVEL": "INFO",
        }
        self.app = AppService(f"{name}-app", settings, self.network, self.load_balancer,
                              environment={**vector_env, "AGENT_REDIS_URL": self.cache.url},
                              secrets=self.secrets.for_app(),
                              log_group=self.logs.names["app"], opts=child)
        # The backup job talks to the vector store only, so it gets only its key.
        self.backups = Backups(f"{name}-backups", settings, self.network, self.app,
                               environment=vector_env,
                               secrets=[self.secrets.refs["vector-store-key"]],
                               log_group=self.logs.names["backup"], opts=child)
        self.monitoring = Monitoring(f"{name}-monitoring", settings, self.load_balancer,
                                     self.app, self.cache, opts=child)
        self.parts: list[AwsPart] = [
            self.network, self.load_balancer, self.app, self.vector_store, self.cache,
            self.secrets, self.backups, self.logs, self.monitoring]
        self._outputs = self._contract()
        self.register_outputs(self._outputs)

    def outputs(self) -> dict[str, Any]:
        """The AgentStack contract (DESIGN): the same keys on every cloud."""
        return self._outputs

    def _contract(self) -> dict[str, Any]:
        s = self.settings
        return {
            "url": self.load_balancer.url,
            "healthUrl": pulumi.Output.concat(self.load_balancer.url, HEALTH_PATH),
            "cloud": s.cloud,
            "environment": s.environment,
            "region": s.region,
            "vectorStore": {"engine": self.vector_store.engine.name,
                            "endpoint": self.vector_store.endpoint,
                            "collection": self.vector_store.collection},
            "cache": {"engine": "redis", "endpoint": self.cache.endpoint, "tls": True},
            "secrets": self.secrets.arns,
            "backupBucket": self.backups.bucket.bucket,
            "costEstimate": estimate(s, [i for part in self.parts for i in part.line_items]),
        }
