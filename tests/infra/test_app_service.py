"""App service: ECR image, task definition with secrets by reference, service, autoscaling."""

from __future__ import annotations

import re

from infra.aws.app_service import CPU_TARGET_PERCENT
from infra.common.app_package import APP_DIR, APP_PORT, content_tag
from infra.common.vector_engines import ENGINES

from .conftest import Plan, container, policy_document

SECRET_NAME = re.compile(r"(KEY|KEYS|TOKEN|SECRET|PASSWORD)$")


def app_task(plan: Plan) -> dict:
    return plan.one("aws:ecs/taskDefinition:TaskDefinition", "app-task").inputs


def test_ecr_repository_scans_on_push_and_tags_are_immutable(plan: Plan) -> None:
    repo = plan.one("aws:ecr/repository:Repository").inputs
    assert repo["imageTagMutability"] == "IMMUTABLE"
    assert repo["imageScanningConfiguration"]["scanOnPush"] is True


def test_image_is_built_from_app_dockerfile_and_pushed_with_a_content_tag(plan: Plan) -> None:
    image = plan.one("docker-build:index:Image").inputs
    assert image["context"]["location"] == str(APP_DIR)
    assert image["dockerfile"]["location"] == str(APP_DIR / "Dockerfile")
    assert image["push"] is True
    (tag,) = image["tags"]
    assert tag.endswith(":" + content_tag())
    # The registry block carries the ECR password, so the engine sees all of it as secret.
    assert image["registries"] == "[secret]"
    # The task runs the image by digest, not by a tag that could be re-pointed.
    assert "@sha256:" in container(plan.one("aws:ecs/taskDefinition:TaskDefinition",
                                            "app-task"))["image"]


def test_task_definition_is_fargate_awsvpc_with_the_settings_size(plan: Plan) -> None:
    task = app_task(plan)
    assert task["requiresCompatibilities"] == ["FARGATE"] and task["networkMode"] == "awsvpc"
    assert (task["cpu"], task["memory"]) == (str(plan.settings.app_cpu),
                                             str(plan.settings.app_memory))


def test_secrets_reach_the_container_only_by_reference(plan: Plan) -> None:
    c = container(plan.one("aws:ecs/taskDefinition:TaskDefinition", "app-task"))
    secret_arns = set(plan.outputs["secrets"].values())
    by_ref = {s["name"]: s["valueFrom"] for s in c["secrets"]}
    engine = ENGINES[plan.settings.vector_store]
    assert set(by_ref) == {"ANTHROPIC_API_KEY", "AGENT_API_KEYS", "AGENT_REDIS_PASSWORD",
                           engine.app_key_env}
    assert set(by_ref.values()) == secret_arns
    assert all(arn.startswith("arn:aws:secretsmanager:") for arn in by_ref.values())
    env = {e["name"]: e["value"] for e in c["environment"]}
    assert not [k for k in env if SECRET_NAME.search(k)]
    assert env["AGENT_VECTOR_STORE"] == engine.name
    assert env[engine.app_url_env] == plan.outputs["vectorStore"]["endpoint"]
    assert env["AGENT_REDIS_URL"].startswith("rediss://")
    assert c["portMappings"] == [{"containerPort": APP_PORT, "protocol": "tcp"}]
    assert c["logConfiguration"]["logDriver"] == "awslogs"


def test_execution_role_reads_exactly_the_stack_secrets(plan: Plan) -> None:
    doc = policy_document(plan.one("aws:iam/rolePolicy:RolePolicy", "read-secrets"))
    (statement,) = doc["Statement"]
    assert statement["Action"] == ["secretsmanager:GetSecretValue"]
    assert set(statement["Resource"]) == set(plan.outputs["secrets"].values())
    assert "*" not in statement["Resource"]


def test_service_runs_privately_with_rollback(plan: Plan) -> None:
    service = plan.one("aws:ecs/service:Service").inputs
    net = service["networkConfiguration"]
    assert net["assignPublicIp"] is False
    assert {plan.ref(s).inputs["tags"]["tier"] for s in net["subnets"]} == {"private"}
    assert len({plan.ref(s).inputs["availabilityZone"] for s in net["subnets"]}) >= 2
    assert service["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    (lb,) = service["loadBalancers"]
    assert lb["containerPort"] == APP_PORT


def test_desired_count_and_capacity_follow_the_environment(dev: Plan, prod: Plan) -> None:
    d, p = (x.one("aws:ecs/service:Service").inputs for x in (dev, prod))
    assert d["desiredCount"] == 1 and p["desiredCount"] >= 2
    assert d["capacityProviderStrategies"][0]["capacityProvider"] == "FARGATE_SPOT"
    assert p["capacityProviderStrategies"][0]["capacityProvider"] == "FARGATE"


def test_autoscaling_tracks_cpu_and_requests_per_target(plan: Plan) -> None:
    target = plan.one("aws:appautoscaling/target:Target").inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (plan.settings.app_min_count,
                                                              plan.settings.app_max_count)
    metrics = {}
    for policy in plan.of_type("aws:appautoscaling/policy:Policy"):
        config = policy.inputs["targetTrackingScalingPolicyConfiguration"]
        assert policy.inputs["policyType"] == "TargetTrackingScaling"
        spec = config["predefinedMetricSpecification"]
        metrics[spec["predefinedMetricType"]] = (config["targetValue"], spec)
    assert metrics["ECSServiceAverageCPUUtilization"][0] == CPU_TARGET_PERCENT
    label = metrics["ALBRequestCountPerTarget"][1]["resourceLabel"]
    assert re.fullmatch(r"app/[^/]+/[0-9a-f]+/targetgroup/[^/]+/[0-9a-f]+", label)
