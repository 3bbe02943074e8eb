#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_service_capacity
short_description: Move an existing ECS service onto a Fargate capacity provider strategy (Fargate Spot), or back
version_added: 1.0.0
description:
  - Gives an existing service the capacity provider strategy asked for, with a new deployment, so that its
    tasks are replaced on the capacity providers it names (for instance the first task on C(FARGATE) and the
    others on C(FARGATE_SPOT)).
  - An empty O(capacity_provider_strategy) asks for regular Fargate only - a service on its launch type is
    left alone; a service on a strategy is given C(FARGATE) alone.
  - A service that does not exist is not made (M(community.aws.ecs_service) makes it, with
    RV(capacity_provider_strategy) as its strategy, or its launch type when that is empty).
  - C(community.aws.ecs_service) refuses to move a service from a launch type to a strategy or back;
    hence this module, run before it.
  - Idempotent - a service on the strategy asked for is left alone (AWS's order and its left-out zero
    base or weight are not differences). Honest in check mode - it reads and says what it would do.
options:
  cluster:
    description: The cluster's name.
    type: str
    required: true
  service:
    description: The service's name.
    type: str
    required: true
  capacity_provider_strategy:
    description: The strategy (at most 6 items, one base at most, at least one weight above 0); empty for
      regular Fargate only.
    type: list
    elements: dict
    default: []
    suboptions:
      capacity_provider:
        description: C(FARGATE) or C(FARGATE_SPOT) (or a capacity provider of the cluster's own).
        type: str
        required: true
      base:
        description: Tasks placed on this provider first (0 to 100000).
        type: int
        default: 0
      weight:
        description: Share of the tasks beyond the base (0 to 1000).
        type: int
        default: 0
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
  - "The cluster must have the providers associated (the C(capacity_providers) of
    C(community.aws.ecs_cluster)); the module says so, naming the missing ones, before any change."
  - "Fargate Spot tasks cost up to 70% less and can be stopped by AWS with two minutes' warning; ECS then
    starts others, on Spot when it has capacity."
  - "IAM: C(ecs:DescribeServices), C(ecs:DescribeClusters), C(ecs:UpdateService)."
"""

EXAMPLES = r"""
- name: First frontend task on regular Fargate, three of every four more on Fargate Spot
  precedentum.deploy.ecs_service_capacity:
    cluster: precedentum-testing
    service: precedentum-testing-frontend
    capacity_provider_strategy:
      - {capacity_provider: FARGATE, base: 1, weight: 1}
      - {capacity_provider: FARGATE_SPOT, weight: 3}

- name: Back to regular Fargate only
  precedentum.deploy.ecs_service_capacity:
    cluster: precedentum-testing
    service: precedentum-testing-frontend
    capacity_provider_strategy: []
"""

RETURN = r"""
exists:
  description: Whether the service exists.
  returned: always
  type: bool
  sample: true
capacity_provider_strategy:
  description: The strategy the service has after the change (in check mode, would have), as
    C(community.aws.ecs_service) takes it; empty when it runs on its launch type. For a service that does not
    exist, the strategy to make it with.
  returned: always
  type: list
  elements: dict
  sample: [{capacity_provider: FARGATE, base: 1, weight: 1}, {capacity_provider: FARGATE_SPOT, base: 0, weight: 3}]
  contains:
    capacityProvider:
      description: C(FARGATE) or C(FARGATE_SPOT).
      type: str
      returned: always
      sample: FARGATE_SPOT
    weight:
      description: Its weight.
      type: int
      returned: always
      sample: 3
    base:
      description: Tasks it runs first.
      type: int
      returned: always
      sample: 0
actions:
  description: What was done (or would be, in check mode).
  returned: always
  type: list
  elements: str
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call
from ansible_collections.precedentum.deploy.plugins.module_utils.ecs import (
    normalize_strategy,
    strategy_option,
    target_strategy,
)

MAX_ITEMS = 6


def check_inputs(module):
    """What AWS would refuse, refused first, naming the option."""
    p, problems = module.params, []
    for name in ("cluster", "service"):
        if not p[name] or "/" in p[name]:
            problems.append(f"{name}: {p[name]!r} must be a name (no '/')")
    strategy = p["capacity_provider_strategy"]
    if len(strategy) > MAX_ITEMS:
        problems.append(f"capacity_provider_strategy: {len(strategy)} items; at most {MAX_ITEMS}")
    names = [item["capacity_provider"] for item in strategy]
    if len(set(names)) != len(names):
        problems.append("capacity_provider_strategy: a capacity provider is named twice")
    if any(not name for name in names):
        problems.append("capacity_provider_strategy: every item needs a capacity_provider")
    if any(not 0 <= item["base"] <= 100000 for item in strategy):
        problems.append("capacity_provider_strategy: base is 0 to 100000")
    if sum(1 for item in strategy if item["base"]) > 1:
        problems.append("capacity_provider_strategy: only one capacity provider can have a base")
    if any(not 0 <= item["weight"] <= 1000 for item in strategy):
        problems.append("capacity_provider_strategy: weight is 0 to 1000")
    if strategy and not any(item["weight"] for item in strategy):
        problems.append("capacity_provider_strategy: at least one capacity provider needs a weight above 0")
    if problems:
        module.fail_json(msg="; ".join(problems))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            service=dict(type="str", required=True),
            capacity_provider_strategy=dict(
                type="list", elements="dict", default=[],
                options=dict(capacity_provider=dict(type="str", required=True),
                             base=dict(type="int", default=0), weight=dict(type="int", default=0))),
        ),
        supports_check_mode=True,
    )
    check_inputs(module)
    p = module.params
    ecs = module.client("ecs")
    where = f"{p['service']} in cluster {p['cluster']}"
    found = aws_call(module, ecs, "describe_services", f"read the service {where}",
                     cluster=p["cluster"], services=[p["service"]])
    service = next((s for s in found.get("services") or [] if s.get("status") == "ACTIVE"), None)
    if service is None:
        module.exit_json(changed=False, exists=False, actions=[],
                         capacity_provider_strategy=strategy_option(p["capacity_provider_strategy"]))

    current = service.get("capacityProviderStrategy") or []
    wanted = target_strategy(current, p["capacity_provider_strategy"])
    actions = []
    if normalize_strategy(current) != normalize_strategy(wanted):
        providers = {item["capacityProvider"] for item in wanted}
        cluster = (aws_call(module, ecs, "describe_clusters", f"read the cluster {p['cluster']}",
                            clusters=[p["cluster"]]).get("clusters") or [{}])[0]
        missing = sorted(providers - set(cluster.get("capacityProviders") or []))
        # In check mode the cluster may be about to get them (the ecs role's phase 2.1, also in check mode).
        if missing and not module.check_mode:
            module.fail_json(msg=f"The cluster {p['cluster']} lacks the capacity provider(s) {', '.join(missing)}: "
                                 "associate them with the cluster first (the ecs role's phase 2.1 does).")
        was = ", ".join(f"{n} base {b} weight {w}" for n, b, w in normalize_strategy(current)) or \
            f"launch type {service.get('launchType', '?')}"
        actions.append(f"move {p['service']} to " + ", ".join(
            f"{n} base {b} weight {w}" for n, b, w in normalize_strategy(wanted)) + f" (was {was}), new deployment"
            + (f" - once the cluster has {', '.join(missing)}" if missing else ""))
        if not module.check_mode:
            aws_call(module, ecs, "update_service", f"change the capacity providers of {where}",
                     cluster=p["cluster"], service=p["service"], capacityProviderStrategy=wanted,
                     forceNewDeployment=True)
    module.exit_json(changed=bool(actions), exists=True, actions=actions,
                     capacity_provider_strategy=strategy_option(wanted))


if __name__ == "__main__":
    main()
