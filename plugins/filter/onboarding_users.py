# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The onboarding_users filter; its code is in plugins/plugin_utils/onboarding.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.onboarding import onboarding_users

DOCUMENTATION = r"""
name: onboarding_users
version_added: 1.0.0
short_description: The accounts as precedentum.deploy.django_users takes them
description:
  - Keeps C(username), C(email), C(first_name) and C(last_name) of each account.
options:
  _input:
    description: The accounts, as P(precedentum.deploy.onboarding_accounts#filter) returns them.
    type: list
    elements: dict
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the onboarding_users filter
  ansible.builtin.set_fact:
    users: "{{ __accounts | precedentum.deploy.onboarding_users }}"
"""

RETURN = r"""
_value:
  description: Users for M(precedentum.deploy.django_users).
  type: list
  elements: dict
"""


class FilterModule:
    def filters(self):
        return {"onboarding_users": onboarding_users}
