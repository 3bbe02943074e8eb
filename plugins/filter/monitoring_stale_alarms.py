# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitoring_stale_alarms filter; its code is in plugins/plugin_utils/monitoring.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.monitoring import monitoring_stale_alarms

DOCUMENTATION = r"""
name: monitoring_stale_alarms
version_added: 1.0.0
short_description: Names of alarms of ours that are no longer wanted
description:
  - An alarm is ours when its name starts with the prefix and ends with one of the role's alarm endings;
    it is stale when it is not among the wanted ones (a service or a database that is gone).
positional: prefix, wanted
options:
  _input:
    description: The names of the alarms the account holds.
    type: list
    elements: str
    required: true
  prefix:
    description: The deployment's name prefix.
    type: str
    required: true
  wanted:
    description: The names of the alarms wanted now.
    type: list
    elements: str
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the monitoring_stale_alarms filter
  ansible.builtin.set_fact:
    stale: "{{ __held | precedentum.deploy.monitoring_stale_alarms('precedentum-testing', __wanted) }}"
"""

RETURN = r"""
_value:
  description: The stale alarms' names.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"monitoring_stale_alarms": monitoring_stale_alarms}
