"""Pulumi.yaml's `config:` block and the README's settings table, generated from SETTINGS.

`python -m infra.config_schema --write` rewrites both after a change to infra/settings.py;
a test fails while either file disagrees with the settings table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from infra.settings import SETTINGS, Setting

ROOT = Path(__file__).resolve().parents[1]
PULUMI_YAML = ROOT / "Pulumi.yaml"
README = ROOT / "README.md"
TABLE_START = "<!-- settings-table:start -->"
TABLE_END = "<!-- settings-table:end -->"


def description(setting: Setting) -> str:
    if not setting.profile:
        return setting.description
    unset = json.dumps(setting.yaml_default)
    profile = ", ".join(f"{env} {json.dumps(v)}" for env, v in setting.profile.items())
    return f"{setting.description} Default {unset} picks the environment profile ({profile})."


def config_block() -> str:
    lines = ["config:"]
    for s in SETTINGS:
        lines += [f"  {s.key}:", f"    type: {s.type}",
                  f"    description: {json.dumps(description(s))}",
                  f"    default: {json.dumps(s.yaml_default)}"]
    return "\n".join(lines) + "\n"


def readme_table() -> str:
    rows = ["| key | type | default | description |", "|---|---|---|---|"]
    rows += [f"| `{s.key}` | {s.type} | `{json.dumps(s.yaml_default)}` | {description(s)} |"
             for s in SETTINGS]
    return "\n".join(rows)


def render_pulumi_yaml(current: str) -> str:
    head = current.split("\nconfig:\n", 1)[0]
    return f"{head}\n{config_block()}"


def render_readme(current: str) -> str:
    pattern = re.compile(re.escape(TABLE_START) + ".*?" + re.escape(TABLE_END), re.S)
    return pattern.sub(f"{TABLE_START}\n{readme_table()}\n{TABLE_END}", current)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the files")
    args = parser.parse_args(argv)
    stale = []
    for path, render in ((PULUMI_YAML, render_pulumi_yaml), (README, render_readme)):
        current = path.read_text()
        wanted = render(current)
        if wanted != current:
            stale.append(path.name)
            if args.write:
                path.write_text(wanted)
    if stale and not args.write:
        print(f"out of date: {', '.join(stale)} (run python -m infra.config_schema --write)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
