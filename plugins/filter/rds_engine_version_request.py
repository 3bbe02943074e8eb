# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rds_engine_version_request filter; its code is in plugins/plugin_utils/rds.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.rds import rds_engine_version_request

DOCUMENTATION = r"""
name: rds_engine_version_request
version_added: 1.0.0
short_description: The engine version to send to RDS
description:
  - A major-only input keeps the current minor (no needless modification); so does a pinned minor older
    than the running one of the same major - RDS upgraded it (C(auto_minor_version_upgrade)) and would
    refuse going back.
positional: current
options:
  _input:
    description: C(rds_engine_version), a major (C(16)) or a major and minor (C(16.4)).
    type: str
    required: true
  current:
    description: The current instance, as C(amazon.aws.rds_instance_info) returns it (none for a new one).
    type: dict
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the rds_engine_version_request filter
  ansible.builtin.set_fact:
    engine_version: "{{ rds_engine_version | precedentum.deploy.rds_engine_version_request(__rds_current) }}"
"""

RETURN = r"""
_value:
  description: The version to send.
  type: str
"""


class FilterModule:
    def filters(self):
        return {"rds_engine_version_request": rds_engine_version_request}
