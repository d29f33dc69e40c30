"""The `agent-stack` command: plan, policy, cost, diff, serve."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from infra.settings import SettingsError


def _overrides(pairs: Sequence[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SettingsError(f"--set {pair!r}: expected key=value, e.g. --set appCpu=512")
        out[key.strip()] = value
    return out


def cmd_plan(args: argparse.Namespace) -> int:
    from infra.offline.plan import build_plan
    from infra.offline.render import render_text

    plan = build_plan(args.cloud, args.env, _overrides(args.set))
    print(json.dumps(plan, indent=2) if args.json else render_text(plan))
    return 0


def cmd_policy(args: argparse.Namespace) -> int:
    from policies.evaluate import main as policy_main

    return policy_main([args.plan, *(["--config", args.config] if args.config else []),
                        *(["--json"] if args.json else [])])


def _read_input(path: str) -> tuple[str, str]:
    """(text, name) of a FILE argument; `-` reads standard input."""
    if path == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise OSError("no input: give a FILE or pipe JSON into standard input")
        return sys.stdin.read(), "stdin"
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read(), path
    except OSError as exc:
        raise OSError(f"{path}: {exc.strerror or exc}") from None


def cmd_cost(args: argparse.Namespace) -> int:
    from infra.cost.extract import (
        EstimateInputError,
        describe_source,
        extract_estimate,
        parse_json,
    )
    from infra.cost.render import render

    try:
        text, name = _read_input(args.file)
        doc = parse_json(text, name)
        estimate, origin = extract_estimate(doc, name)
    except (OSError, EstimateInputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(render(estimate, args.format, describe_source(doc, origin)))
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from infra.offline.diff import PlanInputError, diff_plans
    from infra.offline.diff_render import render_markdown, render_text

    try:
        docs = []
        for role, path in (("BASE", args.base), ("HEAD", args.head)):
            text, name = _read_input(path)
            try:
                docs.append(json.loads(text))
            except json.JSONDecodeError as exc:
                raise PlanInputError(f"{role} {name}: not JSON ({exc.msg} at line "
                                     f"{exc.lineno})") from None
        diff = diff_plans(docs[0], docs[1])
    except (OSError, PlanInputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = render_markdown(diff) if args.format == "markdown" else render_text(diff)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 1 if diff.has_changes else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from app.server import serve

    serve(host=args.host, port=args.port)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agent-stack", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    plan = sub.add_parser("plan", help="offline plan: what `pulumi up` would build, "
                                       "with policy results and cost (no credentials)")
    plan.add_argument("--cloud", default="aws", help="aws (azure, gcp, databricks: not yet)")
    plan.add_argument("--env", default="dev", help="stack/environment: dev or prod")
    plan.add_argument("--json", action="store_true", help="print the plan JSON object")
    plan.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                      help="override a stack setting (repeatable)")
    plan.set_defaults(func=cmd_plan)

    policy = sub.add_parser("policy", help="run the policy pack on a saved plan JSON")
    policy.add_argument("plan", help="path of `agent-stack plan --json` output")
    policy.add_argument("--config", help="policy config JSON (enforcement levels)")
    policy.add_argument("--json", action="store_true", help="print violations as JSON")
    policy.set_defaults(func=cmd_policy)

    cost = sub.add_parser("cost", help="render a cost estimate from a plan JSON or "
                                       "`pulumi stack output --json`")
    cost.add_argument("file", nargs="?", default="-", metavar="FILE",
                      help="`agent-stack plan --json` or `pulumi stack output --json` output; "
                           "- (default) reads standard input")
    cost.add_argument("--format", choices=("table", "markdown", "json"), default="table")
    cost.set_defaults(func=cmd_cost)

    diff = sub.add_parser(
        "diff", help="compare two plan JSONs: resources, cost and policy violations",
        description="Compare two `agent-stack plan --json` outputs. Exit status: 0 nothing "
                    "changed, 1 something changed, 2 bad input.")
    diff.add_argument("base", metavar="BASE.json", help="plan of the base (- for stdin)")
    diff.add_argument("head", metavar="HEAD.json", help="plan of the head (- for stdin)")
    diff.add_argument("--format", choices=("text", "markdown"), default="text",
                      help="markdown: for a sticky pull-request comment")
    diff.set_defaults(func=cmd_diff)

    serve = sub.add_parser("serve", help="run the agent app locally on embedded defaults")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
