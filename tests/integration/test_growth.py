"""Growing in place: a lean deployment (weeks 1 and 2, replayed) re-run with inventories/growth, then
inventories/production, then growth again, then lean again, then destroyed. Same playbooks and roles: the private
subnets, NAT gateways (one, then one per zone, then one), their addresses and routes appear and go;
the services move to the private subnets without public IPs at two tasks; the database is the same
instance (never replaced: same resource id and creation time), a larger class, private, then
Multi-AZ, with storage autoscaling up to 100 then 200 GB; production auto scales the services (2 to 5
tasks on CPU) and a re-run keeps the count the auto scaler set, puts the frontend's tasks beyond its first on
Fargate Spot (growth puts them back on regular Fargate), and adds the cache (its URL in the
backend's environment, its port open to the tasks only); the team's data loaded into the lean database
(phase 2.4, a local PostgreSQL playing the instance's server) is still there after it all, and phase 2.4
run with the growth inventory finds it already loaded; back on lean, the private subnets and their NAT
gateway stay while the services run there and go once week 2 has moved them; every re-run reports
changed=0; destroy leaves nothing but the final snapshot."""

from __future__ import annotations

import json

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX, account_inventory, added
from tests.harness.fixture_db import fixture_sql, stand_in_for_rds

pytestmark = pytest.mark.slow


def play(emu, name, inventory, *args, **extra_vars):
    return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, inventory=f"inventories/{inventory}",
                        extra_vars=extra_vars or None)


def rows(postgres, dbname) -> dict:
    return {table: postgres.psql(f"SELECT count(*) FROM {table}", dbname=dbname)
            for table in ("judges_judge", "judges_caseprocedure")}


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


def placement(emu) -> dict:
    """{service: (launch type, strategy as sorted (provider, base, weight))}, as DescribeServices tells them."""
    return {name: (s.get("launchType"), sorted((c["capacityProvider"], c.get("base", 0), c.get("weight", 0))
                                               for c in s.get("capacityProviderStrategy") or []))
            for name, s in services(emu).items()}


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


def test_lean_grows_to_growth_then_production_and_back_then_destroy(emulator, prebuilt, postgres):
    emu = emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    # The team's data in the lean database (phase 2.4), a local PostgreSQL playing the instance's server.
    sm = emu.client("secretsmanager")
    secret = json.loads(sm.get_secret_value(SecretId=f"{PREFIX}/rds/master")["SecretString"])
    dbname = stand_in_for_rds(postgres, secret, migrated=False)
    postgres.psql("DROP DATABASE IF EXISTS growth_source")
    postgres.psql("CREATE DATABASE growth_source")
    postgres.psql(fixture_sql(500), dbname="growth_source")
    data = {"rds_data_source": f"host=127.0.0.1 port={postgres.port} user=postgres dbname=growth_source",
            "rds_data_host_override": "127.0.0.1", "rds_data_port_override": postgres.port}
    loaded = play(emu, "week2.yml", "lean", "--tags", "data_load", **data)
    assert loaded.rc == 0, str(loaded)
    assert rows(postgres, dbname) == {"judges_judge": "8", "judges_caseprocedure": "500"}
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
    # The frontend moved from its launch type onto Fargate Spot beyond its first task; the backend stays.
    assert placement(emu) == {f"{PREFIX}-backend": ("FARGATE", []),
                              f"{PREFIX}-frontend": (None, [("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 3)])}
    (cluster,) = emu.client("ecs").describe_clusters(clusters=[PREFIX])["clusters"]
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
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
    assert placement(emu)[f"{PREFIX}-frontend"] == (None, [("FARGATE", 0, 1)]), "Spot off: all on regular Fargate"
    assert account_inventory(emu)["cache"] == {f"{PREFIX}-cache"}, "a cache is removed only by destroy"
    assert {name: s["desiredCount"] for name, s in services(emu).items()} == {
        f"{PREFIX}-backend": 2, f"{PREFIX}-frontend": 2}
    now = network(emu)
    assert len(now["nats"]) == 1 and len(now["addresses"]) == 1 and len(now["tables"]) == 1
    assert sorted(a["SubnetId"] for a in now["tables"][0]["Associations"]) == now["private_ids"]

    # The data is where it was: the same instance all along, and phase 2.4 finds it already loaded.
    kept = play(emu, "week2.yml", "growth", "--tags", "data_load", **data)
    assert kept.rc == 0 and kept.changed == 0, str(kept)
    assert "Data unchanged: the database already holds the same data" in kept.flat, str(kept)
    assert rows(postgres, dbname) == {"judges_judge": "8", "judges_caseprocedure": "500"}

    report = play(emu, "report.yml", "growth", "--tags", "network")
    assert "1 NAT gateway(s) at $36.50 each" in report.flat, report

    # Down to lean: the cache removed on its own, then the network keeps the private subnets (and pays for
    # the gateway) while the services run there; week 2 moves them to the public subnets; then they go.
    uncached = play(emu, "destroy.yml", "lean", "--tags", "cache", "-e", f"destroy_confirm={PREFIX}")
    assert uncached.rc == 0 and account_inventory(emu)["cache"] == set(), str(uncached)
    # AWS gives each running Fargate task a network interface in its subnet; moto gives a service's tasks
    # none: one is made here for a backend task still running in a private subnet.
    ec2 = emu.client("ec2")
    task_interface = ec2.create_network_interface(
        SubnetId=now["private_ids"][0], Description="arn:aws:ecs:us-east-1:123456789012:attachment/backend-task")[
        "NetworkInterface"]["NetworkInterfaceId"]
    held = play(emu, "week1.yml", "lean", "--tags", "network")
    assert held.rc == 0 and "still hold 1 network interface" in held.flat, str(held)
    assert len(network(emu)["nats"]) == 1 and len(network(emu)["private"]) == 2, "nothing removed while in use"
    down = play(emu, "week2.yml", "lean")
    assert down.rc == 0, str(down)
    public_ids = sorted(s["SubnetId"] for s in emu.client("ec2").describe_subnets(
        Filters=[{"Name": "tag:Tier", "Values": ["public"]}])["Subnets"])
    for name, service in services(emu).items():
        vpc = service["networkConfiguration"]["awsvpcConfiguration"]
        assert sorted(vpc["subnets"]) == public_ids and vpc["assignPublicIp"] == "ENABLED", name
    # The task moved: AWS deletes its interface in the private subnet (done here as AWS would).
    ec2.delete_network_interface(NetworkInterfaceId=task_interface)
    freed = play(emu, "week1.yml", "lean", "--tags", "network")
    assert freed.rc == 0, str(freed)
    after = network(emu)
    assert (after["private"], after["nats"], after["addresses"], after["tables"]) == ([], [], [], []), after
    again = play(emu, "week1.yml", "lean", "--tags", "network")
    assert again.rc == 0 and again.changed == 0, str(again)

    gone = play(emu, "destroy.yml", "lean", "-e", f"destroy_confirm={PREFIX}")
    assert gone.rc == 0, gone
    left = account_inventory(emu)
    assert list(added(lean, left)) == ["db-snapshot"], added(lean, left)
    assert left["nat-gateway"] == set() and left["elastic-ip"] == set(), left
    assert not [s for s in left["subnet"] if s in now["private_ids"]]
    assert autoscaling(emu) == {}
