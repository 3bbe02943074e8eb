# What a deployment costs a month at list price: the arithmetic of precedentum.deploy.cost_check,
# pure functions over a stack description and the price table (cost_prices.py), unit-tested.
from __future__ import annotations

import math

from ansible_collections.precedentum.deploy.plugins.module_utils.cost_prices import HOURS_PER_MONTH, PRICES
from ansible_collections.precedentum.deploy.plugins.module_utils.ecs import SPOT_WEIGHT, placement, spot_strategy

FREE_TIERS = ("none", "legacy_12_months")
# Accounts made before 2025-07-15, first 12 months (docs/costs.md). The public IPv4 allowance of
# that tier covers EC2 only: Fargate, RDS and load balancer addresses are charged from the first hour.
LEGACY = {"rds_micro_hours": 750, "rds_storage_gb": 20, "rds_backup_gb": 20, "alb_hours": 750,
          "alb_lcu_hours": 15, "s3_gb": 5, "s3_put_thousands": 2, "s3_get_thousands": 20, "ecr_gb": 0.5}
# Always free, whatever the account's age.
ALWAYS = {"alarms": 10, "dashboards": 3, "logs_gb": 5, "data_out_gb": 100, "cloudfront_gb": 1024}


class PriceMissing(Exception):
    """A resource the table has no price for (the message names it)."""


def price(key):
    if key not in PRICES:
        raise PriceMissing(f"no list price for {key} in the price table")
    return PRICES[key]


def line(service, resource, quantity, unit, unit_price, monthly, confidence="listed", note=""):
    return {"service": service, "resource": resource, "quantity": quantity, "unit": unit,
            "unit_price_usd": unit_price, "monthly_usd": monthly, "confidence": confidence, "note": note}


def worst(*keys):
    return "unverified" if any(price(k)["confidence"] == "unverified" for k in keys) else "listed"


def task_month(cpu, memory, architecture="X86_64", spot=False):
    """Monthly USD of one Fargate task running all month (cpu in units of 1/1024 vCPU, memory in MB)."""
    vcpu, gb = price(f"fargate.{architecture}.vcpu_hour"), price(f"fargate.{architecture}.gb_hour")
    usd = (cpu / 1024 * vcpu["usd"] + memory / 1024 * gb["usd"]) * HOURS_PER_MONTH
    return usd * (1 - price("fargate.spot_discount")["usd"]) if spot else usd


def ipv4_month():
    return price("ipv4.hour")["usd"] * HOURS_PER_MONTH


def running_share(stack, part):
    """(the share of the month PART - tasks or db - runs, a note) under the stack's office hours; (1, '') without."""
    hours = ((stack or {}).get("office_hours") or {}).get(f"{part}_hours_per_week") or 0
    if not hours or hours >= 168:
        return 1.0, ""
    month = hours * 52 / 12
    schedule = stack["office_hours"].get("schedule") or f"{hours:g} h a week"
    return month / HOURS_PER_MONTH, f"office hours {schedule}: {month:.1f} of {HOURS_PER_MONTH} h"


def _fargate(stack, lines):
    public = 0
    share, note = running_share(stack, "task")
    for task in stack.get("fargate_tasks") or []:
        count = task.get("count", 1)
        if not count:
            continue
        arch, spot = task.get("architecture", "X86_64"), task.get("spot", False)
        each = task_month(task["cpu"], task["memory"], arch, spot)
        keys = [f"fargate.{arch}.vcpu_hour"] + (["fargate.spot_discount"] if spot else [])
        size = f"{task['cpu'] / 1024:g} vCPU / {task['memory'] / 1024:g} GB {arch}{' Spot' if spot else ''}"
        lines.append(line("Fargate", f"{task['name']} ({size})", count, "task-month", each, each * count * share,
                          worst(*keys), note))
        if task.get("public_ip", True):
            public += count
    if public:
        # A stopped task's address goes back to AWS: billed only while the task runs.
        lines.append(line("Public IPv4", "Fargate tasks with a public IP", public, "address-month", ipv4_month(),
                          public * ipv4_month() * share, note=note))


def _rds(rds, free_tier, lines, office_hours=None):
    if isinstance(rds, list):  # deployed mode: every instance found
        for one in rds:
            _rds(one, free_tier, lines)
        return
    if not rds:
        return
    klass, multi = rds.get("instance_class", "db.t4g.micro"), rds.get("multi_az", False)
    key = f"rds.{klass}.hour"
    if key not in PRICES:
        raise PriceMissing(f"rds.instance_class {klass} has no list price in the price table")
    hourly = PRICES[key]["usd"] * (2 if multi else 1)
    share, running = running_share(office_hours, "db")
    hours = HOURS_PER_MONTH * share
    note = running
    if free_tier == "legacy_12_months" and klass == "db.t4g.micro" and not multi:
        hours = max(0, hours - LEGACY["rds_micro_hours"])
        note = "; ".join(filter(None, [running, "free tier: 750 h a month of single-AZ db.t4g.micro (unverified "
                                                "on an AWS page)"]))
    lines.append(line("RDS", f"{klass} {'multi-AZ' if multi else 'single-AZ'}", 1, "instance-month",
                      hourly * HOURS_PER_MONTH, hourly * hours, "unverified" if "free tier" in note else worst(key),
                      note))
    storage = rds.get("storage_gb", 20)
    per_gb = price("rds.storage.gb_month")["usd"] * (2 if multi else 1)
    billed, note = storage, ""
    if free_tier == "legacy_12_months":
        billed, note = max(0, storage - LEGACY["rds_storage_gb"]), "free tier: 20 GB"
    lines.append(line("RDS", "storage (gp3)", storage, "GB-month", per_gb, per_gb * billed, note=note))
    # T4g (and T3) instances run in unlimited mode: at zero credits they bill surplus credits (one credit is
    # one vCPU-minute) instead of slowing down. Deployed mode reads what CloudWatch charged in the last 30 days.
    surplus = rds.get("surplus_credits_30_days", 0)
    if surplus:
        unit_price = price("rds.cpu_credit.vcpu_hour")["usd"]
        hours = surplus / 60
        lines.append(line("RDS", "CPU surplus credits (unlimited mode, the last 30 days)", round(hours, 2),
                          "vCPU-hour", unit_price, unit_price * hours * HOURS_PER_MONTH / (30 * 24),
                          worst("rds.cpu_credit.vcpu_hour"),
                          "the database ran above its baseline with no credits left: a larger class may cost less"))
    backup = rds.get("backup_gb", 0)
    if backup:
        billed, note = backup, "beyond the free backup equal to the storage"
        if free_tier == "legacy_12_months":
            billed, note = max(0, backup - LEGACY["rds_backup_gb"]), note + "; free tier: 20 GB more"
        unit_price = price("rds.backup.gb_month")["usd"]
        lines.append(line("RDS", "backup storage", backup, "GB-month", unit_price, unit_price * billed, note=note))
    if rds.get("publicly_accessible", False):
        # Priced all month, stopped or not: no AWS page says a stopped instance's address is not billed.
        lines.append(line("Public IPv4", "publicly accessible RDS instance", 1, "address-month", ipv4_month(),
                          ipv4_month(), "unverified" if running else "listed",
                          "billed while stopped too (assumed)" if running else ""))


def _alb(alb, free_tier, lines, office_hours=None):
    count = (alb or {}).get("count", 0)
    if not count:
        return
    hours, hourly = count * HOURS_PER_MONTH, price("alb.hour")["usd"]
    lcu_hours = count * alb.get("lcu", 1) * HOURS_PER_MONTH
    free_hours = free_lcu = 0
    if free_tier == "legacy_12_months":
        free_hours, free_lcu = LEGACY["alb_hours"], LEGACY["alb_lcu_hours"]
    note = "free tier: 750 h a month" if free_hours else ""
    lines.append(line("Load balancer", "application load balancer", count, "ALB-month", hourly * HOURS_PER_MONTH,
                      hourly * max(0, hours - free_hours), note=note))
    lcu = price("alb.lcu_hour")["usd"]
    # The traffic comes in office hours (a paused site answers 503 to the odd visitor): the capacity too.
    share, running = running_share(office_hours, "task")
    lines.append(line("Load balancer", f"capacity, {alb.get('lcu', 1):g} LCU on average (an assumption)",
                      count * alb.get("lcu", 1), "LCU-month", lcu * HOURS_PER_MONTH,
                      lcu * max(0, lcu_hours * share - free_lcu),
                      note="; ".join(filter(None, [running and f"traffic in {running}",
                                                   "free tier: 15 LCU-hours" if free_lcu else ""]))))
    nodes = count * alb.get("azs", 2)
    lines.append(line("Public IPv4", "load balancer nodes (one per zone)", nodes, "address-month", ipv4_month(),
                      nodes * ipv4_month()))


def _network(stack, lines):
    nat = stack.get("nat_gateways", 0)
    if nat:
        hourly = price("nat.hour")["usd"]
        lines.append(line("NAT gateway", "NAT gateway", nat, "gateway-month", hourly * HOURS_PER_MONTH,
                          nat * hourly * HOURS_PER_MONTH))
        processed = stack.get("nat_processed_gb", 0)
        if processed:
            per_gb = price("nat.gb")["usd"]
            lines.append(line("NAT gateway", "data processed", processed, "GB", per_gb, processed * per_gb))
        lines.append(line("Public IPv4", "NAT gateway addresses", nat, "address-month", ipv4_month(),
                          nat * ipv4_month()))
    instances = stack.get("instance_public_ips", 0)
    if instances:
        lines.append(line("Public IPv4", "EC2 instances' public addresses", instances, "address-month", ipv4_month(),
                          instances * ipv4_month()))
    idle = stack.get("idle_elastic_ips", 0)
    if idle:
        lines.append(line("Public IPv4", "Elastic IPs attached to nothing", idle, "address-month", ipv4_month(),
                          idle * ipv4_month()))


def _lightsail(ls, lines):
    if not ls:
        return
    power, scale = ls.get("container_power"), ls.get("container_scale", 1)
    if power:
        key = f"lightsail.container.{power}"
        if key not in PRICES:
            raise PriceMissing(f"lightsail.container_power {power} has no list price in the price table")
        lines.append(line("Lightsail", f"container service, {power} (HTTPS endpoint included)", scale,
                          "node-month", PRICES[key]["usd"], PRICES[key]["usd"] * scale, worst(key)))
    bundle = ls.get("database_bundle")
    if bundle:
        key = f"lightsail.database.{bundle}"
        if key not in PRICES:
            raise PriceMissing(f"lightsail.database_bundle {bundle} has no list price in the price table")
        lines.append(line("Lightsail", f"managed PostgreSQL, {bundle}", 1, "database-month", PRICES[key]["usd"],
                          PRICES[key]["usd"], worst(key)))
    for size in ls.get("instances") or []:
        key = f"lightsail.instance.{size}"
        if key not in PRICES:
            raise PriceMissing(f"lightsail.instances {size} has no list price in the price table")
        lines.append(line("Lightsail", f"instance {size} (public IPv4 included)", 1, "instance-month",
                          PRICES[key]["usd"], PRICES[key]["usd"], worst(key)))
    if ls.get("load_balancers", 0):
        each = price("lightsail.load_balancer")["usd"]
        lines.append(line("Lightsail", "load balancer", ls["load_balancers"], "month", each,
                          each * ls["load_balancers"], worst("lightsail.load_balancer")))


def _simple(service, resource, quantity, key, free=0, note="", lines=None):
    if not quantity:
        return
    unit_price = price(key)["usd"]
    lines.append(line(service, resource, quantity, price(key)["unit"], unit_price,
                      unit_price * max(0, quantity - free), worst(key), note if free else ""))


def _storage_and_more(stack, free_tier, lines):
    legacy = free_tier == "legacy_12_months"
    _simple("S3", "Standard storage", stack.get("s3_gb", 0), "s3.gb_month",
            LEGACY["s3_gb"] if legacy else 0, "free tier: 5 GB", lines)
    _simple("S3", "uploads and listings (thousands, an assumption)", stack.get("s3_put_thousands", 0), "s3.put_1k",
            LEGACY["s3_put_thousands"] if legacy else 0, "free tier: 2,000", lines)
    _simple("S3", "downloads (thousands, an assumption)", stack.get("s3_get_thousands", 0), "s3.get_1k",
            LEGACY["s3_get_thousands"] if legacy else 0, "free tier: 20,000", lines)
    _simple("ECR", "image storage", stack.get("ecr_gb", 0), "ecr.gb_month",
            LEGACY["ecr_gb"] if legacy else 0, "free tier: 500 MB", lines)
    _simple("Secrets Manager", "secrets", stack.get("secrets", 0), "secretsmanager.secret_month", lines=lines)
    _simple("Route 53", "hosted zones", stack.get("route53_zones", 0), "route53.zone_month", lines=lines)
    cw = stack.get("cloudwatch") or {}
    _simple("CloudWatch", "alarms", cw.get("alarms", 0), "cloudwatch.alarm_month", ALWAYS["alarms"],
            "first 10 free", lines)
    _simple("CloudWatch", "dashboards", cw.get("dashboards", 0), "cloudwatch.dashboard_month",
            ALWAYS["dashboards"], "first 3 free", lines)
    ingested, stored = cw.get("logs_ingested_gb", 0), cw.get("logs_stored_gb", 0)
    _simple("CloudWatch", "logs ingested", ingested, "cloudwatch.logs_ingested_gb", ALWAYS["logs_gb"],
            "5 GB a month free", lines)
    _simple("CloudWatch", "logs stored", stored, "cloudwatch.logs_stored_gb_month",
            max(0, ALWAYS["logs_gb"] - ingested), "inside the 5 GB free", lines)
    _simple("Data transfer", "out to the internet", stack.get("data_out_gb", 0), "data_out.gb",
            ALWAYS["data_out_gb"], "first 100 GB a month free", lines)
    for node in stack.get("elasticache_nodes") or []:
        key = f"elasticache.{node['node_type']}.hour"
        if key not in PRICES:
            raise PriceMissing(f"elasticache_nodes: {node['node_type']} has no list price in the price table")
        count = node.get("count", 1)
        lines.append(line("ElastiCache", node["node_type"], count, "node-month", PRICES[key]["usd"] * HOURS_PER_MONTH,
                          count * PRICES[key]["usd"] * HOURS_PER_MONTH, worst(key)))
    _simple("CloudFront", "data out", stack.get("cloudfront_gb", 0), "cloudfront.gb", ALWAYS["cloudfront_gb"],
            "1 TB a month free", lines)
    waf = stack.get("waf") or {}
    _simple("WAF", "web ACLs", waf.get("web_acls", 0), "waf.web_acl_month", lines=lines)
    _simple("WAF", "rules", waf.get("rules", 0), "waf.rule_month", lines=lines)
    _simple("WAF", "requests (millions)", waf.get("requests_millions", 0), "waf.million_requests", lines=lines)


def plan_lines(stack, free_tier="none"):
    """Every priced line of a stack description (see the cost_check module's `stack` option)."""
    if free_tier not in FREE_TIERS:
        raise ValueError(f"free_tier must be one of {', '.join(FREE_TIERS)}, got {free_tier}")
    lines = []
    _fargate(stack, lines)
    _rds(stack.get("rds"), free_tier, lines, stack)
    _alb(stack.get("load_balancer"), free_tier, lines, stack)
    _network(stack, lines)
    _lightsail(stack.get("lightsail"), lines)
    _storage_and_more(stack, free_tier, lines)
    _schedules(stack, lines)
    return lines


def _schedules(stack, lines):
    """Office hours' schedules: a handful of invocations a day, within EventBridge Scheduler's free 14 million."""
    planned = stack.get("office_hours") or {}
    if not (planned.get("task_hours_per_week") or planned.get("db_hours_per_week")):
        return
    # Six schedules (the database, the services, the alarms; each way) on each office day.
    invocations = round(6 * (planned.get("days_per_week") or 5) * 52 / 12)
    lines.append(line("EventBridge Scheduler", "office hours' pause and resume schedules", invocations,
                      "invocation-month", 0.0, 0.0, note="first 14 million invocations a month free"))


def total(lines):
    return sum(item["monthly_usd"] for item in lines)


def recommendations(stack, free_tier="none"):
    """Levers that keep every feature, each with its saving in USD a month, computed from the stack."""
    found = []
    tasks = [t for t in stack.get("fargate_tasks") or [] if t.get("count", 1)]
    x86 = [t for t in tasks if t.get("architecture", "X86_64") == "X86_64"]
    # AWS runs no ARM64 task on Fargate Spot: with Spot in the stack, ARM64 is no lever (and the other way round).
    if x86 and not any(t.get("spot", False) for t in tasks):
        saving = sum((task_month(t["cpu"], t["memory"], "X86_64", t.get("spot", False))
                      - task_month(t["cpu"], t["memory"], "ARM64", t.get("spot", False))) * t.get("count", 1)
                     for t in x86)
        found.append({"action": "Run the tasks on ARM64 (ecs_cpu_architecture: ARM64; build arm64 images; "
                                "not beside ecs_frontend_spot: AWS runs no ARM64 task there)",
                      "saving_monthly_usd": saving, "confidence": "listed"})
    databases = stack.get("rds") or []
    public = sum(1 for db in (databases if isinstance(databases, list) else [databases])
                 if db.get("publicly_accessible"))
    if public:
        found.append({"action": "Keep RDS private and open it only while loading data "
                                "(rds_publicly_accessible: false; data_update.yml -e rds_public_window=true)",
                      "saving_monthly_usd": public * ipv4_month(), "confidence": "listed"})
    if len(tasks) >= 2 and all(t.get("count", 1) == 1 for t in tasks):
        separate = total(plan_lines({"fargate_tasks": tasks}, free_tier))
        combined = {"name": "app", "cpu": max(t["cpu"] for t in tasks), "memory": sum(t["memory"] for t in tasks),
                    "architecture": tasks[0].get("architecture", "X86_64"),
                    "public_ip": any(t.get("public_ip", True) for t in tasks)}
        saving = separate - total(plan_lines({"fargate_tasks": [combined]}, free_tier))
        if saving > 0:
            found.append({"action": "Run both containers in one task behind the same load balancer "
                                    "(ecs_layout: combined)", "saving_monthly_usd": saving, "confidence": "listed"})
    # "frontend" in a plan; "<prefix>-frontend" as the deployed service is named. The ecs role keeps the
    # first task on regular Fargate: the lever is the tasks beyond it, at the role's default weight.
    frontend = [t for t in tasks if t["name"].split("-")[-1] == "frontend"]
    x86_frontend = len(frontend) == 1 and frontend[0].get("architecture", "X86_64") != "ARM64"
    if x86_frontend and not frontend[0].get("spot", False):
        t = frontend[0]
        arch = t.get("architecture", "X86_64")
        spot = placement(t.get("count", 1), spot_strategy(SPOT_WEIGHT)).get("FARGATE_SPOT", 0)
        if spot:
            saving = (task_month(t["cpu"], t["memory"], arch) - task_month(t["cpu"], t["memory"], arch, True)) * spot
            found.append({"action": "Run the frontend's tasks beyond its first on Fargate Spot (ecs_frontend_spot: "
                                    "true; it holds no state, a reclaimed task restarts; X86_64 only)",
                          "saving_monthly_usd": saving, "confidence": worst("fargate.spot_discount")})
    planned = stack.get("office_hours") or {}
    scheduled = planned.get("task_hours_per_week") or planned.get("db_hours_per_week")
    if (tasks or isinstance(databases, dict) and databases) and not scheduled:
        # The weekdays 08:00-20:00 (60 h a week; the database from 20 minutes before to 10 after).
        hours = {"task_hours_per_week": 60, "db_hours_per_week": 62.5, "schedule": "MON-FRI 08:00-20:00"}
        saving = total(plan_lines(stack, free_tier)) - total(plan_lines({**stack, "office_hours": hours}, free_tier))
        if saving > 0:
            found.append({"action": "Run only in office hours: the services at 0 tasks and the database stopped "
                                    "outside them (precedentum_office_hours: {days: MON-FRI, start: \"08:00\", "
                                    "end: \"20:00\", timezone: <yours>}; week3.yml makes the schedules; the "
                                    "site answers 503 outside them)",
                          "saving_monthly_usd": saving, "confidence": "listed"})
    if stack.get("idle_elastic_ips", 0):
        found.append({"action": "Release the Elastic IPs attached to nothing",
                      "saving_monthly_usd": stack["idle_elastic_ips"] * ipv4_month(), "confidence": "listed"})
    for item in found:
        item["saving_monthly_usd"] = cents(item["saving_monthly_usd"])
    return found


def cents(usd):
    """Rounded half up to the cent, as a bill is (0.115 -> 0.12; round() would give 0.11)."""
    return math.floor(usd * 100 + 0.5 + 1e-9) / 100


def rounded(lines):
    """Lines as the module returns them: USD rounded to cents (unit prices to 5 places)."""
    return [{**item, "quantity": round(item["quantity"], 3), "unit_price_usd": round(item["unit_price_usd"], 5),
             "monthly_usd": cents(item["monthly_usd"])} for item in lines]


def table(lines, total_usd, levers=(), unexpected=()):
    """The lines as fixed-width text, one string per row, for the play's output (then the levers)."""
    rows = [("service", "resource", "qty", "unit", "unit USD", "USD/month")]
    for item in lines:
        flag = " *" if item["confidence"] == "unverified" else ""
        rows.append((item["service"], item["resource"] + flag, f"{item['quantity']:g}", item["unit"],
                     f"{item['unit_price_usd']:.4f}", f"{item['monthly_usd']:.2f}"))
    for item in unexpected:
        rows.append((item["service"], f"UNEXPECTED {item['resource']}", "", "", "", f"{item['monthly_usd']:.2f}"))
    rows.append(("total", "", "", "", "", f"{total_usd:.2f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    out = []
    for n, row in enumerate(rows):
        cells = [cell.ljust(widths[i]) if i < 4 else cell.rjust(widths[i]) for i, cell in enumerate(row)]
        out.append("  ".join(cells).rstrip())
        if n == 0 or n == len(rows) - 2:
            out.append("  ".join("-" * w for w in widths))
    if any(item["confidence"] == "unverified" for item in lines):
        out.append("* unverified price (third-party source only)")
    if levers:
        out += ["", "Levers that keep every feature:"]
        out += [f"- {r['action']}: saves ${r['saving_monthly_usd']:.2f} a month" for r in levers]
    return out


def bars(pairs, width=40):
    """A text bar chart: one row per (label, USD)."""
    if not pairs:
        return []
    top = max(usd for _unused, usd in pairs) or 1
    label_width = max(len(label) for label, _unused in pairs)
    return [f"{label.ljust(label_width)}  {'█' * max(0, round(usd / top * width))} ${usd:.2f}" for label, usd in pairs]


def by_service(lines):
    totals = {}
    for item in lines:
        totals[item["service"]] = totals.get(item["service"], 0) + item["monthly_usd"]
    return sorted(totals.items(), key=lambda pair: (-pair[1], pair[0]))


def markdown(result, collected, tiers=None):
    """The Markdown report: the lines, the total against the budget, the levers, and bar charts
    per service and (when given) of the tiers side by side."""
    md = [f"# What this deployment costs ({result['mode']})", "",
          f"List prices, {result['region']}, collected {collected}; 730 hours a month; "
          f"free tier: {result['free_tier']}.", "",
          "| service | resource | quantity | unit | unit price (USD) | USD/month | confidence |",
          "|---|---|---:|---|---:|---:|---|"]
    for item in result["lines"]:
        note = f" ({item['note']})" if item.get("note") else ""
        md.append(f"| {item['service']} | {item['resource']}{note} | {item['quantity']:g} | {item['unit']} | "
                  f"{item['unit_price_usd']:.4f} | {item['monthly_usd']:.2f} | {item['confidence']} |")
    md += ["", f"**Total: ${result['total_monthly_usd']:.2f} a month.**"]
    if result.get("budget_usd") is not None:
        verdict = "over" if result["over_budget"] else "within"
        md.append(f"Budget: ${result['budget_usd']:.2f} a month: {verdict} budget.")
    if result.get("unexpected"):
        md += ["", "## Unexpected (not made by precedentum.deploy)", ""]
        md += [f"- {item['service']}: {item['resource']} (${item['monthly_usd']:.2f}/month)"
               for item in result["unexpected"]]
    if result.get("recommendations"):
        md += ["", "## Levers that keep every feature", "", "| action | saving (USD/month) |", "|---|---:|"]
        md += [f"| {r['action']} | {r['saving_monthly_usd']:.2f} |" for r in result["recommendations"]]
    md += ["", "## Per service", "", "```"] + bars(by_service(result["lines"])) + ["```"]
    if tiers:
        md += ["", "## The tiers side by side", "", "```"] + bars(list(tiers.items())) + ["```"]
    return "\n".join(md) + "\n"


def deployed(ours, unexpected, findings, free_tier="none"):
    """Lines, unexpected items and levers of what an account holds (cost_discovery.Account)."""
    lines = plan_lines(ours, free_tier)
    backup = price("rds.backup.gb_month")["usd"]
    for snap in findings.get("snapshots", []):
        if snap["ours"]:
            lines.append(line("RDS", f"manual snapshot {snap['id']}", snap["gb"], "GB-month", backup,
                              snap["gb"] * backup, note="kept until deleted (at most its allocated size)"))
    items = []
    for service, resource, stack, note in unexpected:
        items.append({"service": service, "resource": resource,
                      "monthly_usd": cents(total(plan_lines(stack, free_tier))), "note": note})
    for snap in findings.get("snapshots", []):
        if not snap["ours"]:
            items.append({"service": "RDS", "resource": f"manual snapshot {snap['id']}",
                          "monthly_usd": cents(snap["gb"] * backup), "note": "at most its allocated size"})
    levers = recommendations(ours, free_tier)
    stored_price = price("cloudwatch.logs_stored_gb_month")["usd"]
    for group in findings.get("log_groups_without_retention", []):
        levers.append({"action": f"Set a retention on the log group {group['name']} (it keeps logs forever)",
                       "saving_monthly_usd": cents(group["gb"] * stored_price), "confidence": "listed"})
    for snap in findings.get("snapshots", []):
        if snap["ours"]:
            levers.append({"action": f"Delete the snapshot {snap['id']} once it is no longer needed",
                           "saving_monthly_usd": cents(snap["gb"] * backup), "confidence": "listed"})
    return lines, items, levers


# Cost Explorer's SERVICE names for the services of the plan's lines.
CE_SERVICES = {
    "Fargate": "Amazon Elastic Container Service", "RDS": "Amazon Relational Database Service",
    "Load balancer": "Amazon Elastic Load Balancing", "Public IPv4": "Amazon Virtual Private Cloud",
    "NAT gateway": "EC2 - Other", "Lightsail": "Amazon Lightsail", "ElastiCache": "Amazon ElastiCache",
    "CloudFront": "Amazon CloudFront", "CloudWatch": "AmazonCloudWatch", "Data transfer": "AWS Data Transfer",
    "ECR": "Amazon EC2 Container Registry (ECR)", "Route 53": "Amazon Route 53",
    "S3": "Amazon Simple Storage Service", "Secrets Manager": "AWS Secrets Manager", "WAF": "AWS WAF",
}


def actual(billed, period, plan=None, forecast_total=None):
    """Month-to-date spend per service (Cost Explorer's SERVICE -> USD) against a plan's lines.

    period: {"days": days billed so far, "days_in_month": ...}. Each service's forecast is linear
    (billed / days * days_in_month); the total is Cost Explorer's forecast when given, else the
    sum of the linear ones; a whole month billed is its own forecast. Returns (lines, comparison,
    month_to_date, forecast, method: whole_month, cost_explorer or linear)."""
    scale = period["days_in_month"] / period["days"] if period["days"] else 0
    lines = []
    for service, usd in sorted(billed.items(), key=lambda pair: (-pair[1], pair[0])):
        lines.append(line(service, "billed so far, forecast linearly to the month's end", period["days"], "day",
                          usd / period["days"] if period["days"] else 0, usd * scale, confidence="billed"))
    planned = {}
    for item in plan or []:
        name = CE_SERVICES.get(item["service"], item["service"])
        planned.setdefault(name, []).append(item)
    comparison = []
    # By amount, then by name: a set's order changes from one process to the next.
    for service in sorted(set(billed) | set(planned), key=lambda s: (-max(billed.get(s, 0), _sum(planned.get(s))), s)):
        so_far, expected = billed.get(service, 0.0), cents(_sum(planned.get(service)))
        forecast = cents(so_far * scale)
        difference = round(forecast - expected, 2)  # of the figures shown, so the row adds up
        comparison.append({"service": service, "planned_monthly_usd": expected,
                           "month_to_date_usd": cents(so_far), "forecast_monthly_usd": forecast,
                           "difference_usd": difference,
                           "explanation": _explain(service, expected, so_far, difference, planned.get(service, []),
                                                   plan is not None)})
    month_to_date = cents(sum(billed.values()))
    if period["days"] == period["days_in_month"]:
        return lines, comparison, month_to_date, month_to_date, "whole_month"
    if forecast_total is None:
        return lines, comparison, month_to_date, cents(sum(usd * scale for usd in billed.values())), "linear"
    return lines, comparison, month_to_date, cents(forecast_total), "cost_explorer"


def _sum(items):
    return sum(item["monthly_usd"] for item in items or [])


def _explain(service, expected, so_far, difference, items, planned):
    if not planned:
        return "no plan to compare with"
    if service == "Tax":
        return "tax: list prices leave it out"
    if expected == 0 and so_far > 0:
        return "not in the plan: see the deployed report's unexpected resources"
    if so_far == 0:
        return "planned, nothing billed yet (made later in the month, or free tier or credits cover it)"
    if abs(difference) <= max(0.5, 0.1 * expected):
        return "as planned"
    assumed = ", ".join(item["resource"] for item in items)
    if difference > 0:
        return f"${difference:.2f} above the plan: more use than it assumes ({assumed}), or more of them"
    return f"${-difference:.2f} below the plan: made after the month began, stopped for a while, or free tier"


def actual_table(result):
    """The comparison as fixed-width text rows for the play's output."""
    rows = [("service", "planned", "so far", "forecast", "difference", "")]
    for row in result["comparison"]:
        rows.append((row["service"], f"{row['planned_monthly_usd']:.2f}", f"{row['month_to_date_usd']:.2f}",
                     f"{row['forecast_monthly_usd']:.2f}", f"{row['difference_usd']:+.2f}", row["explanation"]))
    rows.append(("total", "", f"{result['month_to_date_usd']:.2f}", f"{result['total_monthly_usd']:.2f}", "", ""))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    out = []
    for n, row in enumerate(rows):
        cells = [cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row[:5])]
        out.append(("  ".join(cells) + "  " + row[5]).rstrip())
        if n == 0 or n == len(rows) - 2:
            out.append("  ".join("-" * w for w in widths))
    period = result["period"]
    out.append(f"Billed {period['start']} to {period['end']} (excluded), {period['days']} of "
               f"{period['days_in_month']} days; forecast: {result['forecast_method'].replace('_', ' ')}.")
    return out


def actual_markdown(result):
    """The Markdown report of actual mode: billed so far, the forecast, each service against the plan."""
    period = result["period"]
    md = ["# What this deployment costs (actual)", "",
          f"Cost Explorer, unblended cost without credits and refunds, {period['start']} to {period['end']} "
          f"(excluded): {period['days']} of {period['days_in_month']} days.", "",
          f"**Billed so far: ${result['month_to_date_usd']:.2f}. Forecast for the month: "
          f"${result['total_monthly_usd']:.2f}** ({result['forecast_method'].replace('_', ' ')}).", ""]
    if result.get("budget_usd") is not None:
        verdict = "over" if result["over_budget"] else "within"
        md += [f"Budget: ${result['budget_usd']:.2f} a month: the forecast is {verdict} budget.", ""]
    md += ["| service | planned (USD/month) | billed so far | forecast | difference | why |",
           "|---|---:|---:|---:|---:|---|"]
    md += [f"| {r['service']} | {r['planned_monthly_usd']:.2f} | {r['month_to_date_usd']:.2f} | "
           f"{r['forecast_monthly_usd']:.2f} | {r['difference_usd']:+.2f} | {r['explanation']} |"
           for r in result["comparison"]]
    pairs = [(r["service"], r["forecast_monthly_usd"]) for r in result["comparison"] if r["forecast_monthly_usd"]]
    md += ["", "## Forecast per service", "", "```"] + bars(pairs) + ["```"]
    return "\n".join(md) + "\n"
