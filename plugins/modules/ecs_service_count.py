#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_service_count
short_description: Pause ECS services (0 tasks, their auto scaling suspended), run them again, or restart them
version_added: 1.0.0
description:
  - With O(state=paused), gives each service of O(services) that runs tasks a desired count of 0 and suspends
    its Application Auto Scaling target, if it has one, so that the auto scaler does not start tasks again.
  - With O(state=running), gives each service whose desired count is 0 the count O(desired_count) and lets its
    auto scaling act again. A service that runs tasks keeps its count (the auto scaler may have set it).
  - With O(state=restarted), starts a new deployment of each service that runs tasks, on the task definition it
    has (ECS replaces the tasks, as a rollout does), e.g. after the database behind them was swapped, so that no
    task keeps a connection to the old one. Always a change for such a service; one at 0 tasks is left as it is.
  - Services that do not exist are left out (RV(missing) names them); nothing is made here.
  - Changes only the desired count; the task definition, network and load balancers stay as they are, so the
    service's address and target groups do not change. Stopping the tasks ends their Fargate and public IPv4
    cost; the service itself costs nothing.
  - Idempotent, honest in check mode (it reads and says what it would do). It does not wait; watch the services
    with M(precedentum.deploy.ecs_service_rollout).
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
  state:
    description: C(paused) (0 tasks), C(running), or C(restarted) (a new deployment of each service that runs tasks).
    type: str
    choices: [paused, running, restarted]
    required: true
  desired_count:
    description: The count a paused service gets back with O(state=running) (1 to 100).
    type: int
    default: 1
  started_before:
    description:
      - With O(state=restarted), only the services whose current (PRIMARY) deployment began before this time
        (ISO 8601, e.g. when the database behind them was made), so that a second run restarts nothing.
      - Empty, every service that runs tasks.
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
  - "IAM: C(ecs:DescribeServices), C(ecs:UpdateService), C(application-autoscaling:DescribeScalableTargets),
    C(application-autoscaling:RegisterScalableTarget)."
"""

EXAMPLES = r"""
- name: No tasks overnight
  precedentum.deploy.ecs_service_count:
    cluster: precedentum-testing
    services: [precedentum-testing-backend, precedentum-testing-frontend]
    state: paused

- name: New tasks for both (the database behind them was swapped)
  precedentum.deploy.ecs_service_count:
    cluster: precedentum-testing
    services: [precedentum-testing-backend, precedentum-testing-frontend]
    state: restarted

- name: One task each again
  precedentum.deploy.ecs_service_count:
    cluster: precedentum-testing
    services: [precedentum-testing-backend, precedentum-testing-frontend]
    state: running
    desired_count: 1
"""

RETURN = r"""
services:
  description: Each service found, by name, with its desired count C(before) and C(after) (in check mode, would be).
  returned: always
  type: dict
  sample: {precedentum-testing-backend: {before: 1, after: 0}}
missing:
  description: The services asked for that do not exist.
  returned: always
  type: list
  elements: str
  sample: []
actions:
  description: What was done (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["precedentum-testing-backend: 1 -> 0 tasks", "precedentum-testing-backend: auto scaling suspended"]
"""

import datetime

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call

SUSPENDED = ("DynamicScalingInSuspended", "DynamicScalingOutSuspended", "ScheduledScalingSuspended")


def check_inputs(module):
    """What AWS would refuse, refused first, naming the option."""
    p, problems = module.params, []
    if not p["cluster"] or "/" in p["cluster"]:
        problems.append(f"cluster: {p['cluster']!r} must be a name (no '/')")
    if not p["services"] or any(not name or "/" in name for name in p["services"]):
        problems.append(f"services: {p['services']!r} must be one or more names (no '/')")
    if not 1 <= p["desired_count"] <= 100:
        problems.append(f"desired_count: {p['desired_count']} must be 1 to 100")
    if p["started_before"] and parse_time(p["started_before"]) is None:
        problems.append(f"started_before: {p['started_before']!r} is not an ISO 8601 time")
    if problems:
        module.fail_json(msg="; ".join(problems))


def scaling_change(module, autoscaling, cluster, name, paused, actions):
    """Suspends (paused) or resumes the service's scalable target, when it has one and is not so already."""
    resource = f"service/{cluster}/{name}"
    targets = aws_call(module, autoscaling, "describe_scalable_targets", f"read the auto scaling of {name}",
                       ServiceNamespace="ecs", ResourceIds=[resource],
                       ScalableDimension="ecs:service:DesiredCount").get("ScalableTargets") or []
    for target in targets:
        state = target.get("SuspendedState") or {}
        if all(bool(state.get(key)) == paused for key in SUSPENDED):
            continue
        actions.append(f"{name}: auto scaling {'suspended' if paused else 'resumed'}")
        if not module.check_mode:
            aws_call(module, autoscaling, "register_scalable_target", f"{'suspend' if paused else 'resume'} "
                     f"the auto scaling of {name}", ServiceNamespace="ecs", ResourceId=resource,
                     ScalableDimension="ecs:service:DesiredCount", SuspendedState={key: paused for key in SUSPENDED})


def parse_time(value):
    """An ISO 8601 time (or a datetime) as an aware datetime (UTC when it names no zone); None when it is not one."""
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        try:
            parsed = datetime.datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)


def active_services(module, ecs, p):
    """The names asked for (once each, in order), and those of them that exist, as ECS describes them."""
    names = list(dict.fromkeys(p["services"]))
    found = aws_call(module, ecs, "describe_services", f"read the services of cluster {p['cluster']}",
                     cluster=p["cluster"], services=names)
    return names, {s["serviceName"]: s for s in found.get("services") or [] if s.get("status") == "ACTIVE"}


def restart(module, p):
    """A new deployment of each service that runs tasks (forceNewDeployment, its task definition unchanged)."""
    ecs = module.client("ecs")
    names, active = active_services(module, ecs, p)
    services, actions = {}, []
    for name in (n for n in names if n in active):
        count = int(active[name].get("desiredCount", 0))
        services[name] = {"before": count, "after": count}
        primary = next((d for d in active[name].get("deployments") or [] if d.get("status") == "PRIMARY"), {})
        began = parse_time(primary.get("createdAt") or "")
        if p["started_before"] and began is not None and began >= parse_time(p["started_before"]):
            continue  # its tasks started after that time already
        if count > 0:
            actions.append(f"{name}: its {count} task(s) replaced (a new deployment)")
            if not module.check_mode:
                aws_call(module, ecs, "update_service", f"start a new deployment of {name}",
                         cluster=p["cluster"], service=name, forceNewDeployment=True)
    module.exit_json(changed=bool(actions), services=services, actions=actions,
                     missing=[name for name in names if name not in active])


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            services=dict(type="list", elements="str", required=True),
            state=dict(type="str", choices=["paused", "running", "restarted"], required=True),
            desired_count=dict(type="int", default=1),
            started_before=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    check_inputs(module)
    p = module.params
    paused = p["state"] == "paused"
    if p["state"] == "restarted":
        restart(module, p)
    ecs, autoscaling = module.client("ecs"), module.client("application-autoscaling")
    names, active = active_services(module, ecs, p)
    services, actions = {}, []
    for name in (n for n in names if n in active):
        before = int(active[name].get("desiredCount", 0))
        after = 0 if paused else (before or p["desired_count"])
        services[name] = {"before": before, "after": after}
        if paused:
            scaling_change(module, autoscaling, p["cluster"], name, True, actions)
        if after != before:
            actions.append(f"{name}: {before} -> {after} task(s)")
            if not module.check_mode:
                aws_call(module, ecs, "update_service", f"set the desired count of {name} to {after}",
                         cluster=p["cluster"], service=name, desiredCount=after)
        if not paused:
            scaling_change(module, autoscaling, p["cluster"], name, False, actions)
    module.exit_json(changed=bool(actions), services=services, actions=actions,
                     missing=[name for name in names if name not in active])


if __name__ == "__main__":
    main()
