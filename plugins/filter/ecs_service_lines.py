# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ecs_service_lines filter; its code is in plugins/plugin_utils/ecs.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.ecs import ecs_service_lines

DOCUMENTATION = r"""
name: ecs_service_lines
version_added: 1.0.0
short_description: One report line per ECS service - what runs, how many, at what monthly list price
description:
  - A task with a public IP pays for one public IPv4 address; a task on Fargate Spot (by the service's
    capacity provider strategy) pays O(spot_discount) less for Fargate.
positional: task_definitions, prices, ipv4_month_usd, hours_per_month, spot_discount
options:
  _input:
    description: The services, by key, as ECS describes them.
    type: dict
    required: true
  task_definitions:
    description: By key, the task definition the service runs, as C(community.aws.ecs_taskdefinition_info)
      returns it.
    type: dict
    required: true
  prices:
    description: 'Fargate prices by architecture - C({X86_64: {vcpu_hour, gb_hour}, ARM64: {...}}).'
    type: dict
    required: true
  ipv4_month_usd:
    description: The monthly price of one public IPv4 address.
    type: float
    required: true
  hours_per_month:
    description: Hours in a month.
    type: float
    default: 730
  spot_discount:
    description: The Fargate Spot discount, a fraction (0.7 for 70 percent).
    type: float
    default: 0.0
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the ecs_service_lines filter
  ansible.builtin.set_fact:
    lines: "{{ ecs_services | precedentum.deploy.ecs_service_lines(ecs_task_definitions, __prices, 3.65) }}"
"""

RETURN = r"""
_value:
  description: One entry per service, sorted by key - C(service) (the key), C(text) (the sentence) and
    C(usd) (its monthly list price).
  type: list
  elements: dict
"""


class FilterModule:
    def filters(self):
        return {"ecs_service_lines": ecs_service_lines}
