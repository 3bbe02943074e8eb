"""The network role (phase 1.1) through week1.yml and destroy.yml, verified through EC2 describe calls; its molecule
scenario (molecule/network/) runs inside the whitelist test: its converge, idempotence and verify, week 1's change
of the whitelist on what it made, its destroy."""

from __future__ import annotations

import pytest

from tests.harness.aws_state import PREFIX, count_everything, network_resources, tags, week1_resources
from tests.harness.molecule import Scenario

pytestmark = pytest.mark.slow
CONFIRM = {"destroy_confirm": PREFIX}


def ingress(sg: dict) -> list[tuple]:
    """(port, source) pairs of a security group's inbound rules; source is a CIDR or a group id."""
    out = []
    for perm in sg["IpPermissions"]:
        for port in range(perm["FromPort"], perm["ToPort"] + 1):
            out += [(port, r["CidrIp"]) for r in perm.get("IpRanges", [])]
            out += [(port, r["CidrIpv6"]) for r in perm.get("Ipv6Ranges", [])]
            out += [(port, g["GroupId"]) for g in perm.get("UserIdGroupPairs", [])]
    return sorted(out)


def test_week1_check_converge_rerun(emulator, playbook, prebuilt):
    """Check mode on an empty account, the converged account, then a real re-run. The converge is the
    test run's shared week-1 recording (a real week1.yml run, its exit code checked), replayed here."""
    ec2 = emulator.client("ec2")
    before = count_everything(ec2)

    check = playbook("week1.yml", "--check")
    assert check.rc == 0, check
    assert check.changed > 0, check
    assert "would be created" in check.flat
    assert count_everything(ec2) == before, "check mode created something"
    assert all(v == [] for v in week1_resources(emulator).values()), "check mode created something"

    prebuilt(emulator, "week1.yml")
    net = network_resources(ec2)
    (vpc,) = net["vpcs"]
    assert vpc["CidrBlock"] == "10.0.0.0/16"
    assert len(net["subnets"]) == 2
    assert {s["CidrBlock"] for s in net["subnets"]} == {"10.0.0.0/24", "10.0.1.0/24"}
    assert len({s["AvailabilityZone"] for s in net["subnets"]}) == 2, "subnets must be in two zones"
    assert all(s["MapPublicIpOnLaunch"] for s in net["subnets"])
    (igw,) = net["igws"]
    assert net["nat_gateways"] == [], "the lean network has no NAT gateway"

    (rt,) = net["route_tables"]
    assert {a["SubnetId"] for a in rt["Associations"]} == {s["SubnetId"] for s in net["subnets"]}
    assert any(r.get("DestinationCidrBlock") == "0.0.0.0/0" and r.get("GatewayId") == igw["InternetGatewayId"]
               for r in rt["Routes"])

    sgs = {sg["GroupName"].removeprefix(PREFIX + "-"): sg for sg in net["security_groups"]}
    assert set(sgs) == {"alb", "app", "db"}
    assert ingress(sgs["alb"]) == [(80, "0.0.0.0/0"), (443, "0.0.0.0/0")]
    alb_id, app_id = sgs["alb"]["GroupId"], sgs["app"]["GroupId"]
    assert ingress(sgs["app"]) == [(80, alb_id), (8000, alb_id)]
    assert ingress(sgs["db"]) == [(5432, app_id)]

    for resource in [vpc, igw, rt, *net["subnets"], *net["security_groups"]]:
        t = tags(resource)
        assert t.get("Project") == "precedentum" and t.get("Environment") == "testing", t
        assert t.get("ManagedBy") == "precedentum.deploy" and t.get("Phase") == "1.1", t
        assert t.get("Name", "").startswith(PREFIX), t

    again = playbook("week1.yml")
    assert again.rc == 0 and again.changed == 0, again
    assert network_resources(ec2)["vpcs"] == net["vpcs"]
    # Each phase's inputs are checked once, by the week's pre-tasks, which tell the phases so.
    for role in ("network", "rds", "ecr", "storage", "alb", "cache"):
        assert again.output.count(f"Refuse unknown {role}_ variables") == 1, role
    assert "arg spec 'main'" not in again.output and "arg spec 'validate'" in again.output


def test_db_whitelist_and_world_opt_in(emulator, playbook, tmp_path):
    ec2 = emulator.client("ec2")
    empty = count_everything(ec2)
    refused = playbook("week1.yml", extra_vars={"network_db_allowed_cidrs": ["0.0.0.0/0"]})
    assert refused.rc != 0
    assert "network_db_allowed_cidrs[0]" in refused.flat and "network_db_allow_world" in refused.flat
    assert network_resources(ec2)["vpcs"] == []

    # The role alone, as its scenario runs it (no whitelist: the database group admits the app group only).
    scenario = Scenario(emulator, "network", tmp_path)
    made = scenario.run("converge", "idempotence", "verify")
    assert made.rc == 0, made
    groups = {sg["GroupName"]: sg for sg in network_resources(ec2)["security_groups"]}
    assert {src for _unused, src in ingress(groups[f"{PREFIX}-db"])} == {groups[f"{PREFIX}-app"]["GroupId"]}

    # Week 1 opens the database group to a laptop and (opted in) the world: the same group, changed in place.
    laptop = "203.0.113.7/32"
    allowed = playbook("week1.yml", "--tags", "phase_1_1", extra_vars={
        "network_db_allowed_cidrs": [laptop, "0.0.0.0/0", "::/0"], "network_db_allow_world": True})
    assert allowed.rc == 0 and allowed.changed > 0, allowed
    assert "WARNING: network_db_allow_world is true" in allowed.flat
    sgs = {sg["GroupName"]: sg for sg in network_resources(ec2)["security_groups"]}
    assert {name: sg["GroupId"] for name, sg in sgs.items()} == {name: sg["GroupId"] for name, sg in groups.items()}
    assert {src for _unused, src in ingress(sgs[f"{PREFIX}-db"])} == {
        laptop, "0.0.0.0/0", "::/0", sgs[f"{PREFIX}-app"]["GroupId"]}

    left = scenario.run("destroy")
    assert left.rc == 0, left
    assert all(v == [] for v in network_resources(ec2).values()) and count_everything(ec2) == empty


# destroy.yml limited to week 1's phases: week 2's destroy is tested in test_ecs.py.
WEEK1_PHASES = ("--tags", "phase_1_1,phase_1_2,phase_1_3,phase_1_4")


def test_cidr_change_refused_then_destroy_removes_everything_twice(emulator, playbook, prebuilt):
    ec2 = emulator.client("ec2")
    empty = count_everything(ec2)

    prebuilt(emulator, "week1.yml")
    built = network_resources(ec2)
    assert all(v for k, v in week1_resources(emulator).items() if k != "nat_gateways"), "week 1 built every kind"

    # A new VPC range cannot be applied in place: refused, and no second VPC is made.
    moved = playbook("week1.yml", extra_vars={"network_vpc_cidr": "10.1.0.0/16",
                                              "network_public_subnet_cidrs": ["10.1.0.0/24", "10.1.1.0/24"]})
    assert moved.rc != 0
    assert "cannot be changed in place" in moved.flat and "network_vpc_cidr" in moved.flat
    assert network_resources(ec2) == built

    unconfirmed = playbook("destroy.yml")
    assert unconfirmed.rc != 0 and "destroy_confirm=precedentum-testing" in unconfirmed.flat
    dry = playbook("destroy.yml", "--check", *WEEK1_PHASES, extra_vars=CONFIRM)
    assert dry.rc == 0 and dry.changed > 0, dry
    assert network_resources(ec2) == built, "destroy --check deleted something"

    gone = playbook("destroy.yml", *WEEK1_PHASES, extra_vars=CONFIRM)
    assert gone.rc == 0, gone
    assert all(v == [] for v in week1_resources(emulator).values()), week1_resources(emulator)
    assert count_everything(ec2) == empty

    # Again, on an account that holds nothing of ours: no error, nothing to do.
    twice = playbook("destroy.yml", *WEEK1_PHASES, extra_vars=CONFIRM)
    assert twice.rc == 0 and twice.changed == 0, twice
