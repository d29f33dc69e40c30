"""The offline plan: the real program run under Pulumi's mocks, with no cloud credentials.

`build_plan` returns the DESIGN contract object: the resources the program registers (with
their inputs, secrets as "[secret]"), the stack outputs, the policy results and the cost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import pulumi
import yaml
from pulumi.runtime.settings import set_root_resource

from infra import program
from infra.offline.mocks import SECRET_MARK, CloudMocks, RecordingMonitor, redact
from infra.settings import PROJECT, StackSettings, build_settings

ROOT = Path(__file__).resolve().parents[2]


def stack_config(env: str, root: Path = ROOT) -> dict[str, Any]:
    """The `agent-stack:` keys of Pulumi.<env>.yaml (the stack's settings file)."""
    path = root / f"Pulumi.{env}.yaml"
    if not path.exists():
        raise FileNotFoundError(f"no stack settings file {path.name} for environment {env!r}")
    data = yaml.safe_load(path.read_text()) or {}
    config = data.get("config") or {}
    prefix = f"{PROJECT}:"
    return {k.removeprefix(prefix): v for k, v in config.items() if k.startswith(prefix)}


def plan_settings(cloud: str, env: str, overrides: Mapping[str, str] | None = None,
                  root: Path = ROOT) -> StackSettings:
    """Validated settings of stack `env` on `cloud`, with `key=value` overrides applied."""
    raw = {**stack_config(env, root), **(overrides or {}), "cloud": cloud}
    raw.setdefault("environment", env)
    return build_settings(raw, stack=env)


def run_program(settings: StackSettings) -> tuple[RecordingMonitor, dict[str, Any]]:
    """Runs the program under mocks; returns the monitor and the resolved, redacted outputs."""
    monitor = RecordingMonitor(CloudMocks(settings.region))
    set_root_resource(None)  # type: ignore[arg-type]  # a fresh stack per run
    pulumi.runtime.set_mocks(monitor.mocks, project=PROJECT, stack=settings.stack,
                             preview=False, monitor=monitor)
    outputs: dict[str, Any] = {}

    def keep(key: str, value: Any) -> pulumi.Output[None]:
        out = pulumi.Output.from_input(value)
        # Output.from_input accepts any awaitable; its type hints do not say so.
        secret: pulumi.Output[bool] = pulumi.Output.from_input(
            cast(Any, asyncio.ensure_future(out.is_secret())))

        def store(resolved: list[Any]) -> None:
            outputs[key] = SECRET_MARK if resolved[1] else redact(resolved[0])

        return pulumi.Output.all(out, secret).apply(store)

    declared: list[str] = []

    @pulumi.runtime.test
    def declare() -> pulumi.Output[Any]:
        stack_outputs = program.build(settings)
        declared.extend(stack_outputs)
        return pulumi.Output.all(*[keep(k, v) for k, v in stack_outputs.items()])

    declare()
    # Outputs resolve in any order; print them in the order the program declares them.
    return monitor, {key: outputs[key] for key in declared}


def build_plan(cloud: str, env: str, overrides: Mapping[str, str] | None = None,
               root: Path = ROOT) -> dict[str, Any]:
    settings = plan_settings(cloud, env, overrides, root)
    monitor, outputs = run_program(settings)
    plan: dict[str, Any] = {
        "project": PROJECT,
        "stack": settings.stack,
        "cloud": settings.cloud,
        "environment": settings.environment,
        "resources": [
            {"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent,
             "inputs": r.inputs}
            for r in sorted(monitor.registrations, key=lambda r: r.urn)
        ],
        "outputs": outputs,
        "policy": {"violations": []},
        "cost": outputs.get("costEstimate"),
    }
    plan["policy"]["violations"] = policy_violations(plan)
    return plan


def policy_violations(plan: dict[str, Any]) -> list[dict[str, Any]]:
    from policies.evaluate import evaluate_plan

    return [v.to_json() for v in evaluate_plan(plan)]

