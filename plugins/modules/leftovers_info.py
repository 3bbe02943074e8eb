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
from ansible_collections.precedentum.deploy.plugins.module_utils.account import STEPS, Walk, first_line
from ansible_collections.precedentum.deploy.plugins.module_utils.cost_prices import HOURS_PER_MONTH
from ansible_collections.precedentum.deploy.plugins.module_utils.costs import (
    PriceMissing,
    ipv4_month,
    price,
    task_month,
)
from ansible_collections.precedentum.deploy.plugins.module_utils.ownership import is_ours

FINAL = re.compile(r"^(?P<source>.+)-final-(?P<stamp>[0-9][0-9-]*)$")
# What to know of a resource of no charge before deleting it, by kind.
FREE_NOTES = {"alarm": "the first 10 alarms of an account are free",
              "budget": "the first 2 budgets of an account are free",
              "dashboard": "the first 3 dashboards of an account are free"}


class Scan:
    """Every resource of the walk (module_utils/account.py) that is ours, each with what it costs a month."""

    def __init__(self, module):
        self.module = module
        self.prefix = module.params["name_prefix"]
        self.want = module.params["tags"] or {}
        self.found = []
        self.snapshots = []  # (service, source, stamp, item)
        self.not_read = []

    def ours(self, tags, name=""):
        return is_ours(tags, name, self.want, self.prefix)

    def client(self, name):
        return self.module.client(name, retry_decorator=AWSRetry.jittered_backoff())

    def read(self):
        walk = Walk(self.client, self.module.region, self.ours)
        for step in STEPS:
            if step == "lightsail" and not self.module.params["lightsail"]:
                continue
            try:
                for resource in walk.step(step):
                    if self.ours(resource.tags, resource.owner_name):
                        self.take(resource)
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                if step == "lightsail":
                    self.not_read.append(f"Lightsail did not answer ({first_line(e)}): its resources were not read")
                else:
                    self.module.fail_json_aws(e, msg=f"Could not read the account ({step})")
        return self

    def take(self, r):
        """One resource of ours, priced at list price, with what to know before deleting it."""
        monthly, note = self.priced(r)
        item = {"service": r.service, "kind": r.kind, "name": r.name, "monthly_usd": round(monthly, 2), "note": note}
        final = FINAL.match(r.name) if r.kind.endswith("snapshot") else None
        if final:
            self.snapshots.append((r.service, final["source"], final["stamp"], item))
        else:
            self.found.append(item)

    def priced(self, r):
        f = r.facts
        try:
            return self._priced(r, f)
        except PriceMissing as e:
            return 0.0, str(e) if r.kind != "replication-group" else f"{f['node_type']} is not in the price table"

    def _priced(self, r, f):
        if r.kind == "nat-gateway":
            return (price("nat.hour")["usd"] * HOURS_PER_MONTH + ipv4_month(),
                    "gateway hours and its public IPv4 address (data processed not included)")
        if r.kind == "elastic-ip":
            return ipv4_month(), "in use or idle"
        if r.kind == "instance":
            return ipv4_month() if f["public_ip"] else 0.0, "instance hours not priced: see the EC2 pricing page"
        if r.kind == "db-instance":
            hours = price(f"rds.{f['instance_class']}.hour")["usd"] * HOURS_PER_MONTH
            storage = price("rds.storage.gb_month")["usd"] * f["storage_gb"]
            return ((hours + storage) * (2 if f["multi_az"] else 1)
                    + (ipv4_month() if f["publicly_accessible"] else 0.0)), ""
        if r.kind == "db-snapshot":
            return price("rds.backup.gb_month")["usd"] * f["gb"], "manual snapshot, kept until deleted"
        if r.kind == "secret":
            return price("secretsmanager.secret_month")["usd"], ""
        if r.kind == "log-group":
            return (f["gb"] * price("cloudwatch.logs_stored_gb_month")["usd"],
                    "" if f["retention_days"] else "kept forever (no retention)")
        if r.kind == "repository":
            return f["gb"] * price("ecr.gb_month")["usd"], f"{f['images']} image(s)"
        if r.kind == "bucket":
            return (f["gb"] * price("s3.gb_month")["usd"], f"{f['versions']} file version(s), {f['gb']:.2f} GB: "
                    "destroy.yml empties it (storage_keep_copy_dir keeps a copy)")
        if r.kind == "load-balancer":
            return ((price("alb.hour")["usd"] + price("alb.lcu_hour")["usd"]) * HOURS_PER_MONTH
                    + f["zones"] * ipv4_month()), f"hours, one LCU and {f['zones']} public IPv4 addresses"
        if r.kind == "service":
            public = ipv4_month() if f["public_ip"] else 0.0
            return (f["desired"] * (task_month(f["cpu"], f["memory"], f["architecture"]) + public),
                    f"{f['desired']} task(s)")
        if r.kind == "task-definition":
            return 0.0, f"{f['revisions']} active revision(s)"
        if r.kind == "replication-group":
            return (f["nodes"] * price(f"elasticache.{f['node_type']}.hour")["usd"] * HOURS_PER_MONTH,
                    f"{f['nodes']} {f['node_type']} node(s)")
        if r.kind == "schedule-group":
            return 0.0, f"{f['schedules']} schedule(s) (office hours; 14 million invocations a month free)"
        if r.kind == "scalable-target":
            return 0.0, f"{f['min']} to {f['max']} tasks"
        if r.kind in ("alarm", "dashboard") and r.service == "CloudWatch":
            return price(f"cloudwatch.{r.kind}_month")["usd"], FREE_NOTES[r.kind]
        if r.kind == "alarm":
            return 0.0, "Lightsail metric alarms are free"
        if r.kind == "hosted-zone":
            return price("route53.zone_month")["usd"], ""
        if r.kind == "container-service":
            return price(f"lightsail.container.{f['power']}")["usd"] * f["scale"], f"{f['scale']} x {f['power']}"
        if r.kind == "database":
            return price(f"lightsail.database.{f['bundle']}")["usd"], f["bundle_id"]
        if r.kind == "database-snapshot":
            return (f["gb"] * price("rds.backup.gb_month")["usd"],
                    "kept until deleted (priced as a database snapshot)")
        return 0.0, FREE_NOTES.get(r.kind, "")

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
