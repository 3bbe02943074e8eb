"""The Lightsail emulator's own tests (tests/emulator/lightsail.py): through boto3 as the modules
use it, plus raw requests for what boto3 would refuse before sending."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import boto3
import pytest

from tests.emulator import lightsail


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("LIGHTSAIL_EMULATOR_STEP_SECONDS", "0.3")
    srv = lightsail.serve(0)
    yield srv
    srv.shutdown()


@pytest.fixture
def client(server):
    return boto3.client("lightsail", endpoint_url=f"http://127.0.0.1:{server.server_port}", region_name="us-east-1",
                        aws_access_key_id="x", aws_secret_access_key="y")


def raw(server, operation: str, body) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{server.server_port}/", data=json.dumps(body).encode(),
                                     headers={"X-Amz-Target": f"Lightsail_20161128.{operation}",
                                              "Content-Type": "application/x-amz-json-1.1"}, method="POST")
    try:
        with urllib.request.urlopen(request) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_for(read, wanted, timeout=5.0):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.append(read())
        if seen[-1] == wanted:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"never {wanted}: {seen[-5:]}")


def test_a_service_and_its_deployments_move_through_their_states(client):
    containers = {"backend": {"image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/p/backend:1",
                              "ports": {"8000": "HTTP"}, "environment": {"A": "1"}}}
    created = client.create_container_service(serviceName="app", power="micro", scale=1, tags=[
        {"key": "Project", "value": "precedentum"}], deployment={
        "containers": containers, "publicEndpoint": {"containerName": "backend", "containerPort": 8000}})
    service = created["containerService"]
    assert service["state"] == "PENDING" and service["nextDeployment"]["state"] == "PENDING"
    assert service["url"].startswith("https://app.") and service["powerId"] == "micro-1"
    states = wait_for(lambda: client.get_container_services(serviceName="app")["containerServices"][0]["state"],
                      "RUNNING")
    assert "DEPLOYING" in states or "READY" in states
    (current,) = [client.get_container_services()["containerServices"][0]["currentDeployment"]]
    assert current["version"] == 1 and current["state"] == "ACTIVE" and current["containers"] == containers

    second = client.create_container_service_deployment(serviceName="app", containers={
        "backend": {**containers["backend"], "command": ["python", "manage.py", "fail-for-test"]}},
        publicEndpoint={"containerName": "backend", "containerPort": 8000})
    assert second["containerService"]["nextDeployment"]["version"] == 2
    with pytest.raises(client.exceptions.InvalidInputException):  # one deployment at a time
        client.create_container_service_deployment(serviceName="app", containers=containers)
    wait_for(lambda: client.get_container_service_deployments(serviceName="app")["deployments"][0]["state"], "FAILED")
    service = client.get_container_services(serviceName="app")["containerServices"][0]
    assert service["currentDeployment"]["version"] == 1, "a failed deployment leaves the last good one"
    assert service["stateDetail"]["code"] == "UNKNOWN_ERROR"

    client.update_container_service(serviceName="app", power="small", scale=2)
    assert client.get_container_services(serviceName="app")["containerServices"][0]["state"] == "UPDATING"
    client.delete_container_service(serviceName="app")
    assert client.get_container_services()["containerServices"] == []
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_container_services(serviceName="app")


def test_a_database_with_its_password_and_a_final_snapshot(client):
    client.create_relational_database(relationalDatabaseName="db", relationalDatabaseBlueprintId="postgres_16",
                                      relationalDatabaseBundleId="micro_2_0", masterDatabaseName="precedentum",
                                      masterUsername="precedentum", publiclyAccessible=False)
    assert client.get_relational_database(relationalDatabaseName="db")["relationalDatabase"]["state"] == "creating"
    wait_for(lambda: client.get_relational_database(relationalDatabaseName="db")["relationalDatabase"]["state"],
             "available")
    password = client.get_relational_database_master_user_password(relationalDatabaseName="db")["masterUserPassword"]
    assert len(password) >= 16
    client.update_relational_database(relationalDatabaseName="db", publiclyAccessible=True)
    db = client.get_relational_databases()["relationalDatabases"][0]
    assert db["publiclyAccessible"] is True and db["masterEndpoint"]["port"] == 5432
    with pytest.raises(client.exceptions.InvalidInputException):
        client.delete_relational_database(relationalDatabaseName="db")
    client.delete_relational_database(relationalDatabaseName="db", finalRelationalDatabaseSnapshotName="db-final")
    assert client.get_relational_databases()["relationalDatabases"] == []
    (snapshot,) = client.get_relational_database_snapshots()["relationalDatabaseSnapshots"]
    assert snapshot["name"] == "db-final" and snapshot["fromRelationalDatabaseName"] == "db"


def test_requests_are_checked_against_botocores_model(server):
    status, body = raw(server, "CreateContainerService", {"serviceName": "app", "power": "micro", "scale": "one"})
    assert status == 400 and body["__type"] == "InvalidInputException" and "scale" in body["message"]
    status, body = raw(server, "CreateContainerService", {"serviceName": "app", "power": "micro", "scale": 1,
                                                          "colour": "blue"})
    assert status == 400 and "colour" in body["message"]
    status, body = raw(server, "CreateInstances", {"instanceNames": ["x"], "availabilityZone": "us-east-1a",
                                                   "blueprintId": "b", "bundleId": "c"})
    assert status == 501 and "not emulated" in body["message"]
    status, body = raw(server, "LaunchRockets", {})
    assert status == 400 and body["__type"] == "UnknownOperationException"


def test_a_response_of_the_wrong_shape_is_an_emulator_error(server, monkeypatch):
    monkeypatch.setattr(lightsail.Account, "GetContainerServices", lambda self, p: {"containerServices": [
        {"containerServiceName": "app", "scale": "two"}]})
    status, body = raw(server, "GetContainerServices", {})
    assert status == 500 and body["__type"] == "EmulatorShapeError" and "scale" in body["message"]


def test_it_listens_on_loopback_only():
    with pytest.raises(ValueError):
        lightsail.serve(0, host="0.0.0.0")
