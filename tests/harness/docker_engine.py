"""A real Docker engine, an image registry on loopback and the local base images (test equipment).

No image registry is reachable from the test machines, so:

- the engine is Debian's ``dockerd`` (scripts/ensure-docker installs it). ``Engine.acquire()`` uses the one
  that answers on /var/run/docker.sock, or starts one as root; an engine this harness started is stopped by
  ``Engine.release_all()`` when the run that started it ends (tests/conftest.py), one found running never,
  nor one another run started (a single test run beside the whole suite leaves the suite's engine alone);
- ``Registry`` is Debian's ``docker-registry`` on a free loopback port, without auth, its storage in a
  temporary folder: the stand-in for ECR's registry (the emulator's repositories live there);
- ``base_images()`` makes the images the sample app's Dockerfiles are built on, in place of the official
  Python, Node and nginx images: Debian's ``debootstrap --variant=minbase`` piped into ``docker import``, then
  Python with venv, the machine's own Node.js and npm, and nginx, from Debian's packages. The machine's CA
  bundle goes into each, so that pip, npm and apt inside a build reach the package mirrors as the machine
  does. Made once per engine (about two minutes), kept by it between runs;
- ``Network`` is a bridge network of this harness, and ``Relay`` serves a loopback port (the test PostgreSQL)
  on that network's gateway, so that containers reach it and nothing else of the machine.

Traffic goes only to loopback and to containers on networks made here.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from .emulator import HOST, free_port

SOCKET = "/var/run/docker.sock"
# Which run of the harness this process belongs to: the test run's main process sets it for its workers
# (tests/conftest.py); a script that starts and stops the engine itself (scripts/demo, scripts/preview) is its own.
RUN_VAR = "PRECEDENTUM_TEST_RUN"


def this_run() -> str:
    return os.environ.get(RUN_VAR) or f"pid-{os.getpid()}"


STATE_DIR = Path(os.environ.get("PRECEDENTUM_DOCKER_STATE", "/var/tmp/precedentum-docker"))
# The images the sample app is built on in the tests (its Dockerfiles default to the official ones).
BASE = {
    "debian": "precedentum-test/debian:bookworm",
    "python": "precedentum-test/python:3.11",
    "node": "precedentum-test/node:20",
    "nginx": "precedentum-test/nginx:1.22",
}
BUILD_ARGS = {"PYTHON_IMAGE": BASE["python"], "NODE_IMAGE": BASE["node"], "NGINX_IMAGE": BASE["nginx"]}
DEBIAN_MIRROR = "http://deb.debian.org/debian"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def docker(*args: str, check: bool = True, timeout: float = 900, input: str | None = None,
           env: dict | None = None) -> subprocess.CompletedProcess:
    """The docker CLI against the engine on /var/run/docker.sock."""
    full_env = dict(os.environ if env is None else env)
    full_env["DOCKER_HOST"] = f"unix://{SOCKET}"
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, input=input,
                            env=full_env, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args[:3])} failed ({result.returncode}): "
                           f"{(result.stderr or result.stdout).strip()[-2000:]}")
    return result


def answers(timeout: float = 2.0) -> bool:
    """Whether an engine answers _ping on the socket."""
    if not os.path.exists(SOCKET):
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(SOCKET)
            sock.sendall(b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n")
            return b"OK" in sock.recv(4096)
    except OSError:
        return False


@contextlib.contextmanager
def _locked(name: str):
    STATE_DIR.mkdir(parents=True, exist_ok=True)
    with open(STATE_DIR / f"{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class Engine:
    """The Docker engine of the tests. ``acquire()`` from any test process; the one that started it (its
    pid and the run that started it in STATE_DIR/engine.json) is stopped by that run's ``release_all()``."""

    STARTED = STATE_DIR / "engine.json"

    @classmethod
    def unavailable(cls) -> str:
        """Why no engine can be had here ('' when one can)."""
        if answers():
            return ""
        if not shutil.which("dockerd"):
            return "dockerd is not installed (make setup runs scripts/ensure-docker)"
        if os.geteuid() != 0:
            return "no Docker engine answers and starting one needs root"
        return ""

    @classmethod
    def acquire(cls, timeout: float = 60.0) -> None:
        with _locked("engine"):
            if answers():
                return
            why = cls.unavailable()
            if why:
                raise RuntimeError(why)
            log = open(STATE_DIR / "dockerd.log", "a")  # noqa: SIM115 - the daemon's output, kept open by it
            proc = subprocess.Popen(["dockerd", "--host", f"unix://{SOCKET}", "--storage-driver", "overlay2"],
                                    stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
            cls.STARTED.write_text(json.dumps({"pid": proc.pid, "run": this_run()}))
            deadline = time.monotonic() + timeout
            while not answers():
                if proc.poll() is not None:
                    raise RuntimeError(f"dockerd exited ({proc.returncode}): see {STATE_DIR / 'dockerd.log'}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"dockerd did not answer within {timeout:.0f} s")
                time.sleep(0.2)

    @classmethod
    def release_all(cls) -> None:
        """Stop the engine if this harness started it (never one that was found running)."""
        with _locked("engine"):
            try:
                started = json.loads(cls.STARTED.read_text())
                pid = started["pid"]
            except (OSError, ValueError, KeyError, TypeError):
                return
            if started.get("run") != this_run():
                return  # another run's engine: it stops it when it ends
            cls.STARTED.unlink(missing_ok=True)
            try:  # a pid left by a run that was killed may since belong to another process
                if b"dockerd" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                    return
            except OSError:
                return
            # Containers left by a failed test would keep containerd's shims: remove ours first.
            with contextlib.suppress(Exception):
                ids = docker("ps", "-aq", "--filter", "label=precedentum.test", check=False, timeout=30).stdout.split()
                if ids:
                    docker("rm", "-f", *ids, check=False, timeout=120)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with contextlib.suppress(ChildProcessError):  # the engine is this process's child: reap it
                    if os.waitpid(pid, os.WNOHANG)[0]:
                        return
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.2)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def image_exists(name: str) -> bool:
    return docker("image", "inspect", name, check=False, timeout=60).returncode == 0


def base_images(log=print) -> dict:
    """Make the local base images that are missing; returns the build arguments that select them."""
    Engine.acquire()
    with _locked("base-images"):
        if all(image_exists(name) for name in BASE.values()):
            return dict(BUILD_ARGS)
        started = time.monotonic()
        if not image_exists(BASE["debian"]):
            log(f"Making {BASE['debian']} with debootstrap (once per engine, about a minute)...")
            with tempfile.TemporaryDirectory(prefix="precedentum-rootfs-") as rootfs:
                subprocess.run(["debootstrap", "--variant=minbase", "bookworm", rootfs, DEBIAN_MIRROR],
                               check=True, capture_output=True, timeout=900)
                shutil.copy(CA_BUNDLE, Path(rootfs) / "usr/local/share/ca-bundle.crt")
                tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
                imported = subprocess.run(
                    ["docker", "-H", f"unix://{SOCKET}", "import",
                     "--change", "ENV PIP_CERT=/usr/local/share/ca-bundle.crt",
                     "--change", "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-bundle.crt",
                     "--change", "ENV SSL_CERT_FILE=/usr/local/share/ca-bundle.crt",
                     "--change", 'CMD ["bash"]', "-", BASE["debian"]],
                    stdin=tar.stdout, capture_output=True, text=True, timeout=600, check=False)
                tar.stdout.close()
                tar.wait()
                if imported.returncode != 0:
                    raise RuntimeError(f"docker import failed: {imported.stderr.strip()}")
        apt = ("printf 'Acquire::https::CAInfo \"/usr/local/share/ca-bundle.crt\";\\n' > /etc/apt/apt.conf.d/90ca"
               " && apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends")
        recipes = {
            "python": (f"FROM {BASE['debian']}\nRUN {apt} python3 python3-venv python-is-python3 ca-certificates"
                       " && rm -rf /var/lib/apt/lists/*\n", {}),
            "node": (f"FROM {BASE['debian']}\nCOPY node /usr/local/bin/node\nCOPY npm /usr/local/lib/node_modules/npm\n"
                     "RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm"
                     " && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx\n",
                     {"node": shutil.which("node"), "npm": "/usr/lib/node_modules/npm"}),
            "nginx": (f"FROM {BASE['debian']}\nRUN {apt} nginx-light && rm -rf /var/lib/apt/lists/*"
                      " && rm -f /etc/nginx/sites-enabled/default\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n", {}),
        }
        for kind, (dockerfile, files) in recipes.items():
            if image_exists(BASE[kind]):
                continue
            log(f"Making {BASE[kind]}...")
            with tempfile.TemporaryDirectory(prefix="precedentum-base-") as context:
                Path(context, "Dockerfile").write_text(dockerfile)
                for name, source in files.items():
                    if not source or not os.path.exists(source):
                        raise RuntimeError(f"{name} is needed for {BASE[kind]} and not found on this machine")
                    (shutil.copytree if os.path.isdir(source) else shutil.copy)(source, Path(context, name))
                docker("build", "--network", "host", "-t", BASE[kind], context, timeout=900)
        log(f"Base images made in {time.monotonic() - started:.0f} s.")
        return dict(BUILD_ARGS)


class Registry:
    """Debian's docker-registry on a free loopback port, no auth, storage in a folder of its own."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="precedentum-registry-"))
        self.proc: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def start(self, timeout: float = 20.0) -> Registry:
        config = self.dir / "config.yml"
        config.write_text(json.dumps({
            "version": 0.1, "log": {"level": "warn"},
            "storage": {"filesystem": {"rootdirectory": str(self.dir / "data")}, "delete": {"enabled": True}},
            "http": {"addr": self.address}}))
        self.proc = subprocess.Popen(["docker-registry", "serve", str(config)], stdout=open(self.dir / "log", "w"),
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"http://{self.address}/v2/", timeout=2).close()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    log = (self.dir / "log").read_text()[-1000:]
                    raise RuntimeError(f"the registry did not start: {log}") from None
                time.sleep(0.1)

    def tags(self, repository: str) -> list[str]:
        try:
            with urllib.request.urlopen(f"http://{self.address}/v2/{repository}/tags/list", timeout=10) as answer:
                return sorted(json.load(answer).get("tags") or [])
        except OSError:
            return []

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Registry:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Network:
    """A bridge network of the test's own; its gateway is the machine's side of it."""

    def __init__(self, name: str | None = None):
        self.name = name or f"precedentum-test-{os.getpid()}-{free_port()}"
        self.gateway = ""

    def __enter__(self) -> Network:
        docker("network", "create", "--label", "precedentum.test=1", self.name, timeout=60)
        info = json.loads(docker("network", "inspect", self.name, timeout=60).stdout)[0]
        self.gateway = info["IPAM"]["Config"][0]["Gateway"]
        return self

    def __exit__(self, *exc) -> None:
        # The ones sharing a namespace with a container on the network are not on it themselves: the emulators
        # label every container with its network, and those go first, then whatever else is on the network.
        for selector in (f"label=precedentum.network={self.name}", f"network={self.name}"):
            ids = docker("ps", "-aq", "--filter", selector, check=False, timeout=60).stdout.split()
            if ids:
                docker("rm", "-f", *reversed(ids), check=False, timeout=120)
        docker("network", "rm", self.name, check=False, timeout=60)


class Relay:
    """Serves 127.0.0.1:``target_port`` on ``address``:``port`` (a network's gateway): containers on that
    network reach the test PostgreSQL (and the emulator's S3) there, and nothing else of the machine."""

    def __init__(self, address: str, target_port: int, port: int | None = None):
        self.address, self.target_port = address, target_port
        self.server = socket.create_server((address, port or 0))
        self.port = self.server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> Relay:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.server.close()
        self._thread.join(5)

    def _serve(self) -> None:
        self.server.settimeout(0.5)
        while not self._stop.is_set():
            try:
                client, _unused = self.server.accept()
            except OSError:
                continue
            threading.Thread(target=self._pipe, args=(client,), daemon=True).start()

    def _pipe(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection((HOST, self.target_port), timeout=10)
        except OSError:
            client.close()
            return
        selector = selectors.DefaultSelector()
        for sock in (client, upstream):
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        peer = {client: upstream, upstream: client}
        try:
            while not self._stop.is_set():
                for key, _unused in selector.select(0.5):
                    try:
                        data = key.fileobj.recv(65536)
                    except BlockingIOError:
                        continue
                    if not data:
                        return
                    peer[key.fileobj].setblocking(True)
                    peer[key.fileobj].sendall(data)
                    peer[key.fileobj].setblocking(False)
        except OSError:
            return
        finally:
            selector.close()
            client.close()
            upstream.close()


def build(context: str | Path, tag: str, build_args: dict | None = None) -> None:
    """docker build of a context (the tests' own builds; the playbooks build through community.docker)."""
    args = [arg for name, value in (build_args or {}).items() for arg in ("--build-arg", f"{name}={value}")]
    docker("build", "--network", "host", "-t", tag, *args, str(context), timeout=900)
