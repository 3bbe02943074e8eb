"""Start and stop a local AWS emulator (moto_server) on a free loopback port.

Test equipment only: the playbooks never know about it. Whatever runs with the environment
from ``Emulator.env()`` talks to the emulator, because botocore (and so amazon.aws, community.aws
and our modules) honours ``AWS_ENDPOINT_URL``. Unset it and the same playbooks talk to AWS.

From Python::

    with Emulator() as emu:
        subprocess.run([...], env=emu.env())

From the shell::

    python -m tests.harness.emulator run -- ansible-playbook playbooks/week1.yml
    python -m tests.harness.emulator start --state .cache/emulator.json   # prints export lines
    python -m tests.harness.emulator stop --state .cache/emulator.json    # stops only that process
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
REGION = "us-east-1"
REPO = Path(__file__).resolve().parents[2]
# Dummy credentials. Not "testing": Ansible masks no_log values in its output, and a secret equal
# to a word used in names (the environment is called testing) would mask it everywhere.
DUMMY_KEY = "EMULATORACCESSKEY"
DUMMY_SECRET = "emulator-dummy-secret-key"

# The Docker engine the playbooks see unless a test gives one: a socket nobody serves.
NO_DOCKER_ENGINE = "unix:///nonexistent/precedentum-no-docker-engine.sock"

# With this variable at "1", emulators are forks of one warm process per test process (tests/conftest.py
# sets it); otherwise each is a new moto_server process, as for the demo and the command line.
ZYGOTE_VAR = "PRECEDENTUM_EMULATOR_ZYGOTE"

# What moto needs to behave like the parts of AWS we use (see docs/testing.md).
SERVER_ENV = {
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    "MOTO_ACM_VALIDATION_WAIT": "2",
    # Services report one running task, so a service of desired count 1 becomes stable.
    "MOTO_ECS_SERVICE_RUNNING": "1",
    # A new ECR repository holds an image tagged "latest" at once, as after phase 1.3's push (no Docker engine
    # here to push one); an emulator that tests a fresh account's missing images sets it to "".
    "PRECEDENTUM_EMULATOR_ECR_SEED_TAG": "latest",
    # A one-off task whose command holds this argument fails (moto_server.py; for tests of failures).
    "PRECEDENTUM_EMULATOR_FAILING_ARG": "fail-for-test",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def moto_server_command() -> list[str]:
    """moto's server, with the patches of tests/harness/moto_server.py, in this interpreter."""
    return [sys.executable, "-m", "tests.harness.moto_server"]


def client_env(endpoint: str, base: dict | None = None) -> dict:
    """An environment in which every AWS client talks to ``endpoint`` with dummy credentials."""
    env = dict(os.environ if base is None else base)
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_URL", "EC2_URL"):
        env.pop(var, None)
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": DUMMY_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            # Never read a real account's credentials or config by accident.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )
    return env


_SESSION = None
_SESSION_LOCK = threading.Lock()


def _session():
    """The boto3 session every emulator's clients come from, one per process: a session of its own per client would
    read botocore's endpoint and service data again each time (0.19 CPU-seconds a client, 0.02 from this one)."""
    global _SESSION
    if _SESSION is None:
        import boto3

        _SESSION = boto3.session.Session(aws_access_key_id=DUMMY_KEY, aws_secret_access_key=DUMMY_SECRET,
                                         region_name=REGION)
    return _SESSION


class Emulator:
    """One moto_server process on loopback, owned by this object."""

    def __init__(self, port: int | None = None, extra_env: dict | None = None, log_path: str | None = None,
                 record: bool = False, lightsail: bool = True):
        self.port = port or free_port()
        self._own_ports, self._started = port is None, False
        self.extra_env = dict(extra_env or {})
        self.recording_path = None
        if record:
            fd, self.recording_path = tempfile.mkstemp(prefix="moto-recording-", suffix=".jsonl")
            os.close(fd)
            self.extra_env.update({"MOTO_ENABLE_RECORDING": "true", "MOTO_RECORDER_FILEPATH": self.recording_path})
        # The mail SES "sends" (moto_server.py writes one JSON line a message; emu.sent_mail()).
        fd, self.outbox_path = tempfile.mkstemp(prefix="moto-outbox-", suffix=".jsonl")
        os.close(fd)
        self.extra_env["PRECEDENTUM_EMULATOR_OUTBOX"] = self.outbox_path
        # Lightsail, which moto lacks: tests/emulator/lightsail.py, served by the same process (on unless
        # lightsail=False, which leaves Lightsail calls to moto, where they fail as on an account without it).
        self.lightsail_port = free_port() if lightsail else None
        if lightsail:
            self.extra_env["PRECEDENTUM_LIGHTSAIL_PORT"] = str(self.lightsail_port)
        # Public DNS (tests/harness/fake_dns.py, served by the same process): what phase 3.1's delegation check
        # asks. Its zones file starts empty - every name NXDOMAIN - until delegate() or dns() fills it.
        fd, self.dns_path = tempfile.mkstemp(prefix="fake-dns-", suffix=".json")
        with os.fdopen(fd, "w") as handle:
            handle.write("{}")
        self.dns_port = free_udp_port()
        self.extra_env.update({"PRECEDENTUM_EMULATOR_DNS_PORT": str(self.dns_port),
                               "PRECEDENTUM_EMULATOR_DNS_FILE": self.dns_path})
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.docker_host = NO_DOCKER_ENGINE

    @property
    def endpoint(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def lightsail_endpoint(self) -> str:
        return f"http://{HOST}:{self.lightsail_port}"

    def env(self, base: dict | None = None) -> dict:
        env = client_env(self.endpoint, base)
        if self.lightsail_port:
            # botocore's service-specific endpoint variable: Lightsail calls go to the Lightsail emulator.
            env["AWS_ENDPOINT_URL_LIGHTSAIL"] = self.lightsail_endpoint
        # The module dns_delegation_info asks this resolver instead of the machine's: no query leaves it.
        env["PRECEDENTUM_DNS_RESOLVERS"] = f"{HOST}:{self.dns_port}"
        env["PRECEDENTUM_EMULATOR_DNS_FILE"] = self.dns_path
        # No Docker engine unless the test gives one: the playbooks build and push with whatever engine answers,
        # and a machine that runs Docker must not change what a test without one sees.
        env["DOCKER_HOST"] = self.docker_host
        return env

    def start(self, timeout: float = 30.0, detach: bool = False) -> Emulator:
        # A free port can be taken by another process between free_port() and the server's bind (the
        # test workers start emulators all the time): a first start whose server ends before answering
        # tries again on new ports. A restart keeps its ports (the clients know them).
        attempts = 1 if self._started or not self._own_ports else 3
        for attempt in range(attempts):
            if attempt:
                self._new_ports()
            if self._start_once(timeout, detach):
                self._started = True
                return self
        raise RuntimeError(f"moto_server exited with code {self.proc.returncode} before answering "
                           f"(log: {self.log_path or 'none'})")

    def _new_ports(self) -> None:
        self.port = free_port()
        if self.lightsail_port:
            self.lightsail_port = free_port()
            self.extra_env["PRECEDENTUM_LIGHTSAIL_PORT"] = str(self.lightsail_port)
        self.dns_port = free_udp_port()
        self.extra_env["PRECEDENTUM_EMULATOR_DNS_PORT"] = str(self.dns_port)

    def _start_once(self, timeout: float, detach: bool) -> bool:
        """True once the server answers; False when it ended first."""
        server_env = dict(os.environ)
        server_env.update(SERVER_ENV)
        server_env.update(self.extra_env)
        if not detach and os.environ.get(ZYGOTE_VAR) == "1":
            self.proc = _zygote().fork(["-H", HOST, "-p", str(self.port)], server_env, self.log_path)
        else:
            self.proc = self._popen(server_env, detach)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if self.answers():
                return True
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"moto_server did not answer on {self.endpoint} within {timeout:.0f}s")

    def _popen(self, server_env: dict, detach: bool) -> subprocess.Popen:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        proc = subprocess.Popen(
            [*moto_server_command(), "-H", HOST, "-p", str(self.port)],
            cwd=REPO,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=detach,
        )
        if log is not subprocess.DEVNULL:
            log.close()
        return proc

    def answers(self) -> bool:
        lightsail = urllib.request.Request(self.lightsail_endpoint, data=b"{}", method="POST", headers={
            "X-Amz-Target": "Lightsail_20161128.GetContainerServices"})
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=2) as resp:
                if resp.status != 200:
                    return False
            if not self.lightsail_port:
                return True
            with urllib.request.urlopen(lightsail, timeout=2) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def api(self, path: str, method: str = "POST", data: bytes = b"") -> bytes:
        """Call moto's own control API, e.g. api('/moto-api/reset')."""
        req = urllib.request.Request(f"{self.endpoint}{path}", data=data if method == "POST" else None, method=method)
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.read()

    def reset(self) -> None:
        self.api("/moto-api/reset")

    def client(self, service: str):
        """A new boto3 client for this emulator, independent of the process environment."""
        endpoint = self.lightsail_endpoint if service == "lightsail" and self.lightsail_port else self.endpoint
        with _SESSION_LOCK:  # a session makes one client at a time; the clients are each their own
            return _session().client(service, endpoint_url=endpoint)

    # moto's request recorder: every AWS request the server receives (needs record=True).
    def start_recording(self) -> None:
        self.api("/moto-api/recorder/reset-recording")
        self.api("/moto-api/recorder/start-recording")

    def recorded_requests(self) -> list[dict]:
        raw = self.api("/moto-api/recorder/download-recording", method="GET").decode()
        return [json.loads(line) for line in raw.splitlines() if line.strip()]

    def sent_mail(self) -> list[dict]:
        """The e-mails SES accepted: source, destinations, subject, body."""
        with open(self.outbox_path) as handle:
            return [json.loads(line) for line in handle if line.strip()]

    def dns(self, zone: str, answer: dict | None) -> None:
        """Set what public DNS answers for ``zone``: {"ns": [...]}, {"silent": True}, {"rcode": 2}, or None
        for NXDOMAIN (tests/harness/fake_dns.py)."""
        set_public_dns(self.dns_path, zone, answer)

    def delegate(self, zone: str) -> list[str]:
        """Delegate ``zone`` to its Route 53 zone, as the team does at the registrar; the name servers."""
        return delegate(self.client("route53"), self.dns_path, zone)

    def restart(self) -> Emulator:
        """A new server process on the same port: an empty account, as if never used (moto's reset
        keeps the services it has started, and makes their defaults, such as the default VPC, anew).
        A recorder, if on, starts again empty."""
        self._stop_process()
        return self.start()

    def stop(self) -> None:
        self._stop_process()
        for path in (self.recording_path, self.outbox_path, self.dns_path):
            if path and os.path.exists(path):
                os.unlink(path)

    def _stop_process(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def set_public_dns(path: str, zone: str, answer: dict | None) -> None:
    with open(path, encoding="utf-8") as handle:
        zones = json.load(handle)
    zones.pop(zone.rstrip("."), None)
    if answer is not None:
        zones[zone.rstrip(".")] = answer
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(zones, handle)
    os.replace(tmp, path)


def delegate(route53, path: str, zone: str) -> list[str]:
    """Public DNS answers ``zone`` with its Route 53 zone's name servers (fake_dns.py's zones file)."""
    name = zone.rstrip(".") + "."
    found = [z for z in route53.list_hosted_zones_by_name(DNSName=name)["HostedZones"] if z["Name"] == name]
    if not found:
        raise LookupError(f"no hosted zone {name} to delegate to")
    servers = route53.get_hosted_zone(Id=found[0]["Id"])["DelegationSet"]["NameServers"]
    set_public_dns(path, zone, {"ns": servers})
    return servers


class _Forked:
    """The handle of an emulator forked by the zygote, shaped like subprocess.Popen's (the process is
    the zygote's child, not ours: it is watched by pid; the zygote has the kernel reap it)."""

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode = None

    def poll(self):
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -1  # gone; its exit code went to the zygote
        return self.returncode

    def _signal(self, sig) -> None:
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def wait(self, timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"emulator {self.pid}", timeout)
            time.sleep(0.01)
        return self.returncode


class _Zygote:
    """One warm process per test process (tests/harness/moto_server.py's zygote) that forks emulators:
    0.2 s to start one instead of 2.4 s. It ends with the process that started it."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="emulator-zygote-")
        self.socket = os.path.join(self.directory, "socket")
        self.proc = subprocess.Popen([*moto_server_command(), "zygote", self.socket], cwd=REPO,
                                     env={**os.environ, **SERVER_ENV}, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not os.path.exists(self.socket):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the emulator zygote did not start")
            time.sleep(0.05)

    def fork(self, argv: list, env: dict, log: str | None) -> _Forked:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(30)
            conn.connect(self.socket)
            conn.sendall(json.dumps({"argv": argv, "env": env, "log": log}).encode())
            conn.shutdown(socket.SHUT_WR)
            answer = b""
            while chunk := conn.recv(4096):
                answer += chunk
        return _Forked(json.loads(answer)["pid"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


_ZYGOTE: _Zygote | None = None


def _zygote() -> _Zygote:
    global _ZYGOTE
    if _ZYGOTE is None or _ZYGOTE.proc.poll() is not None:
        import atexit

        _ZYGOTE = _Zygote()
        atexit.register(_ZYGOTE.stop)
    return _ZYGOTE


def _is_our_moto(pid: int, port: int) -> bool:
    """True when pid is a moto_server on the port we started (not some reused pid)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(b"moto_server" in part for part in cmdline) and str(port).encode() in cmdline


def _exports(env: dict) -> str:
    keys = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION",
            "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
    keys += tuple(k for k in ("AWS_ENDPOINT_URL_LIGHTSAIL", "PRECEDENTUM_DNS_RESOLVERS",
                              "PRECEDENTUM_EMULATOR_DNS_FILE") if k in env)
    return "\n".join(f"export {k}={env[k]}" for k in keys) + "\nunset AWS_PROFILE AWS_SESSION_TOKEN AWS_URL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.harness.emulator", description=__doc__.partition("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="start the emulator, run a command against it, stop it")
    run.add_argument("--postgres", action="store_true",
                     help="also start a throwaway PostgreSQL; its port in PRECEDENTUM_DEMO_PGPORT")
    run.add_argument("command", nargs=argparse.REMAINDER)
    start = sub.add_parser("start", help="start in the background; print export lines")
    start.add_argument("--state", required=True, help="JSON file that records the process")
    start.add_argument("--log", default=None)
    stop = sub.add_parser("stop", help="stop the process recorded in --state (and only that one)")
    stop.add_argument("--state", required=True)
    delegation = sub.add_parser("delegate", help="public DNS answers a zone with its Route 53 name servers, as "
                                "after the registrar's change (the emulator of AWS_ENDPOINT_URL)")
    delegation.add_argument("zone")
    args = parser.parse_args(argv)

    if args.cmd == "delegate":
        import boto3

        route53 = boto3.client("route53", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=REGION)
        servers = delegate(route53, os.environ["PRECEDENTUM_EMULATOR_DNS_FILE"], args.zone)
        print(f"{args.zone} delegated to {', '.join(servers)}")
        return 0

    if args.cmd == "run":
        command = args.command[1:] if args.command[:1] == ["--"] else args.command
        if not command:
            parser.error("run needs a command after --")
        with Emulator() as emu:
            print(f"AWS emulator (moto) on {emu.endpoint}, Lightsail on {emu.lightsail_endpoint}", file=sys.stderr,
                  flush=True)
            env = emu.env()
            if not args.postgres:
                return subprocess.call(command, env=env)
            from tests.harness.postgres import PostgresCluster

            postgres = PostgresCluster().start()
            print(f"PostgreSQL on 127.0.0.1:{postgres.port}", file=sys.stderr, flush=True)
            try:
                return subprocess.call(command, env={**env, "PRECEDENTUM_DEMO_PGPORT": str(postgres.port)})
            finally:
                postgres.stop()

    state = Path(args.state)
    if args.cmd == "start":
        emu = Emulator(log_path=args.log).start(detach=True)
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps({"pid": emu.proc.pid, "port": emu.port, "endpoint": emu.endpoint,
                                     "dns_file": emu.dns_path}))
        print(_exports(emu.env()))
        return 0

    # stop
    if not state.exists():
        print(f"no emulator recorded in {state}: nothing to stop", file=sys.stderr)
        return 0
    info = json.loads(state.read_text())
    if _is_our_moto(info["pid"], info["port"]):
        os.kill(info["pid"], signal.SIGTERM)
        print(f"stopped the emulator (pid {info['pid']}, {info['endpoint']})", file=sys.stderr)
    else:
        print(f"pid {info['pid']} is no longer our emulator: left alone", file=sys.stderr)
    if info.get("dns_file") and os.path.exists(info["dns_file"]):
        os.unlink(info["dns_file"])
    state.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
