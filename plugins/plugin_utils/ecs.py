# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks of the ecs role (pure logic, no AWS call)."""

from __future__ import annotations

import re

from ansible_collections.precedentum.deploy.plugins.module_utils.ecs import (
    normalize_strategy,
    placement,
    spot_strategy,
    strategy_option,
    target_strategy,
)
from ansible_collections.precedentum.deploy.plugins.module_utils.inputs import to_bool, to_int, to_number
from ansible_collections.precedentum.deploy.plugins.plugin_utils.environment import ENV_NAME_RE, environment_errors

# Fargate's CPU units and the memory (MiB) each allows (Linux, platform 1.4).
FARGATE_MEMORY = {
    256: [512, 1024, 2048],
    512: list(range(1024, 4097, 1024)),
    1024: list(range(2048, 8193, 1024)),
    2048: list(range(4096, 16385, 1024)),
    4096: list(range(8192, 30721, 1024)),
    8192: list(range(16384, 61441, 4096)),
    16384: list(range(32768, 122881, 8192)),
}
LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                      2922, 3288, 3653]
# Names of plain environment variables that would hold a secret in clear text in the task definition.
DATABASE_SECRET_KEYS = {"host", "port", "dbname", "username", "password", "engine", "dbInstanceIdentifier"}
# Docker tag grammar.
IMAGE_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
USERNAME_RE = re.compile(r"^[\w.@+-]{1,150}$")


def _size_errors(inputs, service):
    cpu_var, memory_var = f"ecs_{service}_cpu", f"ecs_{service}_memory"
    cpu, memory = to_int(inputs[cpu_var]), to_int(inputs[memory_var])
    if cpu not in FARGATE_MEMORY:
        return [f"{cpu_var}: {inputs[cpu_var]!r} is not a Fargate CPU size; use one of "
                f"{', '.join(str(c) for c in FARGATE_MEMORY)} (256 = 0.25 vCPU)"]
    if memory not in FARGATE_MEMORY[cpu]:
        allowed = FARGATE_MEMORY[cpu]
        listed = ", ".join(str(m) for m in allowed[:4]) + (", ..." if len(allowed) > 4 else "")
        return [f"{memory_var}: {inputs[memory_var]!r} MiB does not go with {cpu_var} {cpu}; Fargate allows "
                f"{allowed[0]} to {allowed[-1]} ({listed})"]
    return []


def _environment_errors(var, environment, reserved):
    return environment_errors(var, environment, reserved,
                              "plain environment is visible to anyone who can read the task definition. Keep it in "
                              "Secrets Manager (see the ecs role's README)", " from Secrets Manager")


def ecs_input_errors(inputs):
    errors = []
    services = ["combined"] if inputs["ecs_layout"] == "combined" else ["backend", "frontend"]
    for service in services:
        errors.extend(_size_errors(inputs, service))

    database_env = inputs["ecs_database_secret_env"]
    if not isinstance(database_env, dict) or not database_env:
        errors.append("ecs_database_secret_env: must map environment variable names to keys of the database secret")
        database_env = {}
    for name, key in database_env.items():
        if not isinstance(name, str) or not ENV_NAME_RE.match(name):
            errors.append(f"ecs_database_secret_env: {name!r} is not a valid environment variable name")
        if key not in DATABASE_SECRET_KEYS:
            errors.append(f"ecs_database_secret_env: {name}: {key!r} is not a key of the database secret "
                          f"({', '.join(sorted(DATABASE_SECRET_KEYS))})")
    reserved = set(database_env) | {"DJANGO_SECRET_KEY", "DJANGO_SUPERUSER_USERNAME", "DJANGO_SUPERUSER_EMAIL",
                                    "DJANGO_SUPERUSER_PASSWORD"}
    cache_env = inputs.get("ecs_cache_url_env", "REDIS_URL")
    if not isinstance(cache_env, str) or not ENV_NAME_RE.match(cache_env) or cache_env in reserved:
        errors.append(f"ecs_cache_url_env: {cache_env!r} is not a free environment variable name")
    reserved = reserved | {cache_env}
    errors.extend(_environment_errors("ecs_backend_environment", inputs["ecs_backend_environment"], reserved))
    errors.extend(_environment_errors("ecs_frontend_environment", inputs["ecs_frontend_environment"], set()))

    for var in ("ecs_backend_port", "ecs_frontend_port"):
        port = to_int(inputs[var])
        if port is None or not 1 <= port <= 65535:
            errors.append(f"{var}: {inputs[var]!r} is not a port (1 to 65535)")
    if to_int(inputs["ecs_backend_port"]) == to_int(inputs["ecs_frontend_port"]) and inputs["ecs_layout"] == "combined":
        errors.append("ecs_backend_port and ecs_frontend_port: the combined layout runs both containers in one task, "
                      "so they need different ports")

    if to_bool(inputs.get("ecs_frontend_spot")):
        if inputs["ecs_layout"] == "combined":
            errors.append("ecs_frontend_spot: the combined layout runs the frontend in the backend's task; "
                          "use ecs_layout: separate to put the frontend on Fargate Spot")
        if str(inputs.get("ecs_cpu_architecture", "X86_64")) == "ARM64":
            errors.append("ecs_frontend_spot and ecs_cpu_architecture: AWS runs no ARM64 task on Fargate Spot; "
                          "turn ecs_frontend_spot off or keep ecs_cpu_architecture: X86_64")
        weight = inputs.get("ecs_frontend_spot_weight")
        if isinstance(weight, bool) or to_int(weight) is None or not 1 <= to_int(weight) <= 10:
            errors.append(f"ecs_frontend_spot_weight: {weight!r}; 1 to 10 frontend tasks on Fargate Spot for each "
                          "one more on regular Fargate")

    count = to_int(inputs["ecs_desired_count"])
    if count is None or not 0 <= count <= 10:
        errors.append(f"ecs_desired_count: {inputs['ecs_desired_count']!r}; use 0 to 10 tasks per service "
                      "(0 stops the tasks)")
    if to_bool(inputs.get("ecs_autoscaling")):
        least, most = to_int(inputs.get("ecs_autoscaling_min_count")), to_int(inputs.get("ecs_autoscaling_max_count"))
        if least is None or not 1 <= least <= 10:
            errors.append(f"ecs_autoscaling_min_count: {inputs.get('ecs_autoscaling_min_count')!r}; use 1 to 10 tasks")
        if most is None or not (least or 1) <= most <= 10:
            errors.append(f"ecs_autoscaling_max_count: {inputs.get('ecs_autoscaling_max_count')!r}; use "
                          "ecs_autoscaling_min_count to 10 tasks (each task more is paid while it runs)")
        target = inputs.get("ecs_autoscaling_cpu_target")
        if to_number(target) is None or not 10 <= to_number(target) <= 90:
            errors.append(f"ecs_autoscaling_cpu_target: {target!r}; a percentage from 10 to 90")
    retention = to_int(inputs["ecs_log_retention_days"])
    if retention not in LOG_RETENTION_DAYS:
        errors.append(f"ecs_log_retention_days: {inputs['ecs_log_retention_days']!r} is not a CloudWatch retention; "
                      f"use one of {', '.join(str(d) for d in LOG_RETENTION_DAYS[:12])}, ... days")
    low = to_int(inputs["ecs_deployment_minimum_healthy_percent"])
    high = to_int(inputs["ecs_deployment_maximum_percent"])
    if low is None or not 0 <= low <= 100:
        errors.append("ecs_deployment_minimum_healthy_percent: use 0 to 100")
    if high is None or not 100 <= high <= 200:
        errors.append("ecs_deployment_maximum_percent: use 100 to 200")
    if low == 100 and high == 100:
        errors.append("ecs_deployment_maximum_percent: with ecs_deployment_minimum_healthy_percent 100 it must be "
                      "above 100, or a deployment can never start a new task")

    tag = inputs["ecs_image_tag"]
    if tag not in ("", None) and not IMAGE_TAG_RE.match(str(tag)):
        errors.append(f"ecs_image_tag: {tag!r} is not a Docker tag (letters, digits, _ . -, at most 128)")
    if not USERNAME_RE.match(str(inputs["ecs_superuser_username"])):
        errors.append(f"ecs_superuser_username: {inputs['ecs_superuser_username']!r} is not a Django user name "
                      "(letters, digits and @.+-_, at most 150)")
    if not EMAIL_RE.match(str(inputs["ecs_superuser_email"])):
        errors.append(f"ecs_superuser_email: {inputs['ecs_superuser_email']!r} is not an email address")
    for var in ("ecs_migrate_command", "ecs_superuser_command", "ecs_seed_command"):
        if var not in inputs:
            continue
        command = inputs[var]
        if not isinstance(command, list) or not command or not all(isinstance(a, (str, int)) for a in command):
            errors.append(f"{var}: give the command as a non-empty list of arguments, "
                          "e.g. [python, manage.py, migrate]")
    for var, low_bound, high_bound in (("ecs_one_off_timeout", 10, None), ("ecs_one_off_poll_interval", 1, None),
                                       ("ecs_rollout_timeout", 10, None), ("ecs_rollout_poll_interval", 1, 60)):
        value = to_int(inputs[var])
        if value is None or value < low_bound or (high_bound is not None and value > high_bound):
            errors.append(f"{var}: {inputs[var]!r}; use a whole number of at least {low_bound}"
                          + (f" and at most {high_bound}" if high_bound is not None else ""))
    recovery = to_int(inputs["ecs_secret_recovery_days"])
    if recovery is None or not (recovery == 0 or 7 <= recovery <= 30):
        errors.append(f"ecs_secret_recovery_days: {inputs['ecs_secret_recovery_days']!r}; use 0 (delete at once) "
                      "or 7 to 30")
    return errors


def ecs_capacity_plan(found, keys, spot, spot_weight):
    """{key: {strategy: [...] as community.aws.ecs_service takes it, move: bool}} for the services to run.

    found: {key: service as ECS describes it} (the existing ones). The frontend gets the Fargate Spot
    strategy when spot is on; every other service regular Fargate - its launch type, or FARGATE alone once
    it has been on a strategy. move: an existing service whose strategy is not that one yet.
    """
    plan = {}
    for key in keys:
        wanted = spot_strategy(spot_weight) if key == "frontend" and spot else []
        service = (found or {}).get(key)
        if service is None:
            plan[key] = {"strategy": strategy_option(wanted), "move": False}
            continue
        current = service.get("capacityProviderStrategy") or []
        target = target_strategy(current, wanted)
        plan[key] = {"strategy": strategy_option(target),
                     "move": normalize_strategy(current) != normalize_strategy(target)}
    return plan


def ecs_service_lines(services, task_definitions, prices, ipv4_month_usd, hours_per_month=730, spot_discount=0.0):
    """One line per service (what runs, how many, at what monthly list price) and its cost in USD.

    services: {key: service as ECS describes it}; task_definitions: {key: the task definition it
    runs, as community.aws.ecs_taskdefinition_info returns it}; prices: {X86_64|ARM64:
    {vcpu_hour, gb_hour}}. A task with a public IP pays for one public IPv4 address; a task on
    Fargate Spot (by the service's capacity provider strategy) spot_discount (a fraction) less for Fargate.
    """
    lines = []
    for key in sorted(services or {}):
        service, td = services[key], (task_definitions or {}).get(key) or {}
        arch = (td.get("runtime_platform") or {}).get("cpu_architecture") or "X86_64"
        cpu, memory = int(td.get("cpu") or 0), int(td.get("memory") or 0)
        price = prices[arch]
        public = ((service.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get(
            "assignPublicIp") == "ENABLED"
        desired = int(service.get("desiredCount") or 0)
        spot = placement(desired, service.get("capacityProviderStrategy")).get("FARGATE_SPOT", 0)
        hourly = cpu / 1024 * price["vcpu_hour"] + memory / 1024 * price["gb_hour"]
        monthly = round(hourly * hours_per_month * (desired - spot * float(spot_discount))
                        + (ipv4_month_usd if public else 0) * desired, 2)
        images = [c.get("image", "") for c in td.get("container_definitions") or []]
        tag = images[0].rsplit(":", 1)[-1] if images else "?"
        text = (f"{service.get('serviceName')}: {td.get('family')}:{td.get('revision')}, {cpu / 1024:g} vCPU / "
                f"{memory} MB {arch}, {service.get('runningCount', 0)}/{desired} running"
                f"{f' ({spot} on Fargate Spot)' if spot else ''}"
                f"{', public IPv4' if public else ''}, image tag {tag}, ${monthly:.2f}/month")
        lines.append({"service": key, "text": text, "usd": monthly})
    return lines
