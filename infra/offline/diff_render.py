"""A plan diff as terminal text or as Markdown for a sticky pull-request comment."""

from __future__ import annotations

import json
from typing import Any

from infra.cost.render import quantity, usd
from infra.offline.diff import MISSING, PlanDiff, Violation

MARKER = "<!-- agent-stack-plan-diff -->"
MAX_ROWS = 60  # per table; a PR comment holds at most 65,536 characters
VALUE_WIDTH = 60


def _json(value: Any) -> str:
    return repr(value) if value is MISSING else json.dumps(value, separators=(",", ":"),
                                                           sort_keys=True)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def show(value: Any, width: int = VALUE_WIDTH) -> str:
    """A value compactly, as JSON, cut to `width` characters."""
    return _cut(_json(value), width)


def show_pair(before: Any, after: Any, width: int = VALUE_WIDTH) -> tuple[str, str]:
    """Both values as JSON; long ones are cut around where they first differ."""
    texts = [_json(before), _json(after)]
    same = 0
    while same < min(map(len, texts)) and texts[0][same] == texts[1][same]:
        same += 1
    start = max(0, same - width // 3) if max(map(len, texts)) > width else 0
    cut = [_cut(("…" + t[start:]) if start and len(t) > start else t, width) for t in texts]
    return cut[0], cut[1]


def counts(diff: PlanDiff) -> str:
    return (f"{len(diff.added)} to add, {len(diff.changed)} to change, "
            f"{len(diff.removed)} to remove")


def cost_summary(diff: PlanDiff) -> str:
    if diff.base_total is None and diff.head_total is None:
        return "no cost estimate"
    base = usd(diff.base_total) if diff.base_total is not None else "(none)"
    head = usd(diff.head_total) if diff.head_total is not None else "(none)"
    return f"{base} → {head}/month ({usd(diff.total_delta, sign=True)})"


def policy_summary(diff: PlanDiff) -> str:
    head = diff.violations_head
    mandatory = sum(1 for v in head if v.enforcement == "mandatory")
    state = (f"{len(head)} violation(s), {mandatory} mandatory" if head
             else "no violations")
    return (f"{state}; {len(diff.violations_added)} new, "
            f"{len(diff.violations_removed)} resolved")


def _titles(diff: PlanDiff) -> str:
    if diff.base_title == diff.head_title:
        return diff.head_title
    return f"{diff.base_title} → {diff.head_title}"


def render_text(diff: PlanDiff) -> str:
    lines = [f"Plan diff ({_titles(diff)}): {counts(diff)}"]
    for res in diff.added:
        lines.append(f"  + {res['type']}  {res.get('name', '')}")
    for change in diff.changed:
        lines.append(f"  ~ {change.type}  {change.name}")
        for c in change.changes:
            before, after = show_pair(c.before, c.after)
            lines.append(f"      {c.path}: {before} → {after}")
    for res in diff.removed:
        lines.append(f"  - {res['type']}  {res.get('name', '')}")
    lines.append("")
    lines.append(f"Cost: {cost_summary(diff)}")
    for d in diff.cost_lines:
        lines.append(f"  {d.part:<14} {d.sku:<34} {usd(d.before):>10} → {usd(d.after):>10}  "
                     f"({usd(d.delta, sign=True)}; {quantity(d.before_quantity)} → "
                     f"{quantity(d.after_quantity)} {d.unit})")
    for a in diff.assumptions:
        lines.append(f"  assumption {a.path}: {show(a.before)} → {show(a.after)}")
    if diff.catalog_dates[0] != diff.catalog_dates[1]:
        lines.append(f"  price catalog: {diff.catalog_dates[0]} → {diff.catalog_dates[1]}")
    lines.append("")
    lines.append(f"Policy: {policy_summary(diff)}")
    for sign, group in (("+", diff.violations_added), ("-", diff.violations_removed)):
        for v in group:
            lines.append(f"  {sign} [{v.enforcement}] {v.policy}: {v.message}")
            lines.append(f"      {v.urn}")
    lines.append("")
    lines.append("Changes found." if diff.has_changes else "No changes.")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{_cell(text).replace('`', chr(39))}`"


def _limited(rows: list[str], what: str) -> list[str]:
    if len(rows) <= MAX_ROWS:
        return rows
    return [*rows[:MAX_ROWS], f"| … | {len(rows) - MAX_ROWS} more {what} | | |"]


def _resource_rows(diff: PlanDiff) -> list[str]:
    rows = [f"| add | {_code(r['type'])} | {_code(str(r.get('name', '')))} | |"
            for r in diff.added]
    for change in diff.changed:
        inputs = "<br>".join(
            f"{_code(c.path)}: {' → '.join(map(_code, show_pair(c.before, c.after, 40)))}"
            for c in change.changes[:8])
        if len(change.changes) > 8:
            inputs += f"<br>… {len(change.changes) - 8} more"
        rows.append(f"| change | {_code(change.type)} | {_code(change.name)} | {inputs} |")
    rows += [f"| remove | {_code(r['type'])} | {_code(str(r.get('name', '')))} | |"
             for r in diff.removed]
    return _limited(rows, "resources")


def _violation_row(state: str, v: Violation) -> str:
    return (f"| {state} | {v.enforcement} | {_code(v.policy)} | {_cell(v.message)} "
            f"| {_code(v.urn.rsplit('::', 1)[-1])} |")


def render_markdown(diff: PlanDiff) -> str:
    has_mandatory = any(v.enforcement == "mandatory" for v in diff.violations_head)
    lines = [MARKER, f"### Plan diff: {_cell(_titles(diff))}", "",
             f"- **Resources:** {counts(diff)}",
             f"- **Cost:** {cost_summary(diff)}",
             f"- **Policy:** {'❌ ' if has_mandatory else ''}{policy_summary(diff)}", ""]
    if diff.added or diff.changed or diff.removed:
        rows = _resource_rows(diff)
        lines += [f"<details><summary>Resources ({counts(diff)})</summary>", "",
                  "| action | type | name | changed inputs |", "|---|---|---|---|", *rows,
                  "", "</details>", ""]
    if diff.cost_lines or diff.assumptions or diff.total_delta:
        lines += ["| part | SKU | base | head | delta |", "|---|---|--:|--:|--:|"]
        lines += _limited([f"| {_cell(d.part)} | {_code(d.sku)} | {usd(d.before)} "
                           f"| {usd(d.after)} | {usd(d.delta, sign=True)} |"
                           for d in diff.cost_lines], "cost lines")
        lines.append(f"| **total** | | **{usd(diff.base_total or 0)}** "
                     f"| **{usd(diff.head_total or 0)}** "
                     f"| **{usd(diff.total_delta, sign=True)}** |")
        lines.append("")
        for a in diff.assumptions:
            lines.append(f"- assumption {_code(a.path)}: {_code(show(a.before))} → "
                         f"{_code(show(a.after))}")
        if diff.assumptions:
            lines.append("")
    violations = ([_violation_row("new", v) for v in diff.violations_added]
                  + [_violation_row("resolved", v) for v in diff.violations_removed])
    if violations:
        lines += ["| state | enforcement | policy | message | resource |",
                  "|---|---|---|---|---|", *_limited(violations, "violations"), ""]
    remaining = [v for v in diff.violations_head if v not in diff.violations_added]
    if remaining:
        lines += [f"<details><summary>Violations also present in the base "
                  f"({len(remaining)})</summary>", "",
                  "| state | enforcement | policy | message | resource |",
                  "|---|---|---|---|---|",
                  *_limited([_violation_row("unchanged", v) for v in remaining],
                            "violations"), "", "</details>", ""]
    if not diff.has_changes:
        lines += ["No changes.", ""]
    return "\n".join(lines).rstrip() + "\n"
