"""Readable text of an offline plan: the component tree with key properties, outputs, policy."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

# The inputs worth seeing at a glance, per resource type; the JSON plan has all of them.
KEY_PROPERTIES: dict[str, tuple[str, ...]] = {
    "aws:ec2/vpc:Vpc": ("cidrBlock",),
    "aws:ec2/subnet:Subnet": ("cidrBlock", "availabilityZone", "mapPublicIpOnLaunch"),
    "aws:ec2/natGateway:NatGateway": ("connectivityType",),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("fromPort", "cidrIpv4",
                                                                 "description"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("toPort", "cidrIpv4",
                                                               "description"),
    "aws:lb/loadBalancer:LoadBalancer": ("name", "internal", "dropInvalidHeaderFields"),
    "aws:lb/listener:Listener": ("port", "protocol", "sslPolicy"),
    "aws:lb/targetGroup:TargetGroup": ("name", "port", "healthCheck.path"),
    "aws:acm/certificate:Certificate": ("domainName", "validationMethod"),
    "aws:ecr/repository:Repository": ("name", "imageTagMutability",
                                      "imageScanningConfiguration.scanOnPush"),
    "aws:ecs/taskDefinition:TaskDefinition": ("family", "cpu", "memory"),
    "aws:ecs/service:Service": ("desiredCount", "deploymentCircuitBreaker.rollback"),
    "aws:appautoscaling/target:Target": ("minCapacity", "maxCapacity"),
    "aws:ec2/instance:Instance": ("instanceType", "metadataOptions.httpTokens"),
    "aws:ebs/volume:Volume": ("type", "size", "encrypted"),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "nodeType", "numCacheClusters", "transitEncryptionEnabled", "atRestEncryptionEnabled",
        "multiAzEnabled"),
    "aws:secretsmanager/secret:Secret": ("recoveryWindowInDays",),
    "aws:s3/bucketVersioning:BucketVersioning": ("versioningConfiguration.status",),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "retentionInDays"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name", "threshold"),
    "aws:scheduler/schedule:Schedule": ("scheduleExpression",),
}


def _lookup(inputs: dict[str, Any], dotted: str) -> Any:
    value: Any = inputs
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _describe(resource: dict[str, Any]) -> str:
    props = []
    for key in KEY_PROPERTIES.get(resource["type"], ()):
        value = _lookup(resource["inputs"], key)
        if value is not None:
            props.append(f"{key.split('.')[-1]}={value}")
    suffix = f"  {' '.join(props)}" if props else ""
    return f"{resource['type']}  {resource['name']}{suffix}"


def render_text(plan: dict[str, Any]) -> str:
    resources = plan["resources"]
    children: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    urns = {r["urn"] for r in resources}
    for r in resources:
        children[r["parent"] if r["parent"] in urns else None].append(r)

    lines = [f"{plan['project']}/{plan['stack']}: {plan['cloud']} {plan['environment']}, "
             f"{len(resources)} resources"]

    def walk(parent: str | None, depth: int) -> None:
        for r in sorted(children.get(parent, []), key=lambda r: (r["type"], r["name"])):
            lines.append("  " * depth + "+ " + _describe(r))
            walk(r["urn"], depth + 1)

    walk(None, 1)
    lines.append("")
    lines.append("Outputs:")
    for key, value in plan["outputs"].items():
        if key == "costEstimate":
            continue
        shown = value if isinstance(value, str) else json.dumps(value)
        lines.append(f"  {key}: {shown}")
    cost = plan.get("cost")
    if cost:
        lines.append("")
        lines.append(f"Estimated cost: ${cost['monthly']:.2f}/month ({cost['currency']}, "
                     f"{cost['pricedRegion']} list prices of {cost['catalogDate']})")
        top = sorted(cost["lineItems"], key=lambda i: -i["monthly"])[:3]
        for item in top:
            lines.append(f"  {item['part']:<14} {item['sku']:<34} ${item['monthly']:>8.2f}")
    violations = plan["policy"]["violations"]
    lines.append("")
    if violations:
        lines.append(f"Policy: {len(violations)} violation(s)")
        for v in violations:
            lines.append(f"  [{v['enforcement']}] {v['policy']}: {v['message']}")
            lines.append(f"      {v['urn']}")
    else:
        lines.append("Policy: no violations")
    return "\n".join(lines)
