"""Qdrant or Chroma on an EC2 host with an encrypted gp3 EBS data volume, private subnet.

Why a VM with a block volume and not EFS: Qdrant needs block-level storage (its docs say it
does not work on NFS), and Chroma's SQLite files are not safe on network file systems.
The data volume is its own resource, so replacing the host (a new AMI) keeps the data.
The API key is read from Secrets Manager at boot through the instance role; user data
holds only the secret's ARN.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from string import Template

import pulumi
import pulumi_aws as aws

from infra.aws.network import Network
from infra.aws.part import AwsPart
from infra.common.vector_engines import COLLECTION, ENGINES
from infra.cost.line_item import HOURS_PER_MONTH
from infra.settings import StackSettings

USER_DATA = Template((Path(__file__).with_name("vector_store_boot.sh")).read_text())
AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
ROOT_VOLUME_GB = 10
DATA_DEVICE = "/dev/sdf"


def architecture(instance_type: str) -> str:
    """arm64 for Graviton families (t4g, m7g, c7gn, ...), else x86_64."""
    family = instance_type.split(".", 1)[0]
    match = re.match(r"^[a-z]+\d+([a-z-]*)$", family)
    return "arm64" if match and "g" in match.group(1) else "x86_64"


class VectorStore(AwsPart):
    def __init__(self, name: str, settings: StackSettings, network: Network,
                 api_key_secret_arn: pulumi.Output[str], log_group: aws.cloudwatch.LogGroup,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, settings, opts)
        engine = ENGINES[settings.vector_store]
        self.engine = engine
        tags = {**settings.tags, "Name": f"{settings.name}-{engine.name}"}
        subnet = network.private_subnets[0]

        role = aws.iam.Role(
            f"{name}-role", assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "ec2.amazonaws.com"}}]}),
            tags=settings.tags, opts=self.child)
        # Shell access through SSM Session Manager instead of SSH: no key pair, no port 22.
        aws.iam.RolePolicyAttachment(
            f"{name}-ssm", role=role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", opts=self.child)
        aws.iam.RolePolicy(
            f"{name}-read-key", role=role.id,
            policy=pulumi.Output.all(api_key_secret_arn, log_group.arn).apply(
                lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                     "Resource": [a[0]]},
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                     "Resource": [f"{a[1]}:*"]},
                ]})),
            opts=self.child)
        profile = aws.iam.InstanceProfile(f"{name}-profile", role=role.name, opts=self.child)

        arch = architecture(settings.vector_store_instance_type)
        ami = aws.ssm.get_parameter_output(name=AMI_PARAMETER.format(arch=arch),
                                           opts=self.invoke)
        self.volume = aws.ebs.Volume(
            f"{name}-data", availability_zone=subnet.availability_zone,
            size=settings.vector_store_disk_gb, type="gp3", encrypted=True,
            final_snapshot=settings.is_prod, tags={**tags, "role": "vector-store-data"},
            opts=pulumi.ResourceOptions(parent=self, protect=settings.is_prod))
        user_data = pulumi.Output.all(api_key_secret_arn, self.volume.id, log_group.name).apply(
            lambda a: USER_DATA.substitute(
                region=settings.region, secret_arn=a[0], volume_id=a[1], log_group=a[2],
                image=engine.image, port=engine.port, data_dir=engine.data_dir,
                engine=engine.name, key_env=engine.server_key_env))
        self.instance = aws.ec2.Instance(
            f"{name}-host", ami=ami.value, instance_type=settings.vector_store_instance_type,
            subnet_id=subnet.id, vpc_security_group_ids=[network.vector_sg.id],
            associate_public_ip_address=False, iam_instance_profile=profile.name,
            user_data=user_data, user_data_replace_on_change=True,
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1),
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                volume_type="gp3", volume_size=ROOT_VOLUME_GB, encrypted=True),
            monitoring=False, tags=tags,
            # A newer AMI should not silently replace the host; roll it deliberately.
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["ami"]))
        # A replaced host gets the volume only after the old attachment is gone: a volume
        # attaches to one instance at a time.
        aws.ec2.VolumeAttachment(
            f"{name}-data", device_name=DATA_DEVICE, volume_id=self.volume.id,
            instance_id=self.instance.id, stop_instance_before_detaching=True,
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True))

        zone = aws.route53.Zone(
            f"{name}-internal", name=f"{settings.name}.internal",
            comment="Private names the app uses inside the VPC",
            vpcs=[aws.route53.ZoneVpcArgs(vpc_id=network.vpc.id)], force_destroy=True,
            tags=settings.tags, opts=self.child)
        self.host = f"{engine.name}.{settings.name}.internal"
        aws.route53.Record(f"{name}-dns", zone_id=zone.zone_id, name=self.host, type="A",
                           ttl=60, records=[self.instance.private_ip], opts=self.child)
        self.endpoint = f"http://{self.host}:{engine.port}"
        self.collection = COLLECTION

        self.add_cost(f"ec2-{settings.vector_store_instance_type}-hour", HOURS_PER_MONTH)
        self.add_cost("ebs-gp3-gb-month", settings.vector_store_disk_gb + ROOT_VOLUME_GB)
        self.add_cost("route53-hosted-zone-month", 1)
        self.register_outputs({"endpoint": self.endpoint, "instanceId": self.instance.id})
