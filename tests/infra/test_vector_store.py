"""Vector store host: private, IMDSv2, encrypted gp3 data volume, key read at boot, pinned image."""

from __future__ import annotations

import json
import re

from infra.aws.vector_store import architecture
from infra.common.vector_engines import ENGINES

from .conftest import Plan


def test_host_is_private_with_imdsv2_and_encrypted_root(plan: Plan) -> None:
    host = plan.one("aws:ec2/instance:Instance").inputs
    assert host["associatePublicIpAddress"] is False
    assert plan.ref(host["subnetId"]).inputs["tags"]["tier"] == "private"
    assert host["metadataOptions"]["httpTokens"] == "required"
    assert host["rootBlockDevice"]["encrypted"] is True
    (group,) = host["vpcSecurityGroupIds"]
    assert plan.ref(group).inputs["tags"]["role"] == "vector"
    assert host["instanceType"] == plan.settings.vector_store_instance_type


def test_data_lives_on_an_encrypted_gp3_volume_in_the_host_az(plan: Plan) -> None:
    volume = plan.one("aws:ebs/volume:Volume")
    assert volume.inputs["type"] == "gp3" and volume.inputs["encrypted"] is True
    assert volume.inputs["size"] == plan.settings.vector_store_disk_gb
    host = plan.one("aws:ec2/instance:Instance")
    assert volume.inputs["availabilityZone"] == plan.ref(
        host.inputs["subnetId"]).inputs["availabilityZone"]
    attachment = plan.one("aws:ec2/volumeAttachment:VolumeAttachment").inputs
    assert (attachment["volumeId"], attachment["instanceId"]) == (volume.id, host.id)
    assert not [r for r in plan.resources if r.type.startswith("aws:efs/")]


def test_api_key_is_read_at_boot_not_written_into_user_data(plan: Plan) -> None:
    user_data = plan.one("aws:ec2/instance:Instance").inputs["userData"]
    key_arn = plan.outputs["secrets"]["vector-store-key"]
    assert f'--secret-id "{key_arn}"' in user_data
    assert "mock-result" not in user_data  # the generated key's (mock) value
    engine = ENGINES[plan.settings.vector_store]
    assert f"{engine.server_key_env}=$key" in user_data
    assert "${" not in user_data.replace("$$", "")  # every template field was filled
    statements = json.loads(
        plan.one("aws:iam/rolePolicy:RolePolicy", "read-key").inputs["policy"])["Statement"]
    assert statements[0]["Resource"] == [key_arn]
    # Logs go to the stack's own log group in this account only.
    group = next(g for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup")
                 if g.inputs["name"].endswith("/vector-store"))
    assert statements[1]["Resource"] == [
        f"arn:aws:logs:{plan.settings.region}:123456789012:log-group:{group.inputs['name']}:*"]


def test_image_version_is_pinned(plan: Plan) -> None:
    user_data = plan.one("aws:ec2/instance:Instance").inputs["userData"]
    image = ENGINES[plan.settings.vector_store].image
    assert f'"{image}"' in user_data
    assert re.search(r":v?\d+\.\d+\.\d+$", image) and not image.endswith(":latest")


def test_app_reaches_it_by_a_private_dns_name(plan: Plan) -> None:
    zone = plan.one("aws:route53/zone:Zone").inputs
    assert zone["vpcs"] and zone["name"].endswith(".internal")
    record = plan.one("aws:route53/record:Record", "vector-dns").inputs
    assert record["records"] == ["10.40.128.10"]
    assert plan.outputs["vectorStore"]["endpoint"] == (
        f"http://{record['name']}:{ENGINES[plan.settings.vector_store].port}")


def test_chroma_runs_the_chroma_image_with_token_auth(plan_of) -> None:  # type: ignore[no-untyped-def]
    plan = plan_of("dev", vectorStore="chroma")
    user_data = plan.one("aws:ec2/instance:Instance").inputs["userData"]
    assert ENGINES["chroma"].image in user_data
    assert "CHROMA_SERVER_AUTHN_CREDENTIALS=$key" in user_data
    assert plan.outputs["vectorStore"]["engine"] == "chroma"


def test_ami_architecture_matches_the_instance_family() -> None:
    assert architecture("t4g.micro") == "arm64" and architecture("c7gn.large") == "arm64"
    assert architecture("t3.large") == "x86_64" and architecture("m5.large") == "x86_64"


def test_data_survives_host_replacement_and_is_protected_in_prod(dev: Plan, prod: Plan) -> None:
    for plan in (dev, prod):
        attachment = plan.one("aws:ec2/volumeAttachment:VolumeAttachment")
        assert attachment.delete_before_replace is True
        assert plan.one("aws:ec2/instance:Instance").inputs["userDataReplaceOnChange"] is True
    assert prod.one("aws:ebs/volume:Volume").protect is True
    assert dev.one("aws:ebs/volume:Volume").protect is False
