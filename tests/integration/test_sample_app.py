"""The sample app (examples/precedentum) built into real images and run in real containers, as the ecs role
runs it: its Dockerfiles on the local base images, the backend on the test PostgreSQL (reached through the
test network's gateway) with the environment the role gives it, the one-off commands of phase 2.3, and the
requests the load balancer sends: its health check with the task's own address as Host, a login over HTTPS
through the load balancer's name and through the team's domain. Each promise of docs/app-contract.md is
tried with and without what the role now gives (the failure path: Django refuses the Host, or the login)."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest
import yaml

from tests.harness.ansible import REPO
from tests.harness.containers import Browser
from tests.harness.docker_engine import Engine, Network, Relay, base_images, build, docker

pytestmark = pytest.mark.slow
APP = REPO / "examples" / "precedentum"
LB_NAME = "precedentum-testing-alb-123456789.us-east-1.elb.amazonaws.com"
DOMAIN = "app.precedentum.example"
ROLE_ENV = {  # what roles/ecs gives the backend by default, with week 3's domain (prerequisites.yml)
    "DJANGO_ALLOWED_HOSTS": f"{LB_NAME},{DOMAIN}",
    "DJANGO_CSRF_TRUSTED_ORIGINS": f"https://{DOMAIN}",
    "DJANGO_SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}


def ecs_default(name):
    return yaml.safe_load((REPO / "roles/ecs/defaults/main.yml").read_text())[name]


@pytest.fixture(scope="module")
def images():
    why = Engine.unavailable()
    if why:
        pytest.fail(f"the container tests need a Docker engine: {why}")
    args = base_images()
    tag = uuid.uuid4().hex[:8]
    names = {"backend": f"precedentum-sample/backend:{tag}", "frontend": f"precedentum-sample/frontend:{tag}"}
    for part, name in names.items():
        build(APP / part, name, args)
    yield names
    docker("rmi", *names.values(), check=False)


@pytest.fixture
def database(postgres):
    name = f"sample_{uuid.uuid4().hex[:8]}"
    postgres.psql(f"CREATE ROLE {name} LOGIN PASSWORD 'sample-db-password'; CREATE DATABASE {name} OWNER {name};")
    yield name
    postgres.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE); DROP ROLE IF EXISTS {name};")


@pytest.fixture
def site(images, database, postgres):
    """Run(env) -> a started backend container on a network of the test's own, the database through its gateway."""
    with Network() as network, Relay(network.gateway, postgres.port) as relay:
        base_env = {"DATABASE_HOST": network.gateway, "DATABASE_PORT": str(relay.port), "DATABASE_NAME": database,
                    "DATABASE_USER": database, "DATABASE_PASSWORD": "sample-db-password",
                    "DJANGO_SECRET_KEY": "sample-secret-key-" + "x" * 40,
                    "DJANGO_SUPERUSER_USERNAME": "admin", "DJANGO_SUPERUSER_EMAIL": "admin@example.com",
                    "DJANGO_SUPERUSER_PASSWORD": "a-superuser-password-0123"}

        def run_once(command, extra=None):
            return docker("run", "--rm", "--label", "precedentum.test=1", "--network", network.name,
                          *_env_args({**base_env, **(extra or {})}), images["backend"], *command, check=False)

        def serve(extra=None, image=images["backend"], name=None):
            cid = docker("run", "-d", "--label", "precedentum.test=1", "--network", network.name,
                         "-p", "127.0.0.1::8000", *_env_args({**base_env, **(extra or {})}), image).stdout.strip()
            return Container(cid)

        yield type("Site", (), {"run_once": staticmethod(run_once), "serve": staticmethod(serve),
                                "psql": lambda self, sql: postgres.psql(sql, database)})()


def _env_args(env):
    return [arg for name, value in env.items() for arg in ("-e", f"{name}={value}")]


class Container:
    def __init__(self, cid):
        self.id = cid
        info = json.loads(docker("inspect", cid).stdout)[0]
        self.port = int(info["NetworkSettings"]["Ports"]["8000/tcp"][0]["HostPort"])
        self.address = next(iter(info["NetworkSettings"]["Networks"].values()))["IPAddress"]
        self.wait()

    def wait(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, _unused, _unused = get(self.port, "/api/health/", host=f"{self.address}:8000")
                if status == 200:
                    return
            except OSError:
                pass
            state = json.loads(docker("inspect", self.id).stdout)[0]["State"]
            if not state["Running"]:
                logs = docker("logs", self.id).stderr[-2000:]
                raise AssertionError(f"the backend exited ({state['ExitCode']}): {logs}")
            time.sleep(0.5)
        raise AssertionError(f"the backend did not answer within {timeout} s: {docker('logs', self.id).stderr[-2000:]}")


def get(port, path, host, headers=None):
    """One request to 127.0.0.1:port with the Host (and headers) a load balancer would send; no redirects."""
    return Browser(f"http://127.0.0.1:{port}", host, proto="http").request(path, headers=headers)


def login(port, host, username, password, proto="https"):
    browser = Browser(f"http://127.0.0.1:{port}", host, proto)
    status, body, answer = browser.login(username, password, next_path="/accounts/judges/")
    return status, body, answer, browser


def test_one_off_commands_are_idempotent_and_seed_eight_judges(site):
    """Phase 2.3's commands, as the ecs role runs them (its own defaults), each twice."""
    for _unused in range(2):
        result = site.run_once(ecs_default("ecs_migrate_command"))
        assert result.returncode == 0, result.stderr[-2000:]
        result = site.run_once(ecs_default("ecs_superuser_command"))
        assert result.returncode == 0, result.stderr[-2000:]
        result = site.run_once(["python", "manage.py", "seed_ilnd_data"])
        assert result.returncode == 0, result.stderr[-2000:]
    assert "exists already" in site.run_once(ecs_default("ecs_superuser_command")).stdout
    assert site.psql("SELECT count(*) FROM judges_judge") == "8"
    assert site.psql("SELECT count(*) FROM auth_user WHERE username = 'admin' AND is_superuser") == "1"
    # A failed migration fails the task: a database that refuses the connection gives a non-zero exit.
    failed = site.run_once(ecs_default("ecs_migrate_command"), {"DATABASE_PASSWORD": "wrong", "DATABASE_PORT": "1"})
    assert failed.returncode != 0


def test_the_load_balancer_reaches_the_app_with_what_the_role_gives(site):
    for command in (ecs_default("ecs_migrate_command"), ecs_default("ecs_superuser_command"),
                    ["python", "manage.py", "seed_ilnd_data"]):
        assert site.run_once(command).returncode == 0
    backend = site.serve(ROLE_ENV)
    # The health check: the task's own address as Host, no database involved.
    assert get(backend.port, "/api/health/", host=f"{backend.address}:8000")[0] == 200
    # The load balancer's name over HTTP, and the domain over HTTPS: the login is accepted (302 to next).
    for host, proto in ((LB_NAME, "http"), (DOMAIN, "https")):
        status, body, answer, browser = login(backend.port, host, "admin", "a-superuser-password-0123", proto)
        assert status == 302, (host, status, body[:800])
        assert answer["Location"] == "/accounts/judges/"
        status, body, _unused = browser.request("/accounts/judges/")
        assert status == 200 and body.count('class="judge"') == 8, body[:800]
        status, body, _unused = browser.request("/api/judges/")
        assert status == 200 and json.loads(body)["count"] == 8
    # A wrong password is refused by the form (200 with the error), not by the Host or CSRF checks.
    status, body, _unused, _unused = login(backend.port, DOMAIN, "admin", "not-the-password", "https")
    assert status == 200 and "did not match" in body
    # Another Host is refused, as DEBUG off should.
    assert get(backend.port, "/accounts/login/", host="evil.example")[0] == 400
    # Static files from the image (WhiteNoise), as the load balancer routes /static/* to the backend.
    status, _unused, answer = get(backend.port, "/static/admin/css/base.css", host=LB_NAME)
    assert status == 200 and answer["Content-Type"].startswith("text/css")


def test_without_the_host_environment_django_refuses(site):
    """What the roles gave before: no allowed hosts, no trusted origin, no proxy header. The health check
    still passes (it is answered first), but the load balancer's name gets 400 and an HTTPS login on the
    domain with only the allowed hosts is refused by the CSRF check (403)."""
    backend = site.serve()
    assert get(backend.port, "/api/health/", host=f"{backend.address}:8000")[0] == 200
    assert get(backend.port, "/accounts/login/", host=LB_NAME)[0] == 400
    backend = site.serve({"DJANGO_ALLOWED_HOSTS": DOMAIN})
    assert site.run_once(ecs_default("ecs_migrate_command")).returncode == 0
    status, body, _unused, _unused = login(backend.port, DOMAIN, "nobody", "nothing", "https")
    assert status == 403 and "CSRF" in body


def test_frontend_serves_the_app_and_passes_the_backend_on_when_told(images, site):
    """The frontend image: index.html for any path (the app's routes); with PRECEDENTUM_BACKEND_URL (Lightsail:
    both containers on one node) the backend's paths go to the backend."""
    for command in (ecs_default("ecs_migrate_command"), ["python", "manage.py", "seed_ilnd_data"]):
        assert site.run_once(command).returncode == 0
    backend = site.serve({"DJANGO_ALLOWED_HOSTS": "localhost,frontend.example"})
    network = json.loads(docker("inspect", backend.id).stdout)[0]["HostConfig"]["NetworkMode"]
    cid = docker("run", "-d", "--label", "precedentum.test=1", "--network", network, "-p", "127.0.0.1::80",
                 "-e", f"PRECEDENTUM_BACKEND_URL=http://{backend.address}:8000", images["frontend"]).stdout.strip()
    port = int(json.loads(docker("inspect", cid).stdout)[0]["NetworkSettings"]["Ports"]["80/tcp"][0]["HostPort"])
    deadline = time.monotonic() + 30
    while True:
        try:
            status, body, _unused = get(port, "/", host="frontend.example")
            break
        except OSError:
            assert time.monotonic() < deadline, docker("logs", cid).stderr[-1000:]
            time.sleep(0.3)
    assert status == 200 and '<div id="root"></div>' in body
    script = re.search(r'src="(/assets/[^"]+\.js)"', body).group(1)
    status, bundle, _unused = get(port, script, host="frontend.example")
    assert status == 200 and "/api/judges/" in bundle
    assert get(port, "/judges/some-route", host="frontend.example")[1] == body
    status, body, _unused = get(port, "/api/judges/", host="frontend.example")
    assert status == 403 and json.loads(body)["login"] == "/accounts/login/"
    assert get(port, "/accounts/login/", host="frontend.example")[0] == 200
