"""The price catalog: list prices kept as data (prices.csv) with their source and date."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

PRICES_CSV = Path(__file__).with_name("prices.csv")
# Prices are listed for this region of each cloud; other regions are estimated at them
# and the estimate says so.
REFERENCE_REGION = {"aws": "us-east-1"}


@dataclass(frozen=True)
class Price:
    cloud: str
    region: str
    sku: str
    unit: str
    usd: float
    source: str
    as_of: str


class UnknownSku(KeyError):
    pass


class Catalog:
    def __init__(self, prices: list[Price]) -> None:
        self._by_key = {(p.cloud, p.region, p.sku): p for p in prices}

    @classmethod
    def load(cls, path: Path = PRICES_CSV) -> Catalog:
        with path.open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        return cls([Price(cloud=r["cloud"], region=r["region"], sku=r["sku"], unit=r["unit"],
                          usd=float(r["usd"]), source=r["source"], as_of=r["as_of"])
                    for r in rows])

    def price(self, cloud: str, region: str, sku: str) -> Price:
        found = (self._by_key.get((cloud, region, sku))
                 or self._by_key.get((cloud, REFERENCE_REGION.get(cloud, ""), sku)))
        if found is None:
            raise UnknownSku(f"no price for {cloud}/{sku} in {PRICES_CSV.name}; add a row "
                             "with its source URL and date")
        return found

    def priced_region(self, cloud: str, region: str) -> str:
        """The region whose prices an estimate for `region` uses."""
        if any(k[0] == cloud and k[1] == region for k in self._by_key):
            return region
        return REFERENCE_REGION.get(cloud, region)

    @property
    def date(self) -> str:
        return max(p.as_of for p in self._by_key.values())

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_key.values())


CATALOG = Catalog.load()
