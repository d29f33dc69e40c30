"""CloudWatch log groups, each with the stack's retention."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.aws.part import AwsPart
from infra.settings import StackSettings

STREAMS = ("app", "backup", "vector-store")


class Logs(AwsPart):
    def __init__(self, name: str, settings: StackSettings,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, settings, opts)
        self.groups = {
            stream: aws.cloudwatch.LogGroup(
                f"{name}-{stream}", name=f"/{settings.project}/{settings.environment}/{stream}",
                retention_in_days=settings.log_retention_days, tags=settings.tags,
                opts=self.child)
            for stream in STREAMS
        }
        self.names = {stream: group.name for stream, group in self.groups.items()}
        self.add_cost("cloudwatch-logs-ingest-gb", settings.log_gb_per_month)
        # Steady state: a retention window's worth of ingest is stored.
        stored = settings.log_gb_per_month * settings.log_retention_days / 30
        self.add_cost("cloudwatch-logs-storage-gb-month", round(stored, 2))
        self.register_outputs({"groups": self.names})
