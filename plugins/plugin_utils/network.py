# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that check network inputs before any AWS call.

``network_input_errors`` takes the network role's inputs as a dict and returns a list of
messages, each naming the variable at fault; an empty list means the inputs are usable.
"""

from __future__ import annotations

import ipaddress
import re

NAME_PREFIX_RE = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$")
# Later phases build names such as "<prefix>-frontend" for target groups (32 characters at most).
NAME_PREFIX_MAX = 23


def _port(value):
    """A TCP port as the argument spec would convert it ("5432" from -e counts), else None."""
    if isinstance(value, bool):
        return None
    try:
        port = int(str(value), 10)
    except (TypeError, ValueError):
        return None
    return port if 1 <= port <= 65535 else None


def _network(value, var, errors, version=None):
    """Parse value as a CIDR network; add a message naming var and return None when it is not one."""
    if not isinstance(value, str) or "/" not in value:
        errors.append(f"{var}: {value!r} is not a CIDR block such as 10.0.0.0/16")
        return None
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        errors.append(f"{var}: {value!r} is not a valid CIDR block ({exc})")
        return None
    if version and net.version != version:
        errors.append(f"{var}: {value!r} must be an IPv{version} CIDR block")
        return None
    return net


def tag_problems(value, var):
    """Messages for a tags dict that AWS would refuse (or that is no dict at all)."""
    if not isinstance(value, dict):
        return [f"{var}: must be a dictionary of tag names to values, e.g. {{Project: precedentum}}; got {value!r}"]
    errors = []
    for key, val in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            errors.append(f"{var}: tag name {key!r} must be 1-128 characters and not start with 'aws:'")
        if not isinstance(val, str | int | float) or isinstance(val, bool) or len(str(val)) > 256:
            errors.append(f"{var}: the value of tag {key!r} must be a string of at most 256 characters")
    if "Name" in value or "Phase" in value:
        errors.append(f"{var}: leave out Name and Phase, the roles set them on each resource")
    return errors


def _subnet_errors(name, cidrs, vpc, seen, errors):
    """Each of ``cidrs`` (the list variable ``name``) must be an IPv4 /16-/28 inside the VPC, overlapping
    none of ``seen`` (to which they are added)."""
    for i, cidr in enumerate(cidrs):
        var = f"{name}[{i}]"
        net = _network(cidr, var, errors, version=4)
        if net is None:
            continue
        if not 16 <= net.prefixlen <= 28:
            errors.append(f"{var}: {net} must be between /16 and /28 (an AWS limit)")
        if vpc is not None and not net.subnet_of(vpc):
            errors.append(f"{var}: {net} is not inside network_vpc_cidr {vpc}")
        for other_var, other in seen:
            if net.overlaps(other):
                errors.append(f"{var}: {net} overlaps {other_var} {other}")
        seen.append((var, net))


def network_input_errors(inputs):
    errors = []
    prefix = inputs.get("network_name_prefix", "")
    if not isinstance(prefix, str) or not NAME_PREFIX_RE.match(prefix) or "--" in prefix:
        errors.append(
            f"network_name_prefix: {prefix!r} must be lowercase letters, digits and single hyphens, "
            "starting with a letter (it becomes part of every AWS resource name)"
        )
    elif len(prefix) > NAME_PREFIX_MAX:
        errors.append(
            f"network_name_prefix: {prefix!r} is {len(prefix)} characters; at most {NAME_PREFIX_MAX}, "
            "so that load balancer and target group names stay within AWS's 32-character limit"
        )

    errors.extend(tag_problems(inputs.get("network_tags"), "network_tags"))

    vpc = _network(inputs.get("network_vpc_cidr"), "network_vpc_cidr", errors, version=4)
    if vpc is not None and not 16 <= vpc.prefixlen <= 28:
        errors.append(f"network_vpc_cidr: {vpc} must have a prefix length between /16 and /28 (an AWS limit)")
        vpc = None

    cidrs = inputs.get("network_public_subnet_cidrs") or []
    if len(cidrs) < 2:
        errors.append(
            f"network_public_subnet_cidrs: {len(cidrs)} subnet(s) given; the load balancer needs at least 2, "
            "each in its own availability zone"
        )
    subnets = []  # (variable[index], network) of every subnet checked so far
    _subnet_errors("network_public_subnet_cidrs", cidrs, vpc, subnets, errors)

    private = inputs.get("network_private_subnet_cidrs") or []
    if not isinstance(private, list):
        errors.append(f"network_private_subnet_cidrs: must be a list of CIDR blocks (one per zone); got {private!r}")
        private = []
    if private and len(private) != len(cidrs):
        errors.append(
            f"network_private_subnet_cidrs: {len(private)} private subnet(s) for {len(cidrs)} public one(s); give one "
            "per zone, as many as network_public_subnet_cidrs (or none: the tasks then run in the public subnets)"
        )
    _subnet_errors("network_private_subnet_cidrs", private, vpc, subnets, errors)
    zones = inputs.get("network_availability_zones") or []
    if zones:
        if len(set(zones)) < 2:
            errors.append(
                f"network_availability_zones: {zones} names {len(set(zones))} distinct zone(s); "
                "an Application Load Balancer needs subnets in at least 2 (leave it empty to pick the first two)"
            )
        elif len(zones) != len(cidrs):
            errors.append(
                f"network_availability_zones: {len(zones)} zone(s) for {len(cidrs)} subnet(s) in "
                "network_public_subnet_cidrs; give one zone per subnet, or leave it empty"
            )
        if len(set(zones)) != len(zones):
            errors.append(f"network_availability_zones: {zones} repeats a zone")

    for i, port in enumerate(inputs.get("network_app_ports") or []):
        if _port(port) is None:
            errors.append(f"network_app_ports[{i}]: {port!r} is not a TCP port (1-65535)")
    if not inputs.get("network_app_ports"):
        errors.append("network_app_ports: give at least one port the containers listen on")
    db_port = inputs.get("network_db_port")
    if _port(db_port) is None:
        errors.append(f"network_db_port: {db_port!r} is not a TCP port (1-65535)")

    allow_world = str(inputs.get("network_db_allow_world")).strip().lower() in ("true", "yes", "on", "1", "y", "t")
    for i, cidr in enumerate(inputs.get("network_db_allowed_cidrs") or []):
        net = _network(cidr, f"network_db_allowed_cidrs[{i}]", errors)
        if net is not None and net.prefixlen == 0 and not allow_world:
            errors.append(
                f"network_db_allowed_cidrs[{i}]: {net} opens the database port to the whole internet; "
                "list your own address (e.g. 203.0.113.7/32), or set network_db_allow_world: true "
                "if you really mean it"
            )
    return errors


def world_open_cidrs(cidrs):
    """The CIDRs in the list that cover the whole address space (0.0.0.0/0, ::/0)."""
    out = []
    for cidr in cidrs or []:
        try:
            if ipaddress.ip_network(cidr, strict=False).prefixlen == 0:
                out.append(cidr)
        except ValueError:
            continue
    return out


def whitelist_rules(cidrs, port, description="Operator whitelist"):
    """ec2_security_group rules opening TCP port to each CIDR (cidr_ip or cidr_ipv6 by version)."""
    rules = []
    for cidr in cidrs or []:
        key = "cidr_ipv6" if ipaddress.ip_network(cidr, strict=False).version == 6 else "cidr_ip"
        rules.append({"proto": "tcp", "ports": [int(port)], key: cidr, "rule_desc": description})
    return rules
