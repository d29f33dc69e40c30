"""Log retention, the alert topic and the alarms."""

from __future__ import annotations

from infra.aws.monitoring import P95_LATENCY_SECONDS

from .conftest import Plan

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def alarms(plan: Plan) -> dict[str, dict]:
    return {r.inputs["name"].removeprefix(plan.settings.name + "-"): r.inputs
            for r in plan.of_type(ALARM)}


def test_log_groups_keep_logs_for_the_retention_setting(plan: Plan) -> None:
    groups = plan.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert len(groups) == 3
    assert {g.inputs["retentionInDays"] for g in groups} == {plan.settings.log_retention_days}


def test_alarms_notify_the_topic_and_email_when_set(dev: Plan, prod: Plan) -> None:
    topic = prod.one("aws:sns/topic:Topic")
    for alarm in alarms(prod).values():
        assert alarm["alarmActions"] == [f"arn:aws:sns:us-east-1:123456789012:"
                                         f"{topic.inputs['name']}"]
    sub = prod.one("aws:sns/topicSubscription:TopicSubscription").inputs
    assert sub["protocol"] == "email" and sub["endpoint"] == prod.settings.alert_email
    assert not dev.of_type("aws:sns/topicSubscription:TopicSubscription")


def test_5xx_rate_alarm_divides_errors_by_requests(plan: Plan) -> None:
    alarm = alarms(plan)["alb-5xx-rate"]
    metrics = {q["id"]: q for q in alarm["metricQueries"]}
    assert {metrics[i]["metric"]["metricName"] for i in ("errors", "elb_errors", "requests")} \
        == {"HTTPCode_Target_5XX_Count", "HTTPCode_ELB_5XX_Count", "RequestCount"}
    assert "/" in metrics["rate"]["expression"] and metrics["rate"]["returnData"] is True
    assert alarm["threshold"] == 5


def test_p95_latency_and_unhealthy_targets(plan: Plan) -> None:
    latency = alarms(plan)["p95-latency"]
    assert latency["metricName"] == "TargetResponseTime"
    assert latency["extendedStatistic"] == "p95"
    assert latency["threshold"] == P95_LATENCY_SECONDS == 2
    unhealthy = alarms(plan)["unhealthy-targets"]
    assert unhealthy["metricName"] == "UnHealthyHostCount" and unhealthy["threshold"] == 0
    assert set(unhealthy["dimensions"]) == {"LoadBalancer", "TargetGroup"}


def test_ecs_and_redis_utilisation_alarms_cover_every_node(plan: Plan) -> None:
    found = alarms(plan)
    assert found["ecs-cpu"]["metricName"] == "CPUUtilization"
    assert found["ecs-memory"]["metricName"] == "MemoryUtilization"
    redis = [a for k, a in found.items() if k.startswith("redis-")]
    assert len(redis) == 2 * plan.settings.cache_nodes
    assert {a["metricName"] for a in redis} == {"EngineCPUUtilization",
                                                "DatabaseMemoryUsagePercentage"}
    nodes = {a["dimensions"]["CacheClusterId"] for a in redis}
    group = plan.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs
    assert nodes == {f"{group['replicationGroupId']}-{i + 1:03d}"
                     for i in range(group["numCacheClusters"])}
