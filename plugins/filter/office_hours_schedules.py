# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The office_hours_schedules filter; its code is in plugins/plugin_utils/office_hours.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.office_hours import office_hours_schedules

DOCUMENTATION = r"""
name: office_hours_schedules
version_added: 1.0.0
short_description: The EventBridge Scheduler schedules that carry out office hours
description:
  - For M(precedentum.deploy.eventbridge_schedules) - the database's start and stop, each service's start (the
    count it runs now, 1 when at 0) and stop, the alarms' notifications on and off; [] when off.
positional: prefix, ecs, db_identifier, alarm_names
options:
  _input:
    description: The plan (the C(office_hours_plan) filter's result).
    type: dict
    required: true
  prefix:
    description: The deployment's prefix (the schedules' names start with it).
    type: str
    required: true
  ecs:
    description: The C(ecs) part of M(precedentum.deploy.deployment_info) (the cluster and its services).
    type: dict
    required: true
  db_identifier:
    description: The DB instance's identifier.
    type: str
    required: true
  alarm_names:
    description: The alarms whose notifications go quiet outside office hours.
    type: list
    elements: str
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the office_hours_schedules filter
  ansible.builtin.debug:
    msg: "{{ plan | precedentum.deploy.office_hours_schedules(prefix, found.deployment.ecs, db, []) }}"
"""

RETURN = r"""
_value:
  description: The schedules, each with C(name), C(expression), C(timezone), C(action), C(input) and C(description).
  type: list
  elements: dict
"""


class FilterModule:
    def filters(self):
        return {"office_hours_schedules": office_hours_schedules}
