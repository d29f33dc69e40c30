"""HTTPS at the public entry: load balancer listeners, ingress, gateways and proxies.

AWS: ALB/NLB listeners serve HTTPS/TLS with a TLS 1.2+ security policy and plain-HTTP
listeners only redirect to HTTPS; ALBs drop invalid header fields. Azure: Container Apps
ingress refuses insecure traffic; Application Gateway listeners are HTTPS with a modern SSL
policy, and HTTP listeners only redirect to an HTTPS listener. GCP: HTTPS proxies use an SSL
policy with minimum TLS 1.2; plain-HTTP proxies serve a URL map that only redirects to HTTPS.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Final

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .resource_view import (
    UNKNOWN,
    StackResource,
    by_type,
    dig,
    is_true,
    items_of,
    last_segment,
    related,
    stack_resources,
)

AWS_LISTENERS: Final = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
AWS_LOAD_BALANCERS: Final = ("aws:lb/loadBalancer:LoadBalancer",
                             "aws:alb/loadBalancer:LoadBalancer")
#: ELB security policies whose minimum protocol is TLS 1.2 or 1.3, e.g.
#: ELBSecurityPolicy-TLS13-1-2-2021-06, ELBSecurityPolicy-TLS-1-2-Ext-2018-06,
#: ELBSecurityPolicy-FS-1-2-Res-2020-10, ELBSecurityPolicy-TLS13-1-3-2021-06.
AWS_TLS12_POLICY: Final = re.compile(r"^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)(-|$)")

CONTAINER_APP: Final = "azure-native:app:ContainerApp"
APPLICATION_GATEWAY: Final = "azure-native:network:ApplicationGateway"
#: Predefined Application Gateway policies with TLS 1.2 minimum and modern ciphers.
AZURE_MODERN_SSL_POLICIES: Final = frozenset({"AppGwSslPolicy20220101", "AppGwSslPolicy20220101S"})
AZURE_MODERN_PROTOCOLS: Final = frozenset({"TLSv1_2", "TLSv1_3"})

GCP_HTTPS_PROXIES: Final = ("gcp:compute/targetHttpsProxy:TargetHttpsProxy",
                            "gcp:compute/regionTargetHttpsProxy:RegionTargetHttpsProxy")
GCP_SSL_POLICIES: Final = ("gcp:compute/sSLPolicy:SSLPolicy",
                           "gcp:compute/regionSslPolicy:RegionSslPolicy")
GCP_HTTP_PROXIES: Final = ("gcp:compute/targetHttpProxy:TargetHttpProxy",
                           "gcp:compute/regionTargetHttpProxy:RegionTargetHttpProxy")
#: pulumi-gcp spells the global URL map token "uRLMap"; "urlMap" is accepted too.
GCP_URL_MAPS: Final = ("gcp:compute/uRLMap:URLMap", "gcp:compute/urlMap:URLMap",
                       "gcp:compute/regionUrlMap:RegionUrlMap")
GCP_MODERN_TLS: Final = frozenset({"TLS_1_2", "TLS_1_3"})


# --- AWS -----------------------------------------------------------------------------------

def check_aws_listener(props: dict[str, Any]) -> Iterator[str]:
    protocol = props.get("protocol")
    if protocol is UNKNOWN:
        return
    protocol = str(protocol or "HTTP").upper()
    if protocol in ("HTTPS", "TLS"):
        policy = props.get("sslPolicy")
        if policy is UNKNOWN:
            return
        if not policy:
            yield (f"{protocol} listener on port {props.get('port')} has no sslPolicy; the "
                   "provider default may allow TLS 1.0/1.1")
        elif not AWS_TLS12_POLICY.match(str(policy)):
            yield (f"{protocol} listener on port {props.get('port')} uses sslPolicy "
                   f"{policy!r}, which allows protocols older than TLS 1.2")
    elif protocol == "HTTP":
        actions = props.get("defaultActions")
        if actions is UNKNOWN:
            return
        actions = items_of(actions)
        if not actions:
            yield f"plain-HTTP listener on port {props.get('port')} has no default action"
        for action in actions:
            kind = dig(action, "type")
            target = dig(action, "redirect", "protocol")
            if UNKNOWN in (kind, target):
                continue
            if kind != "redirect":
                yield (f"plain-HTTP listener on port {props.get('port')} has a {kind!r} "
                       "default action; it may only redirect to HTTPS")
            elif str(target).upper() != "HTTPS":
                yield (f"plain-HTTP listener on port {props.get('port')} redirects to protocol "
                       f"{target or '#{protocol} (unchanged: HTTP)'}, not HTTPS")


def check_aws_load_balancer(props: dict[str, Any]) -> Iterator[str]:
    kind = props.get("loadBalancerType") or "application"
    if kind is UNKNOWN or kind != "application":
        return
    drop = props.get("dropInvalidHeaderFields")
    if drop is not UNKNOWN and not is_true(drop):
        yield "application load balancer does not drop invalid HTTP header fields"


# --- Azure ---------------------------------------------------------------------------------

def check_container_app(props: dict[str, Any]) -> Iterator[str]:
    insecure = dig(props, "configuration", "ingress", "allowInsecure")
    if is_true(insecure):
        yield "Container App ingress allows insecure (plain HTTP) traffic"


def _azure_ssl_policy_problem(policy: Any, where: str) -> str | None:
    if policy is UNKNOWN:
        return None
    if not isinstance(policy, dict) or not policy:
        return (f"{where} has no sslPolicy; older API versions default to "
                "AppGwSslPolicy20150501 (TLS 1.0)")
    kind = policy.get("policyType")
    name = policy.get("policyName")
    minimum = policy.get("minProtocolVersion")
    if UNKNOWN in (kind, name, minimum):
        return None
    if kind == "Predefined" or (kind is None and name):
        if name not in AZURE_MODERN_SSL_POLICIES:
            return (f"{where} uses predefined SSL policy {name!r}; use one of "
                    f"{sorted(AZURE_MODERN_SSL_POLICIES)}")
        return None
    if kind in ("Custom", "CustomV2"):
        if minimum not in AZURE_MODERN_PROTOCOLS:
            return f"{where} uses a custom SSL policy with minProtocolVersion {minimum!r}"
        return None
    return f"{where} has sslPolicy type {kind!r}; use a predefined 2022 policy or CustomV2"


def check_application_gateway(props: dict[str, Any]) -> Iterator[str]:
    problem = _azure_ssl_policy_problem(props.get("sslPolicy"), "Application Gateway")
    if problem:
        yield problem
    for profile in items_of(props.get("sslProfiles")):
        if isinstance(profile, dict) and profile.get("sslPolicy") is not None:
            problem = _azure_ssl_policy_problem(
                profile["sslPolicy"], f"SSL profile {profile.get('name')!r}")
            if problem:
                yield problem

    listeners = [x for x in items_of(props.get("httpListeners")) if isinstance(x, dict)]
    if props.get("httpListeners") is UNKNOWN or any(
            UNKNOWN in (x.get("name"), x.get("protocol")) for x in listeners):
        return
    https_names = {x.get("name") for x in listeners if str(x.get("protocol")).lower() == "https"}
    http_names = {x.get("name") for x in listeners if str(x.get("protocol")).lower() != "https"}
    redirects = {r.get("name"): r for r in items_of(props.get("redirectConfigurations"))
                 if isinstance(r, dict)}
    for rule in items_of(props.get("requestRoutingRules")):
        if not isinstance(rule, dict):
            continue
        listener_id = dig(rule, "httpListener", "id")
        if not isinstance(listener_id, str) or last_segment(listener_id) not in http_names:
            continue
        name = rule.get("name")
        redirect_id = dig(rule, "redirectConfiguration", "id")
        if redirect_id is UNKNOWN:
            continue
        if not isinstance(redirect_id, str):
            yield (f"routing rule {name!r} serves plain-HTTP listener "
                   f"{last_segment(listener_id)!r} instead of redirecting to HTTPS")
            continue
        redirect = redirects.get(last_segment(redirect_id), {})
        target = dig(redirect, "targetListener", "id")
        url = redirect.get("targetUrl")
        if UNKNOWN in (target, url):
            continue
        to_https = (isinstance(target, str) and last_segment(target) in https_names) or (
            isinstance(url, str) and url.lower().startswith("https://"))
        if not to_https:
            yield (f"routing rule {name!r} redirects plain-HTTP listener "
                   f"{last_segment(listener_id)!r} somewhere other than an HTTPS listener")


# --- GCP (stack-wide: proxies and the SSL policies / URL maps they point at) ---------------

def _weak_ssl_policy(policy: StackResource) -> str | None:
    minimum = policy.props.get("minTlsVersion")
    if minimum is UNKNOWN:
        return None
    if minimum not in GCP_MODERN_TLS:
        return f"minTlsVersion is {minimum or 'unset (TLS_1_0)'}"
    return None


def validate_gcp_proxy_ssl(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    policies = stack_resources(args, GCP_SSL_POLICIES)
    for policy in policies:
        weakness = _weak_ssl_policy(policy)
        if weakness:
            report_violation(f"SSL policy {policy.name!r}: {weakness}; HTTPS proxies using it "
                             "accept protocols older than TLS 1.2", policy.urn)
    for proxy in stack_resources(args, GCP_HTTPS_PROXIES):
        chosen = proxy.props.get("sslPolicy")
        if chosen is UNKNOWN:
            continue
        if not chosen:
            report_violation(f"HTTPS proxy {proxy.name!r} has no sslPolicy; Google's default "
                             "policy accepts TLS 1.0", proxy.urn)
            continue
        for policy in related_targets(proxy, "sslPolicy", policies):
            weakness = _weak_ssl_policy(policy)
            if weakness:
                report_violation(f"HTTPS proxy {proxy.name!r} uses SSL policy "
                                 f"{policy.name!r} ({weakness})", proxy.urn)


def related_targets(source: StackResource, prop: str,
                    targets: list[StackResource]) -> list[StackResource]:
    """The targets `source.prop` points at (by dependency, id, name or self link)."""
    return [t for t in targets if related(t, [source], prop, ("name",)).found]


def _url_map_problem(url_map: StackResource) -> str | None:
    props = url_map.props
    redirect = dig(props, "defaultUrlRedirect", "httpsRedirect")
    serving = [key for key in ("defaultService", "defaultRouteAction", "pathMatchers",
                               "hostRules") if props.get(key)]
    if redirect is UNKNOWN:
        return None
    if not is_true(redirect):
        return "its default action is not an HTTPS redirect (defaultUrlRedirect.httpsRedirect)"
    if serving:
        return f"it also routes traffic to backends ({', '.join(serving)})"
    return None


def validate_gcp_http_redirect(args: StackValidationArgs,
                               report_violation: ReportViolation) -> None:
    url_maps = stack_resources(args, GCP_URL_MAPS)
    for proxy in stack_resources(args, GCP_HTTP_PROXIES):
        if proxy.props.get("urlMap") is UNKNOWN:
            continue
        for url_map in related_targets(proxy, "urlMap", url_maps):
            problem = _url_map_problem(url_map)
            if problem:
                report_violation(f"plain-HTTP proxy {proxy.name!r} serves URL map "
                                 f"{url_map.name!r}, and {problem}", proxy.urn)


# --- the policies --------------------------------------------------------------------------

LB_LISTENERS = ResourceValidationPolicy(
    name="https-lb-listeners",
    description="AWS load balancer listeners serve HTTPS/TLS with a TLS 1.2+ security policy; "
                "plain-HTTP listeners only redirect to HTTPS.",
    validate=by_type(dict.fromkeys(AWS_LISTENERS, check_aws_listener)),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=["https", "aws"],
    remediation_steps=(
        "Set protocol='HTTPS' with ssl_policy='ELBSecurityPolicy-TLS13-1-2-2021-06' (or another "
        "TLS 1.2+ policy) and an ACM certificate. For port 80 use a single default action "
        "type='redirect' with redirect protocol='HTTPS', port='443', status_code='HTTP_301'."),
)

ALB_DROP_INVALID_HEADERS = ResourceValidationPolicy(
    name="https-alb-drop-invalid-headers",
    description="Application load balancers drop HTTP headers with invalid field names.",
    validate=by_type(dict.fromkeys(AWS_LOAD_BALANCERS, check_aws_load_balancer)),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.MEDIUM,
    tags=["https", "aws"],
    remediation_steps="Set drop_invalid_header_fields=True on the aws.lb.LoadBalancer.",
)

CONTAINER_APPS_INGRESS = ResourceValidationPolicy(
    name="https-container-apps-ingress",
    description="Azure Container Apps ingress does not allow insecure (plain HTTP) traffic.",
    validate=by_type({CONTAINER_APP: check_container_app}),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=["https", "azure"],
    remediation_steps="Set configuration.ingress.allow_insecure=False (HTTP is then "
                      "redirected to HTTPS by the Container Apps environment).",
)

APP_GATEWAY_LISTENERS = ResourceValidationPolicy(
    name="https-app-gateway-listeners",
    description="Azure Application Gateway uses a modern SSL policy (TLS 1.2+) and its "
                "plain-HTTP listeners only redirect to an HTTPS listener.",
    validate=by_type({APPLICATION_GATEWAY: check_application_gateway}),
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=["https", "azure"],
    remediation_steps=(
        "Set ssl_policy to policy_type='Predefined', policy_name='AppGwSslPolicy20220101S' "
        "(or CustomV2 with min_protocol_version='TLSv1_2'). Route every Http listener through a "
        "redirect configuration whose target_listener is the Https listener."),
)

GCP_PROXY_SSL_POLICY = StackValidationPolicy(
    name="https-gcp-proxy-ssl-policy",
    description="GCP HTTPS proxies use an SSL policy whose minimum TLS version is 1.2.",
    validate=validate_gcp_proxy_ssl,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=["https", "gcp"],
    remediation_steps=(
        "Create gcp.compute.SSLPolicy(min_tls_version='TLS_1_2', profile='MODERN' or "
        "'RESTRICTED') and pass its self link as ssl_policy of every TargetHttpsProxy."),
)

GCP_HTTP_REDIRECT_ONLY = StackValidationPolicy(
    name="https-gcp-http-redirect-only",
    description="GCP plain-HTTP proxies (port 80 forwarding rules) only redirect to HTTPS.",
    validate=validate_gcp_http_redirect,
    enforcement_level=EnforcementLevel.MANDATORY,
    severity=Severity.HIGH,
    tags=["https", "gcp"],
    remediation_steps=(
        "Give the TargetHttpProxy its own URLMap with only "
        "default_url_redirect=URLMapDefaultUrlRedirectArgs(https_redirect=True, "
        "strip_query=False) and no default_service, host rules or path matchers."),
)

POLICIES = [LB_LISTENERS, ALB_DROP_INVALID_HEADERS, CONTAINER_APPS_INGRESS,
            APP_GATEWAY_LISTENERS, GCP_PROXY_SSL_POLICY, GCP_HTTP_REDIRECT_ONLY]
