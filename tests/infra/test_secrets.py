"""Secrets Manager entries, recovery window, and no secret value anywhere in the plan."""

from __future__ import annotations

from .conftest import ANTHROPIC_TEST_KEY, CLIENT_TEST_KEYS, Plan, walk_strings

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


def test_every_secret_has_an_entry_and_a_recovery_window(plan: Plan) -> None:
    entries = plan.of_type(SECRET)
    assert set(plan.outputs["secrets"]) == {"anthropic-api-key", "api-keys",
                                            "redis-auth-token", "vector-store-key"}
    assert len(entries) == 4
    for entry in entries:
        assert entry.inputs["recoveryWindowInDays"] == plan.settings.secret_recovery_days >= 7
    assert {v.inputs["secretString"] for v in plan.of_type(VERSION)} == {"[secret]"}


def test_prod_keeps_deleted_secrets_longer(dev: Plan, prod: Plan) -> None:
    assert dev.settings.secret_recovery_days == 7 and prod.settings.secret_recovery_days == 30


def test_no_secret_value_appears_in_any_input_or_output(plan: Plan) -> None:
    text = plan.text()
    for secret in (ANTHROPIC_TEST_KEY, *CLIENT_TEST_KEYS.split(",")):
        assert secret not in text
    # Generated values (mocks return "mock-<output>-<hash>") and the ECR password too.
    assert "mock-result" not in text and "mock-ecr" not in text
    assert "mock-privateKeyPem" not in text
    assert all("BEGIN PRIVATE KEY" not in s and "BEGIN EC PRIVATE KEY" not in s
               for s in walk_strings([r.inputs for r in plan.resources]))


def test_without_configured_keys_the_client_key_is_generated(plan_of) -> None:  # type: ignore[no-untyped-def]
    plan = plan_of("dev")
    assert "anthropic-api-key" not in plan.outputs["secrets"]
    generated = plan.one("random:index/randomPassword:RandomPassword", "api-key")
    assert generated.inputs["length"] >= 32
