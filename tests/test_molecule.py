"""The molecule scenarios (molecule/<role>/): one per role, each against an emulator of its own; after each,
the account holds nothing the scenario made (the databases' final snapshots aside).

`make test` runs every scenario once: here (IN_MAKE_TEST), or inside the integration test of its role, which runs
the scenario's converge, idempotence and verify in place of its own converge and re-run (HOSTED); `make molecule`
runs every scenario here, on its own."""

from __future__ import annotations

import os

import pytest

from tests.harness.ansible import REPO
from tests.harness.aws_state import account_inventory, added
from tests.harness.emulator import HOST
from tests.harness.molecule import Scenario

SCENARIOS = sorted(p.parent.name for p in (REPO / "molecule").glob("*/molecule.yml"))
# Where each scenario runs in `make test`. HOSTED: inside its role's integration test (tests/integration/test_<role>.py
# runs the converge, idempotence, verify, and the destroy after its own). IN_MAKE_TEST: here.
HOSTED = {"ecr", "storage", "alb", "rds", "monitoring", "network", "office_hours"}
IN_MAKE_TEST = {"cost", "lightsail", "cache", "edge", "ecs", "onboarding"}
# Scenarios that write into the database: a PostgreSQL server stands in for it (molecule/onboarding/prepare.yml).
NEEDS_POSTGRESQL = {"onboarding"}
# Here, what a scenario's prepare makes (molecule_prepare: the roles of earlier phases) is the test run's shared
# recording of the same playbook run, replayed (tests/harness/prebuilt.py); the scenario then runs its own role
# alone (prepared: prepare puts only the image, destroy removes only what the role made). By hand, molecule
# test -s ROLE runs the whole prepare.
REPLAYED = {"cache": ("week1.yml", "--tags", "network"), "edge": ("week1.yml",), "ecs": ("week1.yml",),
            "onboarding": ("week1.yml",)}
ALL = os.environ.get("PRECEDENTUM_ALL_MOLECULE") == "1"


@pytest.mark.slow
@pytest.mark.parametrize("scenario", [s for s in SCENARIOS if ALL or s in IN_MAKE_TEST])
def test_molecule_scenario(scenario, emulator, tmp_path, request):
    env = {}
    if scenario in NEEDS_POSTGRESQL:
        env["PRECEDENTUM_MOLECULE_POSTGRES"] = f"{HOST}:{request.getfixturevalue('postgres').port}"
    if scenario in REPLAYED:
        playbook, *args = REPLAYED[scenario]
        request.getfixturevalue("prebuilt")(emulator, playbook, *args)
    empty = account_inventory(emulator)
    run = Scenario(emulator, scenario, tmp_path, env, prepared=scenario in REPLAYED).run("test")
    assert run.rc == 0, f"molecule test -s {scenario} failed:\n{run.output[-8000:]}"
    assert "idempotence" in run.output and "verify" in run.output
    left = added(empty, account_inventory(emulator))
    for kept in ("db-snapshot", "lightsail-snapshot"):  # the databases' final snapshots, as destroy.yml keeps them
        left.pop(kept, None)
    assert left == {}, f"molecule test -s {scenario} left {left}"
    if scenario in REPLAYED:
        assert account_inventory(emulator) == empty, "the replayed earlier phases were left as they were"


def test_every_role_has_a_scenario():
    roles = sorted(p.name for p in (REPO / "roles").iterdir() if (p / "tasks" / "main.yml").exists())
    assert roles == SCENARIOS
    assert sorted([*HOSTED, *IN_MAKE_TEST]) == SCENARIOS, "make test runs each scenario, in exactly one place"
