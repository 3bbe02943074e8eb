# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitoring_alarms filter; its code is in plugins/plugin_utils/monitoring.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.monitoring import monitoring_alarms

DOCUMENTATION = r"""
name: monitoring_alarms
version_added: 1.0.0
short_description: The CloudWatch alarms of the monitoring role for the resources found
description:
  - Returns one alarm per check and resource found (ECS services, the RDS instance, the load balancer
    and its target groups), as arguments of C(amazon.aws.cloudwatch_metric_alarm) - the plan's three checks
    and the three a t4g.micro database needs.
options:
  _input:
    description: C(prefix), C(services) (ECS service names), C(cluster), C(db) (instance id or empty),
      C(alb) (the load balancer's ARN or empty), C(target_groups) (ARNs), C(topic) (SNS topic ARN), and
      the thresholds.
    type: dict
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the monitoring_alarms filter
  ansible.builtin.set_fact:
    alarms: "{{ __found | precedentum.deploy.monitoring_alarms }}"
"""

RETURN = r"""
_value:
  description: Arguments of C(amazon.aws.cloudwatch_metric_alarm), one mapping per alarm.
  type: list
  elements: dict
"""


class FilterModule:
    def filters(self):
        return {"monitoring_alarms": monitoring_alarms}
