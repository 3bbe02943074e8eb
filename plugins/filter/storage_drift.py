# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The storage_drift filter; its code is in plugins/plugin_utils/storage.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.storage import storage_drift

DOCUMENTATION = r"""
name: storage_drift
version_added: 1.0.0
short_description: The storage role's settings an existing bucket lacks (what check mode would change)
description:
  - Takes one bucket as C(amazon.aws.s3_bucket_info) returns it with the encryption, versioning, public
    access block, ownership controls and lifecycle configuration facts, and returns one sentence per setting
    that differs from the role's (empty when the bucket is as the role makes it).
  - C(amazon.aws.s3_bucket) and C(community.aws.s3_lifecycle) do not run in check mode; the role says
    what they would change from this.
positional: noncurrent_days, abort_days, rule_id, tags, policy_sid
options:
  _input:
    description: The bucket's facts.
    type: dict
    required: true
  noncurrent_days:
    description: C(storage_noncurrent_version_days).
    type: int
    required: true
  abort_days:
    description: C(storage_abort_incomplete_upload_days).
    type: int
    required: true
  rule_id:
    description: The ID of the role's lifecycle rule.
    type: str
    required: true
  tags:
    description: Tags the bucket must carry (others may be there too); with the C(bucket_tagging) fact.
    type: dict
    default: {}
  policy_sid:
    description: The Sid of the role's HTTPS-only statement, checked in the C(bucket_policy) fact when
      given.
    type: str
    default: ''
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the storage_drift filter
  ansible.builtin.set_fact:
    drift: "{{ __bucket | precedentum.deploy.storage_drift(30, 7, 'precedentum-files') }}"
"""

RETURN = r"""
_value:
  description: One sentence per difference.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"storage_drift": storage_drift}
