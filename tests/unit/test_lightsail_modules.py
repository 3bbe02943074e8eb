"""The Lightsail modules' pure parts: what a deployment is, when a held one is the same, what is
hidden from the result, which settings a database update changes, and the input checks."""

from __future__ import annotations

import sys

from tests.harness.ansible import REPO

sys.path.insert(0, str(REPO / ".collections"))  # the checkout as ansible_collections.precedentum.deploy

from ansible_collections.precedentum.deploy.plugins.modules import (  # noqa: E402
    lightsail_container_service as service,
)
from ansible_collections.precedentum.deploy.plugins.modules import lightsail_database as database  # noqa: E402

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/p/backend:1"


def params(**more):
    p = {"name": "precedentum-lite", "scale": 1, "wait_timeout": 60, "secret_environment": {},
         "containers": {"backend": {"image": IMAGE, "ports": {8000: "http"}, "environment": {"A": 1}}},
         "public_endpoint": {"container_name": "backend", "container_port": 8000,
                             "health_check": {"path": "/api/health/"}}}
    p.update(more)
    return p


def test_a_deployment_merges_the_secret_environment_and_normalises_ports_and_values():
    wanted = service.desired_deployment(params(secret_environment={"backend": {"DATABASE_PASSWORD": "s3cret"}}))
    assert wanted == {"containers": {"backend": {"image": IMAGE, "ports": {"8000": "HTTP"},
                                                 "environment": {"A": "1", "DATABASE_PASSWORD": "s3cret"}}},
                      "publicEndpoint": {"containerName": "backend", "containerPort": 8000,
                                         "healthCheck": {"path": "/api/health/"}}}


def test_what_lightsail_fills_in_is_not_a_difference_but_a_changed_value_is():
    wanted = service.desired_deployment(params())
    held = {"containers": {"backend": {**wanted["containers"]["backend"], "command": [], "environment": {"A": "1"}}},
            "publicEndpoint": {**wanted["publicEndpoint"],
                               "healthCheck": {"path": "/api/health/", "intervalSeconds": 5, "healthyThreshold": 2}}}
    assert service.same_deployment(held, wanted)
    changed = {**held, "containers": {"backend": {**held["containers"]["backend"], "environment": {"A": "2"}}}}
    assert not service.same_deployment(changed, wanted)
    elsewhere = {**held, "publicEndpoint": {**held["publicEndpoint"], "containerPort": 8080}}
    assert not service.same_deployment(elsewhere, wanted)
    assert not service.same_deployment(None, wanted)


def test_the_result_keeps_the_environments_names_only():
    held = {"serviceName": "x", "currentDeployment": {"containers": {
        "backend": {"image": IMAGE, "environment": {"DATABASE_PASSWORD": "s3cret", "A": "1"}},
        "frontend": {"image": IMAGE}}}}
    shown = service.without_environment_values(held)
    assert shown["currentDeployment"]["containers"]["backend"]["environment"] == {
        "DATABASE_PASSWORD": "hidden", "A": "hidden"}
    assert shown["currentDeployment"]["containers"]["frontend"] == {"image": IMAGE}
    assert held["currentDeployment"]["containers"]["backend"]["environment"]["A"] == "1", "the input is not changed"


def test_container_service_input_problems_name_the_option():
    bad = params(name="Bad_Name", scale=21, secret_environment={"web": {"X": "1"}, "backend": {"A": "2"}})
    problems = "; ".join(service.problems_of(bad))
    for option in ("name:", "scale:", "secret_environment.web: not one of containers",
                   "secret_environment.backend: A also in containers.backend.environment"):
        assert option in problems, problems
    assert service.problems_of(params()) == []


def db_params(**more):
    p = {"name": "precedentum-db", "master_database_name": "precedentum", "master_username": "precedentum",
         "master_user_password": "Abcdefgh1234", "preferred_backup_window": None,
         "preferred_maintenance_window": None, "wait_timeout": 60, "final_snapshot_name": None,
         "publicly_accessible": False, "backup_retention": True}
    p.update(more)
    return p


def test_a_database_update_changes_only_what_differs():
    held = {"publiclyAccessible": False, "backupRetentionEnabled": True, "preferredBackupWindow": "06:00-06:30"}
    assert database.updates_for(db_params(), held) == {}
    assert database.updates_for(db_params(publicly_accessible=True, backup_retention=False,
                                          preferred_backup_window="03:00-03:30"), held) == {
        "publiclyAccessible": True, "disableBackupRetention": True, "preferredBackupWindow": "03:00-03:30"}
    assert database.updates_for(db_params(), {**held, "backupRetentionEnabled": False}) == {
        "enableBackupRetention": True}


def test_database_input_problems_name_the_option():
    assert database.problems_of(db_params()) == []
    problems = "; ".join(database.problems_of(db_params(
        name="1db", master_username="pre-cedentum", master_user_password='has"quote', wait_timeout=0,
        preferred_maintenance_window="sunday")))
    for option in ("name:", "master_username:", "master_user_password:", "wait_timeout:",
                   "preferred_maintenance_window:"):
        assert option in problems, problems
