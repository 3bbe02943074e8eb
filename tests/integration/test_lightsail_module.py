"""The lightsail_container_service module against the Lightsail emulator (tests/emulator/lightsail.py,
served beside moto by the harness): create with a deployment, wait, no re-deploy when unchanged,
a new image deployed, a failed deployment reported, power changed in place, delete; check mode."""

from __future__ import annotations

import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/precedentum-testing/{}:{}"


def arguments(tag="1", **more):
    return {"name": "precedentum-testing", "power": "micro", "scale": 1, "tags": {"Project": "precedentum"},
            "containers": {"backend": {"image": IMAGE.format("backend", tag), "ports": {"8000": "HTTP"},
                                       "environment": {"DJANGO_DEBUG": "false"}},
                           "frontend": {"image": IMAGE.format("frontend", tag), "ports": {"80": "http"}}},
            "public_endpoint": {"container_name": "frontend", "container_port": 80, "health_check": {"path": "/"}},
            "wait_timeout": 60, **more}


def test_create_deploy_keep_redeploy_fail_resize_delete(lightsail_emulator):
    emulator = lightsail_emulator
    ls = emulator.client("lightsail")

    def module(args, *flags):
        return run_module("precedentum.deploy.lightsail_container_service", args, emulator.env(), *flags)

    dry = module(arguments(), "--check")
    assert dry.rc == 0 and dry.result["changed"] is True and ls.get_container_services()["containerServices"] == []

    first = module(arguments())
    assert first.rc == 0 and first.result["changed"] and first.result["deployed"], first
    (service,) = ls.get_container_services()["containerServices"]
    assert (service["state"], service["power"], service["scale"]) == ("RUNNING", "micro", 1)
    assert service["currentDeployment"]["state"] == "ACTIVE"
    assert service["currentDeployment"]["containers"]["frontend"] == {"image": IMAGE.format("frontend", "1"),
                                                                      "ports": {"80": "HTTP"}}
    assert service["currentDeployment"]["publicEndpoint"]["containerName"] == "frontend"
    assert service["privateRegistryAccess"]["ecrImagePullerRole"]["isActive"] is True
    assert first.result["image_puller_arn"] == service["privateRegistryAccess"]["ecrImagePullerRole"]["principalArn"]
    assert first.result["url"] == service["url"] and {"key": "Project", "value": "precedentum"} in service["tags"]

    same = module(arguments())
    assert same.rc == 0 and same.result["changed"] is False, same
    assert len(ls.get_container_service_deployments(serviceName="precedentum-testing")["deployments"]) == 1

    newer = module(arguments(tag="2"))
    assert newer.rc == 0 and newer.result["deployed"] and newer.result["deployment_version"] == 2, newer
    failing = arguments(tag="3")
    failing["containers"]["backend"]["command"] = ["python", "manage.py", "fail-for-test"]
    failed = module(failing)
    assert failed.rc != 0 and "Deployment 3 of precedentum-testing FAILED" in failed.result["msg"], failed
    current = ls.get_container_services()["containerServices"][0]["currentDeployment"]
    assert current["version"] == 2, "Lightsail keeps the last good deployment"

    bigger = module(arguments(tag="2", power="small", scale=2))
    assert bigger.rc == 0 and bigger.result["changed"] and not bigger.result["deployed"], bigger
    (service,) = ls.get_container_services()["containerServices"]
    assert (service["power"], service["scale"], service["state"]) == ("small", 2, "RUNNING")

    gone = module({"name": "precedentum-testing", "state": "absent"})
    assert gone.rc == 0 and gone.result["changed"] and ls.get_container_services()["containerServices"] == []
    assert module({"name": "precedentum-testing", "state": "absent"}).result["changed"] is False


def test_bad_options_are_refused_before_any_call(lightsail_emulator):
    emulator = lightsail_emulator
    bad = arguments(name="Precedentum_Testing", scale=30)
    bad["public_endpoint"] = {"container_name": "web", "container_port": 80}
    bad["containers"]["frontend"]["ports"] = {"80": "SMTP"}
    run = run_module("precedentum.deploy.lightsail_container_service", bad,
                     {**emulator.env(), "AWS_ENDPOINT_URL_LIGHTSAIL": "http://127.0.0.1:9"})
    message = run.result.get("msg", "")
    assert run.rc != 0 and "name:" in message and "scale:" in message, run
    assert "public_endpoint.container_name" in message and "containers.frontend.ports" in message
    assert "Could not" not in message, "an AWS call was made"


def database_arguments(**more):
    return {"name": "precedentum-testing-db", "blueprint_id": "postgres_16", "bundle_id": "micro_2_0",
            "master_database_name": "precedentum", "master_username": "precedentum",
            "master_user_password": "Secret-Pass-1234", "tags": {"Project": "precedentum"}, "wait_timeout": 60,
            **more}


def test_database_create_update_password_delete_with_snapshot(lightsail_emulator):
    emulator = lightsail_emulator
    ls = emulator.client("lightsail")

    def module(args, *flags):
        return run_module("precedentum.deploy.lightsail_database", args, emulator.env(), *flags)

    dry = module(database_arguments(), "--check")
    assert dry.rc == 0 and dry.result["changed"] is True and ls.get_relational_databases()["relationalDatabases"] == []

    made = module(database_arguments())
    assert made.rc == 0 and made.result["changed"], made
    db = ls.get_relational_database(relationalDatabaseName="precedentum-testing-db")["relationalDatabase"]
    assert db["state"] == "available" and db["publiclyAccessible"] is False and db["backupRetentionEnabled"] is True
    assert (db["relationalDatabaseBlueprintId"], db["relationalDatabaseBundleId"]) == ("postgres_16", "micro_2_0")
    assert (db["masterDatabaseName"], db["masterUsername"]) == ("precedentum", "precedentum")
    assert made.result["endpoint"] == {"address": db["masterEndpoint"]["address"], "port": 5432}
    assert {"key": "Project", "value": "precedentum"} in db["tags"]
    stored = ls.get_relational_database_master_user_password(relationalDatabaseName="precedentum-testing-db")
    assert stored["masterUserPassword"] == "Secret-Pass-1234"
    assert "Secret-Pass-1234" not in made.output

    again = module(database_arguments(master_user_password="Another-Pass-99"))
    assert again.rc == 0 and again.result["changed"] is False, "on_create: an existing password is kept"

    preview = module(database_arguments(publicly_accessible=True, master_user_password="Another-Pass-99",
                                        update_password="always"), "--check")
    assert preview.result["would_change"] == ["master_user_password", "publicly_accessible"], preview
    assert ls.get_relational_database(relationalDatabaseName="precedentum-testing-db")[
        "relationalDatabase"]["publiclyAccessible"] is False
    opened = module(database_arguments(publicly_accessible=True, master_user_password="Another-Pass-99",
                                       update_password="always"))
    assert opened.rc == 0 and opened.result["changed"] and opened.result["publicly_accessible"], opened
    assert ls.get_relational_database(relationalDatabaseName="precedentum-testing-db")[
        "relationalDatabase"]["publiclyAccessible"] is True
    assert ls.get_relational_database_master_user_password(
        relationalDatabaseName="precedentum-testing-db")["masterUserPassword"] == "Another-Pass-99"

    resized = module(database_arguments(bundle_id="small_2_0"))
    assert resized.rc != 0 and "bundle_id ('micro_2_0' now)" in resized.result["msg"], resized

    would = module({"name": "precedentum-testing-db", "state": "absent"}, "--check")
    assert would.rc == 0 and would.result["changed"] and would.result["state"] == "available", would
    assert len(ls.get_relational_databases()["relationalDatabases"]) == 1, "check mode deleted it"
    gone = module({"name": "precedentum-testing-db", "state": "absent", "final_snapshot_name": "precedentum-final"})
    assert gone.rc == 0 and gone.result["changed"] and gone.result["final_snapshot"] == "precedentum-final", gone
    assert ls.get_relational_databases()["relationalDatabases"] == []
    snapshots = ls.get_relational_database_snapshots()["relationalDatabaseSnapshots"]
    assert [s["name"] for s in snapshots] == ["precedentum-final"]
    assert module({"name": "precedentum-testing-db", "state": "absent"}).result["changed"] is False

    bad = module(database_arguments(name="9-bad", master_user_password="has/slash", preferred_backup_window="6am"))
    assert bad.rc != 0 and "Could not" not in bad.result["msg"], bad
    for option in ("name:", "master_user_password:", "preferred_backup_window:"):
        assert option in bad.result["msg"], bad


def test_alarm_create_keep_change_contact_and_delete(lightsail_emulator):
    emulator = lightsail_emulator
    ls = emulator.client("lightsail")
    ls.create_relational_database(relationalDatabaseName="precedentum-db", relationalDatabaseBlueprintId="postgres_16",
                                  relationalDatabaseBundleId="micro_2_0", masterDatabaseName="precedentum",
                                  masterUsername="precedentum")

    def module(args, *flags):
        return run_module("precedentum.deploy.lightsail_alarm", args, emulator.env(), *flags)

    alarm = {"name": "precedentum-db-connections", "metric_name": "DatabaseConnections",
             "monitored_resource_name": "precedentum-db", "threshold": 15, "contact_email": "team@precedentum.example"}
    dry = module(alarm, "--check")
    assert dry.rc == 0 and dry.result["changed"], dry
    assert ls.get_alarms()["alarms"] == [] and ls.get_contact_methods()["contactMethods"] == []

    made = module(alarm)
    assert made.rc == 0 and made.result["changed"], made
    (held,) = ls.get_alarms()["alarms"]
    assert (held["metricName"], held["threshold"], held["comparisonOperator"], held["evaluationPeriods"]) == (
        "DatabaseConnections", 15.0, "GreaterThanThreshold", 2)
    assert held["contactProtocols"] == ["Email"] and held["monitoredResourceInfo"]["name"] == "precedentum-db"
    (contact,) = ls.get_contact_methods()["contactMethods"]
    assert contact["contactEndpoint"] == "team@precedentum.example"
    assert made.result["contact"] == {"address": "team@precedentum.example", "status": "PendingVerification"}

    assert module(alarm).result["changed"] is False
    other = module({**alarm, "contact_email": "someone.else@precedentum.example"})
    assert other.rc == 0 and other.result["changed"] is False and "left as it is" in other.output, other
    assert ls.get_contact_methods()["contactMethods"][0]["contactEndpoint"] == "team@precedentum.example"

    lower = module({**alarm, "threshold": 10, "evaluation_periods": 3})
    assert lower.rc == 0 and lower.result["changed"], lower
    (held,) = ls.get_alarms()["alarms"]
    assert (held["threshold"], held["evaluationPeriods"], held["datapointsToAlarm"]) == (10.0, 3, 3)

    assert module({"name": alarm["name"], "state": "absent"}).result["changed"] is True
    assert ls.get_alarms()["alarms"] == []
    assert module({"name": alarm["name"], "state": "absent"}).result["changed"] is False
    bad = module({"name": "-x", "threshold": 1, "evaluation_periods": 0, "contact_email": "nobody"})
    assert bad.rc != 0 and "Could not" not in bad.result["msg"], bad
    for option in ("name:", "metric_name:", "monitored_resource_name:", "evaluation_periods:", "contact_email:"):
        assert option in bad.result["msg"], bad
