"""Monthly cost of the shipped stacks against the design targets, and where the money goes.

Targets (issue 5): dev at or below a small single-VM production on AWS (one t3.large, an
ALB, S3 backups: about $92 a month, recomputed below from the same catalog), HA prod at most
$250. Exit status 1 when a stack misses its target.

Run: .venv/bin/python benchmarks/cost_report.py [--format text|markdown]
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from infra.cost.catalog import CATALOG
from infra.cost.line_item import HOURS_PER_MONTH
from infra.cost.render import by_cost, part_totals, usd
from infra.offline.plan import build_plan

PROD_CEILING = 250.0
STACKS = (("aws", "dev"), ("aws", "prod"))

# The reference: one t3.large with a public IPv4 and a 50 GB gp3 root volume behind an
# internet-facing ALB in 2 AZs, and 20 GB of backups in S3 Standard.
REFERENCE: tuple[tuple[str, str, float], ...] = (
    ("EC2 t3.large", "ec2-t3.large-hour", HOURS_PER_MONTH),
    ("its public IPv4", "public-ipv4-hour", HOURS_PER_MONTH),
    ("50 GB gp3 root volume", "ebs-gp3-gb-month", 50),
    ("ALB", "alb-hour", HOURS_PER_MONTH),
    ("ALB public IPv4 (2 AZs)", "public-ipv4-hour", 2 * HOURS_PER_MONTH),
    ("20 GB S3 backups", "s3-standard-gb-month", 20),
)


def reference_total() -> tuple[float, list[tuple[str, float]]]:
    lines = [(what, round(qty * CATALOG.price("aws", "us-east-1", sku).usd, 2))
             for what, sku, qty in REFERENCE]
    return round(sum(amount for _, amount in lines), 2), lines


def report(estimates: dict[str, dict[str, Any]], markdown: bool) -> tuple[str, bool]:
    ref, ref_lines = reference_total()
    targets = {"dev": ref, "prod": PROD_CEILING}
    out, ok = [], True
    head = (f"Single-VM reference: {usd(ref)}/month ("
            + ", ".join(f"{what} {usd(amount)}" for what, amount in ref_lines) + ")")
    out += [head, ""]
    if markdown:
        out += ["| stack | monthly | target | top 3 line items | by part |",
                "|---|--:|--:|---|---|"]
    for env, cost in estimates.items():
        target = targets[env]
        meets = cost["monthly"] <= target
        ok &= meets
        top = ", ".join(f"{line['part']} {line['sku']} {usd(line['monthly'])}"
                        for line in by_cost(cost)[:3])
        parts = ", ".join(f"{part} {usd(amount)}" for part, amount in part_totals(cost))
        mark = "ok" if meets else "OVER"
        if markdown:
            out.append(f"| aws {env} | {usd(cost['monthly'])} | ≤ {usd(target)} ({mark}) "
                       f"| {top} | {parts} |")
        else:
            out += [f"aws {env}: {usd(cost['monthly'])}/month (target ≤ {usd(target)}: {mark})",
                    f"  top 3: {top}", f"  by part: {parts}", ""]
    return "\n".join(out).rstrip() + "\n", ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--format", choices=("text", "markdown"), default="text")
    args = parser.parse_args()
    estimates = {env: build_plan(cloud, env)["cost"] for cloud, env in STACKS}
    text, ok = report(estimates, args.format == "markdown")
    sys.stdout.write(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
