"""The AgentStack output contract (DESIGN) and the component structure."""

from __future__ import annotations

from infra.program import OUTPUT_KEYS
from infra.settings import PROJECT

from .conftest import Plan

CONTRACT = {"url", "healthUrl", "cloud", "environment", "region", "vectorStore", "cache",
            "secrets", "backupBucket", "costEstimate"}
PARTS = {"Network", "LoadBalancer", "AppService", "VectorStore", "Cache", "Secrets",
         "Backups", "Logs", "Monitoring"}


def test_outputs_follow_the_contract(plan: Plan) -> None:
    out = plan.outputs
    assert set(out) == CONTRACT and list(out) == list(OUTPUT_KEYS)
    assert out["url"].startswith("https://") and out["healthUrl"] == out["url"] + "/health"
    assert (out["cloud"], out["environment"], out["region"]) == (
        "aws", plan.settings.environment, plan.settings.region)
    assert set(out["vectorStore"]) == {"engine", "endpoint", "collection"}
    assert out["cache"] == {"engine": "redis", "endpoint": out["cache"]["endpoint"],
                            "tls": True}
    assert all(v.startswith("arn:aws:secretsmanager:") for v in out["secrets"].values())


def test_cost_line_items_sum_to_the_total(plan: Plan) -> None:
    cost = plan.outputs["costEstimate"]
    assert cost["currency"] == "USD"
    assert abs(sum(i["monthly"] for i in cost["lineItems"]) - cost["monthly"]) < 0.01
    assert {i["part"] for i in cost["lineItems"]} == PARTS


def test_every_resource_sits_under_one_component_per_part(plan: Plan) -> None:
    components = {r.urn: r for r in plan.resources if not r.custom}
    assert {r.type for r in components.values()} == {f"{PROJECT}:aws:{p}" for p in
                                                     PARTS | {"AgentStack"}}
    top = [r for r in components.values() if r.parent not in components]
    assert [r.type for r in top] == [f"{PROJECT}:aws:AgentStack"]
    for r in plan.resources:
        if r.type != f"{PROJECT}:aws:AgentStack":
            assert r.parent in components, r.urn
