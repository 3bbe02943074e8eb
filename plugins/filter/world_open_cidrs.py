# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The world_open_cidrs filter; its code is in plugins/plugin_utils/network.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.network import world_open_cidrs

DOCUMENTATION = r"""
name: world_open_cidrs
version_added: 1.0.0
short_description: The CIDR blocks of a list that cover the whole address space
description:
  - Returns the blocks of prefix length 0 (C(0.0.0.0/0), C(::/0)), which open a port to everyone, so that
    a role can refuse them unless asked.
options:
  _input:
    description: CIDR blocks.
    type: list
    elements: str
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the world_open_cidrs filter
  ansible.builtin.set_fact:
    world: "{{ network_db_allowed_cidrs | precedentum.deploy.world_open_cidrs }}"
"""

RETURN = r"""
_value:
  description: The blocks open to everyone.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"world_open_cidrs": world_open_cidrs}
