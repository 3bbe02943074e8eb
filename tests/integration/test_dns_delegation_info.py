"""The module dns_delegation_info as a task: the resolver from the environment (the emulator's public DNS),
check mode, and bad input refused before any query."""

from __future__ import annotations

import pytest

from tests.harness.ansible import run_module

MODULE = "precedentum.deploy.dns_delegation_info"


def test_delegation_seen_through_the_resolver_of_the_environment(emulator):
    r53 = emulator.client("route53")
    zone_id = r53.create_hosted_zone(Name="precedentum.example", CallerReference="t")["HostedZone"]["Id"]
    servers = r53.get_hosted_zone(Id=zone_id)["DelegationSet"]["NameServers"]
    before = run_module(MODULE, {"zone": "precedentum.example", "name_servers": servers}, emulator.env(), "--check")
    assert before.rc == 0 and before.result["changed"] is False, before
    assert (before.result["answered"], before.result["rcode"], before.result["delegated"]) == (True, "NXDOMAIN", False)
    emulator.delegate("precedentum.example")
    after = run_module(MODULE, {"zone": "precedentum.example", "name_servers": servers}, emulator.env())
    assert after.result["delegated"] is True and after.result["name_servers"] == sorted(s.lower() for s in servers)
    assert after.result["resolver"] == emulator.env()["PRECEDENTUM_DNS_RESOLVERS"]


@pytest.mark.parametrize("arguments, named", [
    ({"zone": "a..b"}, "zone:"),
    ({"zone": "example.com", "resolvers": ["host:port"]}, "resolvers:"),
    ({"zone": "example.com", "timeout": 0}, "timeout:"),
])
def test_bad_input_is_refused_naming_the_option(emulator, arguments, named):
    run = run_module(MODULE, arguments, emulator.env())
    assert run.rc != 0 and run.result["msg"].startswith(named), run
