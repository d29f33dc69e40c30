"""Redis on ElastiCache: TLS in transit, encryption at rest, AUTH token; Multi-AZ in prod."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.aws.network import REDIS_PORT, Network
from infra.aws.part import AwsPart
from infra.cost.line_item import HOURS_PER_MONTH
from infra.settings import StackSettings

ENGINE_VERSION = "7.1"
PARAMETER_FAMILY = "redis7"


class Cache(AwsPart):
    def __init__(self, name: str, settings: StackSettings, network: Network,
                 auth_token: pulumi.Output[str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, settings, opts)
        subnets = aws.elasticache.SubnetGroup(
            f"{name}-subnets", name=f"{settings.name}-redis",
            description="Private subnets for Redis", subnet_ids=network.private_subnet_ids,
            tags=settings.tags, opts=self.child)
        replicated = settings.cache_nodes > 1
        self.replication_group_id = f"{settings.name}-redis"
        self.group = aws.elasticache.ReplicationGroup(
            f"{name}-redis", replication_group_id=self.replication_group_id,
            description=f"{settings.project} {settings.environment} cache",
            engine="redis", engine_version=ENGINE_VERSION, node_type=settings.cache_node_type,
            num_cache_clusters=settings.cache_nodes, port=REDIS_PORT,
            parameter_group_name=f"default.{PARAMETER_FAMILY}",
            subnet_group_name=subnets.name, security_group_ids=[network.cache_sg.id],
            transit_encryption_enabled=True, transit_encryption_mode="required",
            at_rest_encryption_enabled=True, auth_token=auth_token,
            auth_token_update_strategy="ROTATE",
            automatic_failover_enabled=replicated, multi_az_enabled=replicated,
            snapshot_retention_limit=1 if settings.is_prod else 0,
            apply_immediately=not settings.is_prod, auto_minor_version_upgrade=True,
            tags=settings.tags, opts=self.child)
        self.endpoint = self.group.primary_endpoint_address
        self.node_ids = [f"{self.replication_group_id}-{i + 1:03d}"
                         for i in range(settings.cache_nodes)]
        self.add_cost(f"elasticache-{settings.cache_node_type}-hour",
                      settings.cache_nodes * HOURS_PER_MONTH)
        self.register_outputs({"endpoint": self.endpoint})

    @property
    def url(self) -> pulumi.Output[str]:
        """The app's AGENT_REDIS_URL: TLS, no password (that arrives as its own secret)."""
        return pulumi.Output.concat("rediss://", self.endpoint, f":{REDIS_PORT}/0")
