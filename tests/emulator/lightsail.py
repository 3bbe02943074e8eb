"""A small Lightsail emulator for the tests: exactly the operations the collection uses, in memory.

moto has no Lightsail (every call answers HTTP 500). This server speaks Lightsail's JSON 1.1
protocol (POST /, ``X-Amz-Target: Lightsail_20161128.<Operation>``) on a loopback port and
**validates every request and every response against botocore's own Lightsail service model**
(botocore.validate.ParamValidator on the operation's input and output shapes): a request the real
API would refuse for its shape is refused here (InvalidInputException), and a response this code
builds wrong fails loudly (HTTP 500) instead of teaching the module a shape AWS never sends.

State moves with time, so waits are exercised: a container service is PENDING, then READY (or,
with a deployment, DEPLOYING then RUNNING); a deployment PENDING → DEPLOYING → ACTIVE (the one it
replaces then INACTIVE); a database ``creating`` → ``available``; each step takes
``LIGHTSAIL_EMULATOR_STEP_SECONDS`` (default 1). Nothing persists: the process is the account.

    python -m tests.emulator.lightsail --port 4599      # then AWS_ENDPOINT_URL_LIGHTSAIL=http://127.0.0.1:4599

Not emulated unless PRECEDENTUM_EMULATOR_NETWORK is set: the containers themselves (nothing runs; a deployment
always becomes ACTIVE unless a container's command holds ``fail-for-test``, which makes it FAILED). With it, a
deployment's containers run in Docker (tests/harness/container_runner.py) and its state follows their health
check. Not emulated at all: DNS, certificates' validation.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import string
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
from botocore.validate import ParamValidator

from tests.harness import container_runner

MODEL = botocore.session.get_session().get_service_model("lightsail")
TARGET_PREFIX = MODEL.metadata["targetPrefix"] + "."
ACCOUNT, REGION = "123456789012", "us-east-1"
FAILING_ARG = "fail-for-test"
# Lightsail's container powers and database bundles (us-east-1 list prices; see cost_prices.py).
POWERS = {"nano": (0.25, 0.5, 7.0), "micro": (0.25, 1.0, 10.0), "small": (0.5, 2.0, 15.0),
          "medium": (1.0, 4.0, 40.0), "large": (2.0, 8.0, 80.0), "xlarge": (4.0, 16.0, 160.0)}
DB_BUNDLES = {"micro_2_0": (1.0, 40, 2.0, 15.0, False), "micro_ha_2_0": (1.0, 40, 2.0, 30.0, True),
              "small_2_0": (2.0, 80, 2.0, 30.0, False)}  # ram GB, disk GB, cpus, USD/month, HA


class ApiError(Exception):
    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def step_seconds() -> float:
    return float(os.environ.get("LIGHTSAIL_EMULATOR_STEP_SECONDS", "1"))


def validate(shape, value, what: str) -> None:
    report = ParamValidator().validate(value, shape)
    if report.has_errors():
        raise ApiError("InvalidInputException" if what == "request" else "EmulatorShapeError",
                       f"{what} does not match the service model: {report.generate_report()}",
                       400 if what == "request" else 500)


def to_json(value):
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def _stage(started: datetime.datetime, stages: list[str]) -> str:
    """The stage reached ``started`` + n steps later (the last one stays)."""
    elapsed = (now() - started).total_seconds()
    return stages[min(int(elapsed / step_seconds()), len(stages) - 1)] if step_seconds() > 0 else stages[-1]


def operation(resource_name: str, resource_type: str, kind: str) -> dict:
    return {"id": str(uuid.uuid4()), "resourceName": resource_name, "resourceType": resource_type,
            "createdAt": now(), "location": {"availabilityZone": "all", "regionName": REGION},
            "isTerminal": True, "operationType": kind, "status": "Succeeded", "statusChangedAt": now()}


class Account:
    """The emulated account: container services and databases, behind one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.services: dict[str, dict] = {}
        self.databases: dict[str, dict] = {}
        self.snapshots: dict[str, dict] = {}
        self.alarms: dict[str, dict] = {}
        self.contacts: dict[str, dict] = {}  # by protocol: one Email and one SMS per region

    # ---- container services ----
    def _service(self, name: str) -> dict:
        if name not in self.services:
            raise ApiError("NotFoundException", f"The container service {name} does not exist")
        return self.services[name]

    def _deployment_view(self, d: dict) -> dict:
        if d.get("run") is not None:  # real containers (tests/harness/container_runner.py)
            state = d["state"] or _stage(d["started"], ["PENDING", "DEPLOYING"])
            if state == "DEPLOYING":
                state = container_runner.lightsail_state(d["run"], d["publicEndpoint"])
            return {"version": d["version"], "state": state, "containers": d["containers"],
                    "publicEndpoint": d["publicEndpoint"], "createdAt": d["started"]}
        state = d["state"] or _stage(d["started"], ["PENDING", "DEPLOYING", "ACTIVE"])
        if state == "ACTIVE" and d["fails"]:
            state = "FAILED"
        return {"version": d["version"], "state": state, "containers": d["containers"],
                "publicEndpoint": d["publicEndpoint"], "createdAt": d["started"]}

    def _service_view(self, s: dict) -> dict:
        views = [self._deployment_view(d) for d in s["deployments"]]
        settled = [v for v in views if v["state"] in ("ACTIVE", "FAILED")]
        active = [v for v in views if v["state"] == "ACTIVE"]
        current = active[-1] if active else None
        pending = views[-1] if views and views[-1]["state"] in ("PENDING", "DEPLOYING") else None
        for v, d in zip(views, s["deployments"], strict=True):  # an older active deployment is replaced by a newer one
            if current and v["state"] == "ACTIVE" and v["version"] < current["version"]:
                v["state"] = "INACTIVE"
                if d.get("run"):
                    container_runner.remove_lightsail(d["run"])
        base = _stage(s["changed"], ["PENDING" if s["new"] else "UPDATING", "READY"])
        if base == "READY":
            s["new"] = False
            base = "DEPLOYING" if pending else ("RUNNING" if current else "READY")
        view = {
            "containerServiceName": s["name"], "arn": s["arn"], "createdAt": s["createdAt"],
            "location": {"availabilityZone": "all", "regionName": REGION}, "resourceType": "ContainerService",
            "tags": s["tags"], "power": s["power"], "powerId": f"{s['power']}-1", "state": base,
            "scale": s["scale"], "isDisabled": s["isDisabled"], "principalArn": s["principalArn"],
            "privateDomainName": f"{s['name']}.service.local", "publicDomainNames": s["publicDomainNames"],
            "url": s["url"], "privateRegistryAccess": {"ecrImagePullerRole": {
                "isActive": s["puller"], "principalArn": s["pullerArn"] if s["puller"] else ""}},
        }
        if current:
            view["currentDeployment"] = current
        if pending:
            view["nextDeployment"] = pending
        if settled and settled[-1]["state"] == "FAILED" and not pending:
            runs = [d["run"] for d in s["deployments"] if d.get("run") and d["run"].get("state") == "FAILED"]
            reason = (runs[-1].get("reason") if runs else "") or "a container exited"
            view["stateDetail"] = {"code": "UNKNOWN_ERROR", "message": f"The deployment failed: {reason}"[:255]}
        s["views"] = views
        return view

    def CreateContainerService(self, p):  # noqa: N802 - the API's operation names
        name = p["serviceName"]
        if name in self.services:
            raise ApiError("InvalidInputException", f"A container service named {name} already exists")
        if p["power"] not in POWERS:
            raise ApiError("InvalidInputException", f"power {p['power']} is not one of {sorted(POWERS)}")
        suffix = "".join(random.choices(string.ascii_lowercase + string.digits, k=12))
        service = {
            "name": name, "arn": f"arn:aws:lightsail:{REGION}:{ACCOUNT}:ContainerService/{uuid.uuid4()}",
            "createdAt": now(), "changed": now(), "new": True, "tags": p.get("tags", []), "power": p["power"],
            "scale": p["scale"], "isDisabled": False, "publicDomainNames": p.get("publicDomainNames", {}),
            "principalArn": f"arn:aws:iam::{ACCOUNT}:role/amazon/lightsail/{REGION}/containers/{name}/{suffix}",
            "pullerArn": f"arn:aws:iam::{ACCOUNT}:role/amazon/lightsail/{REGION}/containers/{name}/puller-{suffix}",
            "puller": p.get("privateRegistryAccess", {}).get("ecrImagePullerRole", {}).get("isActive", False),
            "url": f"https://{name}.{suffix}.{REGION}.cs.amazonlightsail.com/", "deployments": [],
        }
        self.services[name] = service
        if "deployment" in p:
            self._deploy(service, p["deployment"])
        return {"containerService": self._service_view(service)}

    def _deploy(self, service: dict, p: dict) -> None:
        containers = p.get("containers", {})
        endpoint = p.get("publicEndpoint")
        if endpoint and endpoint["containerName"] not in containers:
            raise ApiError("InvalidInputException", f"publicEndpoint.containerName {endpoint['containerName']} "
                           "is not one of the deployment's containers")
        fails = any(FAILING_ARG in (c.get("command") or []) for c in containers.values())
        deployment = {"version": len(service["deployments"]) + 1, "state": None, "started": now(),
                      "containers": containers, "fails": fails}
        if endpoint:
            deployment["publicEndpoint"] = {**endpoint, "healthCheck": endpoint.get("healthCheck", {
                "healthyThreshold": 2, "unhealthyThreshold": 2, "timeoutSeconds": 2, "intervalSeconds": 5,
                "path": "/", "successCodes": "200-499"})}
        else:
            deployment["publicEndpoint"] = {}
        if container_runner.enabled():
            deployment["run"] = container_runner.start_lightsail(service["name"], deployment["version"], containers)
        service["deployments"].append(deployment)

    def CreateContainerServiceDeployment(self, p):  # noqa: N802
        service = self._service(p["serviceName"])
        self._service_view(service)
        if any(v["state"] in ("PENDING", "DEPLOYING") for v in service["views"]):
            raise ApiError("InvalidInputException", "A deployment is already in progress")
        self._deploy(service, p)
        return {"containerService": self._service_view(service)}

    def GetContainerServices(self, p):  # noqa: N802
        if "serviceName" in p:
            return {"containerServices": [self._service_view(self._service(p["serviceName"]))]}
        return {"containerServices": [self._service_view(s) for s in self.services.values()]}

    def GetContainerServiceDeployments(self, p):  # noqa: N802
        service = self._service(p["serviceName"])
        self._service_view(service)
        return {"deployments": list(reversed(service["views"]))}

    def UpdateContainerService(self, p):  # noqa: N802
        service = self._service(p["serviceName"])
        if "power" in p and p["power"] not in POWERS:
            raise ApiError("InvalidInputException", f"power {p['power']} is not one of {sorted(POWERS)}")
        for key in ("power", "scale", "isDisabled", "publicDomainNames"):
            if key in p:
                service[key] = p[key]
        if "privateRegistryAccess" in p:
            service["puller"] = p["privateRegistryAccess"].get("ecrImagePullerRole", {}).get("isActive", False)
        if "power" in p or "scale" in p:
            service["changed"] = now()
        return {"containerService": self._service_view(service)}

    def DeleteContainerService(self, p):  # noqa: N802
        for deployment in self._service(p["serviceName"])["deployments"]:
            if deployment.get("run"):
                container_runner.remove_lightsail(deployment["run"])
        del self.services[p["serviceName"]]
        return {}

    def GetContainerServicePowers(self, p):  # noqa: N802
        return {"powers": [{"powerId": f"{n}-1", "price": usd, "cpuCount": cpu, "ramSizeInGb": ram, "name": n,
                            "isActive": True} for n, (cpu, ram, usd) in POWERS.items()]}

    # ---- databases ----
    def _database(self, name: str) -> dict:
        if name not in self.databases:
            raise ApiError("NotFoundException", f"The relational database {name} does not exist")
        return self.databases[name]

    def _database_view(self, d: dict) -> dict:
        ram, disk, cpus, _unused, _unused = DB_BUNDLES[d["bundle"]]
        view = {key: d[key] for key in ("name", "arn", "createdAt", "tags", "masterDatabaseName", "masterUsername",
                                        "publiclyAccessible", "preferredBackupWindow",
                                        "preferredMaintenanceWindow", "backupRetentionEnabled")}
        view.update({
            "supportCode": "000000000000/" + d["name"], "resourceType": "RelationalDatabase",
            "location": {"availabilityZone": d["zone"], "regionName": REGION},
            "relationalDatabaseBlueprintId": d["blueprint"], "relationalDatabaseBundleId": d["bundle"],
            "hardware": {"cpuCount": int(cpus), "diskSizeInGb": disk, "ramSizeInGb": ram},
            "state": _stage(d["changed"], [d["transition"], "available"]), "engine": "postgres",
            "engineVersion": d["blueprint"].split("_", 1)[1].replace("_", "."), "parameterApplyStatus": "in-sync",
            "masterEndpoint": {"port": 5432, "address": f"ls-{d['id']}.{REGION}.rds.amazonaws.com"},
            "pendingModifiedValues": {}, "pendingMaintenanceActions": [],
            "caCertificateIdentifier": "rds-ca-rsa2048-g1",
        })
        return view

    def CreateRelationalDatabase(self, p):  # noqa: N802
        name = p["relationalDatabaseName"]
        if name in self.databases:
            raise ApiError("InvalidInputException", f"A relational database named {name} already exists")
        if p["relationalDatabaseBundleId"] not in DB_BUNDLES or not p["relationalDatabaseBlueprintId"].startswith(
                "postgres_"):
            raise ApiError("InvalidInputException", "unknown bundle or blueprint")
        password = p.get("masterUserPassword") or "".join(random.choices(string.ascii_letters + string.digits, k=24))
        self.databases[name] = {
            "name": name, "id": uuid.uuid4().hex[:20], "createdAt": now(), "changed": now(),
            "transition": "creating", "arn": f"arn:aws:lightsail:{REGION}:{ACCOUNT}:RelationalDatabase/{uuid.uuid4()}",
            "tags": p.get("tags", []), "masterDatabaseName": p["masterDatabaseName"], "masterUsername":
            p["masterUsername"], "password": password, "publiclyAccessible": p.get("publiclyAccessible", False),
            "preferredBackupWindow": p.get("preferredBackupWindow", "06:00-06:30"),
            "preferredMaintenanceWindow": p.get("preferredMaintenanceWindow", "tue:07:00-tue:07:30"),
            "backupRetentionEnabled": True, "zone": p.get("availabilityZone", f"{REGION}a"),
            "blueprint": p["relationalDatabaseBlueprintId"], "bundle": p["relationalDatabaseBundleId"]}
        return {"operations": [operation(name, "RelationalDatabase", "CreateRelationalDatabase")]}

    def GetRelationalDatabase(self, p):  # noqa: N802
        return {"relationalDatabase": self._database_view(self._database(p["relationalDatabaseName"]))}

    def GetRelationalDatabases(self, p):  # noqa: N802
        return {"relationalDatabases": [self._database_view(d) for d in self.databases.values()]}

    def GetRelationalDatabaseMasterUserPassword(self, p):  # noqa: N802
        db = self._database(p["relationalDatabaseName"])
        return {"masterUserPassword": db["password"], "createdAt": db["createdAt"]}

    def UpdateRelationalDatabase(self, p):  # noqa: N802
        db = self._database(p["relationalDatabaseName"])
        for key in ("publiclyAccessible", "preferredBackupWindow", "preferredMaintenanceWindow"):
            if key in p:
                db[key] = p[key]
        if "masterUserPassword" in p:
            db["password"] = p["masterUserPassword"]
        if p.get("enableBackupRetention") or p.get("disableBackupRetention"):
            db["backupRetentionEnabled"] = bool(p.get("enableBackupRetention"))
        db["changed"], db["transition"] = now(), "modifying"
        return {"operations": [operation(db["name"], "RelationalDatabase", "UpdateRelationalDatabase")]}

    def DeleteRelationalDatabase(self, p):  # noqa: N802
        db = self._database(p["relationalDatabaseName"])
        if not p.get("skipFinalSnapshot", False):
            snapshot = p.get("finalRelationalDatabaseSnapshotName")
            if not snapshot:
                raise ApiError("InvalidInputException",
                               "finalRelationalDatabaseSnapshotName is required unless skipFinalSnapshot")
            self.snapshots[snapshot] = {"name": snapshot, "createdAt": now(), "fromRelationalDatabaseName": db["name"],
                                        "arn": f"arn:aws:lightsail:{REGION}:{ACCOUNT}:RelationalDatabaseSnapshot/"
                                        f"{uuid.uuid4()}", "state": "available", "engine": "postgres",
                                        "resourceType": "RelationalDatabaseSnapshot", "tags": db["tags"],
                                        "location": {"availabilityZone": db["zone"], "regionName": REGION}}
        del self.databases[db["name"]]
        for alarm in [a for a in self.alarms.values() if a["monitoredResourceName"] == db["name"]]:
            del self.alarms[alarm["name"]]  # Lightsail deletes a resource's alarms with it
        return {"operations": [operation(db["name"], "RelationalDatabase", "DeleteRelationalDatabase")]}

    def GetRelationalDatabaseSnapshots(self, p):  # noqa: N802
        return {"relationalDatabaseSnapshots": list(self.snapshots.values())}

    def DeleteRelationalDatabaseSnapshot(self, p):  # noqa: N802
        if p["relationalDatabaseSnapshotName"] not in self.snapshots:
            raise ApiError("NotFoundException", f"The snapshot {p['relationalDatabaseSnapshotName']} does not exist")
        del self.snapshots[p["relationalDatabaseSnapshotName"]]
        return {"operations": [operation(p["relationalDatabaseSnapshotName"], "RelationalDatabaseSnapshot",
                                         "DeleteRelationalDatabaseSnapshot")]}

    def GetRelationalDatabaseBundles(self, p):  # noqa: N802
        return {"bundles": [{"bundleId": b, "name": b, "price": usd, "ramSizeInGb": ram, "diskSizeInGb": disk,
                             "transferPerMonthInGb": 100, "cpuCount": int(cpus), "isEncrypted": True, "isActive": True}
                            for b, (ram, disk, cpus, usd, _unused) in DB_BUNDLES.items()]}

    # ---- metric alarms and contact methods ----

    def PutAlarm(self, p):  # noqa: N802
        name, resource = p["alarmName"], p["monitoredResourceName"]
        if resource not in self.databases:
            raise ApiError("NotFoundException", f"The resource {resource} does not exist")
        same_metric = [a for a in self.alarms.values() if a["monitoredResourceName"] == resource
                       and a["metricName"] == p["metricName"] and a["name"] != name]
        if len(same_metric) >= 2:
            raise ApiError("InvalidInputException", "two alarms per metric at most")
        old = self.alarms.get(name, {})
        self.alarms[name] = {
            "name": name, "arn": old.get("arn", f"arn:aws:lightsail:{REGION}:{ACCOUNT}:Alarm/{uuid.uuid4()}"),
            "createdAt": old.get("createdAt", now()), "location": {"availabilityZone": "all", "regionName": REGION},
            "resourceType": "Alarm", "supportCode": f"000000000000/{name}",
            "monitoredResourceInfo": {"arn": self.databases[resource]["arn"], "name": resource,
                                      "resourceType": "RelationalDatabase"},
            "monitoredResourceName": resource, "metricName": p["metricName"],
            "comparisonOperator": p["comparisonOperator"], "threshold": float(p["threshold"]),
            "evaluationPeriods": p["evaluationPeriods"], "datapointsToAlarm": p.get("datapointsToAlarm",
                                                                                    p["evaluationPeriods"]),
            "treatMissingData": p.get("treatMissingData", "missing"), "period": 300, "statistic": "Average",
            "unit": "Percent" if p["metricName"] == "CPUUtilization" else "Count",
            "contactProtocols": p.get("contactProtocols", []),
            "notificationTriggers": p.get("notificationTriggers", ["ALARM"]),
            "notificationEnabled": p.get("notificationEnabled", True), "state": old.get("state", "INSUFFICIENT_DATA")}
        return {"operations": [operation(name, "Alarm", "PutAlarm")]}

    def GetAlarms(self, p):  # noqa: N802
        alarms = list(self.alarms.values())
        if p.get("alarmName"):
            if p["alarmName"] not in self.alarms:
                raise ApiError("NotFoundException", f"The alarm {p['alarmName']} does not exist")
            alarms = [self.alarms[p["alarmName"]]]
        if p.get("monitoredResourceName"):
            alarms = [a for a in alarms if a["monitoredResourceName"] == p["monitoredResourceName"]]
        return {"alarms": [{k: v for k, v in a.items() if k != "monitoredResourceName"} for a in alarms]}

    def DeleteAlarm(self, p):  # noqa: N802
        if p["alarmName"] not in self.alarms:
            raise ApiError("NotFoundException", f"The alarm {p['alarmName']} does not exist")
        del self.alarms[p["alarmName"]]
        return {"operations": [operation(p["alarmName"], "Alarm", "DeleteAlarm")]}

    def CreateContactMethod(self, p):  # noqa: N802
        protocol = p["protocol"]
        if protocol in self.contacts:
            raise ApiError("InvalidInputException", f"A contact method for {protocol} already exists")
        self.contacts[protocol] = {
            "contactEndpoint": p["contactEndpoint"], "protocol": protocol, "status": "PendingVerification",
            "name": protocol, "arn": f"arn:aws:lightsail:{REGION}:{ACCOUNT}:ContactMethod/{uuid.uuid4()}",
            "createdAt": now(), "location": {"availabilityZone": "all", "regionName": REGION},
            "resourceType": "ContactMethod", "supportCode": f"000000000000/{protocol}"}
        return {"operations": [operation(protocol, "ContactMethod", "CreateContactMethod")]}

    def GetContactMethods(self, p):  # noqa: N802
        wanted = p.get("protocols") or list(self.contacts)
        return {"contactMethods": [c for k, c in self.contacts.items() if k in wanted]}

    def DeleteContactMethod(self, p):  # noqa: N802
        if p["protocol"] not in self.contacts:
            raise ApiError("NotFoundException", f"No contact method for {p['protocol']}")
        del self.contacts[p["protocol"]]
        return {"operations": [operation(p["protocol"], "ContactMethod", "DeleteContactMethod")]}


SUPPORTED = sorted(name for name in dir(Account) if name[0].isupper())


class Handler(BaseHTTPRequestHandler):
    account: Account = None  # set by serve()

    def log_message(self, *args):  # quiet: the tests read state through the API
        pass

    def _reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802
        target = self.headers.get("X-Amz-Target", "")
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            name = target.removeprefix(TARGET_PREFIX)
            if not target.startswith(TARGET_PREFIX) or name not in MODEL.operation_names:
                raise ApiError("UnknownOperationException", f"{target!r} is not a Lightsail operation")
            if name not in SUPPORTED:
                raise ApiError("UnknownOperationException", f"{name} is not emulated (tests/emulator/lightsail.py)",
                               501)
            params = json.loads(raw or b"{}")
            op = MODEL.operation_model(name)
            if op.input_shape is not None:
                validate(op.input_shape, params, "request")
            with self.account.lock:
                result = getattr(self.account, name)(params)
            if op.output_shape is not None:
                validate(op.output_shape, result, f"the emulator's {name} response")
            self._reply(200, to_json(result))
        except ApiError as e:
            self._reply(e.status, {"__type": e.code, "message": e.message})
        except json.JSONDecodeError as e:
            self._reply(400, {"__type": "InvalidInputException", "message": f"not JSON: {e}"})


def serve(port: int = 0, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A started server (in a thread) on host:port (0: a free port); ``server.server_port`` is the port."""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the emulator listens on loopback only")
    handler = type("LightsailHandler", (Handler,), {"account": Account()})
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator.lightsail",
                                     description=__doc__.partition("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    server = serve(args.port)
    print(f"Lightsail emulator on http://127.0.0.1:{server.server_port}", flush=True)
    threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
