# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The list_price filter; its code is in plugins/plugin_utils/prices.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.prices import list_price

DOCUMENTATION = r"""
name: list_price
version_added: 1.0.0
short_description: The list price (USD) of an entry of the price table, in the entry's own unit
description:
  - Per hour, per GB, per month... as the table gives it; P(precedentum.deploy.month_usd#filter) gives
    a monthly figure.
options:
  _input:
    description: The entry, e.g. C(fargate.ARM64.vcpu_hour).
    type: str
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the list_price filter
  ansible.builtin.set_fact:
    vcpu_hour: "{{ 'fargate.X86_64.vcpu_hour' | precedentum.deploy.list_price }}"
"""

RETURN = r"""
_value:
  description: USD per the entry's unit.
  type: float
"""


class FilterModule:
    def filters(self):
        return {"list_price": list_price}
