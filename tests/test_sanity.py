"""Ansible's own checks of a collection: ansible-test sanity (scripts/sanity) on the checkout as it is,
and that the script fails when ansible-test finds something."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.harness.ansible import REPO

SCRIPT = REPO / "scripts" / "sanity"


def sanity(checkout, *args):
    return subprocess.run([str(checkout / "scripts" / "sanity"), *args], cwd=checkout, capture_output=True,
                          text=True, timeout=1500, check=False)


def problems(run) -> str:
    lines = (run.stdout + run.stderr).splitlines()
    return "\n".join(line for line in lines if line.startswith(("ERROR", "FATAL"))) or "\n".join(lines[-40:])


@pytest.mark.slow
def test_ansible_test_sanity_passes():
    run = sanity(REPO)
    assert run.returncode == 0, problems(run)
    # Every test ran: none skipped for want of a virtual environment (the pip bootstrap is seeded).
    assert "Skipping sanity test" not in run.stdout + run.stderr, problems(run)
    assert 'Running sanity test "validate-modules"' in run.stdout


@pytest.mark.slow
def test_a_module_that_validates_input_with_assert_fails_the_run(tmp_path):
    """The failure path: the script exits non-zero and names the file and the test."""
    checkout = tmp_path / "checkout"
    for path in ("scripts/sanity", "galaxy.yml", "meta/runtime.yml", "plugins/modules/ecs_service_delete.py"):
        (checkout / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / path, checkout / path)
    (checkout / "plugins/modules/ecs_service_delete.py").write_text(
        (REPO / "plugins/modules/ecs_service_delete.py").read_text()
        + "\n\ndef _check(value):\n    assert value >= 0\n")
    os.symlink(REPO / ".venv", checkout / ".venv")
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    run = sanity(checkout, "--test", "no-assert")
    assert run.returncode != 0, run.stdout + run.stderr
    assert "plugins/modules/ecs_service_delete.py" in run.stdout + run.stderr and "no-assert" in run.stdout
