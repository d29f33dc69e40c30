"""Pulumi mocks that return plausible ids, ARNs, DNS names and endpoints, and record inputs.

`RecordingMonitor` keeps every registration (URN, type, name, parent, inputs) in order, so
the offline plan can show exactly what the program asked the engine for.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.rpc import deserialize_properties, is_rpc_secret, wrap_rpc_secret

ACCOUNT = "123456789012"
# Outputs the real providers mark secret; mocks must do the same to keep them out of plans.
SECRET_OUTPUTS = {
    "random:index/randomPassword:RandomPassword": ("result", "bcryptHash"),
    "tls:index/privateKey:PrivateKey": ("privateKeyPem", "privateKeyOpenssh",
                                        "privateKeyPemPkcs8"),
}


@dataclass(frozen=True)
class Registration:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    id: str = ""
    protect: bool = False
    delete_before_replace: bool = False


def _short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:n]


class CloudMocks(pulumi.runtime.Mocks):
    """Plausible provider behaviour for the resource types the stacks use."""

    def __init__(self, region: str) -> None:
        self.region = region

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        typ, name, inputs = args.typ, args.name, dict(args.inputs)
        physical = _physical_name(typ, name, inputs)
        rid = f"{_id_prefix(typ)}{_short_hash(typ + name, 17)}" if _id_prefix(typ) else physical
        state: dict[str, Any] = {**inputs, "id": rid}
        if typ.startswith("aws:"):
            service = typ.split(":")[1].split("/")[0]
            state.setdefault("arn", f"arn:aws:{service}:{self.region}:{ACCOUNT}:{physical}")
            state.setdefault("name", physical)
            state.update(self._aws_outputs(typ, physical, inputs))
        for key in SECRET_OUTPUTS.get(typ, ()):
            state[key] = wrap_rpc_secret(f"mock-{key}-{_short_hash(name)}")
        if typ == "random:index/randomPassword:RandomPassword":
            state["id"] = "none"
        if typ == "tls:index/selfSignedCert:SelfSignedCert":
            state["certPem"] = "-----BEGIN CERTIFICATE-----\nMOCK\n-----END CERTIFICATE-----\n"
        if typ.startswith("docker-build:"):
            digest = "sha256:" + hashlib.sha256(name.encode()).hexdigest()
            tags = inputs.get("tags") or [physical]
            state["digest"] = digest
            state["ref"] = f"{str(tags[0]).split(':')[0]}@{digest}"
        return rid, state

    def _aws_outputs(self, typ: str, physical: str, inputs: dict[str, Any]) -> dict[str, Any]:
        region = self.region
        out: dict[str, Any] = {}
        if typ == "aws:lb/loadBalancer:LoadBalancer":
            out["dnsName"] = f"{physical}-{_short_hash(physical, 10)}.{region}.elb.amazonaws.com"
            out["arnSuffix"] = f"app/{physical}/{_short_hash(physical, 16)}"
            out["zoneId"] = "Z35SXDOTRQ7X7K"
        elif typ == "aws:lb/targetGroup:TargetGroup":
            out["arnSuffix"] = f"targetgroup/{physical}/{_short_hash(physical, 16)}"
        elif typ == "aws:acm/certificate:Certificate":
            domain = inputs.get("domainName", "")
            out["domainValidationOptions"] = [{
                "domainName": domain, "resourceRecordName": f"_{_short_hash(domain)}.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_short_hash(domain, 12)}.acm-validations.aws.",
            }] if domain else []
        elif typ == "aws:ecr/repository:Repository":
            out["repositoryUrl"] = f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{physical}"
        elif typ == "aws:elasticache/replicationGroup:ReplicationGroup":
            rg = inputs.get("replicationGroupId", physical)
            out["primaryEndpointAddress"] = f"master.{rg}.abcdef.use1.cache.amazonaws.com"
            out["memberClusters"] = [f"{rg}-{i + 1:03d}"
                                     for i in range(int(inputs.get("numCacheClusters", 1)))]
        elif typ == "aws:ec2/instance:Instance":
            out["privateIp"] = "10.40.128.10"
            out["privateDns"] = f"ip-10-40-128-10.{region}.compute.internal"
        elif typ == "aws:route53/record:Record":
            out["fqdn"] = inputs.get("name", physical)
        elif typ == "aws:route53/zone:Zone":
            out["zoneId"] = "Z" + _short_hash(physical, 12).upper()
        elif typ == "aws:ecs/cluster:Cluster":
            out["arn"] = f"arn:aws:ecs:{region}:{ACCOUNT}:cluster/{physical}"
        elif typ == "aws:ecs/taskDefinition:TaskDefinition":
            family = inputs.get("family", physical)
            out["arn"] = f"arn:aws:ecs:{region}:{ACCOUNT}:task-definition/{family}:1"
            out["arnWithoutRevision"] = f"arn:aws:ecs:{region}:{ACCOUNT}:task-definition/{family}"
        elif typ == "aws:iam/role:Role":
            out["arn"] = f"arn:aws:iam::{ACCOUNT}:role/{physical}"
        elif typ == "aws:secretsmanager/secret:Secret":
            out["arn"] = (f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:"
                          f"{physical}-{_short_hash(physical, 6)}")
        elif typ == "aws:s3/bucket:Bucket":
            out["arn"] = f"arn:aws:s3:::{physical}"
            out["bucket"] = physical
            out["id"] = physical
        elif typ == "aws:kms/key:Key":
            out["arn"] = f"arn:aws:kms:{region}:{ACCOUNT}:key/{_short_hash(physical, 32)}"
        elif typ == "aws:sns/topic:Topic":
            out["arn"] = f"arn:aws:sns:{region}:{ACCOUNT}:{physical}"
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            out["arn"] = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{physical}"
        return out

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:  # type: ignore[override]
        token = args.token
        region = self.region
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{region}{s}" for s in "abc"]
            return {"names": names, "zoneIds": [f"use1-az{i}" for i in (1, 2, 4)],
                    "id": region}
        if token == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {"userName": "AWS", "password": wrap_rpc_secret("mock-ecr-password"),
                    "proxyEndpoint": f"https://{ACCOUNT}.dkr.ecr.{region}.amazonaws.com",
                    "authorizationToken": wrap_rpc_secret("mock-ecr-token"),
                    "id": region}
        if token == "aws:route53/getZone:getZone":
            zone = str(args.args.get("name", "example.com")).rstrip(".")
            return {"zoneId": "Z" + _short_hash(zone, 12).upper(), "name": zone + ".",
                    "id": "Z" + _short_hash(zone, 12).upper()}
        if token == "aws:ssm/getParameter:getParameter":
            return {"value": "ami-0abcdef1234567890", "name": args.args.get("name"),
                    "type": "String", "id": args.args.get("name")}
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/mock",
                    "userId": "MOCK", "id": ACCOUNT}
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
        if token == "aws:index/getRegion:getRegion":
            return {"name": region, "region": region, "id": region}
        return {}


def _physical_name(typ: str, name: str, inputs: dict[str, Any]) -> str:
    for key in ("name", "bucket", "replicationGroupId", "family", "clusterIdentifier"):
        value = inputs.get(key)
        if isinstance(value, str) and value:
            return value
    # `bucketPrefix` is left out on purpose: buckets keep their logical name as id, which
    # the offline policy checks use to relate a bucket's settings resources to it.
    prefix = inputs.get("namePrefix")
    if isinstance(prefix, str) and prefix:
        return prefix + _short_hash(typ + name, 8)
    return name


def _id_prefix(typ: str) -> str:
    return {
        "aws:ec2/vpc:Vpc": "vpc-", "aws:ec2/subnet:Subnet": "subnet-",
        "aws:ec2/securityGroup:SecurityGroup": "sg-", "aws:ec2/internetGateway:InternetGateway":
        "igw-", "aws:ec2/natGateway:NatGateway": "nat-", "aws:ec2/eip:Eip": "eipalloc-",
        "aws:ec2/routeTable:RouteTable": "rtb-", "aws:ec2/instance:Instance": "i-",
        "aws:ebs/volume:Volume": "vol-",
    }.get(typ, "")


class RecordingMonitor(MockMonitor):
    """A MockMonitor that also keeps every registration, in order, with its parent."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = deserialize_properties(request.object)
            self.registrations.append(Registration(
                urn=response.urn, type=request.type, name=request.name,
                parent=request.parent or None, custom=bool(request.custom),
                inputs=redact(inputs), id=response.id, protect=bool(request.protect),
                delete_before_replace=bool(request.deleteBeforeReplace)))
        return response


SECRET_MARK = "[secret]"


def redact(value: Any) -> Any:
    """The value with every secret replaced by "[secret]", ready to print."""
    if is_rpc_secret(value):
        return SECRET_MARK
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items() if not k.startswith("__")}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # protobuf carries every number as a double
    if isinstance(value, pulumi.Resource):
        return f"<resource {type(value).__name__}>"
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return f"<{type(value).__name__}>"
    return value
