"""The ultra-lean option on real containers: phase 1.3 builds and pushes the sample app, week 2 deploys the same
images to the Lightsail emulator's container service, which runs them in one network namespace (the frontend
passes the backend's paths to it on localhost) against the test PostgreSQL standing in for the Lightsail
database, and makes the deployment ACTIVE only once its public endpoint's health check passes. Verified
through the Lightsail API, SQL, HTTP and a real browser at the service's public endpoint as the harness serves
it (tests/harness/served_sites.py); a deployment whose backend exits fails the play while the one before keeps
serving."""

from __future__ import annotations

import json

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.containers import ContainerWorld, app_checkout, commit
from tests.harness.docker_engine import docker
from tests.harness.testers import JUDGE, cannot_log_in, first_visit
from tests.harness.walkthrough import team

pytestmark = pytest.mark.slow
PREFIX = "precedentum-lite"
TEAM = team()


@pytest.fixture
def world(tmp_path):
    with ContainerWorld(tmp_path) as world:
        yield world


def play(world, name, app, **extra):
    return run_playbook(str(REPO / "playbooks" / name), world.emulator.env(), inventory="inventories/ultra_lean",
                        timeout=1200, extra_vars={"precedentum_app_path": str(app), **world.app_vars, **extra})


def backend_container(service_name: str, version: int) -> str:
    """The backend container of a deployment (the emulator names them lightsail-<service>-<version>-<name>-...)."""
    ids = docker("ps", "-q", "--filter", f"label=precedentum.lightsail={service_name}:{version}").stdout.split()
    for cid in ids:
        name = json.loads(docker("inspect", cid).stdout)[0]["Name"]
        if name.startswith(f"/lightsail-{service_name}-{version}-backend-"):
            return cid
    raise AssertionError(f"no backend container of {service_name} deployment {version}")


def test_ultra_lean_runs_the_same_images_on_lightsail(world, tmp_path):
    app = app_checkout(tmp_path / "app")
    week1 = play(world, "week1.yml", app)
    assert week1.rc == 0, str(week1)
    week2 = play(world, "week2.yml", app)
    assert week2.rc == 0, str(week2)

    lightsail = world.emulator.client("lightsail")
    service = lightsail.get_container_services()["containerServices"][0]
    assert service["state"] == "RUNNING" and service["currentDeployment"]["state"] == "ACTIVE"
    url = service["url"].rstrip("/")
    sites = world.sites

    # The public endpoint, as served: HTTP redirected to HTTPS; the frontend serves the app and passes the
    # backend's paths to it on localhost.
    status, _unused, headers = sites.fetch(url.replace("https://", "http://") + "/judges")
    assert (status, headers.get("Location")) == (301, f"{url}/judges")
    status, body, _unused = sites.fetch(f"{url}/")
    assert status == 200 and '<div id="root"></div>' in body
    assert sites.fetch(f"{url}/api/health/")[0] == 200
    status, body, _unused = sites.fetch(f"{url}/api/judges/")
    assert status == 403 and json.loads(body)["login"] == "/accounts/login/"

    # The backend's start command migrated the Lightsail database and made the superuser: a real browser logs in
    # over HTTPS on the service's own name (what lightsail_host_environment allows and trusts).
    secret = json.loads(world.emulator.client("secretsmanager").get_secret_value(
        SecretId=f"{PREFIX}/django/app")["SecretString"])
    with world.chromium() as chromium:
        with chromium.step("ultra-lean: the superuser logs in at the Lightsail service's address"):
            chromium.login(url, secret["superuser_username"], secret["superuser_password"])
        with chromium.step("ultra-lean: the front page, no judges loaded yet"):
            assert chromium.judges() == []  # no seed data on this database yet
            assert chromium.driver.current_url == f"{url}/"
        # The seed's first data, as the app contract says a team loads it by hand on Lightsail (no one-off tasks).
        seeded = docker("exec", backend_container(PREFIX, 1), "python", "manage.py", "seed_ilnd_data")
        assert seeded.returncode == 0, seeded.stderr
        with chromium.step("ultra-lean: the front page lists the 8 judges"):
            chromium.open(f"{url}/")
            judges = chromium.judges()
            assert len(judges) == 8 and JUDGE in judges, judges

        # Weeks 3 and 4 with the demo's team (its alb_https_domain too, which the ultra-lean option does not
        # make: the messages must give the service's own address, not that domain), each tester from their
        # own message at the service's address.
        team = {**TEAM, "onboarding_message_dir": str(tmp_path / "messages"),
                "onboarding_db_host_override": "127.0.0.1", "onboarding_db_port_override": world.postgres.port,
                "cost_report_dir": str(tmp_path / "reports"), "cost_explorer": False}
        testers = [t["email"] for t in TEAM["onboarding_testers"]]
        week3 = play(world, "week3.yml", app, **team)
        assert week3.rc == 0, str(week3)
        own = {email: first_visit(chromium, tmp_path / "messages", email, 1, f"{url}/") for email in testers[:2]}
        with chromium.step("ultra-lean week 3: a tester of wave 2 cannot log in yet"):
            cannot_log_in(chromium, f"{url}/", testers[2], "anything-at-all-1")
        week4 = play(world, "week4.yml", app, **team)
        assert week4.rc == 0, str(week4)
        own.update({email: first_visit(chromium, tmp_path / "messages", email, 2, f"{url}/")
                    for email in testers[2:]})
    assert len(own) == 8

    database = lightsail.get_relational_databases()["relationalDatabases"][0]["masterDatabaseName"]
    assert world.postgres.psql("SELECT count(*) FROM auth_user WHERE is_superuser", database) == "1"
    assert world.postgres.psql("SELECT count(*) FROM judges_judge", database) == "8"
    assert world.postgres.psql("SELECT count(*) FROM auth_user WHERE last_login IS NOT NULL", database) == "9"

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
    assert sites.fetch(f"{url}/api/health/")[0] == 200

    # A tag that is not in ECR: stopped before any deployment, saying how to push.
    deployments = len(lightsail.get_container_service_deployments(serviceName=PREFIX)["deployments"])
    missing = play(world, "week2.yml", app, lightsail_image_tag="000000000000")
    assert missing.rc != 0, str(missing)
    assert f"{PREFIX}/backend:000000000000 and {PREFIX}/frontend:000000000000 not found in ECR" in missing.flat, \
        str(missing)
    assert "Nothing was deployed" in missing.flat
    assert len(lightsail.get_container_service_deployments(serviceName=PREFIX)["deployments"]) == deployments
