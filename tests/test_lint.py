"""ansible-lint with the production profile on the whole repository (make lint runs the same), as a test so
that it runs beside the others instead of before them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness.ansible import REPO

BIN = Path(sys.executable).parent


@pytest.mark.slow
def test_ansible_lint_production_profile_passes():
    # A home of its own: ansible-lint looks first in $ANSIBLE_HOME/collections, where a molecule run may have
    # left an installed copy of this collection that would shadow the checkout.
    env = {**os.environ, "ANSIBLE_HOME": str(REPO / ".cache" / "ansible-lint"), "NO_COLOR": "1",
           "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    run = subprocess.run([str(BIN / "ansible-lint")], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=900, check=False)
    assert run.returncode == 0, (run.stdout + run.stderr)[-6000:]
    assert "Profile 'production' was required, and it passed" in run.stdout + run.stderr
