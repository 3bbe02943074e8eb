#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_service_rollout
short_description: Watch ECS services' rollouts for a while, say how far they are, fail on a failed one
version_added: 1.0.0
description:
  - Looks at each service of O(services) every O(poll_interval) seconds for at most O(look_for) seconds
    and returns how far its rollout is - one line per service (running/desired tasks, the rollout state,
    healthy targets, the newest service event) - and whether every one is done.
  - A service is done when its PRIMARY deployment is C(COMPLETED), runs the task definition of
    O(task_definitions) (when given), has as many running tasks as desired and, for each of its target
    groups, at least that many healthy targets.
  - Fails when a rollout C(FAILED) or the deployment circuit breaker rolled the service back to another
    task definition, and when O(wait_until) has passed with a service not done, naming the service, the
    rollout reason, the last service events and the stop reasons of its stopped tasks.
  - Meant to be called in a loop (one call per look, C(loop_control.break_when) on RV(done)) so that each
    look prints a line while a rollout takes its minutes.
  - C(community.aws.ecs_service) waits only when it deletes a service; this is the wait for a create or
    an update.
  - Changes nothing; in check mode it looks once and returns.
options:
  cluster:
    description: The cluster's name.
    type: str
    required: true
  services:
    description: The services' names.
    type: list
    elements: str
    required: true
  task_definitions:
    description:
      - The task definition (C(family:revision) or its ARN) each service must end up running, by service name.
      - A service whose PRIMARY deployment runs another one was rolled back by the circuit breaker.
    type: dict
    default: {}
  look_for:
    description: Seconds this call watches (0 to 300) before returning what it saw; 0 looks once.
    type: int
    default: 20
  poll_interval:
    description: Seconds between two looks within one call (1 to 60).
    type: int
    default: 5
  wait_until:
    description:
      - The time (seconds since the epoch, on the machine that runs the module) after which a service not
        done fails the call. Unset, a call never fails for the time.
    type: float
  timeout_hint:
    description: What the failure message tells the user to raise to wait longer (a variable's name).
    type: str
    default: wait_until
  failure_hint:
    description: A sentence added to every failure message (where the logs are, say).
    type: str
    default: ""
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
extends_documentation_fragment:
  - precedentum.deploy.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
notes:
  - "IAM: C(ecs:DescribeServices), C(ecs:ListTasks), C(ecs:DescribeTasks),
    C(elasticloadbalancing:DescribeTargetHealth)."
"""

EXAMPLES = r"""
- name: Wait for the rollouts (a line per look, at most 10 minutes)
  precedentum.deploy.ecs_service_rollout:
    cluster: precedentum-testing
    services: [precedentum-testing-backend, precedentum-testing-frontend]
    task_definitions:
      precedentum-testing-backend: precedentum-testing-backend:4
    wait_until: "{{ __deadline }}"
  loop: "{{ range(40) | list }}"
  loop_control:
    label: "{{ __rollout.progress | default('looking') }}"
    break_when: __rollout.done
  register: __rollout
"""

RETURN = r"""
done:
  description: Whether every service's rollout is complete.
  returned: always
  type: bool
  sample: true
progress:
  description: One line on every service, e.g. C(backend 1/2 running, IN_PROGRESS, 1/2 healthy targets).
  returned: always
  type: str
  sample: 2/2 running on revision 7
services:
  description: What was seen of each service at the last look.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The service.
      type: str
    running:
      description: Running tasks of its PRIMARY deployment.
      type: int
    desired:
      description: Desired tasks.
      type: int
    rollout_state:
      description: The PRIMARY deployment's rollout state.
      type: str
    healthy_targets:
      description: The fewest healthy targets among its target groups (null without one).
      type: int
    latest_event:
      description: The newest service event.
      type: str
    done:
      description: Whether its rollout is complete.
      type: bool
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call
from ansible_collections.precedentum.deploy.plugins.module_utils.ecs import rollout_failure, rollout_status

# DescribeServices and DescribeTasks take at most 10 and 100 names.
BATCH = 10
TASK_BATCH = 100


def check_inputs(module):
    """What AWS would refuse, refused first, naming the option."""
    p, problems = module.params, []
    if not p["cluster"] or "/" in p["cluster"]:
        problems.append(f"cluster: {p['cluster']!r} must be a name (no '/')")
    if not p["services"] or any(not name or "/" in name for name in p["services"]):
        problems.append("services: one service name or more (no '/')")
    unknown = sorted(set(p["task_definitions"]) - set(p["services"] or []))
    if unknown:
        problems.append(f"task_definitions: {', '.join(unknown)} not among services")
    if not 0 <= p["look_for"] <= 300:
        problems.append(f"look_for: {p['look_for']}; 0 to 300 seconds")
    if not 1 <= p["poll_interval"] <= 60:
        problems.append(f"poll_interval: {p['poll_interval']}; 1 to 60 seconds")
    if problems:
        module.fail_json(msg="; ".join(problems))


def describe(module, ecs, cluster, names):
    found = {}
    for start in range(0, len(names), BATCH):
        described = aws_call(module, ecs, "describe_services", f"read the services of cluster {cluster}",
                             cluster=cluster, services=names[start:start + BATCH])
        found.update({s["serviceName"]: s for s in described.get("services") or [] if s.get("status") != "INACTIVE"})
    return found


def healthy_targets(module, elbv2, service):
    """The fewest healthy targets among the service's target groups, or None without one."""
    counts = []
    for arn in sorted({lb["targetGroupArn"] for lb in service.get("loadBalancers") or [] if lb.get("targetGroupArn")}):
        health = aws_call(module, elbv2, "describe_target_health", f"read the health of the targets of {arn}",
                          TargetGroupArn=arn)
        counts.append(sum(1 for t in health.get("TargetHealthDescriptions") or []
                          if (t.get("TargetHealth") or {}).get("State") == "healthy"))
    return min(counts) if counts else None


def stop_reasons(module, ecs, cluster, name, limit=5):
    """The stop reasons of the service's newest stopped tasks (ECS keeps them about an hour)."""
    try:
        arns = ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus="STOPPED").get("taskArns") or []
        tasks = []
        for start in range(0, len(arns), TASK_BATCH):
            tasks += ecs.describe_tasks(cluster=cluster, tasks=arns[start:start + TASK_BATCH]).get("tasks") or []
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
        return []  # the reasons only add to a failure already being reported
    tasks = [t for t in tasks if t.get("group") in (None, f"service:{name}")]
    tasks.sort(key=lambda t: str(t.get("stoppedAt") or ""), reverse=True)
    reasons = []
    for task in tasks[:limit]:
        parts = [task.get("stoppedReason") or task.get("stopCode") or "no reason given"]
        parts += [f"{c.get('name')}: {c['reason']}" for c in task.get("containers") or [] if c.get("reason")]
        reasons.append("; ".join(parts))
    return list(dict.fromkeys(reasons))


def look(module, ecs, elbv2, p):
    services = describe(module, ecs, p["cluster"], p["services"])
    seen = []
    for name in p["services"]:
        service = services.get(name)
        if service is None:
            module.fail_json(msg=f"The service {name} of cluster {p['cluster']} does not exist (any more).")
        failure = rollout_failure(service, p["task_definitions"].get(name))
        if failure:
            reasons = stop_reasons(module, ecs, p["cluster"], name)
            module.fail_json(msg=failure + (". Stopped tasks: " + " | ".join(reasons) if reasons else "") + ". "
                             + p["failure_hint"], done=False, progress=progress_line(seen))
        seen.append(rollout_status(service, healthy_targets(module, elbv2, service)))
    return seen


def progress_line(seen):
    return "; ".join(s["line"] for s in seen)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            services=dict(type="list", elements="str", required=True),
            task_definitions=dict(type="dict", default={}),
            look_for=dict(type="int", default=20),
            poll_interval=dict(type="int", default=5),
            wait_until=dict(type="float"),
            timeout_hint=dict(type="str", default="wait_until"),
            failure_hint=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    check_inputs(module)
    p = module.params
    p["services"] = list(dict.fromkeys(p["services"]))
    ecs, elbv2 = module.client("ecs"), module.client("elbv2")
    stop_looking = time.monotonic() + (0 if module.check_mode else p["look_for"])
    while True:
        seen = look(module, ecs, elbv2, p)
        done = all(s["done"] for s in seen)
        left = stop_looking - time.monotonic()
        if done or left <= 0:
            break
        time.sleep(min(p["poll_interval"], left))
    if not done and p["wait_until"] is not None and time.time() >= p["wait_until"] and not module.check_mode:
        late = [s for s in seen if not s["done"]]
        details = []
        for s in late:
            reasons = stop_reasons(module, ecs, p["cluster"], s["name"])
            details.append(s["line"] + (". Latest events: " + " | ".join(s["events"]) if s["events"] else "")
                           + (". Stopped tasks: " + " | ".join(reasons) if reasons else ""))
        module.fail_json(
            msg=f"The rollout of {', '.join(s['name'] for s in late)} did not finish in time ({p['timeout_hint']}): "
                + " || ".join(details) + ". ECS goes on trying: run the same command again to keep waiting. "
                + p["failure_hint"],
            done=False, progress=progress_line(seen))
    module.exit_json(changed=False, done=done, progress=progress_line(seen),
                     services=[{k: v for k, v in s.items() if k not in ("line", "events")} for s in seen])


if __name__ == "__main__":
    main()
