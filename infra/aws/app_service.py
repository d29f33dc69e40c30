"""The agent app on ECS Fargate: ECR image built from app/, task definition, service, scaling.

Secrets reach the container only by reference (`secrets[].valueFrom` = a Secrets Manager
ARN, resolved by ECS at task start with the execution role); the task definition itself
holds ARNs and non-secret settings only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

from infra.aws.load_balancer import LoadBalancer
from infra.aws.network import Network
from infra.aws.part import AwsPart
from infra.aws.secrets import SecretRef
from infra.common.app_package import APP_DIR, APP_PORT, content_tag
from infra.cost.line_item import HOURS_PER_MONTH
from infra.settings import StackSettings

CONTAINER = "agent"
CPU_TARGET_PERCENT = 60
REQUESTS_PER_TARGET = 500  # per minute, ALBRequestCountPerTarget
TARGET_TRACKING_POLICIES = 2  # CPU and requests per target
IMAGE_GB = 0.6  # compressed image size in ECR, for the storage estimate
# Images share most layers, so the kept images store about three images' worth of data.
STORED_IMAGE_EQUIVALENTS = 3
ECR_KEEP_IMAGES = 20

ECS_TASKS_PRINCIPAL = {"Service": "ecs-tasks.amazonaws.com"}


def assume_role_policy(principal: Mapping[str, str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": dict(principal)}]})


def container_definitions(image: pulumi.Input[str], environment: Mapping[str, pulumi.Input[str]],
                          secrets: Sequence[SecretRef], log_group: pulumi.Input[str],
                          region: str, stream_prefix: str,
                          command: pulumi.Input[Sequence[str]] | None = None,
                          port: int | None = APP_PORT) -> pulumi.Output[str]:
    """The JSON of one container: env by value, secrets by ARN reference only."""

    def render(args: dict[str, Any]) -> str:
        container: dict[str, Any] = {
            "name": CONTAINER, "image": args["image"], "essential": True,
            "environment": [{"name": k, "value": v} for k, v in sorted(args["env"].items())],
            "secrets": [{"name": ref.env, "valueFrom": arn}
                        for ref, arn in zip(secrets, args["arns"], strict=True)],
            "logConfiguration": {"logDriver": "awslogs", "options": {
                "awslogs-group": args["group"], "awslogs-region": region,
                "awslogs-stream-prefix": stream_prefix}},
            "linuxParameters": {"initProcessEnabled": True},
            "stopTimeout": 30,
        }
        if port is not None:
            container["portMappings"] = [{"containerPort": port, "protocol": "tcp"}]
        if args["command"] is not None:
            container["command"] = list(args["command"])
        return json.dumps([container])

    return pulumi.Output.all(
        image=image, group=log_group, command=command, env=dict(environment),
        arns=[ref.arn for ref in secrets]).apply(render)


class AppService(AwsPart):
    def __init__(self, name: str, settings: StackSettings, network: Network,
                 load_balancer: LoadBalancer, environment: Mapping[str, pulumi.Input[str]],
                 secrets: Sequence[SecretRef], log_group: pulumi.Output[str],
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, settings, opts)
        tags = settings.tags

        self.repository = aws.ecr.Repository(
            f"{name}-repo", name=f"{settings.project}/{settings.environment}",
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                scan_on_push=True),
            encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                encryption_type="AES256")],
            force_delete=not settings.is_prod, tags=tags, opts=self.child)
        aws.ecr.LifecyclePolicy(
            f"{name}-repo-lifecycle", repository=self.repository.name,
            policy=json.dumps({"rules": [{
                "rulePriority": 1, "description": f"keep the last {ECR_KEEP_IMAGES} images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                              "countNumber": ECR_KEEP_IMAGES},
                "action": {"type": "expire"}}]}),
            opts=self.child)
        auth = aws.ecr.get_authorization_token_output(registry_id=self.repository.registry_id,
                                                      opts=self.invoke)
        self.image = docker_build.Image(
            f"{name}-image",
            context=docker_build.BuildContextArgs(location=str(APP_DIR)),
            dockerfile=docker_build.DockerfileArgs(location=str(APP_DIR / "Dockerfile")),
            platforms=[docker_build.Platform.LINUX_AMD64], push=True,
            tags=[self.repository.repository_url.apply(lambda url: f"{url}:{content_tag()}")],
            registries=[docker_build.RegistryArgs(
                address=self.repository.repository_url, username=auth.user_name,
                password=pulumi.Output.secret(auth.password))],
            opts=self.child)
        # Pin by digest, so a task always runs exactly the image that was built.
        self.image_ref = self.image.ref

        self.cluster = aws.ecs.Cluster(
            f"{name}-cluster", name=settings.name,
            # Off: the alarms use the free AWS/ECS metrics; Insights bills custom metrics.
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="disabled")],
            tags=tags, opts=self.child)
        aws.ecs.ClusterCapacityProviders(
            f"{name}-capacity", cluster_name=self.cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"], opts=self.child)

        self.execution_role = aws.iam.Role(
            f"{name}-execution", assume_role_policy=assume_role_policy(ECS_TASKS_PRINCIPAL),
            tags=tags, opts=self.child)
        aws.iam.RolePolicyAttachment(
            f"{name}-execution-managed", role=self.execution_role.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            opts=self.child)
        aws.iam.RolePolicy(
            f"{name}-read-secrets", role=self.execution_role.id,
            policy=pulumi.Output.all(*[ref.arn for ref in secrets]).apply(
                lambda arns: json.dumps({"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
                    "Resource": sorted(arns)}]})),
            opts=self.child)
        self.task_role = aws.iam.Role(
            f"{name}-task", assume_role_policy=assume_role_policy(ECS_TASKS_PRINCIPAL),
            tags=tags, opts=self.child)

        self.task_definition = aws.ecs.TaskDefinition(
            f"{name}-task", family=f"{settings.name}-app", cpu=str(settings.app_cpu),
            memory=str(settings.app_memory), network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture="X86_64"),
            execution_role_arn=self.execution_role.arn, task_role_arn=self.task_role.arn,
            container_definitions=container_definitions(
                self.image_ref, environment, secrets, log_group, settings.region,
                stream_prefix="app"),
            tags=tags, opts=self.child)

        capacity = "FARGATE_SPOT" if settings.app_capacity == "spot" else "FARGATE"
        self.service = aws.ecs.Service(
            f"{name}-service", name=f"{settings.name}-app", cluster=self.cluster.arn,
            task_definition=self.task_definition.arn, desired_count=settings.app_min_count,
            capacity_provider_strategies=[aws.ecs.ServiceCapacityProviderStrategyArgs(
                capacity_provider=capacity, weight=1, base=0)],
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=network.private_subnet_ids, security_groups=[network.app_sg.id],
                assign_public_ip=False),
            load_balancers=[aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=load_balancer.target_group.arn, container_name=CONTAINER,
                container_port=APP_PORT)],
            health_check_grace_period_seconds=60,
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True),
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            availability_zone_rebalancing="ENABLED",
            propagate_tags="SERVICE", enable_ecs_managed_tags=True,
            wait_for_steady_state=False, tags=tags,
            # Autoscaling owns the running count after the first deployment.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[load_balancer.https_listener],
                                        ignore_changes=["desiredCount"]))

        self._autoscaling(name, settings, load_balancer)
        self._add_costs(settings, capacity)
        self.register_outputs({"cluster": self.cluster.name, "service": self.service.name,
                               "image": self.image_ref})

    def _autoscaling(self, name: str, settings: StackSettings,
                     load_balancer: LoadBalancer) -> None:
        target = aws.appautoscaling.Target(
            f"{name}-scaling", service_namespace="ecs", scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self.cluster.name, "/",
                                             self.service.name),
            min_capacity=settings.app_min_count, max_capacity=settings.app_max_count,
            opts=self.child)
        aws.appautoscaling.Policy(
            f"{name}-cpu", policy_type="TargetTrackingScaling", resource_id=target.resource_id,
            scalable_dimension=target.scalable_dimension,
            service_namespace=target.service_namespace,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=CPU_TARGET_PERCENT, scale_in_cooldown=300, scale_out_cooldown=60,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="ECSServiceAverageCPUUtilization")),
            opts=self.child)
        aws.appautoscaling.Policy(
            f"{name}-requests", policy_type="TargetTrackingScaling",
            resource_id=target.resource_id, scalable_dimension=target.scalable_dimension,
            service_namespace=target.service_namespace,
            target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=REQUESTS_PER_TARGET, scale_in_cooldown=300, scale_out_cooldown=60,
                predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                    predefined_metric_type="ALBRequestCountPerTarget",
                    resource_label=pulumi.Output.concat(
                        load_balancer.alb.arn_suffix, "/",
                        load_balancer.target_group.arn_suffix))),
            opts=self.child)

    def _add_costs(self, settings: StackSettings, capacity: str) -> None:
        prefix = "fargate-spot" if capacity == "FARGATE_SPOT" else "fargate"
        task_hours = settings.app_min_count * HOURS_PER_MONTH
        self.add_cost(f"{prefix}-vcpu-hour", task_hours * settings.app_cpu / 1024)
        self.add_cost(f"{prefix}-gb-hour", task_hours * settings.app_memory / 1024)
        self.add_cost("ecr-storage-gb-month", IMAGE_GB * STORED_IMAGE_EQUIVALENTS)
        # Each target-tracking policy creates two CloudWatch alarms (scale out and in).
        self.add_cost("cloudwatch-alarm-metric-month", 2 * TARGET_TRACKING_POLICIES)
