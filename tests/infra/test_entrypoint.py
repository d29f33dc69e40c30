"""`pulumi up` runs infra/__main__.py: settings from the Pulumi config, outputs exported."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime.settings import get_root_resource, set_root_resource

from infra.offline.mocks import CloudMocks, RecordingMonitor
from infra.program import OUTPUT_KEYS
from infra.settings import SettingsError

MAIN = Path(__file__).resolve().parents[2] / "infra" / "__main__.py"


def run_main(monkeypatch: pytest.MonkeyPatch, config: dict[str, str],
             monitor: RecordingMonitor | None = None) -> dict[str, Any]:
    # As the Pulumi CLI does: config arrives in PULUMI_CONFIG, secret keys named beside it.
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(config))
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", json.dumps(["agent-stack:anthropicApiKey"]))
    pulumi.runtime.set_all_config({}, [])
    monitor = monitor or RecordingMonitor(CloudMocks("eu-west-1"))
    set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_mocks(monitor.mocks, project="agent-stack", stack="dev", preview=False,
                             monitor=monitor)
    exported: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[Any]:
        runpy.run_path(str(MAIN), run_name="__main__")
        outputs = get_root_resource().outputs  # type: ignore[union-attr]
        return pulumi.Output.all(**outputs).apply(exported.update)

    program()
    exported["resources"] = len(monitor.registrations)
    return exported


def test_main_reads_config_and_exports_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    out = run_main(monkeypatch, {"agent-stack:region": "eu-west-1",
                                 "agent-stack:environment": "dev",
                                 "agent-stack:vectorStore": "chroma",
                                 "agent-stack:anthropicApiKey": "sk-ant-api03-main-0123456789"})
    assert set(out) - {"resources"} == set(OUTPUT_KEYS)
    assert out["region"] == "eu-west-1" and out["vectorStore"]["engine"] == "chroma"
    assert out["resources"] > 100


def test_main_with_bad_config_declares_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monitor = RecordingMonitor(CloudMocks("us-east-1"))
    with pytest.raises(SettingsError, match="azCount = 1"):
        run_main(monkeypatch, {"agent-stack:azCount": "1"}, monitor)
    assert monitor.registrations == []
