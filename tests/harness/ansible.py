"""Run ansible-playbook from the repository root and read its recap."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.harness.module_runner import SOCKET_VAR, Runner
from tests.harness.playbook_runner import SWITCH_VAR, PlaybookRunner

REPO = Path(__file__).resolve().parents[2]
ZIPCODE = str(REPO / "tests" / "harness" / "zipcode")
RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)\s+"
    r"failed=(?P<failed>\d+)",
    re.M,
)


@dataclass
class PlaybookRun:
    args: list
    rc: int
    output: str

    @property
    def recap(self) -> dict:
        """The last PLAY RECAP, summed over its hosts (cost.yml adds a host for each option it prices)."""
        last = self.output.rsplit("PLAY RECAP", 1)[-1]
        found = RECAP.findall(last)
        if not found:
            return {}
        keys = ("ok", "changed", "unreachable", "failed")
        return {key: sum(int(host[i + 1]) for host in found) for i, key in enumerate(keys)}

    @property
    def flat(self) -> str:
        """The output with every run of white space folded to one space (YAML output wraps lines)."""
        return " ".join(self.output.split())

    @property
    def changed(self) -> int:
        return self.recap.get("changed", -1)

    def __str__(self) -> str:
        return f"$ {' '.join(self.args)}\n(rc={self.rc})\n{self.output[-6000:]}"


_RUNNER = None


def module_runner(env: dict):
    """This process's module runner (tests/harness/module_runner.py), started on first use; None
    when PRECEDENTUM_MODULE_RUNNER=off."""
    global _RUNNER
    if "off" in (os.environ.get(SOCKET_VAR), env.get(SOCKET_VAR)):
        return None
    if _RUNNER is None or _RUNNER.proc.poll() is not None:
        _RUNNER = Runner(_base_env(os.environ))
    return _RUNNER


_PLAYBOOK_RUNNER = None


def through_runner(env: dict, cwd: str):
    """This process's playbook runner (tests/harness/playbook_runner.py) when it can take a run with
    this environment and working directory; None otherwise, or when PRECEDENTUM_PLAYBOOK_RUNNER=off."""
    global _PLAYBOOK_RUNNER
    if "off" in (os.environ.get(SWITCH_VAR), env.get(SWITCH_VAR)):
        return None
    if _PLAYBOOK_RUNNER is None or _PLAYBOOK_RUNNER.proc.poll() is not None:
        default = ansible_env(os.environ)
        _PLAYBOOK_RUNNER = PlaybookRunner(default, str(REPO))
    return _PLAYBOOK_RUNNER if _PLAYBOOK_RUNNER.takes(env, cwd) else None


def interpreter_args(env: dict) -> list:
    """The ansible-playbook arguments that make tasks run through the module runner, if it is on."""
    if env.get(SOCKET_VAR, "off") == "off":
        return []
    return ["-e", json.dumps({"ansible_python_interpreter": str(Path(env[SOCKET_VAR]).parent / "python")})]


def ansible_env(base: dict) -> dict:
    env = _base_env(base)
    runner = module_runner(env)
    if runner is not None:
        env[SOCKET_VAR] = runner.socket
    return env


def _base_env(base) -> dict:
    env = dict(base)
    env.setdefault("ANSIBLE_CONFIG", str(REPO / "ansible.cfg"))
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    env["PYTHONUNBUFFERED"] = "1"
    # Keep the bytecode of the modules' zip payloads between tasks (tests/harness/zipcode).
    env.setdefault("PRECEDENTUM_ZIPCODE_CACHE", str(REPO / ".cache" / "zipcode"))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ZIPCODE, env.get("PYTHONPATH")) if p)
    return env


def run_playbook(playbook: str, env: dict, *args: str, inventory: str = "inventories/lean",
                 extra_vars: dict | None = None, cwd: Path | None = None, timeout: int = 900) -> PlaybookRun:
    """ansible-playbook PLAYBOOK -i INVENTORY [-e JSON] ARGS..., output captured (stderr included)."""
    bindir = Path(sys.executable).parent
    exe = str(bindir / "ansible-playbook") if (bindir / "ansible-playbook").exists() else "ansible-playbook"
    cmd = [exe, playbook, "-i", str(REPO / inventory) if not os.path.isabs(inventory) else inventory]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    run_env = ansible_env(env)
    cmd += [*interpreter_args(run_env), *args]
    runner = through_runner(run_env, str(cwd or REPO))
    if runner is not None:
        return PlaybookRun(cmd, *runner.run(cmd, run_env, str(cwd or REPO), timeout))
    proc = subprocess.run(cmd, cwd=cwd or REPO, env=run_env, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    return PlaybookRun(cmd, proc.returncode, proc.stdout + proc.stderr)


@dataclass
class ModuleRun:
    rc: int
    result: dict
    output: str

    def __str__(self) -> str:
        return f"(rc={self.rc})\n{json.dumps(self.result, indent=1)[-4000:]}\n{self.output[-3000:]}"


def run_module(module: str, args: dict, env: dict, *flags: str, timeout: int = 300) -> ModuleRun:
    """One task of MODULE with ARGS on localhost, in a playbook of its own (the arguments stay off
    the command line), region from the environment; the task's result parsed from the JSON callback."""
    import tempfile

    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [{"name": module, module: args}]}]
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        json.dump(play, handle)
    try:
        run_env = ansible_env(env)
        run_env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.json"
        bindir = Path(sys.executable).parent
        cmd = [str(bindir / "ansible-playbook"), handle.name, *interpreter_args(run_env), *flags]
        proc = subprocess.run(cmd, cwd=REPO, env=run_env,
                              capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, check=False)
    finally:
        os.unlink(handle.name)
    try:
        result = json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (json.JSONDecodeError, KeyError, IndexError):
        result = {}
    return ModuleRun(proc.returncode, result, proc.stdout + proc.stderr)
