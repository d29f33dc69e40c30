"""Public HTTPS entry: ALB, HTTPS listener with a TLS 1.2+ policy, port 80 that only redirects.

The certificate comes from ACM, validated through Route 53, when `domain` is set. Without a
domain (dev only; settings refuse it for prod) a self-signed certificate is made with
pulumi-tls and imported into ACM, so even a throwaway stack never serves plain HTTP.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_tls as tls

from infra.aws.network import HTTP_PORT, HTTPS_PORT, Network
from infra.aws.part import AwsPart
from infra.common.app_package import APP_PORT, HEALTH_PATH
from infra.cost.line_item import HOURS_PER_MONTH
from infra.settings import StackSettings

# TLS 1.3 and 1.2 only, forward-secret ciphers (AWS's recommended policy).
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
SELF_SIGNED_VALIDITY_HOURS = 24 * 365
# One LCU-hour covers 25 new connections/s or 1 GB processed in the hour (ALB pricing); an
# ALB is billed for the largest dimension. Connections are counted as one per request.
LCU_NEW_CONNECTIONS_PER_SECOND = 25
LCU_GB_PER_HOUR = 1
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


class LoadBalancer(AwsPart):
    def __init__(self, name: str, settings: StackSettings, network: Network,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, settings, opts)
        tags = settings.tags
        self.alb = aws.lb.LoadBalancer(
            f"{name}-alb", name=f"{settings.name}-alb", load_balancer_type="application",
            internal=False, security_groups=[network.alb_sg.id],
            subnets=network.public_subnet_ids, drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive", enable_deletion_protection=settings.is_prod,
            idle_timeout=120, tags=tags, opts=self.child)
        self.target_group = aws.lb.TargetGroup(
            f"{name}-tg", name=f"{settings.name}-tg", port=APP_PORT, protocol="HTTP",
            target_type="ip", vpc_id=network.vpc.id, deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, path=HEALTH_PATH, protocol="HTTP", port="traffic-port",
                matcher="200", interval=15, timeout=5, healthy_threshold=2,
                unhealthy_threshold=3),
            tags=tags, opts=self.child)

        certificate_arn, self.host = self._certificate(name, settings)
        self.https_listener = aws.lb.Listener(
            f"{name}-https", load_balancer_arn=self.alb.arn, port=HTTPS_PORT, protocol="HTTPS",
            ssl_policy=TLS_POLICY, certificate_arn=certificate_arn,
            default_actions=[aws.lb.ListenerDefaultActionArgs(
                type="forward", target_group_arn=self.target_group.arn)],
            tags=tags, opts=self.child)
        self.http_listener = aws.lb.Listener(
            f"{name}-http-redirect", load_balancer_arn=self.alb.arn, port=HTTP_PORT,
            protocol="HTTP",
            default_actions=[aws.lb.ListenerDefaultActionArgs(
                type="redirect", redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                    protocol="HTTPS", port=str(HTTPS_PORT), status_code="HTTP_301"))],
            tags=tags, opts=self.child)
        self.url = pulumi.Output.concat("https://", self.host)

        self.add_cost("alb-hour", HOURS_PER_MONTH)
        self.add_cost("alb-lcu-hour", lcu_hours(settings))
        # An internet-facing ALB holds one public IPv4 address per AZ.
        self.add_cost("public-ipv4-hour", settings.az_count * HOURS_PER_MONTH)
        self.add_cost("data-transfer-out-gb", settings.egress_gb_per_month)
        self.register_outputs({"url": self.url, "albArn": self.alb.arn})

    def _certificate(self, name: str,
                     settings: StackSettings) -> tuple[pulumi.Output[str], pulumi.Input[str]]:
        """(certificate ARN, public host name) for the HTTPS listener."""
        if settings.domain is None:
            key = tls.PrivateKey(f"{name}-self-signed", algorithm="ECDSA",
                                 ecdsa_curve="P256", opts=self.child)
            cert = tls.SelfSignedCert(
                f"{name}-self-signed", private_key_pem=key.private_key_pem,
                dns_names=[self.alb.dns_name], validity_period_hours=SELF_SIGNED_VALIDITY_HOURS,
                early_renewal_hours=24 * 30,
                subject=tls.SelfSignedCertSubjectArgs(common_name=f"{settings.name}.self-signed",
                                                      organization=settings.project),
                allowed_uses=["key_encipherment", "digital_signature", "server_auth"],
                opts=self.child)
            imported = aws.acm.Certificate(
                f"{name}-self-signed", private_key=key.private_key_pem,
                certificate_body=cert.cert_pem, tags=settings.tags, opts=self.child)
            return imported.arn, self.alb.dns_name

        domain = settings.domain
        zone = aws.route53.get_zone_output(
            name=settings.hosted_zone or domain.split(".", 1)[1], private_zone=False,
            opts=self.invoke)
        requested = aws.acm.Certificate(
            f"{name}-cert", domain_name=domain, validation_method="DNS",
            key_algorithm="EC_prime256v1", tags=settings.tags, opts=self.child)
        option = requested.domain_validation_options[0]
        record = aws.route53.Record(
            f"{name}-cert-validation", zone_id=zone.zone_id, name=option.resource_record_name,
            type=option.resource_record_type, records=[option.resource_record_value], ttl=300,
            allow_overwrite=True, opts=self.child)
        validation = aws.acm.CertificateValidation(
            f"{name}-cert", certificate_arn=requested.arn, validation_record_fqdns=[record.fqdn],
            opts=self.child)
        aws.route53.Record(
            f"{name}-alias", zone_id=zone.zone_id, name=domain, type="A",
            aliases=[aws.route53.RecordAliasArgs(name=self.alb.dns_name,
                                                 zone_id=self.alb.zone_id,
                                                 evaluate_target_health=True)],
            opts=self.child)
        return validation.certificate_arn, domain


def lcu_hours(settings: StackSettings) -> float:
    """LCU-hours a month from the usage assumptions: the larger of the two dimensions."""
    by_connections = (settings.requests_per_month / SECONDS_PER_MONTH
                      / LCU_NEW_CONNECTIONS_PER_SECOND)
    by_bytes = settings.egress_gb_per_month / HOURS_PER_MONTH / LCU_GB_PER_HOUR
    return round(max(by_connections, by_bytes) * HOURS_PER_MONTH, 2)
