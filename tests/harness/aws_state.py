"""Read what exists in an (emulated) account through describe calls, for verifying roles."""

from __future__ import annotations

PREFIX = "precedentum-testing"


def tags(resource: dict) -> dict:
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def our_vpcs(ec2, prefix: str = PREFIX) -> list[dict]:
    return ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [f"{prefix}-vpc"]}])["Vpcs"]


def network_resources(ec2, prefix: str = PREFIX) -> dict:
    """Every network resource of ours, by kind (lists of API objects); empty lists when none."""
    vpcs = our_vpcs(ec2, prefix)
    ids = [v["VpcId"] for v in vpcs]
    vpc_filter = [{"Name": "vpc-id", "Values": ids}]
    if not ids:
        return {"vpcs": [], "subnets": [], "igws": [], "route_tables": [], "security_groups": [], "nat_gateways": []}
    return {
        "vpcs": vpcs,
        "subnets": ec2.describe_subnets(Filters=vpc_filter)["Subnets"],
        "igws": ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": ids}])[
            "InternetGateways"
        ],
        "route_tables": [
            rt for rt in ec2.describe_route_tables(Filters=vpc_filter)["RouteTables"]
            if not any(a.get("Main") for a in rt.get("Associations", []))
        ],
        "security_groups": [
            sg for sg in ec2.describe_security_groups(Filters=vpc_filter)["SecurityGroups"]
            if sg["GroupName"] != "default"
        ],
        "nat_gateways": ec2.describe_nat_gateways(Filters=vpc_filter)["NatGateways"],
    }


def count_everything(ec2) -> dict:
    """How many of each network resource the account holds, ours or not (for 'nothing was created')."""
    return {
        "vpcs": len(ec2.describe_vpcs()["Vpcs"]),
        "subnets": len(ec2.describe_subnets()["Subnets"]),
        "igws": len(ec2.describe_internet_gateways()["InternetGateways"]),
        "route_tables": len(ec2.describe_route_tables()["RouteTables"]),
        "security_groups": len(ec2.describe_security_groups()["SecurityGroups"]),
    }


def db_instance(rds, identifier: str = f"{PREFIX}-db") -> dict:
    """The DB instance as DescribeDBInstances returns it, or {} when there is none."""
    found = [i for i in rds.describe_db_instances()["DBInstances"] if i["DBInstanceIdentifier"] == identifier]
    return found[0] if found else {}


def secret_value(sm, name: str = f"{PREFIX}/rds/master") -> dict:
    import json

    value = sm.get_secret_value(SecretId=name)
    return {**json.loads(value["SecretString"]), "_version": value["VersionId"]}


def week1_resources(emu) -> dict:
    """Everything week 1 makes, by kind, as the APIs list it (secrets scheduled for deletion are
    not listed by ListSecrets, which is what 'gone' means for a secret; see roles/rds/README.md)."""
    rds, elb = emu.client("rds"), emu.client("elbv2")
    return {
        **{k: v for k, v in network_resources(emu.client("ec2")).items()},
        "db_instances": rds.describe_db_instances()["DBInstances"],
        "db_subnet_groups": rds.describe_db_subnet_groups()["DBSubnetGroups"],
        "secrets": emu.client("secretsmanager").list_secrets()["SecretList"],
        "repositories": emu.client("ecr").describe_repositories()["repositories"],
        "load_balancers": elb.describe_load_balancers()["LoadBalancers"],
        "target_groups": elb.describe_target_groups()["TargetGroups"],
    }
