"""destroy.yml finishes in one run while AWS still refuses what something just let go of (eventual consistency).

The emulator refuses the first two calls of each deletion AWS is known to refuse for a while after its
dependents went: the certificate right after its listener (ResourceInUseException), security groups and
subnets while interfaces detach (DependencyViolation), the cluster while its tasks stop
(ClusterContainsTasksException) - tests/harness/moto_server.py, PRECEDENTUM_EMULATOR_REFUSE. Verified through
leftovers.yml after the destroy."""

from __future__ import annotations

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX
from tests.harness.emulator import Emulator

pytestmark = pytest.mark.slow
REFUSED = {"DeleteCertificate": "ResourceInUseException", "DeleteSecurityGroup": "DependencyViolation",
           "DeleteSubnet": "DependencyViolation", "DeleteCluster": "ClusterContainsTasksException"}
FAST = {"network_destroy_retry_delay": 1, "alb_destroy_retry_delay": 1, "ecs_destroy_retry_delay": 1}
HTTPS = {"alb_https_domain": "app.precedentum.example"}


@pytest.fixture
def refusing_emulator(tmp_path):
    refuse = ",".join(f"{action}:{code}:2" for action, code in REFUSED.items())
    with Emulator(log_path=str(tmp_path / "moto.log"), extra_env={"PRECEDENTUM_EMULATOR_REFUSE": refuse}) as emu:
        yield emu


def play(emu, name, *args, **extra):
    return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, extra_vars=extra)


def test_destroy_retries_what_aws_refuses_for_a_while_and_finishes_in_one_run(refusing_emulator, prebuilt):
    emu = refusing_emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    new_zone = play(emu, "week3.yml", "--tags", "https", **HTTPS)
    assert new_zone.rc != 0 and "is new" in new_zone.flat, new_zone
    emu.delegate("precedentum.example")
    https = play(emu, "week3.yml", "--tags", "https", **HTTPS)
    assert https.rc == 0, https
    assert emu.client("acm").list_certificates()["CertificateSummaryList"]

    gone = play(emu, "destroy.yml", **HTTPS, **FAST, destroy_confirm=PREFIX)
    assert gone.rc == 0, gone
    retried = [line for line in gone.output.splitlines() if line.startswith("FAILED - RETRYING")]
    for task in ("Delete the certificate", "Delete the security groups", "Delete the subnets", "Delete the cluster"):
        assert sum(task in line for line in retried) == 2, (task, retried)
    # Nothing of ours is left but the final snapshot (leftovers.yml fails when it finds anything else).
    left = play(emu, "leftovers.yml", leftovers_fail_when_found=True)
    assert left.rc == 0, left
