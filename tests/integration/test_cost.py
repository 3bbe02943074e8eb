"""cost.yml and the weeks' budget guard: the plan priced from the inventory, the reports and their JSON interface."""

from __future__ import annotations

import json

import pytest

from tests.harness.ansible import REPO, run_playbook

pytestmark = pytest.mark.slow
REPORT_KEYS = ["mode", "region", "total_monthly_usd", "budget_usd", "over_budget", "free_tier", "lines",
               "unexpected", "recommendations", "findings", "tiers", "prices_collected"]
LINE_KEYS = {"service", "resource", "quantity", "unit", "unit_price_usd", "monthly_usd", "confidence", "note"}


def test_cost_playbook_prices_each_inventory_and_writes_the_reports(emulator, tmp_path):
    def cost(inventory, *args, **extra):
        # Cost Explorer (actual mode) is the other test's: left out here unless asked.
        return run_playbook(str(REPO / "playbooks/cost.yml"), emulator.env(), *args, inventory=inventory,
                            extra_vars={"cost_report_dir": str(tmp_path / inventory.split("/")[-1]),
                                        "cost_explorer": False, **extra})

    dry = cost("inventories/lean", "--check")
    assert dry.rc == 0 and "74.22" in dry.flat, dry
    assert not (tmp_path / "lean").exists(), "check mode wrote a report"

    lean = cost("inventories/lean")
    assert lean.rc == 0, lean
    report = json.loads((tmp_path / "lean/cost-plan.json").read_text())
    assert list(report) == REPORT_KEYS
    assert (report["mode"], report["total_monthly_usd"], report["budget_usd"], report["over_budget"]) == (
        "plan", 74.22, 75.0, False)
    assert all(set(line) == LINE_KEYS for line in report["lines"])
    assert sum(line["monthly_usd"] for line in report["lines"]) == pytest.approx(74.22, abs=0.03)
    ipv4 = sum(line["quantity"] for line in report["lines"] if line["service"] == "Public IPv4")
    assert ipv4 == 5, "2 tasks, 2 load balancer nodes, 1 public database"
    assert report["tiers"] == {"lean": 74.22, "ultra_lean": 26.0, "growth": 148.39, "production": 273.58}
    markdown = (tmp_path / "lean/cost-plan.md").read_text()
    assert "**Total: $74.22 a month.**" in markdown and "## The tiers side by side" in markdown
    assert "Run both containers in one task" in lean.flat and "saves $11.04" in lean.flat

    again = cost("inventories/lean")
    assert again.rc == 0 and again.changed == 0, again

    # The inventory's settings are what is priced: the combined ARM64 layout, a private database.
    lever = cost("inventories/lean", ecs_layout="combined", ecs_cpu_architecture="ARM64",
                 rds_publicly_accessible=False, cost_free_tier="legacy_12_months")
    assert lever.rc == 0, lever
    report = json.loads((tmp_path / "lean/cost-plan.json").read_text())
    fargate = [line for line in report["lines"] if line["service"] == "Fargate"]
    assert [(f["resource"], f["monthly_usd"]) for f in fargate] == [("app (0.25 vCPU / 1 GB ARM64)", 8.51)]
    assert report["free_tier"] == "legacy_12_months" and report["total_monthly_usd"] < 30

    ultra = cost("inventories/ultra_lean")
    assert ultra.rc == 0, ultra
    assert not (tmp_path / "ultra_lean/cost-actual.json").exists(), "cost_explorer=false reads no bill"
    report = json.loads((tmp_path / "ultra_lean/cost-plan.json").read_text())
    # Container micro $10 + database micro $15 + two secrets $0.80 + ECR $0.20.
    assert report["total_monthly_usd"] == 26.0, report["lines"]
    assert {line["service"] for line in report["lines"] if line["monthly_usd"]} == {
        "Lightsail", "Secrets Manager", "ECR"}
    sqlite = cost("inventories/ultra_lean", lightsail_database="sqlite")
    assert sqlite.rc == 0, sqlite
    report = json.loads((tmp_path / "ultra_lean/cost-plan.json").read_text())
    assert report["total_monthly_usd"] == 10.6, report["lines"]

    # -e name=false (a string) prices as the JSON boolean does: a private database, and no lever to make it so.
    as_text = cost("inventories/lean", "-e", "rds_publicly_accessible=false", "-e", "rds_public_window=true")
    assert as_text.rc == 0, as_text
    text_report = json.loads((tmp_path / "lean/cost-plan.json").read_text())
    as_json = cost("inventories/lean", rds_publicly_accessible=False, rds_public_window=True)
    assert as_json.rc == 0, as_json
    json_report = json.loads((tmp_path / "lean/cost-plan.json").read_text())
    assert text_report["total_monthly_usd"] == json_report["total_monthly_usd"] == 70.57, text_report["lines"]
    assert text_report["recommendations"] == json_report["recommendations"]
    assert not [r for r in text_report["recommendations"] if "Keep RDS private" in r["action"]]

    # A setting given with -e applies to the other options too, where their inventory does not set it:
    # production's Spot frontend cannot run ARM64, so production is left out, and says why.
    over = cost("inventories/lean", cost_budget_usd=60, ecs_cpu_architecture="ARM64")
    assert over.rc == 0 and "over the budget of $60.00" in over.flat, "cost.yml warns, it does not stop"
    assert "production is left out of the options side by side" in over.flat and "Fargate Spot" in over.flat
    tiers = json.loads((tmp_path / "lean/cost-plan.json").read_text())["tiers"]
    assert sorted(tiers) == ["growth", "lean", "ultra_lean"] and tiers["growth"] < 148.39, tiers


def test_the_plan_refuses_to_guess_a_setting_no_role_made_known(emulator, tmp_path):
    # The cost role reads variables only: run without the priced roles' defaults made known (tasks/budget.yml),
    # it stops and names what is missing instead of pricing a guess.
    playbook = tmp_path / "plan.yml"
    playbook.write_text("""
- hosts: precedentum
  gather_facts: false
  tasks:
    - ansible.builtin.include_role:
        name: precedentum.deploy.cost
        tasks_from: plan
""")
    run = run_playbook(str(playbook), emulator.env(), extra_vars={"precedentum_platform": "ecs"})
    assert run.rc != 0, run
    assert "The plan prices network_public_subnet_cidrs, " in run.flat and "cost_priced_roles" in run.flat, run
    assert "ecs_backend_cpu" in run.flat and "cost_lcu" not in run.flat.split("which nothing sets", maxsplit=1)[0], run


def test_deployed_mode_prices_what_weeks_1_and_2_made_and_lists_what_they_did_not(emulator, prebuilt, tmp_path):
    prebuilt(emulator, ["week1.yml", "week2.yml"])
    # What Cost Explorer will say was billed this month (moto answers what it is given).
    billed = {"Amazon Relational Database Service": "4.66", "Amazon Elastic Load Balancing": "9.00",
              "Amazon Elastic Compute Cloud - Compute": "2.50"}
    emulator.api("/moto-api/static/ce/cost-and-usage-results", data=json.dumps({"results": [{"ResultsByTime": [{
        "TimePeriod": {"Start": "2026-11-01", "End": "2026-11-11"}, "Total": {}, "Estimated": True,
        "Groups": [{"Keys": [k], "Metrics": {"UnblendedCost": {"Amount": v, "Unit": "USD"}}}
                   for k, v in billed.items()]}]}]}).encode())

    def deployed():
        run = run_playbook(str(REPO / "playbooks/cost.yml"), emulator.env(),
                           extra_vars={"cost_report_dir": str(tmp_path)})
        assert run.rc == 0, run
        return json.loads((tmp_path / "cost-deployed.json").read_text())

    report = deployed()
    lines = {(line["service"], line["resource"]): (line["quantity"], line["monthly_usd"]) for line in report["lines"]}
    prefix = "precedentum-testing"
    assert lines == {
        ("Fargate", f"{prefix}-backend (0.25 vCPU / 0.5 GB X86_64)"): (1, 9.01),
        ("Fargate", f"{prefix}-frontend (0.25 vCPU / 0.5 GB X86_64)"): (1, 9.01),
        ("Public IPv4", "Fargate tasks with a public IP"): (2, 7.30),
        ("RDS", "db.t4g.micro single-AZ"): (1, 11.68),
        ("RDS", "storage (gp3)"): (20, 2.30),
        ("Public IPv4", "publicly accessible RDS instance"): (1, 3.65),
        ("Load balancer", "application load balancer"): (1, 16.43),
        ("Load balancer", "capacity, 1 LCU on average (an assumption)"): (1, 5.84),
        ("Public IPv4", "load balancer nodes (one per zone)"): (2, 7.30),
        ("Secrets Manager", "secrets"): (2, 0.80),
        # The emulator's stand-in for phase 1.3's push: an image of a few bytes in each repository.
        ("ECR", "image storage"): (0.0, 0.0),
    }, lines
    assert report["unexpected"] == [] and report["total_monthly_usd"] == 73.32
    assert report["findings"]["repositories_without_lifecycle"] == []

    # The t4g database ran above its baseline with no credits left: unlimited mode bills surplus credits
    # (CloudWatch's CPUSurplusCreditsCharged, 90 credits = 1.5 vCPU-hours in the last 30 days), priced.
    emulator.client("cloudwatch").put_metric_data(Namespace="AWS/RDS", MetricData=[{
        "MetricName": "CPUSurplusCreditsCharged", "Value": 45.0, "Unit": "Count",
        "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": f"{prefix}-db"}]} for _unused in range(2)])
    surplus = {(line["service"], line["resource"]): (line["quantity"], line["monthly_usd"], line["confidence"])
               for line in deployed()["lines"]}
    assert surplus[("RDS", "CPU surplus credits (unlimited mode, the last 30 days)")] == (1.5, 0.11, "unverified")

    # Actual mode: what was billed, each service against the inventory's plan.
    actual = json.loads((tmp_path / "cost-actual.json").read_text())
    assert list(actual) == REPORT_KEYS + ["available", "month_to_date_usd", "period", "forecast_method", "comparison"]
    period = actual["period"]
    scale = period["days_in_month"] / period["days"]
    assert (actual["mode"], actual["available"], actual["month_to_date_usd"]) == ("actual", True, 16.16)
    whole = period["days"] == period["days_in_month"]  # run on the 1st: last month, billed in full
    assert actual["forecast_method"] == ("whole_month" if whole else "linear"), "the emulator has no forecast"
    assert actual["total_monthly_usd"] == pytest.approx(16.16 * scale, abs=0.02)
    rows = {row["service"]: row for row in actual["comparison"]}
    assert rows["Amazon Relational Database Service"]["planned_monthly_usd"] == 13.98
    assert rows["Amazon Relational Database Service"]["month_to_date_usd"] == 4.66
    assert rows["Amazon Elastic Compute Cloud - Compute"]["explanation"].startswith("not in the plan")
    assert rows["Amazon Elastic Container Service"]["explanation"].startswith("planned, nothing billed yet")
    assert whole or any("DataUnavailableException" in w for w in actual["findings"]["warnings"])
    assert "## Forecast per service" in (tmp_path / "cost-actual.md").read_text()

    # Made behind the collection's back: a NAT gateway and an untagged instance.
    ec2 = emulator.client("ec2")
    subnet = ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [f"{prefix}-public-*"]}])["Subnets"][0]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet["SubnetId"], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                                 SubnetId=subnet["SubnetId"])["Instances"][0]["InstanceId"]

    report = deployed()
    unexpected = {item["resource"]: item["monthly_usd"] for item in report["unexpected"]}
    assert unexpected[f"NAT gateway {nat}"] == 36.50, "the gateway's hours and its public IPv4"
    assert any(name.startswith(f"instance {instance}") for name in unexpected), unexpected
    # The plan's 73.32, the surplus credits still in CloudWatch's last 30 days, and what was made behind its back.
    assert report["total_monthly_usd"] == pytest.approx(73.32 + 0.11 + sum(unexpected.values()), abs=0.01)
    assert f"NAT gateway {nat}" in (tmp_path / "cost-deployed.md").read_text()
