"""ECS tasks and services as real containers, inside the emulator's process (test equipment only).

moto never runs a container: every task "runs" and every deployment completes, whatever the image, the
command or the health check. With PRECEDENTUM_EMULATOR_NETWORK set (tests/harness/containers.py's
``ContainerWorld`` sets it, with a Docker engine, a registry and a PostgreSQL of the test's own), the
emulator runs what it is asked to run instead:

- RunTask: each container of the task definition becomes a ``docker run`` on that network: its image
  (pulled from the registry that stands in for ECR), its environment, its secrets resolved from the
  emulator's Secrets Manager by ``valueFrom`` (JSON keys included), the command override, cpu and memory
  as limits; the containers of one task share one network namespace, as on Fargate. The task's state,
  exit codes and stop reason are read from the containers; an image that cannot be pulled stops the task
  with ``CannotPullContainerError``. RDS endpoints resolve to the network's gateway, where the harness
  serves the test PostgreSQL; the role and database of the secret's credentials are made there at the
  first task that uses them (what RDS makes at creation). A task with a task role gets credentials and
  ``AWS_ENDPOINT_URL_S3`` (the emulator's S3 through the gateway), as ECS hands a task its role's
  credentials: the app's uploads reach phase 1.3's bucket.
- Services: the PRIMARY deployment's tasks are started up to the desired count and registered with the
  service's target groups; the harness runs each target group's health check (path, port, matcher,
  interval, timeout, thresholds) with the target's own address as Host, as the load balancer does, and
  DescribeTargetHealth reports it. A deployment completes once its tasks run and are healthy; only then
  are the older deployment's tasks deregistered and stopped. A task whose essential container exits, or
  that fails its health checks, is stopped with ECS's reason and counts as failed; at the circuit breaker's
  threshold (half the desired count, at least 3 and at most 200) the deployment is FAILED and, with
  rollback on, a deployment of the last completed revision replaces it.

- Logs: each container's output goes to its task definition's ``awslogs`` group, in the stream
  ``<awslogs-stream-prefix>/<container>/<task id>`` (what the awslogs driver writes), read from the container
  every few seconds while it runs and once more when it is removed.

A thread of the emulator's process moves the services along (every second), under one lock with the API
calls it patches.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import math
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

LOCK = threading.RLock()
SOCKET = "unix:///var/run/docker.sock"
NETWORK_LABEL = "precedentum.network"
# task id -> {"containers": {name: container id}, "address": ip, "status": ..., "started": t, ...}
TASKS: dict[str, dict] = {}
# target group ARN -> {"ip:port": {"state": ..., "ok": n, "bad": n, "next": t, "reason": ...}}
HEALTH: dict[str, dict] = {}
# service ARN -> {"good": last completed task definition, deployment id -> {"failed": n, "tasks": [...]}}
SERVICES: dict[str, dict] = {}
_THREAD: threading.Thread | None = None
_DATABASES: set[tuple] = set()
LOG_EVERY = 3.0  # seconds between two reads of a running container's output


def enabled() -> bool:
    return bool(os.environ.get("PRECEDENTUM_EMULATOR_NETWORK"))


def docker(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, DOCKER_HOST=SOCKET)
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, env=env, check=False)


def _labels(network: str) -> list[str]:
    """Every container carries its test network's name: the ones sharing another's namespace
    (``--network container:...``) are not on the network, and the network's teardown finds them by it."""
    return ["--label", "precedentum.test=1", "--label", f"{NETWORK_LABEL}={network}"]


def _suffix(network: str) -> str:
    """A name part of the test's own: two emulators (or a container left by a killed run) never share a name."""
    return hashlib.sha256(network.encode()).hexdigest()[:8]


# --- what a task's containers receive -----------------------------------------------------------------------

def _secret_value(account: str, region: str, value_from: str) -> str:
    """A Secrets Manager reference as ECS resolves it: ARN[:json-key:version-stage:version-id]."""
    from moto.secretsmanager.models import secretsmanager_backends

    parts = value_from.split(":")
    arn, rest = ":".join(parts[:7]), parts[7:]
    key = rest[0] if rest else ""
    backend = secretsmanager_backends[account][region]
    secret = backend.get_secret_value(secret_id=arn, version_id=None, version_stage=None)
    text = secret.get("SecretString") or ""
    if not key:
        return text
    return str(json.loads(text)[key])


def _rds_hosts(account: str, region: str) -> list[str]:
    from moto.rds.models import rds_backends

    return sorted({db.address for db in rds_backends[account][region].databases.values() if db.address})


def _ensure_database(env: dict) -> None:
    """The role and database of the task's credentials in the test PostgreSQL (RDS makes them at creation)."""
    port = os.environ.get("PRECEDENTUM_EMULATOR_POSTGRES_PORT")
    user, password, name = env.get("DATABASE_USER"), env.get("DATABASE_PASSWORD"), env.get("DATABASE_NAME")
    if not (port and user and password and name) or (user, password, name) in _DATABASES:
        return
    import psycopg2
    from psycopg2 import sql

    conn = psycopg2.connect(host="127.0.0.1", port=int(port), user="postgres", dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (user,))
            verb = "ALTER" if cur.fetchone() else "CREATE"
            cur.execute(sql.SQL(verb + " ROLE {} LOGIN CREATEDB PASSWORD {}").format(
                sql.Identifier(user), sql.Literal(password)))
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if not cur.fetchone():
                cur.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(user)))
    finally:
        conn.close()
    _DATABASES.add((user, password, name))


def _role_env(task, task_definition) -> dict:
    """What ECS gives every container of a task with a task role: the region, and credentials of that role (here
    the emulator's, which takes any; on AWS from the credentials endpoint) with S3 at the emulator, through the
    network's gateway. Without a task role, no credentials: the app can call no AWS API."""
    env = {"AWS_REGION": task.region_name, "AWS_DEFAULT_REGION": task.region_name}
    endpoint = os.environ.get("PRECEDENTUM_EMULATOR_S3_ENDPOINT", "")
    if getattr(task_definition, "task_role_arn", None) and endpoint:
        env.update({"AWS_ACCESS_KEY_ID": "EMULATORTASKROLE", "AWS_SECRET_ACCESS_KEY": "emulator-task-role",
                    "AWS_ENDPOINT_URL_S3": endpoint})
    return env


def _container_env(task, definition: dict, override: dict) -> dict:
    env = {item["name"]: item["value"] for item in definition.get("environment") or []}
    for item in definition.get("secrets") or []:
        env[item["name"]] = _secret_value(task._account_id, task.region_name, item["valueFrom"])
    env.update({item["name"]: item["value"] for item in override.get("environment") or []})
    return env


def _limits(task_definition, definition: dict, count: int) -> list[str]:
    memory = definition.get("memory") or (int(task_definition.memory or 0) // max(count, 1)) or 512
    cpu = definition.get("cpu") or (int(task_definition.cpu or 256) / max(count, 1))
    return ["--memory", f"{int(memory)}m", "--cpus", f"{max(float(cpu) / 1024, 0.1):.2f}"]


# --- logs -----------------------------------------------------------------------------------------------

def _log_streams(task, definitions) -> dict:
    """{container: {group, stream, shipped: lines sent of stdout and of stderr}} for the containers logging with
    awslogs."""
    streams = {}
    for definition in definitions:
        config = definition.get("logConfiguration") or {}
        options = config.get("options") or {}
        if config.get("logDriver") == "awslogs" and options.get("awslogs-group"):
            prefix = options.get("awslogs-stream-prefix", "")
            streams[definition["name"]] = {
                "group": options["awslogs-group"], "shipped": {}, "account": task._account_id,
                "region": task.region_name,
                "stream": f"{prefix}/{definition['name']}/{task.id}" if prefix else task.id}
    return streams


def ship_logs(record: dict, force: bool = False) -> None:
    """Send the containers' new output lines to CloudWatch Logs (the emulator's), as the awslogs driver does."""
    if not force and time.time() - record.get("shipped_at", 0.0) < LOG_EVERY:
        return
    record["shipped_at"] = time.time()
    from moto.logs.models import logs_backends

    for name, stream in (record.get("logs") or {}).items():
        cid = record["containers"].get(name)
        if not cid:
            continue
        out = docker("logs", "--timestamps", cid, timeout=60)
        # stdout and stderr each grow on their own: each is counted apart.
        printed = {kind: [line for line in text.splitlines() if line.strip()]
                   for kind, text in (("stdout", out.stdout), ("stderr", out.stderr))}
        new = [line for kind, lines in printed.items() for line in lines[stream["shipped"].get(kind, 0):]]
        events = []
        for line in new:
            stamp, _sep, message = line.partition(" ")
            try:
                when = calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S"))
                millis = int(when * 1000) + int((stamp[20:23] or "0").ljust(3, "0"))
            except ValueError:
                millis, message = int(time.time() * 1000), line
            events.append({"timestamp": millis, "message": message})
        if not events:
            continue
        backend = logs_backends[stream["account"]][stream["region"]]
        try:
            backend.ensure_log_stream(stream["group"], stream["stream"])
            backend.put_log_events(stream["group"], stream["stream"], sorted(events, key=lambda e: e["timestamp"]))
            stream["shipped"] = {kind: len(lines) for kind, lines in printed.items()}
        except Exception as error:  # noqa: BLE001 - a missing group loses the lines, as awslogs would fail the task
            print(f"container_runner: logs of {name} to {stream['group']}: {error!r}", flush=True)


# --- tasks ----------------------------------------------------------------------------------------------

def start_task(task, task_definition) -> None:
    """Run the task's containers; a failure to pull or start stops the task with ECS's reason."""
    network = os.environ["PRECEDENTUM_EMULATOR_NETWORK"]
    gateway = os.environ.get("PRECEDENTUM_EMULATOR_DB_GATEWAY", "")
    overrides = {o.get("name"): o for o in (task.overrides or {}).get("containerOverrides") or []}
    definitions = task_definition.container_definitions
    record = {"containers": {}, "address": "", "status": "RUNNING", "reason": "", "exit": {},
              "started": time.time(), "essential": {d["name"] for d in definitions if d.get("essential", True)},
              "logs": _log_streams(task, definitions), "shipped_at": 0.0}
    TASKS[task.id] = record
    # Its state is its containers': moto's "immediate" progression would report it STOPPED at the first look,
    # and a one-off task would seem done (exit code 0) while its command still runs.
    task._transitions = []
    hosts = [arg for host in _rds_hosts(task._account_id, task.region_name) if gateway
             for arg in ("--add-host", f"{host}:{gateway}")]
    first = None
    for definition in definitions:
        override = overrides.get(definition["name"], {})
        try:
            env = {**_role_env(task, task_definition), **_container_env(task, definition, override)}
            _ensure_database(env)
        except Exception as error:  # noqa: BLE001 - what ECS says when a secret cannot be read
            remove(task.id)
            _stop(task, record, f"ResourceInitializationError: unable to pull secrets or registry auth: {error}")
            return
        command = override.get("command") or definition.get("command") or []
        net = ["--network", f"container:{first}"] if first else ["--network", network, *hosts]
        args = ["run", "-d", *_labels(network), "--label", f"precedentum.task={task.id}",
                "--name", f"ecs-{task.id[:12]}-{definition['name']}-{_suffix(network)}", *net,
                *_limits(task_definition, definition, len(definitions))]
        for name, value in sorted(env.items()):
            args += ["-e", f"{name}={value}"]
        args += [definition["image"], *command]
        result = docker(*args)
        if result.returncode != 0:
            lines = [line for line in (result.stderr or result.stdout).strip().splitlines()
                     if line and not line.startswith("Run 'docker run --help'")]
            text = next((line for line in lines if "rror" in line), lines[-1] if lines else "docker run failed")
            reason = (f"CannotPullContainerError: pull image manifest has been retried 5 time(s): {text}"
                      if "pull" in text or "manifest" in text or "not found" in text
                      else f"CannotStartContainerError: {text}")
            remove(task.id)  # the task's containers started so far
            _stop(task, record, reason)
            return
        cid = result.stdout.strip()
        record["containers"][definition["name"]] = cid
        if first is None:
            first = cid
            inspect = docker("inspect", cid)
            try:
                networks = json.loads(inspect.stdout)[0]["NetworkSettings"]["Networks"]
                record["address"] = networks[network]["IPAddress"]
            except (ValueError, KeyError, IndexError):
                record["address"] = ""


def _stop(task, record: dict, reason: str) -> None:
    record["status"], record["reason"] = "STOPPED", reason
    task.stopped_reason = reason
    task.desired_status = "STOPPED"
    task.last_status = "STOPPED"
    for container in task.containers:
        container.last_status = "STOPPED"
        code = record["exit"].get(container.name)
        container.exitCode = code if code is not None else (None if "Error" in reason else 0)
        if code is None and "Error" in reason:
            container.reason = reason


def refresh_task(task) -> None:
    """Read the containers' state into the task: an essential container that exited stops it."""
    record = TASKS.get(task.id)
    if record is None or record["status"] == "STOPPED":
        return
    for name, cid in record["containers"].items():
        state = docker("inspect", "--format", "{{json .State}}", cid)
        try:
            info = json.loads(state.stdout)
        except ValueError:
            info = {"Running": False, "ExitCode": 137}
        if not info.get("Running"):
            record["exit"][name] = int(info.get("ExitCode", 1))
            if name in record["essential"]:
                remove(task.id)
                _stop(task, record, "Essential container in task exited")
                return
    task.last_status = "RUNNING"
    for container in task.containers:
        container.last_status = "RUNNING"
    ship_logs(record)


def stop_task(task, reason: str) -> None:
    record = TASKS.get(task.id)
    if record is None:
        return
    remove(task.id)
    if record["status"] != "STOPPED":
        _stop(task, record, reason)
    task.stopped_at = time.time()


def remove(task_id: str) -> None:
    record = TASKS.get(task_id) or {}
    ids = list(record.get("containers", {}).values())
    if ids:
        ship_logs(record, force=True)
        docker("rm", "-f", *reversed(ids), timeout=120)


# --- health checks --------------------------------------------------------------------------------------

def _matches(code: int, matcher: str) -> bool:
    for part in str(matcher or "200").split(","):
        low, _unused, high = part.strip().partition("-")
        if low.isdigit() and int(low) <= code <= int(high or low):
            return True
    return False


def check_health(group, target: str, port: int) -> None:
    """One health check of a target when it is due, as the load balancer does it."""
    states = HEALTH.setdefault(group.arn, {})
    key = f"{target}:{port}"
    state = states.setdefault(key, {"state": "initial", "ok": 0, "bad": 0, "next": 0.0, "reason": ""})
    now = time.monotonic()
    if now < state["next"]:
        return
    state["next"] = now + float(group.health_check_interval_seconds or 30)
    check_port = port if str(group.health_check_port or "traffic-port") == "traffic-port" else int(
        group.health_check_port)
    url = f"http://{target}:{check_port}{group.health_check_path or '/'}"
    request = urllib.request.Request(url, headers={"Host": f"{target}:{check_port}",
                                                   "User-Agent": "ELB-HealthChecker/2.0"})
    try:
        with urllib.request.urlopen(request, timeout=float(group.health_check_timeout_seconds or 5)) as answer:
            code = answer.status
    except urllib.error.HTTPError as error:
        code = error.code
    except OSError:
        code = 0
    if code and _matches(code, (group.matcher or {}).get("HttpCode", "200")):
        state["ok"], state["bad"] = state["ok"] + 1, 0
        if state["ok"] >= int(group.healthy_threshold_count or 5):
            state["state"], state["reason"] = "healthy", ""
    else:
        state["ok"], state["bad"] = 0, state["bad"] + 1
        state["reason"] = (f"Health checks failed with these codes: [{code}]" if code
                           else "Request timed out" if code == 0 else "")
        if state["bad"] >= int(group.unhealthy_threshold_count or 2):
            state["state"] = "unhealthy"


def health_of(group_arn: str, target: str, port) -> dict | None:
    return HEALTH.get(group_arn, {}).get(f"{target}:{port}")


# --- services -------------------------------------------------------------------------------------------

def _backends():
    from moto.ecs.models import ecs_backends

    for regions in list(ecs_backends.values()):
        yield from list(regions.values())


def _new_service_task(backend, service, deployment):
    from moto.ecs import models as ecs_models

    cluster = backend._get_cluster(service.cluster_name)
    definition = backend.describe_task_definition(deployment["taskDefinition"])
    mode, definition.network_mode = definition.network_mode, "bridge"  # moto would make an interface
    try:
        task = ecs_models.Task(cluster, definition, None, None, backend, f"service:{service.name}",
                               launch_type="FARGATE", started_by=deployment["id"])
    finally:
        definition.network_mode = mode
    backend.tasks.setdefault(cluster.name, {})[task.task_arn] = task
    start_task(task, definition)
    return task


def _groups(service):
    from moto.elbv2.models import elbv2_backends

    elbv2 = elbv2_backends[service._account_id][service.region_name]
    for lb in service.load_balancers or []:
        group = elbv2.target_groups.get(lb.get("targetGroupArn"))
        if group is not None:
            yield group, int(lb.get("containerPort") or group.port)


def _register(service, task, on: bool) -> None:
    address = TASKS.get(task.id, {}).get("address")
    if not address:
        return
    for group, port in _groups(service):
        if on and address not in group.targets:
            group.register([{"Id": address, "Port": port}])
        elif not on and address in group.targets:
            group.deregister([{"Id": address, "Port": port}])
            HEALTH.get(group.arn, {}).pop(f"{address}:{port}", None)


def _healthy(service, task) -> bool:
    address = TASKS.get(task.id, {}).get("address")
    return all((health_of(group.arn, address, port) or {}).get("state") == "healthy"
               for group, port in _groups(service))


def _event(service, message: str) -> None:
    from moto.ecs import models as ecs_models

    service.events.insert(0, {"id": str(ecs_models.mock_random.uuid4()), "createdAt": ecs_models.utcnow(),
                              "message": f"(service {service.name}) {message}"})


def step_service(backend, service) -> None:
    """Move one service along: start, check, register, complete, fail, roll back, stop the old."""
    from moto.ecs import models as ecs_models

    if service.status != "ACTIVE" or not service.deployments:
        return
    state = SERVICES.setdefault(service.arn, {"good": None, "deployments": {}})
    primary = service.deployments[0]
    desired = service.desired_count
    primary["desiredCount"] = desired
    mine = state["deployments"].setdefault(primary["id"], {"failed": 0, "tasks": [], "announced": False})
    tasks = backend.tasks.get(service.cluster_name, {})
    live = []
    for arn in list(mine["tasks"]):
        task = tasks.get(arn)
        if task is None:
            mine["tasks"].remove(arn)
            continue
        refresh_task(task)
        record = TASKS.get(task.id, {})
        if record.get("status") == "STOPPED":
            mine["tasks"].remove(arn)
            mine["failed"] += 1
            _register(service, task, False)
            _event(service, f"has stopped 1 running tasks: (task {task.id}). Reason: {record.get('reason')}")
            continue
        _register(service, task, True)
        for group, port in _groups(service):
            check_health(group, record["address"], port)
            health = health_of(group.arn, record["address"], port) or {}
            if health.get("state") == "unhealthy":
                reason = f"Task failed ELB health checks in (target-group {group.arn})"
                _register(service, task, False)
                stop_task(task, reason)
                mine["tasks"].remove(arn)
                mine["failed"] += 1
                _event(service, f"has stopped 1 running tasks: (task {task.id}). Reason: {reason}")
                break
        else:
            live.append(task)
    threshold = min(max(3, math.ceil(desired * 0.5)), 200)
    breaker = (getattr(service, "deployment_configuration", None) or {}).get("deploymentCircuitBreaker") or {}
    # The ecs role always turns the circuit breaker on (moto keeps no deploymentConfiguration to read it from).
    if primary.get("rolloutState") == "IN_PROGRESS" and mine["failed"] >= threshold and breaker.get("enable", True):
        primary.update(rolloutState="FAILED", failedTasks=mine["failed"],
                       rolloutStateReason=f"ECS deployment circuit breaker: tasks failed to start "
                                          f"({mine['failed']} failed).")
        _event(service, f"(deployment {primary['id']}) deployment failed: tasks failed to start.")
        for task in live:
            _register(service, task, False)
            stop_task(task, "Deployment failed (circuit breaker)")
        mine["tasks"].clear()
        if state["good"] and breaker.get("rollback", True):
            now = ecs_models.utcnow()
            rollback = {**primary, "id": f"ecs-svc/{ecs_models.mock_random.randint(0, 32**12)}", "status": "PRIMARY",
                        "taskDefinition": state["good"], "failedTasks": 0, "createdAt": now, "updatedAt": now,
                        "rolloutState": "IN_PROGRESS", "rolloutStateReason": "ECS deployment in progress.",
                        "runningCount": 0, "pendingCount": desired}
            primary["status"] = "ACTIVE"
            service.deployments.insert(0, rollback)
            service.task_definition = state["good"]
            # The tasks still running that revision (the deployment before the failed one) are the rollback's.
            adopted = state["deployments"].setdefault(rollback["id"], {"failed": 0, "tasks": [], "announced": True})
            for old in list(service.deployments[1:]):
                if old["taskDefinition"] == state["good"] and old["id"] in state["deployments"]:
                    adopted["tasks"] += state["deployments"].pop(old["id"])["tasks"]
                    service.deployments.remove(old)
            _event(service, f"rolling back to deployment {rollback['id']}.")
        return
    if primary.get("rolloutState") == "FAILED":
        return
    while len(live) < desired:
        task = _new_service_task(backend, service, primary)
        mine["tasks"].append(task.task_arn)
        live.append(task)
        if not mine["announced"]:
            _event(service, f"has started {desired} tasks: (deployment {primary['id']}).")
            mine["announced"] = True
    while len(live) > desired:
        task = live.pop()
        _register(service, task, False)
        stop_task(task, "Scaling activity initiated by (deployment)")
        mine["tasks"].remove(task.task_arn)
    running = [t for t in live if TASKS.get(t.id, {}).get("status") == "RUNNING"]
    healthy = [t for t in running if _healthy(service, t)]
    primary.update(runningCount=len(running), pendingCount=max(desired - len(running), 0), failedTasks=mine["failed"])
    if len(healthy) >= desired and primary.get("rolloutState") != "COMPLETED":
        primary.update(rolloutState="COMPLETED", rolloutStateReason=f"ECS deployment {primary['id']} completed.")
        state["good"] = primary["taskDefinition"]
        for old in service.deployments[1:]:
            old_state = state["deployments"].pop(old["id"], {"tasks": []})
            for arn in old_state["tasks"]:
                task = tasks.get(arn)
                if task is not None:
                    _register(service, task, False)
                    stop_task(task, f"Scaling activity initiated by (deployment {primary['id']})")
        del service.deployments[1:]
        _event(service, "has reached a steady state.")
    service.running_count = len(running) + sum(
        len(state["deployments"].get(d["id"], {}).get("tasks", [])) for d in service.deployments[1:])
    service.pending_count = primary["pendingCount"]
    for old in service.deployments[1:]:
        old.setdefault("runningCount", len(state["deployments"].get(old["id"], {}).get("tasks", [])))


def stop_service(service) -> None:
    """A deleted service's tasks stop (DeleteService, or a desired count of 0 then delete)."""
    from moto.ecs.models import ecs_backends

    backend = ecs_backends[service._account_id][service.region_name]
    tasks = backend.tasks.get(service.cluster_name, {})
    for deployment in (SERVICES.pop(service.arn, {}) or {}).get("deployments", {}).values():
        for arn in deployment["tasks"]:
            task = tasks.get(arn)
            if task is not None:
                _register(service, task, False)
                stop_task(task, "Service deleted")


def step_all() -> None:
    with LOCK:
        for backend in _backends():
            for service in list(backend.services.values()):
                try:
                    step_service(backend, service)
                except Exception as error:  # noqa: BLE001 - one service's trouble must not stop the others
                    print(f"container_runner: {service.name}: {error!r}", flush=True)


def ensure_thread() -> None:
    global _THREAD
    if _THREAD is None or not _THREAD.is_alive():
        def loop():
            while True:
                time.sleep(1)
                step_all()
        _THREAD = threading.Thread(target=loop, name="precedentum-ecs-runner", daemon=True)
        _THREAD.start()


# --- Lightsail container services ---------------------------------------------------------------------------
# A deployment's containers run in one network namespace (Lightsail runs them on one node: the frontend reaches
# the backend on localhost). The deployment is DEPLOYING until its public endpoint's health check passes
# healthyThreshold times (then ACTIVE, and the deployment it replaces stops), and FAILED when a container exits or
# the check keeps failing after LIGHTSAIL_GRACE seconds; the deployment before it keeps running then.
LIGHTSAIL_GRACE = 60.0
LIGHTSAIL_TIMEOUT = 600.0


def start_lightsail(service_name: str, version: int, containers: dict) -> dict:
    network = os.environ["PRECEDENTUM_EMULATOR_NETWORK"]
    gateway = os.environ.get("PRECEDENTUM_EMULATOR_DB_GATEWAY", "")
    record = {"containers": {}, "address": "", "state": "DEPLOYING", "ok": 0, "bad": 0, "next": 0.0,
              "started": time.monotonic(), "reason": ""}
    first = None
    for name, spec in containers.items():
        env = {str(k): str(v) for k, v in (spec.get("environment") or {}).items()}
        try:
            _ensure_database(env)
        except Exception as error:  # noqa: BLE001 - the deployment fails, as with a database it cannot reach
            record.update(state="FAILED", reason=f"database: {error}")
            return record
        hosts = [arg for value in env.values() if gateway and value.endswith(".rds.amazonaws.com")
                 for arg in ("--add-host", f"{value}:{gateway}")]
        net = ["--network", f"container:{first}"] if first else ["--network", network, *hosts]
        args = ["run", "-d", *_labels(network), "--label", f"precedentum.lightsail={service_name}:{version}",
                "--name", f"lightsail-{service_name}-{version}-{name}-{_suffix(network)}", *net]
        for key, value in sorted(env.items()):
            args += ["-e", f"{key}={value}"]
        args += [spec["image"], *(spec.get("command") or [])]
        result = docker(*args)
        if result.returncode != 0:
            record.update(state="FAILED", reason=(result.stderr or result.stdout).strip()[-500:])
            remove_lightsail(record)
            return record
        record["containers"][name] = result.stdout.strip()
        if first is None:
            first = record["containers"][name]
            try:
                info = json.loads(docker("inspect", first).stdout)[0]
                record["address"] = info["NetworkSettings"]["Networks"][network]["IPAddress"]
            except (ValueError, KeyError, IndexError):
                pass
    return record


def lightsail_state(record: dict, endpoint: dict) -> str:
    """The deployment's state after one more look (a health check when one is due)."""
    if record["state"] != "DEPLOYING":
        return record["state"]
    for name, cid in record["containers"].items():
        state = docker("inspect", "--format", "{{.State.Running}} {{.State.ExitCode}}", cid).stdout.split()
        if not state or state[0] != "true":
            record.update(state="FAILED", reason=f"the container {name} exited ({state[1] if state else '?'})")
            remove_lightsail(record)
            return record["state"]
    if not endpoint:
        record["state"] = "ACTIVE"
        return record["state"]
    check = endpoint.get("healthCheck") or {}
    now = time.monotonic()
    if now < record["next"]:
        return record["state"]
    record["next"] = now + float(check.get("intervalSeconds", 5))
    url = f"http://{record['address']}:{endpoint['containerPort']}{check.get('path', '/')}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Host": record["address"]}),
                                    timeout=float(check.get("timeoutSeconds", 2))) as answer:
            code = answer.status
    except urllib.error.HTTPError as error:
        code = error.code
    except OSError:
        code = 0
    if code and _matches(code, check.get("successCodes", "200-499")):
        record["ok"], record["bad"] = record["ok"] + 1, 0
        if record["ok"] >= int(check.get("healthyThreshold", 2)):
            record["state"] = "ACTIVE"
    else:
        record["ok"], record["bad"] = 0, record["bad"] + 1
        late = now - record["started"] > LIGHTSAIL_GRACE and record["bad"] >= int(check.get("unhealthyThreshold", 2))
        if late or now - record["started"] > LIGHTSAIL_TIMEOUT:
            record.update(state="FAILED", reason=f"the health check of {url} answered {code or 'nothing'}")
            remove_lightsail(record)
    return record["state"]


def remove_lightsail(record: dict) -> None:
    ids = list(record.get("containers", {}).values())
    if record.get("state") == "FAILED" and ids:  # what Lightsail's container log would show
        for cid in ids:
            logs = docker("logs", "--tail", "30", cid)
            print(f"container_runner: lightsail {cid[:12]} failed ({record.get('reason')}):\n"
                  f"{logs.stdout[-3000:]}{logs.stderr[-3000:]}", flush=True)
    if ids:
        docker("rm", "-f", *reversed(ids), timeout=120)
    record["containers"] = {}
