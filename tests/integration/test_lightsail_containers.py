"""The ultra-lean option on real containers: phase 1.3 builds and pushes the sample app, week 2 deploys the same
images to the Lightsail emulator's container service, which runs them in one network namespace (the frontend
passes the backend's paths to it on localhost) against the test PostgreSQL standing in for the Lightsail
database, and makes the deployment ACTIVE only once its public endpoint's health check passes. Verified
through the Lightsail API, SQL and HTTP to the frontend container; a deployment whose backend exits fails the
play while the one before keeps serving."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.containers import Browser, ContainerWorld, app_checkout, commit
from tests.harness.docker_engine import docker

pytestmark = pytest.mark.slow
PREFIX = "precedentum-lite"


@pytest.fixture
def world(tmp_path):
    with ContainerWorld(tmp_path) as world:
        yield world


def play(world, name, app, **extra):
    return run_playbook(str(REPO / "playbooks" / name), world.emulator.env(), inventory="inventories/ultra_lean",
                        timeout=1200, extra_vars={"precedentum_app_path": str(app), **world.app_vars, **extra})


def frontend_address(service_name: str) -> str:
    """The address of the running deployment's network namespace (its containers share it)."""
    ids = docker("ps", "-q", "--filter", "label=precedentum.lightsail").stdout.split()
    found = []
    for cid in ids:
        info = json.loads(docker("inspect", cid).stdout)[0]
        label = info["Config"]["Labels"]["precedentum.lightsail"]
        if label.startswith(f"{service_name}:"):
            networks = info["NetworkSettings"]["Networks"]
            if networks:
                found.append((int(label.rsplit(":", 1)[1]), next(iter(networks.values()))["IPAddress"]))
    assert found, f"no running container of {service_name}"
    return max(found)[1]


def test_ultra_lean_runs_the_same_images_on_lightsail(world, tmp_path):
    app = app_checkout(tmp_path / "app")
    week1 = play(world, "week1.yml", app)
    assert week1.rc == 0, str(week1)
    week2 = play(world, "week2.yml", app)
    assert week2.rc == 0, str(week2)

    lightsail = world.emulator.client("lightsail")
    service = lightsail.get_container_services()["containerServices"][0]
    assert service["state"] == "RUNNING" and service["currentDeployment"]["state"] == "ACTIVE"
    host = urllib.parse.urlparse(service["url"]).hostname
    browser = Browser(f"http://{frontend_address(service['containerServiceName'])}", host)

    # The frontend serves the app and passes the backend's paths to it on localhost.
    status, body, _ = browser.request("/")
    assert status == 200 and '<div id="root"></div>' in body
    assert browser.request("/api/health/")[0] == 200
    status, body, _ = browser.request("/api/judges/")
    assert status == 403 and json.loads(body)["login"] == "/accounts/login/"

    # The backend's start command migrated the Lightsail database and made the superuser: log in over HTTPS with
    # the service's own name (what lightsail_host_environment allows and trusts).
    secret = json.loads(world.emulator.client("secretsmanager").get_secret_value(
        SecretId=f"{PREFIX}/django/app")["SecretString"])
    status, body, answer = browser.login(secret["superuser_username"], secret["superuser_password"])
    assert status == 302 and answer["Location"] == "/", (status, body[:800])
    status, body, _ = browser.request("/api/judges/")
    assert status == 200 and json.loads(body)["count"] == 0  # no seed data on this database yet

    database = lightsail.get_relational_databases()["relationalDatabases"][0]["masterDatabaseName"]
    assert world.postgres.psql("SELECT count(*) FROM auth_user WHERE is_superuser", database) == "1"

    # A new commit whose backend exits at start: the deployment fails, the play says so, the one before serves on.
    wsgi = app / "backend/precedentum/wsgi.py"
    wsgi.write_text(wsgi.read_text() + '\nraise RuntimeError("broken on purpose")\n')
    tag = commit(app, "exits at start")
    assert play(world, "week1.yml", app).rc == 0
    broken = play(world, "week2.yml", app, lightsail_image_tag=tag)
    assert broken.rc != 0, str(broken)
    assert "FAILED" in broken.flat or "failed" in broken.flat, str(broken)
    service = lightsail.get_container_services()["containerServices"][0]
    assert service["currentDeployment"]["version"] == 1, service
    assert browser.request("/api/health/")[0] == 200

    # A tag that is not in ECR: stopped before any deployment, saying how to push.
    deployments = len(lightsail.get_container_service_deployments(serviceName=PREFIX)["deployments"])
    missing = play(world, "week2.yml", app, lightsail_image_tag="000000000000")
    assert missing.rc != 0, str(missing)
    assert f"{PREFIX}/backend:000000000000 and {PREFIX}/frontend:000000000000 not found in ECR" in missing.flat, \
        str(missing)
    assert "Nothing was deployed" in missing.flat
    assert len(lightsail.get_container_service_deployments(serviceName=PREFIX)["deployments"]) == deployments
