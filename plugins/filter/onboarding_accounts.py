# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding_accounts filter; its code is in plugins/plugin_utils/onboarding.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.onboarding import onboarding_accounts

DOCUMENTATION = r"""
name: onboarding_accounts
version_added: 1.0.0
short_description: The testers of one wave as app accounts
description:
  - Returns, in inventory order, the testers of wave 1, wave 2 or C(all), each as C(username), C(email),
    C(first_name), C(last_name), C(name), C(wave).
  - A tester's wave is its C(wave) key, or 1 for the first O(wave1_size) testers without one and 2 for
    the rest.
  - The username is the C(username) key, or the lower-cased e-mail, as Django stores it (NFKC); the e-mail's
    domain is lower-cased, as Django's C(normalize_email) does.
positional: wave, wave1_size
options:
  _input:
    description: The testers (C(onboarding_testers)) - mappings with C(email) and optionally C(name),
      C(username), C(wave).
    type: list
    elements: dict
    required: true
  wave:
    description: C(1), C(2) or C(all).
    type: raw
    default: all
  wave1_size:
    description: How many testers without a C(wave) key are in wave 1.
    type: int
    default: 2
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the onboarding_accounts filter
  ansible.builtin.set_fact:
    accounts: "{{ onboarding_testers | precedentum.deploy.onboarding_accounts(1, 2) }}"
"""

RETURN = r"""
_value:
  description: The accounts.
  type: list
  elements: dict
"""


class FilterModule:
    def filters(self):
        return {"onboarding_accounts": onboarding_accounts}
