"""HTTPS entry: TLS 1.2+ listener, port 80 only redirects, header hygiene, certificates."""

from __future__ import annotations

from infra.aws.load_balancer import TLS_POLICY
from infra.common.app_package import APP_PORT, HEALTH_PATH

from .conftest import Plan

LISTENER = "aws:lb/listener:Listener"
# AWS ELB policies that allow TLS 1.2 and newer only.
TLS12_PLUS_POLICIES = {
    "ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06", "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10",
}


def listeners(plan: Plan) -> dict[int, dict]:
    return {r.inputs["port"]: r.inputs for r in plan.of_type(LISTENER)}


def test_only_443_and_80_are_listened_on(plan: Plan) -> None:
    assert set(listeners(plan)) == {443, 80}


def test_https_listener_uses_a_tls12_plus_policy_and_a_certificate(plan: Plan) -> None:
    https = listeners(plan)[443]
    assert https["protocol"] == "HTTPS"
    assert https["sslPolicy"] == TLS_POLICY and TLS_POLICY in TLS12_PLUS_POLICIES
    assert https["certificateArn"].startswith("arn:aws:acm:")
    (action,) = https["defaultActions"]
    assert action["type"] == "forward"


def test_port_80_only_redirects_to_https(plan: Plan) -> None:
    http = listeners(plan)[80]
    (action,) = http["defaultActions"]
    assert action["type"] == "redirect"
    assert action["redirect"] == {"protocol": "HTTPS", "port": "443",
                                  "statusCode": "HTTP_301"}
    assert "targetGroupArn" not in action


def test_alb_drops_invalid_headers_and_is_public_in_public_subnets(plan: Plan) -> None:
    alb = plan.one("aws:lb/loadBalancer:LoadBalancer").inputs
    assert alb["dropInvalidHeaderFields"] is True
    assert alb["internal"] is False and alb["loadBalancerType"] == "application"
    tiers = {plan.ref(s).inputs["tags"]["tier"] for s in alb["subnets"]}
    assert tiers == {"public"} and len(alb["subnets"]) >= 2
    assert len(alb["name"]) <= 32


def test_target_group_checks_the_app_health_endpoint(plan: Plan) -> None:
    tg = plan.one("aws:lb/targetGroup:TargetGroup").inputs
    assert tg["port"] == APP_PORT and tg["targetType"] == "ip" and len(tg["name"]) <= 32
    assert tg["healthCheck"]["path"] == HEALTH_PATH and tg["healthCheck"]["matcher"] == "200"


def test_dev_without_domain_imports_a_self_signed_certificate(dev: Plan) -> None:
    cert = dev.one("aws:acm/certificate:Certificate").inputs
    assert cert["privateKey"] == "[secret]"
    assert cert["certificateBody"].startswith("-----BEGIN CERTIFICATE-----")
    signed = dev.one("tls:index/selfSignedCert:SelfSignedCert").inputs
    assert "server_auth" in signed["allowedUses"]
    # The certificate names the host the URL output points at: the ALB's own DNS name.
    assert dev.outputs["url"].endswith(".elb.amazonaws.com")
    assert signed["dnsNames"] == [dev.outputs["url"].removeprefix("https://")]
    assert not dev.of_type("aws:acm/certificateValidation:CertificateValidation")


def test_prod_certificate_is_dns_validated_in_route53(prod: Plan) -> None:
    cert = prod.one("aws:acm/certificate:Certificate").inputs
    assert cert["domainName"] == prod.settings.domain and cert["validationMethod"] == "DNS"
    assert not prod.of_type("tls:index/selfSignedCert:SelfSignedCert")
    validation = prod.one("aws:acm/certificateValidation:CertificateValidation").inputs
    records = {r.inputs["name"]: r.inputs for r in prod.of_type("aws:route53/record:Record")}
    assert any(name.startswith("_") and rec["type"] == "CNAME"
               for name, rec in records.items())
    assert validation["validationRecordFqdns"]
    alias = records[prod.settings.domain]
    assert alias["type"] == "A" and alias["aliases"][0]["name"].endswith("elb.amazonaws.com")
    https = listeners(prod)[443]
    assert https["certificateArn"] == validation["certificateArn"]
    assert prod.outputs["url"] == f"https://{prod.settings.domain}"
