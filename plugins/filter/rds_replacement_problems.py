# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rds_replacement_problems filter; its code is in plugins/plugin_utils/rds.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.rds import rds_replacement_problems

DOCUMENTATION = r"""
name: rds_replacement_problems
version_added: 1.0.0
short_description: Changes to an existing RDS instance that would need a new instance
description:
  - Compares the instance as C(amazon.aws.rds_instance_info) returns it with the role's inputs and returns
    one explanation per change that AWS cannot make in place (or that loses data). Empty when none.
positional: desired
options:
  _input:
    description: The current instance, or an empty dict when none exists.
    type: dict
    required: true
  desired:
    description: The role's inputs, keyed by variable name.
    type: dict
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the rds_replacement_problems filter
  ansible.builtin.set_fact:
    problems: "{{ __rds_current | precedentum.deploy.rds_replacement_problems(__rds_inputs) }}"
"""

RETURN = r"""
_value:
  description: Explanations, each naming the variable.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"rds_replacement_problems": rds_replacement_problems}
