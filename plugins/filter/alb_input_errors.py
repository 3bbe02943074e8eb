# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The alb_input_errors filter; its code is in plugins/plugin_utils/alb.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.alb import alb_input_errors

DOCUMENTATION = r"""
name: alb_input_errors
version_added: 1.0.0
short_description: Check the alb role's inputs (name prefix, paths, health-check timing, ports, tags,
  waits)
description:
  - Checks the inputs of the alb role (name prefix, paths, health-check timing, ports, tags, waits) before
    any AWS call.
extends_documentation_fragment:
  - precedentum.deploy.input_errors
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the alb_input_errors filter
  ansible.builtin.set_fact:
    __inputs: {'alb_name_prefix': 'precedentum-testing', 'alb_backend_port': 8000}
    __errors: "{{ __inputs | precedentum.deploy.alb_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem, each starting with the variable at fault; empty when all is well.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"alb_input_errors": alb_input_errors}
