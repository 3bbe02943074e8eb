# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The office_hours_problems filter; its code is in plugins/plugin_utils/office_hours.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.office_hours import office_hours_problems

DOCUMENTATION = r"""
name: office_hours_problems
version_added: 1.0.0
short_description: What is wrong with precedentum_office_hours, each naming it
description:
  - Days (C(MON-FRI), C(MON,WED,FRI)), start and end (HH:MM, end after start, not too close to midnight for the
    database's start and stop), a time zone of the tz database; [] when off or right.
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
- name: Use the office_hours_problems filter
  ansible.builtin.debug:
    msg: "{{ precedentum_office_hours | precedentum.deploy.office_hours_problems }}"
"""

RETURN = r"""
_value:
  description: The problems, each a sentence naming the key.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"office_hours_problems": office_hours_problems}
