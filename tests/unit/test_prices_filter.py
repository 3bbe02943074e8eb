"""The month_usd and list_price filters: the roles' reports quote the cost check's own table."""

from __future__ import annotations

import sys

import pytest
from ansible.errors import AnsibleFilterError

from tests.harness.ansible import REPO

sys.path.insert(0, str(REPO / ".collections"))  # the checkout as ansible_collections.precedentum.deploy


def test_monthly_and_listed_prices_come_from_the_table():
    from ansible_collections.precedentum.deploy.plugins.module_utils.cost_prices import HOURS_PER_MONTH, PRICES
    from ansible_collections.precedentum.deploy.plugins.plugin_utils.prices import list_price, month_usd

    assert month_usd("nat.hour") == round(PRICES["nat.hour"]["usd"] * HOURS_PER_MONTH, 2) == 32.85
    assert month_usd("ipv4.hour") == 3.65
    assert month_usd("secretsmanager.secret_month") == 0.4  # a monthly price is not multiplied
    assert month_usd("elasticache.cache.t4g.micro.hour") == 11.68
    assert list_price("fargate.ARM64.vcpu_hour") == PRICES["fargate.ARM64.vcpu_hour"]["usd"]


def test_an_unknown_entry_fails_unless_a_stand_in_is_given():
    from ansible_collections.precedentum.deploy.plugins.plugin_utils.prices import list_price, month_usd

    assert month_usd("elasticache.cache.r7g.large.hour", "?") == "?"
    with pytest.raises(AnsibleFilterError, match="not in the price table"):
        month_usd("elasticache.cache.r7g.large.hour")
    with pytest.raises(AnsibleFilterError, match="not in the price table"):
        list_price("nat.minute")
