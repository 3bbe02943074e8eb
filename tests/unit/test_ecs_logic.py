"""The ECS modules' comparison and failure logic, and the ecs role's input checks, as pure logic."""

from __future__ import annotations

import sys

import pytest

from tests.harness.ansible import REPO

sys.path.insert(0, str(REPO / ".collections"))  # the checkout as ansible_collections.precedentum.deploy

from ansible_collections.precedentum.deploy.plugins.module_utils import ecs  # noqa: E402
from ansible_collections.precedentum.deploy.plugins.plugin_utils import ecs as ecs_filter  # noqa: E402

REQUESTED = {
    "cpu": "256", "memory": "512", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
    "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
    "executionRoleArn": "arn:aws:iam::1:role/x",
    "containerDefinitions": [{
        "name": "backend", "image": "repo/backend:1", "essential": True,
        "portMappings": [{"containerPort": 8000}],
        "environment": [{"name": "B", "value": 2}, {"name": "A", "value": "1"}],
        "secrets": [{"name": "PW", "valueFrom": "arn:secret:password::"}],
    }],
}
# The same definition as DescribeTaskDefinition returns it: defaults filled in, lists reordered.
DESCRIBED = {
    "family": "f", "revision": 3, "status": "ACTIVE", "cpu": "256", "memory": "512", "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"], "compatibilities": ["EC2", "FARGATE"],
    "runtimePlatform": {"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
    "executionRoleArn": "arn:aws:iam::1:role/x", "volumes": [], "placementConstraints": [],
    "containerDefinitions": [{
        "name": "backend", "image": "repo/backend:1", "cpu": 0, "essential": True, "mountPoints": [],
        "volumesFrom": [], "systemControls": [], "versionConsistency": "enabled",
        "portMappings": [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}],
        "environment": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
        "secrets": [{"name": "PW", "valueFrom": "arn:secret:password::"}],
    }],
}


def test_a_described_revision_matches_what_was_requested():
    assert ecs.task_definition_differences(REQUESTED, DESCRIBED) == []


@pytest.mark.parametrize("change, expected", [
    ({"cpu": "512"}, ["cpu"]),
    ({"memory": "1024"}, ["memory"]),
    ({"runtimePlatform": {"cpuArchitecture": "ARM64"}}, ["cpuArchitecture"]),
    ({"executionRoleArn": "arn:aws:iam::1:role/y"}, ["executionRoleArn"]),
    ({"taskRoleArn": "arn:aws:iam::1:role/t"}, ["taskRoleArn"]),
])
def test_task_level_changes_need_a_new_revision(change, expected):
    assert ecs.task_definition_differences({**REQUESTED, **change}, DESCRIBED) == expected


@pytest.mark.parametrize("change, expected", [
    ({"image": "repo/backend:2"}, ["container backend: image"]),
    ({"environment": [{"name": "A", "value": "1"}]}, ["container backend: environment"]),
    ({"secrets": []}, ["container backend: secrets"]),
    ({"portMappings": [{"containerPort": 9000}]}, ["container backend: portMappings"]),
    ({"command": ["gunicorn"]}, ["container backend: command"]),
])
def test_container_changes_need_a_new_revision(change, expected):
    container = {**REQUESTED["containerDefinitions"][0], **change}
    assert ecs.task_definition_differences({**REQUESTED, "containerDefinitions": [container]}, DESCRIBED) == expected


def test_added_container_and_no_revision():
    frontend = {"name": "frontend", "image": "repo/frontend:1"}
    both = {**REQUESTED, "containerDefinitions": REQUESTED["containerDefinitions"] + [frontend]}
    assert ecs.task_definition_differences(both, DESCRIBED) == ["container frontend (new)"]
    assert ecs.task_definition_differences(REQUESTED, {}) == ["(no active revision)"]


def test_request_container_gives_the_api_its_types():
    container = ecs.request_container({"name": "b", "environment": [{"name": "N", "value": 2}], "command": None,
                                       "portMappings": [{"containerPort": "8000"}]})
    assert container == {"name": "b", "environment": [{"name": "N", "value": "2"}],
                         "portMappings": [{"containerPort": 8000}]}


def _task(status="STOPPED", exit_code=0, **extra):
    return {"lastStatus": status, "containers": [{"name": "backend", "exitCode": exit_code}], **extra}


def test_stopped_task_outcomes():
    assert ecs.stopped_task_problem(_task(), "backend") is None
    failed = ecs.stopped_task_problem(_task(exit_code=1, stoppedReason="Essential container in task exited"), "backend")
    assert "exited with code 1" in failed and "Essential container in task exited" in failed
    never = ecs.stopped_task_problem(_task(exit_code=None, stopCode="TaskFailedToStart",
                                           stoppedReason="CannotPullContainerError"), "backend")
    assert "no exit code" in never and "TaskFailedToStart" in never and "CannotPullContainerError" in never
    assert "did not stop" in ecs.stopped_task_problem(_task(status="RUNNING", exit_code=None), "backend")


def test_a_rolled_back_deployment_is_a_failure():
    service = {"serviceName": "s", "deployments": [
        {"status": "PRIMARY", "taskDefinition": "arn:aws:ecs:r:1:task-definition/f:3", "rolloutState": "COMPLETED"}]}
    assert ecs.rollout_failure(service, "f:3") is None
    assert ecs.rollout_failure(service, "arn:aws:ecs:r:1:task-definition/f:3") is None
    rolled_back = {"serviceName": "s", "events": [{"message": "circuit breaker triggered"}], "deployments": [
        {"status": "PRIMARY", "taskDefinition": "arn:aws:ecs:r:1:task-definition/f:2", "rolloutState": "IN_PROGRESS"},
        {"status": "ACTIVE", "taskDefinition": "arn:aws:ecs:r:1:task-definition/f:3", "rolloutState": "FAILED",
         "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start."}]}
    problem = ecs.rollout_failure(rolled_back, "f:3")
    assert "runs f:2 instead of f:3" in problem and "circuit breaker triggered" in problem
    assert "tasks failed to start" in problem
    failed = {"serviceName": "s", "deployments": [{"status": "PRIMARY", "taskDefinition": "f:3",
                                                  "rolloutState": "FAILED", "rolloutStateReason": "tasks failed"}]}
    assert "tasks failed" in ecs.rollout_failure(failed, "f:3")
    assert "tasks failed" in ecs.rollout_failure(failed)
    # A failed deployment of another revision, left from an earlier run, is not this rollout's failure.
    earlier = {"serviceName": "s", "deployments": [
        {"status": "PRIMARY", "taskDefinition": "f:4", "rolloutState": "IN_PROGRESS"},
        {"status": "ACTIVE", "taskDefinition": "f:3", "rolloutState": "FAILED"}]}
    assert ecs.rollout_failure(earlier, "f:4") is None
    assert "no primary deployment" in ecs.rollout_failure({"serviceName": "s", "deployments": []}, "f:3")


def test_a_rollout_is_done_when_completed_with_every_task_running_and_healthy():
    def service(state, running, desired=2, deployments=1):
        primary = {"status": "PRIMARY", "rolloutState": state, "runningCount": running, "desiredCount": desired}
        return {"serviceName": "s", "desiredCount": desired, "events": [{"message": "(service s) has started 1 tasks"}],
                "deployments": [primary] + [{"status": "ACTIVE"}] * (deployments - 1)}

    going = ecs.rollout_status(service("IN_PROGRESS", 1, deployments=2), healthy_targets=1)
    assert not going["done"]
    assert going["line"] == ("s 1/2 running, IN_PROGRESS, 1/2 healthy targets, 1 older deployment(s) draining "
                             "(latest event: (service s) has started 1 tasks)")
    assert ecs.rollout_status(service("COMPLETED", 2), healthy_targets=2)["done"]
    assert ecs.rollout_status(service("COMPLETED", 2), healthy_targets=None)["done"]  # no load balancer
    assert not ecs.rollout_status(service("COMPLETED", 2), healthy_targets=1)["done"]
    assert not ecs.rollout_status(service("COMPLETED", 1), healthy_targets=2)["done"]
    assert ecs.rollout_status(service("COMPLETED", 0, desired=0), healthy_targets=0)["done"]


GOOD = {
    "ecs_layout": "separate", "ecs_backend_cpu": 256, "ecs_backend_memory": 512, "ecs_frontend_cpu": 256,
    "ecs_frontend_memory": 512, "ecs_combined_cpu": 256, "ecs_combined_memory": 1024,
    "ecs_database_secret_env": {"DATABASE_PASSWORD": "password"}, "ecs_backend_environment": {"DEBUG": "0"},
    "ecs_frontend_environment": {}, "ecs_backend_port": 8000, "ecs_frontend_port": 80, "ecs_desired_count": 1,
    "ecs_log_retention_days": 14, "ecs_deployment_minimum_healthy_percent": 100,
    "ecs_deployment_maximum_percent": 200, "ecs_image_tag": "", "ecs_superuser_username": "admin",
    "ecs_superuser_email": "a@b.c", "ecs_migrate_command": ["python", "manage.py", "migrate"],
    "ecs_superuser_command": ["python", "manage.py", "createsuperuser"], "ecs_one_off_timeout": 900,
    "ecs_one_off_poll_interval": 6, "ecs_rollout_timeout": 900, "ecs_rollout_poll_interval": 5,
    "ecs_secret_recovery_days": 7,
}


def test_good_inputs_pass():
    assert ecs_filter.ecs_input_errors(GOOD) == []
    assert ecs_filter.ecs_input_errors({**GOOD, "ecs_frontend_spot": True, "ecs_frontend_spot_weight": 3}) == []
    assert ecs_filter.ecs_input_errors({**GOOD, "ecs_backend_cpu": "512", "ecs_backend_memory": "1024"}) == []


@pytest.mark.parametrize("change, variable", [
    ({"ecs_backend_memory": 4096}, "ecs_backend_memory"),
    ({"ecs_frontend_cpu": 300}, "ecs_frontend_cpu"),
    ({"ecs_layout": "combined", "ecs_combined_memory": 512, "ecs_combined_cpu": 512}, "ecs_combined_memory"),
    ({"ecs_backend_environment": {"DB_PASSWORD": "x"}}, "ecs_backend_environment: DB_PASSWORD looks like a secret"),
    ({"ecs_backend_environment": {"DATABASE_PASSWORD": "1"}}, "ecs_backend_environment"),
    ({"ecs_backend_environment": {"1BAD": "x"}}, "ecs_backend_environment"),
    ({"ecs_database_secret_env": {"X": "pass"}}, "ecs_database_secret_env"),
    ({"ecs_desired_count": -1}, "ecs_desired_count"),
    ({"ecs_log_retention_days": 10}, "ecs_log_retention_days"),
    ({"ecs_deployment_minimum_healthy_percent": 100, "ecs_deployment_maximum_percent": 100},
     "ecs_deployment_maximum_percent"),
    ({"ecs_image_tag": "bad tag"}, "ecs_image_tag"),
    ({"ecs_superuser_email": "nobody"}, "ecs_superuser_email"),
    ({"ecs_migrate_command": []}, "ecs_migrate_command"),
    ({"ecs_secret_recovery_days": 3}, "ecs_secret_recovery_days"),
    ({"ecs_layout": "combined", "ecs_frontend_port": 8000}, "ecs_frontend_port"),
    ({"ecs_layout": "combined", "ecs_frontend_spot": True}, "ecs_frontend_spot"),
    ({"ecs_frontend_spot": True, "ecs_frontend_spot_weight": 0}, "ecs_frontend_spot_weight"),
    ({"ecs_frontend_spot": True, "ecs_frontend_spot_weight": 11}, "ecs_frontend_spot_weight"),
])
def test_bad_inputs_name_the_variable(change, variable):
    errors = ecs_filter.ecs_input_errors({**GOOD, **change})
    assert errors and any(variable in e for e in errors), errors


def test_service_lines_price_fargate_and_public_ipv4():
    prices = {"X86_64": {"vcpu_hour": 0.04048, "gb_hour": 0.004445},
              "ARM64": {"vcpu_hour": 0.03238, "gb_hour": 0.00356}}
    service = {"serviceName": "s", "desiredCount": 1, "runningCount": 1,
               "networkConfiguration": {"awsvpcConfiguration": {"assignPublicIp": "ENABLED"}}}
    td = {"family": "f", "revision": 1, "cpu": "256", "memory": "512",
          "container_definitions": [{"image": "r/b:abc"}]}
    (line,) = ecs_filter.ecs_service_lines({"backend": service}, {"backend": td}, prices, 3.65)
    assert line["usd"] == 12.66  # (0.25 x 0.04048 + 0.5 x 0.004445) x 730 = 9.01, + 3.65 for the address
    arm = {**td, "runtime_platform": {"cpu_architecture": "ARM64"}}
    two = {"backend": {**service, "desiredCount": 2}}
    (arm_line,) = ecs_filter.ecs_service_lines(two, {"backend": arm}, prices, 3.65)
    assert arm_line["usd"] == round(2 * ((0.25 * 0.03238 + 0.5 * 0.00356) * 730 + 3.65), 2)
    # Three frontend tasks on the Spot strategy (weight 3): one on regular Fargate, two on Spot at 70% off.
    spot = {"frontend": {**service, "desiredCount": 3,
                         "capacityProviderStrategy": ecs.spot_strategy(3)}}
    (spot_line,) = ecs_filter.ecs_service_lines(spot, {"frontend": td}, prices, 3.65, 730, 0.7)
    assert spot_line["usd"] == round((0.25 * 0.04048 + 0.5 * 0.004445) * 730 * (3 - 2 * 0.7) + 3 * 3.65, 2)
    assert "(2 on Fargate Spot)" in spot_line["text"]


@pytest.mark.parametrize("count, placed", [
    (0, {"FARGATE": 0, "FARGATE_SPOT": 0}), (1, {"FARGATE": 1, "FARGATE_SPOT": 0}),
    (2, {"FARGATE": 1, "FARGATE_SPOT": 1}), (5, {"FARGATE": 2, "FARGATE_SPOT": 3}),
])
def test_placement_takes_the_base_first_then_the_weights(count, placed):
    assert ecs.placement(count, ecs.spot_strategy(3)) == placed
    assert ecs.placement(count, []) == {"FARGATE": count}


def test_strategies_compare_as_aws_describes_them():
    described = [{"capacityProvider": "FARGATE_SPOT", "weight": 3}, {"capacityProvider": "FARGATE", "base": 1,
                                                                     "weight": 1}]
    asked = [{"capacity_provider": "FARGATE", "base": 1, "weight": 1},
             {"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 3}]
    assert ecs.normalize_strategy(described) == ecs.normalize_strategy(asked)
    assert ecs.normalize_strategy(described) != ecs.normalize_strategy(ecs.spot_strategy(2))


def test_the_capacity_plan_moves_only_what_differs():
    on_launch_type = {"launchType": "FARGATE"}
    on_spot = {"capacityProviderStrategy": ecs.spot_strategy(3)}
    keys = ["backend", "frontend"]
    # Nothing exists: the frontend is made on the Spot strategy, the backend on its launch type.
    plan = ecs_filter.ecs_capacity_plan({}, keys, True, 3)
    assert plan["backend"] == {"strategy": [], "move": False}
    assert plan["frontend"]["strategy"][1] == {"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 3}
    assert not plan["frontend"]["move"]
    # Both on the launch type: the frontend moves.
    plan = ecs_filter.ecs_capacity_plan({"backend": on_launch_type, "frontend": on_launch_type}, keys, True, 3)
    assert (plan["backend"]["move"], plan["frontend"]["move"]) == (False, True)
    # Already on Spot: nothing moves; another weight moves it again.
    assert not ecs_filter.ecs_capacity_plan({"frontend": on_spot}, keys, True, 3)["frontend"]["move"]
    assert ecs_filter.ecs_capacity_plan({"frontend": on_spot}, keys, True, 2)["frontend"]["move"]
    # Spot off: back onto regular Fargate through a strategy (not the launch type), once.
    back = ecs_filter.ecs_capacity_plan({"frontend": on_spot}, keys, False, 3)["frontend"]
    assert back == {"strategy": [{"capacity_provider": "FARGATE", "base": 0, "weight": 1}], "move": True}
    regular = {"capacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}
    assert not ecs_filter.ecs_capacity_plan({"frontend": regular}, keys, False, 3)["frontend"]["move"]


def test_fargate_spot_with_arm64_is_refused_naming_both():
    spot = {**GOOD, "ecs_frontend_spot_weight": 3}
    errors = ecs_filter.ecs_input_errors({**spot, "ecs_frontend_spot": True, "ecs_cpu_architecture": "ARM64"})
    assert [e for e in errors if e.startswith("ecs_frontend_spot and ecs_cpu_architecture:")] == errors != [], errors
    assert ecs_filter.ecs_input_errors({**spot, "ecs_frontend_spot": "false", "ecs_cpu_architecture": "ARM64"}) == []
    assert ecs_filter.ecs_input_errors({**spot, "ecs_frontend_spot": "true", "ecs_cpu_architecture": "X86_64"}) == []
