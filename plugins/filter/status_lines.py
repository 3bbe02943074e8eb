# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status_lines filter; its code is in plugins/plugin_utils/status.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.status import status_lines

DOCUMENTATION = r"""
name: status_lines
version_added: 1.0.0
short_description: The status screen of status.yml - running or paused, the address, each service, the database
description:
  - One line per thing - the deployment's state (C(RUNNING), C(PAUSED), C(PAUSING), C(RESUMING), C(WITHOUT TASKS),
    C(NOT DEPLOYED)) with why, the next scheduled change, the site's addresses, each service's tasks, rollout, image
    tag, deployment time, healthy targets and ECS Exec when on, the ultra-lean container service's ACTIVE deployment,
    the database's state and storage, the alarms and this month's spend.
positional: https_domain, next_change
options:
  _input:
    description: >-
      What M(precedentum.deploy.deployment_info) returned as RV(precedentum.deploy.deployment_info#module:deployment)
      (any of its parts).
    type: dict
    required: true
  https_domain:
    description: The site's own domain (C(alb_https_domain)), shown first when set.
    type: str
    default: ""
  next_change:
    description: The next scheduled pause or resume, as a sentence; empty leaves the line out.
    type: str
    default: ""
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Show the status
  ansible.builtin.debug:
    msg: "{{ found.deployment | precedentum.deploy.status_lines(alb_https_domain | default('')) }}"
"""

RETURN = r"""
_value:
  description: The lines, in the order above.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"status_lines": status_lines}
