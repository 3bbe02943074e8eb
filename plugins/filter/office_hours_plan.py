# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The office_hours_plan filter; its code is in plugins/plugin_utils/office_hours.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.office_hours import office_hours_plan

DOCUMENTATION = r"""
name: office_hours_plan
version_added: 1.0.0
short_description: What precedentum_office_hours means - days, times, hours a week, the schedules' cron expressions
description:
  - An empty dict when off. Else C(days), C(timezone), C(start) and C(end) (minutes of the day), C(task_hours_per_week),
    C(db_hours_per_week) (20 minutes before, 10 after each office day), C(cron) (each step's cron expression)
    and C(clock) (each step's HH:MM).
options:
  _input:
    description: >-
      C(precedentum_office_hours) - {} (off) or C({days: MON-FRI, start: "08:00", end: "20:00", timezone:
      America/Chicago}).
    type: raw
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the office_hours_plan filter
  ansible.builtin.debug:
    msg: "{{ precedentum_office_hours | precedentum.deploy.office_hours_plan }}"
"""

RETURN = r"""
_value:
  description: The plan, {} when off.
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"office_hours_plan": office_hours_plan}
