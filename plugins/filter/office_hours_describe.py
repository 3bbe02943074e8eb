# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The office_hours_describe filter; its code is in plugins/plugin_utils/office_hours.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.office_hours import office_hours_describe

DOCUMENTATION = r"""
name: office_hours_describe
version_added: 1.0.0
short_description: precedentum_office_hours in words
description:
  - C(MON,TUE,WED,THU,FRI 08:00-20:00 America/Chicago (60 h a week)), or C(off).
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
- name: Use the office_hours_describe filter
  ansible.builtin.debug:
    msg: "{{ precedentum_office_hours | precedentum.deploy.office_hours_describe }}"
"""

RETURN = r"""
_value:
  description: The words.
  type: str
"""


class FilterModule:
    def filters(self):
        return {"office_hours_describe": office_hours_describe}
