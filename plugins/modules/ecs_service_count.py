#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_service_count
short_description: Pause ECS services (0 tasks, their auto scaling suspended) or run them again
version_added: 1.0.0
description:
  - With O(state=paused), gives each service of O(services) that runs tasks a desired count of 0 and suspends
    its Application Auto Scaling target, if it has one, so that the auto scaler does not start tasks again.
  - With O(state=running), gives each service whose desired count is 0 the count O(desired_count) and lets its
    auto scaling act again. A service that runs tasks keeps its count (the auto scaler may have set it).
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
    description: C(paused) (0 tasks) or C(running).
    type: str
    choices: [paused, running]
    required: true
  desired_count:
    description: The count a paused service gets back with O(state=running) (1 to 100).
    type: int
    default: 1
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


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            services=dict(type="list", elements="str", required=True),
            state=dict(type="str", choices=["paused", "running"], required=True),
            desired_count=dict(type="int", default=1),
        ),
        supports_check_mode=True,
    )
    check_inputs(module)
    p = module.params
    paused = p["state"] == "paused"
    ecs, autoscaling = module.client("ecs"), module.client("application-autoscaling")
    names = list(dict.fromkeys(p["services"]))
    found = aws_call(module, ecs, "describe_services", f"read the services of cluster {p['cluster']}",
                     cluster=p["cluster"], services=names)
    active = {s["serviceName"]: s for s in found.get("services") or [] if s.get("status") == "ACTIVE"}
    services, actions = {}, []
    for name in names:
        if name not in active:
            continue
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
