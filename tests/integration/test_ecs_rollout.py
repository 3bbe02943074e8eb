"""Phase 2.2 and deploy.yml wait for each rollout (roles/ecs/tasks/services.yml, module ecs_service_rollout).

moto finishes every rollout at once; this emulator makes a new deployment stay IN_PROGRESS for six looks
(more than one item of the wait loop), fail as the circuit breaker makes it fail for an image named
...:broken01 (a stopped task, a rollback to the last completed revision), and never finish for ...:stuck01
(tests/harness/moto_server.py). Verified through DescribeServices and DescribeTargetHealth."""

from __future__ import annotations

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX, push_fake_image
from tests.harness.emulator import Emulator

pytestmark = pytest.mark.slow

SERVICES = [f"{PREFIX}-backend", f"{PREFIX}-frontend"]


@pytest.fixture
def slow_emulator(tmp_path):
    with Emulator(log_path=str(tmp_path / "moto.log"), extra_env={
            "PRECEDENTUM_EMULATOR_ROLLOUT_LOOKS": "6",
            "PRECEDENTUM_EMULATOR_FAILING_IMAGE": ":broken01",
            "PRECEDENTUM_EMULATOR_STUCK_IMAGE": ":stuck01"}) as emu:
        yield emu


def deploy(emu, tag, **extra):
    return run_playbook(str(REPO / "playbooks" / "deploy.yml"), emu.env(), "--tags", "deploy_services",
                        extra_vars={"ecs_image_tag": tag, "ecs_rollout_poll_interval": 1, **extra})


def services(emu) -> dict:
    described = emu.client("ecs").describe_services(cluster=PREFIX, services=SERVICES)["services"]
    return {s["serviceName"].removeprefix(PREFIX + "-"): s for s in described}


def healthy(emu, service) -> int:
    elbv2 = emu.client("elbv2")
    return min(sum(1 for t in elbv2.describe_target_health(TargetGroupArn=lb["targetGroupArn"])[
                   "TargetHealthDescriptions"] if t["TargetHealth"]["State"] == "healthy")
               for lb in service["loadBalancers"])


def test_a_rollout_is_waited_for_a_failed_one_names_its_reasons_a_stuck_one_times_out(slow_emulator, prebuilt):
    emu = slow_emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])

    # Six looks IN_PROGRESS, printed, then COMPLETED: the play ends only then.
    push_fake_image(emu, "good01")
    good = deploy(emu, "good01")
    assert good.rc == 0, good
    progress = [line for line in good.output.splitlines() if "(item=" in line and "running" in line]
    assert any(f"{PREFIX}-backend 0/1 running, IN_PROGRESS" in line for line in progress), good
    assert any(f"{PREFIX}-backend 1/1 running, COMPLETED, 1/1 healthy targets" in line for line in progress), good
    for name, service in services(emu).items():
        (primary,) = [d for d in service["deployments"] if d["status"] == "PRIMARY"]
        assert primary["rolloutState"] == "COMPLETED" and primary["runningCount"] == 1, name
        assert primary["taskDefinition"].endswith(f"{PREFIX}-{name}:2"), name
        assert healthy(emu, service) == 1, name

    # The circuit breaker fails the rollout and rolls back: the play fails, naming the service, the rollout's
    # reason and the stopped task's reason; the service runs the last good revision again.
    push_fake_image(emu, "broken01")
    broken = deploy(emu, "broken01")
    assert broken.rc != 0, broken
    assert f"service {PREFIX}-backend runs {PREFIX}-backend:2 instead of {PREFIX}-backend:3" in broken.flat, broken
    assert "ECS deployment circuit breaker: tasks failed to start." in broken.flat
    assert "CannotPullContainerError" in broken.flat and f"/ecs/{PREFIX}/backend" in broken.flat
    assert "the deployment failed and was rolled back" in broken.flat, "said as a rollback, not a timeout"
    assert services(emu)["backend"]["taskDefinition"].endswith(f"{PREFIX}-backend:2")

    # A rollout that never finishes fails after ecs_rollout_timeout, saying what it saw.
    push_fake_image(emu, "stuck01")
    stuck = deploy(emu, "stuck01", ecs_rollout_timeout=12)
    assert stuck.rc != 0, stuck
    assert f"The rollout of {PREFIX}-backend" in stuck.flat and "ecs_rollout_timeout, 12 s" in stuck.flat, stuck
    assert "0/1 running, IN_PROGRESS" in stuck.flat and "has started 1 tasks" in stuck.flat
