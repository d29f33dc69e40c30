"""benchmarks/cost_report.py: the single-VM reference from the catalog, and target checks."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "cost_report.py"


@pytest.fixture(scope="module")
def cost_report() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cost_report", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reference_is_the_issues_about_92(cost_report: ModuleType) -> None:
    total, lines = cost_report.reference_total()
    assert total == pytest.approx(92, abs=1.5)
    assert dict(lines)["EC2 t3.large"] == round(730 * 0.0832, 2)


def test_report_shows_totals_top_items_and_flags_a_miss(cost_report: ModuleType,
                                                        make_plan: Any) -> None:
    estimates = {"dev": make_plan("dev")["cost"], "prod": make_plan("prod")["cost"]}
    text, ok = cost_report.report(estimates, markdown=False)
    assert ok
    assert f"aws dev: ${estimates['dev']['monthly']:,.2f}/month" in text
    assert "top 3: Network nat-gateway-hour $32.85" in text
    dear = {**estimates["prod"], "monthly": 250.01}
    text, ok = cost_report.report({"prod": dear}, markdown=True)
    assert not ok and "(OVER)" in text
