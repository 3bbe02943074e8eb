"""The images a deployment runs must be in ECR before any service is made or changed (phase 2.2, deploy.yml).

This emulator's repositories start empty, as on a fresh account (the suite's other emulators get an image
tagged "latest" in each new repository, standing in for phase 1.3's push: tests/harness/moto_server.py). A
Docker engine that answers but builds nothing (tests/harness/fake_docker.py) stands in for a laptop's: a
tag that is in ECR is deployed without a build context. Verified through ECS and ECR."""

from __future__ import annotations

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX, ecs_resources, push_fake_image
from tests.harness.emulator import Emulator
from tests.harness.fake_docker import FakeDockerEngine

pytestmark = pytest.mark.slow


@pytest.fixture
def empty_registry_emulator(tmp_path):
    with Emulator(log_path=str(tmp_path / "moto.log"), extra_env={"PRECEDENTUM_EMULATOR_ECR_SEED_TAG": ""}) as emu:
        yield emu


def play(emu, name, *args, env=None, **kwargs):
    return run_playbook(str(REPO / "playbooks" / name), {**emu.env(), **(env or {})}, *args, **kwargs)


def images_run(emu) -> dict:
    state = ecs_resources(emu)
    return {name: tds[-1]["containerDefinitions"][0]["image"].rsplit(":", 1)[-1]
            for name, tds in state["task_definitions"].items()}


def test_week2_stops_without_images_then_runs_the_pushed_tag_and_deploy_needs_no_build_context(
        empty_registry_emulator, prebuilt):
    emu = empty_registry_emulator
    prebuilt(emu, "week1.yml")
    assert emu.client("ecr").describe_images(repositoryName=f"{PREFIX}/backend")["imageDetails"] == []

    # A fresh account: no image in either repository. Phase 2.2 stops before any service or task definition,
    # naming the command that pushes them.
    bare = play(emu, "week2.yml")
    assert bare.rc != 0, bare
    assert f"No image tag is in both {PREFIX}/backend and {PREFIX}/frontend yet" in bare.flat, bare
    assert "CannotPullContainerError" in bare.flat
    assert "ansible-playbook playbooks/deploy.yml -i inventories/lean --tags deploy_images" in bare.flat
    state = ecs_resources(emu)
    assert state["services"] == {} and state["task_definitions"] == {}, "a service was made without its image"

    # Pushed (as phase 1.3 or deploy.yml --tags deploy_images would): week 2 runs the newest tag in both.
    push_fake_image(emu, "0a1b2c3d4e5f")
    pushed = play(emu, "week2.yml")
    assert pushed.rc == 0, pushed
    assert images_run(emu) == {"backend": "0a1b2c3d4e5f", "frontend": "0a1b2c3d4e5f"}

    with FakeDockerEngine() as engine:
        docker = {"DOCKER_HOST": engine.url}
        # A Docker engine answers, no build context is set: a tag that is in ECR deploys without building.
        push_fake_image(emu, "6f5e4d3c2b1a")
        deployed = play(emu, "deploy.yml", env=docker, extra_vars={"ecs_image_tag": "6f5e4d3c2b1a"})
        assert deployed.rc == 0, deployed
        assert "6f5e4d3c2b1a is in" in deployed.flat and "nothing to build" in deployed.flat
        assert images_run(emu) == {"backend": "6f5e4d3c2b1a", "frontend": "6f5e4d3c2b1a"}
        assert "GET /v1.41/info" not in engine.calls and not [c for c in engine.calls if c.startswith("POST")]

        # A tag that is not there, an engine, nothing to build it from: stopped, naming what to set.
        missing = play(emu, "deploy.yml", env=docker, extra_vars={"ecs_image_tag": "999999999999"})
        assert missing.rc != 0, missing
        assert "nothing to build it from: set precedentum_app_path" in missing.flat, missing
        assert engine.calls and not [c for c in engine.calls if c.startswith("POST")]
    assert images_run(emu) == {"backend": "6f5e4d3c2b1a", "frontend": "6f5e4d3c2b1a"}, "a missing tag changed a service"
