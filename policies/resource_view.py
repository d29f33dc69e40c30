"""How rules see resources: plain values, unknowns, secrets, and one dispatch per type.

The policy engine and the offline plan hand rules the same inputs in two shapes:

* under `pulumi preview`, pulumi_policy wraps props in a proxy that raises
  `UnknownValueError` on any value not known until apply, and gives secret values in the
  clear;
* the offline plan gives plain dicts in which every secret prints as ``"[secret]"``.

Rules read props through :func:`plain`, which turns both into plain dicts and lists with
unknown values replaced by :data:`UNKNOWN`. An unknown value is never a violation on its own
("compliant-unknown"): the rule skips what it cannot see.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pulumi_policy import (
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    Secret,
    StackValidationArgs,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

#: How the offline plan prints a secret value.
SECRET_MARK: Final = "[secret]"

_UNKNOWN_SENTINELS: Final = frozenset({
    UNKNOWN_ARCHIVE_VALUE, UNKNOWN_ARRAY_VALUE, UNKNOWN_ASSET_VALUE, UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE, UNKNOWN_OBJECT_VALUE, UNKNOWN_STRING_VALUE,
})


class Unknown:
    """A value that is not known until the resources it depends on exist."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN: Final = Unknown()

PropPath = tuple[str | int, ...]
#: A per-type check: plain props in, one message per problem out.
Check = Callable[[dict[str, Any]], Iterable[str]]


def plain(value: Any) -> Any:
    """`value` as plain dicts/lists/scalars, with unknowns as UNKNOWN and secrets unwrapped."""
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if isinstance(value, Secret):
        return plain(value.value)
    if isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key in value:
            try:
                item = value[key]
            except UnknownValueError:
                item = UNKNOWN
            result[str(key)] = plain(item)
        return result
    if isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        items: list[Any] = []
        for index in range(len(value)):
            try:
                item = value[index]
            except UnknownValueError:
                item = UNKNOWN
            items.append(plain(item))
        return items
    return value


def dig(value: Any, *path: str | int) -> Any:
    """The value at `path`, None where the path is absent, UNKNOWN where a step is unknown."""
    current = value
    for step in path:
        if current is UNKNOWN:
            return UNKNOWN
        if isinstance(step, str) and isinstance(current, dict):
            current = current.get(step)
        elif isinstance(step, int) and isinstance(current, list) and -len(current) <= step < len(
                current):
            current = current[step]
        else:
            return None
    return current


def is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def items_of(value: Any) -> list[Any]:
    """A list input as a list (None -> []); a single object counts as a one-item list."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def load_json(value: Any) -> Any:
    """A JSON-string input parsed; dicts/lists pass through; None if it is not JSON.

    UNKNOWN stays UNKNOWN, and so does a secret (``"[secret]"``): its content is hidden.
    """
    if value is UNKNOWN or value == SECRET_MARK:
        return UNKNOWN
    if isinstance(value, dict | list):
        return value
    if not isinstance(value, str):
        return None
    try:
        return plain(json.loads(value))
    except ValueError:
        return None


def walk_strings(value: Any, path: PropPath = ()) -> Iterator[tuple[PropPath, str]]:
    """Every string leaf under `value`, with its path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from walk_strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk_strings(item, (*path, index))


def find_key(value: Any, key: str) -> Iterator[Any]:
    """Every value stored under `key` at any depth of `value`."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name == key:
                yield item
            yield from find_key(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from find_key(item, key)


def show_path(path: PropPath) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "<root>"


def last_segment(reference: str) -> str:
    """The name at the end of an id, self link or ARN-like path (``.../sslPolicies/x`` -> x)."""
    return reference.rstrip("/").rsplit("/", 1)[-1]


def by_type(checks: Mapping[str, Check]) -> Callable[[ResourceValidationArgs, ReportViolation],
                                                      None]:
    """A resource validation that runs the check registered for the resource's type."""

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        check = checks.get(args.resource_type)
        if check is None:
            return
        for message in check(plain(args.props)):
            report_violation(message, None)

    return validate


@dataclass(frozen=True)
class StackResource:
    """A resource of a stack validation, with plain props and its property dependencies."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    property_urns: Mapping[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, resource: PolicyResource) -> StackResource:
        deps = {key: frozenset(dep.urn for dep in value)
                for key, value in (resource.property_dependencies or {}).items()}
        return cls(resource.resource_type, resource.name, resource.urn,
                   plain(resource.props), deps)

    def names(self, *keys: str) -> frozenset[str]:
        """The names other resources may use for this one: `keys` inputs and its own name."""
        found = {self.name}
        for key in keys:
            value = self.props.get(key)
            if isinstance(value, str) and value and value != SECRET_MARK:
                found.add(value)
        return frozenset(found)


def stack_resources(args: StackValidationArgs, types: Collection[str]) -> list[StackResource]:
    return [StackResource.of(r) for r in args.resources if r.resource_type in types]


def reference(source: StackResource, prop: str, target: StackResource,
              name_keys: Sequence[str] = (), prefix_keys: Sequence[str] = ()) -> bool | None:
    """Whether `source.prop` points at `target`: True, False, or None when it can't be told.

    A property dependency recorded by the engine is proof; otherwise the input is compared
    with the target's names (an id, a name or a path ending in the name all match) and with
    the prefixes it is named from (S3 ``bucketPrefix``: the real name starts with it).
    """
    if target.urn in source.property_urns.get(prop, frozenset()):
        return True
    value = source.props.get(prop)
    if value is UNKNOWN:
        return None
    if not isinstance(value, str) or not value:
        return False
    names = target.names(*name_keys)
    if value in names or last_segment(value) in names:
        return True
    prefixes = target.names(*prefix_keys) - {target.name} if prefix_keys else frozenset()
    return any(value.startswith(prefix) or last_segment(value).startswith(prefix)
               for prefix in prefixes)


@dataclass(frozen=True)
class Related:
    """The resources of some types that point at a target, and whether any could not be told."""

    found: list[StackResource]
    undecided: bool


def related(target: StackResource, candidates: Iterable[StackResource], prop: str,
            name_keys: Sequence[str] = (), prefix_keys: Sequence[str] = ()) -> Related:
    """The candidates whose `prop` points at `target` (see :func:`reference`)."""
    found: list[StackResource] = []
    undecided = False
    for candidate in candidates:
        match = reference(candidate, prop, target, name_keys, prefix_keys)
        if match is None:
            undecided = True
        elif match:
            found.append(candidate)
    return Related(found, undecided)
