# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network_input_errors filter; its code is in plugins/plugin_utils/network.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.network import network_input_errors

DOCUMENTATION = r"""
name: network_input_errors
version_added: 1.0.0
short_description: Check the network role's inputs (CIDRs, zones, ports, the database whitelist)
description:
  - Checks the inputs of the network role (CIDRs, zones, ports, the database whitelist) before any AWS
    call.
  - 'Uses Python''s C(ipaddress) module: subnets must be IPv4 /16 to /28 blocks inside the VPC, overlapping
    none.'
extends_documentation_fragment:
  - precedentum.deploy.input_errors
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the network_input_errors filter
  ansible.builtin.set_fact:
    __inputs: {'network_vpc_cidr': '10.0.0.0/16'}
    __errors: "{{ __inputs | precedentum.deploy.network_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem, each starting with the variable at fault; empty when all is well.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"network_input_errors": network_input_errors}
