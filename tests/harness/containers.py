"""An emulated account whose ECS and ECR are real (test equipment): ``ContainerWorld`` brings a Docker engine,
the local base images, a registry on loopback standing in for ECR's, a Docker network of its own, a
PostgreSQL of its own served on the network's gateway at RDS's port, and an emulator that runs tasks and
services as containers there (tests/harness/container_runner.py). The playbooks see only AWS_ENDPOINT_URL
and the Docker engine, as on a laptop against AWS.

    with ContainerWorld(tmp_path) as world:
        run_playbook(..., world.emulator.env(), extra_vars=world.app_vars)
"""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from .browser import Chromium
from .docker_engine import SOCKET, Engine, Network, Registry, Relay, base_images
from .emulator import REPO, Emulator
from .postgres import PostgresCluster
from .served_sites import Sites

SAMPLE_APP = REPO / "examples" / "precedentum"
# What the ALB health checks take here: the shortest AWS allows, so a rollout takes seconds, not minutes.
FAST_HEALTH_CHECKS = {"alb_health_check_interval": 5, "alb_health_check_timeout": 2, "alb_healthy_threshold": 2,
                      "alb_unhealthy_threshold": 2}


def app_checkout(destination: Path, source: Path = SAMPLE_APP) -> Path:
    """The sample app as a team's git checkout (its commit is the image tag)."""
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("node_modules", "dist", "__pycache__"))
    commit(destination, "The sample app")
    return destination


def commit(path: Path, message: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin"}
    if not (path / ".git").exists():
        subprocess.run(["git", "init", "-q", str(path)], check=True, env=env)
    subprocess.run(["git", "-C", str(path), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(path), "commit", "-q", "-m", message], check=True, env=env)
    return head(path)


def head(path: Path) -> str:
    """The checkout's commit as the ecr role tags images with it."""
    return subprocess.run(["git", "-C", str(path), "rev-parse", "--short=12", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()


class ContainerWorld:
    def __init__(self, tmp_path: Path, preferred_ports: dict[int, int] | None = None):
        self.tmp_path = tmp_path
        self.preferred_ports = preferred_ports
        self._stack: list = []
        self.emulator: Emulator | None = None
        self.build_args: dict = {}

    def __enter__(self) -> ContainerWorld:
        try:
            why = Engine.unavailable()
            if why:
                raise RuntimeError(f"the container tests need a Docker engine: {why}")
            self.build_args = base_images()
            self.registry = self._enter(Registry())
            self.network = self._enter(Network())
            self.postgres = PostgresCluster().start()
            self._stack.append(self.postgres)
            # RDS's port on the network's gateway: the database secret's host resolves there in every task.
            self.relay = self._enter(Relay(self.network.gateway, self.postgres.port, port=5432))
            # S3 on the gateway too (the emulator's port, known once it runs): a task with a task role reaches its
            # bucket there, with the credentials ECS would hand it (tests/harness/container_runner.py).
            self.s3_relay = self._enter(Relay(self.network.gateway, 0))
            self.emulator = Emulator(log_path=str(self.tmp_path / "moto.log"), extra_env={
                "PRECEDENTUM_EMULATOR_NETWORK": self.network.name,
                "PRECEDENTUM_EMULATOR_DB_GATEWAY": self.network.gateway,
                "PRECEDENTUM_EMULATOR_REGISTRY": self.registry.address,
                "PRECEDENTUM_EMULATOR_POSTGRES_PORT": str(self.postgres.port),
                "PRECEDENTUM_EMULATOR_S3_ENDPOINT": f"http://{self.network.gateway}:{self.s3_relay.port}",
                "MOTO_ECS_SERVICE_RUNNING": "0",  # nothing runs until its container does
                "PRECEDENTUM_EMULATOR_ECR_SEED_TAG": "",  # no image but what was pushed
            })
            self.emulator.docker_host = f"unix://{SOCKET}"
            self._enter(self.emulator)
            self.s3_relay.target_port = self.emulator.port
            # What a tester's browser reaches: the load balancers and Lightsail endpoints the playbooks make.
            self.sites = self._enter(Sites(self.emulator, self.tmp_path, self.preferred_ports))
            return self
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def _enter(self, thing):
        entered = thing.__enter__()
        self._stack.append(thing)
        return entered

    def chromium(self) -> Chromium:
        """A headless Chromium behind the served sites; its screenshots go to <tmp_path>/screenshots."""
        return Chromium(self.sites, self.tmp_path / "screenshots")

    @property
    def app_vars(self) -> dict:
        return {"ecr_build_args": self.build_args, **FAST_HEALTH_CHECKS}

    def __exit__(self, *exc) -> None:
        # The emulator first (it stops starting tasks), then the containers with the network, then the rest.
        while self._stack:
            thing = self._stack.pop()
            try:
                if isinstance(thing, PostgresCluster):
                    thing.stop()
                else:
                    thing.__exit__(None, None, None)
            except Exception:  # noqa: BLE001 - tear down the rest all the same
                pass


class Browser:
    """A visitor's requests to a container at ``base`` (http://address:port), with the Host and protocol the
    load balancer (or Lightsail's endpoint) passes on, cookies kept, redirects not followed."""

    def __init__(self, base: str, host: str, proto: str = "https"):
        self.base, self.host, self.proto = base.rstrip("/"), host, proto
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def request(self, path: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str, dict]:
        request = urllib.request.Request(f"{self.base}{path}", data=data, headers={
            "Host": self.host, "X-Forwarded-Proto": self.proto, "X-Forwarded-For": "203.0.113.7", **(headers or {})})
        try:
            with self.opener.open(request, timeout=20) as answer:
                return answer.status, answer.read().decode(), dict(answer.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), dict(error.headers)

    def login(self, username: str, password: str, next_path: str = "/") -> tuple[int, str, dict]:
        """Django's own login form: GET it, POST it back with its CSRF token, as a browser would."""
        status, body, _unused = self.request("/accounts/login/")
        assert status == 200, (status, body[:500])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password,
                                       "next": next_path}).encode()
        origin = f"{self.proto}://{self.host}"
        return self.request("/accounts/login/", data=form, headers={
            "Origin": origin, "Referer": f"{origin}/accounts/login/",
            "Content-Type": "application/x-www-form-urlencoded"})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
