"""Rendering a costEstimate: table, Markdown and JSON show the same numbers and assumptions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.cost.render import label, part_totals, quantity, render, unit_price, usd

ESTIMATE: dict[str, Any] = {
    "currency": "USD",
    "monthly": 41.25,
    "lineItems": [
        {"part": "Network", "sku": "nat-gateway-hour", "quantity": 730, "unit": "NAT-hour",
         "unitPrice": 0.045, "monthly": 32.85},
        {"part": "Secrets", "sku": "secretsmanager-secret-month", "quantity": 3,
         "unit": "secret-month", "unitPrice": 0.4, "monthly": 1.2},
        {"part": "Network", "sku": "nat-gateway-gb", "quantity": 160, "unit": "GB processed",
         "unitPrice": 0.045, "monthly": 7.2},
    ],
    "catalogDate": "2025-01-01",
    "pricedRegion": "us-east-1",
    "assumptions": {"hoursPerMonth": 730, "requestsPerMonth": 100000, "egressGbPerMonth": 160},
}


def test_number_formats() -> None:
    assert usd(1234.5) == "$1,234.50"
    assert usd(2.5, sign=True) == "+$2.50"
    assert usd(-0.4, sign=True) == "-$0.40"
    assert usd(-0.001, sign=True) == "$0.00"
    assert quantity(730) == "730" and quantity(182.5) == "182.50" and quantity(1.8) == "1.80"
    assert unit_price(0.045) == "0.045" and unit_price(1.0) == "1.00"
    assert unit_price(0.01246584) == "0.01246584"
    assert label("egressGbPerMonth") == "egress GB per month"


def test_part_totals_are_sorted_by_cost() -> None:
    assert part_totals(ESTIMATE) == [("Network", 40.05), ("Secrets", 1.2)]


def test_table_lists_lines_by_cost_with_total_region_date_and_assumptions() -> None:
    text = render(ESTIMATE, "table", "offline plan of agent-stack/dev: aws dev")
    lines = text.splitlines()
    assert lines[0] == ("Estimated monthly cost: $41.25  "
                        "(offline plan of agent-stack/dev: aws dev)")
    assert "us-east-1 list prices as of 2025-01-01" in lines[1]
    body = [line for line in lines if line.startswith(("Network", "Secrets"))]
    assert [line.split()[1] for line in body] == [
        "nat-gateway-hour", "nat-gateway-gb", "secretsmanager-secret-month"]
    assert body[0].split()[-2:] == ["32.85", "79.6%"]
    assert any(line.startswith("TOTAL") and line.endswith("41.25") for line in lines)
    assert "By part: Network $40.05 (97.1%), Secrets $1.20 (2.9%)" in text
    assert "requests per month: 100,000" in text and "egress GB per month: 160" in text


def test_markdown_is_a_table_with_the_same_numbers() -> None:
    text = render(ESTIMATE, "markdown")
    assert text.startswith("**Estimated cost: $41.25/month** (USD, us-east-1 list prices "
                           "as of 2025-01-01)")
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert rows[0].startswith("| part | SKU |")
    assert rows[1] == "| Network | `nat-gateway-hour` | 730 | NAT-hour | 0.045 | $32.85 | 79.6% |"
    assert rows[-1] == "| **total** | | | | | **$41.25** | |"
    assert "<summary>Usage assumptions</summary>" in text
    assert "- hours per month: 730" in text


def test_json_round_trips() -> None:
    assert json.loads(render(ESTIMATE, "json")) == ESTIMATE


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="allowed table, markdown, json"):
        render(ESTIMATE, "yaml")


def test_markdown_escapes_pipes_in_names() -> None:
    odd = {**ESTIMATE, "lineItems": [{**ESTIMATE["lineItems"][0], "part": "A|B"}]}
    assert "| A\\|B |" in render(odd, "markdown")
