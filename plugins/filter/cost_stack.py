# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cost_stack filter; its code is in plugins/plugin_utils/cost.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.cost import cost_stack

DOCUMENTATION = r"""
name: cost_stack
version_added: 1.0.0
short_description: What an option of the plan runs, as precedentum.deploy.cost_check's stack description
description:
  - Takes the roles' settings (the inventory's values over the roles' defaults) and the usage assumptions
    of the cost role, and returns the stack that the option would run when every phase of the plan is
    in place.
positional: option
options:
  _input:
    description: Settings by variable name (ecs_*, rds_*, network_*, lightsail_*, cost_*).
    type: dict
    required: true
  option:
    description: C(lean), C(ultra_lean), C(growth) or C(production) (the last two are the lean stack grown).
    type: str
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the cost_stack filter
  ansible.builtin.set_fact:
    stack: "{{ __cost_settings | precedentum.deploy.cost_stack('lean') }}"
"""

RETURN = r"""
_value:
  description: The stack description (see the cost_check module's O(precedentum.deploy.cost_check#module:stack)
    option).
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"cost_stack": cost_stack}
