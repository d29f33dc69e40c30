"""Backup bucket controls and the snapshot schedule."""

from __future__ import annotations

import json

from infra.common.app_package import BACKUP_PREFIX

from .conftest import Plan, container, policy_document


def for_bucket(plan: Plan, typ: str) -> dict:
    bucket = plan.one("aws:s3/bucket:Bucket")
    (found,) = [r for r in plan.of_type(typ) if r.inputs["bucket"] == bucket.id]
    return found.inputs


def test_bucket_is_versioned(plan: Plan) -> None:
    versioning = for_bucket(plan, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning["versioningConfiguration"]["status"] == "Enabled"


def test_bucket_is_encrypted_with_kms_in_prod(dev: Plan, prod: Plan) -> None:
    typ = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    (dev_rule,) = for_bucket(dev, typ)["rules"]
    assert dev_rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    (prod_rule,) = for_bucket(prod, typ)["rules"]
    default = prod_rule["applyServerSideEncryptionByDefault"]
    assert default["sseAlgorithm"] == "aws:kms"
    key = prod.one("aws:kms/key:Key").inputs
    assert key["enableKeyRotation"] is True
    assert default["kmsMasterKeyId"].startswith("arn:aws:kms:")


def test_all_four_public_access_blocks(plan: Plan) -> None:
    block = for_bucket(plan, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                 "restrictPublicBuckets"):
        assert block[flag] is True, flag


def test_bucket_policy_denies_non_tls_requests(plan: Plan) -> None:
    policy = json.loads(for_bucket(plan, "aws:s3/bucketPolicy:BucketPolicy")["policy"])
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    arn = f"arn:aws:s3:::{plan.outputs['backupBucket']}"
    assert set(statement["Resource"]) == {arn, f"{arn}/*"}


def test_lifecycle_expires_snapshots_after_retention(plan: Plan) -> None:
    (rule,) = for_bucket(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
                         )["rules"]
    days = plan.settings.backup_retention_days
    assert rule["status"] == "Enabled" and rule["filter"]["prefix"] == f"{BACKUP_PREFIX}/"
    assert rule["expiration"]["days"] == days
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == days


def test_schedule_runs_the_backup_command_as_a_private_fargate_task(plan: Plan) -> None:
    schedule = plan.one("aws:scheduler/schedule:Schedule").inputs
    assert schedule["scheduleExpression"] == plan.settings.backup_schedule
    ecs = schedule["target"]["ecsParameters"]
    assert ecs["launchType"] == "FARGATE"
    assert ecs["networkConfiguration"]["assignPublicIp"] is False
    task = plan.one("aws:ecs/taskDefinition:TaskDefinition", "backups-task")
    assert ecs["taskDefinitionArn"].endswith(f":task-definition/{task.inputs['family']}:1")
    c = container(task)
    bucket = plan.outputs["backupBucket"]
    assert c["command"] == ["python", "-m", "app.jobs", "backup", "--to",
                            f"s3://{bucket}/{BACKUP_PREFIX}"]
    assert "portMappings" not in c
    # Only the vector store key: the job needs no LLM, client or Redis secret.
    assert [s["valueFrom"] for s in c["secrets"]] == [plan.outputs["secrets"]["vector-store-key"]]
    env = {e["name"] for e in c["environment"]}
    assert "AGENT_REDIS_URL" not in env and "AGENT_VECTOR_STORE" in env


def test_backup_task_may_write_only_its_prefix(plan: Plan) -> None:
    doc = policy_document(plan.one("aws:iam/rolePolicy:RolePolicy", "backups-write"))
    bucket_arn = f"arn:aws:s3:::{plan.outputs['backupBucket']}"
    writes = [s for s in doc["Statement"] if "s3:PutObject" in s["Action"]]
    assert writes[0]["Resource"] == [f"{bucket_arn}/{BACKUP_PREFIX}/*"]
    assert all(r != "*" for s in doc["Statement"] for r in s["Resource"])


def test_scheduler_may_run_only_the_backup_task(plan: Plan) -> None:
    doc = policy_document(plan.one("aws:iam/rolePolicy:RolePolicy", "run-task"))
    run = next(s for s in doc["Statement"] if s["Action"] == ["ecs:RunTask"])
    family = plan.one("aws:ecs/taskDefinition:TaskDefinition", "backups-task").inputs["family"]
    assert run["Resource"] == [f"arn:aws:ecs:us-east-1:123456789012:task-definition/{family}:*"]


def test_prod_bucket_is_protected_and_kept(dev: Plan, prod: Plan) -> None:
    bucket = prod.one("aws:s3/bucket:Bucket")
    assert bucket.protect is True and bucket.inputs["forceDestroy"] is False
    assert dev.one("aws:s3/bucket:Bucket").inputs["forceDestroy"] is True
