"""The NS lookup of module_utils/dns.py against the loopback public DNS of tests/harness/fake_dns.py (real
UDP; no query leaves the machine), and the parts of an answer it must read."""

from __future__ import annotations

import json
import socket
import struct

import pytest
from ansible_collections.precedentum.deploy.plugins.module_utils import dns

from tests.harness import fake_dns

SERVERS = ["ns-1.awsdns-01.org", "ns-2.awsdns-02.co.uk"]


@pytest.fixture
def public_dns(tmp_path):
    zones = tmp_path / "zones.json"
    zones.write_text(json.dumps({"precedentum.example": {"ns": SERVERS}, "silent.example": {"silent": True},
                                 "broken.example": {"rcode": 2}}))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake_dns.serve(port, str(zones))
    return f"127.0.0.1:{port}"


def test_a_delegated_zone_answers_its_name_servers(public_dns):
    assert dns.query_ns("Precedentum.Example.", public_dns) == {"rcode": "NOERROR", "name_servers": sorted(SERVERS)}
    found = dns.delegation("precedentum.example", ["NS-1.awsdns-01.org."], [public_dns])
    assert (found["answered"], found["delegated"], found["resolver"]) == (True, True, public_dns)


def test_a_zone_served_by_other_name_servers_is_not_delegated(public_dns):
    found = dns.delegation("precedentum.example", ["ns-9.awsdns-09.net"], [public_dns])
    assert (found["answered"], found["delegated"], found["name_servers"]) == (True, False, sorted(SERVERS))
    missing = dns.delegation("nowhere.example", ["ns-9.awsdns-09.net"], [public_dns])
    assert (missing["answered"], missing["rcode"], missing["delegated"]) == (True, "NXDOMAIN", False)


def test_a_resolver_that_does_not_answer_is_reported_and_the_next_one_asked(public_dns):
    silent = dns.delegation("silent.example", SERVERS, [public_dns], timeout=0.3)
    assert (silent["answered"], silent["delegated"]) == (False, None)
    assert silent["errors"] == [f"{public_dns}: no answer within 0.3 s"]
    failing = dns.delegation("broken.example", SERVERS, [public_dns, public_dns], timeout=0.3)
    assert failing["errors"] == [f"{public_dns}: answered SERVFAIL"] * 2 and not failing["answered"]
    then = dns.delegation("precedentum.example", SERVERS, ["127.0.0.1:9", public_dns], timeout=0.3)
    assert then["answered"] and then["resolver"] == public_dns and len(then["errors"]) == 1
    assert dns.delegation("precedentum.example", SERVERS, [])["errors"] == ["no resolver to ask"]


def test_compressed_names_and_a_foreign_answer_id():
    query_id, query = dns.build_query("example.com", query_id=7)
    question = query[12:]
    # One NS record whose target ends with a pointer to the question's name: "ns1" + example.com.
    rdata = b"\x03ns1\xc0\x0c"
    answer = struct.pack("!HHHHHH", 7, 0x8180, 1, 1, 0, 0) + question
    answer += struct.pack("!HHHIH", 0xC00C, dns.NS, 1, 60, len(rdata)) + rdata
    assert dns.parse_response(answer, 7)["name_servers"] == ["ns1.example.com"]
    with pytest.raises(dns.DnsError, match="another question"):
        dns.parse_response(answer, 8)
    looping = struct.pack("!HHHHHH", 7, 0x8180, 0, 1, 0, 0) + b"\xc0\x0c"
    with pytest.raises(dns.DnsError, match="loop"):
        dns.parse_response(looping, 7)
    with pytest.raises(dns.DnsError, match="shorter"):
        dns.parse_response(b"\x00\x07", 7)


@pytest.mark.parametrize("text, parsed", [("10.0.0.2", ("10.0.0.2", 53)), ("127.0.0.1:5353", ("127.0.0.1", 5353)),
                                          ("[::1]:5300", ("::1", 5300)), ("::1", ("::1", 53))])
def test_resolver_addresses(text, parsed):
    assert dns.parse_resolver(text) == parsed


@pytest.mark.parametrize("text", ["", "host:port", "1.2.3.4:70000", "[::1]:x"])
def test_bad_resolver_addresses_are_refused(text):
    with pytest.raises(ValueError):
        dns.parse_resolver(text)


def test_the_machines_resolvers_come_from_resolv_conf(tmp_path):
    conf = tmp_path / "resolv.conf"
    conf.write_text("# comment\nsearch example\nnameserver 10.0.0.2\nnameserver ::1\noptions ndots:1\n")
    assert dns.system_resolvers(str(conf)) == ["10.0.0.2", "::1"]
    assert dns.system_resolvers(str(tmp_path / "none")) == []


@pytest.mark.parametrize("name", ["", "a..b", "x" * 64 + ".example"])
def test_bad_names_are_refused(name):
    with pytest.raises(ValueError):
        dns.encode_name(name)
