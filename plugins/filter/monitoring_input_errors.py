# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitoring_input_errors filter; its code is in plugins/plugin_utils/monitoring.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.monitoring import monitoring_input_errors

DOCUMENTATION = r"""
name: monitoring_input_errors
version_added: 1.0.0
short_description: Check the monitoring role's inputs (e-mail addresses, thresholds, budget amounts)
description:
  - Checks the inputs of the monitoring role (e-mail addresses, thresholds, budget amounts) before any
    AWS call.
extends_documentation_fragment:
  - precedentum.deploy.input_errors
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the monitoring_input_errors filter
  ansible.builtin.set_fact:
    __inputs: {'monitoring_alert_emails': ['ops@example.com']}
    __errors: "{{ __inputs | precedentum.deploy.monitoring_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem, each starting with the variable at fault; empty when all is well.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"monitoring_input_errors": monitoring_input_errors}
