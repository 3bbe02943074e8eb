"""database_window, the one way the data load and the onboarding reach a private database, verified through the
emulator's EC2, RDS and Lightsail APIs: it adds one marked rule and removes only that one, check mode changes
nothing, and what is missing or wrong is refused by name."""

from __future__ import annotations

import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
NAME = "precedentum-testing-db"
OPERATOR = "203.0.113.7/32"
TEAM = "198.51.100.0/24"


def instance(emu) -> str:
    """A private instance in a group that already lets the team's network in; returns the group's id."""
    ec2 = emu.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(GroupName="precedentum-testing-db", Description="db", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": TEAM, "Description": "team"}]}])
    emu.client("rds").create_db_instance(DBInstanceIdentifier=NAME, DBInstanceClass="db.t4g.micro", Engine="postgres",
                                         MasterUsername="u", MasterUserPassword="p" * 12, VpcSecurityGroupIds=[group],
                                         PubliclyAccessible=False)
    return group


def allowed(emu, group) -> dict:
    (found,) = emu.client("ec2").describe_security_groups(GroupIds=[group])["SecurityGroups"]
    return {r["CidrIp"]: r.get("Description", "") for p in found["IpPermissions"] for r in p.get("IpRanges", [])}


def public(emu) -> bool:
    return emu.client("rds").describe_db_instances(DBInstanceIdentifier=NAME)["DBInstances"][0]["PubliclyAccessible"]


def window(emu, *flags, **args):
    return run_module("precedentum.deploy.database_window", {"engine": "rds", "name": NAME, **args}, emu.env(), *flags)


def test_an_rds_window_opens_for_one_address_and_closes_to_what_it_was(emulator):
    group = instance(emulator)

    dry = window(emulator, "--check", state="open", cidr=OPERATOR)
    assert dry.rc == 0 and dry.result["changed"] is True, dry
    assert dry.result["actions"] == [f"allow {OPERATOR} on port 5432 in {group}", f"make {NAME} publicly accessible"]
    assert allowed(emulator, group) == {TEAM: "team"} and public(emulator) is False, "check mode changed something"

    opened = window(emulator, state="open", cidr=OPERATOR)
    assert opened.rc == 0 and opened.result["changed"] is True, opened
    assert allowed(emulator, group) == {TEAM: "team", OPERATOR: "precedentum.deploy window"}
    assert public(emulator) is True
    again = window(emulator, state="open", cidr=OPERATOR)
    assert again.rc == 0 and again.result["changed"] is False, again

    # An address the group already lets in gets no rule of the window's (so closing keeps it).
    team = window(emulator, state="open", cidr=TEAM)
    assert team.rc == 0 and team.result["changed"] is False, team

    closed = window(emulator, state="closed")
    assert closed.rc == 0 and closed.result["actions"] == [
        f"remove {OPERATOR} on port 5432 from {group}", f"make {NAME} private"], closed
    assert allowed(emulator, group) == {TEAM: "team"} and public(emulator) is False
    assert window(emulator, state="closed").result["changed"] is False

    # An instance the inventory keeps public stays public once closed.
    window(emulator, state="open", cidr=OPERATOR)
    kept = window(emulator, state="closed", public_when_closed=True)
    assert kept.rc == 0 and public(emulator) is True and OPERATOR not in allowed(emulator, group), kept


def test_a_lightsail_window_is_its_public_mode(lightsail_emulator):
    lightsail = lightsail_emulator.client("lightsail")
    lightsail.create_relational_database(
        relationalDatabaseName="precedentum-lite-db", relationalDatabaseBlueprintId="postgres_16",
        relationalDatabaseBundleId="micro_2_0", masterDatabaseName="precedentum", masterUsername="precedentum")

    def is_public():
        return lightsail.get_relational_database(
            relationalDatabaseName="precedentum-lite-db")["relationalDatabase"]["publiclyAccessible"]

    args = {"engine": "lightsail", "name": "precedentum-lite-db"}
    opened = run_module("precedentum.deploy.database_window", {**args, "state": "open"}, lightsail_emulator.env())
    assert opened.rc == 0 and opened.result["changed"] is True and is_public() is True, opened
    closed = run_module("precedentum.deploy.database_window", {**args, "state": "closed"}, lightsail_emulator.env())
    assert closed.rc == 0 and closed.result["changed"] is True and is_public() is False, closed


def test_what_is_missing_or_wrong_is_refused_by_name(emulator):
    missing = window(emulator, state="open", cidr=OPERATOR)
    assert missing.rc != 0 and f"The DB instance {NAME} does not exist" in missing.result["msg"], missing
    instance(emulator)
    no_cidr = window(emulator, state="open")
    assert no_cidr.rc != 0 and no_cidr.result["msg"].startswith("cidr: required"), no_cidr
    assert public(emulator) is False
    bad = window(emulator, state="ajar")
    assert bad.rc != 0 and "state" in bad.result["msg"], bad
