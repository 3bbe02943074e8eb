# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lightsail_input_errors filter; its code is in plugins/plugin_utils/lightsail.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.lightsail import lightsail_input_errors

DOCUMENTATION = r"""
name: lightsail_input_errors
version_added: 1.0.0
short_description: Check the lightsail role's inputs (power, scale, database bundle, ports, public window)
description:
  - Checks the inputs of the lightsail role (power, scale, database bundle, ports, public window) before
    any AWS call.
extends_documentation_fragment:
  - precedentum.deploy.input_errors
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the lightsail_input_errors filter
  ansible.builtin.set_fact:
    __inputs: {'lightsail_power': 'micro', 'lightsail_scale': 1}
    __errors: "{{ __inputs | precedentum.deploy.lightsail_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem, each starting with the variable at fault; empty when all is well.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"lightsail_input_errors": lightsail_input_errors}
