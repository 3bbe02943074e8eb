# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The office_hours_next filter; its code is in plugins/plugin_utils/office_hours.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.office_hours import office_hours_next

DOCUMENTATION = r"""
name: office_hours_next
version_added: 1.0.0
short_description: The site's next scheduled pause or resume under precedentum_office_hours
description:
  - C(resumes at 08:00 (Mon 2026-12-07, America/Chicago) by its office hours), or empty when off.
options:
  _input:
    description: >-
      C(precedentum_office_hours) - {} (off) or C({days: MON-FRI, start: "08:00", end: "20:00", timezone:
      America/Chicago}).
    type: raw
    required: true
  now:
    description: The time to look from (an aware datetime); the present when omitted.
    type: raw
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the office_hours_next filter
  ansible.builtin.debug:
    msg: "{{ precedentum_office_hours | precedentum.deploy.office_hours_next }}"
"""

RETURN = r"""
_value:
  description: The sentence, or empty.
  type: str
"""


class FilterModule:
    def filters(self):
        return {"office_hours_next": office_hours_next}
