# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rds_input_errors filter; its code is in plugins/plugin_utils/rds.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.rds import rds_input_errors

DOCUMENTATION = r"""
name: rds_input_errors
version_added: 1.0.0
short_description: Check the rds role's inputs (instance class, storage, backup retention, port, waits)
description:
  - Checks the inputs of the rds role (instance class, storage, backup retention, port, waits) before
    any AWS call.
extends_documentation_fragment:
  - precedentum.deploy.input_errors
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the rds_input_errors filter
  ansible.builtin.set_fact:
    __inputs: {'rds_allocated_storage': 20, 'rds_port': 5432}
    __errors: "{{ __inputs | precedentum.deploy.rds_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem, each starting with the variable at fault; empty when all is well.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"rds_input_errors": rds_input_errors}
