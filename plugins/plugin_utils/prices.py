# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A list price of the collection's price table, as listed or per month, for the roles' reports."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.precedentum.deploy.plugins.module_utils.cost_prices import HOURS_PER_MONTH, PRICES

_FAIL = object()


def list_price(key):
    """The entry's price (USD) in its own unit (per hour, per GB, per month...)."""
    if key not in PRICES:
        raise AnsibleFilterError(f"list_price: {key!r} is not in the price table (plugins/module_utils/cost_prices.py)")
    return PRICES[key]["usd"]


def month_usd(key, missing=_FAIL):
    if key not in PRICES:
        if missing is not _FAIL:
            return missing
        raise AnsibleFilterError(f"month_usd: {key!r} is not in the price table (plugins/module_utils/cost_prices.py)")
    usd = PRICES[key]["usd"]
    return round(usd * HOURS_PER_MONTH if key.endswith(".hour") else usd, 2)
