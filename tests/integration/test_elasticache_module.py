"""The elasticache_redis module, verified through the ElastiCache API of the emulator."""

from __future__ import annotations

import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
NAME = "precedentum-testing-cache"


def network(emu) -> tuple[list[str], list[str]]:
    """Two subnets and two security groups to put a cache in, made directly."""
    ec2 = emu.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")[
        "Subnet"]["SubnetId"] for i, z in ((10, "a"), (11, "b"))]
    groups = [ec2.create_security_group(GroupName=f"g{i}", Description="cache", VpcId=vpc)["GroupId"] for i in (1, 2)]
    return subnets, groups


def cache(emu) -> dict:
    """The replication group and the subnet group as the API tells them ({} when gone)."""
    client = emu.client("elasticache")
    groups = [g for g in client.describe_replication_groups()["ReplicationGroups"] if g["ReplicationGroupId"] == NAME]
    subnet_groups = [g for g in client.describe_cache_subnet_groups()["CacheSubnetGroups"]
                     if g["CacheSubnetGroupName"] == NAME]
    if not groups and not subnet_groups:
        return {}
    found = {"subnets": sorted(s["SubnetIdentifier"] for g in subnet_groups for s in g["Subnets"])}
    for group in groups:
        tags = client.list_tags_for_resource(ResourceName=group["ARN"])["TagList"]
        found.update(node_type=group["CacheNodeType"], engine=group.get("Engine"), status=group["Status"],
                     tls=group["TransitEncryptionEnabled"], at_rest=group["AtRestEncryptionEnabled"],
                     members=len(group["MemberClusters"]), tags={t["Key"]: t["Value"] for t in tags},
                     endpoint=group["NodeGroups"][0]["PrimaryEndpoint"])
    return found


def test_create_rerun_resize_and_delete(emulator):
    subnets, groups = network(emulator)
    args = {"name": NAME, "subnet_ids": subnets, "security_group_ids": groups[:1],
            "tags": {"Project": "precedentum", "Phase": "1.5"}}

    def module(arguments, *flags):
        return run_module("precedentum.deploy.elasticache_redis", arguments, emulator.env(), *flags)

    dry = module(args, "--check")
    assert dry.rc == 0 and dry.result["changed"] is True, dry
    assert dry.result["actions"][1] == f"create the redis 7.1 replication group {NAME} (one cache.t4g.micro node)"
    assert cache(emulator) == {}, "check mode made something"

    made = module(args)
    assert made.rc == 0 and made.result["changed"] is True, made
    now = cache(emulator)
    assert {k: now[k] for k in ("subnets", "node_type", "status", "tls", "at_rest", "members", "tags")} == {
        "subnets": sorted(subnets), "node_type": "cache.t4g.micro", "status": "available", "tls": True,
        "at_rest": True, "members": 1, "tags": {"Project": "precedentum", "Phase": "1.5"}}
    endpoint = now["endpoint"]
    assert made.result["url"] == f"rediss://{endpoint['Address']}:{endpoint['Port']}/0"

    again = module(args)
    assert again.rc == 0 and again.result["changed"] is False and again.result["actions"] == [], again
    assert again.result["url"] == made.result["url"]

    bigger = {**args, "node_type": "cache.t4g.small"}
    preview = module(bigger, "--check")
    assert preview.result["actions"] == ["change the node type from cache.t4g.micro to cache.t4g.small "
                                         "(the node restarts empty)"], preview
    assert cache(emulator)["node_type"] == "cache.t4g.micro"
    assert module(bigger).rc == 0 and cache(emulator)["node_type"] == "cache.t4g.small"

    plain = module({**bigger, "transit_encryption": False})
    assert plain.rc != 0 and "transit_encryption: True on the group, False asked" in plain.result["msg"], plain
    assert cache(emulator)["tls"] is True

    gone_dry = module({"name": NAME, "state": "absent"}, "--check")
    assert gone_dry.result["changed"] is True and cache(emulator) != {}, gone_dry
    gone = module({"name": NAME, "state": "absent"})
    assert gone.rc == 0 and gone.result["actions"] == [f"delete the replication group {NAME}",
                                                       f"delete the cache subnet group {NAME}"], gone
    assert cache(emulator) == {}
    assert module({"name": NAME, "state": "absent"}).result["changed"] is False


@pytest.mark.parametrize(("arguments", "named"), [
    ({"name": "Precedentum_Cache"}, "name"),
    ({"name": "a" * 41}, "name"),
    ({"node_type": "t4g.micro"}, "node_type"),
    ({"subnet_ids": []}, "subnet_ids"),
    ({"security_group_ids": []}, "security_group_ids"),
    ({"engine_version": "latest"}, "engine_version"),
])
def test_bad_input_is_refused_before_any_request(emulator, arguments, named):
    args = {"name": NAME, "subnet_ids": ["subnet-1"], "security_group_ids": ["sg-1"], **arguments}
    result = run_module("precedentum.deploy.elasticache_redis", args, emulator.env())
    assert result.rc != 0 and result.result["msg"].startswith(named), result
    assert cache(emulator) == {}
