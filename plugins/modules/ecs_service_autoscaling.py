#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_service_autoscaling
short_description: Auto scaling of an ECS service's task count on its average CPU (Application Auto Scaling)
version_added: 1.0.0
description:
  - Keeps an ECS service's scalable target (the least and most tasks) and one target tracking policy on
    the service's average CPU utilization, as described; or removes both.
  - Idempotent - a target and a policy as described are left alone; a different range is registered again
    and a different policy is put again, in place.
  - Honest in check mode - it reads, says what it would do in RV(actions) and changes nothing.
    (C(community.aws.application_autoscaling_policy) registers the target even in check mode, and its
    C(state=absent) leaves the target behind; hence this module.)
  - The service's desired count is then the auto scaler's to move between O(min_capacity) and
    O(max_capacity); whoever updates the service should keep the count it has (the ecs role does).
  - Application Auto Scaling itself costs nothing; the tasks it adds cost what tasks cost.
options:
  cluster:
    description: The cluster's name.
    type: str
    required: true
  service:
    description: The service's name.
    type: str
    required: true
  state:
    description: C(present) registers the target and puts the policy; C(absent) deletes the policy and
      deregisters the target (nothing is done for what is missing).
    type: str
    choices: [present, absent]
    default: present
  min_capacity:
    description: The fewest tasks (1 or more) the auto scaler leaves running.
    type: int
    default: 2
  max_capacity:
    description: The most tasks (at least O(min_capacity), at most 100) the auto scaler starts.
    type: int
    default: 5
  cpu_target:
    description: The average CPU utilization (percent, 10 to 90) the auto scaler keeps the service at.
    type: float
    default: 60
  scale_out_cooldown:
    description: Seconds after a scale-out before the next one.
    type: int
    default: 60
  scale_in_cooldown:
    description: Seconds after a scale-in before the next one.
    type: int
    default: 300
  policy_name:
    description: The policy's name (default C(<service>-cpu)).
    type: str
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
  - "IAM: C(application-autoscaling:DescribeScalableTargets), C(DescribeScalingPolicies),
    C(RegisterScalableTarget), C(PutScalingPolicy), C(DeleteScalingPolicy), C(DeregisterScalableTarget);
    the first registration in an account makes the service-linked role
    C(AWSServiceRoleForApplicationAutoScaling_ECSService) (C(iam:CreateServiceLinkedRole)); the target
    tracking policy makes its CloudWatch alarms (C(cloudwatch:PutMetricAlarm), C(DescribeAlarms),
    C(DeleteAlarms))."
"""

EXAMPLES = r"""
- name: Two to five backend tasks, kept near 60% CPU
  precedentum.deploy.ecs_service_autoscaling:
    cluster: precedentum-testing
    service: precedentum-testing-backend
    min_capacity: 2
    max_capacity: 5
    cpu_target: 60

- name: Back to a fixed count
  precedentum.deploy.ecs_service_autoscaling:
    cluster: precedentum-testing
    service: precedentum-testing-backend
    state: absent
"""

RETURN = r"""
scalable_target:
  description: The scalable target after the change (in check mode, as it is; empty when there is none).
  returned: always
  type: dict
  sample: {resource_id: service/precedentum-testing/precedentum-testing-backend, min_capacity: 2, max_capacity: 5}
  contains:
    resource_id:
      description: The service as Application Auto Scaling names it.
      type: str
      returned: when it exists
      sample: service/precedentum-testing/precedentum-testing-backend
    min_capacity:
      description: The fewest tasks.
      type: int
      returned: when it exists
      sample: 2
    max_capacity:
      description: The most tasks.
      type: int
      returned: when it exists
      sample: 5
policy:
  description: The policy after the change (in check mode, as it is; empty when there is none).
  returned: always
  type: dict
  contains:
    policy_name:
      description: The policy's name.
      type: str
      returned: when it exists
      sample: precedentum-testing-backend-cpu
    policy_type:
      description: Always C(TargetTrackingScaling).
      type: str
      returned: when it exists
      sample: TargetTrackingScaling
    target_tracking_scaling_policy_configuration:
      description: The target (C(TargetValue)) and the metric, as AWS spells them.
      type: dict
      returned: when it exists
actions:
  description: What was done (or would be, in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["register 2 to 5 tasks", "put the policy precedentum-testing-backend-cpu (CPU 60%)"]
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
METRIC = "ECSServiceAverageCPUUtilization"
MAX_TASKS = 100


def check_inputs(module):
    """Everything AWS would refuse, refused first, naming the option."""
    p = module.params
    problems = []
    for name in ("cluster", "service"):
        if not p[name] or "/" in p[name]:
            problems.append(f"{name}: {p[name]!r} must be a name (no '/')")
    if p["state"] == "present":
        if p["min_capacity"] < 1:
            problems.append(f"min_capacity: {p['min_capacity']}; at least 1 task")
        if not p["min_capacity"] <= p["max_capacity"] <= MAX_TASKS:
            problems.append(f"max_capacity: {p['max_capacity']}; "
                            f"from min_capacity ({p['min_capacity']}) to {MAX_TASKS}")
        if not 10 <= p["cpu_target"] <= 90:
            problems.append(f"cpu_target: {p['cpu_target']:g}; a percentage from 10 to 90")
        for name in ("scale_out_cooldown", "scale_in_cooldown"):
            if not 0 <= p[name] <= 3600:
                problems.append(f"{name}: {p[name]}; 0 to 3600 seconds")
    if problems:
        module.fail_json(msg="; ".join(problems))


def wanted_configuration(p):
    return {
        "TargetValue": float(p["cpu_target"]),
        "PredefinedMetricSpecification": {"PredefinedMetricType": METRIC},
        "ScaleOutCooldown": p["scale_out_cooldown"],
        "ScaleInCooldown": p["scale_in_cooldown"],
        "DisableScaleIn": False,
    }


def configuration_differs(current, wanted):
    """True when the policy as described by AWS is not the wanted one (keys AWS leaves out take their defaults)."""
    current = current or {}
    metric = (current.get("PredefinedMetricSpecification") or {}).get("PredefinedMetricType")
    return (float(current.get("TargetValue", -1)) != wanted["TargetValue"]
            or metric != METRIC
            or int(current.get("ScaleOutCooldown", -1)) != wanted["ScaleOutCooldown"]
            or int(current.get("ScaleInCooldown", -1)) != wanted["ScaleInCooldown"]
            or bool(current.get("DisableScaleIn", False)))


class Scaling:
    def __init__(self, module):
        self.module = module
        self.client = module.client("application-autoscaling")
        p = module.params
        self.resource_id = f"service/{p['cluster']}/{p['service']}"
        self.policy_name = p["policy_name"] or f"{p['service']}-cpu"
        self.actions = []

    def call(self, operation, what, **kwargs):
        return aws_call(self.module, self.client, operation, f"{what} ({self.resource_id})",
                        ServiceNamespace=NAMESPACE, ScalableDimension=DIMENSION, **kwargs)

    def target(self):
        found = self.call("describe_scalable_targets", "read the scalable target", ResourceIds=[self.resource_id])
        return next((t for t in found.get("ScalableTargets") or [] if t.get("ResourceId") == self.resource_id), None)

    def policy(self):
        found = self.call("describe_scaling_policies", "read the scaling policy", ResourceId=self.resource_id,
                          PolicyNames=[self.policy_name])
        # Filtered here too: not every implementation of the API applies PolicyNames.
        return next((q for q in found.get("ScalingPolicies") or [] if q.get("PolicyName") == self.policy_name), None)

    def present(self):
        p = self.module.params
        target = self.target()
        if target is None or (target["MinCapacity"], target["MaxCapacity"]) != (p["min_capacity"], p["max_capacity"]):
            was = "" if target is None else f" (was {target['MinCapacity']} to {target['MaxCapacity']})"
            self.actions.append(f"register {p['min_capacity']} to {p['max_capacity']} tasks{was}")
            if not self.module.check_mode:
                self.call("register_scalable_target", "register the scalable target", ResourceId=self.resource_id,
                          MinCapacity=p["min_capacity"], MaxCapacity=p["max_capacity"])
        wanted = wanted_configuration(p)
        policy = self.policy()
        if policy is None or policy.get("PolicyType") != "TargetTrackingScaling" or configuration_differs(
                policy.get("TargetTrackingScalingPolicyConfiguration"), wanted):
            self.actions.append(f"put the policy {self.policy_name} (CPU {p['cpu_target']:g}%)")
            if not self.module.check_mode:
                self.call("put_scaling_policy", "put the scaling policy", ResourceId=self.resource_id,
                          PolicyName=self.policy_name, PolicyType="TargetTrackingScaling",
                          TargetTrackingScalingPolicyConfiguration=wanted)

    def absent(self):
        if self.policy() is not None:
            self.actions.append(f"delete the policy {self.policy_name}")
            if not self.module.check_mode:
                self.call("delete_scaling_policy", "delete the scaling policy", ResourceId=self.resource_id,
                          PolicyName=self.policy_name)
        if self.target() is not None:
            self.actions.append("deregister the scalable target")
            if not self.module.check_mode:
                self.call("deregister_scalable_target", "deregister the scalable target", ResourceId=self.resource_id)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            service=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            min_capacity=dict(type="int", default=2),
            max_capacity=dict(type="int", default=5),
            cpu_target=dict(type="float", default=60),
            scale_out_cooldown=dict(type="int", default=60),
            scale_in_cooldown=dict(type="int", default=300),
            policy_name=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    check_inputs(module)
    scaling = Scaling(module)
    if module.params["state"] == "present":
        scaling.present()
    else:
        scaling.absent()
    target, policy = scaling.target(), scaling.policy()
    module.exit_json(
        changed=bool(scaling.actions),
        actions=scaling.actions,
        scalable_target=camel_dict_to_snake_dict(target or {}),
        policy=camel_dict_to_snake_dict(policy or {}, ignore_list=["TargetTrackingScalingPolicyConfiguration"]),
    )


if __name__ == "__main__":
    main()
