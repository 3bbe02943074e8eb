"""The harness's module runner (tests/harness/module_runner.py): a script run through its client
behaves as if run by the interpreter itself: arguments, environment, working directory, standard
streams, exit code, and a killed client takes its fork with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.harness.ansible import REPO
from tests.harness.module_runner import SOCKET_VAR, Runner

SCRIPT = """
import os, sys
print("argv", sys.argv[1:])
print("cwd", os.getcwd())
print("var", os.environ.get("RUNNER_TEST_VAR"))
print("stdin", sys.stdin.read().strip())
print("pid", os.getpid())
print("to stderr", file=sys.stderr)
if len(sys.argv) > 2 and sys.argv[2] == "sleep":
    open(sys.argv[3], "w").write(str(os.getpid()))
    import time
    time.sleep(60)
sys.exit(int(sys.argv[1]))
"""


@pytest.fixture(scope="module")
def runner():
    started = Runner(dict(os.environ))
    yield started
    started.stop()


def run(interpreter, script, *args, env=None, cwd=None, stdin="hello"):
    proc = subprocess.Popen([interpreter, str(script), *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
    proc.stdout_text, proc.stderr_text = proc.communicate(stdin, timeout=60)
    return proc


def fields(stdout: str) -> dict:
    return dict(line.split(" ", 1) for line in stdout.splitlines())


def test_a_script_runs_in_a_fork_as_under_the_interpreter(runner, tmp_path):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    env = {**os.environ, SOCKET_VAR: runner.socket, "RUNNER_TEST_VAR": "from the client"}
    proc = run(runner.interpreter, script, "3", "x y", env=env, cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr_text
    got = fields(proc.stdout_text)
    assert got["argv"] == "['3', 'x y']"
    assert got["cwd"] == str(tmp_path)
    assert got["var"] == "from the client"
    assert got["stdin"] == "hello"
    assert proc.stderr_text.strip() == "to stderr"
    # It ran in a fork of the server, not in the client's process (an exec would keep the pid).
    assert int(got["pid"]) != proc.pid


def test_without_the_server_the_client_runs_the_interpreter(runner, tmp_path):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    for socket_value in ("", str(tmp_path / "no-such-socket")):
        env = {**os.environ, SOCKET_VAR: socket_value, "RUNNER_TEST_VAR": "plain"}
        proc = run(runner.interpreter, script, "0", env=env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr_text
        got = fields(proc.stdout_text)
        assert got["var"] == "plain"
        assert int(got["pid"]) == proc.pid  # the interpreter exec'd in place


def test_a_killed_client_takes_its_fork_with_it(runner, tmp_path):
    script = tmp_path / "script.py"
    script.write_text(SCRIPT)
    pidfile = tmp_path / "pid"
    env = {**os.environ, SOCKET_VAR: runner.socket}
    client = subprocess.Popen([runner.interpreter, str(script), "0", "sleep", str(pidfile)], env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while not (pidfile.exists() and pidfile.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    fork = int(pidfile.read_text())
    assert fork != client.pid
    assert os.path.exists(f"/proc/{fork}")
    client.send_signal(signal.SIGKILL)
    client.wait()
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{fork}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{fork}"), "the fork outlived its client"


def test_the_server_ends_with_the_process_that_started_it(tmp_path):
    code = ("import os\nfrom tests.harness.module_runner import Runner\n"
            "runner = Runner(dict(os.environ))\nprint(runner.proc.pid, flush=True)\nos._exit(0)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO,
                         check=False)
    server = int(out.stdout.split()[0])
    deadline = time.monotonic() + 15
    while os.path.exists(f"/proc/{server}") and time.monotonic() < deadline:
        try:
            if open(f"/proc/{server}/stat").read().split()[2] == "Z":
                break
        except OSError:
            break
        time.sleep(0.1)
    state = open(f"/proc/{server}/stat").read().split()[2] if os.path.exists(f"/proc/{server}") else "gone"
    assert state in ("gone", "Z"), f"the server is still running ({state})"
