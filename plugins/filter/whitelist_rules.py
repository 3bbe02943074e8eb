# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The whitelist_rules filter; its code is in plugins/plugin_utils/network.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.network import whitelist_rules

DOCUMENTATION = r"""
name: whitelist_rules
version_added: 1.0.0
short_description: Security group rules opening a TCP port to each CIDR block
description:
  - One rule per block, C(cidr_ip) or C(cidr_ipv6) by its version, as C(amazon.aws.ec2_security_group)
    takes them.
positional: port, description
options:
  _input:
    description: CIDR blocks.
    type: list
    elements: str
    required: true
  port:
    description: The TCP port.
    type: int
    required: true
  description:
    description: The rules' description.
    type: str
    default: Operator whitelist
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the whitelist_rules filter
  ansible.builtin.set_fact:
    rules: "{{ network_db_allowed_cidrs | precedentum.deploy.whitelist_rules(5432) }}"
"""

RETURN = r"""
_value:
  description: Rules for C(amazon.aws.ec2_security_group).
  type: list
  elements: dict
"""


class FilterModule:
    def filters(self):
        return {"whitelist_rules": whitelist_rules}
