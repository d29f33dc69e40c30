"""Redis: TLS in transit, encryption at rest, generated AUTH token; Multi-AZ in prod."""

from __future__ import annotations

from infra.settings import AUTH_TOKEN_SPECIAL_CHARS

from .conftest import Plan

GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"


def test_encrypted_in_transit_and_at_rest_with_auth(plan: Plan) -> None:
    group = plan.one(GROUP).inputs
    assert group["transitEncryptionEnabled"] is True
    assert group["transitEncryptionMode"] == "required"
    assert group["atRestEncryptionEnabled"] is True
    assert group["authToken"] == "[secret]"
    (sg,) = group["securityGroupIds"]
    assert plan.ref(sg).inputs["tags"]["role"] == "cache"


def test_auth_token_is_generated_within_elasticache_rules(plan: Plan) -> None:
    token = plan.one("random:index/randomPassword:RandomPassword", "redis-auth-token").inputs
    assert 16 <= token["length"] == plan.settings.cache_auth_token_length <= 128
    assert set(token["overrideSpecial"]) <= set(AUTH_TOKEN_SPECIAL_CHARS)
    assert not set(token["overrideSpecial"]) & set('@"/ ')


def test_dev_is_one_node_prod_is_multi_az_with_failover(dev: Plan, prod: Plan) -> None:
    d, p = dev.one(GROUP).inputs, prod.one(GROUP).inputs
    assert d["numCacheClusters"] == 1 and d["automaticFailoverEnabled"] is False
    assert p["numCacheClusters"] == 2
    assert p["automaticFailoverEnabled"] is True and p["multiAzEnabled"] is True


def test_cache_output_is_tls(plan: Plan) -> None:
    assert plan.outputs["cache"]["engine"] == "redis" and plan.outputs["cache"]["tls"] is True
