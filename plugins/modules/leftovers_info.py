#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: leftovers_info
short_description: Find what a deployment left in an account, and what it still costs a month
version_added: 1.0.0
description:
  - Reads, in one region, every kind of resource this collection makes (network, addresses, NAT
    gateways, database instances and snapshots, secrets, log groups, image repositories, S3 buckets, load
    balancers and target groups, ECS clusters, services and task definitions, IAM roles, alarms,
    dashboards, topics, budgets, hosted zones, certificates, ElastiCache replication and subnet groups,
    ECS scalable targets, Lightsail services, databases, snapshots and alarms) and returns those that
    are ours, each with what it costs a month at list price.
  - A resource is ours when it carries every tag in O(tags), or, untagged, when its name is
    O(name_prefix) or starts with it (C(precedentum-testing-db), C(/ecs/precedentum-testing/backend)).
    A resource tagged for another project or environment is never ours, whatever its name.
  - The newest final snapshot of each database (C(<database>-final-<time>), made by destroy) is
    returned under RV(kept), not as a leftover; it holds the data on purpose. Older final snapshots
    and every other manual snapshot are leftovers.
  - Reads only; changes nothing, so check mode is the same run.
options:
  name_prefix:
    description: The deployment's name prefix (C(<project>-<environment>)).
    type: str
    required: true
  tags:
    description: Tags that mark a resource as ours.
    type: dict
    default: {}
  lightsail:
    description: Read Lightsail too. Where Lightsail does not answer, a warning says its resources were not read.
    type: bool
    default: true
extends_documentation_fragment:
  - precedentum.deploy.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: What is left of precedentum-testing, and what does it cost?
  precedentum.deploy.leftovers_info:
    name_prefix: precedentum-testing
    tags: {Project: precedentum, Environment: testing}
  register: leftovers
"""

RETURN = r"""
leftovers:
  description: Resources of ours still in the account (kept snapshots excepted), most expensive first.
  returned: always
  type: list
  elements: dict
  sample: [{service: NAT gateway, kind: nat-gateway, name: nat-0abc, monthly_usd: 36.5,
            note: "gateway hours and its public IPv4 address"}]
  contains:
    service:
      description: The AWS service.
      type: str
      returned: always
      sample: NAT gateway
    kind:
      description: The kind of resource.
      type: str
      returned: always
      sample: nat-gateway
    name:
      description: Its name or ID.
      type: str
      returned: always
      sample: nat-0abc
    monthly_usd:
      description: What it costs a month at list price.
      type: float
      returned: always
      sample: 36.5
    note:
      description: What to know before deleting it.
      type: str
      returned: always
kept:
  description: The newest final snapshot of each database, kept on purpose, with what it costs a month.
  returned: always
  type: list
  elements: dict
  contains:
    service:
      description: The AWS service.
      type: str
      returned: always
      sample: RDS
    kind:
      description: The kind of resource.
      type: str
      returned: always
      sample: db-snapshot
    name:
      description: Its name or ID.
      type: str
      returned: always
      sample: precedentum-testing-db-final-20261206
    monthly_usd:
      description: What it costs a month at list price.
      type: float
      returned: always
      sample: 0.19
    note:
      description: What to know before deleting it.
      type: str
      returned: always
monthly_usd:
  description: What the leftovers cost a month at list price (the kept snapshots not included).
  returned: always
  type: float
  sample: 36.9
kept_monthly_usd:
  description: What the kept snapshots cost a month.
  returned: always
  type: float
  sample: 0.19
report:
  description: The same as lines to read, what costs most first, then the kept snapshots and what was not read.
  returned: always
  type: list
  elements: str
  sample: ["3 resource(s) of precedentum-testing left in us-east-1, $36.90 a month at list price:",
           "NAT gateway nat-0abc (nat-gateway): $36.50 a month - gateway hours and its public IPv4 address"]
not_read:
  description: Services that could not be read, with the reason (their resources are not in the lists).
  returned: always
  type: list
  elements: str
"""

import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.precedentum.deploy.plugins.module_utils.cost_discovery import _first_line, _tags, buckets
from ansible_collections.precedentum.deploy.plugins.module_utils.cost_prices import HOURS_PER_MONTH
from ansible_collections.precedentum.deploy.plugins.module_utils.costs import (
    PriceMissing,
    ipv4_month,
    price,
    task_month,
)
from ansible_collections.precedentum.deploy.plugins.module_utils.ownership import is_ours

GB = 1024**3
FINAL = re.compile(r"^(?P<source>.+)-final-(?P<stamp>[0-9][0-9-]*)$")


class Scan:
    def __init__(self, module):
        self.module = module
        self.prefix = module.params["name_prefix"]
        self.want = module.params["tags"] or {}
        self.found = []
        self.snapshots = []  # (source, stamp, item)
        self.not_read = []

    def ours(self, tags, name=""):
        return is_ours(tags, name, self.want, self.prefix)

    def add(self, service, kind, name, monthly=0.0, note="", tags=None, label=None):
        if self.ours(tags or {}, label if label is not None else name):
            self.found.append({"service": service, "kind": kind, "name": name, "monthly_usd": round(monthly, 2),
                               "note": note})
            return True
        return False

    def client(self, name):
        return self.module.client(name, retry_decorator=AWSRetry.jittered_backoff())

    def read(self):
        for step in (self.ec2, self.rds, self.secrets, self.logs, self.ecr, self.s3, self.load_balancers, self.ecs,
                     self.iam, self.cloudwatch, self.sns, self.budgets, self.route53, self.acm, self.elasticache,
                     self.autoscaling, self.lightsail):
            if step == self.lightsail and not self.module.params["lightsail"]:
                continue
            try:
                step()
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                if step == self.lightsail:
                    self.not_read.append(f"Lightsail did not answer ({_first_line(e)}): its resources were not read")
                else:
                    self.module.fail_json_aws(e, msg=f"Could not read the account ({step.__name__})")
        return self

    def ec2(self):
        ec2 = self.client("ec2")

        def pages(method, key, **kwargs):
            return ec2.get_paginator(method).paginate(**kwargs).build_full_result()[key]

        for vpc in pages("describe_vpcs", "Vpcs"):
            tags = _tags(vpc.get("Tags"))
            self.add("VPC", "vpc", vpc["VpcId"], tags=tags, label=tags.get("Name", ""))
        for subnet in pages("describe_subnets", "Subnets"):
            tags = _tags(subnet.get("Tags"))
            self.add("VPC", "subnet", subnet["SubnetId"], tags=tags, label=tags.get("Name", ""))
        for gateway in pages("describe_internet_gateways", "InternetGateways"):
            tags = _tags(gateway.get("Tags"))
            self.add("VPC", "internet-gateway", gateway["InternetGatewayId"], tags=tags, label=tags.get("Name", ""))
        for table in pages("describe_route_tables", "RouteTables"):
            tags = _tags(table.get("Tags"))
            if not any(a.get("Main") for a in table.get("Associations") or []):
                self.add("VPC", "route-table", table["RouteTableId"], tags=tags, label=tags.get("Name", ""))
        for group in pages("describe_security_groups", "SecurityGroups"):
            if group.get("GroupName") != "default":
                self.add("VPC", "security-group", group["GroupId"], tags=_tags(group.get("Tags")),
                         label=group.get("GroupName", ""))
        nat_month = price("nat.hour")["usd"] * HOURS_PER_MONTH + ipv4_month()
        for nat in pages("describe_nat_gateways", "NatGateways"):
            if nat.get("State") in ("pending", "available"):
                tags = _tags(nat.get("Tags"))
                self.add("NAT gateway", "nat-gateway", nat["NatGatewayId"], nat_month,
                         "gateway hours and its public IPv4 address (data processed not included)", tags,
                         tags.get("Name", ""))
        for address in ec2.describe_addresses()["Addresses"]:
            tags = _tags(address.get("Tags"))
            self.add("Public IPv4", "elastic-ip", address.get("PublicIp", address.get("AllocationId", "")),
                     ipv4_month(), "in use or idle", tags, tags.get("Name", ""))
        reservations = pages("describe_instances", "Reservations",
                             Filters=[{"Name": "instance-state-name", "Values": ["pending", "running", "stopped"]}])
        for reservation in reservations:
            for instance in reservation["Instances"]:
                tags = _tags(instance.get("Tags"))
                self.add("EC2", "instance", instance["InstanceId"], ipv4_month() if instance.get(
                    "PublicIpAddress") else 0.0, "instance hours not priced: see the EC2 pricing page", tags,
                    tags.get("Name", ""))

    def rds(self):
        rds = self.client("rds")
        for db in rds.get_paginator("describe_db_instances").paginate().build_full_result()["DBInstances"]:
            monthly, note = 0.0, ""
            try:
                hours = price(f"rds.{db['DBInstanceClass']}.hour")["usd"] * HOURS_PER_MONTH
                storage = price("rds.storage.gb_month")["usd"] * db.get("AllocatedStorage", 0)
                monthly = (hours + storage) * (2 if db.get("MultiAZ") else 1)
                monthly += ipv4_month() if db.get("PubliclyAccessible") else 0.0
            except PriceMissing as e:
                note = str(e)
            self.add("RDS", "db-instance", db["DBInstanceIdentifier"], monthly, note, _tags(db.get("TagList")))
        for group in rds.get_paginator("describe_db_subnet_groups").paginate().build_full_result()["DBSubnetGroups"]:
            self.add("RDS", "db-subnet-group", group["DBSubnetGroupName"])
        snapshots = rds.get_paginator("describe_db_snapshots").paginate(SnapshotType="manual").build_full_result()
        for snap in snapshots["DBSnapshots"]:
            if not self.ours(_tags(snap.get("TagList")), snap["DBSnapshotIdentifier"]):
                continue
            item = {"service": "RDS", "kind": "db-snapshot", "name": snap["DBSnapshotIdentifier"],
                    "monthly_usd": round(price("rds.backup.gb_month")["usd"] * snap.get("AllocatedStorage", 0), 2),
                    "note": "manual snapshot, kept until deleted"}
            self._snapshot(item)

    def _snapshot(self, item):
        final = FINAL.match(item["name"])
        if final:
            self.snapshots.append((item["service"], final["source"], final["stamp"], item))
        else:
            self.found.append(item)

    def secrets(self):
        sm = self.client("secretsmanager")
        for secret in sm.get_paginator("list_secrets").paginate().build_full_result()["SecretList"]:
            if secret.get("DeletedDate"):
                continue  # scheduled for deletion: not billed
            self.add("Secrets Manager", "secret", secret["Name"], price("secretsmanager.secret_month")["usd"],
                     tags=_tags(secret.get("Tags")))

    def logs(self):
        logs = self.client("logs")
        for group in logs.get_paginator("describe_log_groups").paginate().build_full_result()["logGroups"]:
            gb = group.get("storedBytes", 0) / GB
            self.add("CloudWatch Logs", "log-group", group["logGroupName"],
                     gb * price("cloudwatch.logs_stored_gb_month")["usd"],
                     "" if group.get("retentionInDays") else "kept forever (no retention)")

    def ecr(self):
        ecr = self.client("ecr")
        for repo in ecr.get_paginator("describe_repositories").paginate().build_full_result()["repositories"]:
            name = repo["repositoryName"]
            if not self.ours({}, name):
                continue
            images = ecr.get_paginator("describe_images").paginate(repositoryName=name).build_full_result()
            size = sum(i.get("imageSizeInBytes", 0) for i in images["imageDetails"]) / GB
            self.add("ECR", "repository", name, size * price("ecr.gb_month")["usd"],
                     f"{len(images['imageDetails'])} image(s)")

    def s3(self):
        for name, tags, gb, versions in buckets(self.client("s3"), self.module.region, self.ours):
            self.add("S3", "bucket", name, gb * price("s3.gb_month")["usd"],
                     f"{versions} file version(s), {gb:.2f} GB: destroy.yml empties it "
                     "(storage_keep_copy_dir keeps a copy)", tags)

    def load_balancers(self):
        elb = self.client("elbv2")

        def tags_of(arns):
            found = {}
            for start in range(0, len(arns), 20):
                for d in elb.describe_tags(ResourceArns=arns[start:start + 20])["TagDescriptions"]:
                    found[d["ResourceArn"]] = _tags(d.get("Tags"))
            return found

        lbs = elb.get_paginator("describe_load_balancers").paginate().build_full_result()["LoadBalancers"]
        tags = tags_of([lb["LoadBalancerArn"] for lb in lbs])
        for lb in lbs:
            zones = len(lb.get("AvailabilityZones") or []) or 2
            monthly = (price("alb.hour")["usd"] + price("alb.lcu_hour")["usd"]) * HOURS_PER_MONTH + zones * ipv4_month()
            self.add("Load balancer", "load-balancer", lb["LoadBalancerName"], monthly,
                     f"hours, one LCU and {zones} public IPv4 addresses", tags.get(lb["LoadBalancerArn"], {}))
        groups = elb.get_paginator("describe_target_groups").paginate().build_full_result()["TargetGroups"]
        tags = tags_of([g["TargetGroupArn"] for g in groups])
        for group in groups:
            self.add("Load balancer", "target-group", group["TargetGroupName"], tags=tags.get(group["TargetGroupArn"]))

    def ecs(self):
        ecs = self.client("ecs")
        arns = ecs.get_paginator("list_clusters").paginate().build_full_result()["clusterArns"]
        for cluster in ecs.describe_clusters(clusters=arns, include=["TAGS"])["clusters"] if arns else []:
            cluster_tags = _tags(cluster.get("tags"), "key", "value")
            if cluster.get("status") == "INACTIVE":
                continue
            self.add("ECS", "cluster", cluster["clusterName"], tags=cluster_tags)
            services = ecs.get_paginator("list_services").paginate(
                cluster=cluster["clusterArn"]).build_full_result()["serviceArns"]
            for start in range(0, len(services), 10):
                for svc in ecs.describe_services(cluster=cluster["clusterArn"], services=services[start:start + 10],
                                                 include=["TAGS"])["services"]:
                    if svc.get("status") != "ACTIVE":
                        continue
                    td = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
                    count = svc.get("desiredCount") or 0
                    arch = (td.get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64"
                    public = ((svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}).get(
                        "assignPublicIp") == "ENABLED"
                    monthly = count * (task_month(int(td.get("cpu") or 256), int(td.get("memory") or 512), arch)
                                       + (ipv4_month() if public else 0.0))
                    self.add("Fargate", "service", svc["serviceName"], monthly, f"{count} task(s)",
                             {**cluster_tags, **_tags(svc.get("tags"), "key", "value")})
        families = ecs.get_paginator("list_task_definition_families").paginate(
            status="ACTIVE").build_full_result()["families"]
        for family in families:
            if self.ours({}, family):
                revisions = ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]
                if revisions:
                    self.add("ECS", "task-definition", family, note=f"{len(revisions)} active revision(s)")

    def elasticache(self):
        cache = self.client("elasticache")
        groups = cache.get_paginator("describe_replication_groups").paginate().build_full_result()["ReplicationGroups"]
        for group in groups:
            if group.get("Status") == "deleting":
                continue
            nodes, node_type = len(group.get("MemberClusters") or []) or 1, group.get("CacheNodeType", "?")
            try:
                monthly, note = nodes * price(f"elasticache.{node_type}.hour")["usd"] * HOURS_PER_MONTH, ""
            except PriceMissing:
                monthly, note = 0.0, f"{node_type} is not in the price table"
            self.add("ElastiCache", "replication-group", group["ReplicationGroupId"], monthly,
                     note or f"{nodes} {node_type} node(s)")
        subnet_groups = cache.get_paginator("describe_cache_subnet_groups").paginate().build_full_result()
        for subnet_group in subnet_groups["CacheSubnetGroups"]:
            self.add("ElastiCache", "cache-subnet-group", subnet_group["CacheSubnetGroupName"])

    def autoscaling(self):
        targets = self.client("application-autoscaling").get_paginator("describe_scalable_targets").paginate(
            ServiceNamespace="ecs").build_full_result()["ScalableTargets"]
        for target in targets:
            # service/<cluster>/<service>: ours by the service's name.
            self.add("Application Auto Scaling", "scalable-target", target["ResourceId"],
                     note=f"{target['MinCapacity']} to {target['MaxCapacity']} tasks",
                     label=target["ResourceId"].rsplit("/", 1)[-1])

    def iam(self):
        iam = self.client("iam")
        for role in iam.get_paginator("list_roles").paginate().build_full_result()["Roles"]:
            self.add("IAM", "role", role["RoleName"])

    def cloudwatch(self):
        cw = self.client("cloudwatch")
        alarms = cw.get_paginator("describe_alarms").paginate().build_full_result()
        for alarm in alarms.get("MetricAlarms", []) + alarms.get("CompositeAlarms", []):
            self.add("CloudWatch", "alarm", alarm["AlarmName"], price("cloudwatch.alarm_month")["usd"],
                     "the first 10 alarms of an account are free")
        for dashboard in cw.get_paginator("list_dashboards").paginate().build_full_result()["DashboardEntries"]:
            self.add("CloudWatch", "dashboard", dashboard["DashboardName"], price("cloudwatch.dashboard_month")["usd"],
                     "the first 3 dashboards of an account are free")

    def sns(self):
        sns = self.client("sns")
        for topic in sns.get_paginator("list_topics").paginate().build_full_result()["Topics"]:
            self.add("SNS", "topic", topic["TopicArn"].rsplit(":", 1)[-1])

    def budgets(self):
        account = self.client("sts").get_caller_identity()["Account"]
        budgets = self.client("budgets")
        found = budgets.describe_budgets(AccountId=account).get("Budgets", [])
        for budget in found:
            self.add("Budgets", "budget", budget["BudgetName"], note="the first 2 budgets of an account are free")

    def route53(self):
        r53 = self.client("route53")
        for zone in r53.get_paginator("list_hosted_zones").paginate().build_full_result()["HostedZones"]:
            comment = (zone.get("Config") or {}).get("Comment") or ""
            zone_id = zone["Id"].rsplit("/", 1)[-1]
            tags = _tags(r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)
                         .get("ResourceTagSet", {}).get("Tags"))
            label = self.prefix if comment.startswith(self.prefix + ":") else ""
            self.add("Route 53", "hosted-zone", zone["Name"].rstrip("."), price("route53.zone_month")["usd"],
                     tags=tags, label=label)

    def acm(self):
        acm = self.client("acm")
        for cert in acm.get_paginator("list_certificates").paginate().build_full_result()["CertificateSummaryList"]:
            tags = _tags(acm.list_tags_for_certificate(CertificateArn=cert["CertificateArn"]).get("Tags"))
            if tags:
                self.add("ACM", "certificate", cert.get("DomainName", cert["CertificateArn"]), tags=tags, label="")

    def lightsail(self):
        ls = self.client("lightsail")
        for service in ls.get_container_services().get("containerServices", []):
            power, scale = service.get("power", "micro"), service.get("scale", 1)
            try:
                monthly, note = price(f"lightsail.container.{power}")["usd"] * scale, f"{scale} x {power}"
            except PriceMissing as e:
                monthly, note = 0.0, str(e)
            self.add("Lightsail", "container-service", service["containerServiceName"], monthly, note,
                     _tags(service.get("tags"), "key", "value"))
        for db in ls.get_relational_databases().get("relationalDatabases", []):
            bundle_id = db.get("relationalDatabaseBundleId", "micro_2_0")
            bundle = "micro_ha" if bundle_id.startswith("micro_ha") else bundle_id.split("_")[0]
            try:
                monthly, note = price(f"lightsail.database.{bundle}")["usd"], bundle_id
            except PriceMissing as e:
                monthly, note = 0.0, str(e)
            self.add("Lightsail", "database", db["name"], monthly, note, _tags(db.get("tags"), "key", "value"))
        for snap in ls.get_relational_database_snapshots().get("relationalDatabaseSnapshots", []):
            if self.ours(_tags(snap.get("tags"), "key", "value"), snap["name"]):
                gb = snap.get("sizeInGb", 0)
                self._snapshot({"service": "Lightsail", "kind": "database-snapshot", "name": snap["name"],
                                "monthly_usd": round(gb * price("rds.backup.gb_month")["usd"], 2),
                                "note": "kept until deleted (priced as a database snapshot)"})
        for alarm in ls.get_alarms().get("alarms", []):
            self.add("Lightsail", "alarm", alarm["name"], note="Lightsail metric alarms are free")

    def result(self):
        newest = {}
        for service, source, stamp, item in self.snapshots:
            key = (service, source)
            if key not in newest or stamp > newest[key][0]:
                newest[key] = (stamp, item)
        kept = [item for _stamp, item in newest.values()]
        older = [item for *_rest, item in self.snapshots if item not in kept]
        for item in older:
            item["note"] = "an older final snapshot (a newer one of the same database is kept)"
        leftovers = sorted(self.found + older, key=lambda i: (-i["monthly_usd"], i["service"], i["kind"], i["name"]))
        return {"leftovers": leftovers, "kept": sorted(kept, key=lambda i: i["name"]),
                "monthly_usd": round(sum(i["monthly_usd"] for i in leftovers), 2),
                "kept_monthly_usd": round(sum(i["monthly_usd"] for i in kept), 2), "not_read": self.not_read}


def _line(item):
    cost = f"${item['monthly_usd']:.2f} a month" if item["monthly_usd"] else "no charge"
    return f"{item['service']} {item['name']} ({item['kind']}): {cost}" + (f" - {item['note']}" if item["note"] else "")


def report(result, prefix, region):
    lines = [f"{len(result['leftovers'])} resource(s) of {prefix} left in {region}, "
             f"${result['monthly_usd']:.2f} a month at list price" + (":" if result["leftovers"] else
                                                                      ": nothing of ours is left.")]
    lines += [_line(item) for item in result["leftovers"]]
    if result["kept"]:
        lines.append(f"Kept on purpose, ${result['kept_monthly_usd']:.2f} a month (the data of a destroyed database: "
                     "delete it only when the data is not needed any more):")
        lines += [_line(item) for item in result["kept"]]
    return lines + result["not_read"]


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name_prefix=dict(type="str", required=True),
            tags=dict(type="dict", default={}),
            lightsail=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    prefix = module.params["name_prefix"]
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{2,40}", prefix or ""):
        module.fail_json(msg=f"name_prefix: {prefix!r} is not a deployment's name prefix such as precedentum-testing "
                             "(3-41 lower-case letters, digits and hyphens)")
    result = Scan(module).read().result()
    module.exit_json(changed=False, report=report(result, prefix, module.region), **result)


if __name__ == "__main__":
    main()
