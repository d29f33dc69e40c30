"""`agent-stack diff`: resources by URN, changed input paths, cost deltas, policy violations."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.cli import main
from infra.offline.diff import MISSING, InputChange, PlanInputError, changed_paths, diff_plans
from infra.offline.diff_render import MARKER, render_markdown, render_text, show_pair

URN = "urn:pulumi:dev::agent-stack::agent-stack:aws:AgentStack$"


def _res(typ: str, name: str, **inputs: Any) -> dict[str, Any]:
    return {"urn": f"{URN}{typ}::{name}", "type": typ, "name": name, "parent": None,
            "inputs": inputs}


def _line(part: str, sku: str, qty: float, price: float) -> dict[str, Any]:
    return {"part": part, "sku": sku, "quantity": qty, "unit": "u", "unitPrice": price,
            "monthly": round(qty * price, 2)}


def _plan(resources: list[dict[str, Any]], lines: list[dict[str, Any]],
          violations: list[dict[str, Any]] | None = None, **assumptions: int) -> dict[str, Any]:
    return {"project": "agent-stack", "stack": "dev", "cloud": "aws", "environment": "dev",
            "resources": resources, "outputs": {},
            "policy": {"violations": violations or []},
            "cost": {"currency": "USD", "monthly": round(sum(x["monthly"] for x in lines), 2),
                     "lineItems": lines, "catalogDate": "2025-01-01",
                     "pricedRegion": "us-east-1",
                     "assumptions": {"hoursPerMonth": 730, **assumptions}}}


def _violation(policy: str, urn: str, enforcement: str = "mandatory") -> dict[str, Any]:
    return {"policy": policy, "urn": urn, "enforcement": enforcement, "message": f"{policy}!"}


NAT = _res("aws:ec2/natGateway:NatGateway", "nat-0", connectivityType="public")
TASK = _res("aws:ecs/taskDefinition:TaskDefinition", "app-task", cpu="256", memory="1024",
            containerDefinitions=json.dumps([{"name": "agent", "environment": [
                {"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}]))
BUCKET = _res("aws:s3/bucket:Bucket", "backups", forceDestroy=True)
KEY = _res("aws:kms/key:Key", "backups-key", enableKeyRotation=True)

BASE = _plan([NAT, TASK, BUCKET],
             [_line("Network", "nat-gateway-hour", 730, 0.045),
              _line("AppService", "fargate-vcpu-hour", 182.5, 0.04048)],
             [_violation("s3-kms", BUCKET["urn"]), _violation("tags", NAT["urn"], "advisory")],
             requestsPerMonth=100000)
HEAD = _plan([NAT, {**TASK, "inputs": {
                 **TASK["inputs"], "cpu": "512",
                 "containerDefinitions": json.dumps([{"name": "agent", "environment": [
                     {"name": "B", "value": "3"}, {"name": "A", "value": "1"},
                     {"name": "C", "value": "x"}]}])}}, KEY],
             [_line("Network", "nat-gateway-hour", 730, 0.045),
              _line("AppService", "fargate-vcpu-hour", 365, 0.04048),
              _line("Backups", "kms-key-month", 1, 1.0)],
             [_violation("tags", NAT["urn"], "advisory"), _violation("kms-rotation", KEY["urn"])],
             requestsPerMonth=200000)


def test_resources_added_changed_removed() -> None:
    diff = diff_plans(BASE, HEAD)
    assert [r["name"] for r in diff.added] == ["backups-key"]
    assert [r["name"] for r in diff.removed] == ["backups"]
    (change,) = diff.changed
    assert change.name == "app-task"
    assert [c.path for c in change.changes] == [
        "containerDefinitions[name=agent].environment[name=B].value",
        "containerDefinitions[name=agent].environment[name=C]",
        "cpu"]
    assert change.changes[-1] == InputChange("cpu", "256", "512")
    assert change.changes[1].before is MISSING


def test_cost_delta_per_line_and_total() -> None:
    diff = diff_plans(BASE, HEAD)
    deltas = {(d.part, d.sku): (d.before, d.after, d.delta) for d in diff.cost_lines}
    assert deltas == {("AppService", "fargate-vcpu-hour"): (7.39, 14.78, 7.39),
                      ("Backups", "kms-key-month"): (0.0, 1.0, 1.0)}
    assert diff.base_total == 40.24 and diff.head_total == 48.63
    assert diff.total_delta == 8.39
    assert diff.assumptions == [InputChange("requestsPerMonth", 100000, 200000)]


def test_policy_violations_added_and_removed_by_policy_and_urn() -> None:
    diff = diff_plans(BASE, HEAD)
    assert [(v.policy, v.urn) for v in diff.violations_added] == [("kms-rotation", KEY["urn"])]
    assert [(v.policy, v.urn) for v in diff.violations_removed] == [("s3-kms", BUCKET["urn"])]
    assert len(diff.violations_head) == 2


def test_identical_plans_have_no_changes() -> None:
    diff = diff_plans(BASE, json.loads(json.dumps(BASE)))
    assert not diff.has_changes
    assert render_text(diff).endswith("No changes.")
    assert "No changes." in render_markdown(diff)


@pytest.mark.parametrize("edit", ["cost-only", "violation-only", "input-only", "assumption"])
def test_any_single_change_counts(edit: str) -> None:
    head = json.loads(json.dumps(BASE))
    if edit == "cost-only":
        head["cost"]["lineItems"][0]["unitPrice"] = 0.05
        head["cost"]["lineItems"][0]["monthly"] = 36.5
        head["cost"]["monthly"] = 43.89
    elif edit == "violation-only":
        head["policy"]["violations"].pop()
    elif edit == "input-only":
        head["resources"][2]["inputs"]["forceDestroy"] = False
    else:
        head["cost"]["assumptions"]["requestsPerMonth"] = 1
    assert diff_plans(BASE, head).has_changes


def test_urns_match_across_stacks() -> None:
    prod = json.loads(json.dumps(BASE).replace("urn:pulumi:dev::", "urn:pulumi:prod::"))
    prod["stack"] = "prod"
    diff = diff_plans(BASE, prod)
    assert not diff.added and not diff.removed and not diff.violations_added


def test_changed_paths_details() -> None:
    assert list(changed_paths({"a": True}, {"a": 1})) == [InputChange("a", True, 1)]
    assert list(changed_paths({"a": 1}, {"a": 1.0})) == []
    assert [c.path for c in changed_paths({"l": [1, 2]}, {"l": [1, 3, 4]})] == ["l[1]", "l[2]"]
    assert [c.path for c in changed_paths({"p": '{"x": {"y": 1}}'}, {"p": '{"x": {"y": 2}}'})] \
        == ["p.x.y"]
    assert list(changed_paths({"s": "{not json"}, {"s": "{not json"})) == []


def test_long_values_are_cut_where_they_differ() -> None:
    before, after = show_pair("x" * 200 + "old", "x" * 200 + "new", width=40)
    assert before != after and before.startswith("…") and after.startswith("…")
    assert "old" in before and "new" in after and len(before) <= 40


def test_markdown_is_a_sticky_comment_with_all_three_sections() -> None:
    text = render_markdown(diff_plans(BASE, HEAD))
    assert text.startswith(MARKER + "\n### Plan diff: aws dev\n")
    assert "- **Resources:** 1 to add, 1 to change, 1 to remove" in text
    assert "- **Cost:** $40.24 → $48.63/month (+$8.39)" in text
    assert "- **Policy:** ❌ 2 violation(s), 1 mandatory; 1 new, 1 resolved" in text
    assert "| add | `aws:kms/key:Key` | `backups-key` | |" in text
    assert "`cpu`: `\"256\"` → `\"512\"`" in text
    assert "| AppService | `fargate-vcpu-hour` | $7.39 | $14.78 | +$7.39 |" in text
    assert "| **total** | | **$40.24** | **$48.63** | **+$8.39** |" in text
    assert "| new | mandatory | `kms-rotation` | kms-rotation! | `backups-key` |" in text
    assert "| resolved | mandatory | `s3-kms` | s3-kms! | `backups` |" in text
    assert "assumption `requestsPerMonth`: `100000` → `200000`" in text
    assert "Violations also present in the base (1)" in text


def test_markdown_limits_long_tables() -> None:
    many = _plan([_res("aws:iam/role:Role", f"r{i}") for i in range(130)], [])
    text = render_markdown(diff_plans(_plan([], []), many))
    assert "| … | 70 more resources | | |" in text
    assert len(text) < 65_000


@pytest.mark.parametrize(("doc", "message"), [
    ({"cost": None}, "BASE: not an `agent-stack plan --json` object: no `resources` list"),
    ({"resources": [{"urn": 1}]}, "resources[0] needs a string `urn`"),
    ({"resources": [], "policy": {"violations": [{"urn": "u"}]}}, "`policy.violations` is not"),
    ({"resources": [], "cost": {"monthly": 1}}, "cost: `currency` is missing"),
])
def test_bad_plans_are_refused(doc: Any, message: str) -> None:
    with pytest.raises(PlanInputError, match=None) as err:
        diff_plans(doc, BASE)
    assert message in str(err.value)


def test_a_base_without_cost_is_accepted_and_all_cost_is_new() -> None:
    empty: dict[str, Any] = {"resources": [], "policy": {"violations": []}, "cost": None}
    diff = diff_plans(empty, HEAD)
    assert diff.base_total is None and diff.total_delta == HEAD["cost"]["monthly"]
    assert len(diff.added) == 3 and diff.has_changes
    assert "(none) → $48.63/month" in render_text(diff)


def _files(tmp_path: Path, base: Any, head: Any) -> tuple[str, str]:
    b, h = tmp_path / "base.json", tmp_path / "head.json"
    b.write_text(base if isinstance(base, str) else json.dumps(base))
    h.write_text(head if isinstance(head, str) else json.dumps(head))
    return str(b), str(h)


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", *_files(tmp_path, BASE, BASE)]) == 0
    assert main(["diff", *_files(tmp_path, BASE, HEAD)]) == 1
    assert main(["diff", *_files(tmp_path, BASE, "{oops")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: HEAD ") and "not JSON" in err and "\n" not in err
    assert main(["diff", *_files(tmp_path, {"x": 1}, BASE)]) == 2
    assert "BASE: not an `agent-stack plan --json` object" in capsys.readouterr().err


def test_cli_diff_of_real_plans(tmp_path: Path, make_plan: Any) -> None:
    """Dev with a bigger app task: the task definition changes and Fargate cost doubles."""
    exe = Path(sys.executable).with_name("agent-stack")
    base, head = _files(tmp_path, make_plan("dev"), make_plan("dev", appCpu="512"))
    done = subprocess.run([str(exe), "diff", base, head, "--format", "markdown"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(MARKER)
    assert "0 to add, 1 to change, 0 to remove" in done.stdout
    assert "`agent-app-task` | `cpu`: `\"256\"` → `\"512\"`" in done.stdout
    assert "| AppService | `fargate-spot-vcpu-hour` | $2.28 | $4.55 | +$2.27 |" in done.stdout
    same = subprocess.run([str(exe), "diff", base, base], capture_output=True, text=True,
                          timeout=120, check=False)
    assert same.returncode == 0 and same.stdout.rstrip().endswith("No changes.")
