"""Network: subnets over 2+ AZs, NAT per environment, security groups with only needed paths."""

from __future__ import annotations

from infra.aws.network import ANYWHERE
from infra.common.app_package import APP_PORT
from infra.common.vector_engines import ENGINES

from .conftest import Plan

INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def tier(plan: Plan, name: str) -> list[dict]:
    return [r.inputs for r in plan.of_type("aws:ec2/subnet:Subnet")
            if r.inputs["tags"]["tier"] == name]


def test_public_and_private_subnets_span_distinct_azs(plan: Plan) -> None:
    for name in ("public", "private"):
        subnets = tier(plan, name)
        assert len(subnets) == plan.settings.az_count >= 2
        assert len({s["availabilityZone"] for s in subnets}) == len(subnets)
        assert all(s["mapPublicIpOnLaunch"] is False for s in subnets)


def test_nat_is_single_in_dev_and_per_az_in_prod(dev: Plan, prod: Plan) -> None:
    assert len(dev.of_type("aws:ec2/natGateway:NatGateway")) == 1
    assert len(prod.of_type("aws:ec2/natGateway:NatGateway")) == prod.settings.az_count == 2


def test_private_subnets_leave_through_nat_only(plan: Plan) -> None:
    tables = {r.id: r for r in plan.of_type("aws:ec2/routeTable:RouteTable")}
    private_ids = {r.id for r in plan.of_type("aws:ec2/subnet:Subnet")
                   if r.inputs["tags"]["tier"] == "private"}
    nat_ids = {r.id for r in plan.of_type("aws:ec2/natGateway:NatGateway")}
    used_nats = set()
    for assoc in plan.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation"):
        if assoc.inputs["subnetId"] in private_ids:
            (route,) = tables[assoc.inputs["routeTableId"]].inputs["routes"]
            assert route["cidrBlock"] == ANYWHERE and "gatewayId" not in route
            used_nats.add(route["natGatewayId"])
    assert used_nats == nat_ids


def rules(plan: Plan, typ: str) -> list[tuple[str, int, str]]:
    """(group role, port, peer) for every rule: the peer is a role or a CIDR."""
    out = []
    for rule in plan.of_type(typ):
        group = plan.ref(rule.inputs["securityGroupId"]).inputs["tags"]["role"]
        peer = (plan.ref(rule.inputs["referencedSecurityGroupId"]).inputs["tags"]["role"]
                if "referencedSecurityGroupId" in rule.inputs else rule.inputs["cidrIpv4"])
        assert rule.inputs["fromPort"] == rule.inputs["toPort"]
        assert rule.inputs["ipProtocol"] == "tcp"
        out.append((group, rule.inputs["fromPort"], peer))
    return sorted(out)


def test_security_groups_allow_only_the_stack_paths(plan: Plan) -> None:
    vector_port = ENGINES[plan.settings.vector_store].port
    assert rules(plan, INGRESS) == sorted([
        ("alb", 443, ANYWHERE), ("alb", 80, ANYWHERE),
        ("app", APP_PORT, "alb"),
        ("vector", vector_port, "app"),
        ("cache", 6379, "app"),
    ])
    assert rules(plan, EGRESS) == sorted([
        ("alb", APP_PORT, "app"),
        ("app", vector_port, "vector"), ("app", 6379, "cache"), ("app", 443, ANYWHERE),
        ("vector", 443, ANYWHERE),
    ])
    groups = plan.of_type("aws:ec2/securityGroup:SecurityGroup")
    assert all("ingress" not in g.inputs and "egress" not in g.inputs for g in groups)


def test_chroma_opens_its_own_port(plan_of) -> None:  # type: ignore[no-untyped-def]
    plan = plan_of("dev", vectorStore="chroma")
    assert ("vector", ENGINES["chroma"].port, "app") in rules(plan, INGRESS)
