"""The dev and prod estimates recomputed by hand from the catalog's cited prices.

Each line below is the arithmetic a reviewer would do with the AWS pricing pages open:
count x hours x price, with the quantities taken from the env profiles in infra/settings.py
and the constants of each part (image size, snapshot size, backup task size). The plan's
costEstimate must agree within 1% in total and per part.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from typing import Any

import pytest

H = 730  # hours in a month, as the issue fixes it


@pytest.fixture(scope="module")
def P(csv_rows: list[dict[str, str]]) -> dict[str, float]:
    return {r["sku"]: float(r["usd"]) for r in csv_rows
            if r["cloud"] == "aws" and r["region"] == "us-east-1"}


def dev_by_hand(P: dict[str, float]) -> dict[str, float]:
    # Network: one shared NAT gateway (natGateways=single) with its Elastic IP; 5 GB egress.
    network = (1 * H * P["nat-gateway-hour"]
               + 1 * H * P["public-ipv4-hour"]
               + 5 * P["nat-gateway-gb"])
    # LoadBalancer: one ALB with a public IPv4 per AZ (2 AZs). LCU-hours are the larger of
    # bytes (5 GB / 1 GB per LCU-hour = 5) and new connections
    # (100,000 / (730 * 3600 s) / 25 per s * 730 h = 1.11): 5. 5 GB leave to the internet.
    load_balancer = (1 * H * P["alb-hour"]
                     + 5 * P["alb-lcu-hour"]
                     + 2 * H * P["public-ipv4-hour"]
                     + 5 * P["data-transfer-out-gb"])
    # AppService: 1 task of 256 CPU units (0.25 vCPU) and 1 GiB on Fargate Spot, all month;
    # ECR keeps about 3 images of 0.6 GB.
    app = (1 * H * 0.25 * P["fargate-spot-vcpu-hour"]
           + 1 * H * 1.0 * P["fargate-spot-gb-hour"]
           + 3 * 0.6 * P["ecr-storage-gb-month"]
           # 2 target-tracking policies, each with a scale-out and a scale-in alarm.
           + 2 * 2 * P["cloudwatch-alarm-metric-month"])
    # VectorStore: one t4g.micro; gp3 data volume 10 GB + 10 GB root; private hosted zone.
    vector_store = (1 * H * P["ec2-t4g.micro-hour"]
                    + (10 + 10) * P["ebs-gp3-gb-month"]
                    + 1 * P["route53-hosted-zone-month"])
    # Cache: one cache.t4g.micro node (no replica in dev).
    cache = 1 * H * P["elasticache-cache.t4g.micro-hour"]
    # Secrets: API keys, Redis AUTH token, vector-store key (no Anthropic key configured);
    # about 1,000 reads a month = 0.1 x 10k calls.
    secrets = 3 * P["secretsmanager-secret-month"] + 0.1 * P["secretsmanager-10k-api-calls"]
    # Backups: daily schedule = 30 runs; 7 days kept x 1 GB snapshot; 50 PUTs a run; each run
    # a 10-minute Fargate task of 0.25 vCPU / 1 GiB (on demand). SSE-S3, no KMS key in dev.
    backups = (7 * 1.0 * P["s3-standard-gb-month"]
               + 30 * 50 / 1000 * P["s3-1k-put-requests"]
               + 30 * 10 / 60 * 0.25 * P["fargate-vcpu-hour"]
               + 30 * 10 / 60 * 1.0 * P["fargate-gb-hour"])
    # Logs: 1 GB ingested; 14 days retention keeps 1 x 14/30 GB stored.
    logs = 1 * P["cloudwatch-logs-ingest-gb"] + 1 * 14 / 30 * P["cloudwatch-logs-storage-gb-month"]
    # Monitoring: alarm metrics: 5xx rate (3 metrics), p95 latency (1), unhealthy targets (1),
    # ECS CPU and memory (2), Redis CPU and memory per node (2 x 1).
    monitoring = (3 + 1 + 1 + 2 + 2 * 1) * P["cloudwatch-alarm-metric-month"]
    return {"Network": network, "LoadBalancer": load_balancer, "AppService": app,
            "VectorStore": vector_store, "Cache": cache, "Secrets": secrets,
            "Backups": backups, "Logs": logs, "Monitoring": monitoring}


def prod_by_hand(P: dict[str, float]) -> dict[str, float]:
    # Network: a NAT gateway and Elastic IP per AZ (natGateways=per-az, 2 AZs); 50 GB egress.
    network = (2 * H * P["nat-gateway-hour"]
               + 2 * H * P["public-ipv4-hour"]
               + 50 * P["nat-gateway-gb"])
    # LoadBalancer: LCU-hours = max(50 GB / 1 = 50, 3,000,000 / (730 * 3600) / 25 * 730 =
    # 33.3) = 50; a public IPv4 per AZ; 50 GB to the internet.
    load_balancer = (1 * H * P["alb-hour"]
                     + 50 * P["alb-lcu-hour"]
                     + 2 * H * P["public-ipv4-hour"]
                     + 50 * P["data-transfer-out-gb"])
    # AppService: 2 tasks (appMinCount) of 0.5 vCPU / 1 GiB on regular Fargate; ECR images.
    app = (2 * H * 0.5 * P["fargate-vcpu-hour"]
           + 2 * H * 1.0 * P["fargate-gb-hour"]
           + 3 * 0.6 * P["ecr-storage-gb-month"]
           # 2 target-tracking policies, each with a scale-out and a scale-in alarm.
           + 2 * 2 * P["cloudwatch-alarm-metric-month"])
    # VectorStore: one t4g.medium; 50 GB data + 10 GB root gp3; private hosted zone.
    vector_store = (1 * H * P["ec2-t4g.medium-hour"]
                    + (50 + 10) * P["ebs-gp3-gb-month"]
                    + 1 * P["route53-hosted-zone-month"])
    # Cache: primary + replica cache.t4g.small (Multi-AZ).
    cache = 2 * H * P["elasticache-cache.t4g.small-hour"]
    secrets = 3 * P["secretsmanager-secret-month"] + 0.1 * P["secretsmanager-10k-api-calls"]
    # Backups: 30 daily runs, 35 days retention -> 30 snapshots of 1 GB kept; a KMS key.
    backups = (30 * 1.0 * P["s3-standard-gb-month"]
               + 30 * 50 / 1000 * P["s3-1k-put-requests"]
               + 30 * 10 / 60 * 0.25 * P["fargate-vcpu-hour"]
               + 30 * 10 / 60 * 1.0 * P["fargate-gb-hour"]
               + 1 * P["kms-key-month"])
    # Logs: 10 GB ingested; 90 days retention keeps 10 x 90/30 = 30 GB stored.
    logs = (10 * P["cloudwatch-logs-ingest-gb"]
            + 10 * 90 / 30 * P["cloudwatch-logs-storage-gb-month"])
    # Monitoring: 3 + 1 + 1 + 2 alarm metrics, plus Redis CPU and memory for 2 nodes.
    monitoring = (3 + 1 + 1 + 2 + 2 * 2) * P["cloudwatch-alarm-metric-month"]
    return {"Network": network, "LoadBalancer": load_balancer, "AppService": app,
            "VectorStore": vector_store, "Cache": cache, "Secrets": secrets,
            "Backups": backups, "Logs": logs, "Monitoring": monitoring}


BY_HAND = {"dev": dev_by_hand, "prod": prod_by_hand}


def _by_part(cost: dict[str, Any]) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for line in cost["lineItems"]:
        totals[line["part"]] += line["monthly"]
    return dict(totals)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_estimate_agrees_with_hand_arithmetic(env: str, make_plan: Any,
                                              P: dict[str, float]) -> None:
    cost = make_plan(env)["cost"]
    expected = BY_HAND[env](P)
    total = sum(expected.values())
    assert cost["monthly"] == pytest.approx(total, rel=0.01), (cost["monthly"], total)
    actual = _by_part(cost)
    assert set(actual) == set(expected)
    for part, amount in expected.items():
        # Lines are rounded to cents, so tiny parts get a cent per line of slack.
        assert actual[part] == pytest.approx(amount, rel=0.01, abs=0.03), part


def test_hand_arithmetic_is_sensitive_to_the_prices(make_plan: Any,
                                                    P: dict[str, float]) -> None:
    """A NAT price 10% off moves the dev total by more than the 1% tolerance."""
    wrong = {**P, "nat-gateway-hour": P["nat-gateway-hour"] * 1.1}
    assert make_plan("dev")["cost"]["monthly"] != pytest.approx(
        sum(dev_by_hand(wrong).values()), rel=0.01)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_line_items_sum_to_the_total(env: str, make_plan: Any) -> None:
    cost = make_plan(env)["cost"]
    assert cost["currency"] == "USD"
    assert round(sum(line["monthly"] for line in cost["lineItems"]), 2) == cost["monthly"]
    for line in cost["lineItems"]:
        assert line["monthly"] == round(line["quantity"] * line["unitPrice"], 2), line
    assert cost["assumptions"]["hoursPerMonth"] == H


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_sku_has_a_cited_dated_catalog_row(env: str, make_plan: Any,
                                                 csv_rows: list[dict[str, str]]) -> None:
    rows = {r["sku"]: r for r in csv_rows if r["cloud"] == "aws"}
    cost = make_plan(env)["cost"]
    today = datetime.date.today()
    for line in cost["lineItems"]:
        row = rows.get(line["sku"])
        assert row is not None, f"{line['sku']} has no row in prices.csv"
        assert re.match(r"^https://aws\.amazon\.com/", row["source"]), row
        assert datetime.date.fromisoformat(row["as_of"]) <= today, row
        assert float(row["usd"]) == line["unitPrice"]
        assert row["unit"] == line["unit"]
    assert cost["catalogDate"] == max(r["as_of"] for r in csv_rows)
    assert cost["pricedRegion"] == "us-east-1"
