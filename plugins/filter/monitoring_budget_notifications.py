# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitoring_budget_notifications filter; its code is in plugins/plugin_utils/monitoring.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.monitoring import monitoring_budget_notifications

DOCUMENTATION = r"""
name: monitoring_budget_notifications
version_added: 1.0.0
short_description: The budget module's notifications - actual spend past each amount, forecast past a
  percentage
description:
  - 'Returns the notifications of M(precedentum.deploy.budget): one on actual spend per amount, and one
    on the forecast past O(forecast_percent) of the budget.'
positional: forecast_percent
options:
  _input:
    description: Amounts in USD of actual spend to be told about.
    type: list
    elements: float
    required: true
  forecast_percent:
    description: Percentage of the budget the forecast must pass for its notification.
    type: float
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the monitoring_budget_notifications filter
  ansible.builtin.set_fact:
    notifications: "{{ [40, 60] | precedentum.deploy.monitoring_budget_notifications(100) }}"
"""

RETURN = r"""
_value:
  description: Notifications, as M(precedentum.deploy.budget) takes them.
  type: list
  elements: dict
"""


class FilterModule:
    def filters(self):
        return {"monitoring_budget_notifications": monitoring_budget_notifications}
