"""VPC with public and private subnets over 2+ AZs, NAT egress and least-path security groups."""

from __future__ import annotations

import ipaddress

import pulumi
import pulumi_aws as aws

from infra.aws.part import AwsPart
from infra.common.app_package import APP_PORT
from infra.common.vector_engines import ENGINES
from infra.cost.line_item import HOURS_PER_MONTH
from infra.settings import StackSettings

VPC_CIDR = "10.40.0.0/16"
REDIS_PORT = 6379
HTTPS_PORT = 443
HTTP_PORT = 80
ANYWHERE = "0.0.0.0/0"


class Network(AwsPart):
    """Public subnets hold the ALB and NAT; private subnets hold the app, vector store, Redis.

    Each security group admits only the paths the stack needs: internet -> ALB (80, 443),
    ALB -> app, app -> vector store, app -> Redis; workloads leave only over HTTPS (NAT).
    """

    def __init__(self, name: str, settings: StackSettings,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, settings, opts)
        tags = settings.tags
        zones = aws.get_availability_zones_output(state="available", opts=self.invoke)
        az_names = zones.names.apply(lambda names: _first_zones(names, settings.az_count))
        subnets = list(ipaddress.ip_network(VPC_CIDR).subnets(new_prefix=20))

        self.vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=VPC_CIDR, enable_dns_hostnames=True,
                               enable_dns_support=True, tags={**tags, "Name": settings.name},
                               opts=self.child)
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags=tags,
                                      opts=self.child)
        public_rt = aws.ec2.RouteTable(
            f"{name}-public", vpc_id=self.vpc.id, tags=tags,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block=ANYWHERE, gateway_id=igw.id)],
            opts=self.child)

        self.public_subnets: list[aws.ec2.Subnet] = []
        self.private_subnets: list[aws.ec2.Subnet] = []
        nat_ids: list[pulumi.Output[str]] = []
        nat_count = settings.az_count if settings.nat_gateways == "per-az" else 1
        for i in range(settings.az_count):
            az = az_names[i]
            public = aws.ec2.Subnet(
                f"{name}-public-{i}", vpc_id=self.vpc.id, cidr_block=str(subnets[i]),
                availability_zone=az, map_public_ip_on_launch=False,
                tags={**tags, "Name": f"{settings.name}-public-{i}", "tier": "public"},
                opts=self.child)
            aws.ec2.RouteTableAssociation(f"{name}-public-{i}", subnet_id=public.id,
                                          route_table_id=public_rt.id, opts=self.child)
            private = aws.ec2.Subnet(
                f"{name}-private-{i}", vpc_id=self.vpc.id, cidr_block=str(subnets[8 + i]),
                availability_zone=az, map_public_ip_on_launch=False,
                tags={**tags, "Name": f"{settings.name}-private-{i}", "tier": "private"},
                opts=self.child)
            if i < nat_count:
                eip = aws.ec2.Eip(f"{name}-nat-{i}", domain="vpc", tags=tags, opts=self.child)
                nat = aws.ec2.NatGateway(f"{name}-nat-{i}", subnet_id=public.id,
                                         allocation_id=eip.id, connectivity_type="public",
                                         tags=tags, opts=pulumi.ResourceOptions(
                                             parent=self, depends_on=[igw]))
                nat_ids.append(nat.id)
            private_rt = aws.ec2.RouteTable(
                f"{name}-private-{i}", vpc_id=self.vpc.id, tags=tags,
                routes=[aws.ec2.RouteTableRouteArgs(cidr_block=ANYWHERE,
                                                    nat_gateway_id=nat_ids[i % nat_count])],
                opts=self.child)
            aws.ec2.RouteTableAssociation(f"{name}-private-{i}", subnet_id=private.id,
                                          route_table_id=private_rt.id, opts=self.child)
            self.public_subnets.append(public)
            self.private_subnets.append(private)
        self.nat_count = nat_count
        self.public_subnet_ids = [s.id for s in self.public_subnets]
        self.private_subnet_ids = [s.id for s in self.private_subnets]

        engine = ENGINES[settings.vector_store]
        self.alb_sg = self._group(name, "alb", "Internet to the load balancer", tags)
        self.app_sg = self._group(name, "app", "Agent app tasks", tags)
        self.vector_sg = self._group(name, "vector", "Vector store host", tags)
        self.cache_sg = self._group(name, "cache", "Redis", tags)
        for port in (HTTPS_PORT, HTTP_PORT):
            self._ingress(name, f"alb-{port}", self.alb_sg, port, cidr=ANYWHERE)
        self._egress(name, "alb-to-app", self.alb_sg, APP_PORT, peer=self.app_sg)
        self._ingress(name, "app-from-alb", self.app_sg, APP_PORT, peer=self.alb_sg)
        self._egress(name, "app-to-vector", self.app_sg, engine.port, peer=self.vector_sg)
        self._egress(name, "app-to-cache", self.app_sg, REDIS_PORT, peer=self.cache_sg)
        self._egress(name, "app-https", self.app_sg, HTTPS_PORT, cidr=ANYWHERE)
        self._ingress(name, "vector-from-app", self.vector_sg, engine.port, peer=self.app_sg)
        self._egress(name, "vector-https", self.vector_sg, HTTPS_PORT, cidr=ANYWHERE)
        self._ingress(name, "cache-from-app", self.cache_sg, REDIS_PORT, peer=self.app_sg)

        self.add_cost("nat-gateway-hour", nat_count * HOURS_PER_MONTH)
        self.add_cost("public-ipv4-hour", nat_count * HOURS_PER_MONTH)
        self.add_cost("nat-gateway-gb", settings.egress_gb_per_month)
        self.register_outputs({"vpcId": self.vpc.id,
                               "privateSubnetIds": self.private_subnet_ids,
                               "publicSubnetIds": self.public_subnet_ids})

    def _group(self, name: str, role: str, description: str,
               tags: dict[str, str]) -> aws.ec2.SecurityGroup:
        # No inline rules: every path is a separate rule resource below, so none is implied.
        return aws.ec2.SecurityGroup(f"{name}-{role}", vpc_id=self.vpc.id,
                                     description=description, tags={**tags, "role": role},
                                     opts=self.child)

    def _ingress(self, name: str, rule: str, group: aws.ec2.SecurityGroup, port: int,
                 peer: aws.ec2.SecurityGroup | None = None, cidr: str | None = None) -> None:
        self._rule(aws.vpc.SecurityGroupIngressRule, name, rule, group, port, peer, cidr)

    def _egress(self, name: str, rule: str, group: aws.ec2.SecurityGroup, port: int,
                peer: aws.ec2.SecurityGroup | None = None, cidr: str | None = None) -> None:
        self._rule(aws.vpc.SecurityGroupEgressRule, name, rule, group, port, peer, cidr)

    def _rule(self, kind: type[aws.vpc.SecurityGroupIngressRule]
              | type[aws.vpc.SecurityGroupEgressRule], name: str, rule: str,
              group: aws.ec2.SecurityGroup, port: int, peer: aws.ec2.SecurityGroup | None,
              cidr: str | None) -> None:
        """One TCP port between `group` and a peer group or a CIDR."""
        kind(f"{name}-{rule}", security_group_id=group.id, ip_protocol="tcp", from_port=port,
             to_port=port, cidr_ipv4=cidr,
             referenced_security_group_id=peer.id if peer else None, description=rule,
             opts=self.child)


def _first_zones(names: list[str], count: int) -> list[str]:
    if len(names) < count:
        raise ValueError(f"azCount = {count}: this region has only {len(names)} available "
                         f"AZs ({', '.join(names)}); allowed: 2 to {len(names)}")
    return names[:count]
