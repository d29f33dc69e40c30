"""A cost line item: what one part of a stack costs per month for one SKU."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HOURS_PER_MONTH = 730


@dataclass(frozen=True)
class LineItem:
    part: str
    sku: str
    quantity: float
    unit: str
    unit_price: float

    @property
    def monthly(self) -> float:
        return round(self.quantity * self.unit_price, 2)

    def to_json(self) -> dict[str, Any]:
        return {"part": self.part, "sku": self.sku, "quantity": self.quantity,
                "unit": self.unit, "unitPrice": self.unit_price, "monthly": self.monthly}
