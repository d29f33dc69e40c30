"""`agent-stack cost`: reads a plan or `pulumi stack output --json`, renders, refuses the rest."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra.cli import main


def _write(tmp_path: Path, name: str, doc: Any) -> str:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def _stack_outputs(plan: dict[str, Any]) -> dict[str, Any]:
    """What `pulumi stack output --json` prints for the stack: the outputs object."""
    return dict(plan["outputs"])


def test_renders_a_plan_as_a_table(tmp_path: Path, make_plan: Any,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    plan = make_plan("dev")
    assert main(["cost", _write(tmp_path, "plan.json", plan)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Estimated monthly cost: ${plan['cost']['monthly']:,.2f}  "
                          "(offline plan of agent-stack/dev: aws dev)")
    assert "us-east-1 list prices as of 2025-01-01" in out
    for line in plan["cost"]["lineItems"]:
        assert line["sku"] in out
    assert "Assumptions: hours per month: 730" in out


def test_reads_stack_outputs_and_says_it_is_deployed(tmp_path: Path, make_plan: Any,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    outputs = _stack_outputs(make_plan("prod"))
    assert main(["cost", _write(tmp_path, "out.json", outputs), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"**Estimated cost: ${outputs['costEstimate']['monthly']:,.2f}/month** "
                          "— deployed stack: aws prod us-east-1")


def test_reads_a_bare_cost_estimate_from_stdin(make_plan: Any, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    estimate = make_plan("dev")["cost"]
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(estimate)))
    assert main(["cost", "-", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == estimate


def test_json_output_equals_the_plan_estimate(tmp_path: Path, make_plan: Any,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    plan = make_plan("prod")
    assert main(["cost", _write(tmp_path, "p.json", plan), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == plan["cost"]


@pytest.mark.parametrize(("doc", "message"), [
    ({"url": "https://x"}, "no `cost` or `costEstimate` key (keys: url); expected an "
                           "`agent-stack plan --json` object (with `cost`) or "
                           "`pulumi stack output --json` (with `costEstimate`)"),
    ([1, 2], "a JSON list; expected"),
    ("{not json", "not JSON (Expecting property name"),
    ({"resources": [], "cost": None}, "the plan has no cost estimate"),
    ({"costEstimate": {"currency": "USD", "monthly": "12", "lineItems": []}},
     "the stack outputs costEstimate is malformed: `monthly` is not a number"),
    ({"costEstimate": {"currency": "USD", "monthly": 1, "lineItems": [{"part": "A"}]}},
     "lineItems[0].sku is missing or not a string"),
])
def test_bad_input_exits_2_with_one_line(doc: Any, message: str, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "bad.json", doc)
    assert main(["cost", path]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    err = captured.err.strip()
    assert "\n" not in err
    assert err.startswith(f"error: {path}: ")
    assert message in err


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "nope.json")
    assert main(["cost", missing]) == 2
    assert capsys.readouterr().err == f"error: {missing}: No such file or directory\n"


def test_console_script_pipes_a_plan(tmp_path: Path, make_plan: Any) -> None:
    """The installed command, as CI runs it: `agent-stack cost - < plan.json`."""
    exe = Path(sys.executable).with_name("agent-stack")
    plan_file = _write(tmp_path, "plan.json", make_plan("dev"))
    with open(plan_file) as fh:
        done = subprocess.run([str(exe), "cost", "--format", "markdown"], stdin=fh,
                              capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "| **total** |" in done.stdout
