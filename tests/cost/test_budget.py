"""Cost is a design goal: dev at or below a small single-VM production, HA prod at most $250.

The savings must come from sizes, the NAT strategy and Spot for dev, never from dropping
HTTPS, encryption or backups; the last tests check those are still in both plans.
"""

from __future__ import annotations

from typing import Any

import pytest

# One t3.large, an ALB and S3 backups: about $92 a month (the reference).
SINGLE_VM_REFERENCE = 92.0
PROD_CEILING = 250.0


def _of_type(plan: dict[str, Any], typ: str) -> list[dict[str, Any]]:
    return [r for r in plan["resources"] if r["type"] == typ]


def test_dev_costs_no_more_than_a_single_vm(make_plan: Any) -> None:
    assert make_plan("dev")["cost"]["monthly"] <= SINGLE_VM_REFERENCE


def test_ha_prod_costs_at_most_250(make_plan: Any) -> None:
    assert make_plan("prod")["cost"]["monthly"] <= PROD_CEILING


def test_prod_is_highly_available(make_plan: Any) -> None:
    plan = make_plan("prod")
    assert len(_of_type(plan, "aws:ec2/natGateway:NatGateway")) >= 2
    (redis,) = _of_type(plan, "aws:elasticache/replicationGroup:ReplicationGroup")
    assert redis["inputs"]["numCacheClusters"] >= 2
    assert redis["inputs"]["multiAzEnabled"] is True
    (service,) = _of_type(plan, "aws:ecs/service:Service")
    assert service["inputs"]["desiredCount"] >= 2
    assert {s["capacityProvider"] for s in service["inputs"]["capacityProviderStrategies"]} \
        == {"FARGATE"}, "prod app tasks are not interruptible"


def test_only_dev_runs_the_app_on_spot(make_plan: Any) -> None:
    (dev,) = _of_type(make_plan("dev"), "aws:ecs/service:Service")
    assert dev["inputs"]["capacityProviderStrategies"][0]["capacityProvider"] == "FARGATE_SPOT"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_savings_keep_https_encryption_and_backups(env: str, make_plan: Any) -> None:
    plan = make_plan(env)
    listeners = {r["inputs"]["port"]: r["inputs"]
                 for r in _of_type(plan, "aws:lb/listener:Listener")}
    assert listeners[443]["protocol"] == "HTTPS"
    assert listeners[80]["defaultActions"][0]["type"] == "redirect"
    assert all(v["inputs"]["encrypted"] for v in _of_type(plan, "aws:ebs/volume:Volume"))
    (redis,) = _of_type(plan, "aws:elasticache/replicationGroup:ReplicationGroup")
    assert redis["inputs"]["transitEncryptionEnabled"]
    assert redis["inputs"]["atRestEncryptionEnabled"]
    assert _of_type(plan, "aws:s3/bucketServerSideEncryptionConfiguration:"
                          "BucketServerSideEncryptionConfiguration")
    assert _of_type(plan, "aws:scheduler/schedule:Schedule"), "no backup schedule"
    assert any(line["part"] == "Backups" for line in plan["cost"]["lineItems"])
