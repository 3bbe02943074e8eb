"""Run a role's molecule scenario (molecule/<role>/) against a test's own emulator.

``Scenario(emulator, "ecr", tmp_path).run("converge", "idempotence", "verify")`` runs ``molecule converge -s
ecr``, then ``molecule idempotence -s ecr``, ... one after the other, stopping at the first that fails, and returns
their output and exit code as a PlaybookRun (its recap is the last play's). The steps share one molecule
directory, so a test can run the scenario's converge, check the account itself, change something with the
week playbooks, and end with the scenario's destroy. The plays run their modules through the harness's
module runner (the scenarios read PRECEDENTUM_MOLECULE_PYTHON). ``prepared=True``: the test has replayed
what the scenario's prepare would make (tests/harness/prebuilt.py), so prepare runs none of its roles and
destroy removes only what the role made.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.harness.ansible import REPO, PlaybookRun, module_runner
from tests.harness.module_runner import SOCKET_VAR

MOLECULE = Path(sys.executable).parent / "molecule"


class Scenario:
    def __init__(self, emulator, name: str, tmp_path: Path, env: dict | None = None, prepared: bool = False):
        self.name = name
        self.env = emulator.env()
        self.env.update({
            "PATH": f"{Path(sys.executable).parent}:{self.env.get('PATH', '/usr/bin:/bin')}",
            "ANSIBLE_NOCOLOR": "1",
            "NO_COLOR": "1",
            # Molecule's own files per test, so scenarios never see each other's leftovers.
            "MOLECULE_EPHEMERAL_DIRECTORY": str(tmp_path / f"molecule-{name}"),
            "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
            **(env or {}),
        })
        if prepared:  # the test replayed what the scenario's prepare makes: its roles are skipped
            self.env["PRECEDENTUM_MOLECULE_PREPARED"] = "1"
        runner = module_runner(self.env)
        if runner is not None:
            self.env.update({SOCKET_VAR: runner.socket, "PRECEDENTUM_MOLECULE_PYTHON": runner.interpreter})

    def run(self, *steps: str, env: dict | None = None, timeout: int = 1200) -> PlaybookRun:
        """The steps one after the other, stopping at the first that fails; ``env`` on top of the scenario's."""
        output, rc, args = "", 0, []
        for step in steps:
            args = [str(MOLECULE), step, "-s", self.name]
            proc = subprocess.run(args, cwd=REPO, env={**self.env, **(env or {})}, capture_output=True, text=True,
                                  stdin=subprocess.DEVNULL, timeout=timeout, check=False)
            output += proc.stdout + proc.stderr
            rc = proc.returncode
            if rc != 0:
                break
        return PlaybookRun(args, rc, output)
