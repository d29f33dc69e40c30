"""A stack's monthly estimate (the `costEstimate` output) from its parts' line items."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from infra.cost.catalog import CATALOG
from infra.cost.line_item import HOURS_PER_MONTH, LineItem
from infra.settings import StackSettings


def estimate(settings: StackSettings, items: Iterable[LineItem]) -> dict[str, Any]:
    """The DESIGN costEstimate object: line items that sum to `monthly`."""
    lines = [item.to_json() for item in items]
    return {
        "currency": "USD",
        "monthly": round(sum(line["monthly"] for line in lines), 2),
        "lineItems": lines,
        "catalogDate": CATALOG.date,
        "pricedRegion": CATALOG.priced_region(settings.cloud, settings.region),
        "assumptions": {
            "hoursPerMonth": HOURS_PER_MONTH,
            "requestsPerMonth": settings.requests_per_month,
            "egressGbPerMonth": settings.egress_gb_per_month,
            "logGbPerMonth": settings.log_gb_per_month,
        },
    }
