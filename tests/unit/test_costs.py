"""The cost check's arithmetic, pinned to the figures worked out by hand in docs/costs.md."""

from __future__ import annotations

import copy
import datetime
import sys

import pytest

from tests.harness.ansible import REPO

sys.path.insert(0, str(REPO / ".collections"))  # the checkout as ansible_collections.precedentum.deploy

from ansible_collections.precedentum.deploy.plugins.module_utils import costs  # noqa: E402
from ansible_collections.precedentum.deploy.plugins.module_utils.cost_prices import PRICES  # noqa: E402

# The seed's lean stack, literally: 2 tasks 0.25 vCPU / 0.5 GB x86 with public IPs, db.t4g.micro
# single-AZ 20 GB public, 1 ALB at 1 LCU, 5 GB S3, 1 zone, 1 secret, 2 GB ECR, 3 alarms, 1 dashboard.
SEED = {
    "fargate_tasks": [
        {"name": "backend", "cpu": 256, "memory": 512, "architecture": "X86_64", "public_ip": True},
        {"name": "frontend", "cpu": 256, "memory": 512, "architecture": "X86_64", "public_ip": True},
    ],
    "rds": {"instance_class": "db.t4g.micro", "multi_az": False, "storage_gb": 20, "publicly_accessible": True},
    "load_balancer": {"count": 1, "azs": 2, "lcu": 1},
    "s3_gb": 5, "route53_zones": 1, "secrets": 1, "ecr_gb": 2,
    "cloudwatch": {"alarms": 3, "dashboards": 1, "logs_ingested_gb": 1, "logs_stored_gb": 1},
    "data_out_gb": 10,
}
ULTRA_LEAN = {"lightsail": {"container_power": "micro", "container_scale": 1, "database_bundle": "micro"},
              "secrets": 1, "ecr_gb": 2}


def variant(**changes):
    stack = copy.deepcopy(SEED)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = stack
        for key in parents:
            node = node[key] if not key.isdigit() else node[int(key)]
        node[int(leaf) if leaf.isdigit() else leaf] = value
    return stack


def monthly(stack, free_tier="none"):
    return costs.total(costs.plan_lines(stack, free_tier))


def by_resource(stack, free_tier="none"):
    return {(item["service"], item["resource"]): item["monthly_usd"]
            for item in costs.rounded(costs.plan_lines(stack, free_tier))}


def test_the_seed_lean_stack_costs_73_73_not_62():
    assert monthly(SEED) == pytest.approx(73.73, abs=0.05)
    lines = by_resource(SEED)
    assert lines[("Public IPv4", "Fargate tasks with a public IP")] == 7.30
    assert lines[("Public IPv4", "load balancer nodes (one per zone)")] == 7.30
    assert lines[("Public IPv4", "publicly accessible RDS instance")] == 3.65
    assert lines[("RDS", "db.t4g.micro single-AZ")] == 11.68
    assert lines[("Load balancer", "application load balancer")] == 16.43
    assert lines[("CloudWatch", "alarms")] == 0 and lines[("Data transfer", "out to the internet")] == 0
    assert lines[("S3", "Standard storage")] == 0.12, "rounded half up, as on a bill"


@pytest.mark.parametrize(("name", "stack", "expected"), [
    ("ARM64 tasks", variant(fargate_tasks__0__architecture="ARM64", fargate_tasks__1__architecture="ARM64"), 70.13),
    ("RDS public only while loading", variant(rds__publicly_accessible=False), 70.08),
    ("both containers in one task", variant(fargate_tasks=[
        {"name": "app", "cpu": 256, "memory": 1024, "architecture": "X86_64", "public_ip": True}]), 62.69),
    ("ultra-lean: Lightsail container micro + managed PostgreSQL", ULTRA_LEAN, 25.60),
    ("ultra-lean with SQLite in the container", {**ULTRA_LEAN, "lightsail": {"container_power": "micro"}}, 10.60),
])
def test_variants_are_pinned(name, stack, expected):
    assert monthly(stack) == pytest.approx(expected, abs=0.05), name


def test_legacy_free_tier_takes_the_database_load_balancer_and_small_storage_off():
    lines = by_resource(SEED, "legacy_12_months")
    assert lines[("RDS", "db.t4g.micro single-AZ")] == 0 and lines[("RDS", "storage (gp3)")] == 0
    assert lines[("Load balancer", "application load balancer")] == 0
    assert lines[("Load balancer", "capacity, 1 LCU on average (an assumption)")] == pytest.approx(5.72)
    assert lines[("S3", "Standard storage")] == 0 and lines[("ECR", "image storage")] == 0.15
    # Public IPv4 stays: that tier's 750 h of addresses cover EC2 only.
    assert lines[("Public IPv4", "Fargate tasks with a public IP")] == 7.30
    assert monthly(SEED, "legacy_12_months") == pytest.approx(43.03, abs=0.05)
    # Larger or multi-AZ instances are not in that tier.
    small = by_resource(variant(rds__instance_class="db.t4g.small"), "legacy_12_months")
    assert small[("RDS", "db.t4g.small single-AZ")] == 23.36


def test_multi_az_doubles_instance_and_storage():
    lines = by_resource(variant(rds__multi_az=True))
    assert lines[("RDS", "db.t4g.micro multi-AZ")] == 23.36 and lines[("RDS", "storage (gp3)")] == 4.60


def test_recommendations_are_computed_from_the_stack():
    found = {r["action"].split(" (")[0]: r for r in costs.recommendations(SEED)}
    assert found["Run the tasks on ARM64"]["saving_monthly_usd"] == 3.60
    assert found["Keep RDS private and open it only while loading data"]["saving_monthly_usd"] == 3.65
    assert found["Run both containers in one task behind the same load balancer"]["saving_monthly_usd"] == 11.04
    # One frontend task: it stays on regular Fargate (ecs_frontend_spot keeps the first there), no lever.
    assert not [r for r in costs.recommendations(SEED) if "Spot" in r["action"]]
    # Two, deployed (the service carries the name prefix): the second one's saving.
    named = variant(fargate_tasks__1__name="precedentum-testing-frontend", fargate_tasks__1__count=2)
    (spot,) = [r for r in costs.recommendations(named) if "Spot" in r["action"]]
    assert spot["saving_monthly_usd"] == 6.31 and spot["confidence"] == "unverified"
    assert "ecs_frontend_spot: true" in spot["action"]
    # Applied already (a task on Spot): not recommended again.
    applied = variant(fargate_tasks=[{"name": "frontend", "cpu": 256, "memory": 512, "count": 1},
                                     {"name": "frontend", "cpu": 256, "memory": 512, "count": 1, "spot": True}])
    assert not [r for r in costs.recommendations(applied) if "Spot" in r["action"]]
    # AWS runs no ARM64 task on Fargate Spot: with a task on Spot no ARM64 lever, on ARM64 no Spot lever.
    assert not [r for r in costs.recommendations(applied) if "ARM64" in r["action"].split(" (")[0]]
    arm = variant(fargate_tasks__1__name="frontend", fargate_tasks__1__count=2,
                  fargate_tasks__0__architecture="ARM64", fargate_tasks__1__architecture="ARM64")
    assert not [r for r in costs.recommendations(arm) if "Spot" in r["action"].split(" (")[0]]
    assert "not beside ecs_frontend_spot" in found["Run the tasks on ARM64"]["action"]
    # Already applied: not recommended again.
    done = variant(fargate_tasks=[{"name": "app", "cpu": 256, "memory": 1024, "architecture": "ARM64"}],
                   rds__publicly_accessible=False)
    assert [r["action"].split(":")[0] for r in costs.recommendations(done)] == ["Run only in office hours"]
    hours = {"task_hours_per_week": 60, "db_hours_per_week": 62.5}
    assert costs.recommendations({**done, "office_hours": hours}) == []


def test_unverified_prices_say_so_on_their_lines():
    stack = {"lightsail": {"load_balancers": 1}, "elasticache_nodes": [{"node_type": "cache.t4g.micro"}]}
    assert {item["confidence"] for item in costs.plan_lines(stack)} == {"unverified"}
    assert {item["confidence"] for item in costs.plan_lines(SEED)} == {"listed"}


def test_beyond_the_always_free_allowances():
    lines = by_resource({"cloudwatch": {"alarms": 12, "dashboards": 4, "logs_ingested_gb": 7, "logs_stored_gb": 10},
                         "data_out_gb": 150, "cloudfront_gb": 1124, "nat_gateways": 1, "idle_elastic_ips": 2})
    assert lines[("CloudWatch", "alarms")] == 0.20 and lines[("CloudWatch", "dashboards")] == 3.00
    assert lines[("CloudWatch", "logs ingested")] == 1.00 and lines[("CloudWatch", "logs stored")] == 0.30
    assert lines[("Data transfer", "out to the internet")] == 4.50 and lines[("CloudFront", "data out")] == 8.50
    assert lines[("NAT gateway", "NAT gateway")] == 32.85
    assert lines[("Public IPv4", "NAT gateway addresses")] == 3.65
    assert lines[("Public IPv4", "Elastic IPs attached to nothing")] == 7.30


def test_an_unknown_size_is_named():
    with pytest.raises(costs.PriceMissing, match="rds.instance_class db.r6g.large"):
        costs.plan_lines(variant(rds__instance_class="db.r6g.large"))
    with pytest.raises(costs.PriceMissing, match="lightsail.container_power huge"):
        costs.plan_lines({"lightsail": {"container_power": "huge"}})


def test_every_price_has_a_unit_a_source_and_a_confidence():
    for key, item in PRICES.items():
        assert item["usd"] > 0 and item["unit"] and item["source"], key
        assert item["confidence"] in ("listed", "unverified"), key


def test_actual_compares_each_billed_service_with_the_plan():
    from ansible_collections.precedentum.deploy.plugins.module_utils.cost_discovery import billing_period

    period = billing_period(datetime.date(2026, 11, 11))  # 10 of 30 days billed
    assert (period["start"], period["end"], period["days"], period["days_in_month"], period["month_end"]) == (
        "2026-11-01", "2026-11-11", 10, 30, "2026-12-01")
    plan = costs.plan_lines(SEED)
    billed = {"Amazon Relational Database Service": 4.66, "Amazon Elastic Load Balancing": 9.00,
              "Amazon Elastic Compute Cloud - Compute": 2.50, "Tax": 0.40}
    lines, comparison, so_far, forecast, method = costs.actual(billed, period, plan)
    assert (so_far, forecast, method) == (16.56, 49.68, "linear")
    rows = {row["service"]: row for row in comparison}
    rds = rows["Amazon Relational Database Service"]  # plan: 11.68 + 2.30 storage
    assert (rds["planned_monthly_usd"], rds["forecast_monthly_usd"], rds["difference_usd"]) == (13.98, 13.98, 0.0)
    assert rds["explanation"] == "as planned"
    elb = rows["Amazon Elastic Load Balancing"]  # plan 16.43 + 5.84; 9.00 in 10 days -> 27.00
    assert (elb["difference_usd"], elb["explanation"].split(":")[0]) == (4.73, "$4.73 above the plan")
    assert "capacity, 1 LCU on average" in elb["explanation"]
    assert rows["Amazon Elastic Compute Cloud - Compute"]["explanation"].startswith("not in the plan")
    assert rows["Tax"]["explanation"] == "tax: list prices leave it out"
    fargate = rows["Amazon Elastic Container Service"]
    assert (fargate["month_to_date_usd"], fargate["planned_monthly_usd"]) == (0, 18.02)
    assert fargate["explanation"].startswith("planned, nothing billed yet")
    assert lines[0]["service"] == "Amazon Elastic Load Balancing" and lines[0]["monthly_usd"] == pytest.approx(27.0)

    # Cost Explorer's own forecast is the total when it gives one; the whole last month on the 1st.
    assert costs.actual(billed, period, plan, forecast_total=51.234)[3:] == (51.23, "cost_explorer")
    whole = billing_period(datetime.date(2026, 12, 1))
    assert (whole["start"], whole["end"], whole["days"]) == ("2026-11-01", "2026-12-01", 30)
    assert costs.actual(billed, whole, plan)[3:] == (16.56, "whole_month")
    assert billing_period(datetime.date(2028, 3, 1))["days"] == 29, "a leap February"
    assert costs.actual(billed, period)[1][0]["explanation"] == "no plan to compare with"


def test_services_of_equal_amounts_come_in_the_same_order_in_every_process():
    """A re-run of cost.yml rewrites no report: ties are ordered by name (they used to follow a set's
    order, which changes with PYTHONHASHSEED from one process to the next)."""
    import subprocess
    import sys

    script = ("import sys; sys.path.insert(0, sys.argv[1]); "
              "from ansible_collections.precedentum.deploy.plugins.module_utils import costs; "
              "plan = [{'service': n, 'monthly_usd': 0.0} for n in ('WAF', 'CloudWatch', 'ECR', 'S3', 'Route 53')]; "
              "print([c['service'] for c in costs.actual({}, {'days': 3, 'days_in_month': 30}, plan)[1]])")
    orders = {subprocess.run([sys.executable, "-c", script, str(REPO / ".collections")], check=True, text=True,
                             capture_output=True, env={"PYTHONHASHSEED": seed}).stdout for seed in "1234"}
    assert orders == {"['AWS WAF', 'Amazon EC2 Container Registry (ECR)', 'Amazon Route 53', "
                      "'Amazon Simple Storage Service', 'AmazonCloudWatch']\n"}


def test_what_is_ours_another_environment_in_the_same_account_is_not():
    from ansible_collections.precedentum.deploy.plugins.module_utils.cost_discovery import Account

    lean = Account(None, {"Project": "precedentum", "Environment": "testing"}, "precedentum-testing")
    assert lean.is_ours({"Project": "precedentum", "Environment": "testing"}, "anything")
    assert lean.is_ours({}, "precedentum-testing/backend"), "an untagged repository, by its name"
    assert lean.is_ours({}, "precedentum-testing-db-final-20261126")
    assert not lean.is_ours({"Project": "precedentum", "Environment": "lite"}, "precedentum-testing-x"), (
        "tagged for another environment: not ours, whatever its name")
    assert not lean.is_ours({}, "precedentum-testingother/backend")
    assert not lean.is_ours({}, "precedentum-lite/backend")
