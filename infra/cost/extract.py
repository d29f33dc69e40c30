"""Finds the costEstimate in a JSON document and checks its shape.

Three documents carry one: an offline plan (`agent-stack plan --json`, key `cost`), the
outputs of a real stack (`pulumi stack output --json`, key `costEstimate`) and that output
alone (`pulumi stack output --json costEstimate`).
"""

from __future__ import annotations

import json
from typing import Any

EXPECTED = ("an `agent-stack plan --json` object (with `cost`) or `pulumi stack output --json` "
            "(with `costEstimate`)")
LINE_FIELDS: dict[str, tuple[type, ...]] = {
    "part": (str,), "sku": (str,), "quantity": (int, float), "unit": (str,),
    "unitPrice": (int, float), "monthly": (int, float),
}


class EstimateInputError(ValueError):
    """The document holds no usable costEstimate; the message is one line."""


def parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise EstimateInputError(f"{name}: not JSON ({exc.msg} at line {exc.lineno}); "
                                 f"expected {EXPECTED}") from None


def extract_estimate(doc: Any, name: str = "input") -> tuple[dict[str, Any], str]:
    """(the costEstimate, where it came from: "plan", "stack outputs" or "costEstimate")."""
    if not isinstance(doc, dict):
        raise EstimateInputError(f"{name}: a JSON {type(doc).__name__}; expected {EXPECTED}")
    if "resources" in doc and "cost" in doc:
        found, origin = doc["cost"], "plan"
        if found is None:
            raise EstimateInputError(f"{name}: the plan has no cost estimate (`cost` is null)")
    elif "costEstimate" in doc:
        found, origin = doc["costEstimate"], "stack outputs"
        if isinstance(found, str) and found.startswith("{"):
            found = parse_json(found, f"{name}: costEstimate")
    elif "lineItems" in doc and "monthly" in doc:
        found, origin = doc, "costEstimate"
    else:
        keys = ", ".join(sorted(doc)[:6]) or "none"
        raise EstimateInputError(f"{name}: no `cost` or `costEstimate` key (keys: {keys}); "
                                 f"expected {EXPECTED}")
    problems = estimate_problems(found)
    if problems:
        raise EstimateInputError(f"{name}: the {origin} costEstimate is malformed: "
                                 + "; ".join(problems[:3]))
    return found, origin


def estimate_problems(estimate: Any) -> list[str]:
    """What is wrong with a costEstimate's shape (empty when it is well formed)."""
    if not isinstance(estimate, dict):
        return [f"expected an object, got {type(estimate).__name__}"]
    problems = []
    if not isinstance(estimate.get("monthly"), int | float):
        problems.append("`monthly` is not a number")
    if not isinstance(estimate.get("currency"), str):
        problems.append("`currency` is missing")
    lines = estimate.get("lineItems")
    if not isinstance(lines, list):
        return [*problems, "`lineItems` is not a list"]
    for i, line in enumerate(lines):
        if not isinstance(line, dict):
            problems.append(f"lineItems[{i}] is not an object")
            continue
        for key, types in LINE_FIELDS.items():
            value = line.get(key)
            if not isinstance(value, types) or isinstance(value, bool):
                problems.append(f"lineItems[{i}].{key} is missing or not "
                                f"{'a number' if int in types else 'a string'}")
    return problems


def describe_source(doc: dict[str, Any], origin: str) -> str:
    """A short title for the estimate: which stack, and whether it was planned or deployed."""
    if origin == "plan":
        return (f"offline plan of {doc.get('project', '?')}/{doc.get('stack', '?')}: "
                f"{doc.get('cloud', '?')} {doc.get('environment', '?')}")
    if origin == "stack outputs":
        where = " ".join(str(doc[k]) for k in ("cloud", "environment", "region") if k in doc)
        return f"deployed stack: {where}" if where else "deployed stack"
    return "costEstimate"
