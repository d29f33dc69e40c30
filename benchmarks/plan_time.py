"""Offline plan time: median of 5 whole-process runs per stack (target: under 5 s each).

Run: .venv/bin/python benchmarks/plan_time.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENT_STACK = Path(sys.executable).with_name("agent-stack")
STACKS = (("aws", "dev"), ("aws", "prod"))
TARGET_SECONDS = 5.0


def time_plan(cloud: str, env: str) -> tuple[float, int]:
    start = time.perf_counter()
    result = subprocess.run([str(AGENT_STACK), "plan", "--cloud", cloud, "--env", env, "--json"],
                            cwd=ROOT, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - start
    return elapsed, len(json.loads(result.stdout)["resources"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ok = True
    print(f"{'stack':<10} {'resources':>9} {'median s':>9} {'min s':>7} {'max s':>7}")
    for cloud, env in STACKS:
        runs = [time_plan(cloud, env) for _ in range(args.runs)]
        times = [t for t, _ in runs]
        median = statistics.median(times)
        ok &= median < TARGET_SECONDS
        print(f"{cloud}/{env:<6} {runs[0][1]:>9} {median:>9.2f} {min(times):>7.2f} "
              f"{max(times):>7.2f}")
    print(f"target: median under {TARGET_SECONDS:.0f} s per stack -> {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
