"""Stack settings: profiles, overrides, and every provider-side rule the mocks cannot check."""

from __future__ import annotations

import pulumi
import pytest

from infra import cli
from infra.offline.plan import plan_settings
from infra.settings import (
    FARGATE_MEMORY,
    LOG_RETENTION_DAYS,
    SettingsError,
    build_settings,
    load_settings,
)

from .conftest import ANTHROPIC_TEST_KEY

PROD_OK = {"environment": "prod", "domain": "agent.example.com"}


def error_for(raw: dict[str, object], stack: str = "dev") -> str:
    with pytest.raises(SettingsError) as info:
        build_settings(raw, stack)
    return str(info.value)


def test_profiles_differ_by_environment() -> None:
    dev = build_settings({"environment": "dev"}, "dev")
    prod = build_settings(PROD_OK, "prod")
    assert (dev.app_min_count, prod.app_min_count) == (1, 2)
    assert (dev.nat_gateways, prod.nat_gateways) == ("single", "per-az")
    assert (dev.cache_nodes, prod.cache_nodes) == (1, 2)
    assert (dev.app_capacity, prod.app_capacity) == ("spot", "on-demand")


def test_a_key_overrides_the_profile_and_zero_means_profile() -> None:
    assert build_settings({"appMinCount": "3", "appMaxCount": "4"}, "dev").app_min_count == 3
    assert build_settings({"appMinCount": "0"}, "dev").app_min_count == 1
    assert build_settings({"appCapacity": "on-demand"}, "dev").app_capacity == "on-demand"
    assert build_settings({"appCapacity": ""}, "dev").app_capacity == "spot"


@pytest.mark.parametrize(("raw", "key", "allowed"), [
    ({"namePrefix": "a-very-long-name-prefix-here"}, "namePrefix", "at most 32"),
    ({"namePrefix": "Agent_1"}, "namePrefix", "lowercase letters"),
    ({"appCpu": "300"}, "appCpu", "256, 512, 1024"),
    ({"appCpu": "256", "appMemory": "4096"}, "appMemory", "512, 1024, 2048"),
    ({"appCpu": "1024", "appMemory": "1024"}, "appMemory", "2048, 3072"),
    ({"cacheAuthTokenLength": "12"}, "cacheAuthTokenLength", "16 to 128"),
    ({"cacheAuthTokenLength": "129"}, "cacheAuthTokenLength", "16 to 128"),
    ({"azCount": "1"}, "azCount", "2 to 6"),
    ({"logRetentionDays": "10"}, "logRetentionDays", "1, 3, 5, 7, 14"),
    ({"backupSchedule": "every day"}, "backupSchedule", "rate(N minutes"),
    ({"backupSchedule": "cron(0 3 * * *)"}, "backupSchedule", "cron(min hour"),
    ({"backupSchedule": "cron(0 3 * * * *)"}, "backupSchedule", "'?' in exactly one"),
    ({"backupSchedule": "rate(1 hours)"}, "backupSchedule", "rate(N"),
    ({"domain": "not a domain"}, "domain", "agent.example.com"),
    ({"domain": "localhost"}, "domain", "at least two labels"),
    ({"region": "Mars-1"}, "region", "us-east-1"),
    ({"vectorStore": "pinecone"}, "vectorStore", "'qdrant' or 'chroma'"),
    ({"environment": "staging"}, "environment", "'dev' or 'prod'"),
    ({"cloud": "oracle"}, "cloud", "'aws', 'azure'"),
    ({"cloud": "gcp"}, "cloud", "not built yet; allowed: aws"),
    ({"alertEmail": "ops-at-example"}, "alertEmail", "e-mail address"),
    ({"appMinCount": "3", "appMaxCount": "2"}, "appMaxCount", "at least appMinCount"),
    ({"appMinCount": "x"}, "appMinCount", "whole number"),
    ({"appCapacity": "cheap"}, "appCapacity", "'spot' or 'on-demand'"),
    ({"secretRecoveryDays": "3"}, "secretRecoveryDays", "7 to 30"),
    ({"cacheNodes": "7"}, "cacheNodes", "1 to 6"),
    ({"colour": "blue"}, "colour", "unknown setting"),
])
def test_bad_setting_names_key_value_and_what_is_allowed(raw: dict[str, str], key: str,
                                                         allowed: str) -> None:
    message = error_for(raw)
    assert f"{key}" in message
    assert allowed in message
    assert "nothing was deployed" in message


def test_prod_without_domain_is_refused() -> None:
    message = error_for({"environment": "prod"}, "prod")
    assert "domain = ''" in message and "self-signed fallback is for dev only" in message


def test_prod_needs_two_tasks() -> None:
    message = error_for({**PROD_OK, "appMinCount": "1"}, "prod")
    assert "appMinCount = 1" in message


def test_all_problems_arrive_in_one_error() -> None:
    message = error_for({"azCount": "1", "logRetentionDays": "2", "appCpu": "300"})
    assert all(k in message for k in ("azCount", "logRetentionDays", "appCpu"))


def test_every_valid_fargate_pair_and_retention_is_accepted() -> None:
    for cpu, memories in FARGATE_MEMORY.items():
        for memory in (memories[0], memories[-1]):
            build_settings({"appCpu": str(cpu), "appMemory": str(memory)}, "dev")
    for days in LOG_RETENTION_DAYS:
        build_settings({"logRetentionDays": str(days)}, "dev")


@pytest.mark.parametrize("expr", ["rate(1 day)", "rate(12 hours)", "cron(0 3 * * ? *)",
                                  "cron(15 2 ? * MON-FRI *)", "at(2027-01-01T03:00:00)"])
def test_valid_schedules(expr: str) -> None:
    assert build_settings({"backupSchedule": expr}, "dev").backup_schedule == expr


def test_name_limit_is_exact() -> None:
    # "<prefix>-prod-alb" must fit 32 characters: 23-character prefix + 9.
    build_settings({**PROD_OK, "namePrefix": "a" * 23}, "prod")
    assert "at most 32" in error_for({**PROD_OK, "namePrefix": "a" * 24}, "prod")


def test_secret_values_never_appear_in_errors() -> None:
    message = error_for({"apiKeys": "short-key-123", "anthropicApiKey": ANTHROPIC_TEST_KEY,
                         "azCount": "1"})
    assert "apiKeys = [secret]" in message
    assert "short-key-123" not in message and ANTHROPIC_TEST_KEY not in message


def test_load_settings_reads_pulumi_config() -> None:
    pulumi.runtime.set_all_config({"agent-stack:environment": "prod",
                                   "agent-stack:domain": "api.example.org",
                                   "agent-stack:anthropicApiKey": ANTHROPIC_TEST_KEY},
                                  ["agent-stack:anthropicApiKey"])
    try:
        settings = load_settings()
    finally:
        pulumi.runtime.set_all_config({}, [])
    assert settings.environment == "prod" and settings.domain == "api.example.org"
    assert settings.anthropic_api_key is not None
    assert settings.anthropic_api_key.get_secret_value() == ANTHROPIC_TEST_KEY
    assert ANTHROPIC_TEST_KEY not in repr(settings)


def test_shipped_stack_files_are_valid() -> None:
    assert plan_settings("aws", "dev").environment == "dev"
    prod = plan_settings("aws", "prod")
    assert prod.environment == "prod" and prod.domain


def test_bad_settings_stop_the_cli_before_any_resource(capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def program_ran(*args: object, **kwargs: object) -> None:
        raise AssertionError("the program ran with bad settings")

    monkeypatch.setattr("infra.offline.plan.run_program", program_ran)
    code = cli.main(["plan", "--env", "dev", "--set", "appMemory=3000", "--json"])
    err = capsys.readouterr()
    assert code == 2
    assert "appMemory = 3000" in err.err and "allowed: 512, 1024, 2048" in err.err
    assert err.out == ""


def test_malformed_set_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["plan", "--set", "appCpu"]) == 2
    assert "expected key=value" in capsys.readouterr().err
