"""The ecs_service_autoscaling module, verified through the Application Auto Scaling API of the emulator."""

from __future__ import annotations

import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
CLUSTER = "precedentum-testing"
SERVICE = "precedentum-testing-backend"
RESOURCE = f"service/{CLUSTER}/{SERVICE}"


def make_service(emu) -> None:
    """A service to scale, made directly (the ecs role's own tests make it the role's way)."""
    ecs = emu.client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(family=SERVICE, containerDefinitions=[
        {"name": "backend", "image": "backend:1", "memory": 512}])
    ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition=SERVICE, desiredCount=2)


def scaling(emu) -> dict:
    """The target's range and the policies on it, as the API tells them."""
    client = emu.client("application-autoscaling")
    targets = [t for t in client.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
               if t["ResourceId"] == RESOURCE]
    policies = [p for p in client.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=RESOURCE)[
        "ScalingPolicies"] if p["ResourceId"] == RESOURCE]
    tracking = {p["PolicyName"]: p["TargetTrackingScalingPolicyConfiguration"] for p in policies}
    return {"range": [(t["MinCapacity"], t["MaxCapacity"]) for t in targets],
            "policies": {p["PolicyName"]: (p["PolicyType"], tracking[p["PolicyName"]]["TargetValue"],
                                           tracking[p["PolicyName"]]["PredefinedMetricSpecification"][
                                               "PredefinedMetricType"]) for p in policies}}


def test_register_rerun_change_in_place_and_remove(emulator):
    make_service(emulator)

    def autoscaling(arguments, *flags):
        return run_module("precedentum.deploy.ecs_service_autoscaling",
                          {"cluster": CLUSTER, "service": SERVICE, **arguments}, emulator.env(), *flags)

    nothing = {"range": [], "policies": {}}
    dry = autoscaling({"min_capacity": 2, "max_capacity": 5}, "--check")
    assert dry.rc == 0 and dry.result["changed"] is True, dry
    assert dry.result["actions"] == ["register 2 to 5 tasks", f"put the policy {SERVICE}-cpu (CPU 60%)"]
    assert scaling(emulator) == nothing, "check mode registered something"

    made = autoscaling({"min_capacity": 2, "max_capacity": 5})
    assert made.rc == 0 and made.result["changed"] is True, made
    assert scaling(emulator) == {"range": [(2, 5)], "policies": {
        f"{SERVICE}-cpu": ("TargetTrackingScaling", 60.0, "ECSServiceAverageCPUUtilization")}}

    again = autoscaling({"min_capacity": 2, "max_capacity": 5})
    assert again.rc == 0 and again.result["changed"] is False and again.result["actions"] == [], again

    before = scaling(emulator)
    preview = autoscaling({"min_capacity": 2, "max_capacity": 8, "cpu_target": 50}, "--check")
    assert preview.result["changed"] is True and scaling(emulator) == before, preview
    moved = autoscaling({"min_capacity": 2, "max_capacity": 8, "cpu_target": 50})
    assert moved.result["actions"] == ["register 2 to 8 tasks (was 2 to 5)", f"put the policy {SERVICE}-cpu (CPU 50%)"]
    after_move = scaling(emulator)
    assert after_move == {"range": [(2, 8)], "policies": {
        f"{SERVICE}-cpu": ("TargetTrackingScaling", 50.0, "ECSServiceAverageCPUUtilization")}}

    gone_dry = autoscaling({"state": "absent"}, "--check")
    assert gone_dry.result["changed"] is True and scaling(emulator) == after_move, gone_dry
    gone = autoscaling({"state": "absent"})
    assert gone.rc == 0 and gone.result["actions"] == [f"delete the policy {SERVICE}-cpu",
                                                       "deregister the scalable target"], gone
    assert scaling(emulator) == nothing
    assert autoscaling({"state": "absent"}).result["changed"] is False


@pytest.mark.parametrize(("arguments", "named"), [
    ({"min_capacity": 0}, "min_capacity"),
    ({"min_capacity": 3, "max_capacity": 2}, "max_capacity"),
    ({"max_capacity": 500}, "max_capacity"),
    ({"cpu_target": 95}, "cpu_target"),
    ({"scale_in_cooldown": -1}, "scale_in_cooldown"),
])
def test_bad_input_is_refused_before_any_request(emulator, arguments, named):
    result = run_module("precedentum.deploy.ecs_service_autoscaling",
                        {"cluster": CLUSTER, "service": SERVICE, **arguments}, emulator.env())
    assert result.rc != 0 and result.result["msg"].startswith(named), result
