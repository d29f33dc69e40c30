"""Offline evaluation: plan -> pulumi_policy args -> violations; config; the policy command."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from policies.evaluate import (
    Violation,
    evaluate_plan,
    main,
    policy_resources,
    policy_settings,
    render,
)
from policies.pack import POLICIES

STACK = "urn:pulumi:dev::agent-stack::pulumi:pulumi:Stack::agent-stack-dev"
PARENT = "urn:pulumi:dev::agent-stack::agent-stack:aws:LoadBalancer::agent-lb"


def entry(type_: str, name: str, inputs: dict[str, Any], parent: str | None = PARENT
          ) -> dict[str, Any]:
    return {"urn": f"urn:pulumi:dev::agent-stack::{type_}::{name}", "type": type_,
            "name": name, "parent": parent, "inputs": inputs}


def small_plan(ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-2021-06",
               at_rest: bool = True) -> dict[str, Any]:
    """A hand-made plan in the offline plan's shape: a component, a listener, a cache."""
    return {"project": "agent-stack", "stack": "dev", "cloud": "aws", "environment": "dev",
            "resources": [
                entry("agent-stack:aws:LoadBalancer", "agent-lb", {}, parent=STACK),
                entry("aws:lb/listener:Listener", "https",
                      {"protocol": "HTTPS", "port": 443, "sslPolicy": ssl_policy,
                       "defaultActions": [{"type": "forward", "targetGroupArn": "tg"}]}),
                entry("aws:elasticache/replicationGroup:ReplicationGroup", "redis",
                      {"engine": "redis", "transitEncryptionEnabled": True,
                       "atRestEncryptionEnabled": at_rest, "authToken": "[secret]"}),
            ],
            "outputs": {}, "policy": {"violations": []}}


def test_a_compliant_plan_has_no_violations() -> None:
    assert evaluate_plan(small_plan()) == []


def test_violations_carry_policy_level_urn_message_and_remediation() -> None:
    found = evaluate_plan(small_plan(ssl_policy="ELBSecurityPolicy-2016-08", at_rest=False))
    assert [(v.policy, v.enforcement, v.urn.rsplit("::", 1)[-1]) for v in found] == [
        ("https-lb-listeners", "mandatory", "https"),
        ("redis-at-rest-encryption", "advisory", "redis")]
    listener = found[0]
    assert "ELBSecurityPolicy-2016-08" in listener.message
    assert listener.remediation.startswith("Set protocol='HTTPS'")
    assert listener.severity == "high" and listener.mandatory
    assert listener.to_json() == {"policy": "https-lb-listeners", "enforcement": "mandatory",
                                  "urn": listener.urn, "message": listener.message,
                                  "remediation": listener.remediation}


def test_plan_resources_become_policy_resources_with_parents() -> None:
    resources = policy_resources(small_plan())
    listener = resources[1]
    assert listener.resource_type == "aws:lb/listener:Listener"
    assert listener.parent is resources[0] and listener.opts.parent == PARENT
    assert resources[0].parent is None  # the stack itself is not in a plan


def test_resource_and_stack_rules_both_run() -> None:
    kinds = {type(p) for p in POLICIES}
    assert kinds == {ResourceValidationPolicy, StackValidationPolicy}
    plan = small_plan()
    plan["resources"].append(entry("aws:s3/bucket:Bucket", "backups", {"bucket": "b"}))
    found = {v.policy for v in evaluate_plan(plan)}
    assert {"backups-versioned", "backups-encrypted", "backups-not-public",
            "https-storage-tls-only"} <= found


@pytest.mark.parametrize("config", [
    {"https-lb-listeners": "advisory"},
    {"https-lb-listeners": {"enforcementLevel": "advisory"}},
    {"all": "advisory"},
    {"all": "mandatory", "https-lb-listeners": "Advisory"},
])
def test_config_lowers_a_rule_to_advisory(config: dict[str, Any]) -> None:
    found = evaluate_plan(small_plan(ssl_policy="ELBSecurityPolicy-2016-08"), config)
    assert [(v.policy, v.enforcement) for v in found] == [("https-lb-listeners", "advisory")]


def test_config_can_disable_a_rule_and_raise_another() -> None:
    plan = small_plan(ssl_policy="ELBSecurityPolicy-2016-08", at_rest=False)
    found = evaluate_plan(plan, {"https-lb-listeners": "disabled",
                                 "redis-at-rest-encryption": "remediate"})
    assert [(v.policy, v.enforcement) for v in found] == [
        ("redis-at-rest-encryption", "mandatory")]


def test_config_properties_reach_the_rules() -> None:
    settings = policy_settings({"secrets-no-literals": {"enforcementLevel": "advisory",
                                                        "note": "temporary"}})
    assert settings["secrets-no-literals"].level is EnforcementLevel.ADVISORY
    assert settings["secrets-no-literals"].properties == {"note": "temporary"}
    assert settings["backups-versioned"].level is EnforcementLevel.MANDATORY


@pytest.mark.parametrize(("config", "error"), [
    ({"https-listeners": "advisory"}, "unknown policy 'https-listeners'"),
    ({"https-lb-listeners": "optional"}, "'optional' is not one of"),
    ({"https-lb-listeners": 3}, "must be a level or an object"),
])
def test_bad_config_is_refused(config: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        evaluate_plan(small_plan(), config)


def test_render_lists_each_violation_with_urn_and_remediation() -> None:
    violation = Violation("p", "mandatory", "urn:x", "broken", "fix it", "high")
    out = io.StringIO()
    render([violation, Violation("q", "advisory", "", "meh", "tune it")], out)
    text = out.getvalue()
    assert "2 violation(s), 1 mandatory, 1 advisory" in text
    assert "[mandatory, high] p" in text and "urn:x" in text and "fix it" in text
    assert "(stack)" in text
    out = io.StringIO()
    render([], out)
    assert "no violations" in out.getvalue()


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_main_exit_codes(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    good = write(tmp_path, "good.json", small_plan())
    advisory_only = write(tmp_path, "adv.json", small_plan(at_rest=False))
    bad = write(tmp_path, "bad.json", small_plan(ssl_policy="ELBSecurityPolicy-2016-08"))
    assert main([good], out, err) == 0
    assert main([advisory_only], out, err) == 0
    assert main([bad], out, err) == 1
    assert err.getvalue() == ""


def test_main_json_output(tmp_path: Path) -> None:
    out = io.StringIO()
    bad = write(tmp_path, "bad.json", small_plan(ssl_policy="ELBSecurityPolicy-2016-08"))
    assert main([bad, "--json"], out) == 1
    assert [v["policy"] for v in json.loads(out.getvalue())] == ["https-lb-listeners"]


@pytest.mark.parametrize(("files", "error"), [
    ({}, "does not exist"),
    ({"plan.json": "{not json"}, "not valid JSON"),
    ({"plan.json": {"stack": "dev"}}, "no 'resources' list"),
    ({"plan.json": small_plan(), "config.json": ["advisory"]}, "must be a JSON object"),
    ({"plan.json": small_plan(), "config.json": {"nope": "advisory"}}, "unknown policy"),
])
def test_main_reports_bad_input_with_exit_code_2(tmp_path: Path, files: dict[str, Any],
                                                 error: str) -> None:
    for name, data in files.items():
        write(tmp_path, name, data)
    argv = [str(tmp_path / "plan.json")]
    if "config.json" in files:
        argv += ["--config", str(tmp_path / "config.json")]
    err = io.StringIO()
    assert main(argv, io.StringIO(), err) == 2
    assert error in err.getvalue()


def test_main_usage_error_returns_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: agent-stack policy" in capsys.readouterr().err
