# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The tag_errors filter; its code is in plugins/plugin_utils/network.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.network import tag_problems

DOCUMENTATION = r"""
name: tag_errors
version_added: 1.0.0
short_description: Problems with a tags variable that AWS would refuse
description:
  - A tags variable must be a dictionary of names of 1 to 128 characters, not starting with C(aws:), to
    strings of at most 256 characters, without C(Name) and C(Phase) (the roles set them).
positional: var
options:
  _input:
    description: The tags.
    type: raw
    required: true
  var:
    description: The variable's name, for the messages.
    type: str
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the tag_errors filter
  ansible.builtin.set_fact:
    __errors: "{{ alb_tags | precedentum.deploy.tag_errors('alb_tags') }}"
"""

RETURN = r"""
_value:
  description: One message per problem, each starting with the variable at fault; empty when all is well.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"tag_errors": tag_problems}
