"""The ecs_service_delete module, verified through the emulator's ECS API: what it deletes, that it waits,
that it leaves no host facts behind (community.aws.ecs_service's state=absent does)."""

from __future__ import annotations

import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
CLUSTER = "precedentum-testing"
SERVICES = ["precedentum-testing-backend", "precedentum-testing-frontend"]


def statuses(emu) -> dict:
    described = emu.client("ecs").describe_services(cluster=CLUSTER, services=SERVICES)["services"]
    return {s["serviceName"]: s["status"] for s in described}


def test_check_delete_twice_and_no_facts(emulator):
    ecs = emulator.client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(family="app", containerDefinitions=[{"name": "app", "image": "app:1", "memory": 512}])
    for name in SERVICES:
        ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition="app", desiredCount=2,
                           tags=[{"key": "Project", "value": "precedentum"}])

    def delete(*flags, services=tuple(SERVICES), cluster=CLUSTER):
        return run_module("precedentum.deploy.ecs_service_delete",
                          {"cluster": cluster, "services": [*services, "precedentum-testing-nothing"],
                           "poll_interval": 1}, emulator.env(), *flags)

    dry = delete("--check")
    assert dry.rc == 0 and dry.result["changed"] is True and dry.result["deleted"] == SERVICES, dry
    assert statuses(emulator) == {name: "ACTIVE" for name in SERVICES}, "check mode deleted something"

    # Running tasks (desired count 2) do not stop it; no facts come back (no 'tags' among the host's variables).
    gone = delete()
    assert gone.rc == 0 and gone.result["changed"] is True and gone.result["deleted"] == SERVICES, gone
    assert "ansible_facts" not in gone.result and "reserved name" not in gone.output, gone
    assert statuses(emulator) == {name: "INACTIVE" for name in SERVICES}

    again = delete()
    assert again.rc == 0 and again.result["changed"] is False and again.result["deleted"] == [], again
    nowhere = delete(cluster="precedentum-nothing")
    assert nowhere.rc == 0 and nowhere.result["changed"] is False, nowhere


def test_bad_input_is_refused_naming_the_option(emulator):
    result = run_module("precedentum.deploy.ecs_service_delete",
                        {"cluster": CLUSTER, "services": ["a/b"], "wait_timeout": 0}, emulator.env())
    assert result.rc != 0 and "services:" in result.result["msg"] and "wait_timeout:" in result.result["msg"], result
