"""The molecule scenarios (molecule/<role>/), each against an emulator of its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.ansible import REPO, module_runner
from tests.harness.module_runner import SOCKET_VAR

SCENARIOS = sorted(p.parent.name for p in (REPO / "molecule").glob("*/molecule.yml"))
# network, rds and alb run the same converge / idempotence / verify / destroy as their integration
# tests (tests/integration/test_network.py, test_rds.py, test_alb.py), which check more; `make test`
# runs only the ecr scenario (the cheapest: it shows the molecule setup works) to keep the suite
# within its time budget, and `make molecule` runs every scenario.
if os.environ.get("PRECEDENTUM_ALL_MOLECULE") != "1":
    SCENARIOS = [s for s in SCENARIOS if s == "ecr"]


@pytest.mark.slow
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_molecule_scenario(scenario, emulator, tmp_path):
    env = emulator.env()
    env.update({
        "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
        "ANSIBLE_NOCOLOR": "1",
        "NO_COLOR": "1",
        # Keep molecule's own files per test, so scenarios never see each other's leftovers.
        "MOLECULE_EPHEMERAL_DIRECTORY": str(tmp_path / "molecule"),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
    })
    runner = module_runner(env)
    if runner is not None:  # the ecr scenario's plays take the runner's client as their interpreter
        env.update({SOCKET_VAR: runner.socket, "PRECEDENTUM_MOLECULE_PYTHON": runner.interpreter})
    proc = subprocess.run([Path(sys.executable).parent / "molecule", "test", "-s", scenario], cwd=REPO, env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=1200, check=False)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"molecule test -s {scenario} failed:\n{output[-8000:]}"
    assert "idempotence" in output and "verify" in output
