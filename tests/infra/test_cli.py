"""The `agent-stack plan` command: text and JSON contract, in a separate process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AGENT_STACK = Path(sys.executable).with_name("agent-stack")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(AGENT_STACK), *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def dev_json() -> dict:
    result = run("plan", "--cloud", "aws", "--env", "dev", "--json",
                 "--set", "anthropicApiKey=sk-ant-api03-cli-secret-0123456789")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_plan_json_is_the_design_contract(dev_json: dict) -> None:
    assert set(dev_json) == {"project", "stack", "cloud", "environment", "resources",
                             "outputs", "policy", "cost"}
    assert (dev_json["project"], dev_json["stack"], dev_json["cloud"]) == (
        "agent-stack", "dev", "aws")
    for r in dev_json["resources"]:
        assert set(r) == {"urn", "type", "name", "parent", "inputs"}
        assert r["urn"].startswith("urn:pulumi:dev::agent-stack::")
    assert dev_json["cost"] == dev_json["outputs"]["costEstimate"]
    assert dev_json["policy"]["violations"] == []


def test_plan_json_hides_secret_values(dev_json: dict) -> None:
    text = json.dumps(dev_json)
    assert "sk-ant-api03-cli-secret" not in text
    versions = [r for r in dev_json["resources"]
                if r["type"] == "aws:secretsmanager/secretVersion:SecretVersion"]
    assert versions and all(r["inputs"]["secretString"] == "[secret]" for r in versions)


def test_plan_text_shows_tree_outputs_cost_and_policy() -> None:
    result = run("plan", "--env", "prod")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("agent-stack/prod: aws prod, ")
    assert "agent-stack:aws:LoadBalancer" in out
    assert "port=443 protocol=HTTPS sslPolicy=ELBSecurityPolicy-TLS13-1-2-2021-06" in out
    assert "url: https://agent.example.com" in out
    assert "Estimated cost: $" in out and "Policy: no violations" in out


def test_bad_setting_exits_2_with_one_clear_message() -> None:
    result = run("plan", "--env", "prod", "--set", "domain=")
    assert result.returncode == 2 and result.stdout == ""
    assert "domain = ''" in result.stderr and "Traceback" not in result.stderr
