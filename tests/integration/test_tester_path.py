"""The path a tester takes, weeks 1-4 of the lean option on real containers (the combined layout: both containers
in one task, registered with both target groups) with HTTPS on the team's domain, in a real browser through the
load balancer as the harness serves it. The seed's success metrics are the checks: week 2 "you can log in and see
judges; the database has 8 judges loaded", week 3 "the first two testers testing successfully", week 4 "all 9
testers active" (the superuser and the eight testers of scripts/demo-vars.yml). Each tester starts from the
onboarding message the onboarding role wrote: the password-set link in it, then their own password."""

from __future__ import annotations

import json

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX
from tests.harness.containers import ContainerWorld, app_checkout
from tests.harness.testers import JUDGE, cannot_log_in, first_visit
from tests.harness.walkthrough import team

pytestmark = pytest.mark.slow
TEAM = team()
DOMAIN = TEAM["alb_https_domain"]
SITE = f"https://{DOMAIN}/"


@pytest.fixture
def world(tmp_path):
    with ContainerWorld(tmp_path) as world:
        yield world


def play(world, name, app, tmp_path, **extra):
    team = {**TEAM, "onboarding_message_dir": str(tmp_path / "messages"),
            "onboarding_db_host_override": "127.0.0.1", "onboarding_db_port_override": world.postgres.port,
            "cost_report_dir": str(tmp_path / "reports"), "cost_explorer": False}
    return run_playbook(str(REPO / "playbooks" / name), world.emulator.env(), timeout=1500, extra_vars={
        "precedentum_app_path": str(app), "ecs_layout": "combined", "ecs_seed": "auto", **team,
        **world.app_vars, **extra})


def test_testers_reach_the_site_on_a_domain(world, tmp_path):
    app = app_checkout(tmp_path / "app")
    secret_id = f"{PREFIX}/django/app"
    for week in ("week1.yml", "week2.yml"):
        run = play(world, week, app, tmp_path)
        assert run.rc == 0, str(run)
    lb_name = world.emulator.client("elbv2").describe_load_balancers(Names=[f"{PREFIX}-alb"])[
        "LoadBalancers"][0]["DNSName"]
    secret = json.loads(world.emulator.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"])
    admin, admin_password = secret["superuser_username"], secret["superuser_password"]
    testers = [t["email"] for t in TEAM["onboarding_testers"]]

    with world.chromium() as chromium:
        # Week 2: the superuser at the load balancer's own name, over HTTP, on the combined layout.
        with chromium.step("week 2: the superuser logs in at the load balancer's name"):
            chromium.login(f"http://{lb_name}", admin, admin_password)
            assert JUDGE in chromium.judges()
        assert world.postgres.psql("SELECT count(*) FROM judges_judge", database(world)) == "8"

        # Week 3 makes the domain's zone and stops with its name servers; the team delegates the domain at the
        # registrar and runs week 3 again (tests/integration/test_https.py tries that path in detail).
        stopped = play(world, "week3.yml", app, tmp_path)
        assert stopped.rc != 0 and "is new: DNS does not answer from it" in stopped.flat, str(stopped)
        world.emulator.delegate("precedentum.example")
        week3 = play(world, "week3.yml", app, tmp_path)
        assert week3.rc == 0, str(week3)
        # Week 3: HTTPS on the domain, HTTP redirected to it; the superuser logs in there (secure cookies).
        with chromium.step("week 3: the domain over HTTP is redirected to HTTPS"):
            chromium.forget()
            chromium.open(f"http://{DOMAIN}/")
            chromium.wait_for("#login-link")
            assert chromium.driver.current_url == f"https://{DOMAIN}/"
        with chromium.step("week 3: the superuser logs in on the domain over HTTPS"):
            chromium.login(f"https://{DOMAIN}", admin, admin_password)
            assert len(chromium.judges()) == 8
        # The first two testers, each from their own message; the third has no account yet.
        own = {email: first_visit(chromium, tmp_path / "messages", email, 1, SITE) for email in testers[:2]}
        assert not (tmp_path / "messages" / f"{testers[2]}.txt").exists()
        with chromium.step("week 3: a tester of wave 2 cannot log in yet"):
            cannot_log_in(chromium, SITE, testers[2], "anything-at-all-1")

        week4 = play(world, "week4.yml", app, tmp_path)
        assert week4.rc == 0, str(week4)
        # Week 4: every tester of the inventory can log in; wave 1 keeps the password they chose.
        for email in testers[2:]:
            own[email] = first_visit(chromium, tmp_path / "messages", email, 2, SITE)
        for email in testers[:2]:
            with chromium.step(f"week 4: {email} logs in with the password they chose in week 3"):
                chromium.forget()
                chromium.login(f"https://{DOMAIN}", email, own[email])
                assert len(chromium.judges()) == 8
    assert len(own) == 8 and len(chromium.shots) >= 30
    assert world.postgres.psql("SELECT count(*) FROM auth_user WHERE is_active AND last_login IS NOT NULL",
                               database(world)) == "9"


def database(world) -> str:
    secret = json.loads(world.emulator.client("secretsmanager").get_secret_value(
        SecretId=f"{PREFIX}/rds/master")["SecretString"])
    return secret["dbname"]
