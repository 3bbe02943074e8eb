# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The unknown_role_vars filter; its code is in plugins/plugin_utils/roles.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.roles import unknown_role_vars

DOCUMENTATION = r"""
name: unknown_role_vars
version_added: 1.0.0
short_description: Names among a role's prefixed variables that its argument spec does not know
description:
  - Takes the names of the variables that start with the role's prefix (from the C(ansible.builtin.varnames)
    lookup), reads the role's C(meta/argument_specs.yml) (every entry point), and returns the names it
    does not declare, less the role's documented outputs. A typo such as C(rds_instance_clas) is then
    refused instead of silently ignored.
positional: role_path, outputs
options:
  _input:
    description: Variable names, e.g. C(query('ansible.builtin.varnames', '^rds_')).
    type: list
    elements: str
    required: true
  role_path:
    description: The role's folder (C(role_path)).
    type: str
    required: true
  outputs:
    description: Facts the role sets, which are not inputs.
    type: list
    elements: str
    default: []
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the unknown_role_vars filter
  ansible.builtin.set_fact:
    unknown: >-
      {{ query('ansible.builtin.varnames', '^alb_')
         | precedentum.deploy.unknown_role_vars(role_path, ['alb_dns_name']) }}
"""

RETURN = r"""
_value:
  description: The unknown names.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"unknown_role_vars": unknown_role_vars}
