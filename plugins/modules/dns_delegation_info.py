#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: dns_delegation_info
short_description: Ask public DNS which name servers serve a zone, and whether they are the expected ones
version_added: 1.0.0
description:
  - Sends an NS query for O(zone) to a DNS resolver (the machine's own, from C(/etc/resolv.conf), unless
    O(resolvers) names others) and reports the name servers it answers with.
  - With O(name_servers), says whether the domain is delegated to them - at least one of them is in the
    answer. ACM validates a certificate through public DNS, so a Route 53 zone nobody delegated to cannot
    validate it; phase 3.1 asks this before waiting.
  - Before a zone is made, says whether the domain is already served elsewhere (its NS answer is not empty),
    which makes delegating it to a new zone replace all of its DNS records.
  - A resolver that does not answer is not an error - RV(answered) is false and RV(errors) says why, so the
    caller can say it cannot tell.
  - Never changes anything (read-only; runs in check mode too).
options:
  zone:
    description: The zone's name, e.g. C(example.com).
    type: str
    required: true
  name_servers:
    description: The name servers the zone should be delegated to (Route 53's delegation set).
    type: list
    elements: str
    default: []
  resolvers:
    description:
      - Resolvers to ask, in order, until one answers - C(host), C(host:port) or C([v6]:port).
      - Empty for the machine's resolvers (C(/etc/resolv.conf)).
      - Read from the environment variable E(PRECEDENTUM_DNS_RESOLVERS) (comma-separated) when not given.
    type: list
    elements: str
  timeout:
    description: Seconds to wait for each resolver's answer.
    type: float
    default: 3
extends_documentation_fragment:
  - precedentum.deploy.attributes.info_module
author:
  - Precedentum founding team (@precedentum)
notes:
  - Needs no AWS permission. The query goes to the resolvers only (UDP 53, TCP when the answer is truncated).
  - A recursive resolver may keep an old answer until its TTL runs out (up to two days for a registrar's NS
    records), so a delegation made minutes ago can still show the old name servers.
"""

EXAMPLES = r"""
- name: Is app.example.com delegated to its Route 53 zone?
  precedentum.deploy.dns_delegation_info:
    zone: app.example.com
    name_servers: "{{ zone_details.DelegationSet.NameServers }}"
  register: delegation
"""

RETURN = r"""
answered:
  description: Whether a resolver answered (NOERROR or NXDOMAIN).
  returned: always
  type: bool
  sample: true
resolver:
  description: The resolver that answered (null when none did).
  returned: always
  type: str
  sample: 127.0.0.53:53
rcode:
  description: Its response code, C(NOERROR) or C(NXDOMAIN) (null when none answered).
  returned: always
  type: str
  sample: NOERROR
name_servers:
  description: The zone's name servers as public DNS sees them, lower case, without the final dot.
  returned: always
  type: list
  elements: str
  sample: [ns-1.awsdns-01.org]
delegated:
  description: Whether one of O(name_servers) is among them (null when no resolver answered or none was given).
  returned: always
  type: bool
  sample: true
errors:
  description: One line a resolver that did not answer.
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible_collections.precedentum.deploy.plugins.module_utils.dns import (
    delegation,
    encode_name,
    parse_resolver,
    system_resolvers,
)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            zone=dict(type="str", required=True),
            name_servers=dict(type="list", elements="str", default=[]),
            resolvers=dict(type="list", elements="str", fallback=(env_fallback, ["PRECEDENTUM_DNS_RESOLVERS"])),
            timeout=dict(type="float", default=3),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        encode_name(params["zone"])
    except ValueError:
        module.fail_json(msg=f"zone: {params['zone']!r} is not a domain name")
    resolvers = [item.strip() for item in params["resolvers"] or [] if item.strip()] or system_resolvers()
    for resolver in resolvers:
        try:
            parse_resolver(resolver)
        except ValueError as exc:
            module.fail_json(msg=f"resolvers: {exc}")
    if not 0 < params["timeout"] <= 60:
        module.fail_json(msg=f"timeout: {params['timeout']:g} is not between 0 and 60 seconds")
    module.exit_json(changed=False, **delegation(params["zone"], params["name_servers"], resolvers, params["timeout"]))


if __name__ == "__main__":
    main()
