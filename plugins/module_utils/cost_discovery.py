# What exists in an account and region, as cost_check's stack description: ours (by tags or name)
# and unexpected, plus the findings that cost money over time (logs kept forever, repositories
# without a lifecycle policy, leftover snapshots, idle addresses).
from __future__ import annotations

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.precedentum.deploy.plugins.module_utils.ecs import placement
from ansible_collections.precedentum.deploy.plugins.module_utils.ownership import is_ours

GB = 1024**3


def _tags(pairs, key="Key", value="Value"):
    return {t[key]: t[value] for t in pairs or []}


def buckets(s3, region, ours):
    """The region's S3 buckets that ``ours(tags, name)`` accepts, as (name, tags, GB of every version, versions):
    the old versions a versioned bucket keeps are billed as storage too. Both account scanners read them here."""
    for bucket in s3.list_buckets().get("Buckets", []):
        name = bucket["Name"]
        where = bucket.get("BucketRegion") or s3.get_bucket_location(Bucket=name).get("LocationConstraint")
        if (where or "us-east-1") != region:
            continue
        try:
            tags = _tags(s3.get_bucket_tagging(Bucket=name).get("TagSet"))
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


class Account:
    """Reads the account through the module's clients; ``ours`` decides what this collection made."""

    def __init__(self, module, ours_tags, name_prefix, lcu=1):
        self.module, self.ours_tags, self.name_prefix, self.lcu = module, ours_tags, name_prefix, lcu
        self.ours = {"fargate_tasks": []}
        self.unexpected = []  # (service, resource, stack of that one resource, note)
        self.findings = {"log_groups_without_retention": [], "repositories_without_lifecycle": [],
                         "snapshots": [], "warnings": []}

    def is_ours(self, tags, name=""):
        return is_ours(tags, name, self.ours_tags, self.name_prefix)

    def add(self, tags, name, service, resource, stack, note=""):
        """A resource: merged into our stack when ours, else listed as unexpected with its own stack."""
        if self.is_ours(tags, name):
            for key, value in stack.items():
                if key == "rds":  # one entry per instance
                    self.ours.setdefault("rds", []).append(value)
                elif key == "load_balancer":
                    found = self.ours.setdefault("load_balancer", {"count": 0, "azs": 0, "lcu": self.lcu})
                    found["count"] += value["count"]
                    found["azs"] = max(found["azs"], value["azs"])
                elif isinstance(value, list):
                    self.ours.setdefault(key, []).extend(value)
                elif isinstance(value, dict):
                    self.ours.setdefault(key, {}).update(value)
                else:
                    self.ours[key] = self.ours.get(key, 0) + value
        else:
            self.unexpected.append((service, resource, stack, note))

    def client(self, name):
        return self.module.client(name)

    def read(self):
        for step in (self.ecs, self.rds, self.load_balancers, self.ec2, self.secrets, self.ecr, self.s3, self.logs,
                     self.cloudwatch, self.route53, self.lightsail):
            try:
                step()
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                if step == self.lightsail:
                    self.findings["warnings"].append(
                        f"Lightsail did not answer ({_first_line(e)}): its resources are not priced")
                else:
                    self.module.fail_json_aws(e, msg=f"Could not read the account ({step.__name__})")
        return self

    def ecs(self):
        ecs = self.client("ecs")
        arns = ecs.get_paginator("list_clusters").paginate().build_full_result()["clusterArns"]
        for cluster in ecs.describe_clusters(clusters=arns, include=["TAGS"])["clusters"] if arns else []:
            cluster_tags = _tags(cluster.get("tags"), "key", "value")
            services = ecs.get_paginator("list_services").paginate(
                cluster=cluster["clusterArn"]).build_full_result()["serviceArns"]
            for start in range(0, len(services), 10):
                described = ecs.describe_services(cluster=cluster["clusterArn"], services=services[start:start + 10],
                                                  include=["TAGS"])["services"]
                for svc in described:
                    if svc.get("status") != "ACTIVE":
                        continue
                    td = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"])["taskDefinition"]
                    vpc = (svc.get("networkConfiguration") or {}).get("awsvpcConfiguration") or {}
                    task = {"name": svc["serviceName"], "cpu": int(td.get("cpu") or 256),
                            "memory": int(td.get("memory") or 512),
                            "architecture": (td.get("runtimePlatform") or {}).get("cpuArchitecture") or "X86_64",
                            "public_ip": vpc.get("assignPublicIp") == "ENABLED"}
                    # The tasks on Fargate Spot, by the service's capacity provider strategy.
                    split = placement(svc.get("runningCount") or svc.get("desiredCount") or 0,
                                      svc.get("capacityProviderStrategy"))
                    tasks = [{**task, "count": split.get("FARGATE", 0)}]
                    if split.get("FARGATE_SPOT"):
                        tasks.append({**task, "count": split["FARGATE_SPOT"], "spot": True})
                    tags = {**cluster_tags, **_tags(svc.get("tags"), "key", "value")}
                    self.add(tags, svc["serviceName"], "Fargate", f"service {svc['serviceName']}",
                             {"fargate_tasks": tasks})

    def rds(self):
        rds = self.client("rds")
        for db in rds.get_paginator("describe_db_instances").paginate().build_full_result()["DBInstances"]:
            stack = {"rds": {"instance_class": db["DBInstanceClass"], "multi_az": db.get("MultiAZ", False),
                             "storage_gb": db.get("AllocatedStorage", 20), "backup_gb": 0,
                             "publicly_accessible": db.get("PubliclyAccessible", False)}}
            if db["DBInstanceClass"].startswith(("db.t3.", "db.t4g.")):
                stack["rds"]["surplus_credits_30_days"] = self.surplus_credits(db["DBInstanceIdentifier"])
            self.add(_tags(db.get("TagList")), db["DBInstanceIdentifier"], "RDS",
                     f"instance {db['DBInstanceIdentifier']}", stack)
        snapshots = rds.get_paginator("describe_db_snapshots").paginate(SnapshotType="manual").build_full_result()
        for snap in snapshots["DBSnapshots"]:
            ours = self.is_ours(_tags(snap.get("TagList")), snap["DBSnapshotIdentifier"])
            self.findings["snapshots"].append(
                {"id": snap["DBSnapshotIdentifier"], "gb": snap.get("AllocatedStorage", 0), "ours": ours})

    def surplus_credits(self, identifier):
        """CPU surplus credits CloudWatch says the instance was charged in the last 30 days (unlimited mode)."""
        import datetime

        end = datetime.datetime.now(datetime.UTC)
        points = self.client("cloudwatch").get_metric_statistics(
            Namespace="AWS/RDS", MetricName="CPUSurplusCreditsCharged",
            Dimensions=[{"Name": "DBInstanceIdentifier", "Value": identifier}],
            StartTime=end - datetime.timedelta(days=30), EndTime=end, Period=86400, Statistics=["Sum"],
        ).get("Datapoints")
        return round(sum(p.get("Sum", 0) for p in points or []), 2)

    def load_balancers(self):
        elb = self.client("elbv2")
        found = elb.get_paginator("describe_load_balancers").paginate().build_full_result()["LoadBalancers"]
        for start in range(0, len(found), 20):
            chunk = found[start:start + 20]
            descriptions = elb.describe_tags(ResourceArns=[lb["LoadBalancerArn"] for lb in chunk])["TagDescriptions"]
            tags = {d["ResourceArn"]: _tags(d.get("Tags")) for d in descriptions}
            for lb in chunk:
                stack = {"load_balancer": {"count": 1, "azs": len(lb.get("AvailabilityZones") or []) or 2}}
                self.add(tags.get(lb["LoadBalancerArn"], {}), lb["LoadBalancerName"], "Load balancer",
                         f"{lb.get('Type', 'application')} load balancer {lb['LoadBalancerName']}", stack)

    def ec2(self):
        ec2 = self.client("ec2")
        nats = ec2.get_paginator("describe_nat_gateways").paginate().build_full_result()["NatGateways"]
        for nat in nats:
            if nat.get("State") in ("available", "pending"):
                tags = _tags(nat.get("Tags"))
                self.add(tags, tags.get("Name", ""), "NAT gateway", f"NAT gateway {nat['NatGatewayId']}",
                         {"nat_gateways": 1})
        for address in ec2.describe_addresses()["Addresses"]:
            if not address.get("AssociationId"):
                tags = _tags(address.get("Tags"))
                self.add(tags, tags.get("Name", ""), "Public IPv4", f"Elastic IP {address.get('PublicIp')} (idle)",
                         {"idle_elastic_ips": 1})
        reservations = ec2.get_paginator("describe_instances").paginate(
            Filters=[{"Name": "instance-state-name", "Values": ["pending", "running"]}]).build_full_result()
        for reservation in reservations["Reservations"]:
            for instance in reservation["Instances"]:
                tags = _tags(instance.get("Tags"))
                # No EC2 instance prices in the table: only its public address is priced.
                self.add(tags, tags.get("Name", ""), "EC2", f"instance {instance['InstanceId']} "
                         f"({instance.get('InstanceType')})",
                         {"instance_public_ips": 1 if instance.get("PublicIpAddress") else 0},
                         note="instance hours are not in the price table: see the EC2 pricing page")

    def secrets(self):
        sm = self.client("secretsmanager")
        for secret in sm.get_paginator("list_secrets").paginate().build_full_result()["SecretList"]:
            self.add(_tags(secret.get("Tags")), secret["Name"], "Secrets Manager", f"secret {secret['Name']}",
                     {"secrets": 1})

    def ecr(self):
        ecr = self.client("ecr")
        for repo in ecr.get_paginator("describe_repositories").paginate().build_full_result()["repositories"]:
            name = repo["repositoryName"]
            images = ecr.get_paginator("describe_images").paginate(repositoryName=name).build_full_result()
            size = sum(i.get("imageSizeInBytes", 0) for i in images["imageDetails"]) / GB
            try:
                ecr.get_lifecycle_policy(repositoryName=name)
            except botocore.exceptions.ClientError as e:
                if e.response["Error"]["Code"] != "LifecyclePolicyNotFoundException":
                    raise
                self.findings["repositories_without_lifecycle"].append(name)
            self.add({}, name, "ECR", f"repository {name}", {"ecr_gb": size})

    def s3(self):
        region = self.module.region
        # Only the buckets of the deployment are counted (one bucket of another's is not a surprise worth a line).
        for name, tags, gb, _versions in buckets(self.client("s3"), region, self.is_ours):
            self.add(tags, name, "S3", f"bucket {name}", {"s3_gb": gb})

    def logs(self):
        logs = self.client("logs")
        stored = 0.0
        for group in logs.get_paginator("describe_log_groups").paginate().build_full_result()["logGroups"]:
            gb = group.get("storedBytes", 0) / GB
            stored += gb
            if not group.get("retentionInDays"):
                self.findings["log_groups_without_retention"].append({"name": group["logGroupName"], "gb": gb})
        self.ours.setdefault("cloudwatch", {})["logs_stored_gb"] = stored

    def cloudwatch(self):
        cw = self.client("cloudwatch")
        alarms = cw.get_paginator("describe_alarms").paginate().build_full_result()
        dashboards = cw.get_paginator("list_dashboards").paginate().build_full_result()["DashboardEntries"]
        self.ours.setdefault("cloudwatch", {}).update(
            alarms=len(alarms.get("MetricAlarms", [])) + len(alarms.get("CompositeAlarms", [])),
            dashboards=len(dashboards))

    def route53(self):
        zones = self.client("route53").get_paginator("list_hosted_zones").paginate().build_full_result()["HostedZones"]
        self.ours["route53_zones"] = len(zones)

    def lightsail(self):
        ls = self.client("lightsail")
        for service in ls.get_container_services().get("containerServices", []):
            tags = _tags(service.get("tags"), "key", "value")
            self.add(tags, service["containerServiceName"], "Lightsail",
                     f"container service {service['containerServiceName']}",
                     {"lightsail": {"container_power": service["power"], "container_scale": service.get("scale", 1)}})
        for db in ls.get_relational_databases().get("relationalDatabases", []):
            bundle_id = db.get("relationalDatabaseBundleId", "micro_2_0")  # micro_2_0, micro_ha_2_0, ...
            bundle = "micro_ha" if bundle_id.startswith("micro_ha") else bundle_id.split("_")[0]
            tags = _tags(db.get("tags"), "key", "value")
            self.add(tags, db["name"], "Lightsail", f"database {db['name']}",
                     {"lightsail": {"database_bundle": bundle}})


class CostExplorerUnavailable(Exception):
    """Cost Explorer is not enabled, not allowed, or has no data for this account yet."""


def billing_period(as_of):
    """The month to date as of a date: days 1 .. the day before. On the 1st, the whole last month."""
    import calendar
    import datetime

    if as_of.day == 1:
        end = as_of
        start = (as_of - datetime.timedelta(days=1)).replace(day=1)
    else:
        start, end = as_of.replace(day=1), as_of
    days_in_month = calendar.monthrange(start.year, start.month)[1]
    month_end = start.replace(day=days_in_month) + datetime.timedelta(days=1)
    return {"start": start.isoformat(), "end": end.isoformat(), "days": (end - start).days,
            "days_in_month": days_in_month, "month_end": month_end.isoformat()}


def cost_explorer(module, period, tags=None):
    """Unblended cost per SERVICE over the period, credits and refunds left out (they would hide
    what the resources cost), and Cost Explorer's forecast of the month's total, or None with the
    reason it gave none. Cost Explorer answers from us-east-1 only; each request costs $0.01.
    With tags ({key: value} of active cost allocation tags), only what carries them: this deployment's
    share of the bill, not the whole account's."""
    ce = module.client("ce", region="us-east-1")
    no_credits = {"Not": {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Credit", "Refund"]}}}
    by_tags = [{"Tags": {"Key": key, "Values": [value], "MatchOptions": ["EQUALS"]}}
               for key, value in sorted((tags or {}).items())]
    request = {"TimePeriod": {"Start": period["start"], "End": period["end"]}, "Granularity": "MONTHLY",
               "Metrics": ["UnblendedCost"], "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
               "Filter": {"And": [no_credits, *by_tags]} if by_tags else no_credits}
    billed = {}
    try:
        while True:
            page = ce.get_cost_and_usage(**request)
            for result in page.get("ResultsByTime", []):
                for group in result.get("Groups", []):
                    usd = float(group["Metrics"]["UnblendedCost"]["Amount"])
                    billed[group["Keys"][0]] = billed.get(group["Keys"][0], 0.0) + usd
            if not page.get("NextPageToken"):
                break
            request["NextPageToken"] = page["NextPageToken"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        raise CostExplorerUnavailable(_first_line(e)) from e
    if period["days"] == period["days_in_month"]:
        return billed, None, ""  # a whole month: nothing left to forecast
    try:
        forecast = ce.get_cost_forecast(TimePeriod={"Start": period["end"], "End": period["month_end"]},
                                        Metric="UNBLENDED_COST", Granularity="MONTHLY",
                                        **({"Filter": {"And": by_tags}} if len(by_tags) > 1
                                           else {"Filter": by_tags[0]} if by_tags else {}))
        return billed, sum(billed.values()) + float(forecast["Total"]["Amount"]), ""
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, KeyError, ValueError) as e:
        return billed, None, f"Cost Explorer gave no forecast ({_first_line(e)}): the forecast is linear"


def _first_line(error):
    return str(error).splitlines()[0][:200] if str(error) else type(error).__name__
