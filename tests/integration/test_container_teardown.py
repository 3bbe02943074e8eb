"""The container runner's containers are the test's own: a second container of a task or a Lightsail
deployment shares the first one's network namespace (so it is not on the test network itself), and still goes
with the network when the test ends; two tests deploying the same service name and version never collide
(a container left behind by one used to fail the next one's deployment with docker's name conflict)."""

from __future__ import annotations

import pytest

from tests.harness import container_runner
from tests.harness.docker_engine import BASE, Network, base_images, docker

pytestmark = pytest.mark.slow
SLEEPER = {"image": BASE["debian"], "command": ["sleep", "600"]}


def exists(cid: str) -> bool:
    return bool(docker("ps", "-aq", "--filter", f"id={cid}", check=False).stdout.strip())


def test_network_teardown_removes_every_container_of_the_emulator(monkeypatch):
    base_images()
    ids: list[str] = []
    with Network() as first, Network() as second:
        for network in (first, second):  # the same service name and version in two tests at once
            monkeypatch.setenv("PRECEDENTUM_EMULATOR_NETWORK", network.name)
            record = container_runner.start_lightsail("precedentum-lite", 1, {"backend": SLEEPER,
                                                                              "frontend": SLEEPER})
            assert record["state"] == "DEPLOYING" and len(record["containers"]) == 2, record
            ids += record["containers"].values()
        assert all(exists(cid) for cid in ids)
        shared = docker("inspect", "--format", "{{.HostConfig.NetworkMode}}", ids[1]).stdout.strip()
        assert shared == f"container:{ids[0]}"  # the frontend is not on the network: found by its label
    left = [cid[:12] for cid in ids if exists(cid)]
    assert not left, f"containers left after the networks' teardown: {left}"
