# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ecs_capacity_plan filter; its code is in plugins/plugin_utils/ecs.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.ecs import ecs_capacity_plan

DOCUMENTATION = r"""
name: ecs_capacity_plan
version_added: 1.0.0
short_description: The capacity provider strategy of each ECS service, and whether an existing one must
  move first
description:
  - The frontend gets the Fargate Spot strategy when Spot is on; every other service regular Fargate -
    its launch type, or C(FARGATE) alone once it has been on a strategy.
  - C(move) is true for an existing service whose strategy is not that one yet.
  - M(precedentum.deploy.ecs_service_capacity) moves such a service before C(community.aws.ecs_service)
    updates it.
positional: keys, spot, spot_weight
options:
  _input:
    description: The existing services, by key, as ECS describes them.
    type: dict
    required: true
  keys:
    description: The keys of the services to run (C(backend), C(frontend), or C(app)).
    type: list
    elements: str
    required: true
  spot:
    description: Run the frontend on Fargate Spot.
    type: bool
    required: true
  spot_weight:
    description: The weight of Fargate Spot in the frontend's strategy.
    type: int
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the ecs_capacity_plan filter
  ansible.builtin.set_fact:
    plan: "{{ __ecs_found | precedentum.deploy.ecs_capacity_plan(['backend', 'frontend'], true, 1) }}"
"""

RETURN = r"""
_value:
  description: By key, C(strategy) (a list as C(community.aws.ecs_service) takes it; empty for the launch
    type) and C(move) (bool).
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"ecs_capacity_plan": ecs_capacity_plan}
