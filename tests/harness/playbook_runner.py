"""Test equipment: run ansible-playbook as forks of one process that has ansible-core imported.

Each ansible-playbook process spends about a CPU-second importing ansible-core (its CLI, executor,
templating and plugin loaders) before it reads a playbook; the suite runs a few hundred playbooks,
many of them refused within a second or two. This runner keeps one *server* per test process with
those imports done, and runs each playbook in a fork of it: the fork takes the run's arguments,
environment, working directory and standard streams, calls ansible-core's own entry point
(``ansible.cli.playbook.main``, what the ``ansible-playbook`` script calls) and reports its exit code.

ansible-core reads its configuration (``ANSIBLE_*`` variables, the file ``ANSIBLE_CONFIG`` names,
``HOME``) when it is imported, so a run goes through the server only when those settings, its
``PYTHONPATH`` (the harness's ``sitecustomize``) and its working directory are the server's; any
other run is a plain ``ansible-playbook`` process (``tests/harness/ansible.py`` decides).
``PRECEDENTUM_PLAYBOOK_RUNNER=off`` in the test process's environment turns the runner off.

A run's fork leads a process group of its own. When the run's timeout passes, or its client goes away
(the socket closes), the run gets SIGTERM, which ansible-core passes on to its workers' process groups
(a task's module and the commands it started), and five seconds later SIGKILL to its group.

    python -m tests.harness.playbook_runner serve SOCKET      # the server (the harness starts it)
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys

SWITCH_VAR = "PRECEDENTUM_PLAYBOOK_RUNNER"
_HEADER = struct.Struct("!i")


def settings(env: dict, cwd: str) -> dict:
    """What ansible-core reads when imported: a run may use the server only when these equal its own."""
    keys = sorted(k for k in env if k.startswith(("ANSIBLE_", "PRECEDENTUM_ZIPCODE")))
    keys += ["PYTHONPATH", "HOME"]
    return {"cwd": os.path.realpath(cwd), **{k: env.get(k) for k in keys}}


_LOCAL_TMP_BASE = None


def _preload() -> None:
    global _LOCAL_TMP_BASE
    import ansible.cli.playbook  # noqa: F401 - the CLI, and with it the configuration and display
    import ansible.executor.playbook_executor  # noqa: F401
    import ansible.executor.task_executor  # noqa: F401
    import ansible.executor.task_queue_manager  # noqa: F401
    import ansible.inventory.manager  # noqa: F401
    import ansible.parsing.dataloader  # noqa: F401
    import ansible.playbook  # noqa: F401
    import ansible.plugins.callback.default  # noqa: F401
    import ansible.plugins.connection.local  # noqa: F401
    import ansible.plugins.strategy.linear  # noqa: F401
    import ansible.template  # noqa: F401
    import ansible.vars.manager  # noqa: F401
    from ansible import constants as C

    _LOCAL_TMP_BASE = os.path.dirname(C.DEFAULT_LOCAL_TMP)
    os.rmdir(C.DEFAULT_LOCAL_TMP)


def _receive(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the client went away")
        data += chunk
    return data


def _end(pid: int, grace: float = 5.0) -> None:
    """End a run as a stopped ansible-playbook ends: SIGTERM, which ansible-core passes on to its
    workers' process groups (a task's module and its commands), then SIGKILL to what is left of the run."""
    import time

    try:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            os.kill(pid, 0)
            time.sleep(0.05)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _child(conn: socket.socket) -> None:
    """In the fork: become the run (its streams, environment, directory, arguments) and report its exit code."""
    import threading

    try:
        header, fds, _flags, _addr = socket.recv_fds(conn, _HEADER.size, 3)
        request = json.loads(_receive(conn, _HEADER.unpack(header)[0]))
    except (OSError, ValueError):
        os._exit(1)
    os.setpgid(0, 0)
    conn.sendall(_HEADER.pack(os.getpid()))
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = list(request["argv"])
    # ansible-core makes its local temporary directory when imported, named by its pid, and removes it
    # at exit: each run gets its own, as a process of its own would (the server's was removed).
    import atexit
    import shutil
    import tempfile

    import ansible.constants as C

    atexit._clear()  # noqa: SLF001 - nothing the server registered is this run's to do
    C.DEFAULT_LOCAL_TMP = tempfile.mkdtemp(prefix=f"ansible-local-{os.getpid()}", dir=_LOCAL_TMP_BASE)
    atexit.register(shutil.rmtree, C.DEFAULT_LOCAL_TMP, True)

    def _orphaned():
        try:
            gone = conn.recv(1) == b""
        except OSError:
            gone = True
        if gone:
            _end(os.getpid())

    threading.Thread(target=_orphaned, daemon=True).start()
    code = 0
    try:
        from ansible.cli.playbook import main

        main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported as the interpreter would
        import traceback

        traceback.print_exc()
        code = 1
    try:
        import atexit

        atexit._run_exitfuncs()  # noqa: SLF001 - what the interpreter would run at exit
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        try:
            conn.sendall(_HEADER.pack(code))
        finally:
            os._exit(0)


def serve(path: str) -> None:
    """Accept runs on the Unix socket ``path`` until the process that started this one is gone."""
    parent = os.getppid()
    _preload()
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    server.settimeout(2)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the forks
    sys.stdout.flush()
    sys.stderr.flush()
    while os.getppid() == parent:
        try:
            conn, _unused = server.accept()
        except TimeoutError:
            continue
        conn.settimeout(None)
        if os.fork() == 0:
            server.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            _child(conn)
        conn.close()
    server.close()
    if os.path.exists(path):
        os.unlink(path)


class PlaybookRunner:
    """The server, started by a test process with the environment and directory its runs share."""

    def __init__(self, env: dict, cwd: str):
        import atexit
        import subprocess
        import tempfile
        import time

        self.settings = settings(env, cwd)
        self.directory = tempfile.mkdtemp(prefix="playbook-runner-")
        self.socket = os.path.join(self.directory, "socket")
        repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        pythonpath = os.pathsep.join(p for p in (env.get("PYTHONPATH"), repo) if p)
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.harness.playbook_runner", "serve", self.socket],
                                     cwd=cwd, env={**env, "PYTHONPATH": pythonpath}, stdin=subprocess.DEVNULL)
        atexit.register(self.stop)
        deadline = time.monotonic() + 60
        while not os.path.exists(self.socket) and self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)

    def takes(self, env: dict, cwd: str) -> bool:
        return self.proc.poll() is None and os.path.exists(self.socket) and settings(env, cwd) == self.settings

    def run(self, argv: list, env: dict, cwd: str, timeout: float) -> tuple[int, str]:
        """ansible-playbook ARGV in a fork: (exit code, standard output and error as one text)."""
        import subprocess
        import tempfile

        payload = json.dumps({"argv": list(argv), "env": dict(env), "cwd": cwd}).encode()
        with tempfile.TemporaryFile() as output, open(os.devnull, "rb") as null, \
                socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(self.socket)
            socket.send_fds(conn, [_HEADER.pack(len(payload))], [null.fileno(), output.fileno(), output.fileno()])
            conn.sendall(payload)
            conn.settimeout(timeout)
            pid = _HEADER.unpack(_receive(conn, _HEADER.size))[0]
            try:
                code = _HEADER.unpack(_receive(conn, _HEADER.size))[0]
            except TimeoutError:
                _end(pid)
                raise subprocess.TimeoutExpired(argv, timeout) from None
            except ConnectionError:
                code = 1
                output.write(b"\nplaybook runner: the run ended without an exit code\n")
            output.seek(0)
            text = output.read().decode(errors="replace")
        return code, text

    def stop(self) -> None:
        import shutil

        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"] and len(sys.argv) == 3:
        serve(sys.argv[2])
        sys.exit(0)
    sys.exit("usage: python -m tests.harness.playbook_runner serve SOCKET")
