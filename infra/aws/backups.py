"""Backup bucket for vector-store snapshots and the schedule that writes them.

The bucket is versioned, encrypted (KMS in prod), closed to the public by all four public
access blocks, refuses non-TLS requests and expires snapshots after `backupRetentionDays`.
EventBridge Scheduler runs the app image's backup command as a Fargate task.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from infra.aws.app_service import (
    ECS_TASKS_PRINCIPAL,
    AppService,
    assume_role_policy,
    container_definitions,
)
from infra.aws.network import Network
from infra.aws.part import AwsPart
from infra.aws.secrets import SecretRef
from infra.common.app_package import BACKUP_PREFIX
from infra.settings import StackSettings

BACKUP_ROLE_TAG = {"agent-stack:role": "backup"}
SNAPSHOT_GB = 1.0  # a snapshot of the sample-sized collection, for the storage estimate
BACKUP_TASK_CPU = "256"
BACKUP_TASK_MEMORY = "1024"
BACKUP_TASK_MINUTES = 10


class Backups(AwsPart):
    def __init__(self, name: str, settings: StackSettings, network: Network, app: AppService,
                 environment: Mapping[str, pulumi.Input[str]], secrets: Sequence[SecretRef],
                 log_group: pulumi.Output[str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, settings, opts)
        tags = {**settings.tags, **BACKUP_ROLE_TAG}
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket", bucket_prefix=f"{settings.name}-backups-",
            force_destroy=not settings.is_prod, tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=settings.is_prod))
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=self.bucket.id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=self.child)
        aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access", bucket=self.bucket.id, block_public_acls=True,
            block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True,
            opts=self.child)
        aws.s3.BucketVersioning(
            f"{name}-versioning", bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"),
            opts=self.child)
        self.kms_key = self._encryption(name, settings)
        aws.s3.BucketPolicy(
            f"{name}-tls-only", bucket=self.bucket.id,
            policy=self.bucket.arn.apply(lambda arn: json.dumps({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
                    "Action": "s3:*", "Resource": [arn, f"{arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})),
            opts=self.child)
        days = settings.backup_retention_days
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=self.bucket.id,
            rules=[aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="expire-snapshots", status="Enabled",
                filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(
                    prefix=f"{BACKUP_PREFIX}/"),
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days),
                noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                    noncurrent_days=days),
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=1))],
            opts=self.child)
        self.uri = self.bucket.bucket.apply(lambda b: f"s3://{b}/{BACKUP_PREFIX}")
        self._schedule(name, settings, network, app, environment, secrets, log_group)

        runs = _runs_per_month(settings.backup_schedule)
        self.add_cost("s3-standard-gb-month", round(SNAPSHOT_GB * min(runs, days), 2))
        self.add_cost("s3-1k-put-requests", round(runs * 0.05, 3))
        self.add_cost("fargate-vcpu-hour",
                      round(runs * BACKUP_TASK_MINUTES / 60 * int(BACKUP_TASK_CPU) / 1024, 3))
        self.add_cost("fargate-gb-hour",
                      round(runs * BACKUP_TASK_MINUTES / 60 * int(BACKUP_TASK_MEMORY) / 1024, 3))
        if self.kms_key is not None:
            self.add_cost("kms-key-month", 1)
        self.register_outputs({"bucket": self.bucket.bucket, "uri": self.uri})

    def _encryption(self, name: str, settings: StackSettings) -> aws.kms.Key | None:
        key = None
        if settings.is_prod:
            key = aws.kms.Key(f"{name}-key", description=f"{settings.name} backups",
                              enable_key_rotation=True, deletion_window_in_days=30,
                              tags=settings.tags, opts=self.child)
            default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms", kms_master_key_id=key.arn)
        else:
            default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="AES256")
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=self.bucket.id,
            rules=[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=default,
                bucket_key_enabled=key is not None)],
            opts=self.child)
        return key

    def _schedule(self, name: str, settings: StackSettings, network: Network, app: AppService,
                  environment: Mapping[str, pulumi.Input[str]], secrets: Sequence[SecretRef],
                  log_group: pulumi.Output[str]) -> None:
        task_role = aws.iam.Role(f"{name}-task", tags=settings.tags,
                                 assume_role_policy=assume_role_policy(ECS_TASKS_PRINCIPAL),
                                 opts=self.child)
        key_arn = self.kms_key.arn if self.kms_key is not None else None
        aws.iam.RolePolicy(
            f"{name}-write", role=task_role.id,
            policy=pulumi.Output.all(self.bucket.arn, key_arn).apply(
                lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                     "Resource": [f"{a[0]}/{BACKUP_PREFIX}/*"]},
                    {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [a[0]]},
                    *([{"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                        "Resource": [a[1]]}] if a[1] else []),
                ]})),
            opts=self.child)
        self.task_definition = aws.ecs.TaskDefinition(
            f"{name}-task", family=f"{settings.name}-backup", cpu=BACKUP_TASK_CPU,
            memory=BACKUP_TASK_MEMORY, network_mode="awsvpc", requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture="X86_64"),
            execution_role_arn=app.execution_role.arn, task_role_arn=task_role.arn,
            container_definitions=container_definitions(
                app.image_ref, environment, secrets, log_group, settings.region,
                stream_prefix="backup", port=None,
                command=self.uri.apply(
                    lambda uri: ["python", "-m", "app.jobs", "backup", "--to", uri])),
            tags=settings.tags, opts=self.child)

        scheduler_role = aws.iam.Role(
            f"{name}-scheduler", tags=settings.tags,
            assume_role_policy=assume_role_policy({"Service": "scheduler.amazonaws.com"}),
            opts=self.child)
        aws.iam.RolePolicy(
            f"{name}-run-task", role=scheduler_role.id,
            policy=pulumi.Output.all(self.task_definition.arn_without_revision,
                                     app.execution_role.arn, task_role.arn).apply(
                lambda a: json.dumps({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": ["ecs:RunTask"], "Resource": [f"{a[0]}:*"]},
                    {"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": [a[1], a[2]]},
                ]})),
            opts=self.child)
        self.schedule = aws.scheduler.Schedule(
            f"{name}-schedule", name=f"{settings.name}-backup",
            schedule_expression=settings.backup_schedule, schedule_expression_timezone="UTC",
            flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(
                mode="FLEXIBLE", maximum_window_in_minutes=15),
            target=aws.scheduler.ScheduleTargetArgs(
                arn=app.cluster.arn, role_arn=scheduler_role.arn,
                retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                    maximum_retry_attempts=3, maximum_event_age_in_seconds=3600),
                ecs_parameters=aws.scheduler.ScheduleTargetEcsParametersArgs(
                    task_definition_arn=self.task_definition.arn, launch_type="FARGATE",
                    task_count=1,
                    network_configuration=aws.scheduler.ScheduleTargetEcsParametersNetworkConfigurationArgs(
                        subnets=network.private_subnet_ids,
                        security_groups=[network.app_sg.id], assign_public_ip=False))),
            opts=self.child)


def _runs_per_month(expression: str) -> float:
    """Rough runs per month of a schedule expression, for the estimate."""
    if expression.startswith("at("):
        return 1
    if expression.startswith("rate("):
        amount, unit = expression[5:-1].split(" ")
        per_day = {"minute": 1440, "hour": 24, "day": 1}[unit.rstrip("s")]
        return 30 * per_day / int(amount)
    minute, hour, *_ = expression[5:-1].split(" ")
    per_day = (len(minute.split(",")) if minute != "*" else 60) * (
        len(hour.split(",")) if hour != "*" else 24)
    return 30 * per_day
