# What exists in an account and region, as cost_check's stack description: ours (by tags or name)
# and unexpected, plus the findings that cost money over time (logs kept forever, repositories
# without a lifecycle policy, leftover snapshots, idle addresses).
from __future__ import annotations

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.precedentum.deploy.plugins.module_utils.account import Walk, first_line
from ansible_collections.precedentum.deploy.plugins.module_utils.ecs import placement
from ansible_collections.precedentum.deploy.plugins.module_utils.ownership import is_ours

# What the stack of what exists is made of: the kinds of resource cost_check prices, in the walk's order.
STEPS = ("ecs", "rds", "load_balancers", "ec2", "secrets", "ecr", "s3", "logs", "cloudwatch", "route53", "lightsail")
KINDS = {"service", "db-instance", "db-snapshot", "load-balancer", "nat-gateway", "elastic-ip", "instance", "secret",
         "repository", "bucket", "log-group", "alarm", "dashboard", "hosted-zone", "container-service", "database"}


class Account:
    """Reads the account through the module's clients (the shared walk, module_utils/account.py); ``ours``
    decides what this collection made."""

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
        walk = Walk(self.client, self.module.region, self.is_ours, KINDS)
        cloudwatch = self.ours.setdefault("cloudwatch", {"logs_stored_gb": 0.0, "alarms": 0, "dashboards": 0})
        self.ours["route53_zones"] = 0
        for step in STEPS:
            try:
                for resource in walk.step(step):
                    self.take(resource, cloudwatch)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                if step == "lightsail":
                    self.findings["warnings"].append(
                        f"Lightsail did not answer ({first_line(e)}): its resources are not priced")
                else:
                    self.module.fail_json_aws(e, msg=f"Could not read the account ({step})")
        return self

    def take(self, r, cloudwatch):
        """One resource of the walk into the stack (ours) or the unexpected list, or the findings."""
        f, label = r.facts, r.owner_name
        if r.kind == "service":
            # The tasks on Fargate Spot, by the service's capacity provider strategy.
            split = placement(f["running"] or f["desired"], f["strategy"])
            task = {"name": r.name, "cpu": f["cpu"], "memory": f["memory"], "architecture": f["architecture"],
                    "public_ip": f["public_ip"]}
            tasks = [{**task, "count": split.get("FARGATE", 0)}]
            if split.get("FARGATE_SPOT"):
                tasks.append({**task, "count": split["FARGATE_SPOT"], "spot": True})
            self.add(r.tags, label, "Fargate", f"service {r.name}", {"fargate_tasks": tasks})
        elif r.kind == "db-instance":
            rds = {"instance_class": f["instance_class"], "multi_az": f["multi_az"], "storage_gb": f["storage_gb"],
                   "backup_gb": 0, "publicly_accessible": f["publicly_accessible"]}
            if f["instance_class"].startswith(("db.t3.", "db.t4g.")):
                rds["surplus_credits_30_days"] = self.surplus_credits(r.name)
            self.add(r.tags, label, "RDS", f"instance {r.name}", {"rds": rds})
        elif r.kind == "db-snapshot":
            self.findings["snapshots"].append({"id": r.name, "gb": f["gb"], "ours": self.is_ours(r.tags, label)})
        elif r.kind == "load-balancer":
            self.add(r.tags, label, "Load balancer", f"{f['type']} load balancer {r.name}",
                     {"load_balancer": {"count": 1, "azs": f["zones"]}})
        elif r.kind == "nat-gateway":
            self.add(r.tags, label, "NAT gateway", f"NAT gateway {r.name}", {"nat_gateways": 1})
        elif r.kind == "elastic-ip" and not f["associated"]:
            self.add(r.tags, label, "Public IPv4", f"Elastic IP {r.name} (idle)", {"idle_elastic_ips": 1})
        elif r.kind == "instance" and f["state"] in ("pending", "running"):
            # No EC2 instance prices in the table: only its public address is priced.
            self.add(r.tags, label, "EC2", f"instance {r.name} ({f['type']})",
                     {"instance_public_ips": 1 if f["public_ip"] else 0},
                     note="instance hours are not in the price table: see the EC2 pricing page")
        elif r.kind == "secret":
            self.add(r.tags, label, "Secrets Manager", f"secret {r.name}", {"secrets": 1})
        elif r.kind == "repository":
            if not self.has_lifecycle(r.name):
                self.findings["repositories_without_lifecycle"].append(r.name)
            self.add({}, label, "ECR", f"repository {r.name}", {"ecr_gb": f["gb"]})
        elif r.kind == "bucket":
            # Only the buckets of the deployment are read (one bucket of another's is not a surprise worth a line).
            self.add(r.tags, label, "S3", f"bucket {r.name}", {"s3_gb": f["gb"]})
        elif r.kind == "log-group":
            cloudwatch["logs_stored_gb"] += f["gb"]
            if not f["retention_days"]:
                self.findings["log_groups_without_retention"].append({"name": r.name, "gb": f["gb"]})
        elif r.kind in ("alarm", "dashboard") and r.service == "CloudWatch":
            cloudwatch[f"{r.kind}s"] += 1
        elif r.kind == "hosted-zone":
            self.ours["route53_zones"] += 1
        elif r.kind == "container-service":
            self.add(r.tags, label, "Lightsail", f"container service {r.name}",
                     {"lightsail": {"container_power": f["power"], "container_scale": f["scale"]}})
        elif r.kind == "database":
            self.add(r.tags, label, "Lightsail", f"database {r.name}", {"lightsail": {"database_bundle": f["bundle"]}})

    def has_lifecycle(self, repository):
        try:
            self.client("ecr").get_lifecycle_policy(repositoryName=repository)
        except botocore.exceptions.ClientError as e:
            if e.response["Error"]["Code"] != "LifecyclePolicyNotFoundException":
                raise
            return False
        return True

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
        raise CostExplorerUnavailable(first_line(e)) from e
    if period["days"] == period["days_in_month"]:
        return billed, None, ""  # a whole month: nothing left to forecast
    try:
        forecast = ce.get_cost_forecast(TimePeriod={"Start": period["end"], "End": period["month_end"]},
                                        Metric="UNBLENDED_COST", Granularity="MONTHLY",
                                        **({"Filter": {"And": by_tags}} if len(by_tags) > 1
                                           else {"Filter": by_tags[0]} if by_tags else {}))
        return billed, sum(billed.values()) + float(forecast["Total"]["Amount"]), ""
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError, KeyError, ValueError) as e:
        return billed, None, f"Cost Explorer gave no forecast ({first_line(e)}): the forecast is linear"
