# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rds_offered_version_problem filter; its code is in plugins/plugin_utils/rds.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.rds import rds_offered_version_problem

DOCUMENTATION = r"""
name: rds_offered_version_problem
version_added: 1.0.0
short_description: Why RDS would refuse the requested engine version, or an empty string
description:
  - A pinned minor that RDS no longer offers is named with the offered ones of that major. A major alone,
    or the version running now, needs no look.
positional: offered, current
options:
  _input:
    description: The version requested.
    type: str
    required: true
  offered:
    description: The versions RDS offers (C(rds describe-db-engine-versions)).
    type: list
    elements: str
    required: true
  current:
    description: The current instance, if any.
    type: dict
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the rds_offered_version_problem filter
  ansible.builtin.set_fact:
    problem: "{{ __rds_engine_version | precedentum.deploy.rds_offered_version_problem(__offered) }}"
"""

RETURN = r"""
_value:
  description: The reason, naming C(rds_engine_version); empty when RDS offers the version.
  type: str
"""


class FilterModule:
    def filters(self):
        return {"rds_offered_version_problem": rds_offered_version_problem}
