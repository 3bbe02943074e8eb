# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitoring_subscriptions filter; its code is in plugins/plugin_utils/monitoring.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.monitoring import monitoring_subscriptions

DOCUMENTATION = r"""
name: monitoring_subscriptions
version_added: 1.0.0
short_description: community.aws.sns_topic's subscriptions for e-mail addresses
description:
  - 'One C({protocol: email, endpoint: address}) per address, in the order given.'
options:
  _input:
    description: E-mail addresses.
    type: list
    elements: str
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the monitoring_subscriptions filter
  ansible.builtin.set_fact:
    subscriptions: "{{ monitoring_alert_emails | precedentum.deploy.monitoring_subscriptions }}"
"""

RETURN = r"""
_value:
  description: Subscriptions, as C(community.aws.sns_topic) takes them.
  type: list
  elements: dict
"""


class FilterModule:
    def filters(self):
        return {"monitoring_subscriptions": monitoring_subscriptions}
