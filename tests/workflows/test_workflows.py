"""The pull-request and deploy workflows: their shape, and their scripts run for real.

The plan-diff job's shell steps run here as GitHub would run them (bash -eo pipefail, same
environment variables, same working directories) against a base checkout made with
`git archive`, and the comment job's github-script runs under node with a recording fake of
the GitHub API.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.offline.diff_render import MARKER

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
VENV_BIN = Path(sys.executable).parent


def load(name: str) -> dict[str, Any]:
    doc = yaml.safe_load((WORKFLOWS / name).read_text())
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as true
    return doc


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job["steps"] if str(s.get("uses", "")).startswith(action + "@")]


def step_named(job: dict[str, Any], prefix: str) -> dict[str, Any]:
    (step,) = [s for s in job["steps"] if str(s.get("name", "")).startswith(prefix)]
    return step


PR = load("pr.yml")
DEPLOY = load("deploy.yml")


@pytest.mark.parametrize("doc", [PR, DEPLOY], ids=["pr", "deploy"])
def test_actions_are_pinned_to_a_major_version_or_commit(doc: dict[str, Any]) -> None:
    for job in doc["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@(v\d+(\.\d+)*|[0-9a-f]{40})",
                                    step["uses"]), step["uses"]


def test_pr_trigger_permissions_and_concurrency() -> None:
    assert "pull_request" in PR["on"]
    assert PR["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert "github.event.pull_request.number" in PR["concurrency"]["group"]
    assert PR["concurrency"]["cancel-in-progress"] is True


def test_pr_runs_make_test() -> None:
    assert any(s.get("run") == "make test" for s in PR["jobs"]["test"]["steps"])


def test_pr_plan_diff_matrix_checks_out_base_and_head() -> None:
    job = PR["jobs"]["plan-diff"]
    assert job["strategy"]["matrix"] == {"cloud": ["aws"], "env": ["dev", "prod"]}
    checkouts = steps_using(job, "actions/checkout")
    assert {c["with"]["path"] for c in checkouts} == {"head", "base"}
    (base,) = [c for c in checkouts if c["with"]["path"] == "base"]
    assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    assert steps_using(job, "actions/setup-python")[0]["with"]["python-version"] == "3.11"
    scripts = "\n".join(str(s.get("run", "")) for s in job["steps"])
    assert "agent-stack plan" in scripts and "--json" in scripts
    assert "agent-stack diff" in scripts and "--format markdown" in scripts
    (upload,) = steps_using(job, "actions/upload-artifact")
    assert upload["if"] == "always()"


def test_pr_comment_job_is_sticky_and_skipped_for_forks() -> None:
    job = PR["jobs"]["comment"]
    assert job["needs"] == "plan-diff"
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]
    assert "!cancelled()" in job["if"]
    (script,) = steps_using(job, "actions/github-script")
    assert MARKER in script["with"]["script"]


def test_pr_preview_is_gated_on_credentials_and_uses_the_policy_pack() -> None:
    job = PR["jobs"]["preview"]
    assert "vars.AWS_ROLE_ARN != ''" in job["if"]
    assert job["permissions"]["id-token"] == "write"
    assert job["strategy"]["matrix"]["env"] == ["dev", "prod"]
    (creds,) = steps_using(job, "aws-actions/configure-aws-credentials")
    assert creds["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
    (pulumi,) = steps_using(job, "pulumi/actions")
    assert pulumi["with"] == {"command": "preview", "stack-name": "${{ matrix.env }}",
                              "comment-on-pr": True, "policyPacks": "policies"}
    assert pulumi["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"


def test_deploy_dev_then_approved_prod_with_policy_pack_and_summary() -> None:
    assert DEPLOY["on"] == {"push": {"branches": ["main"]}}
    assert DEPLOY["permissions"]["id-token"] == "write"
    assert DEPLOY["concurrency"]["cancel-in-progress"] is False
    dev, prod = DEPLOY["jobs"]["dev"], DEPLOY["jobs"]["prod"]
    assert prod["needs"] == "dev"
    assert prod["environment"]["name"] == "production"
    for job, stack in ((dev, "dev"), (prod, "prod")):
        (pulumi,) = steps_using(job, "pulumi/actions")
        assert pulumi["with"] == {"command": "up", "stack-name": stack, "policyPacks": "policies"}
        assert job["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
        summary = step_named(job, "URL and cost")["run"]
        assert f"pulumi stack output --json --stack {stack}" in summary
        assert "agent-stack cost" in summary and "$GITHUB_STEP_SUMMARY" in summary
        assert job["environment"]["url"] == "${{ steps.summary.outputs.url }}"


# --- the plan-diff job's shell steps, run for real -------------------------------------


def _run_step(step: dict[str, Any], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                           step["run"]], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, f"{step.get('name')}: {done.stdout}{done.stderr}"


def _plan_diff_job(tmp_path: Path, base: Path) -> tuple[str, str]:
    """Runs the plan-diff steps for aws/dev; (the section for the comment, the summary)."""
    job = PR["jobs"]["plan-diff"]
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    summary = tmp_path / "summary.md"
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
           "CLOUD": "aws", "STACK_ENV": "dev", "SECTION_NAME": "plan-diff-aws-dev.md",
           "RUNNER_TEMP": str(runner_temp), "GITHUB_STEP_SUMMARY": str(summary)}
    assert job["env"]["SECTION_NAME"] == "plan-diff-${{ matrix.cloud }}-${{ matrix.env }}.md"
    dirs = {"head": ROOT, "base": base}
    for name in ("Plan the head", "Plan the base", "Diff base -> head"):
        step = step_named(job, name)
        _run_step(step, dirs.get(step.get("working-directory", ""), tmp_path), env)
    return (runner_temp / "plan-diff-aws-dev.md").read_text(), summary.read_text()


def _base_checkout(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path / "base"
    base.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], capture_output=True,
                             check=True, timeout=60)
    subprocess.run(["tar", "-x", "-C", str(base)], input=archive.stdout, check=True, timeout=60)
    return base


def test_plan_diff_steps_diff_a_base_with_other_prices(tmp_path: Path) -> None:
    """The base is planned with its own code: a dearer NAT price there shows as a saving."""
    base = _base_checkout(tmp_path)
    prices = base / "infra" / "cost" / "prices.csv"
    row = "aws,us-east-1,nat-gateway-hour,NAT-hour,{},"
    text = prices.read_text()
    assert row.format("0.045") in text
    prices.write_text(text.replace(row.format("0.045"), row.format("0.055")))
    section, summary = _plan_diff_job(tmp_path, base)
    assert section.startswith(MARKER)
    # 730 h x $0.010 less per hour = $7.30 less.
    assert "| Network | `nat-gateway-hour` | $40.15 | $32.85 | -$7.30 |" in section
    assert "<summary>Head cost estimate (aws dev)</summary>" in section
    assert "| **total** |" in section
    assert summary == section


def test_plan_diff_steps_survive_a_base_that_cannot_be_planned(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()  # e.g. the commit before the CLI existed
    section, _ = _plan_diff_job(tmp_path, base)
    assert re.search(r"- \*\*Resources:\*\* \d+ to add, 0 to change, 0 to remove", section)
    assert "(none) → $" in section


# --- the comment job's github-script, run under node -----------------------------------

HARNESS = r"""
const fs = require('fs');
const script = fs.readFileSync(process.argv[2], 'utf8');
const existing = JSON.parse(process.argv[3]);
const calls = [];
const github = {
  paginate: async (fn, args) => { calls.push(['list', args]); return existing; },
  rest: { issues: {
    listComments: 'listComments',
    updateComment: async (args) => { calls.push(['update', args]); },
    createComment: async (args) => { calls.push(['create', args]); },
  } },
};
const context = { repo: { owner: 'acme', repo: 'agent-stack' }, payload: { pull_request: {
  number: 7, base: { sha: 'a'.repeat(40) }, head: { sha: 'b'.repeat(40) } } } };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
new AsyncFunction('github', 'context', 'require', script)(github, context, require)
  .then(() => console.log(JSON.stringify(calls)))
  .catch((err) => { console.error(err); process.exit(1); });
"""


def _comment(tmp_path: Path, existing: list[dict[str, Any]]) -> list[Any]:
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is not installed; CI must have it to test the github-script")
        pytest.skip("node is not installed")
    (step,) = steps_using(PR["jobs"]["comment"], "actions/github-script")
    script, harness = tmp_path / "script.js", tmp_path / "harness.js"
    script.write_text(step["with"]["script"])
    harness.write_text(HARNESS)
    sections = tmp_path / "plan-diff"
    sections.mkdir(exist_ok=True)
    for env in ("prod", "dev"):
        (sections / f"plan-diff-aws-{env}.md").write_text(
            f"{MARKER}\n### Plan diff: aws {env}\n\n- **Cost:** $1.00 → $2.00/month (+$1.00)\n")
    done = subprocess.run([node, str(harness), str(script), json.dumps(existing)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_comment_script_creates_one_comment_with_every_section(tmp_path: Path) -> None:
    calls = _comment(tmp_path, [{"id": 1, "user": {"type": "User"}, "body": f"quoting {MARKER}"}])
    assert calls[0] == ["list", {"owner": "acme", "repo": "agent-stack", "issue_number": 7,
                                 "per_page": 100}]
    kind, args = calls[1]
    assert kind == "create" and args["issue_number"] == 7
    body = args["body"]
    assert body.count(MARKER) == 1 and body.startswith(MARKER)
    assert body.index("aws dev") < body.index("aws prod")
    assert "base aaaaaaa → head bbbbbbb" in body


def test_comment_script_updates_its_own_comment(tmp_path: Path) -> None:
    calls = _comment(tmp_path, [{"id": 41, "user": {"type": "Bot"}, "body": f"{MARKER}\nold"}])
    kind, args = calls[1]
    assert kind == "update" and args["comment_id"] == 41
    assert "### Plan diff: aws prod" in args["body"]
