"""The price catalog as data: well formed, cited, dated, and covering what the issue lists."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest

from infra.cost.catalog import CATALOG, Catalog, Price, UnknownSku

COLUMNS = ["cloud", "region", "sku", "unit", "usd", "source", "as_of"]

# The billable AWS resources the issue names, each as SKU patterns that must have a row.
ISSUE_COVERAGE: dict[str, tuple[str, ...]] = {
    "Fargate vCPU-hours and GB-hours": (r"fargate-vcpu-hour", r"fargate-gb-hour",
                                        r"fargate-spot-vcpu-hour", r"fargate-spot-gb-hour"),
    "ALB hours and LCUs": (r"alb-hour", r"alb-lcu-hour"),
    "NAT gateway hours and GB": (r"nat-gateway-hour", r"nat-gateway-gb"),
    "EC2 instance types": (r"ec2-t4g\.micro-hour", r"ec2-t4g\.medium-hour",
                           r"ec2-t3\.large-hour"),
    "EBS gp3": (r"ebs-gp3-gb-month",),
    "ElastiCache node types": (r"elasticache-cache\.t4g\.micro-hour",
                               r"elasticache-cache\.t4g\.small-hour"),
    "Secrets Manager secrets and API calls": (r"secretsmanager-secret-month",
                                              r"secretsmanager-10k-api-calls"),
    "S3 storage and requests": (r"s3-standard-gb-month", r"s3-1k-put-requests"),
    "CloudWatch logs, metrics and alarms": (r"cloudwatch-logs-ingest-gb",
                                            r"cloudwatch-logs-storage-gb-month",
                                            r"cloudwatch-metric-month",
                                            r"cloudwatch-alarm-metric-month"),
    "ECR storage": (r"ecr-storage-gb-month",),
    "KMS keys": (r"kms-key-month",),
    "data transfer": (r"data-transfer-out-gb",),
    "public IPv4 addresses": (r"public-ipv4-hour",),
}


def test_rows_are_complete_cited_and_dated(csv_rows: list[dict[str, str]]) -> None:
    assert csv_rows, "prices.csv is empty"
    assert list(csv_rows[0]) == COLUMNS
    today = datetime.date.today()
    seen = set()
    for row in csv_rows:
        key = (row["cloud"], row["region"], row["sku"])
        assert key not in seen, f"duplicate row {key}"
        seen.add(key)
        assert all(row[c].strip() == row[c] and row[c] for c in COLUMNS), row
        assert re.match(r"^[a-z0-9][a-z0-9.\-]*$", row["sku"]), row
        assert float(row["usd"]) > 0, row
        assert row["source"].startswith("https://"), row
        assert datetime.date.fromisoformat(row["as_of"]) <= today, row


def test_aws_prices_cite_the_aws_pricing_pages(csv_rows: list[dict[str, str]]) -> None:
    for row in csv_rows:
        if row["cloud"] == "aws":
            assert re.match(r"^https://aws\.amazon\.com/[a-z0-9\-/]+/", row["source"]), row


@pytest.mark.parametrize("what", sorted(ISSUE_COVERAGE))
def test_catalog_covers_what_the_issue_lists(what: str, csv_rows: list[dict[str, str]]) -> None:
    skus = {r["sku"] for r in csv_rows if r["cloud"] == "aws" and r["region"] == "us-east-1"}
    for pattern in ISSUE_COVERAGE[what]:
        assert any(re.fullmatch(pattern, s) for s in skus), f"{what}: no SKU {pattern}"


def test_hourly_prices_are_plausible_per_unit(csv_rows: list[dict[str, str]]) -> None:
    """Guards against a monthly price typed into an hourly row (or the reverse)."""
    for row in csv_rows:
        usd = float(row["usd"])
        if row["sku"].endswith("-hour"):
            assert usd < 5, row
        if row["sku"].startswith(("ec2-", "elasticache-")):
            assert 0.001 < usd < 5, row


def test_spot_is_cheaper_than_on_demand() -> None:
    for dim in ("vcpu", "gb"):
        spot = CATALOG.price("aws", "us-east-1", f"fargate-spot-{dim}-hour").usd
        regular = CATALOG.price("aws", "us-east-1", f"fargate-{dim}-hour").usd
        assert spot < regular


def test_other_regions_use_the_reference_region_and_say_so(tmp_path: Path) -> None:
    path = tmp_path / "prices.csv"
    path.write_text(",".join(COLUMNS) + "\n"
                    "aws,us-east-1,alb-hour,ALB-hour,0.0225,https://aws.amazon.com/x/,2025-01-01\n"
                    "aws,eu-west-1,alb-hour,ALB-hour,0.0252,https://aws.amazon.com/x/,2025-02-01\n")
    catalog = Catalog.load(path)
    assert catalog.price("aws", "eu-west-1", "alb-hour").usd == 0.0252
    assert catalog.price("aws", "ap-south-1", "alb-hour").usd == 0.0225
    assert catalog.priced_region("aws", "eu-west-1") == "eu-west-1"
    assert catalog.priced_region("aws", "ap-south-1") == "us-east-1"
    assert catalog.date == "2025-02-01"


def test_an_unknown_sku_names_itself_and_the_fix() -> None:
    with pytest.raises(UnknownSku, match=r"aws/ec2-x9.huge-hour.*source URL and date"):
        CATALOG.price("aws", "us-east-1", "ec2-x9.huge-hour")


def test_catalog_iterates_its_prices() -> None:
    prices = list(CATALOG)
    assert prices and all(isinstance(p, Price) for p in prices)
    assert {p.cloud for p in prices} == {"aws"}
