# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitoring_dashboard filter; its code is in plugins/plugin_utils/monitoring.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.monitoring import monitoring_dashboard

DOCUMENTATION = r"""
name: monitoring_dashboard
version_added: 1.0.0
short_description: The CloudWatch dashboard body for the resources found
description:
  - ECS CPU and memory, RDS connections, CPU, storage and credits, ALB requests, 5XX and latency - two
    widgets a row, 12 columns each.
options:
  _input:
    description: The resources found, as for P(precedentum.deploy.monitoring_alarms#filter).
    type: dict
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the monitoring_dashboard filter
  ansible.builtin.set_fact:
    body: "{{ __found | precedentum.deploy.monitoring_dashboard }}"
"""

RETURN = r"""
_value:
  description: The dashboard body (C(widgets)), for M(precedentum.deploy.cloudwatch_dashboard).
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"monitoring_dashboard": monitoring_dashboard}
