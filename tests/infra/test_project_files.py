"""Pulumi.yaml, the stack files, the README table and the settings code agree."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from infra.settings import SETTINGS, SETTINGS_BY_KEY

ROOT = Path(__file__).resolve().parents[2]


def project() -> dict:
    return yaml.safe_load((ROOT / "Pulumi.yaml").read_text())


def test_project_file_runs_infra_with_the_project_virtualenv() -> None:
    p = project()
    assert p["name"] == "agent-stack" and p["main"] == "infra/"
    assert p["runtime"]["name"] == "python"
    assert p["runtime"]["options"]["virtualenv"] == ".venv"
    assert (ROOT / "infra" / "__main__.py").exists()


def test_every_setting_is_declared_with_type_description_and_default() -> None:
    config = project()["config"]
    assert list(config) == [s.key for s in SETTINGS]
    for setting in SETTINGS:
        declared = config[setting.key]
        assert declared["type"] == setting.type
        assert declared["description"].startswith(setting.description)
        assert declared["default"] == setting.yaml_default
        if setting.profile:
            for env, value in setting.profile.items():
                assert f"{env} {json.dumps(value)}" in declared["description"]


def test_readme_table_matches_the_project_file() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = re.findall(r"^\| `(\w+)` \| (\w+) \| `(.*?)` \| (.*) \|$", readme, re.MULTILINE)
    config = project()["config"]
    assert [r[0] for r in rows] == list(config)
    for key, typ, default, description in rows:
        assert typ == config[key]["type"]
        assert json.loads(default) == config[key]["default"]
        assert description == config[key]["description"]


def test_stack_files_set_only_declared_keys() -> None:
    for env in ("dev", "prod"):
        config = yaml.safe_load((ROOT / f"Pulumi.{env}.yaml").read_text())["config"]
        keys = [k.split(":", 1)[1] for k in config if k.startswith("agent-stack:")]
        assert set(keys) <= set(SETTINGS_BY_KEY)
        assert config["agent-stack:environment"] == env
        # Secret values never live in the repo's stack files in plain text.
        assert not [k for k in keys if SETTINGS_BY_KEY[k].secret]


def test_readme_quick_start_has_exactly_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^(make \w+)", quick, re.MULTILINE)
    assert commands == ["make preview", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^preview:", makefile, re.MULTILINE)
    assert re.search(r"^test:", makefile, re.MULTILINE)


def test_generated_schema_and_table_are_current() -> None:
    from infra import config_schema

    assert config_schema.main([]) == 0, "run: python -m infra.config_schema --write"
