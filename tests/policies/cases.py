"""Rule cases run through pulumi_policy's own argument classes, as the analyzer builds them.

A `Case` is a small stack (type, name, inputs) and the violations one rule must report on
it: none for a compliant case, or one expected message fragment per violation (in order).
Every case runs twice: with plain dict props (the offline plan's shape) and with props
wrapped in the SDK's unknown-checking proxy (the shape `pulumi preview` hands rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

#: What `pulumi preview` puts where a value is not known yet.
UNKNOWN = UNKNOWN_STRING_VALUE

Resource = tuple[str, str, dict[str, Any]]


def urn(resource_type: str, name: str) -> str:
    return f"urn:pulumi:test::agent-stack::{resource_type}::{name}"


def options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def policy_resource(resource_type: str, name: str, props: dict[str, Any], proxied: bool,
                    property_dependencies: dict[str, list[PolicyResource]] | None = None
                    ) -> PolicyResource:
    shown = unknown_checking_proxy(props) if proxied else props
    return PolicyResource(resource_type, shown, urn(resource_type, name), name, options(), None,
                          None, [], property_dependencies or {})


def run(policy: Policy, resources: list[Resource], proxied: bool = False,
        property_dependencies: dict[str, dict[str, str]] | None = None
        ) -> list[tuple[str, str]]:
    """(resource name, message) for every violation `policy` reports on `resources`."""
    found: list[tuple[str, str]] = []
    names = {urn(t, n): n for t, n, _ in resources}
    if isinstance(policy, ResourceValidationPolicy):
        for resource_type, name, props in resources:
            args = ResourceValidationArgs(
                resource_type, unknown_checking_proxy(props) if proxied else props,
                urn(resource_type, name), name, options(), None)

            def report(message: str, _urn: str | None = None, _name: str = name) -> None:
                found.append((_name, message))

            policy.validate(args, report)
    elif isinstance(policy, StackValidationPolicy):
        built = {name: policy_resource(t, name, props, proxied) for t, name, props in resources}
        for name, deps in (property_dependencies or {}).items():
            built[name].property_dependencies = {
                prop: [built[target]] for prop, target in deps.items()}

        def report_stack(message: str, at: str | None = None) -> None:
            found.append((names.get(at or "", "<stack>"), message))

        policy.validate(StackValidationArgs(list(built.values())), report_stack)
    else:
        raise TypeError(f"unexpected policy kind {type(policy).__name__}")
    return found


@dataclass(frozen=True)
class Case:
    """A stack and what `policy` must say about it."""

    id: str
    policy: Policy
    resources: list[Resource]
    #: One fragment per expected violation, in report order; empty means compliant.
    expect: list[str] = field(default_factory=list)
    #: Resource the violations must be attached to (default: any resource of the case).
    on: str | None = None

    @property
    def violating(self) -> bool:
        return bool(self.expect)

    def check(self, proxied: bool) -> None:
        found = run(self.policy, self.resources, proxied)
        messages = [message for _, message in found]
        assert len(found) == len(self.expect), (
            f"{self.id}: expected {len(self.expect)} violation(s) {self.expect}, got {messages}")
        for fragment, message in zip(self.expect, messages, strict=True):
            assert fragment.lower() in message.lower(), (
                f"{self.id}: {fragment!r} not in {message!r}")
        if self.on is not None:
            assert {name for name, _ in found} == {self.on}, f"{self.id}: reported on {found}"


def one(policy: Policy, case_id: str, resource_type: str, props: dict[str, Any],
        *expect: str) -> Case:
    """A case of a single resource."""
    return Case(case_id, policy, [(resource_type, case_id, props)], list(expect))
