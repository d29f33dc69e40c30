"""Runs the pack's rules on an offline plan, and the `agent-stack policy PLAN.json` command.

The plan's resources become pulumi_policy's own `PolicyResource` objects; each resource rule
gets a `ResourceValidationArgs` per resource and each stack rule one `StackValidationArgs`,
exactly as the analyzer builds them under `pulumi preview`, so the same rule functions run on
the same props. Secret values appear as "[secret]" in a plan; the rules treat that as a
secret, not as a literal.

Policy config has the standard CrossGuard shape: ``{"<policy>": "advisory"}`` or
``{"<policy>": {"enforcementLevel": "advisory", ...properties}}``, plus ``"all"`` for every
policy. Levels: mandatory, advisory, remediate (reported as mandatory), disabled.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TextIO

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from .pack import PACK_NAME, POLICIES, enforcement_of

LEVELS: Final = {level.value: level for level in EnforcementLevel}


@dataclass(frozen=True)
class Violation:
    """One rule failure on one resource (urn "" for a stack-wide failure)."""

    policy: str
    enforcement: str
    urn: str
    message: str
    remediation: str
    severity: str = ""

    @property
    def mandatory(self) -> bool:
        return self.enforcement == EnforcementLevel.MANDATORY.value

    def to_json(self) -> dict[str, str]:
        return {"policy": self.policy, "enforcement": self.enforcement, "urn": self.urn,
                "message": self.message, "remediation": self.remediation}


@dataclass(frozen=True)
class PolicySetting:
    level: EnforcementLevel
    properties: Mapping[str, Any]


def policy_settings(config: Mapping[str, Any] | None,
                    policies: Sequence[Policy] = POLICIES) -> dict[str, PolicySetting]:
    """Each policy's effective level and properties under `config` (ValueError if invalid)."""
    known = {p.name for p in policies}
    parsed: dict[str, tuple[EnforcementLevel | None, dict[str, Any]]] = {}
    for key, value in (config or {}).items():
        if key != "all" and key not in known:
            raise ValueError(f"policy config names unknown policy {key!r}; known policies: "
                             f"{', '.join(sorted(known))}")
        parsed[key] = _config_entry(key, value)
    default_level = parsed.get("all", (None, {}))[0]
    settings = {}
    for policy in policies:
        level, properties = parsed.get(policy.name, (None, {}))
        settings[policy.name] = PolicySetting(
            level or default_level or enforcement_of(policy), properties)
    return settings


def _config_entry(key: str, value: Any) -> tuple[EnforcementLevel | None, dict[str, Any]]:
    if isinstance(value, str):
        return _level(key, value), {}
    if isinstance(value, dict):
        properties = {k: v for k, v in value.items() if k != "enforcementLevel"}
        level = value.get("enforcementLevel")
        return (_level(key, level) if level is not None else None), properties
    raise ValueError(f"policy config for {key!r} must be a level or an object, not {value!r}")


def _level(key: str, value: Any) -> EnforcementLevel:
    level = LEVELS.get(str(value).lower())
    if level is None:
        raise ValueError(f"policy config for {key!r}: enforcement level {value!r} is not one of "
                         f"{', '.join(LEVELS)}")
    return level


def policy_resources(plan: Mapping[str, Any]) -> list[PolicyResource]:
    """The plan's resources as pulumi_policy PolicyResource objects, parents linked."""
    entries = plan.get("resources") or []
    resources: list[PolicyResource] = []
    for entry in entries:
        options = PolicyResourceOptions(
            protect=False, ignore_changes=[], delete_before_replace=None, aliases=[],
            custom_timeouts=PolicyCustomTimeouts(0, 0, 0), additional_secret_outputs=[],
            parent=entry.get("parent") or None)
        resources.append(PolicyResource(
            resource_type=entry["type"], props=entry.get("inputs") or {}, urn=entry["urn"],
            name=entry["name"], opts=options, provider=None, parent=None, dependencies=[],
            property_dependencies={}))
    by_urn = {r.urn: r for r in resources}
    for resource in resources:
        parent = resource.opts.parent
        resource.parent = by_urn.get(parent) if parent else None
    return resources


def _run(validate: Callable[..., Any], *args: Any) -> None:
    """Runs one validation (sync or async); an unknown value skips it, as under preview."""
    try:
        result = validate(*args)
        if inspect.isawaitable(result):
            async def wait() -> None:
                await result

            asyncio.run(wait())
    except UnknownValueError:
        return  # the engine reports these as "can't run during preview", not as failures


def findings(policy: Policy, resources: list[PolicyResource],
             properties: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(urn, message) for every violation `policy` reports on `resources`."""
    found: list[tuple[str, str]] = []
    if isinstance(policy, ResourceValidationPolicy):
        for resource in resources:
            args = ResourceValidationArgs(
                resource.resource_type, resource.props, resource.urn, resource.name,
                resource.opts, resource.provider, properties)

            def report(message: str, urn: str | None = None, _urn: str = resource.urn) -> None:
                found.append((_urn, message))  # the resource's own URN, as the engine does

            _run(policy.validate, args, report)
    elif isinstance(policy, StackValidationPolicy):
        def report_stack(message: str, urn: str | None = None) -> None:
            found.append((urn or "", message))

        _run(policy.validate, StackValidationArgs(resources, properties), report_stack)
    return found


def evaluate_plan(plan: Mapping[str, Any], config: Mapping[str, Any] | None = None,
                  policies: Sequence[Policy] = POLICIES) -> list[Violation]:
    """Every violation of the pack's rules in `plan`, in pack order (policy, then resource)."""
    settings = policy_settings(config, policies)
    resources = policy_resources(plan)
    violations: list[Violation] = []
    for policy in policies:
        setting = settings[policy.name]
        if setting.level is EnforcementLevel.DISABLED:
            continue
        enforcement = (EnforcementLevel.ADVISORY if setting.level is EnforcementLevel.ADVISORY
                       else EnforcementLevel.MANDATORY).value
        found = findings(policy, resources, setting.properties)
        violations += [Violation(policy.name, enforcement, urn, message,
                                 policy.remediation_steps or "",
                                 policy.severity.value if policy.severity else "")
                       for urn, message in found]
    return violations


def render(violations: Sequence[Violation], out: TextIO) -> None:
    if not violations:
        print(f"{PACK_NAME}: no violations", file=out)
        return
    mandatory = sum(v.mandatory for v in violations)
    print(f"{PACK_NAME}: {len(violations)} violation(s), {mandatory} mandatory, "
          f"{len(violations) - mandatory} advisory", file=out)
    for v in violations:
        severity = f", {v.severity}" if v.severity else ""
        print(f"\n[{v.enforcement}{severity}] {v.policy}", file=out)
        print(f"  resource:    {v.urn or '(stack)'}", file=out)
        print(f"  problem:     {v.message}", file=out)
        print(f"  remediation: {v.remediation}", file=out)


def load_json_file(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as e:
        raise ValueError(f"{what} {path} does not exist") from e
    except json.JSONDecodeError as e:
        raise ValueError(f"{what} {path} is not valid JSON: {e}") from e


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """`agent-stack policy PLAN.json [--config FILE] [--json]`: 1 if a mandatory rule fails."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(
        prog="agent-stack policy",
        description=f"Run the {PACK_NAME} policy pack on a plan saved with "
                    "`agent-stack plan --json`.")
    parser.add_argument("plan", type=Path, help="offline plan JSON file")
    parser.add_argument("--config", type=Path,
                        help='policy config JSON, e.g. {"backups-versioned": "advisory"}')
    parser.add_argument("--json", action="store_true",
                        help="print the violations as a JSON list instead of text")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        plan = load_json_file(args.plan, "plan")
        if not isinstance(plan, dict) or not isinstance(plan.get("resources"), list):
            raise ValueError(f"plan {args.plan} has no 'resources' list; save one with "
                             "`agent-stack plan --json > PLAN.json`")
        config = load_json_file(args.config, "policy config") if args.config else None
        if config is not None and not isinstance(config, dict):
            raise ValueError(f"policy config {args.config} must be a JSON object")
        violations = evaluate_plan(plan, config)
    except ValueError as e:
        print(f"agent-stack policy: {e}", file=err)
        return 2
    if args.json:
        print(json.dumps([v.to_json() for v in violations], indent=2), file=out)
    else:
        render(violations, out)
    return 1 if any(v.mandatory for v in violations) else 0


if __name__ == "__main__":
    sys.exit(main())
