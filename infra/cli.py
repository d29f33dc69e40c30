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

    return policy_main([args.plan, *(["--config", args.config] if args.config else [])])


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
    policy.set_defaults(func=cmd_policy)

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
