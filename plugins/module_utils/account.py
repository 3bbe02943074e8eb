# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one walk through an account and region that both account scanners make: cost_check's stack of what exists
(module_utils/cost_discovery.py) and leftovers_info's list of what is still billed. Each kind of resource is read
here once, as a Resource: its service, kind, name, tags, the label the name rule of module_utils/ownership.py reads
(the name, a Name tag, a group's name) and the facts either scanner prices it by. The scanners differ only in what
they take of it."""

from __future__ import annotations

from dataclasses import dataclass, field

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

GB = 1024**3
# The walk's steps, each one service's reads (a scanner names the steps it needs; a step that fails names itself).
STEPS = ("ec2", "rds", "secrets", "logs", "ecr", "s3", "load_balancers", "ecs", "iam", "cloudwatch", "sns", "budgets",
         "route53", "acm", "elasticache", "autoscaling", "scheduler", "lightsail")


@dataclass
class Resource:
    service: str
    kind: str
    name: str
    tags: dict = field(default_factory=dict)
    label: str | None = None  # what the name rule reads; the name unless set
    facts: dict = field(default_factory=dict)

    @property
    def owner_name(self):
        return self.name if self.label is None else self.label


def tags_of(pairs, key="Key", value="Value"):
    return {t[key]: t[value] for t in pairs or []}


def first_line(error):
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__


def buckets(s3, region, ours):
    """The region's S3 buckets that ``ours(tags, name)`` accepts, as (name, tags, GB of every version, versions):
    the old versions a versioned bucket keeps are billed as storage too (listing them is what costs time, so only
    ours are listed)."""
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        where = bucket.get("BucketRegion") or s3.get_bucket_location(Bucket=name).get("LocationConstraint")
        if (where or "us-east-1") != region:
            continue
        try:
            tags = tags_of(s3.get_bucket_tagging(Bucket=name).get("TagSet"))
        except botocore.exceptions.ClientError as e:
            if e.response["Error"]["Code"] != "NoSuchTagSet":
                raise
            tags = {}
        if not ours(tags, name):
            continue
        size = versions = 0
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=name):
            for version in page.get("Versions", []):
                size, versions = size + version.get("Size", 0), versions + 1
        yield name, tags, size / GB, versions


class Walk:
    """The account's resources, step by step. ``client(name)`` gives a boto3 client; ``ours(tags, name)`` is the
    ownership rule, used only to spare the reads that cost most (others' buckets' versions, their task definition
    revisions); ``kinds`` limits the reads to the kinds a scanner takes (None: every kind)."""

    def __init__(self, client, region, ours, kinds=None):
        self.client, self.region, self.ours, self.kinds = client, region, ours, kinds

    def wants(self, kind):
        return self.kinds is None or kind in self.kinds

    def step(self, name):
        return getattr(self, name)()

    def _pages(self, client, method, key, **kwargs):
        return client.get_paginator(method).paginate(**kwargs).build_full_result()[key]

    def ec2(self):
        ec2 = self.client("ec2")
        network = (("vpc", "describe_vpcs", "Vpcs", "VpcId"), ("subnet", "describe_subnets", "Subnets", "SubnetId"),
                   ("internet-gateway", "describe_internet_gateways", "InternetGateways", "InternetGatewayId"),
                   ("route-table", "describe_route_tables", "RouteTables", "RouteTableId"))
        for kind, method, key, id_key in network:
            if not self.wants(kind):
                continue
            for item in self._pages(ec2, method, key):
                if kind == "route-table" and any(a.get("Main") for a in item.get("Associations") or []):
                    continue  # the VPC's main table goes with the VPC
                tags = tags_of(item.get("Tags"))
                yield Resource("VPC", kind, item[id_key], tags, tags.get("Name", ""))
        if self.wants("security-group"):
            for group in self._pages(ec2, "describe_security_groups", "SecurityGroups"):
                if group.get("GroupName") != "default":
                    yield Resource("VPC", "security-group", group["GroupId"], tags_of(group.get("Tags")),
                                   group.get("GroupName", ""))
        if self.wants("nat-gateway"):
            for nat in self._pages(ec2, "describe_nat_gateways", "NatGateways"):
                if nat.get("State") in ("pending", "available"):
                    tags = tags_of(nat.get("Tags"))
                    yield Resource("NAT gateway", "nat-gateway", nat["NatGatewayId"], tags, tags.get("Name", ""))
        if self.wants("elastic-ip"):
            for address in ec2.describe_addresses()["Addresses"]:
                tags = tags_of(address.get("Tags"))
                yield Resource("Public IPv4", "elastic-ip", address.get("PublicIp", address.get("AllocationId", "")),
                               tags, tags.get("Name", ""), {"associated": bool(address.get("AssociationId"))})
        if self.wants("instance"):
            states = [{"Name": "instance-state-name", "Values": ["pending", "running", "stopped"]}]
            for reservation in self._pages(ec2, "describe_instances", "Reservations", Filters=states):
                for instance in reservation["Instances"]:
                    tags = tags_of(instance.get("Tags"))
                    yield Resource("EC2", "instance", instance["InstanceId"], tags, tags.get("Name", ""), {
                        "state": (instance.get("State") or {}).get("Name", "running"),
                        "type": instance.get("InstanceType"), "public_ip": bool(instance.get("PublicIpAddress"))})

    def rds(self):
        rds = self.client("rds")
        if self.wants("db-instance"):
            for db in self._pages(rds, "describe_db_instances", "DBInstances"):
                yield Resource("RDS", "db-instance", db["DBInstanceIdentifier"], tags_of(db.get("TagList")), facts={
                    "instance_class": db["DBInstanceClass"], "multi_az": db.get("MultiAZ", False),
                    "storage_gb": db.get("AllocatedStorage", 20),
                    "publicly_accessible": db.get("PubliclyAccessible", False)})
        if self.wants("db-subnet-group"):
            for group in self._pages(rds, "describe_db_subnet_groups", "DBSubnetGroups"):
                yield Resource("RDS", "db-subnet-group", group["DBSubnetGroupName"])
        if self.wants("db-snapshot"):
            for snap in self._pages(rds, "describe_db_snapshots", "DBSnapshots", SnapshotType="manual"):
                yield Resource("RDS", "db-snapshot", snap["DBSnapshotIdentifier"], tags_of(snap.get("TagList")),
                               facts={"gb": snap.get("AllocatedStorage", 0)})

    def secrets(self):
        for secret in self._pages(self.client("secretsmanager"), "list_secrets", "SecretList"):
            if not secret.get("DeletedDate"):  # scheduled for deletion: not billed
                yield Resource("Secrets Manager", "secret", secret["Name"], tags_of(secret.get("Tags")))

    def logs(self):
        for group in self._pages(self.client("logs"), "describe_log_groups", "logGroups"):
            yield Resource("CloudWatch Logs", "log-group", group["logGroupName"], facts={
                "gb": group.get("storedBytes", 0) / GB, "retention_days": group.get("retentionInDays")})

    def ecr(self):
        ecr = self.client("ecr")
        for repo in self._pages(ecr, "describe_repositories", "repositories"):
            name = repo["repositoryName"]
            images = self._pages(ecr, "describe_images", "imageDetails", repositoryName=name)
            yield Resource("ECR", "repository", name, facts={
                "gb": sum(i.get("imageSizeInBytes", 0) for i in images) / GB, "images": len(images)})

    def s3(self):
        for name, tags, gb, versions in buckets(self.client("s3"), self.region, self.ours):
            yield Resource("S3", "bucket", name, tags, facts={"gb": gb, "versions": versions})

    def load_balancers(self):
        elb = self.client("elbv2")

        def tags_by_arn(arns):
            found = {}
            for start in range(0, len(arns), 20):
                for d in elb.describe_tags(ResourceArns=arns[start:start + 20])["TagDescriptions"]:
                    found[d["ResourceArn"]] = tags_of(d.get("Tags"))
            return found

        if self.wants("load-balancer"):
            lbs = self._pages(elb, "describe_load_balancers", "LoadBalancers")
            tags = tags_by_arn([lb["LoadBalancerArn"] for lb in lbs])
            for lb in lbs:
                yield Resource("Load balancer", "load-balancer", lb["LoadBalancerName"],
                               tags.get(lb["LoadBalancerArn"], {}), facts={
                                   "type": lb.get("Type", "application"),
                                   "zones": len(lb.get("AvailabilityZones") or []) or 2})
        if self.wants("target-group"):
            groups = self._pages(elb, "describe_target_groups", "TargetGroups")
            tags = tags_by_arn([g["TargetGroupArn"] for g in groups])
            for group in groups:
                yield Resource("Load balancer", "target-group", group["TargetGroupName"],
                               tags.get(group["TargetGroupArn"], {}))

    def ecs(self):
        ecs = self.client("ecs")
        arns = self._pages(ecs, "list_clusters", "clusterArns")
        for cluster in ecs.describe_clusters(clusters=arns, include=["TAGS"])["clusters"] if arns else []:
            if cluster.get("status") == "INACTIVE":
                continue
            cluster_tags = tags_of(cluster.get("tags"), "key", "value")
            if self.wants("cluster"):
                yield Resource("ECS", "cluster", cluster["clusterName"], cluster_tags)
            if not self.wants("service"):
                continue
            services = self._pages(ecs, "list_services", "serviceArns", cluster=cluster["clusterArn"])
            for start in range(0, len(services), 10):
                for svc in ecs.describe_services(cluster=cluster["clusterArn"], services=services[start:start + 10],
                                                 include=["TAGS"])["services"]:
                    if svc.get("status") != "ACTIVE":
                        continue
                    td = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
                    vpc = (svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
                    yield Resource("Fargate", "service", svc["serviceName"],
                                   {**cluster_tags, **tags_of(svc.get("tags"), "key", "value")}, facts={
                                       "cpu": int(td.get("cpu") or 256), "memory": int(td.get("memory") or 512),
                                       "architecture": (td.get("runtimePlatform") or {}).get("cpuArchitecture")
                                       or "X86_64",
                                       "public_ip": vpc.get("assignPublicIp") == "ENABLED",
                                       "desired": svc.get("desiredCount") or 0, "running": svc.get("runningCount") or 0,
                                       "strategy": svc.get("capacityProviderStrategy")})
        if self.wants("task-definition"):
            for family in self._pages(ecs, "list_task_definition_families", "families", status="ACTIVE"):
                if self.ours({}, family):  # only ours: a revision list each
                    revisions = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
                    if revisions:
                        yield Resource("ECS", "task-definition", family, facts={"revisions": len(revisions)})

    def elasticache(self):
        cache = self.client("elasticache")
        for group in self._pages(cache, "describe_replication_groups", "ReplicationGroups"):
            if group.get("Status") != "deleting":
                yield Resource("ElastiCache", "replication-group", group["ReplicationGroupId"], facts={
                    "nodes": len(group.get("MemberClusters") or []) or 1, "node_type": group.get("CacheNodeType", "?")})
        for subnet_group in self._pages(cache, "describe_cache_subnet_groups", "CacheSubnetGroups"):
            yield Resource("ElastiCache", "cache-subnet-group", subnet_group["CacheSubnetGroupName"])

    def autoscaling(self):
        targets = self._pages(self.client("application-autoscaling"), "describe_scalable_targets", "ScalableTargets",
                              ServiceNamespace="ecs")
        for target in targets:
            # service/<cluster>/<service>: ours by the service's name.
            yield Resource("Application Auto Scaling", "scalable-target", target["ResourceId"],
                           label=target["ResourceId"].rsplit("/", 1)[-1],
                           facts={"min": target["MinCapacity"], "max": target["MaxCapacity"]})

    def scheduler(self):
        """EventBridge Scheduler's groups (the office hours': <prefix>), each with its schedules' count."""
        client = self.client("scheduler")
        for group in self._pages(client, "list_schedule_groups", "ScheduleGroups"):
            if group["Name"] == "default" or group.get("State") == "DELETING":
                continue
            schedules = self._pages(client, "list_schedules", "Schedules", GroupName=group["Name"])
            yield Resource("EventBridge Scheduler", "schedule-group", group["Name"],
                           facts={"schedules": len(schedules)})

    def iam(self):
        for role in self._pages(self.client("iam"), "list_roles", "Roles"):
            yield Resource("IAM", "role", role["RoleName"])

    def cloudwatch(self):
        cw = self.client("cloudwatch")
        alarms = cw.get_paginator("describe_alarms").paginate().build_full_result()
        for alarm in alarms.get("MetricAlarms", []) + alarms.get("CompositeAlarms", []):
            yield Resource("CloudWatch", "alarm", alarm["AlarmName"])
        for dashboard in self._pages(cw, "list_dashboards", "DashboardEntries"):
            yield Resource("CloudWatch", "dashboard", dashboard["DashboardName"])

    def sns(self):
        for topic in self._pages(self.client("sns"), "list_topics", "Topics"):
            yield Resource("SNS", "topic", topic["TopicArn"].rsplit(":", 1)[-1])

    def budgets(self):
        account = self.client("sts").get_caller_identity()["Account"]
        for budget in self.client("budgets").describe_budgets(AccountId=account).get("Budgets", []):
            yield Resource("Budgets", "budget", budget["BudgetName"])

    def route53(self):
        r53 = self.client("route53")
        for zone in self._pages(r53, "list_hosted_zones", "HostedZones"):
            # A zone this collection made says whose it is in its comment: "<prefix>: ...".
            comment = (zone.get("Config") or {}).get("Comment") or ""
            zone_id = zone["Id"].rsplit("/", 1)[-1]
            tags = tags_of(r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)
                           .get("ResourceTagSet", {}).get("Tags"))
            yield Resource("Route 53", "hosted-zone", zone["Name"].rstrip("."), tags,
                           comment.split(":", 1)[0] if ":" in comment else "")

    def acm(self):
        acm = self.client("acm")
        for cert in self._pages(acm, "list_certificates", "CertificateSummaryList"):
            tags = tags_of(acm.list_tags_for_certificate(CertificateArn=cert["CertificateArn"]).get("Tags"))
            if tags:  # an untagged certificate is never taken as ours by its domain
                yield Resource("ACM", "certificate", cert.get("DomainName", cert["CertificateArn"]), tags, "")

    def lightsail(self):
        ls = self.client("lightsail")
        for service in ls.get_container_services().get("containerServices", []):
            yield Resource("Lightsail", "container-service", service["containerServiceName"],
                           tags_of(service.get("tags"), "key", "value"),
                           facts={"power": service.get("power", "micro"), "scale": service.get("scale", 1)})
        for db in ls.get_relational_databases().get("relationalDatabases", []):
            bundle_id = db.get("relationalDatabaseBundleId", "micro_2_0")  # micro_2_0, micro_ha_2_0, ...
            yield Resource("Lightsail", "database", db["name"], tags_of(db.get("tags"), "key", "value"), facts={
                "bundle_id": bundle_id,
                "bundle": "micro_ha" if bundle_id.startswith("micro_ha") else bundle_id.split("_")[0]})
        if self.wants("database-snapshot"):
            for snap in ls.get_relational_database_snapshots().get("relationalDatabaseSnapshots", []):
                tags = tags_of(snap.get("tags"), "key", "value")
                yield Resource("Lightsail", "database-snapshot", snap["name"], tags,
                               facts={"gb": snap.get("sizeInGb", 0)})
        if self.wants("alarm"):
            for alarm in ls.get_alarms().get("alarms", []):
                yield Resource("Lightsail", "alarm", alarm["name"])
