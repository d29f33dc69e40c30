"""A costEstimate as a terminal table, Markdown or JSON: line items by cost, parts, assumptions."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

FORMATS = ("table", "markdown", "json")


def usd(amount: float, sign: bool = False) -> str:
    """`$1,234.56`; with `sign`, `+$1.20` / `-$0.40` / `$0.00`."""
    text = f"${abs(amount):,.2f}"
    if amount < 0 and text != "$0.00":
        return f"-{text}"
    return f"+{text}" if sign and text != "$0.00" else text


def quantity(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def unit_price(value: float) -> str:
    text = f"{value:.8f}".rstrip("0")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def label(key: str) -> str:
    """`requestsPerMonth` -> `requests per month`."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", key).lower().replace("gb", "GB")


def by_cost(estimate: dict[str, Any]) -> list[dict[str, Any]]:
    """Line items, most expensive first (ties in their original order)."""
    return sorted(estimate["lineItems"], key=lambda line: -line["monthly"])


def part_totals(estimate: dict[str, Any]) -> list[tuple[str, float]]:
    """(part, monthly) pairs, most expensive part first."""
    totals: dict[str, float] = defaultdict(float)
    for line in estimate["lineItems"]:
        totals[line["part"]] += line["monthly"]
    return sorted(((p, round(t, 2)) for p, t in totals.items()), key=lambda pt: -pt[1])


def _share(amount: float, total: float) -> str:
    return f"{100 * amount / total:.1f}%" if total else "-"


def _prices_note(estimate: dict[str, Any]) -> str:
    region = estimate.get("pricedRegion", "reference-region")
    date = estimate.get("catalogDate", "an unknown date")
    return f"{estimate['currency']}, {region} list prices as of {date}"


def _assumptions(estimate: dict[str, Any]) -> list[str]:
    return [f"{label(k)}: {quantity(v) if isinstance(v, int | float) else v}"
            for k, v in (estimate.get("assumptions") or {}).items()]


def render_table(estimate: dict[str, Any], title: str = "") -> str:
    total = estimate["monthly"]
    head = f"Estimated monthly cost: {usd(total)}" + (f"  ({title})" if title else "")
    rows = [("PART", "SKU", "QUANTITY", "UNIT", "UNIT PRICE", "MONTHLY", "SHARE")]
    rows += [(line["part"], line["sku"], quantity(line["quantity"]), line["unit"],
              unit_price(line["unitPrice"]), f"{line['monthly']:,.2f}",
              _share(line["monthly"], total)) for line in by_cost(estimate)]
    rows.append(("TOTAL", "", "", "", "", f"{total:,.2f}", ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    right = {2, 4, 5, 6}
    lines = [head, f"Prices: {_prices_note(estimate)}", ""]
    for row in rows:
        cells = [cell.rjust(w) if i in right else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append("By part: " + ", ".join(f"{part} {usd(amount)} ({_share(amount, total)})"
                                          for part, amount in part_totals(estimate)))
    assumptions = _assumptions(estimate)
    if assumptions:
        lines.append("Assumptions: " + "; ".join(assumptions))
    return "\n".join(lines)


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_markdown(estimate: dict[str, Any], title: str = "") -> str:
    total = estimate["monthly"]
    lines = [f"**Estimated cost: {usd(total)}/month**" + (f" — {_md(title)}" if title else "")
             + f" ({_prices_note(estimate)})", "",
             "| part | SKU | quantity | unit | unit price | monthly | share |",
             "|---|---|--:|---|--:|--:|--:|"]
    for line in by_cost(estimate):
        lines.append(f"| {_md(line['part'])} | `{line['sku']}` | {quantity(line['quantity'])} "
                     f"| {_md(line['unit'])} | {unit_price(line['unitPrice'])} "
                     f"| {usd(line['monthly'])} | {_share(line['monthly'], total)} |")
    lines.append(f"| **total** | | | | | **{usd(total)}** | |")
    lines.append("")
    lines.append("Where the money goes: " + " · ".join(
        f"{_md(part)} {usd(amount)} ({_share(amount, total)})"
        for part, amount in part_totals(estimate)))
    assumptions = _assumptions(estimate)
    if assumptions:
        lines += ["", "<details><summary>Usage assumptions</summary>", "",
                  *[f"- {a}" for a in assumptions], "", "</details>"]
    return "\n".join(lines)


def render_json(estimate: dict[str, Any]) -> str:
    return json.dumps(estimate, indent=2)


def render(estimate: dict[str, Any], fmt: str, title: str = "") -> str:
    if fmt == "json":
        return render_json(estimate)
    if fmt == "markdown":
        return render_markdown(estimate, title)
    if fmt == "table":
        return render_table(estimate, title)
    raise ValueError(f"format {fmt!r}: allowed {', '.join(FORMATS)}")
