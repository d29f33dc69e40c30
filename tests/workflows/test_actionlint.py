"""actionlint (with its shellcheck integration) passes on every workflow file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
VENV_BIN = Path(sys.executable).parent


def _tool(name: str) -> str | None:
    """The tool from this interpreter's environment (the dev extras), else from PATH."""
    local = VENV_BIN / name
    return str(local) if local.exists() else shutil.which(name)


def _require(name: str) -> str:
    found = _tool(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed; CI must have it (pip install -e '.[dev]')")
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def test_there_are_workflows() -> None:
    assert {p.name for p in WORKFLOWS} >= {"pr.yml", "deploy.yml"}


def test_actionlint_passes() -> None:
    actionlint = _require("actionlint")
    shellcheck = _require("shellcheck")
    done = subprocess.run(
        [actionlint, "-no-color", "-oneline", "-shellcheck", shellcheck, "-pyflakes", "",
         *map(str, WORKFLOWS)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path: Path) -> None:
    """The check is live: an unknown input, an undefined context and a shell bug all fail."""
    actionlint = _require("actionlint")
    shellcheck = _require("shellcheck")
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: push\n"
        "jobs:\n"
        "  a:\n"
        "    runs-on: ubuntu-latest\n"
        "    env:\n"
        "      WHERE: ${{ runner.temp }}\n"
        "    steps:\n"
        "      - uses: pulumi/actions@v7\n"
        "        with:\n"
        "          command: preview\n"
        "          stack-name: dev\n"
        "          policy-packs: policies\n"
        "      - run: echo $UNQUOTED > $OUT\n")
    done = subprocess.run([actionlint, "-no-color", "-oneline", "-shellcheck", shellcheck,
                           "-pyflakes", "", str(bad)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert 'input "policy-packs" is not defined' in done.stdout
    assert '"runner" is not allowed here' in done.stdout
    assert "SC2086" in done.stdout
