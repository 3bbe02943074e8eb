"""deployment_info, the one discovery the roles share, against resources made directly through the emulator's
API: found by the roles' names, by the overridden names, and the secrets by their tag alone, whatever their names."""

from __future__ import annotations

import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
PREFIX = "precedentum-testing"
TAGS = {"Project": "precedentum", "Environment": "testing"}


def find(emu, **args):
    run = run_module("precedentum.deploy.deployment_info", {"name_prefix": PREFIX, **args}, emu.env())
    assert run.rc == 0, run
    return run.result["deployment"]


def test_an_empty_account_has_nothing_and_says_so(emulator):
    found = find(emulator)
    assert found["account"] and found["partition"] == "aws" and found["region"] == "us-east-1"
    assert found["network"]["vpc_id"] == "" and found["network"]["security_group_ids"] == {}
    assert found["ecr"] == {"repository_uris": {}}
    assert found["alb"]["arn"] == "" and found["alb"]["target_group_arns"] == {}
    assert found["cache"] == {"url": ""}
    assert found["edge"] == {"distribution": {}, "domain_name": ""}
    assert found["rds"]["exists"] is False and found["rds"]["identifier"] == f"{PREFIX}-db"
    assert found["storage"]["bucket"] == ""
    assert found["secrets"] == {"database": {"name": "", "arn": ""}, "app": {"name": "", "arn": ""}}


def test_the_parts_of_a_deployment_by_their_names(emulator):
    ec2 = emulator.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[
        {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": f"{PREFIX}-vpc"}]}])["Vpc"]["VpcId"]
    ec2.create_vpc(CidrBlock="10.1.0.0/16")  # another VPC, not ours
    subnets = {}
    for zone, cidr, kind in (("b", "10.0.2.0/24", "public"), ("a", "10.0.1.0/24", "public"),
                             ("a", "10.0.10.0/24", "private")):
        subnets[(kind, zone)] = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=f"us-east-1{zone}",
                                                  TagSpecifications=[{"ResourceType": "subnet", "Tags": [
                                                      {"Key": "Name", "Value": f"{PREFIX}-{kind}-{zone}"}]}]
                                                  )["Subnet"]["SubnetId"]
    groups = {role: ec2.create_security_group(GroupName=f"{PREFIX}-{role}", Description=role, VpcId=vpc)["GroupId"]
              for role in ("alb", "app")}
    ec2.create_security_group(GroupName="someone-else", Description="x", VpcId=vpc)
    uri = emulator.client("ecr").create_repository(repositoryName=f"{PREFIX}/backend")["repository"]["repositoryUri"]
    elb = emulator.client("elbv2")
    lb = elb.create_load_balancer(Name=f"{PREFIX}-alb", Subnets=[subnets[("public", "a")], subnets[("public", "b")]],
                                  SecurityGroups=[groups["alb"]])["LoadBalancers"][0]
    tg = elb.create_target_group(Name=f"{PREFIX}-frontend", Protocol="HTTP", Port=80, VpcId=vpc,
                                 TargetType="ip")["TargetGroups"][0]
    emulator.client("rds").create_db_instance(DBInstanceIdentifier="custom-db", DBInstanceClass="db.t4g.micro",
                                              Engine="postgres", MasterUsername="u", MasterUserPassword="p" * 12)
    emulator.client("s3").create_bucket(Bucket="custom-files")

    found = find(emulator, rds_instance_identifier="custom-db", storage_bucket_name="custom-files")
    network = found["network"]
    assert network["vpc_id"] == vpc and network["cidr_block"] == "10.0.0.0/16"
    assert network["public_subnet_ids"] == [subnets[("public", "a")], subnets[("public", "b")]]  # by zone
    assert network["private_subnet_ids"] == [subnets[("private", "a")]]
    assert network["security_group_ids"] == groups  # no db group yet, nobody else's
    assert found["ecr"]["repository_uris"] == {"backend": uri}
    assert found["alb"]["arn"] == lb["LoadBalancerArn"] and found["alb"]["dns_name"] == lb["DNSName"]
    assert found["alb"]["target_group_arns"] == {"frontend": tg["TargetGroupArn"]}
    assert found["rds"]["exists"] is True and found["rds"]["identifier"] == "custom-db"
    assert found["rds"]["endpoint"]["port"] == 5432
    assert found["storage"]["bucket"] == "custom-files"
    # The default names are not there.
    assert find(emulator, parts=["rds", "storage"])["rds"]["exists"] is False


def test_secrets_by_their_tag_whatever_their_names(emulator):
    sm = emulator.client("secretsmanager")

    def secret(name, purpose, prefix=PREFIX):
        return sm.create_secret(Name=name, SecretString="{}", Tags=[
            {"Key": k, "Value": v} for k, v in {**TAGS, "Secret": f"{prefix}/{purpose}"}.items()])["ARN"]

    # Untagged, even under the roles' default name: not this deployment's as far as discovery knows.
    sm.create_secret(Name=f"{PREFIX}/django/app", SecretString="{}")
    db = secret("team/database-credentials", "database")
    secret("other-env/db", "database", prefix="precedentum-production")  # another environment's
    app = secret("team/app", "app")
    found = find(emulator, parts=["secrets"])["secrets"]
    assert found == {"database": {"name": "team/database-credentials", "arn": db},
                     "app": {"name": "team/app", "arn": app}}
    # Deleted (recoverable for a while): gone as far as the phases are concerned.
    sm.delete_secret(SecretId="team/app", RecoveryWindowInDays=7)
    assert find(emulator, parts=["secrets"])["secrets"]["app"] == {"name": "", "arn": ""}

    # Two of them for one deployment: which one the app uses is not for discovery to guess.
    secret("team/another", "database")
    run = run_module("precedentum.deploy.deployment_info", {"name_prefix": PREFIX, "parts": ["secrets"]},
                     emulator.env())
    assert run.rc != 0 and f"2 secrets are tagged Secret={PREFIX}/database" in run.result["msg"], run


def test_bad_input_is_refused_before_any_call(emulator):
    run = run_module("precedentum.deploy.deployment_info", {"name_prefix": PREFIX, "parts": ["vpc"]}, emulator.env())
    assert run.rc != 0 and "parts" in run.result["msg"], run
    run = run_module("precedentum.deploy.deployment_info", {"name_prefix": " "}, emulator.env())
    assert run.rc != 0 and "name_prefix" in run.result["msg"], run
