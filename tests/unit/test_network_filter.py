"""The network input checks, as pure logic (no Ansible, no AWS)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.harness.ansible import REPO

_spec = importlib.util.spec_from_file_location("network_filter", REPO / "plugins/plugin_utils/network.py")
nf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nf)

GOOD = {
    "network_name_prefix": "precedentum-testing",
    "network_tags": {"Project": "precedentum", "Environment": "testing"},
    "network_vpc_cidr": "10.0.0.0/16",
    "network_public_subnet_cidrs": ["10.0.0.0/24", "10.0.1.0/24"],
    "network_availability_zones": [],
    "network_app_ports": [80, 8000],
    "network_db_port": 5432,
    "network_db_allowed_cidrs": [],
    "network_db_allow_world": False,
}


def errors_with(**changes):
    return nf.network_input_errors({**GOOD, **changes})


def test_defaults_are_accepted():
    assert nf.network_input_errors(GOOD) == []


def test_explicit_zones_one_per_subnet_are_accepted():
    assert errors_with(network_availability_zones=["us-east-1a", "us-east-1c"]) == []


def test_private_subnets_with_one_or_a_gateway_per_zone_are_accepted():
    for nat in ("one", "per_zone"):
        private = ["10.0.10.0/24", "10.0.11.0/24"]
        assert errors_with(network_private_subnet_cidrs=private, network_nat_gateways=nat) == []


@pytest.mark.parametrize(
    ("changes", "needle"),
    [
        ({"network_vpc_cidr": "10.0.0.0/15"}, "network_vpc_cidr"),
        ({"network_vpc_cidr": "2001:db8::/56"}, "IPv4"),
        ({"network_availability_zones": ["us-east-1a", "us-east-1b", "us-east-1c"]}, "one zone per subnet"),
        ({"network_public_subnet_cidrs": ["10.0.0.0/24", "10.0.0.0/24"]}, "overlaps"),
        ({"network_public_subnet_cidrs": ["10.0.0.0/29", "10.0.1.0/24", "10.0.0.0/15"]}, "inside network_vpc_cidr"),
        ({"network_app_ports": []}, "at least one port"),
        ({"network_app_ports": [True]}, "network_app_ports[0]"),
        ({"network_db_port": 0}, "network_db_port"),
        ({"network_name_prefix": "a--b"}, "network_name_prefix"),
        ({"network_name_prefix": "9lives"}, "network_name_prefix"),
        ({"network_tags": {"aws:cost": "x"}}, "aws:"),
        ({"network_tags": {"Name": "x"}}, "leave out Name"),
        ({"network_tags": {"Owner": "x" * 257}}, "256"),
        ({"network_private_subnet_cidrs": ["10.0.10.0/24"]}, "as many as network_public_subnet_cidrs"),
        ({"network_private_subnet_cidrs": ["10.0.10.0/24", "10.0.1.0/24"]},
         "network_private_subnet_cidrs[1]: 10.0.1.0/24 overlaps network_public_subnet_cidrs[1]"),
        ({"network_private_subnet_cidrs": ["10.0.10.0/24", "10.0.10.0/25"]},
         "network_private_subnet_cidrs[1]: 10.0.10.0/25 overlaps network_private_subnet_cidrs[0]"),
        ({"network_private_subnet_cidrs": ["10.0.10.0/24", "10.9.0.0/24"]}, "inside network_vpc_cidr"),
        ({"network_private_subnet_cidrs": ["10.0.10.0/24", "private"]}, "network_private_subnet_cidrs[1]"),
        ({"network_private_subnet_cidrs": "10.0.10.0/24"}, "must be a list"),
        ({"network_vpc_cidr": "10.0.0.0/33"}, "network_vpc_cidr"),
        ({"network_vpc_cidr": "10.0.0.0/8"}, "network_vpc_cidr"),
        ({"network_vpc_cidr": "10.0.0.1/16"}, "network_vpc_cidr"),
        ({"network_availability_zones": ["us-east-1a", "us-east-1a"]}, "network_availability_zones"),
        ({"network_public_subnet_cidrs": ["10.0.0.0/23", "10.0.1.0/24"]}, "network_public_subnet_cidrs[1]"),
        ({"network_app_ports": [80, 70000]}, "network_app_ports[1]"),
        ({"network_db_allowed_cidrs": ["198.51.100.7"]}, "network_db_allowed_cidrs[0]"),
        ({"network_db_allowed_cidrs": ["::/0"]}, "network_db_allowed_cidrs[0]"),
        ({"network_name_prefix": "precedentum-testing-longname"}, "network_name_prefix"),
    ],
)
def test_each_bad_input_is_named(changes, needle):
    found = errors_with(**changes)
    assert found, f"{changes} accepted"
    assert any(needle in e for e in found), found


def test_world_open_whitelist_needs_opt_in():
    assert errors_with(network_db_allowed_cidrs=["0.0.0.0/0"])
    assert errors_with(network_db_allowed_cidrs=["0.0.0.0/0"], network_db_allow_world=True) == []
    assert nf.world_open_cidrs(["203.0.113.7/32", "0.0.0.0/0", "::/0"]) == ["0.0.0.0/0", "::/0"]


def test_whitelist_rules_use_the_right_key_per_ip_version():
    rules = nf.whitelist_rules(["203.0.113.7/32", "2001:db8::/64"], 5432)
    assert rules[0]["cidr_ip"] == "203.0.113.7/32" and rules[0]["ports"] == [5432]
    assert rules[1]["cidr_ipv6"] == "2001:db8::/64" and "cidr_ip" not in rules[1]
