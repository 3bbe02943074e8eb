# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cost_tier filter; its code is in plugins/plugin_utils/cost.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.cost import cost_tier

DOCUMENTATION = r"""
name: cost_tier
version_added: 1.0.0
short_description: One tier of the cost comparison - an option's name and its stack, as cost_check's tiers
  take them
description:
  - Returns C({name, stack}) for an option, the stack as P(precedentum.deploy.cost_stack#filter) computes
    it from the settings.
positional: settings
options:
  _input:
    description: The option, C(lean), C(ultra_lean), C(growth) or C(production).
    type: str
    required: true
  settings:
    description: Settings by variable name, as for P(precedentum.deploy.cost_stack#filter).
    type: dict
    required: true
  left_out:
    description: For an option the settings cannot run, return C({name, left_out}) with the reason instead of
      failing.
    type: bool
    default: false
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the cost_tier filter
  ansible.builtin.set_fact:
    tiers: "{{ ['lean', 'ultra_lean'] | map('precedentum.deploy.cost_tier', __cost_settings) | list }}"
"""

RETURN = r"""
_value:
  description: C(name) (the option) and C(stack) (its stack description), or C(left_out) (why it cannot run)
    with O(left_out).
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"cost_tier": cost_tier}
