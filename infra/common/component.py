"""Base class of every part: one type token scheme, children parented to the part, cost lines."""

from __future__ import annotations

import pulumi

from infra.cost.catalog import CATALOG
from infra.cost.line_item import LineItem
from infra.settings import StackSettings


class Part(pulumi.ComponentResource):
    """A ComponentResource typed `agent-stack:<cloud>:<Part>` that adds its own cost lines."""

    cloud: str = ""

    def __init__(self, name: str, settings: StackSettings,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(f"agent-stack:{self.cloud}:{type(self).__name__}", name, None, opts)
        self.settings = settings
        self.line_items: list[LineItem] = []

    @property
    def child(self) -> pulumi.ResourceOptions:
        """Options for a child resource of this part."""
        return pulumi.ResourceOptions(parent=self)

    @property
    def invoke(self) -> pulumi.InvokeOptions:
        return pulumi.InvokeOptions(parent=self)

    def add_cost(self, sku: str, quantity: float) -> None:
        """Adds a monthly line item for `quantity` units of a catalog SKU."""
        price = CATALOG.price(self.cloud, self.settings.region, sku)
        self.line_items.append(LineItem(part=type(self).__name__, sku=sku, quantity=quantity,
                                        unit=price.unit, unit_price=price.usd))
