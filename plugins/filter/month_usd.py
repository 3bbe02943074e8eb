# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The month_usd filter; its code is in plugins/plugin_utils/prices.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.prices import month_usd

DOCUMENTATION = r"""
name: month_usd
version_added: 1.0.0
short_description: The monthly list price (USD) of an entry of the price table
description:
  - Reads the collection's price table (C(plugins/module_utils/cost_prices.py), with its sources) so that
    a role's report and the cost check quote the same figure. An hourly price is taken over 730 hours.
positional: missing
options:
  _input:
    description: The entry, e.g. C(elasticache.cache.t4g.micro.hour) or C(nat.hour).
    type: str
    required: true
  missing:
    description: What to return for an entry the table does not have; without it, the filter fails naming
      the entry.
    type: raw
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the month_usd filter
  ansible.builtin.set_fact:
    nat: "{{ 'nat.hour' | precedentum.deploy.month_usd }}"
"""

RETURN = r"""
_value:
  description: USD a month.
  type: float
"""


class FilterModule:
    def filters(self):
        return {"month_usd": month_usd}
