# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ecs_input_errors filter; its code is in plugins/plugin_utils/ecs.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.ecs import ecs_input_errors

DOCUMENTATION = r"""
name: ecs_input_errors
version_added: 1.0.0
short_description: Check the ecs role's inputs (Fargate sizes, environment, ports, log retention, one-off
  tasks)
description:
  - Checks the inputs of the ecs role (Fargate sizes, environment, ports, log retention, one-off tasks)
    before any AWS call.
extends_documentation_fragment:
  - precedentum.deploy.input_errors
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the ecs_input_errors filter
  ansible.builtin.set_fact:
    __inputs: {'ecs_backend_cpu': 256, 'ecs_backend_memory': 512}
    __errors: "{{ __inputs | precedentum.deploy.ecs_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem, each starting with the variable at fault; empty when all is well.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"ecs_input_errors": ecs_input_errors}
