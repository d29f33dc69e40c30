"""Alarms on what users feel and what runs out, sent to an SNS topic (and e-mail when set)."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from infra.aws.app_service import AppService
from infra.aws.cache import Cache
from infra.aws.load_balancer import LoadBalancer
from infra.aws.part import AwsPart
from infra.settings import StackSettings

ERROR_RATE_PERCENT = 5
P95_LATENCY_SECONDS = 2
UTILIZATION_PERCENT = 80
PERIOD = 300


class Monitoring(AwsPart):
    def __init__(self, name: str, settings: StackSettings, load_balancer: LoadBalancer,
                 app: AppService, cache: Cache,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, settings, opts)
        self._name = name
        self.topic = aws.sns.Topic(f"{name}-alerts", name=f"{settings.name}-alerts",
                                   kms_master_key_id="alias/aws/sns", tags=settings.tags,
                                   opts=self.child)
        if settings.alert_email:
            aws.sns.TopicSubscription(f"{name}-email", topic=self.topic.arn, protocol="email",
                                      endpoint=settings.alert_email, opts=self.child)
        self.alarms: list[aws.cloudwatch.MetricAlarm] = []
        self.alarm_metrics = 0  # CloudWatch bills alarms per metric they watch
        lb_dims = {"LoadBalancer": load_balancer.alb.arn_suffix}
        tg_dims = {**lb_dims, "TargetGroup": load_balancer.target_group.arn_suffix}
        ecs_dims = {"ClusterName": app.cluster.name, "ServiceName": app.service.name}

        self._alarm("alb-5xx-rate", f"5xx responses above {ERROR_RATE_PERCENT}% of requests",
                    threshold=ERROR_RATE_PERCENT, metric_queries=[
                        _query("errors", "HTTPCode_Target_5XX_Count", "AWS/ApplicationELB",
                               lb_dims),
                        _query("elb_errors", "HTTPCode_ELB_5XX_Count", "AWS/ApplicationELB",
                               lb_dims),
                        _query("requests", "RequestCount", "AWS/ApplicationELB", lb_dims),
                        aws.cloudwatch.MetricAlarmMetricQueryArgs(
                            id="rate", return_data=True, label="5xx %",
                            expression="100 * (FILL(errors, 0) + FILL(elb_errors, 0)) / "
                                       "IF(requests > 0, requests, 1)")])
        self._alarm("p95-latency", f"target p95 latency above {P95_LATENCY_SECONDS} s",
                    threshold=P95_LATENCY_SECONDS, namespace="AWS/ApplicationELB",
                    metric_name="TargetResponseTime", dimensions=tg_dims,
                    extended_statistic="p95")
        self._alarm("unhealthy-targets", "a target failed its /health check", threshold=0,
                    namespace="AWS/ApplicationELB", metric_name="UnHealthyHostCount",
                    dimensions=tg_dims, statistic="Maximum", evaluation_periods=2)
        for metric in ("CPUUtilization", "MemoryUtilization"):
            self._alarm(f"ecs-{metric[:-11].lower()}", f"app {metric} above "
                        f"{UTILIZATION_PERCENT}%", threshold=UTILIZATION_PERCENT,
                        namespace="AWS/ECS", metric_name=metric, dimensions=ecs_dims,
                        statistic="Average", evaluation_periods=3)
        for node in cache.node_ids:
            dims = {"CacheClusterId": node}
            self._alarm(f"redis-cpu-{node[-3:]}", f"Redis {node} engine CPU above "
                        f"{UTILIZATION_PERCENT}%", threshold=UTILIZATION_PERCENT,
                        namespace="AWS/ElastiCache", metric_name="EngineCPUUtilization",
                        dimensions=dims, statistic="Average", evaluation_periods=3)
            self._alarm(f"redis-memory-{node[-3:]}", f"Redis {node} memory above "
                        f"{UTILIZATION_PERCENT}%", threshold=UTILIZATION_PERCENT,
                        namespace="AWS/ElastiCache", metric_name="DatabaseMemoryUsagePercentage",
                        dimensions=dims, statistic="Average", evaluation_periods=3)
        self.add_cost("cloudwatch-alarm-metric-month", self.alarm_metrics)
        self.register_outputs({"topic": self.topic.arn,
                               "alarms": [a.name for a in self.alarms]})

    def _alarm(self, key: str, description: str, threshold: float,
               evaluation_periods: int = 2, **metric: Any) -> None:
        queries = metric.get("metric_queries")
        self.alarm_metrics += (sum(1 for q in queries if q.metric is not None)
                               if isinstance(queries, list) else 1)
        self.alarms.append(aws.cloudwatch.MetricAlarm(
            f"{self._name}-{key}", name=f"{self.settings.name}-{key}",
            alarm_description=description, comparison_operator="GreaterThanThreshold",
            threshold=threshold, evaluation_periods=evaluation_periods,
            datapoints_to_alarm=evaluation_periods,
            period=None if "metric_queries" in metric else PERIOD,
            treat_missing_data="notBreaching", alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn], tags=self.settings.tags, opts=self.child,
            **metric))


def _query(query_id: str, metric_name: str, namespace: str,
           dimensions: dict[str, pulumi.Output[str]]) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id, return_data=False,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            metric_name=metric_name, namespace=namespace, period=PERIOD, stat="Sum",
            dimensions=dimensions))
