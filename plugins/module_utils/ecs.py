# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic shared by the ECS modules: no AWS calls here, so it is unit-tested on its own."""

from __future__ import annotations

import copy

# Values AWS fills into a container definition when the request leaves them out.
CONTAINER_DEFAULTS = {"essential": True, "cpu": 0, "versionConsistency": "enabled"}
# Keys of a described task definition that describe the revision, not what was asked for.
_EMPTY = (None, "", [], {})


def _drop_empty(value):
    if isinstance(value, dict):
        cleaned = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in _EMPTY}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def _by_name(items):
    return sorted(items or [], key=lambda item: str(item.get("name", "")))


def normalize_container(container, network_mode="awsvpc"):
    """A container definition as AWS would describe it, for comparison.

    Fills the defaults AWS adds (essential, port protocol, hostPort under awsvpc), sorts the
    environment and secrets by name, stringifies environment values and drops empty values.
    """
    c = copy.deepcopy(container)
    for key, default in CONTAINER_DEFAULTS.items():
        if c.get(key, default) == default:
            c.pop(key, None)
    if "environment" in c:
        c["environment"] = [{"name": e["name"], "value": str(e.get("value", ""))} for e in _by_name(c["environment"])]
    if "secrets" in c:
        c["secrets"] = [{"name": s["name"], "valueFrom": s["valueFrom"]} for s in _by_name(c["secrets"])]
    ports = []
    for mapping in c.get("portMappings") or []:
        mapping = dict(mapping)
        mapping["containerPort"] = int(mapping["containerPort"])
        mapping.setdefault("protocol", "tcp")
        if network_mode == "awsvpc":
            mapping.setdefault("hostPort", mapping["containerPort"])
        if "hostPort" in mapping:
            mapping["hostPort"] = int(mapping["hostPort"])
        ports.append(mapping)
    if ports:
        c["portMappings"] = sorted(ports, key=lambda m: (m["containerPort"], m["protocol"]))
    for key in ("memory", "memoryReservation"):
        if key in c and c[key] is not None:
            c[key] = int(c[key])
    return _drop_empty(c)


def request_container(container):
    """A container definition with the types the API wants (YAML gives numbers where strings go)."""
    c = {k: v for k, v in copy.deepcopy(container).items() if v is not None}
    for entry in c.get("environment") or []:
        entry["value"] = str(entry.get("value", ""))
    for mapping in c.get("portMappings") or []:
        for key in ("containerPort", "hostPort"):
            if key in mapping:
                mapping[key] = int(mapping[key])
    for key in ("cpu", "memory", "memoryReservation"):
        if c.get(key) is not None:
            c[key] = int(c[key])
    return c


def normalize_task_definition(definition):
    """The part of a task definition we manage, normalized: what a new revision would change."""
    network_mode = definition.get("networkMode", "awsvpc")
    platform = definition.get("runtimePlatform") or {}
    normalized = {
        "cpu": str(definition.get("cpu", "")),
        "memory": str(definition.get("memory", "")),
        "networkMode": network_mode,
        "requiresCompatibilities": sorted(definition.get("requiresCompatibilities") or []),
        "cpuArchitecture": platform.get("cpuArchitecture") or "X86_64",
        "operatingSystemFamily": platform.get("operatingSystemFamily") or "LINUX",
        "executionRoleArn": definition.get("executionRoleArn") or "",
        "taskRoleArn": definition.get("taskRoleArn") or "",
        "containerDefinitions": [
            normalize_container(c, network_mode) for c in _by_name(definition.get("containerDefinitions"))
        ],
    }
    return normalized


def task_definition_differences(requested, existing):
    """Names of the fields in which a requested task definition differs from an existing one.

    Both are in the API's camelCase shape (register_task_definition / describe_task_definition).
    An empty list means the existing revision is what was asked for.
    """
    if not existing:
        return ["(no active revision)"]
    want = normalize_task_definition(requested)
    have = normalize_task_definition(existing)
    differences = [key for key in want if key != "containerDefinitions" and want[key] != have[key]]
    want_containers = {c["name"]: c for c in want["containerDefinitions"]}
    have_containers = {c["name"]: c for c in have["containerDefinitions"]}
    for name in sorted(set(want_containers) | set(have_containers)):
        if name not in have_containers:
            differences.append(f"container {name} (new)")
        elif name not in want_containers:
            differences.append(f"container {name} (removed)")
        else:
            keys = set(want_containers[name]) | set(have_containers[name])
            changed = sorted(k for k in keys if want_containers[name].get(k) != have_containers[name].get(k))
            differences.extend(f"container {name}: {k}" for k in changed)
    return differences


def tags_to_dict(tags):
    """ECS tag list ([{key, value}]) to a dict."""
    return {t["key"]: t["value"] for t in tags or []}


def dict_to_tags(tags):
    """A dict to the ECS tag list shape."""
    return [{"key": str(k), "value": str(v)} for k, v in sorted((tags or {}).items())]


def stopped_task_problem(task, container_name):
    """Why a stopped one-off task failed, or None when it succeeded.

    Success means: the task stopped, the named container has exit code 0. Anything else
    (no exit code, a non-zero one, a task that never started) is a failure, explained with
    ECS's own stop code and reason.
    """
    containers = {c.get("name"): c for c in task.get("containers") or []}
    container = containers.get(container_name)
    if container is None and len(containers) == 1:
        container = next(iter(containers.values()))
    exit_code = container.get("exitCode") if container else None
    if task.get("lastStatus") == "STOPPED" and exit_code == 0:
        return None
    parts = []
    if task.get("lastStatus") != "STOPPED":
        parts.append(f"the task did not stop (last status {task.get('lastStatus')})")
    if exit_code is None:
        parts.append(f"container {container_name} has no exit code (it may never have started)")
    elif exit_code != 0:
        parts.append(f"container {container_name} exited with code {exit_code}")
    if container and container.get("reason"):
        parts.append(f"container reason: {container['reason']}")
    if task.get("stopCode"):
        parts.append(f"stop code: {task['stopCode']}")
    if task.get("stoppedReason"):
        parts.append(f"stopped reason: {task['stoppedReason']}")
    return "; ".join(parts)


def _revision(task_definition):
    """family:revision of a task definition's ARN (or of family:revision itself)."""
    return (task_definition or "").split("/")[-1]


def _events(service, count=3):
    return [e.get("message", "") for e in (service.get("events") or [])[:count]]


def rollout_failure(service, expected_task_definition=None):
    """Why a service's rollout failed, or None (still going, or done).

    A rollout failed when one of its deployments says FAILED, or when the deployment circuit breaker
    rolled the service back: its PRIMARY deployment then runs another task definition than the one
    asked for, and becomes stable again, so a waiter for stability alone does not notice.
    """
    deployments = service.get("deployments") or []
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), None)
    name = service.get("serviceName", "?")
    if primary is None:
        return f"service {name} has no primary deployment"
    expected = _revision(expected_task_definition)
    running = _revision(primary.get("taskDefinition"))
    failed = [d for d in deployments if d.get("rolloutState") == "FAILED"]
    reason = "; ".join(d.get("rolloutStateReason") or "no reason given" for d in failed) or (
        primary.get("rolloutStateReason") or "no reason given")
    events = _events(service)
    tail = ". Latest events: " + " | ".join(events) if events else ""
    if expected and running != expected:
        return (f"service {name} runs {running or '?'} instead of {expected}: the deployment failed and was "
                f"rolled back ({reason}){tail}")
    if primary.get("rolloutState") == "FAILED" or any(_revision(d.get("taskDefinition")) == expected for d in failed):
        return f"the rollout of service {name} failed ({reason}){tail}"
    return None


def rollout_status(service, healthy_targets=None):
    """How far a service's rollout is: its PRIMARY deployment's counts and state, the fewest healthy targets
    of its target groups (None without one), its newest event, whether it is done, and a line saying so."""
    deployments = service.get("deployments") or []
    primary = next((d for d in deployments if d.get("status") == "PRIMARY"), {})
    name = service.get("serviceName", "?")
    desired = int(service.get("desiredCount") or 0)
    running = int(primary.get("runningCount") or 0)
    state = primary.get("rolloutState") or "?"
    events = _events(service)
    done = (state == "COMPLETED" and running == desired == int(primary.get("desiredCount", desired) or 0)
            and (healthy_targets is None or healthy_targets >= desired))
    line = f"{name} {running}/{desired} running, {state}"
    if healthy_targets is not None:
        line += f", {healthy_targets}/{desired} healthy targets"
    if len(deployments) > 1:
        line += f", {len(deployments) - 1} older deployment(s) draining"
    if events and not done:
        line += f" (latest event: {events[0]})"
    return {"name": name, "running": running, "desired": desired, "rollout_state": state,
            "healthy_targets": healthy_targets, "latest_event": events[0] if events else "", "events": events,
            "done": done, "line": line}


# Capacity providers: Fargate's two, which any cluster can use once they are associated with it.
FARGATE_ONLY = [{"capacityProvider": "FARGATE", "base": 0, "weight": 1}]
# The ecs role's default ecs_frontend_spot_weight (the cost check's lever prices it).
SPOT_WEIGHT = 3


def spot_strategy(spot_weight):
    """The first task on regular Fargate (base 1), then spot_weight tasks on Fargate Spot for each one more
    on regular Fargate. A weight of 0 for regular Fargate would keep its base task off it too."""
    return [{"capacityProvider": "FARGATE", "base": 1, "weight": 1},
            {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": int(spot_weight)}]


def normalize_strategy(strategy):
    """A capacity provider strategy as comparable tuples (provider, base, weight); AWS leaves out a base or a
    weight of 0 and keeps its own order. Takes AWS's camelCase keys or the modules' snake_case ones."""
    return sorted((item.get("capacityProvider") or item.get("capacity_provider") or "",
                   int(item.get("base") or 0), int(item.get("weight") or 0)) for item in strategy or [])


def placement(count, strategy):
    """How many of count tasks run on each capacity provider ({provider: tasks}): the base first, then the
    rest in proportion to the weights, a remainder to the largest fraction (the higher weight on a tie).
    ECS's own placement of the remainder can differ by a task while it converges."""
    items = normalize_strategy(strategy)
    if not items:
        return {"FARGATE": count}
    placed = {name: 0 for name, _unused, _unused in items}
    left = count
    for name, base, _unused in items:
        taken = min(base, left)
        placed[name] += taken
        left -= taken
    total = sum(weight for _unused, _unused, weight in items)
    if left and total:
        shares = {name: left * weight / total for name, _unused, weight in items}
        for name in shares:
            placed[name] += int(shares[name])
        remainder = left - sum(int(s) for s in shares.values())
        order = sorted(items, key=lambda item: (-(shares[item[0]] - int(shares[item[0]])), -item[2]))
        for name, _unused, _unused in order[:remainder]:
            placed[name] += 1
    return placed


def target_strategy(current, wanted):
    """The strategy a service should get (AWS's camelCase keys), given the one it has and the one asked for;
    asked for none (regular Fargate only): a service on its launch type keeps it ([]), a service on a
    strategy gets FARGATE alone (a change between capacity providers, which any such service can make)."""
    if wanted:
        return [{"capacityProvider": name, "base": base, "weight": weight}
                for name, base, weight in normalize_strategy(wanted)]
    return [dict(item) for item in FARGATE_ONLY] if current else []


def strategy_option(strategy):
    """A strategy as community.aws.ecs_service and ecs_service_capacity take it (snake_case keys)."""
    return [{"capacity_provider": name, "base": base, "weight": weight}
            for name, base, weight in normalize_strategy(strategy)]
