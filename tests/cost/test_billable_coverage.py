"""Every resource the AWS plans declare is either priced by the part that owns it or free.

Each resource type is classified here: billable types name the catalog SKUs (from their
inputs) that the owning part's line items must carry, and, where the plan fixes it, the
quantity; free types say why. A new resource type fails until it is classified.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest

from infra.cost.catalog import CATALOG

H = 730
Need = dict[str, float | None]  # sku -> expected monthly quantity (None: usage-driven)


def _nat(i: dict[str, Any]) -> Need:
    return {"nat-gateway-hour": H, "nat-gateway-gb": None}


def _alb(i: dict[str, Any]) -> Need:
    need: Need = {"alb-hour": H, "alb-lcu-hour": None, "data-transfer-out-gb": None}
    if not i.get("internal"):  # an internet-facing ALB holds a public IPv4 per subnet/AZ
        need["public-ipv4-hour"] = len(i.get("subnets") or i.get("subnetMappings") or []) * H
    return need


def _service(i: dict[str, Any]) -> Need:
    providers = {s["capacityProvider"] for s in i.get("capacityProviderStrategies") or []}
    prefix = "fargate-spot" if providers == {"FARGATE_SPOT"} else "fargate"
    return {f"{prefix}-vcpu-hour": None, f"{prefix}-gb-hour": None}


def _schedule(i: dict[str, Any]) -> Need:
    ecs = (i.get("target") or {}).get("ecsParameters") or {}
    assert ecs.get("launchType") == "FARGATE", "schedule targets other than Fargate tasks"
    return {"fargate-vcpu-hour": None, "fargate-gb-hour": None}


def _instance(i: dict[str, Any]) -> Need:
    root = i.get("rootBlockDevice") or {}
    return {f"ec2-{i['instanceType']}-hour": H,
            f"ebs-{root.get('volumeType', 'gp3')}-gb-month": root.get("volumeSize", 8)}


def _cluster(i: dict[str, Any]) -> Need:
    insights = {s["name"]: s["value"] for s in i.get("settings") or []}.get("containerInsights")
    # Container Insights metrics are billed as custom CloudWatch metrics.
    return {"cloudwatch-metric-month": None} if insights in ("enabled", "enhanced") else {}


def _alarm(i: dict[str, Any]) -> Need:
    queries = i.get("metricQueries")
    return {"cloudwatch-alarm-metric-month":
            sum(1 for q in queries if q.get("metric")) if queries else 1}


def _scaling_policy(i: dict[str, Any]) -> Need:
    # Target tracking creates and owns two CloudWatch alarms (scale out, scale in).
    if i.get("policyType") == "TargetTrackingScaling":
        return {"cloudwatch-alarm-metric-month": 2}
    return {}


BILLABLE: dict[str, Callable[[dict[str, Any]], Need]] = {
    "aws:ec2/natGateway:NatGateway": _nat,
    "aws:ec2/eip:Eip": lambda i: {"public-ipv4-hour": H},
    "aws:lb/loadBalancer:LoadBalancer": _alb,
    "aws:ecs/service:Service": _service,
    "aws:scheduler/schedule:Schedule": _schedule,
    "aws:ecr/repository:Repository": lambda i: {"ecr-storage-gb-month": None},
    "aws:ec2/instance:Instance": _instance,
    "aws:ebs/volume:Volume": lambda i: {f"ebs-{i['type']}-gb-month": i["size"]},
    "aws:elasticache/replicationGroup:ReplicationGroup":
        lambda i: {f"elasticache-{i['nodeType']}-hour": i["numCacheClusters"] * H},
    "aws:secretsmanager/secret:Secret":
        lambda i: {"secretsmanager-secret-month": 1, "secretsmanager-10k-api-calls": None},
    "aws:s3/bucket:Bucket": lambda i: {"s3-standard-gb-month": None, "s3-1k-put-requests": None},
    "aws:cloudwatch/logGroup:LogGroup":
        lambda i: {"cloudwatch-logs-ingest-gb": None, "cloudwatch-logs-storage-gb-month": None},
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:kms/key:Key": lambda i: {"kms-key-month": 1},
    "aws:route53/zone:Zone": lambda i: {"route53-hosted-zone-month": 1},
    "aws:ecs/cluster:Cluster": _cluster,
    "aws:appautoscaling/policy:Policy": _scaling_policy,
}

FREE: dict[str, str] = {
    "pulumi:providers:aws": "a provider, not a cloud resource",
    "aws:ec2/vpc:Vpc": "no charge",
    "aws:ec2/subnet:Subnet": "no charge",
    "aws:ec2/internetGateway:InternetGateway": "no charge (egress is priced as data transfer)",
    "aws:ec2/routeTable:RouteTable": "no charge",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "no charge",
    "aws:ec2/securityGroup:SecurityGroup": "no charge",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "no charge",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "no charge",
    "aws:ec2/volumeAttachment:VolumeAttachment": "no charge (the volume is priced)",
    "aws:lb/listener:Listener": "no charge (hours and LCUs are billed on the load balancer)",
    "aws:lb/targetGroup:TargetGroup": "no charge",
    "aws:acm/certificate:Certificate": "public and imported ACM certificates are free",
    "aws:acm/certificateValidation:CertificateValidation": "no charge",
    "aws:route53/record:Record": "records are free; ALB alias queries are free and the app's "
                                 "private-zone lookups (60 s TTL) cost cents a month",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": "no charge (it bounds the ECR storage)",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": "no charge",
    "aws:ecs/taskDefinition:TaskDefinition": "billed when tasks run (service, schedule)",
    "aws:appautoscaling/target:Target": "no charge",
    "aws:elasticache/subnetGroup:SubnetGroup": "no charge",
    "aws:iam/role:Role": "IAM is free",
    "aws:iam/rolePolicy:RolePolicy": "IAM is free",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM is free",
    "aws:iam/instanceProfile:InstanceProfile": "IAM is free",
    "aws:s3/bucketVersioning:BucketVersioning": "bucket setting (versions are in S3 storage)",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": "bucket setting",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "bucket setting",
    "aws:s3/bucketPolicy:BucketPolicy": "bucket setting",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "bucket setting",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "bucket setting (SSE-S3 is free; a KMS key is priced as its own resource)",
    "aws:secretsmanager/secretVersion:SecretVersion": "billed per secret, not per version",
    "aws:sns/topic:Topic": "SNS: the first 1M publishes and 1,000 e-mails a month are free; "
                           "alarms publish a handful",
    "aws:sns/topicSubscription:TopicSubscription": "see aws:sns/topic:Topic",
    "docker-build:index:Image": "built by the deployer; the pushed image is ECR storage",
    "random:index/randomPassword:RandomPassword": "generated by Pulumi, no cloud resource",
    "tls:index/privateKey:PrivateKey": "generated by Pulumi, no cloud resource",
    "tls:index/selfSignedCert:SelfSignedCert": "generated by Pulumi, no cloud resource",
}

# Billable resources the AWS parts do not price yet; each is a requested change to a part's
# line items. A fixed gap fails the test too, so this list stays true.
KNOWN_GAPS: dict[tuple[str, str, str], str] = {
}


def _owning_part(res: dict[str, Any], by_urn: dict[str, dict[str, Any]]) -> str:
    parent = by_urn.get(res.get("parent") or "")
    while parent is not None:
        if parent["type"].startswith("agent-stack:") and not parent["type"].endswith(
                ":AgentStack"):
            return str(parent["type"].rsplit(":", 1)[-1])
        parent = by_urn.get(parent.get("parent") or "")
    return "AgentStack"


def expected_lines(plan: dict[str, Any]) -> dict[tuple[str, str], float | None]:
    """(part, sku) -> monthly quantity the plan's resources call for (None: usage-driven)."""
    by_urn = {r["urn"]: r for r in plan["resources"]}
    expected: dict[tuple[str, str], float | None] = {}
    for res in plan["resources"]:
        classify = BILLABLE.get(res["type"])
        if classify is None:
            continue
        part = _owning_part(res, by_urn)
        for sku, qty in classify(res["inputs"]).items():
            key = (part, sku)
            if key in expected:
                prior = expected[key]
                expected[key] = None if prior is None or qty is None else prior + qty
            else:
                expected[key] = qty
    return expected


def priced_lines(plan: dict[str, Any]) -> dict[tuple[str, str], float]:
    lines: dict[tuple[str, str], float] = defaultdict(float)
    for line in plan["cost"]["lineItems"]:
        lines[(line["part"], line["sku"])] += line["quantity"]
    return dict(lines)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_resource_type_is_classified(env: str, make_plan: Any) -> None:
    types = {r["type"] for r in make_plan(env)["resources"]}
    unclassified = sorted(t for t in types if t not in BILLABLE and t not in FREE
                          and not t.startswith("agent-stack:"))
    assert not unclassified, f"classify as billable (with SKUs) or free: {unclassified}"


def coverage_problems(plan: dict[str, Any]) -> tuple[set[tuple[str, str]], list[Any]]:
    """((part, sku) lines the resources call for but the estimate lacks, wrong quantities)."""
    priced = priced_lines(plan)
    missing, wrong_quantity = set(), []
    for (part, sku), qty in expected_lines(plan).items():
        CATALOG.price("aws", "us-east-1", sku)  # raises UnknownSku when the catalog lacks it
        if (part, sku) not in priced:
            missing.add((part, sku))
        elif qty is not None and priced[(part, sku)] != pytest.approx(qty, rel=1e-6):
            wrong_quantity.append((part, sku, priced[(part, sku)], qty))
    return missing, wrong_quantity


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_billable_resources_are_priced_by_their_part(env: str, make_plan: Any) -> None:
    missing, wrong_quantity = coverage_problems(make_plan(env))
    known = {(part, sku) for (e, part, sku) in KNOWN_GAPS if e == env}
    assert not wrong_quantity, wrong_quantity
    assert missing - known == set(), f"billable resources without a line item: {missing - known}"
    assert known - missing == set(), f"gap fixed, remove from KNOWN_GAPS: {known - missing}"


def test_a_dropped_or_miscounted_line_is_caught(make_plan: Any) -> None:
    plan = make_plan("prod")
    lines = plan["cost"]["lineItems"]
    plan["cost"]["lineItems"] = [
        {**line, "quantity": H} if line["sku"].startswith("elasticache-") else line
        for line in lines if line["sku"] != "kms-key-month"]
    missing, wrong_quantity = coverage_problems(plan)
    assert ("Backups", "kms-key-month") in missing
    assert [(w[0], w[1]) for w in wrong_quantity] == [("Cache", "elasticache-cache.t4g.small-hour")]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_no_line_item_prices_something_the_plan_lacks(env: str, make_plan: Any) -> None:
    """A line for a resource kind that was removed (say, NAT) would be money for nothing."""
    plan = make_plan(env)
    expected = expected_lines(plan)
    assert set(priced_lines(plan)) <= set(expected), set(priced_lines(plan)) - set(expected)


def test_classification_follows_the_settings(make_plan: Any) -> None:
    """Per-AZ NAT in dev and Fargate Spot in prod move the priced lines with them."""
    dev = make_plan("dev", natGateways="per-az")
    assert priced_lines(dev)[("Network", "nat-gateway-hour")] == 2 * H
    assert expected_lines(dev)[("Network", "nat-gateway-hour")] == 2 * H
    prod = make_plan("prod", appCapacity="spot")
    priced = priced_lines(prod)
    assert ("AppService", "fargate-spot-vcpu-hour") in priced
    assert ("AppService", "fargate-vcpu-hour") not in priced
    assert ("AppService", "fargate-spot-vcpu-hour") in expected_lines(prod)
