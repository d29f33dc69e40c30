"""Offline plans of the shipped stacks (the real program under mocks), built once per session."""

from __future__ import annotations

import copy
import csv
from collections.abc import Callable
from typing import Any

import pytest

from infra.cost.catalog import PRICES_CSV
from infra.offline.plan import build_plan

_PLANS: dict[tuple[str, str], dict[str, Any]] = {}


def plan_of(env: str, **overrides: str) -> dict[str, Any]:
    """A deep copy of the offline plan of `aws`/`env` with `key=value` setting overrides."""
    key = (env, repr(sorted(overrides.items())))
    if key not in _PLANS:
        _PLANS[key] = build_plan("aws", env, overrides)
    return copy.deepcopy(_PLANS[key])


@pytest.fixture(scope="session")
def make_plan() -> Callable[..., dict[str, Any]]:
    return plan_of


@pytest.fixture(scope="session")
def csv_rows() -> list[dict[str, str]]:
    """The catalog rows as the CSV file holds them, read without the Catalog class."""
    with PRICES_CSV.open(newline="") as fh:
        return list(csv.DictReader(fh))
