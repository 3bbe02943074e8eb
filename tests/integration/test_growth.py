"""Growing in place: a lean deployment (weeks 1 and 2, replayed) re-run with inventories/growth, then
inventories/production, then growth again, then destroyed. Same playbooks and roles: the private
subnets, NAT gateways (one, then one per zone, then one), their addresses and routes appear and go;
the services move to the private subnets without public IPs at two tasks; the database is the same
instance (never replaced: same resource id and creation time), a larger class, private, then
Multi-AZ, with storage autoscaling up to 100 then 200 GB; production auto scales the services (2 to 5
tasks on CPU) and a re-run keeps the count the auto scaler set, and adds the cache (its URL in the
backend's environment, its port open to the tasks only); every re-run reports changed=0; destroy
leaves nothing but the final snapshot."""

from __future__ import annotations

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX, account_inventory, added

pytestmark = pytest.mark.slow


def play(emu, name, inventory, *args):
    return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, inventory=f"inventories/{inventory}")


def network(emu) -> dict:
    ec2 = emu.client("ec2")
    mine = [{"Name": "tag:Project", "Values": ["precedentum"]}]
    subnets = ec2.describe_subnets(Filters=mine)["Subnets"]
    tags = [{t["Key"]: t["Value"] for t in s.get("Tags", [])} for s in subnets]
    nats = [n for n in ec2.describe_nat_gateways(Filters=mine)["NatGateways"] if n["State"] in ("pending", "available")]
    tables = ec2.describe_route_tables(Filters=[{"Name": "tag:Name", "Values": [f"{PREFIX}-private*"]}])["RouteTables"]
    return {
        "private": sorted((s["CidrBlock"], s["MapPublicIpOnLaunch"]) for s, t in zip(subnets, tags, strict=True)
                          if t.get("Tier") == "private"),
        "private_ids": sorted(s["SubnetId"] for s, t in zip(subnets, tags, strict=True) if t.get("Tier") == "private"),
        "nats": nats,
        "addresses": ec2.describe_addresses(Filters=[{"Name": "tag:Name", "Values": [f"{PREFIX}-nat-*"]}])["Addresses"],
        "tables": tables,
    }


def services(emu) -> dict:
    ecs = emu.client("ecs")
    arns = ecs.list_services(cluster=f"{PREFIX}")["serviceArns"]
    found = ecs.describe_services(cluster=f"{PREFIX}", services=arns)["services"] if arns else []
    return {s["serviceName"]: s for s in found if s["status"] == "ACTIVE"}


def autoscaling(emu) -> dict:
    """{service: (least, most, the CPU target of its policy)} as Application Auto Scaling tells it."""
    client = emu.client("application-autoscaling")
    policies = {p["ResourceId"]: p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"]
                for p in client.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]}
    return {t["ResourceId"].split("/")[-1]: (t["MinCapacity"], t["MaxCapacity"], policies.get(t["ResourceId"]))
            for t in client.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]}


def test_lean_grows_to_growth_then_production_and_back_then_destroy(emulator, prebuilt):
    emu = emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    empty_of_growth = network(emu)
    assert empty_of_growth["private"] == [] and empty_of_growth["nats"] == []
    (lean_db,) = emu.client("rds").describe_db_instances()["DBInstances"]
    lean = account_inventory(emu)

    plan = play(emu, "week1.yml", "growth", "--check")
    assert plan.rc == 0 and plan.changed > 0, plan
    assert added(lean, account_inventory(emu)) == {}, "check mode made something"

    for week in ("week1.yml", "week2.yml"):
        grown = play(emu, week, "growth")
        assert grown.rc == 0, grown
    now = network(emu)
    assert now["private"] == [("10.0.10.0/24", False), ("10.0.11.0/24", False)]
    (nat,) = now["nats"]
    (address,) = now["addresses"]
    assert nat["NatGatewayAddresses"][0]["AllocationId"] == address["AllocationId"]
    (table,) = now["tables"]
    assert sorted(a["SubnetId"] for a in table["Associations"]) == now["private_ids"]
    assert {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": nat["NatGatewayId"]}.items() <= {
        k: v for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0" for k, v in r.items()}.items()
    for name, service in services(emu).items():
        vpc = service["networkConfiguration"]["awsvpcConfiguration"]
        assert sorted(vpc["subnets"]) == now["private_ids"] and vpc["assignPublicIp"] == "DISABLED", name
        assert service["desiredCount"] == 2, name
    backend = emu.client("ecs").describe_task_definition(
        taskDefinition=services(emu)[f"{PREFIX}-backend"]["taskDefinition"])["taskDefinition"]
    assert (backend["cpu"], backend["memory"]) == ("512", "1024")
    (db,) = emu.client("rds").describe_db_instances()["DBInstances"]
    assert (db["DbiResourceId"], db["InstanceCreateTime"]) == (lean_db["DbiResourceId"], lean_db["InstanceCreateTime"])
    assert db["DBInstanceClass"] == "db.t4g.small" and db["PubliclyAccessible"] is False and not db["MultiAZ"]
    assert db["MaxAllocatedStorage"] == 100 and db["AllocatedStorage"] == 20
    for week in ("week1.yml", "week2.yml"):
        again = play(emu, week, "growth")
        assert again.rc == 0 and again.changed == 0, str(again)

    for week in ("week1.yml", "week2.yml"):
        production = play(emu, week, "production")
        assert production.rc == 0, production
    now = network(emu)
    assert len(now["nats"]) == 2 and len(now["addresses"]) == 2 and len(now["tables"]) == 2
    assert len({n["SubnetId"] for n in now["nats"]}) == 2, "one gateway per zone, each in its zone's public subnet"
    (db,) = emu.client("rds").describe_db_instances()["DBInstances"]
    assert db["MultiAZ"] and db["DbiResourceId"] == lean_db["DbiResourceId"] and db["MaxAllocatedStorage"] == 200
    assert db["PerformanceInsightsEnabled"] and db["PerformanceInsightsRetentionPeriod"] == 7
    assert autoscaling(emu) == {f"{PREFIX}-backend": (2, 5, 60.0), f"{PREFIX}-frontend": (2, 5, 60.0)}
    (cache,) = emu.client("elasticache").describe_replication_groups()["ReplicationGroups"]
    assert (cache["ReplicationGroupId"], cache["CacheNodeType"], cache["TransitEncryptionEnabled"]) == (
        f"{PREFIX}-cache", "cache.t4g.micro", True)
    (subnet_group,) = emu.client("elasticache").describe_cache_subnet_groups()["CacheSubnetGroups"]
    assert sorted(s["SubnetIdentifier"] for s in subnet_group["Subnets"]) == now["private_ids"]
    ec2 = emu.client("ec2")
    (cache_group,) = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{PREFIX}-cache"]}])[
        "SecurityGroups"]
    (app_group,) = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{PREFIX}-app"]}])[
        "SecurityGroups"]
    assert [(r["FromPort"], [p["GroupId"] for p in r["UserIdGroupPairs"]], r["IpRanges"])
            for r in cache_group["IpPermissions"]] == [(6379, [app_group["GroupId"]], [])]
    backend = emu.client("ecs").describe_task_definition(
        taskDefinition=services(emu)[f"{PREFIX}-backend"]["taskDefinition"])["taskDefinition"]
    environment = {e["name"]: e["value"] for e in backend["containerDefinitions"][0].get("environment", [])}
    endpoint = cache["NodeGroups"][0]["PrimaryEndpoint"]
    assert environment["REDIS_URL"] == f"rediss://{endpoint['Address']}:{endpoint['Port']}/0"
    # The auto scaler adds two backend tasks (done here as it would): a re-run keeps them.
    emu.client("ecs").update_service(cluster=PREFIX, service=f"{PREFIX}-backend", desiredCount=4)
    for week in ("week1.yml", "week2.yml"):
        again = play(emu, week, "production")
        assert again.rc == 0 and again.changed == 0, str(again)
    assert services(emu)[f"{PREFIX}-backend"]["desiredCount"] == 4

    for week in ("week1.yml", "week2.yml"):
        back = play(emu, week, "growth")
        assert back.rc == 0, back
    assert autoscaling(emu) == {}, "growth runs a fixed count: the auto scaling is removed"
    assert account_inventory(emu)["cache"] == {f"{PREFIX}-cache"}, "a cache is removed only by destroy"
    assert {name: s["desiredCount"] for name, s in services(emu).items()} == {
        f"{PREFIX}-backend": 2, f"{PREFIX}-frontend": 2}
    now = network(emu)
    assert len(now["nats"]) == 1 and len(now["addresses"]) == 1 and len(now["tables"]) == 1
    assert sorted(a["SubnetId"] for a in now["tables"][0]["Associations"]) == now["private_ids"]

    report = play(emu, "report.yml", "growth", "--tags", "network")
    assert "1 NAT gateway(s) at $36.50 each" in report.flat, report
    gone = play(emu, "destroy.yml", "growth", "-e", f"destroy_confirm={PREFIX}")
    assert gone.rc == 0, gone
    left = account_inventory(emu)
    assert list(added(lean, left)) == ["db-snapshot"], added(lean, left)
    assert left["nat-gateway"] == set() and left["elastic-ip"] == set(), left
    assert not [s for s in left["subnet"] if s in now["private_ids"]]
    assert autoscaling(emu) == {}
