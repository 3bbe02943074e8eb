#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cost_check
short_description: Price a Precedentum deployment at AWS list prices, line by line, against a budget
version_added: 1.0.0
description:
  - C(mode=plan) prices the deployment a stack description says, before anything exists - every
    line with quantity, unit, unit price and monthly USD, the public IPv4 addresses included (each
    load balancer node, each task with a public IP, a publicly accessible database, a NAT gateway).
  - Compares the total with O(budget) and fails (or warns) when it is over, so a playbook can stop
    before a mistake costs anything.
  - Computes the levers that keep every feature (ARM64 tasks, RDS public only while loading, both
    containers in one task, Fargate Spot for the frontend, idle Elastic IPs) with their savings.
  - Returns the table as text for the play's output, as JSON-ready lines, and as a Markdown report
    with bar charts (per service, and the tiers given in O(tiers) side by side).
  - Prices come from the collection's price table (C(plugins/module_utils/cost_prices.py)), each with
    its date, source and a confidence; lines using an unverified price say so.
  - Changes nothing, in AWS or on disk; writing the report files is the playbook's job.
options:
  mode:
    description:
      - C(plan) prices O(stack). C(deployed) finds what exists in the account and region (ECS
        services and their task sizes and counts, RDS instances and manual snapshots, load balancers,
        NAT gateways, Elastic IPs, EC2 instances, secrets, ECR repositories and their images, log
        groups, alarms, dashboards, hosted zones, Lightsail container services and databases) and
        prices that; what is not ours (O(ours_tags), O(name_prefix)) is listed under RV(unexpected).
      - C(actual) reads Cost Explorer - the month to date per service (unblended, credits and refunds
        left out) and its forecast of the month - and compares each service with the plan of O(stack)
        when given, explaining each difference it can. Cost Explorer must be enabled in the account;
        each run makes two requests, charged $0.01 each. When it cannot answer (not enabled, not
        allowed, no data yet) the module warns and returns RV(available=false); it does not fail.
    type: str
    choices: [plan, deployed, actual]
    default: plan
  billing_tags:
    description:
      - Actual mode - the active cost allocation tags ({key - value}, e.g. C(Project) and C(Environment)) whose
        costs alone are read, so that the report shows this deployment's share of the bill and not the
        whole account's (M(precedentum.deploy.cost_allocation_tags) activates them). Empty, the whole account.
    type: dict
    default: {}
  as_of:
    description:
      - Actual mode - the day the month to date ends (not included), C(YYYY-MM-DD); on the 1st of a
        month the whole last month is read. Default today (UTC).
    type: str
  ours_tags:
    description: Deployed mode - a resource carrying all these tags is ours.
    type: dict
    default: {ManagedBy: precedentum.deploy}
  name_prefix:
    description: Deployed mode - a resource whose name starts with this is ours too (ECR repositories carry no tags).
    type: str
  lcu:
    description: Deployed mode - load balancer capacity units in use on average (an assumption).
    type: float
    default: 1
  stack:
    description:
      - What the deployment runs (plan mode, required there; actual mode, the plan to compare with).
        Every key is optional; what is absent costs nothing.
    type: dict
    suboptions:
      fargate_tasks:
        description: One entry per ECS service (or one-off task running all month).
        type: list
        elements: dict
        suboptions:
          name:
            description: Service name (C(frontend) is the one Spot is recommended for).
            type: str
            required: true
          cpu:
            description: Task CPU units (1024 = 1 vCPU).
            type: int
            required: true
          memory:
            description: Task memory in MB.
            type: int
            required: true
          architecture:
            description: CPU architecture.
            type: str
            choices: [X86_64, ARM64]
            default: X86_64
          count:
            description: Tasks running.
            type: int
            default: 1
          public_ip:
            description: Each task has a public IPv4 address.
            type: bool
            default: true
          spot:
            description: Runs on Fargate Spot.
            type: bool
            default: false
      rds:
        description: The RDS instance.
        type: dict
        suboptions:
          instance_class:
            description: Instance class.
            type: str
            default: db.t4g.micro
          multi_az:
            {description: A standby in a second zone (twice the instance and storage)., type: bool, default: false}
          storage_gb:
            description: Allocated storage.
            type: int
            default: 20
          backup_gb:
            {description: Backup storage beyond the free amount (the allocated storage)., type: float, default: 0}
          publicly_accessible:
            description: The instance has a public IPv4 address.
            type: bool
            default: false
      load_balancer:
        description: Application load balancers.
        type: dict
        suboptions:
          count:
            description: Load balancers.
            type: int
            default: 1
          azs:
            description: Zones (one node, one public IPv4 address, per zone).
            type: int
            default: 2
          lcu:
            description: Average load balancer capacity units in use (a usage assumption).
            type: float
            default: 1
      s3_gb:
        description: S3 Standard storage.
        type: float
        default: 0
      s3_put_thousands:
        description: S3 PUT, COPY, POST and LIST requests a month, in thousands.
        type: float
        default: 0
      s3_get_thousands:
        description: S3 GET requests a month, in thousands.
        type: float
        default: 0
      ecr_gb:
        description: ECR image storage.
        type: float
        default: 0
      secrets:
        description: Secrets Manager secrets.
        type: int
        default: 0
      route53_zones:
        description: Route 53 hosted zones.
        type: int
        default: 0
      cloudwatch:
        description: CloudWatch use (the always-free allowances are applied).
        type: dict
        suboptions:
          alarms:
            description: Standard alarms.
            type: int
            default: 0
          dashboards:
            description: Dashboards.
            type: int
            default: 0
          logs_ingested_gb:
            description: Log data ingested a month.
            type: float
            default: 0
          logs_stored_gb:
            description: Log data stored.
            type: float
            default: 0
      data_out_gb:
        description: Data out to the internet a month (first 100 GB free).
        type: float
        default: 0
      nat_gateways:
        description: NAT gateways (each with its public IPv4 address).
        type: int
        default: 0
      nat_processed_gb:
        description: Data processed by the NAT gateways a month.
        type: float
        default: 0
      idle_elastic_ips:
        description: Elastic IPs attached to nothing.
        type: int
        default: 0
      lightsail:
        description: The ultra-lean path's Lightsail resources.
        type: dict
        suboptions:
          container_power:
            {description: Container service power., type: str, choices: [nano, micro, small, medium, large, xlarge]}
          container_scale:
            description: Container service nodes.
            type: int
            default: 1
          database_bundle:
            description: Managed database bundle.
            type: str
            choices: [micro, micro_ha]
          instances:
            {description: Instance bundles by memory (C(0.5GB) ... C(8GB))., type: list, elements: str, default: []}
          load_balancers:
            description: Lightsail load balancers.
            type: int
            default: 0
      elasticache_nodes:
        description: ElastiCache nodes.
        type: list
        elements: dict
        suboptions:
          node_type:
            description: Node type.
            type: str
            required: true
          count:
            description: Nodes.
            type: int
            default: 1
      cloudfront_gb:
        description: CloudFront data out a month (first 1 TB free).
        type: float
        default: 0
      waf:
        description: AWS WAF.
        type: dict
        suboptions:
          web_acls:
            description: Web ACLs.
            type: int
            default: 0
          rules:
            description: Rules.
            type: int
            default: 0
          requests_millions:
            description: Requests a month, in millions.
            type: float
            default: 0
      office_hours:
        description:
          - Office hours (C(precedentum_office_hours)) - outside them the services run no task and the database is
            stopped. The tasks, their public IPv4 addresses and the load balancer's capacity (the traffic comes in
            office hours) are priced for O(stack.office_hours.task_hours_per_week), the database instance for
            O(stack.office_hours.db_hours_per_week); the rest runs all month.
          - Absent or both 0 - everything runs all month.
        type: dict
        suboptions:
          task_hours_per_week:
            description: Hours a week the tasks run (at most 168).
            type: float
            default: 0
          db_hours_per_week:
            description: Hours a week the database instance runs (at most 168).
            type: float
            default: 0
          days_per_week:
            description: Office days a week (the schedules run on each).
            type: int
            default: 5
          schedule:
            description: The office hours in words, for the lines' notes.
            type: str
            default: ""
  name:
    description: This stack's name in the side-by-side chart.
    type: str
    default: this deployment
  tiers:
    description: Other stacks to price beside this one, for the report's side-by-side chart.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The tier's name.
        type: str
        required: true
      stack:
        description: Its stack, as O(stack).
        type: dict
        required: true
  budget:
    description: USD a month. Omit to report without a check.
    type: float
  on_over_budget:
    description: Over budget, C(fail) the task (nothing after it runs) or C(warn) and go on.
    type: str
    choices: [fail, warn]
    default: fail
  free_tier:
    description:
      - C(legacy_12_months) for an account made before 2025-07-15, in its first 12 months (750 h of
        db.t4g.micro and of a load balancer, 20 GB of RDS storage, 15 LCU-hours, 5 GB of S3, 500 MB of ECR).
      - Accounts made since have credits instead, not priced here. The always-free allowances
        (CloudWatch, data transfer, CloudFront) apply in both cases.
    type: str
    choices: [none, legacy_12_months]
    default: none
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
extends_documentation_fragment:
  - precedentum.deploy.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Price the lean stack before week 1 changes anything; stop if it is over $80 a month
  precedentum.deploy.cost_check:
    mode: plan
    budget: 80
    stack:
      fargate_tasks:
        - {name: backend, cpu: 256, memory: 512}
        - {name: frontend, cpu: 256, memory: 512}
      rds: {instance_class: db.t4g.micro, storage_gb: 20, publicly_accessible: true}
      load_balancer: {count: 1, azs: 2, lcu: 1}
      secrets: 2
      ecr_gb: 2
  register: cost

- name: Show it
  ansible.builtin.debug:
    msg: "{{ cost.table }}"
"""

RETURN = r"""
mode:
  description: The mode priced.
  returned: always
  type: str
  sample: plan
region:
  description: The region of the price table.
  returned: always
  type: str
  sample: us-east-1
total_monthly_usd:
  description: The total, USD a month.
  returned: always
  type: float
  sample: 73.73
budget_usd:
  description: The budget (null without one).
  returned: always
  type: float
  sample: 80.0
over_budget:
  description: The total is over the budget.
  returned: always
  type: bool
  sample: false
free_tier:
  description: The free tier applied.
  returned: always
  type: str
  sample: none
lines:
  description: Every priced line (a line the free tier makes free is kept, at 0, with a note).
  returned: always
  type: list
  elements: dict
  sample: [{service: RDS, resource: db.t4g.micro single-AZ, quantity: 1, unit: instance-month,
            unit_price_usd: 11.68, monthly_usd: 11.68, confidence: listed, note: ""}]
  contains:
    service:
      description: The AWS service.
      type: str
      returned: always
      sample: RDS
    resource:
      description: What is priced.
      type: str
      returned: always
      sample: db.t4g.micro single-AZ
    quantity:
      description: How many units.
      type: float
      returned: always
      sample: 1
    unit:
      description: The unit priced.
      type: str
      returned: always
      sample: instance-month
    unit_price_usd:
      description: List price of one unit.
      type: float
      returned: always
      sample: 11.68
    monthly_usd:
      description: The line's monthly cost.
      type: float
      returned: always
      sample: 11.68
    confidence:
      description: How sure the price is - C(listed), C(estimated) or C(unverified).
      type: str
      returned: always
      sample: listed
    note:
      description: A free tier or an assumption that applies.
      type: str
      returned: always
      sample: ''
unexpected:
  description:
    - Resources not made by this collection, each with C(service), C(resource), C(monthly_usd) and
      C(note) (deployed mode; empty in plan mode). They count in RV(total_monthly_usd).
  returned: always
  type: list
  elements: dict
  contains:
    service:
      description: The AWS service.
      type: str
      returned: always
      sample: EC2
    resource:
      description: The resource found.
      type: str
      returned: always
      sample: i-0abc1234 t3.small
    monthly_usd:
      description: Its monthly cost at list price.
      type: float
      returned: always
      sample: 15.18
    note:
      description: Why it counts.
      type: str
      returned: always
findings:
  description: Deployed mode - C(repositories_without_lifecycle) (names), C(warnings) (what could not be read).
  returned: always
  type: dict
  contains:
    repositories_without_lifecycle:
      description: ECR repositories whose old images never expire.
      type: list
      elements: str
      returned: deployed mode
    warnings:
      description: What could not be read (each a sentence).
      type: list
      elements: str
      returned: always
recommendations:
  description: Levers that keep every feature, with their saving.
  returned: always
  type: list
  elements: dict
  sample: [{action: "Run the tasks on ARM64 (...)", saving_monthly_usd: 3.6, confidence: listed}]
  contains:
    action:
      description: The lever, naming the variable to change.
      type: str
      returned: always
    saving_monthly_usd:
      description: What it saves a month.
      type: float
      returned: always
      sample: 3.6
    confidence:
      description: How sure the saving is.
      type: str
      returned: always
      sample: listed
tiers:
  description: The total of each stack of O(tiers), and of this one under O(name).
  returned: always
  type: dict
  sample:
    lean: 74.22
    ultra_lean: 26.0
table:
  description: The lines as fixed-width text rows, then the levers.
  returned: always
  type: list
  elements: str
report_markdown:
  description: The Markdown report.
  returned: always
  type: str
  sample: "# Plan: lean option\n\n| Service | Resource | Monthly |\n..."
available:
  description: Actual mode - Cost Explorer answered.
  returned: always
  type: bool
  sample: true
month_to_date_usd:
  description: Actual mode - billed so far this month (RV(total_monthly_usd) is the forecast).
  returned: when mode is actual
  type: float
  sample: 12.4
billing_tags:
  description: Actual mode - the cost allocation tags the bill was read for (empty - the whole account).
  returned: when mode is actual
  type: dict
  sample:
    Project: precedentum
    Environment: testing
period:
  description: Actual mode - C(start), C(end) (excluded), C(days) billed, C(days_in_month), C(month_end).
  returned: when mode is actual
  type: dict
  contains:
    start:
      description: The first day billed (ISO date).
      type: str
      returned: always
      sample: '2026-12-01'
    end:
      description: The day after the last one billed.
      type: str
      returned: always
      sample: '2026-12-06'
    days:
      description: Days billed.
      type: int
      returned: always
      sample: 5
    days_in_month:
      description: Days in the month.
      type: int
      returned: always
      sample: 31
    month_end:
      description: The month's last day.
      type: str
      returned: always
      sample: '2026-12-31'
forecast_method:
  description:
    - Actual mode - C(cost_explorer) (its forecast), C(linear) (billed per day times the month's days)
      or C(whole_month) (on the 1st - last month, billed in full).
  returned: when mode is actual
  type: str
  sample: linear
comparison:
  description:
    - Actual mode - one row per service billed or planned - C(service), C(planned_monthly_usd),
      C(month_to_date_usd), C(forecast_monthly_usd) (linear), C(difference_usd), C(explanation).
  returned: when mode is actual
  type: list
  elements: dict
  contains:
    service:
      description: The service.
      type: str
      returned: always
      sample: Fargate
    planned_monthly_usd:
      description: What the plan prices it at.
      type: float
      returned: always
      sample: 18.02
    month_to_date_usd:
      description: Billed so far.
      type: float
      returned: always
      sample: 2.9
    forecast_monthly_usd:
      description: The month at this pace.
      type: float
      returned: always
      sample: 17.98
    difference_usd:
      description: Forecast less plan.
      type: float
      returned: always
      sample: -0.04
    explanation:
      description: Why they differ, when they do.
      type: str
      returned: always
prices_collected:
  description: The date of the price table.
  returned: always
  type: str
  sample: '2026-11-25'
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils import costs
from ansible_collections.precedentum.deploy.plugins.module_utils.cost_discovery import (
    Account,
    CostExplorerUnavailable,
    billing_period,
    cost_explorer,
)
from ansible_collections.precedentum.deploy.plugins.module_utils.cost_prices import COLLECTED, REGION


def task_spec():
    return dict(
        name=dict(type="str", required=True), cpu=dict(type="int", required=True),
        memory=dict(type="int", required=True),
        architecture=dict(type="str", choices=["X86_64", "ARM64"], default="X86_64"),
        count=dict(type="int", default=1), public_ip=dict(type="bool", default=True),
        spot=dict(type="bool", default=False))


def stack_spec():
    def number(kind="float"):
        return dict(type=kind, default=0)

    return dict(
        fargate_tasks=dict(type="list", elements="dict", options=task_spec()),
        rds=dict(type="dict", options=dict(
            instance_class=dict(type="str", default="db.t4g.micro"), multi_az=dict(type="bool", default=False),
            storage_gb=dict(type="int", default=20), backup_gb=number(),
            publicly_accessible=dict(type="bool", default=False))),
        load_balancer=dict(type="dict", options=dict(
            count=dict(type="int", default=1), azs=dict(type="int", default=2), lcu=dict(type="float", default=1))),
        s3_gb=number(), s3_put_thousands=number(), s3_get_thousands=number(),
        ecr_gb=number(), secrets=dict(number("int"), no_log=False), route53_zones=number("int"),  # a count of secrets
        cloudwatch=dict(type="dict", options=dict(
            alarms=number("int"), dashboards=number("int"), logs_ingested_gb=number(), logs_stored_gb=number())),
        data_out_gb=number(), nat_gateways=number("int"), nat_processed_gb=number(), idle_elastic_ips=number("int"),
        lightsail=dict(type="dict", options=dict(
            container_power=dict(type="str", choices=["nano", "micro", "small", "medium", "large", "xlarge"]),
            container_scale=dict(type="int", default=1),
            database_bundle=dict(type="str", choices=["micro", "micro_ha"]),
            instances=dict(type="list", elements="str", default=[]), load_balancers=number("int"))),
        elasticache_nodes=dict(type="list", elements="dict", options=dict(
            node_type=dict(type="str", required=True), count=dict(type="int", default=1))),
        cloudfront_gb=number(),
        waf=dict(type="dict", options=dict(web_acls=number("int"), rules=number("int"), requests_millions=number())),
        office_hours=dict(type="dict", options=dict(task_hours_per_week=number(), db_hours_per_week=number(),
                                                    days_per_week=dict(type="int", default=5),
                                                    schedule=dict(type="str", default=""))),
    )


def negatives(value, path):
    """Paths of every negative number in a stack (counts and sizes are never below zero)."""
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [path] if value < 0 else []
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in negatives(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in negatives(v, f"{path}[{i}]")]
    return []


def tier_stack(module, tier, index):
    """A tier's stack, checked with the same argument spec as `stack`."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

    checked = ArgumentSpecValidator(stack_spec()).validate(tier["stack"])
    if checked.error_messages:
        module.fail_json(msg=f"tiers[{index}].stack ({tier['name']}): " + "; ".join(checked.error_messages))
    return checked.validated_parameters


def actual_mode(module, p):
    """Cost Explorer's month to date and forecast against the plan of `stack`."""
    import datetime

    try:
        as_of = datetime.date.fromisoformat(p["as_of"]) if p["as_of"] else datetime.datetime.now(datetime.UTC).date()
    except ValueError:
        module.fail_json(msg=f"as_of: {p['as_of']!r} is not a date (YYYY-MM-DD)")
    period = billing_period(as_of)
    try:
        plan = costs.plan_lines(p["stack"], p["free_tier"]) if p["stack"] else None
    except costs.PriceMissing as e:
        module.fail_json(msg=f"{e} (collected {COLLECTED}): price it by hand or add it to the table")
    base = dict(changed=False, mode="actual", region=REGION, budget_usd=p["budget"], free_tier=p["free_tier"],
                unexpected=[], recommendations=[], tiers={}, prices_collected=COLLECTED, period=period,
                billing_tags=p["billing_tags"])
    try:
        billed, forecast_total, note = cost_explorer(module, period, p["billing_tags"])
    except CostExplorerUnavailable as e:
        message = f"Cost Explorer did not answer ({e}): nothing billed is shown. Enable it in the billing console."
        module.warn(message)
        module.exit_json(msg=message, available=False, total_monthly_usd=None, month_to_date_usd=None,
                         over_budget=False, lines=[], comparison=[], forecast_method=None,
                         findings={"warnings": [message]}, table=[message], report_markdown=f"# Actual\n\n{message}\n",
                         **base)
    lines, comparison, month_to_date, total, method = costs.actual(billed, period, plan, forecast_total)
    if note:
        module.warn(note)
    over = p["budget"] is not None and total > p["budget"]
    result = dict(base, available=True, total_monthly_usd=total, month_to_date_usd=month_to_date, over_budget=over,
                  lines=costs.rounded(lines), comparison=comparison, forecast_method=method,
                  findings={"warnings": [note] if note else []})
    result["table"] = costs.actual_table(result)
    result["report_markdown"] = costs.actual_markdown(result)
    if over:
        message = (f"The forecast for this month is ${total:.2f}, over the budget of ${p['budget']:.2f} "
                   f"(by ${total - p['budget']:.2f}): see which service runs above its plan.")
        if p["on_over_budget"] == "fail":
            module.fail_json(msg=message, **result)
        module.warn(message)
    module.exit_json(msg=f"${month_to_date:.2f} billed so far, ${total:.2f} forecast for the month", **result)


def main():
    argument_spec = dict(
        mode=dict(type="str", choices=["plan", "deployed", "actual"], default="plan"),
        billing_tags=dict(type="dict", default={}),
        as_of=dict(type="str"),
        ours_tags=dict(type="dict", default={"ManagedBy": "precedentum.deploy"}),
        name_prefix=dict(type="str"),
        lcu=dict(type="float", default=1),
        stack=dict(type="dict", options=stack_spec()),
        name=dict(type="str", default="this deployment"),
        tiers=dict(type="list", elements="dict", default=[], options=dict(
            name=dict(type="str", required=True), stack=dict(type="dict", required=True))),
        budget=dict(type="float"),
        on_over_budget=dict(type="str", choices=["fail", "warn"], default="fail"),
        free_tier=dict(type="str", choices=list(costs.FREE_TIERS), default="none"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              required_if=[("mode", "plan", ["stack"])])
    p = module.params
    bad = negatives(p["stack"] or {}, "stack") + negatives(p["budget"] or 0, "budget") + negatives(p["lcu"], "lcu")
    if bad:
        module.fail_json(msg=f"{', '.join(bad)}: must not be negative")
    tiers = [(t["name"], tier_stack(module, t, i)) for i, t in enumerate(p["tiers"])]
    if p["mode"] == "actual":
        actual_mode(module, p)

    unexpected, findings = [], {}
    try:
        if p["mode"] == "deployed":
            account = Account(module, p["ours_tags"], p["name_prefix"], p["lcu"]).read()
            lines, unexpected, recommendations = costs.deployed(account.ours, account.unexpected, account.findings,
                                                                p["free_tier"])
            findings = {"repositories_without_lifecycle": account.findings["repositories_without_lifecycle"],
                        "warnings": account.findings["warnings"]}
            for warning in findings["warnings"]:
                module.warn(warning)
        else:
            lines = costs.plan_lines(p["stack"], p["free_tier"])
            recommendations = costs.recommendations(p["stack"], p["free_tier"])
        tier_totals = {name: costs.cents(costs.total(costs.plan_lines(stack, p["free_tier"]))) for name, stack in tiers}
    except costs.PriceMissing as e:
        module.fail_json(msg=f"{e} (collected {COLLECTED}): price it by hand or add it to the table")
    total = costs.cents(costs.total(lines) + sum(item["monthly_usd"] for item in unexpected))
    tier_totals = {p["name"]: total, **tier_totals}
    over = p["budget"] is not None and total > p["budget"]
    shown = costs.rounded(lines)
    result = dict(
        changed=False, mode=p["mode"], region=REGION, total_monthly_usd=total, budget_usd=p["budget"],
        over_budget=over, free_tier=p["free_tier"], lines=shown, unexpected=unexpected, findings=findings,
        recommendations=recommendations, available=True,
        tiers=tier_totals, prices_collected=COLLECTED, table=costs.table(shown, total, recommendations, unexpected),
    )
    result["report_markdown"] = costs.markdown(result, COLLECTED, tier_totals if tiers else None)
    if over:
        what = "plan" if p["mode"] == "plan" else "account"
        message = (f"The {what} costs ${total:.2f} a month, over the budget of ${p['budget']:.2f} "
                   f"(by ${total - p['budget']:.2f}).")
        if p["on_over_budget"] == "fail":
            module.fail_json(msg=message + " Nothing was changed: raise the budget or shrink the plan.",
                             **result)
        module.warn(message)
    module.exit_json(msg=f"${total:.2f} a month at list price", **result)


if __name__ == "__main__":
    main()
