"""Runs the real program under Pulumi's mocks (preview=False) once per stack variant."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from infra.offline.mocks import Registration
from infra.offline.plan import plan_settings, run_program
from infra.settings import StackSettings

# Secret values handed to the program in tests; none may appear in any input or output.
ANTHROPIC_TEST_KEY = "sk-ant-api03-TESTKEY-do-not-leak-0123456789"
CLIENT_TEST_KEYS = "client-key-one-0123456789,client-key-two-0123456789"


@dataclass
class Plan:
    settings: StackSettings
    resources: list[Registration]
    outputs: dict[str, Any]
    by_id: dict[str, Registration] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {r.id: r for r in self.resources if r.id}

    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.resources if r.type == typ]

    def one(self, typ: str, name_part: str = "") -> Registration:
        found = [r for r in self.of_type(typ) if name_part in r.name]
        assert len(found) == 1, f"expected one {typ} named *{name_part}*, got " \
                                f"{[r.name for r in found]}"
        return found[0]

    def named(self, name: str) -> Registration:
        found = [r for r in self.resources if r.name == name]
        assert len(found) == 1, name
        return found[0]

    def ref(self, resource_id: str) -> Registration:
        """The resource whose physical id an input refers to."""
        return self.by_id[resource_id]

    def text(self) -> str:
        return json.dumps({"inputs": [r.inputs for r in self.resources],
                           "outputs": self.outputs})


def build(env: str, **overrides: str) -> Plan:
    settings = plan_settings("aws", env, overrides)
    monitor, outputs = run_program(settings)
    return Plan(settings, monitor.registrations, outputs)


_CACHE: dict[tuple[str, tuple[tuple[str, str], ...]], Plan] = {}


def cached(env: str, **overrides: str) -> Plan:
    key = (env, tuple(sorted(overrides.items())))
    if key not in _CACHE:
        _CACHE[key] = build(env, **overrides)
    return _CACHE[key]


SECRETS = {"anthropicApiKey": ANTHROPIC_TEST_KEY, "apiKeys": CLIENT_TEST_KEYS}


@pytest.fixture(params=["dev", "prod"])
def plan(request: pytest.FixtureRequest) -> Plan:
    """Each shipped stack, with both secret settings configured."""
    return cached(request.param, **SECRETS)


@pytest.fixture
def dev() -> Plan:
    return cached("dev", **SECRETS)


@pytest.fixture
def prod() -> Plan:
    return cached("prod", **SECRETS)


@pytest.fixture
def plan_of() -> Callable[..., Plan]:
    return cached


def container(task_definition: Registration) -> dict[str, Any]:
    definitions = json.loads(task_definition.inputs["containerDefinitions"])
    assert len(definitions) == 1
    return definitions[0]


def policy_document(resource: Registration) -> dict[str, Any]:
    return json.loads(resource.inputs["policy"])


def walk_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from walk_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from walk_strings(v)
