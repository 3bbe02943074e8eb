"""Test equipment: run Ansible's module processes as forks of one warm Python process.

Every task of a playbook runs its module as a new Python process, which spends about a second of
CPU importing ``ansible.module_utils`` and boto3 and building botocore's client before its first
request to the emulator. The suite runs thousands of such tasks. This runner keeps one process
(the *server*) with those libraries already imported and botocore's service models already
loaded; each module process is a fork of it, and the interpreter Ansible starts for a task is
a small *client* that hands its arguments, environment, working directory and standard streams
to the server, waits for the fork to finish and exits with its exit code.

The module code that runs is the one Ansible sent, unchanged (its AnsiballZ file, run as a script),
so the playbooks behave as with a plain interpreter, only faster. Nothing of this collection is
imported ahead: only ansible-core, botocore and boto3, whose code the fork would import the same.

The harness turns it on (tests/harness/ansible.py): it starts one server per test process, sets
``PRECEDENTUM_MODULE_RUNNER`` to its socket and passes ``ansible_python_interpreter`` pointing at
the client. Without the variable, or when the server does not answer, the client execs the real
interpreter, so a playbook always runs. ``PRECEDENTUM_MODULE_RUNNER=off`` in the test process's
environment turns it off.

    python -m tests.harness.module_runner serve SOCKET     # the server (the harness starts it)
    python -I -S tests/harness/module_runner.py SCRIPT...   # the client (Ansible starts it)
"""

import os
import socket
import struct
import sys

SOCKET_VAR = "PRECEDENTUM_MODULE_RUNNER"
_HEADER = struct.Struct("!I")


def _client(argv):
    """Run ``argv`` (an AnsiballZ script and its arguments) in a fork of the server."""
    path = os.environ.get(SOCKET_VAR, "")
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        if not argv or not path.startswith("/"):
            raise OSError("no runner")
        conn.connect(path)
    except OSError:
        conn.close()
        os.execv(sys.executable, [sys.executable, *argv])
    import json

    payload = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd(),
                          "umask": os.umask(0o022)}).encode()
    socket.send_fds(conn, [_HEADER.pack(len(payload))], [0, 1, 2])
    conn.sendall(payload)
    answer = b""
    while len(answer) < _HEADER.size:
        chunk = conn.recv(_HEADER.size - len(answer))
        if not chunk:
            os.write(2, b"module runner: the forked module process ended without an exit code\n")
            return 1
        answer += chunk
    return _HEADER.unpack(answer)[0]


def _preload():
    """Import what every AWS module imports, and keep botocore's loaded models for the forks."""
    import ansible.module_utils._internal._ansiballz._loader  # noqa: F401
    import ansible.module_utils.basic  # noqa: F401
    import ansible.module_utils.common.json  # noqa: F401
    import boto3
    import botocore.loaders
    import botocore.session

    # One loader for every session: a fork's clients find their models already parsed (botocore
    # itself shares one loader's models between the clients of a session).
    shared = botocore.loaders.create_loader()
    original = botocore.loaders.create_loader

    def create_loader(search_path_string=None):
        return shared if not search_path_string else original(search_path_string)

    botocore.loaders.create_loader = create_loader
    botocore.session.create_loader = create_loader
    session = boto3.session.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")
    for service in ("ec2", "rds", "ecs", "ecr", "elbv2", "secretsmanager", "logs", "iam", "sts", "cloudwatch",
                    "sns", "budgets", "acm", "route53", "ses", "lightsail", "servicediscovery",
                    "application-autoscaling", "pricing", "ce"):
        try:
            session.client(service, endpoint_url="http://127.0.0.1:9")
        except Exception:  # noqa: BLE001 - a service this botocore lacks is simply not preloaded
            pass


def _child(conn):
    """In the fork: take the client's streams and environment, run its script, report the exit code."""
    import runpy
    import signal
    import traceback

    header, fds, _flags, _addr = socket.recv_fds(conn, _HEADER.size, 3)
    size = _HEADER.unpack(header)[0]
    payload = b""
    while len(payload) < size:
        chunk = conn.recv(size - len(payload))
        if not chunk:
            os._exit(1)
        payload += chunk
    import json

    request = json.loads(payload)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.umask(request["umask"])
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = list(request["argv"])
    # A client killed (a test interrupting ansible-playbook) takes its module process with it, as
    # it would without the runner: the socket closes, and this fork ends itself.
    import threading

    def _orphaned():
        try:
            gone = conn.recv(1) == b""
        except OSError:
            gone = True
        if gone:
            os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=_orphaned, daemon=True).start()
    code = 0
    try:
        runpy.run_path(sys.argv[0], run_name="__main__")
    except SystemExit as exc:
        if exc.code is None:
            code = 0
        elif isinstance(exc.code, int):
            code = exc.code
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    except BaseException:  # noqa: BLE001 - reported like an interpreter would
        traceback.print_exc()
        code = 1
    try:
        import atexit

        atexit._run_exitfuncs()  # noqa: SLF001 - what the interpreter would run at exit
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        try:
            conn.sendall(_HEADER.pack(code & 0xFF))
        finally:
            os._exit(0)


def serve(path):
    """Accept clients on the socket ``path`` until the process that started this one is gone."""
    import signal

    parent = os.getppid()
    _preload()
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forks are reaped by the kernel
    import gc

    gc.collect()
    gc.freeze()  # the forks' collector leaves the preloaded objects (and their pages) alone
    sys.stdout.flush()
    sys.stderr.flush()
    server.settimeout(2)
    while os.getppid() == parent:
        try:
            conn, _unused = server.accept()
        except TimeoutError:
            continue
        conn.settimeout(None)
        pid = os.fork()
        if pid == 0:
            server.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            _child(conn)
        conn.close()
    server.close()
    os.unlink(path)


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"] and len(sys.argv) == 3:
        serve(sys.argv[2])
    else:
        sys.exit(_client(sys.argv[1:]))


class Runner:
    """The server, started by a test process for the playbooks it runs; stopped with it."""

    def __init__(self, env: dict):
        import atexit
        import subprocess
        import tempfile

        self.directory = tempfile.mkdtemp(prefix="module-runner-")
        self.socket = os.path.join(self.directory, "socket")
        # The interpreter Ansible starts for each task: this file's client, without site packages.
        self.interpreter = os.path.join(self.directory, "python")
        here = os.path.dirname(os.path.abspath(__file__))
        with open(self.interpreter, "w") as handle:
            handle.write(f"#!{sys.executable} -IS\nimport sys\nsys.path.insert(0, {here!r})\n"
                         "import module_runner\nsys.exit(module_runner._client(sys.argv[1:]))\n")
        os.chmod(self.interpreter, 0o700)
        repo = os.path.dirname(os.path.dirname(here))
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.harness.module_runner", "serve", self.socket],
                                     cwd=repo, env=env, stdin=subprocess.DEVNULL)
        atexit.register(self.stop)
        import time

        deadline = time.monotonic() + 30
        while not os.path.exists(self.socket) and self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        import shutil

        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        shutil.rmtree(self.directory, ignore_errors=True)
