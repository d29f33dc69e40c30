"""What changes between two offline plans: resources, cost and policy violations.

Resources are matched by URN (without its stack segment, so a dev plan can also be compared
with a prod plan); a changed resource lists the input paths that differ, looking inside
inputs that hold JSON text (IAM policies, container definitions). Cost lines are matched by
part + SKU, violations by policy + URN.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from infra.cost.extract import estimate_problems


class PlanInputError(ValueError):
    """A document that is not an offline plan; the message is one line."""


class _Missing:
    def __repr__(self) -> str:
        return "(absent)"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class InputChange:
    path: str
    before: Any
    after: Any


@dataclass(frozen=True)
class ResourceChange:
    urn: str
    type: str
    name: str
    changes: tuple[InputChange, ...]


@dataclass(frozen=True)
class CostLineDelta:
    part: str
    sku: str
    unit: str
    before_quantity: float
    after_quantity: float
    before: float
    after: float

    @property
    def delta(self) -> float:
        return round(self.after - self.before, 2)


@dataclass(frozen=True)
class Violation:
    policy: str
    urn: str
    enforcement: str
    message: str


@dataclass
class PlanDiff:
    base_title: str
    head_title: str
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[ResourceChange] = field(default_factory=list)
    cost_lines: list[CostLineDelta] = field(default_factory=list)
    base_total: float | None = None
    head_total: float | None = None
    assumptions: list[InputChange] = field(default_factory=list)
    catalog_dates: tuple[str | None, str | None] = (None, None)
    violations_added: list[Violation] = field(default_factory=list)
    violations_removed: list[Violation] = field(default_factory=list)
    violations_head: list[Violation] = field(default_factory=list)

    @property
    def total_delta(self) -> float:
        return round((self.head_total or 0.0) - (self.base_total or 0.0), 2)

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.cost_lines
                    or self.assumptions or self.violations_added or self.violations_removed
                    or self.total_delta or (self.base_total is None) != (self.head_total is None))


def plan_problems(doc: Any) -> list[str]:
    """What keeps `doc` from being an offline plan (empty when it is one)."""
    if not isinstance(doc, dict):
        return [f"a JSON {type(doc).__name__}, not an object"]
    if not isinstance(doc.get("resources"), list):
        return ["no `resources` list"]
    problems = []
    for i, res in enumerate(doc["resources"]):
        if not (isinstance(res, dict) and isinstance(res.get("urn"), str)
                and isinstance(res.get("type"), str) and isinstance(res.get("inputs"), dict)):
            problems.append(f"resources[{i}] needs a string `urn`, `type` and an `inputs` object")
            break
    policy = doc.get("policy", {"violations": []})
    violations = policy.get("violations") if isinstance(policy, dict) else None
    if not isinstance(violations, list) or not all(
            isinstance(v, dict) and isinstance(v.get("policy"), str)
            and isinstance(v.get("urn"), str) for v in violations):
        problems.append("`policy.violations` is not a list of {policy, urn, ...} objects")
    if doc.get("cost") is not None:
        problems += [f"cost: {p}" for p in estimate_problems(doc["cost"])]
    return problems


def check_plan(doc: Any, name: str) -> dict[str, Any]:
    problems = plan_problems(doc)
    if problems:
        raise PlanInputError(f"{name}: not an `agent-stack plan --json` object: "
                             + "; ".join(problems[:3]))
    return doc


def urn_key(urn: str) -> str:
    """The URN without `urn:pulumi:<stack>::`: project, type path and name."""
    prefix, sep, rest = urn.partition("::")
    return rest if sep and prefix.startswith("urn:pulumi:") else urn


def _title(plan: dict[str, Any]) -> str:
    parts = [str(plan[k]) for k in ("cloud", "environment") if plan.get(k)]
    return " ".join(parts) or str(plan.get("stack", "plan"))


def _as_json(value: Any) -> Any:
    """A JSON object or array held as text, parsed; anything else as it is."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _named(value: Any) -> bool:
    """A list of objects with unique string `name`s (env vars, secrets, tags lists)."""
    if not isinstance(value, list) or not value:
        return False
    names = [item.get("name") if isinstance(item, dict) else None for item in value]
    return all(isinstance(n, str) for n in names) and len(set(names)) == len(names)


def changed_paths(before: Any, after: Any, path: str = "") -> Iterator[InputChange]:
    """Every leaf path whose value differs, as `a.b[2].c`."""
    before, after = _as_json(before), _as_json(after)
    if isinstance(before, dict) and isinstance(after, dict):
        for key in sorted(set(before) | set(after)):
            sub = f"{path}.{key}" if path else str(key)
            yield from changed_paths(before.get(key, MISSING), after.get(key, MISSING), sub)
    elif _named(before) and _named(after):
        old = {item["name"]: item for item in before}
        new = {item["name"]: item for item in after}
        for key in [*old, *(k for k in new if k not in old)]:
            yield from changed_paths(old.get(key, MISSING), new.get(key, MISSING),
                                     f"{path}[name={key}]")
    elif isinstance(before, list) and isinstance(after, list):
        for i in range(max(len(before), len(after))):
            yield from changed_paths(before[i] if i < len(before) else MISSING,
                                     after[i] if i < len(after) else MISSING, f"{path}[{i}]")
    elif before != after or isinstance(before, bool) != isinstance(after, bool):
        yield InputChange(path or "(value)", before, after)


def _cost_lines(cost: dict[str, Any] | None) -> dict[tuple[str, str], dict[str, Any]]:
    lines: dict[tuple[str, str], dict[str, Any]] = {}
    for line in (cost or {}).get("lineItems", []):
        key = (line["part"], line["sku"])
        found = lines.setdefault(key, {"unit": line["unit"], "quantity": 0.0, "monthly": 0.0})
        found["quantity"] += line["quantity"]
        found["monthly"] += line["monthly"]
    return lines


def _cost_deltas(base: dict[str, Any] | None,
                 head: dict[str, Any] | None) -> list[CostLineDelta]:
    before, after = _cost_lines(base), _cost_lines(head)
    deltas = []
    for key in [*before, *(k for k in after if k not in before)]:
        b = before.get(key, {"quantity": 0.0, "monthly": 0.0})
        a = after.get(key, {"quantity": 0.0, "monthly": 0.0})
        line = CostLineDelta(part=key[0], sku=key[1], unit=(a.get("unit") or b["unit"]),
                             before_quantity=round(b["quantity"], 6),
                             after_quantity=round(a["quantity"], 6),
                             before=round(b["monthly"], 2), after=round(a["monthly"], 2))
        if key not in before or key not in after or line.delta \
                or line.before_quantity != line.after_quantity:
            deltas.append(line)
    return sorted(deltas, key=lambda d: -abs(d.delta))


def _violations(plan: dict[str, Any]) -> dict[tuple[str, str], Violation]:
    found = {}
    for v in plan.get("policy", {}).get("violations", []):
        violation = Violation(policy=v["policy"], urn=v["urn"],
                              enforcement=str(v.get("enforcement", "")),
                              message=str(v.get("message", "")))
        found[(violation.policy, urn_key(violation.urn))] = violation
    return found


def diff_plans(base: dict[str, Any], head: dict[str, Any]) -> PlanDiff:
    base = check_plan(base, "BASE")
    head = check_plan(head, "HEAD")
    result = PlanDiff(base_title=_title(base), head_title=_title(head))

    before = {urn_key(r["urn"]): r for r in base["resources"]}
    after = {urn_key(r["urn"]): r for r in head["resources"]}
    result.added = [r for k, r in after.items() if k not in before]
    result.removed = [r for k, r in before.items() if k not in after]
    for key, res in after.items():
        if key in before:
            changes = tuple(changed_paths(before[key]["inputs"], res["inputs"]))
            if changes:
                result.changed.append(ResourceChange(urn=res["urn"], type=res["type"],
                                                     name=str(res.get("name", "")),
                                                     changes=changes))

    base_cost, head_cost = base.get("cost"), head.get("cost")
    result.cost_lines = _cost_deltas(base_cost, head_cost)
    result.base_total = base_cost["monthly"] if base_cost else None
    result.head_total = head_cost["monthly"] if head_cost else None
    if base_cost and head_cost:
        result.assumptions = list(changed_paths(base_cost.get("assumptions") or {},
                                                head_cost.get("assumptions") or {}))
    result.catalog_dates = ((base_cost or {}).get("catalogDate"),
                            (head_cost or {}).get("catalogDate"))

    old, new = _violations(base), _violations(head)
    result.violations_added = [v for k, v in new.items() if k not in old]
    result.violations_removed = [v for k, v in old.items() if k not in new]
    result.violations_head = list(new.values())
    return result
