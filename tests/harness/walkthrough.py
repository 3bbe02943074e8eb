"""What `make preview` and `make demo` share (test equipment run as a product feature): the playbooks run
against a ContainerWorld's emulator with their changes shown as they come, and the demo's team.

    with ContainerWorld(work) as world:
        run_week(world, "week1.yml", "lean", {...}, work / "week1.log")
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import yaml

from .emulator import REPO

# What the demo adds to an inventory for weeks 3 and 4: made-up people and a reserved domain.
TEAM_FILE = REPO / "scripts" / "demo-vars.yml"


def team(*keys: str) -> dict:
    """scripts/demo-vars.yml, or only ``keys`` of it."""
    found = yaml.safe_load(TEAM_FILE.read_text())
    return {key: value for key, value in found.items() if not keys or key in keys}


def say(text: str) -> None:
    print(f"\n\033[1m==> {text}\033[0m", flush=True)


def run_week(world, playbook: str, inventory: str, extra: dict, log: Path, *args: str,
             may_fail: bool = False) -> tuple[int, str]:
    """ansible-playbook against the world's emulator; the tasks that changed something shown as they come.
    Stops the script with the play's last error unless ``may_fail``; (exit code, output)."""
    env = dict(world.emulator.env(), ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
               PYTHONUNBUFFERED="1")
    cmd = [str(REPO / ".venv" / "bin" / "ansible-playbook"), str(REPO / "playbooks" / playbook),
           "-i", str(REPO / "inventories" / inventory), "-e", json.dumps(extra), *args]
    started, task, lines = time.monotonic(), "", []
    with subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          stdin=subprocess.DEVNULL) as proc:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("TASK ["):
                task = line.rstrip(" *\n")
            elif line.startswith(("changed:", "fatal:")) and task:
                print(f"  {task[6:-1]}", flush=True)
                task = ""
            elif line.startswith("localhost "):
                print(f"  {line.strip()}", flush=True)
    output = "".join(lines)
    log.write_text(output)
    if proc.returncode != 0 and not may_fail:
        reason = re.findall(r"\[ERROR\]: (.*)", output)
        raise SystemExit(f"{playbook} failed: {reason[-1] if reason else 'see ' + str(log)}\n(full output: {log})")
    print(f"  ({time.monotonic() - started:.0f} s; full output: {log})", flush=True)
    return proc.returncode, output


def messages(output: str, *names: str) -> list[str]:
    """The debug messages in a play's output (one string each, its lines joined) of the tasks whose name holds
    one of ``names``."""
    found, task, block = [], "", None
    for line in [*output.splitlines(), ""]:
        if line.startswith("TASK ["):
            task = line
        elif block is not None and line.strip():
            block.append(line)
        elif block is not None:
            value = (yaml.safe_load("\n".join(block)) or {}).get("msg", "")
            found += [" ".join(str(item).split()) for item in (value if isinstance(value, list) else [value])]
            block = None
        elif line.startswith("ok: [") and line.rstrip().endswith("=>") and any(n in task for n in names):
            block = []
    return found
