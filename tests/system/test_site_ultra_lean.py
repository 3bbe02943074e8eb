"""The ultra-lean option (inventories/ultra_lean): site.yml on the emulators - moto, and the Lightsail
emulator beside it - checked, converged, re-run, checked again and destroyed twice, every resource
read back through the APIs, the account left as it was but for the final snapshot (which the
leftover scan lists as kept), every AWS action moto saw in docs/iam-policy.json; SQLite instead of
the managed database; the data load and tester accounts written through the Lightsail database's
window to a local PostgreSQL standing in for it."""

from __future__ import annotations

import json
import time

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import account_inventory, added, not_allowed, push_fake_image, recorded_actions
from tests.harness.fixture_db import fixture_sql, stand_in_for_rds

pytestmark = pytest.mark.slow
PREFIX = "precedentum-lite"
CONFIRM = ("-e", f"destroy_confirm={PREFIX}")
TEAM = {"monitoring_alert_emails": ["founders@precedentum.example", "second@precedentum.example"],
        "cost_explorer": False}  # week 4's cost report: the plan and what exists, not the bill


def play(emulator, name, *args, **extra):
    return run_playbook(str(REPO / "playbooks" / name), emulator.env(), *args, inventory="inventories/ultra_lean",
                        extra_vars=extra or None)


def lightsail_state(emulator) -> dict:
    ls = emulator.client("lightsail")
    return {"services": ls.get_container_services()["containerServices"],
            "databases": ls.get_relational_databases()["relationalDatabases"],
            "snapshots": ls.get_relational_database_snapshots()["relationalDatabaseSnapshots"]}


def live_secrets(emulator) -> dict:
    sm = emulator.client("secretsmanager")
    return {s["Name"]: s for s in sm.list_secrets()["SecretList"] if "DeletedDate" not in s}


def secret_json(emulator, name) -> dict:
    return json.loads(emulator.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"])


def repositories(emulator) -> dict:
    return {r["repositoryName"]: r for r in emulator.client("ecr").describe_repositories()["repositories"]}


def test_site_check_converge_rerun_check_then_destroy_twice(recording_emulator, record_property):
    emu = recording_emulator
    empty = account_inventory(emu)
    emu.start_recording()
    dry = play(emu, "site.yml", "--check", **TEAM)
    assert dry.rc == 0 and dry.changed > 0, dry
    assert lightsail_state(emu) == {"services": [], "databases": [], "snapshots": []}
    assert repositories(emu) == {} and live_secrets(emu) == {}
    assert emu.client("ec2").describe_vpcs(Filters=[{"Name": "tag:Project", "Values": ["precedentum"]}])["Vpcs"] == []

    started = time.monotonic()
    first = play(emu, "site.yml", **TEAM)
    first_seconds = time.monotonic() - started
    assert first.rc == 0, first
    for line in ("Skipped phase 1.1 (network)", "Skipped phase 1.4 (load balancer)",
                 "Phase 2.4 skipped: no data source", "Skipped phase 3.1", "Skipped phase 4.2"):
        assert line in first.flat, line
    state = lightsail_state(emu)
    (service,) = state["services"]
    (db,) = state["databases"]
    assert (service["containerServiceName"], service["power"], service["scale"], service["state"]) == (
        PREFIX, "micro", 1, "RUNNING")
    assert {"key": "Environment", "value": "lite"} in service["tags"]
    assert (db["name"], db["relationalDatabaseBundleId"], db["relationalDatabaseBlueprintId"], db["state"]) == (
        f"{PREFIX}-db", "micro_2_0", "postgres_16", "available")
    assert db["publiclyAccessible"] is False and db["backupRetentionEnabled"] is True

    credentials = secret_json(emu, f"{PREFIX}/lightsail/db")
    app = secret_json(emu, f"{PREFIX}/django/app")
    assert (credentials["host"], int(credentials["port"])) == (db["masterEndpoint"]["address"], 5432)
    assert credentials["username"] == db["masterUsername"] and credentials["dbname"] == db["masterDatabaseName"]
    assert emu.client("lightsail").get_relational_database_master_user_password(
        relationalDatabaseName=f"{PREFIX}-db")["masterUserPassword"] == credentials["password"]

    deployment = service["currentDeployment"]
    assert deployment["state"] == "ACTIVE" and deployment["version"] == 1
    repos = repositories(emu)
    backend, frontend = deployment["containers"]["backend"], deployment["containers"]["frontend"]
    assert backend["image"] == f"{repos[PREFIX + '/backend']['repositoryUri']}:latest"
    assert frontend["image"] == f"{repos[PREFIX + '/frontend']['repositoryUri']}:latest"
    assert backend["environment"]["DATABASE_HOST"] == credentials["host"]
    assert backend["environment"]["DATABASE_PASSWORD"] == credentials["password"]
    assert backend["environment"]["DJANGO_SECRET_KEY"] == app["secret_key"]
    assert backend["environment"]["DJANGO_SUPERUSER_PASSWORD"] == app["superuser_password"]
    assert "migrate" in backend["command"][-1] and "loaddata" not in backend["command"][-1]
    assert frontend["environment"] == {"PRECEDENTUM_BACKEND_URL": "http://localhost:8000"}
    assert deployment["publicEndpoint"]["containerName"] == "frontend"
    assert deployment["publicEndpoint"]["containerPort"] == 80
    for secret in (credentials["password"], app["secret_key"], app["superuser_password"]):
        assert secret not in first.output, "a secret was printed"
    puller = service["privateRegistryAccess"]["ecrImagePullerRole"]["principalArn"]
    for name in ("backend", "frontend"):
        policy = json.loads(emu.client("ecr").get_repository_policy(repositoryName=f"{PREFIX}/{name}")["policyText"])
        (statement,) = policy["Statement"]
        assert statement["Principal"]["AWS"] == puller and statement["Effect"] == "Allow"
        assert sorted(statement["Action"]) == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
        assert repos[f"{PREFIX}/{name}"]["imageScanningConfiguration"]["scanOnPush"] is True
    assert first.flat.count(service["url"]) >= 1, "the report gives the testers' address"

    ls = emu.client("lightsail")
    alarms = {a["name"]: a for a in ls.get_alarms()["alarms"]}
    assert sorted(alarms) == [f"{PREFIX}-db-connections", f"{PREFIX}-db-cpu", f"{PREFIX}-db-free-storage"]
    expected = {"cpu": ("CPUUtilization", "GreaterThanThreshold", 80.0),
                "connections": ("DatabaseConnections", "GreaterThanThreshold", 15.0),
                "free-storage": ("FreeStorageSpace", "LessThanThreshold", 2.0 * 1024 ** 3)}
    for suffix, (metric, comparison, threshold) in expected.items():
        alarm = alarms[f"{PREFIX}-db-{suffix}"]
        assert (alarm["metricName"], alarm["comparisonOperator"], alarm["threshold"]) == (metric, comparison,
                                                                                          threshold)
        assert alarm["monitoredResourceInfo"]["name"] == f"{PREFIX}-db" and alarm["evaluationPeriods"] == 2
        assert alarm["contactProtocols"] == ["Email"] and alarm["notificationTriggers"] == ["ALARM"]
    (contact,) = ls.get_contact_methods()["contactMethods"]
    assert (contact["protocol"], contact["contactEndpoint"]) == ("Email", "founders@precedentum.example")
    assert emu.client("cloudwatch").describe_alarms()["MetricAlarms"] == [], "no CloudWatch alarm on ultra-lean"
    assert emu.client("cloudwatch").list_dashboards()["DashboardEntries"] == []

    started = time.monotonic()
    again = play(emu, "site.yml", **TEAM)
    assert again.rc == 0 and again.changed == 0, again
    record_property("timing", f"site.yml on ultra_lean: first run {first_seconds:.0f} s, "
                              f"second run {time.monotonic() - started:.0f} s (changed=0)")
    assert len(emu.client("lightsail").get_container_service_deployments(
        serviceName=PREFIX)["deployments"]) == 1, "an unchanged deployment is not deployed again"
    check = play(emu, "site.yml", "--check", **TEAM)
    assert check.rc == 0 and check.changed == 0, check

    gone = play(emu, "destroy.yml", *CONFIRM)
    assert gone.rc == 0, gone
    state = lightsail_state(emu)
    assert state["services"] == [] and state["databases"] == [] and ls.get_alarms()["alarms"] == []
    (snapshot,) = state["snapshots"]
    assert snapshot["name"].startswith(f"{PREFIX}-db-final-") and snapshot["name"] in gone.flat
    assert repositories(emu) == {} and live_secrets(emu) == {}
    twice = play(emu, "destroy.yml", *CONFIRM)
    assert twice.rc == 0 and twice.changed == 0, twice
    assert len(lightsail_state(emu)["snapshots"]) == 1, "a second destroy takes no second snapshot"
    calls = recorded_actions(emu.recorded_requests())
    left = added(empty, account_inventory(emu))
    assert left == {"lightsail-snapshot": [snapshot["name"]]}, left
    scan = play(emu, "leftovers.yml", "-e", "leftovers_fail_when_found=true")
    assert scan.rc == 0 and "0 resource(s) of precedentum-lite left" in scan.flat and snapshot["name"] in scan.flat
    missing = not_allowed(calls)
    assert missing == [], f"called but not in docs/iam-policy.json: {missing}"


def test_sqlite_says_the_data_is_lost_and_makes_no_database(lightsail_emulator):
    emu = lightsail_emulator
    sqlite = {"lightsail_database": "sqlite"}
    assert play(emu, "week1.yml", **sqlite).rc == 0
    week2 = play(emu, "week2.yml", **sqlite)
    assert week2.rc == 0, week2
    assert "LOST ON EVERY DEPLOYMENT" in week2.flat and "still exists" not in week2.flat
    state = lightsail_state(emu)
    assert state["databases"] == [] and f"{PREFIX}/lightsail/db" not in live_secrets(emu)
    backend = state["services"][0]["currentDeployment"]["containers"]["backend"]
    assert backend["environment"]["DATABASE_ENGINE"] == "sqlite3" and "DATABASE_PASSWORD" not in backend["environment"]
    assert "loaddata" in backend["command"][-1] and "migrate" in backend["command"][-1]
    # A managed database left from lightsail_database=postgres is pointed out (it is still billed).
    emu.client("lightsail").create_relational_database(
        relationalDatabaseName=f"{PREFIX}-db", relationalDatabaseBlueprintId="postgres_16",
        relationalDatabaseBundleId="micro_2_0", masterDatabaseName="precedentum", masterUsername="precedentum")
    again = play(emu, "week2.yml", **sqlite)
    assert again.rc == 0 and again.changed == 0 and "LOST ON EVERY DEPLOYMENT" in again.flat, again
    assert f"the managed database {PREFIX}-db still exists" in again.flat
    assert len(lightsail_state(emu)["databases"]) == 1, "it is pointed out, not deleted"
    week3 = play(emu, "week3.yml", "--tags", "onboarding", **sqlite,
                 onboarding_testers=[{"name": "Ada Example", "email": "ada@precedentum.example"}])
    assert week3.rc == 0 and "Skipped phase 3.3 (tester accounts)" in week3.flat, week3
    gone = play(emu, "destroy.yml", *CONFIRM, **sqlite)
    state = lightsail_state(emu)
    assert gone.rc == 0 and state["services"] == [] and state["databases"] == [], gone


def test_data_and_testers_go_through_the_lightsail_window(lightsail_emulator, postgres, tmp_path):
    emu = lightsail_emulator
    assert play(emu, "week1.yml").rc == 0
    assert play(emu, "week2.yml").rc == 0
    dbname = stand_in_for_rds(postgres, secret_json(emu, f"{PREFIX}/lightsail/db"))
    postgres.psql("DROP DATABASE IF EXISTS lite_poc")
    postgres.psql("CREATE DATABASE lite_poc")
    postgres.psql(fixture_sql(200), dbname="lite_poc")
    target = {"lightsail_public_window": True, "rds_data_host_override": "127.0.0.1",
              "rds_data_port_override": postgres.port}
    loaded = play(emu, "data_update.yml", **target,
                  rds_data_source=f"host=127.0.0.1 port={postgres.port} user=postgres dbname=lite_poc")
    assert loaded.rc == 0, loaded
    assert postgres.psql("SELECT count(*) FROM judges_judge", dbname=dbname) == "8"
    assert postgres.psql("SELECT count(*) FROM judges_caseprocedure", dbname=dbname) == "200"
    assert "Open the Lightsail database's public mode for the load" in loaded.output

    wave1 = play(emu, "week3.yml", "--tags", "onboarding", lightsail_public_window=True,
                 onboarding_testers=[{"name": "Ada Example", "email": "ada@precedentum.example"}],
                 onboarding_message_dir=str(tmp_path / "messages"), onboarding_db_host_override="127.0.0.1",
                 onboarding_db_port_override=postgres.port)
    assert wave1.rc == 0, wave1
    rows = postgres.psql("SELECT username FROM auth_user", dbname=dbname)
    assert rows.split() == ["ada@precedentum.example"]
    message = (tmp_path / "messages" / "ada@precedentum.example.txt").read_text()
    service = lightsail_state(emu)["services"][0]
    assert service["url"] in message, "the tester is given the container service's address"
    assert "Open the database's window for the write" in wave1.output
    db = emu.client("lightsail").get_relational_database(relationalDatabaseName=f"{PREFIX}-db")["relationalDatabase"]
    assert db["publiclyAccessible"] is False, "the window is closed again"


def test_rollback_goes_back_to_the_previous_active_deployment_once(lightsail_emulator):
    emu = lightsail_emulator
    ls = emu.client("lightsail")

    def deployments():
        return ls.get_container_service_deployments(serviceName=PREFIX)["deployments"]

    def running():
        current = ls.get_container_services(serviceName=PREFIX)["containerServices"][0]["currentDeployment"]
        return current["version"], {c["image"].rsplit(":", 1)[-1] for c in current["containers"].values()}

    assert play(emu, "week1.yml").rc == 0
    assert play(emu, "week2.yml").rc == 0
    (version, (first,)) = running()
    nothing = play(emu, "rollback.yml")
    assert nothing.rc != 0 and "No earlier deployment" in nothing.flat and "lightsail_rollback_tag" in nothing.flat
    push_fake_image(emu, "1a2b3c4d5e6f", prefix=PREFIX)
    assert play(emu, "week2.yml", lightsail_image_tag="1a2b3c4d5e6f").rc == 0
    assert running() == (version + 1, {"1a2b3c4d5e6f"})

    check = play(emu, "rollback.yml", "--check")
    assert check.rc == 0 and len(deployments()) == version + 1, check
    back = play(emu, "rollback.yml")
    assert back.rc == 0 and f"Rolling back from 1a2b3c4d5e6f (deployment {version + 1}) to {first}" in back.flat, back
    assert running() == (version + 2, {first}), "the earlier images, in a new deployment Lightsail made ACTIVE"
    again = play(emu, "rollback.yml")
    assert again.rc == 0 and again.changed == 0 and "put back by a rollback from 1a2b3c4d5e6f" in again.flat, again

    for tag, said in (("000000000000", "not found in ECR"), ("Not A Tag", "lightsail_rollback_tag")):
        refused = play(emu, "rollback.yml", lightsail_rollback_tag=tag)
        assert refused.rc != 0 and said in refused.flat and len(deployments()) == version + 2, refused
