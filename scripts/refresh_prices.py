"""Rebuild plugins/module_utils/cost_prices.py from AWS's price APIs: see scripts/refresh_prices."""

from __future__ import annotations

import argparse
import datetime
import json
import runpy
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TABLE = REPO / "plugins" / "module_utils" / "cost_prices.py"
REGION = "us-east-1"
HOURS_PER_MONTH = 730

HEADER = '''\
# List prices used by precedentum.deploy.cost_check: us-east-1, on-demand, USD.
# Each figure carries its unit, its source and a confidence: "listed" (a published price list or
# calculator figure) or "unverified" (third-party only; the cost check says so on every line that
# uses it). HOURS_PER_MONTH is the AWS calculator's convention. Sources and the arithmetic of the
# seed's stack: docs/costs.md. scripts/refresh_prices rewrites this file from AWS's price APIs:
# keep its layout (one entry per figure, the order below).
from __future__ import annotations
'''

# Price key -> (Price List service code, usage type without its region prefix, other attributes,
# the attribute that carries the region or None for global prices). us-east-1 usage types come
# with or without the "USE1-" prefix depending on the service: the query accepts both.
PRICE_LIST = {
    "fargate.X86_64.vcpu_hour": ("AmazonECS", "Fargate-vCPU-Hours:perCPU", {}, "regionCode"),
    "fargate.X86_64.gb_hour": ("AmazonECS", "Fargate-GB-Hours", {}, "regionCode"),
    "fargate.ARM64.vcpu_hour": ("AmazonECS", "Fargate-ARM-vCPU-Hours:perCPU", {}, "regionCode"),
    "fargate.ARM64.gb_hour": ("AmazonECS", "Fargate-ARM-GB-Hours", {}, "regionCode"),
    "rds.db.t4g.micro.hour": ("AmazonRDS", "InstanceUsage:db.t4g.micro",
                              {"databaseEngine": "PostgreSQL", "deploymentOption": "Single-AZ"}, "regionCode"),
    "rds.db.t4g.small.hour": ("AmazonRDS", "InstanceUsage:db.t4g.small",
                              {"databaseEngine": "PostgreSQL", "deploymentOption": "Single-AZ"}, "regionCode"),
    "rds.storage.gb_month": ("AmazonRDS", "RDS:GP3-Storage", {}, "regionCode"),
    "rds.backup.gb_month": ("AmazonRDS", "RDS:ChargedBackupUsage", {}, "regionCode"),
    "alb.hour": ("AWSELB", "LoadBalancerUsage", {"productFamily": "Load Balancer-Application"}, "regionCode"),
    "alb.lcu_hour": ("AWSELB", "LCUUsage", {"productFamily": "Load Balancer-Application"}, "regionCode"),
    "ipv4.hour": ("AmazonVPC", "PublicIPv4:InUseAddress", {}, "regionCode"),
    "nat.hour": ("AmazonEC2", "NatGateway-Hours", {}, "regionCode"),
    "nat.gb": ("AmazonEC2", "NatGateway-Bytes", {}, "regionCode"),
    "secretsmanager.secret_month": ("AWSSecretsManager", "AWSSecretsManager-Secrets", {}, "regionCode"),
    "cloudwatch.alarm_month": ("AmazonCloudWatch", "CW:AlarmMonitorUsage", {}, "regionCode"),
    "cloudwatch.dashboard_month": ("AmazonCloudWatch", "DashboardsUsageHour-Basic", {}, "regionCode"),
    "cloudwatch.logs_ingested_gb": ("AmazonCloudWatch", "DataProcessing-Bytes", {}, "regionCode"),
    "cloudwatch.logs_stored_gb_month": ("AmazonCloudWatch", "TimedStorage-ByteHrs", {}, "regionCode"),
    "route53.zone_month": ("AmazonRoute53", "HostedZone", {}, None),
    "ecr.gb_month": ("AmazonECR", "TimedStorage-ByteHrs", {}, "regionCode"),
    "s3.gb_month": ("AmazonS3", "TimedStorage-ByteHrs", {}, "regionCode"),
    "data_out.gb": ("AWSDataTransfer", "DataTransfer-Out-Bytes", {}, "fromRegionCode"),
    "elasticache.cache.t4g.micro.hour": ("AmazonElastiCache", "NodeUsage:cache.t4g.micro",
                                         {"cacheEngine": "Redis"}, "regionCode"),
    "cloudfront.gb": ("AmazonCloudFront", "US-DataTransfer-Out-Bytes", {}, None),
    "waf.web_acl_month": ("awswaf", "WebACL", {}, "regionCode"),
    "waf.rule_month": ("awswaf", "Rule", {}, "regionCode"),
    "waf.million_requests": ("awswaf", "Request", {}, "regionCode"),
}

LIGHTSAIL_CALLS = ("get_container_service_powers", "get_relational_database_bundles", "get_bundles")


class Unresolved(Exception):
    """The API did not give one price for a figure."""


def price_list_request(key):
    service, usage, attributes, region_field = PRICE_LIST[key]
    filters = [{"Type": "ANY_OF", "Field": "usagetype", "Value": f"USE1-{usage},{usage}"}]
    if region_field:
        filters.append({"Type": "TERM_MATCH", "Field": region_field, "Value": REGION})
    filters += [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in sorted(attributes.items())]
    return {"ServiceCode": service, "Filters": filters, "FormatVersion": "aws_v1"}


class LiveAWS:
    """Calls the APIs (pricing lives in us-east-1 too); saves what it read when recording."""

    def __init__(self, record=None):
        import boto3  # only when calling AWS

        self.pricing = boto3.client("pricing", region_name=REGION)
        self.lightsail = boto3.client("lightsail", region_name=REGION)
        self.record = Path(record) if record else None

    def _save(self, name, request, response):
        if self.record:
            path = self.record / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"request": request, "response": response}, indent=1, sort_keys=True) + "\n")

    def products(self, key):
        request = price_list_request(key)
        items = []
        for page in self.pricing.get_paginator("get_products").paginate(**request):
            items += page["PriceList"]
        response = {"FormatVersion": "aws_v1", "PriceList": items}
        self._save(f"pricing/{key}.json", request, response)
        return response

    def call(self, operation):
        response = getattr(self.lightsail, operation)()
        response.pop("ResponseMetadata", None)
        self._save(f"lightsail/{operation}.json", {}, response)
        return response


class Replay:
    """Reads responses saved by --record (the tests' fixtures); refuses one saved for another query."""

    def __init__(self, directory):
        self.directory = Path(directory)

    def _load(self, name, request):
        path = self.directory / name
        if not path.is_file():
            raise Unresolved(f"no saved response {path}")
        saved = json.loads(path.read_text())
        if saved.get("request") != request:
            raise Unresolved(f"{path} was saved for another query: record it again")
        return saved["response"]

    def products(self, key):
        return self._load(f"pricing/{key}.json", price_list_request(key))

    def call(self, operation):
        return self._load(f"lightsail/{operation}.json", {})


def per_unit(usd, aws_unit, our_unit):
    """AWS's price in the table's unit: hourly <-> monthly, per request -> per million."""
    aws, ours = aws_unit.lower(), our_unit.lower()
    hourly = "hr" in aws or "hour" in aws
    if hourly and ours.endswith("month"):
        return round(usd * HOURS_PER_MONTH, 4)
    if "mo" in aws and not hourly and ours.endswith("hour"):
        return round(usd / HOURS_PER_MONTH, 6)
    if aws.startswith("request") and ours.startswith("million"):
        return round(usd * 1_000_000, 4)
    return round(usd, 8)


def price_from_products(response, our_unit):
    """The one on-demand price of the products found: the first non-zero tier of each (free tiers
    and volume discounts aside). No product or several different prices: Unresolved."""
    found = set()
    for item in response.get("PriceList", []):
        product = json.loads(item) if isinstance(item, str) else item
        for term in product.get("terms", {}).get("OnDemand", {}).values():
            dimensions = sorted(term.get("priceDimensions", {}).values(), key=lambda d: float(d.get("beginRange", 0)))
            paid = [d for d in dimensions if float(d["pricePerUnit"].get("USD", 0)) > 0]
            if paid:
                found.add(per_unit(float(paid[0]["pricePerUnit"]["USD"]), paid[0].get("unit", ""), our_unit))
    if not found:
        raise Unresolved("no on-demand product matched")
    if len(found) > 1:
        raise Unresolved("several prices matched: " + ", ".join(str(p) for p in sorted(found)))
    return found.pop()


def lightsail_price(key, responses):
    """Lightsail's own APIs give monthly prices per power / bundle."""
    kind, name = key.split(".", 2)[1:]
    if kind == "container":
        rows = [p for p in responses["get_container_service_powers"].get("powers", [])
                if p.get("name") == name and p.get("isActive", True)]
    elif kind == "database":
        size, ha = name.removesuffix("_ha"), name.endswith("_ha")
        rows = [b for b in responses["get_relational_database_bundles"].get("bundles", [])
                if b.get("bundleId", "").startswith(f"{size}_") and ("_ha_" in b["bundleId"]) == ha
                and b.get("isActive", True)]
    elif kind == "instance":
        ram = float(name.removesuffix("GB"))
        rows = [b for b in responses["get_bundles"].get("bundles", [])
                if float(b.get("ramSizeInGb", -1)) == ram and "LINUX_UNIX" in b.get("supportedPlatforms", [])
                and "ipv6" not in b.get("bundleId", "") and b.get("isActive", True)]
    else:
        raise Unresolved("no Lightsail API gives this price")
    prices = {round(float(r["price"]), 8) for r in rows}
    if len(prices) != 1:
        raise Unresolved("no Lightsail bundle matched" if not prices else
                         "several Lightsail bundles matched: " + ", ".join(str(p) for p in sorted(prices)))
    return prices.pop()


def refresh(current, source, today):
    """New table and the report rows (key, old, new, status). Status: same, changed, kept (no API
    gives it) or unresolved: <why> (old figure kept)."""
    table, rows = {}, []
    lightsail = {}
    for key, entry in current.items():
        new = dict(entry)
        try:
            if key in PRICE_LIST:
                usd = price_from_products(source.products(key), entry["unit"])
                origin = f"AWS Price List API, {PRICE_LIST[key][0]} {PRICE_LIST[key][1]}, {today}"
            elif key.startswith("lightsail.") and not key.endswith("load_balancer"):
                if not lightsail:
                    lightsail.update({op: source.call(op) for op in LIGHTSAIL_CALLS})
                usd = lightsail_price(key, lightsail)
                origin = f"Lightsail price APIs, {today}"
            else:
                rows.append((key, entry["usd"], entry["usd"], "kept"))
                table[key] = new
                continue
        except Unresolved as error:
            rows.append((key, entry["usd"], entry["usd"], f"unresolved: {error}"))
            table[key] = new
            continue
        new.update(usd=usd, confidence="listed", source=origin)
        rows.append((key, entry["usd"], usd, "same" if usd == entry["usd"] else "changed"))
        table[key] = new
    return table, rows


def render(table, collected):
    """The table as Python source, one entry per figure, lines within 120 characters."""
    out = [HEADER, f'REGION = "{REGION}"', f'COLLECTED = "{collected}"', f"HOURS_PER_MONTH = {HOURS_PER_MONTH}", "",
           "PRICES = {"]
    for key, entry in table.items():
        figures = f'"usd": {entry["usd"]!r}, "unit": {json.dumps(entry["unit"])}, ' \
                  f'"confidence": {json.dumps(entry["confidence"])},'
        source = f'"source": {json.dumps(entry["source"], ensure_ascii=False)}}},'
        if len(key) + 9 + len(source) <= 120:  # the source under the figures, aligned (pycodestyle's E127/E128)
            out += [f'    "{key}": {{{figures}', " " * (len(key) + 9) + source]
        else:  # a hanging indent
            out += [f'    "{key}": {{', " " * 8 + figures, " " * 8 + source]
    out.append("}")
    return "\n".join(out) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scripts/refresh_prices", description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the table (default: only report)")
    parser.add_argument("--record", metavar="DIR", help="save every response read from AWS to DIR")
    parser.add_argument("--replay", metavar="DIR", help="read responses saved by --record instead of AWS")
    parser.add_argument("--table", default=str(TABLE), help="the price table file (default: the collection's)")
    parser.add_argument("--date", default=datetime.date.today().isoformat(), help="the collection date to write")
    args = parser.parse_args(argv)
    if args.record and args.replay:
        parser.error("--record and --replay exclude each other")
    try:
        datetime.date.fromisoformat(args.date)
    except ValueError:
        parser.error(f"--date must be YYYY-MM-DD, not {args.date!r}")

    current = runpy.run_path(args.table)["PRICES"]
    source = Replay(args.replay) if args.replay else LiveAWS(args.record)
    table, rows = refresh(current, source, args.date)

    width = max(len(k) for k in table)
    for key, old, new, status in rows:
        print(f"{key:<{width}}  {old:>12}  {new:>12}  {status}")
    changed = sum(1 for r in rows if r[3] == "changed")
    unresolved = [r for r in rows if r[3].startswith("unresolved")]
    print(f"{changed} changed, {sum(1 for r in rows if r[3] == 'same')} confirmed, "
          f"{len(unresolved)} unresolved (old figure kept), {sum(1 for r in rows if r[3] == 'kept')} with no API")
    if args.write:
        Path(args.table).write_text(render(table, args.date))
        print(f"written: {args.table}")
    elif changed:
        print("nothing written: --write rewrites the table")
    return 1 if unresolved else 0


if __name__ == "__main__":
    sys.exit(main())
