"""The ecs_service_capacity module (Fargate Spot for a service), verified through the emulator's ECS API."""

from __future__ import annotations

import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
CLUSTER = "precedentum-testing"
SERVICE = "precedentum-testing-frontend"
SPOT = [{"capacity_provider": "FARGATE", "base": 1, "weight": 1},
        {"capacity_provider": "FARGATE_SPOT", "weight": 3}]


def make_service(emu) -> None:
    """A service on the Fargate launch type, as the lean option's are, in a cluster without capacity providers."""
    ecs = emu.client("ecs")
    # Phase 2.1 makes ECS's service-linked role first; without it the emulator, as AWS for an account's first
    # cluster, refuses the capacity providers (test_iam_service_linked_role.py).
    emu.client("iam").create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(family=SERVICE, containerDefinitions=[
        {"name": "frontend", "image": "frontend:1", "memory": 512}])
    ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition=SERVICE, desiredCount=2,
                       launchType="FARGATE")


def placement(emu) -> tuple:
    """(launch type, strategy as sorted tuples, primary deployment's id), as DescribeServices tells them."""
    (service,) = emu.client("ecs").describe_services(cluster=CLUSTER, services=[SERVICE])["services"]
    strategy = sorted((s["capacityProvider"], s.get("base", 0), s.get("weight", 0))
                      for s in service.get("capacityProviderStrategy") or [])
    return service.get("launchType"), strategy, service["deployments"][0]["id"]


def test_move_onto_spot_rerun_and_back(emulator):
    make_service(emulator)

    def capacity(strategy, *flags, service=SERVICE):
        return run_module("precedentum.deploy.ecs_service_capacity",
                          {"cluster": CLUSTER, "service": service, "capacity_provider_strategy": strategy},
                          emulator.env(), *flags)

    start = placement(emulator)
    assert start[:2] == ("FARGATE", [])
    # The cluster has no capacity providers yet: refused, naming them; check mode says what it waits for.
    refused = capacity(SPOT)
    assert refused.rc != 0 and "lacks the capacity provider(s) FARGATE, FARGATE_SPOT" in refused.result["msg"], refused
    dry = capacity(SPOT, "--check")
    assert dry.rc == 0 and dry.result["changed"] is True, dry
    assert dry.result["actions"][0].endswith("once the cluster has FARGATE, FARGATE_SPOT"), dry
    assert placement(emulator) == start, "refused or checked, yet changed"

    emulator.client("ecs").put_cluster_capacity_providers(
        cluster=CLUSTER, capacityProviders=["FARGATE", "FARGATE_SPOT"], defaultCapacityProviderStrategy=[])
    moved = capacity(SPOT)
    assert moved.rc == 0 and moved.result["changed"] is True, moved
    launch_type, strategy, deployment = placement(emulator)
    assert launch_type is None and strategy == [("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 3)]
    assert deployment != start[2], "no new deployment: the tasks would stay where they run"
    assert moved.result["capacity_provider_strategy"] == [
        {"capacity_provider": "FARGATE", "base": 1, "weight": 1},
        {"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 3}]

    again = capacity(list(reversed(SPOT)))  # another order is the same strategy
    assert again.rc == 0 and again.result["changed"] is False and again.result["actions"] == [], again

    back = capacity([])
    assert back.rc == 0 and back.result["changed"] is True, back
    assert placement(emulator)[:2] == (None, [("FARGATE", 0, 1)])
    assert capacity([]).result["changed"] is False

    missing = capacity(SPOT, service="precedentum-testing-nothing")
    assert missing.rc == 0 and missing.result["exists"] is False and missing.result["changed"] is False
    assert [s["capacity_provider"] for s in missing.result["capacity_provider_strategy"]] == ["FARGATE", "FARGATE_SPOT"]


@pytest.mark.parametrize("strategy", [
    [{"capacity_provider": "FARGATE", "base": 1}, {"capacity_provider": "FARGATE_SPOT"}],  # no weight above 0
    [{"capacity_provider": "FARGATE", "base": 1, "weight": 1}, {"capacity_provider": "FARGATE_SPOT", "base": 1,
                                                                "weight": 1}],  # two bases
])
def test_bad_input_is_refused_naming_the_option(emulator, strategy):
    result = run_module("precedentum.deploy.ecs_service_capacity",
                        {"cluster": CLUSTER, "service": SERVICE, "capacity_provider_strategy": strategy},
                        emulator.env())
    assert result.rc != 0 and result.result["msg"].startswith("capacity_provider_strategy"), result
