"""The checkout as a collection: its files copied to a folder of their own, and built with ansible-galaxy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.harness.ansible import REPO

BIN = Path(sys.executable).parent


def galaxy_env(home: Path) -> dict:
    """A clean environment for ansible-galaxy and the reviewers' tools, with HOME and ANSIBLE_HOME in HOME (run
    from there, so that the checkout's ansible.cfg, which links the checkout itself, is not used)."""
    return {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(home), "ANSIBLE_HOME": str(home / ".ansible"),
            "LANG": "C.UTF-8"}


def copy_checkout(dest: Path, leave_out=()) -> Path:
    """The checkout's files (git's list, links kept as links) in a folder of their own."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in files.decode().split("\0"):
        if name and (REPO / name).is_file() and not name.startswith(tuple(leave_out)):
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name, follow_symlinks=False)
    return dest


def build(source: Path, out: Path) -> Path:
    """ansible-galaxy collection build SOURCE into OUT; the tarball's path."""
    subprocess.run([BIN / "ansible-galaxy", "collection", "build", str(source), "--output-path", str(out)],
                   cwd=out, env=galaxy_env(out), check=True, capture_output=True)
    (tarball,) = out.glob("precedentum-deploy-*.tar.gz")
    return tarball
