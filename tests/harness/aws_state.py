"""Read what exists in an (emulated) account through describe calls, for verifying roles."""

from __future__ import annotations

import json
from pathlib import Path

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
    value = sm.get_secret_value(SecretId=name)
    return {**json.loads(value["SecretString"]), "_version": value["VersionId"]}


def week1_resources(emu) -> dict:
    """Everything week 1 makes, by kind, as the APIs list it (secrets scheduled for deletion are
    not listed by ListSecrets, which is what 'gone' means for a secret; see roles/rds/README.md)."""
    rds, elb = emu.client("rds"), emu.client("elbv2")
    return {
        **network_resources(emu.client("ec2")),
        "db_instances": rds.describe_db_instances()["DBInstances"],
        "db_subnet_groups": rds.describe_db_subnet_groups()["DBSubnetGroups"],
        "secrets": emu.client("secretsmanager").list_secrets()["SecretList"],
        "repositories": emu.client("ecr").describe_repositories()["repositories"],
        "load_balancers": elb.describe_load_balancers()["LoadBalancers"],
        "target_groups": elb.describe_target_groups()["TargetGroups"],
        "buckets": emu.client("s3").list_buckets()["Buckets"],
    }


ECS_SERVICES = ("backend", "frontend", "app")


def ecs_resources(emu, prefix: str = PREFIX) -> dict:
    """What week 2 makes, as the APIs list it: active clusters, active services (by short name),
    active task definitions of our families (newest last), IAM roles, log groups, secrets."""
    ecs, iam, logs = emu.client("ecs"), emu.client("iam"), emu.client("logs")
    clusters = ecs.describe_clusters(clusters=[prefix], include=["TAGS"])["clusters"]
    clusters = [c for c in clusters if c["status"] == "ACTIVE"]
    services = {}
    if clusters:
        found = ecs.describe_services(cluster=prefix, services=[f"{prefix}-{s}" for s in ECS_SERVICES])["services"]
        services = {s["serviceName"].removeprefix(prefix + "-"): s for s in found if s["status"] == "ACTIVE"}
    task_definitions = {}
    for name in ECS_SERVICES:
        arns = ecs.list_task_definitions(familyPrefix=f"{prefix}-{name}", status="ACTIVE")["taskDefinitionArns"]
        arns = sorted((a for a in arns if a.split("/")[-1].rsplit(":", 1)[0] == f"{prefix}-{name}"),
                      key=lambda a: int(a.rsplit(":", 1)[1]))
        if arns:
            task_definitions[name] = [ecs.describe_task_definition(taskDefinition=a)["taskDefinition"] for a in arns]
    return {
        "clusters": clusters,
        "services": services,
        "task_definitions": task_definitions,
        "roles": [r for r in iam.list_roles()["Roles"] if r["RoleName"].startswith(prefix + "-ecs")],
        "log_groups": logs.describe_log_groups(logGroupNamePrefix=f"/ecs/{prefix}/")["logGroups"],
        "secrets": [s for s in emu.client("secretsmanager").list_secrets()["SecretList"]
                    if s["Name"].startswith(prefix)],
    }


def push_fake_image(emu, tag: str, prefix: str = PREFIX) -> None:
    """Put an image manifest under tag in both repositories, as a docker push would (no Docker here)."""
    put_image_manifests(emu.client("ecr"), tag, prefix)


def put_image_manifests(ecr, tag: str, prefix: str = PREFIX) -> None:
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                   "digest": "sha256:" + "a" * 64},
        "layers": [],
    })
    for repo in ("backend", "frontend"):
        ecr.put_image(repositoryName=f"{prefix}/{repo}", imageManifest=manifest, imageTag=tag)


def recorded_json_calls(emu, action: str) -> list[dict]:
    """Bodies of the JSON-protocol requests (ECS, Secrets Manager, ...) the emulator recorded for
    one action, e.g. 'CreateService' (needs the recording_emulator fixture)."""
    return json_calls(emu.recorded_requests(), action)


def json_calls(requests: list[dict], action: str) -> list[dict]:
    """Bodies of the JSON-protocol requests of one action among moto's recorded ``requests``."""
    import base64

    bodies = []
    for request in requests:
        target = (request.get("headers") or {}).get("X-Amz-Target", "")
        if target.rsplit(".", 1)[-1] != action:
            continue
        body = request.get("body") or ""
        if request.get("body_encoded"):
            body = base64.b64decode(body).decode()
        bodies.append(json.loads(body) if body else {})
    return bodies


def account_inventory(emu) -> dict:
    """Every resource the account holds, ours or not, as {kind: set of identifiers}, read through
    describe and list calls of each service the roles use (for "nothing was made" and "nothing is
    left": compare with the inventory of the empty account). Secrets scheduled for deletion, stopped
    NAT gateways and inactive ECS clusters, services and task definitions are gone as far as billing goes."""
    c = emu.client
    ec2, rds, ecs, elb = c("ec2"), c("rds"), c("ecs"), c("elbv2")
    # moto keeps a deleted NAT gateway's interface (AWS removes it with the gateway): left out too.
    gone_nat_interfaces = {a.get("NetworkInterfaceId") for n in ec2.describe_nat_gateways()["NatGateways"]
                           if n["State"] in ("deleted", "deleting") for a in n.get("NatGatewayAddresses", [])}
    found = {
        "vpc": {v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"]},
        "subnet": {x["SubnetId"] for x in ec2.describe_subnets()["Subnets"]},
        "internet-gateway": {x["InternetGatewayId"] for x in ec2.describe_internet_gateways()["InternetGateways"]},
        "route-table": {x["RouteTableId"] for x in ec2.describe_route_tables()["RouteTables"]},
        "security-group": {x["GroupId"] for x in ec2.describe_security_groups()["SecurityGroups"]},
        "nat-gateway": {x["NatGatewayId"] for x in ec2.describe_nat_gateways()["NatGateways"]
                        if x["State"] not in ("deleted", "deleting")},
        "elastic-ip": {x["AllocationId"] for x in ec2.describe_addresses()["Addresses"]},
        # moto's ECS gives each task an interface ("moto ECS") and never removes it, even with its
        # service (AWS removes a task's interface when the task stops): those are left out, as are
        # the interfaces of deleted NAT gateways.
        "network-interface": {x["NetworkInterfaceId"]
                              for x in ec2.describe_network_interfaces()["NetworkInterfaces"]
                              if x.get("Description") != "moto ECS"
                              and x["NetworkInterfaceId"] not in gone_nat_interfaces},
        "instance": {i["InstanceId"] for r in ec2.describe_instances()["Reservations"] for i in r["Instances"]
                     if i["State"]["Name"] != "terminated"},
        "db-instance": {x["DBInstanceIdentifier"] for x in rds.describe_db_instances()["DBInstances"]},
        "db-subnet-group": {x["DBSubnetGroupName"] for x in rds.describe_db_subnet_groups()["DBSubnetGroups"]},
        "db-snapshot": {x["DBSnapshotIdentifier"]
                        for x in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]},
        "secret": {x["Name"] for x in c("secretsmanager").list_secrets()["SecretList"] if "DeletedDate" not in x},
        "log-group": {x["logGroupName"] for x in c("logs").describe_log_groups()["logGroups"]},
        "repository": {x["repositoryName"] for x in c("ecr").describe_repositories()["repositories"]},
        "bucket": {x["Name"] for x in c("s3").list_buckets()["Buckets"]},
        "load-balancer": {x["LoadBalancerName"] for x in elb.describe_load_balancers()["LoadBalancers"]},
        "target-group": {x["TargetGroupName"] for x in elb.describe_target_groups()["TargetGroups"]},
        # Service-linked roles (AWSServiceRoleForECS) are the account's, shared by every cluster, free, and made
        # by AWS itself on first use: phase 2.1 makes ECS's first, and destroy leaves it (as AWS would).
        "role": {x["RoleName"] for x in c("iam").list_roles()["Roles"]
                 if not x.get("Path", "").startswith("/aws-service-role/")},
        "alarm": {x["AlarmName"] for x in c("cloudwatch").describe_alarms()["MetricAlarms"]},
        "dashboard": {x["DashboardName"] for x in c("cloudwatch").list_dashboards()["DashboardEntries"]},
        "topic": {x["TopicArn"] for x in c("sns").list_topics()["Topics"]},
        "budget": {x["BudgetName"] for x in c("budgets").describe_budgets(
            AccountId=c("sts").get_caller_identity()["Account"]).get("Budgets", [])},
        "hosted-zone": {x["Name"] for x in c("route53").list_hosted_zones()["HostedZones"]},
        "certificate": {x["CertificateArn"] for x in c("acm").list_certificates()["CertificateSummaryList"]},
        "cache": {x["ReplicationGroupId"] for x in c("elasticache").describe_replication_groups()["ReplicationGroups"]
                  if x["Status"] != "deleting"},
        "cache-subnet-group": {x["CacheSubnetGroupName"]
                               for x in c("elasticache").describe_cache_subnet_groups()["CacheSubnetGroups"]},
        "scalable-target": {x["ResourceId"] for x in c("application-autoscaling").describe_scalable_targets(
            ServiceNamespace="ecs")["ScalableTargets"]},
        "schedule-group": {x["Name"] for x in c("scheduler").list_schedule_groups()["ScheduleGroups"]
                           if x["Name"] != "default"},
        "schedule": {(x.get("GroupName"), x["Name"]) for x in c("scheduler").list_schedules()["Schedules"]},
        "distribution": {x["Id"] for x in c("cloudfront").list_distributions()["DistributionList"].get("Items", [])},
        "web-acl": {x["ARN"] for scope in ("CLOUDFRONT", "REGIONAL")
                    for x in c("wafv2").list_web_acls(Scope=scope)["WebACLs"]},
    }
    clusters = [x for x in ecs.describe_clusters(clusters=ecs.list_clusters()["clusterArns"])["clusters"]
                if x["status"] == "ACTIVE"] if ecs.list_clusters()["clusterArns"] else []
    found["ecs-cluster"] = {x["clusterName"] for x in clusters}
    found["ecs-service"] = set()
    for cluster in clusters:
        arns = ecs.list_services(cluster=cluster["clusterArn"])["serviceArns"]
        if arns:
            found["ecs-service"] |= {x["serviceName"] for x in ecs.describe_services(
                cluster=cluster["clusterArn"], services=arns)["services"] if x["status"] == "ACTIVE"}
    found["task-definition"] = set(ecs.list_task_definitions(status="ACTIVE")["taskDefinitionArns"])
    if emu.lightsail_port:
        ls = c("lightsail")
        found["lightsail-service"] = {x["containerServiceName"]
                                      for x in ls.get_container_services()["containerServices"]}
        found["lightsail-database"] = {x["name"] for x in ls.get_relational_databases()["relationalDatabases"]}
        found["lightsail-snapshot"] = {x["name"] for x in ls.get_relational_database_snapshots()[
            "relationalDatabaseSnapshots"]}
        found["lightsail-alarm"] = {x["name"] for x in ls.get_alarms()["alarms"]}
    return found


def added(before: dict, after: dict) -> dict:
    """What ``after`` holds that ``before`` did not, by kind (kinds with nothing new left out)."""
    new = {kind: sorted(after[kind] - before.get(kind, set())) for kind in after}
    return {kind: names for kind, names in new.items() if names}


# The IAM prefix of each service, as botocore's signing name (the credential scope) gives it.
_IAM_PREFIX = {"monitoring": "cloudwatch", "email": "ses", "elasticloadbalancing": "elasticloadbalancing"}


# Where an API operation's IAM action has another name (AWS Budgets has only two actions).
_IAM_ACTION = {"budgets:DescribeBudget": "budgets:ViewBudget", "budgets:DescribeBudgets": "budgets:ViewBudget",
               "budgets:DescribeNotificationsForBudget": "budgets:ViewBudget",
               "budgets:DescribeSubscribersForNotification": "budgets:ViewBudget",
               "budgets:CreateBudget": "budgets:ModifyBudget", "budgets:UpdateBudget": "budgets:ModifyBudget",
               "budgets:DeleteBudget": "budgets:ModifyBudget", "budgets:CreateNotification": "budgets:ModifyBudget",
               "budgets:DeleteNotification": "budgets:ModifyBudget",
               "budgets:UpdateNotification": "budgets:ModifyBudget",
               "budgets:CreateSubscriber": "budgets:ModifyBudget", "budgets:DeleteSubscriber": "budgets:ModifyBudget"}


def recorded_actions(requests: list[dict]) -> set:
    """The IAM actions ("ecs:CreateService") of moto's recorded requests: the service from the request's
    signature, the action from X-Amz-Target (JSON protocols), Action= (query protocols) or, for Route 53's
    REST protocol, the method and path; named as IAM names them (budgets:ViewBudget for DescribeBudget)."""
    return {_IAM_ACTION.get(action, action) for action in _api_actions(requests)}


def _api_actions(requests: list[dict]) -> set:
    import base64
    import re
    from urllib.parse import parse_qs, urlparse

    actions = set()
    for request in requests:
        headers = request.get("headers") or {}
        scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/", headers.get("Authorization", ""))
        if not scope:
            continue
        service = _IAM_PREFIX.get(scope[1], scope[1])
        target = headers.get("X-Amz-Target", "")
        if target:
            actions.add(f"{service}:{target.rsplit('.', 1)[-1]}")
            continue
        body = request.get("body") or ""
        if request.get("body_encoded"):
            body = base64.b64decode(body).decode(errors="replace")
        query = {**parse_qs(urlparse(request.get("url", "")).query), **parse_qs(body)}
        if "Action" in query:
            actions.add(f"{service}:{query['Action'][0]}")
            continue
        if service == "route53":
            actions.add(f"route53:{_route53_action(request.get('method', 'GET'), urlparse(request['url']).path, body)}")
            continue
        if service == "s3":
            url = urlparse(request.get("url", ""))
            actions.add(f"s3:{_s3_action(request.get('method', 'GET'), url.path, url.query)}")
            continue
        if service == "cloudfront":
            url = urlparse(request.get("url", ""))
            actions.add(f"cloudfront:{_cloudfront_action(request.get('method', 'GET'), url.path, url.query)}")
            continue
        if service == "scheduler":
            actions.add(f"scheduler:{_scheduler_action(request.get('method', 'GET'), urlparse(request['url']).path)}")
            continue
        actions.add(f"{service}:{request.get('method')} {urlparse(request.get('url', '')).path}")
    return actions


# EventBridge Scheduler's REST routes: (first path segment, named or not) -> the action of each method.
_SCHEDULER = {("schedule-groups", False): {"GET": "ListScheduleGroups"},
              ("schedule-groups", True): {"GET": "GetScheduleGroup", "POST": "CreateScheduleGroup",
                                          "DELETE": "DeleteScheduleGroup"},
              ("schedules", False): {"GET": "ListSchedules"},
              ("schedules", True): {"GET": "GetSchedule", "POST": "CreateSchedule", "PUT": "UpdateSchedule",
                                    "DELETE": "DeleteSchedule"},
              ("tags", True): {"GET": "ListTagsForResource", "POST": "TagResource", "DELETE": "UntagResource"}}


def _scheduler_action(method: str, path: str) -> str:
    parts = path.strip("/").split("/", 1)
    return _SCHEDULER.get((parts[0], len(parts) > 1), {}).get(method, f"{method} {path}")


# S3's REST sub-resources (?versioning) and the IAM action of each method on them.
_S3_SUBRESOURCE = {
    "versioning": ("GetBucketVersioning", "PutBucketVersioning", None),
    "encryption": ("GetEncryptionConfiguration", "PutEncryptionConfiguration", "PutEncryptionConfiguration"),
    "publicAccessBlock": ("GetBucketPublicAccessBlock", "PutBucketPublicAccessBlock", "PutBucketPublicAccessBlock"),
    "policy": ("GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"),
    "policyStatus": ("GetBucketPolicyStatus", None, None),
    "tagging": ("GetBucketTagging", "PutBucketTagging", "PutBucketTagging"),
    "ownershipControls": ("GetBucketOwnershipControls", "PutBucketOwnershipControls", "PutBucketOwnershipControls"),
    "acl": ("GetBucketAcl", "PutBucketAcl", None),
    "accelerate": ("GetAccelerateConfiguration", "PutAccelerateConfiguration", None),
    "object-lock": ("GetBucketObjectLockConfiguration", "PutBucketObjectLockConfiguration", None),
    "inventory": ("GetInventoryConfiguration", "PutInventoryConfiguration", "PutInventoryConfiguration"),
    "logging": ("GetBucketLogging", "PutBucketLogging", None),
    "lifecycle": ("GetLifecycleConfiguration", "PutLifecycleConfiguration", "PutLifecycleConfiguration"),
    "requestPayment": ("GetBucketRequestPayment", "PutBucketRequestPayment", None),
    "location": ("GetBucketLocation", None, None),
    "versions": ("ListBucketVersions", None, None),
    "website": ("GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite"),
    "cors": ("GetBucketCORS", "PutBucketCORS", "PutBucketCORS"),
    "notification": ("GetBucketNotification", "PutBucketNotification", None),
    "replication": ("GetReplicationConfiguration", "PutReplicationConfiguration", None),
}


def _s3_action(method: str, path: str, query: str) -> str:
    """The IAM action of an S3 REST request (path style: /bucket, /bucket/key)."""
    parts = path.strip("/").split("/", 1)
    sub = next((q.split("=")[0] for q in query.split("&") if q.split("=")[0] in _S3_SUBRESOURCE), "")
    if not parts[0]:
        return "ListAllMyBuckets"
    if sub:
        get, put, delete = _S3_SUBRESOURCE[sub]
        return {"GET": get, "HEAD": get, "PUT": put, "DELETE": delete}.get(method) or f"{method} ?{sub}"
    if "delete" in query.split("&") and method == "POST":
        return "DeleteObject"  # DeleteObjects: s3:DeleteObject (and s3:DeleteObjectVersion for versions)
    if len(parts) == 1:
        return {"PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(method, "ListBucket")
    versioned = "versionId=" in query
    return {"PUT": "PutObject", "DELETE": "DeleteObjectVersion" if versioned else "DeleteObject"}.get(
        method, "GetObjectVersion" if versioned else "GetObject")


def _cloudfront_action(method: str, path: str, query: str) -> str:
    parts = path.strip("/").split("/")[1:]  # after the API version
    if parts[:1] == ["tagging"]:
        return {"GET": "ListTagsForResource"}.get(method) or ("UntagResource" if "Untag" in query else "TagResource")
    if parts[:1] == ["distribution"]:
        if len(parts) == 1:
            return "ListDistributions" if method == "GET" else (
                "CreateDistributionWithTags" if "WithTags" in query else "CreateDistribution")
        if len(parts) == 2:
            return {"GET": "GetDistribution", "DELETE": "DeleteDistribution"}[method]
        if parts[2] == "config":
            return {"GET": "GetDistributionConfig", "PUT": "UpdateDistribution"}[method]
    return f"{method} {path}"


def _route53_action(method: str, path: str, body: str) -> str:
    path = path.split("/2013-04-01", 1)[-1]
    if path.startswith("/hostedzonesbyname"):
        return "ListHostedZonesByName"
    if path.startswith("/hostedzone"):
        parts = path.strip("/").split("/")
        if len(parts) == 1:
            return {"GET": "ListHostedZones", "POST": "CreateHostedZone"}[method]
        if len(parts) == 2:
            return {"GET": "GetHostedZone", "DELETE": "DeleteHostedZone", "POST": "UpdateHostedZoneComment"}[method]
        if parts[2] == "dnssec":
            return "GetDNSSEC"
        if parts[2] == "rrset":
            return {"GET": "ListResourceRecordSets", "POST": "ChangeResourceRecordSets"}[method]
    if path.startswith("/tags/"):
        return {"GET": "ListTagsForResource", "POST": "ChangeTagsForResource"}[method]
    if path.startswith("/tags"):
        return "ListTagsForResources"
    if path.startswith("/change/"):
        return "GetChange"
    return f"{method} {path}"


if __name__ == "__main__":
    # The demo's stand-ins, against the emulator named by AWS_ENDPOINT_URL (loopback only):
    #   python -m tests.harness.aws_state push-image TAG   docker push (image manifests into ECR)
    #   python -m tests.harness.aws_state stand-in-db PORT the local PostgreSQL on PORT made to answer as
    #                                                      the RDS instance would after the migrations
    import os
    import sys

    import boto3

    endpoint = os.environ.get("AWS_ENDPOINT_URL", "")
    if sys.argv[1:2] not in (["push-image"], ["stand-in-db"]) or len(sys.argv) != 3:
        sys.exit("usage: python -m tests.harness.aws_state push-image TAG | stand-in-db PORT")
    if not endpoint.startswith(("http://127.", "http://localhost")):
        sys.exit("aws_state writes only to a local emulator (AWS_ENDPOINT_URL on loopback)")
    if sys.argv[1] == "push-image":
        put_image_manifests(boto3.client("ecr"), sys.argv[2])
        print(f"pushed {PREFIX}/backend:{sys.argv[2]} and {PREFIX}/frontend:{sys.argv[2]} (manifests only) "
              f"to {endpoint}")
    else:
        from tests.harness.fixture_db import stand_in_for_rds
        from tests.harness.postgres import PostgresCluster

        local = PostgresCluster(port=int(sys.argv[2]))
        name = stand_in_for_rds(local, secret_value(boto3.client("secretsmanager")))
        print(f"the PostgreSQL on 127.0.0.1:{local.port} now answers as the instance's server: database {name}, "
              "its master user, the app's auth_user table")


POLICY = Path(__file__).resolve().parents[2] / "docs" / "iam-policy.json"


def policy_actions() -> set:
    """The actions docs/iam-policy.json allows (every statement an Allow)."""
    policy = json.loads(POLICY.read_text())
    actions = set()
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions |= set([listed] if isinstance(listed, str) else listed)
    return actions


def not_allowed(calls) -> list:
    """The actions among ``calls`` that docs/iam-policy.json does not allow (wildcards understood)."""
    policy = policy_actions()

    def allowed(action):
        return action in policy or any(p.endswith("*") and action.startswith(p[:-1]) for p in policy)

    return sorted(a for a in calls if not allowed(a))
