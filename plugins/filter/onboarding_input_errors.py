# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding_input_errors filter; its code is in plugins/plugin_utils/onboarding.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.onboarding import onboarding_input_errors

DOCUMENTATION = r"""
name: onboarding_input_errors
version_added: 1.0.0
short_description: Check the onboarding role's inputs (testers, waves, message folder, password length)
description:
  - Checks the inputs of the onboarding role (testers, waves, message folder, password length) before
    any AWS call.
extends_documentation_fragment:
  - precedentum.deploy.input_errors
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the onboarding_input_errors filter
  ansible.builtin.set_fact:
    __inputs: {'onboarding_testers': [{'email': 'ada@example.com'}]}
    __errors: "{{ __inputs | precedentum.deploy.onboarding_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem, each starting with the variable at fault; empty when all is well.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"onboarding_input_errors": onboarding_input_errors}
