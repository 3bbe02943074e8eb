# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding_resets filter; its code is in plugins/plugin_utils/onboarding.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.onboarding import onboarding_resets

DOCUMENTATION = r"""
name: onboarding_resets
version_added: 1.0.0
short_description: The usernames of the accounts whose password is to be reset
description:
  - Matches each entry of the input, a username or an e-mail address, against the accounts.
positional: accounts
options:
  _input:
    description: Usernames or e-mail addresses (C(onboarding_reset_passwords)).
    type: list
    elements: str
    required: true
  accounts:
    description: The accounts, as P(precedentum.deploy.onboarding_accounts#filter) returns them.
    type: list
    elements: dict
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the onboarding_resets filter
  ansible.builtin.set_fact:
    resets: "{{ onboarding_reset_passwords | precedentum.deploy.onboarding_resets(__accounts) }}"
"""

RETURN = r"""
_value:
  description: Usernames.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"onboarding_resets": onboarding_resets}
