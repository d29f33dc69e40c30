"""HTTPS at the entry: AWS listeners and ALBs, Azure ingress and gateways, GCP proxies."""

from __future__ import annotations

from typing import Any

import pytest

from policies.https_entry import (
    ALB_DROP_INVALID_HEADERS,
    APP_GATEWAY_LISTENERS,
    CONTAINER_APPS_INGRESS,
    GCP_HTTP_REDIRECT_ONLY,
    GCP_PROXY_SSL_POLICY,
    LB_LISTENERS,
)
from tests.policies.cases import UNKNOWN, Case, one, run

LISTENER = "aws:lb/listener:Listener"
ALB = "aws:lb/loadBalancer:LoadBalancer"
CONTAINER_APP = "azure-native:app:ContainerApp"
GATEWAY = "azure-native:network:ApplicationGateway"
HTTPS_PROXY = "gcp:compute/targetHttpsProxy:TargetHttpsProxy"
HTTP_PROXY = "gcp:compute/targetHttpProxy:TargetHttpProxy"
SSL_POLICY = "gcp:compute/sSLPolicy:SSLPolicy"
URL_MAP = "gcp:compute/uRLMap:URLMap"

REDIRECT = [{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443",
                                              "statusCode": "HTTP_301"}}]
FORWARD = [{"type": "forward", "targetGroupArn": "arn:aws:elasticloadbalancing:tg/app"}]


def https(policy: str | None = "ELBSecurityPolicy-TLS13-1-2-2021-06") -> dict[str, Any]:
    props: dict[str, Any] = {"protocol": "HTTPS", "port": 443, "defaultActions": FORWARD,
                             "certificateArn": "arn:aws:acm:cert"}
    if policy is not None:
        props["sslPolicy"] = policy
    return props


GW = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationGateways/gw"


def gateway(http_rule: dict[str, Any] | None = None,
            ssl_policy: dict[str, Any] | None = None) -> dict[str, Any]:
    rule = http_rule if http_rule is not None else {
        "name": "http-rule", "httpListener": {"id": f"{GW}/httpListeners/http"},
        "redirectConfiguration": {"id": f"{GW}/redirectConfigurations/to-https"}}
    return {
        "sslPolicy": ssl_policy if ssl_policy is not None else {
            "policyType": "Predefined", "policyName": "AppGwSslPolicy20220101S"},
        "httpListeners": [{"name": "https", "protocol": "Https"},
                          {"name": "http", "protocol": "Http"}],
        "redirectConfigurations": [{"name": "to-https", "redirectType": "Permanent",
                                    "targetListener": {"id": f"{GW}/httpListeners/https"}}],
        "requestRoutingRules": [
            {"name": "https-rule", "httpListener": {"id": f"{GW}/httpListeners/https"},
             "backendAddressPool": {"id": f"{GW}/backendAddressPools/app"}},
            rule],
    }


def gcp_https(ssl_policy: str | None, min_tls: str = "TLS_1_2") -> list[tuple[str, str, Any]]:
    proxy: dict[str, Any] = {"urlMap": "app-map", "sslCertificates": ["cert"]}
    if ssl_policy is not None:
        proxy["sslPolicy"] = ssl_policy
    return [(SSL_POLICY, "tls", {"name": "agent-tls", "minTlsVersion": min_tls,
                                 "profile": "MODERN"}),
            (HTTPS_PROXY, "https-proxy", proxy)]


def gcp_http(url_map: dict[str, Any]) -> list[tuple[str, str, Any]]:
    return [(URL_MAP, "redirect-map", {"name": "agent-redirect", **url_map}),
            (HTTP_PROXY, "http-proxy",
             {"urlMap": "projects/p/global/urlMaps/agent-redirect"})]


REDIRECT_MAP = {"defaultUrlRedirect": {"httpsRedirect": True, "stripQuery": False}}

CASES = [
    # https-lb-listeners
    one(LB_LISTENERS, "https-tls13", LISTENER, https()),
    one(LB_LISTENERS, "https-fs-1-2", LISTENER, https("ELBSecurityPolicy-FS-1-2-Res-2020-10")),
    one(LB_LISTENERS, "http-redirects", LISTENER,
        {"protocol": "HTTP", "port": 80, "defaultActions": REDIRECT}),
    one(LB_LISTENERS, "nlb-tls", LISTENER,
        {"protocol": "TLS", "port": 443, "sslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"}),
    one(LB_LISTENERS, "http-forwards", LISTENER,
        {"protocol": "HTTP", "port": 80, "defaultActions": FORWARD}, "'forward' default action"),
    one(LB_LISTENERS, "no-protocol-forwards", LISTENER,
        {"port": 8080, "defaultActions": FORWARD}, "plain-HTTP listener on port 8080"),
    one(LB_LISTENERS, "http-redirects-to-http", LISTENER,
        {"protocol": "HTTP", "port": 80,
         "defaultActions": [{"type": "redirect", "redirect": {"port": "8080"}}]},
        "not HTTPS"),
    one(LB_LISTENERS, "http-no-actions", LISTENER, {"protocol": "HTTP", "port": 80},
        "no default action"),
    one(LB_LISTENERS, "https-2016-policy", LISTENER, https("ELBSecurityPolicy-2016-08"),
        "older than TLS 1.2"),
    one(LB_LISTENERS, "https-tls13-1-0", LISTENER, https("ELBSecurityPolicy-TLS13-1-0-2021-06"),
        "older than TLS 1.2"),
    one(LB_LISTENERS, "https-no-policy", LISTENER, https(None), "no sslPolicy"),
    one(LB_LISTENERS, "https-unknown-policy", LISTENER, https(UNKNOWN)),
    # https-alb-drop-invalid-headers
    one(ALB_DROP_INVALID_HEADERS, "alb-drops", ALB,
        {"loadBalancerType": "application", "dropInvalidHeaderFields": True}),
    one(ALB_DROP_INVALID_HEADERS, "nlb-n/a", ALB, {"loadBalancerType": "network"}),
    one(ALB_DROP_INVALID_HEADERS, "alb-default", ALB, {"internal": False},
        "does not drop invalid"),
    one(ALB_DROP_INVALID_HEADERS, "alb-false", ALB,
        {"loadBalancerType": "application", "dropInvalidHeaderFields": False},
        "does not drop invalid"),
    # https-container-apps-ingress
    one(CONTAINER_APPS_INGRESS, "ingress-secure", CONTAINER_APP,
        {"configuration": {"ingress": {"external": True, "targetPort": 8000,
                                       "allowInsecure": False}}}),
    one(CONTAINER_APPS_INGRESS, "ingress-default", CONTAINER_APP,
        {"configuration": {"ingress": {"external": True, "targetPort": 8000}}}),
    one(CONTAINER_APPS_INGRESS, "ingress-insecure", CONTAINER_APP,
        {"configuration": {"ingress": {"external": True, "allowInsecure": True}}},
        "allows insecure"),
    # https-app-gateway-listeners
    one(APP_GATEWAY_LISTENERS, "gateway-ok", GATEWAY, gateway()),
    one(APP_GATEWAY_LISTENERS, "gateway-customv2", GATEWAY,
        gateway(ssl_policy={"policyType": "CustomV2", "minProtocolVersion": "TLSv1_2",
                            "cipherSuites": ["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]})),
    one(APP_GATEWAY_LISTENERS, "gateway-old-policy", GATEWAY,
        gateway(ssl_policy={"policyType": "Predefined", "policyName": "AppGwSslPolicy20150501"}),
        "AppGwSslPolicy20150501"),
    one(APP_GATEWAY_LISTENERS, "gateway-custom-tls10", GATEWAY,
        gateway(ssl_policy={"policyType": "Custom", "minProtocolVersion": "TLSv1_0"}),
        "TLSv1_0"),
    one(APP_GATEWAY_LISTENERS, "gateway-no-policy", GATEWAY, gateway(ssl_policy={}),
        "no sslPolicy"),
    one(APP_GATEWAY_LISTENERS, "gateway-http-serves", GATEWAY,
        gateway(http_rule={"name": "http-rule",
                           "httpListener": {"id": f"{GW}/httpListeners/http"},
                           "backendAddressPool": {"id": f"{GW}/backendAddressPools/app"}}),
        "instead of redirecting"),
    one(APP_GATEWAY_LISTENERS, "gateway-http-redirects-to-http", GATEWAY,
        {**gateway(), "redirectConfigurations": [
            {"name": "to-https", "targetListener": {"id": f"{GW}/httpListeners/http"}}]},
        "somewhere other than an HTTPS listener"),
    # https-gcp-proxy-ssl-policy
    Case("gcp-proxy-tls12", GCP_PROXY_SSL_POLICY,
         gcp_https("projects/p/global/sslPolicies/agent-tls")),
    Case("gcp-proxy-tls13-by-id", GCP_PROXY_SSL_POLICY, gcp_https("agent-tls", "TLS_1_3")),
    Case("gcp-proxy-unknown-policy", GCP_PROXY_SSL_POLICY, gcp_https(UNKNOWN)),
    Case("gcp-proxy-no-policy", GCP_PROXY_SSL_POLICY, gcp_https(None), ["no sslPolicy"],
         on="https-proxy"),
    Case("gcp-proxy-weak-policy", GCP_PROXY_SSL_POLICY,
         gcp_https("projects/p/global/sslPolicies/agent-tls", "TLS_1_0"),
         ["minTlsVersion is TLS_1_0", "uses SSL policy 'tls'"]),
    Case("gcp-policy-default-tls", GCP_PROXY_SSL_POLICY,
         [(SSL_POLICY, "tls", {"name": "agent-tls", "profile": "MODERN"})],
         ["unset (TLS_1_0)"], on="tls"),
    # https-gcp-http-redirect-only
    Case("gcp-http-redirects", GCP_HTTP_REDIRECT_ONLY, gcp_http(REDIRECT_MAP)),
    Case("gcp-http-serves-backend", GCP_HTTP_REDIRECT_ONLY,
         gcp_http({"defaultService": "projects/p/global/backendServices/app"}),
         ["not an HTTPS redirect"], on="http-proxy"),
    Case("gcp-http-redirect-and-routes", GCP_HTTP_REDIRECT_ONLY,
         gcp_http({**REDIRECT_MAP, "pathMatchers": [{"name": "api",
                                                     "defaultService": "backend"}]}),
         ["also routes traffic"], on="http-proxy"),
    Case("gcp-http-redirect-to-http", GCP_HTTP_REDIRECT_ONLY,
         gcp_http({"defaultUrlRedirect": {"httpsRedirect": False}}),
         ["not an HTTPS redirect"], on="http-proxy"),
]


@pytest.mark.parametrize("proxied", [False, True], ids=["plan", "preview"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case: Case, proxied: bool) -> None:
    case.check(proxied)


def test_gcp_proxy_matches_its_policy_by_dependency_when_names_differ() -> None:
    """Under the engine, the recorded property dependency ties proxy and policy together."""
    resources = gcp_https("https://compute.googleapis.com/opaque-self-link", "TLS_1_1")
    found = run(GCP_PROXY_SSL_POLICY, resources,
                property_dependencies={"https-proxy": {"sslPolicy": "tls"}})
    assert [name for name, _ in found] == ["tls", "https-proxy"]


def test_gcp_http_proxy_on_an_unknown_url_map_is_not_judged() -> None:
    resources = [(URL_MAP, "serving", {"name": "serving", "defaultService": "backend"}),
                 (HTTP_PROXY, "http-proxy", {"urlMap": UNKNOWN})]
    assert run(GCP_HTTP_REDIRECT_ONLY, resources, proxied=True) == []
