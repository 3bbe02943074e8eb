"""The monitoring role (phase 3.2, week3.yml), verified through the SNS, CloudWatch and Budgets APIs; the week-3
test's converge, idempotence, verify and destroy are the role's molecule scenario's (molecule/monitoring/)."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX
from tests.harness.molecule import Scenario

pytestmark = pytest.mark.slow
# The scenario's addresses (molecule/monitoring/vars.yml): what its converge subscribes.
EMAILS = yaml.safe_load((REPO / "molecule/monitoring/vars.yml").read_text())["monitoring_alert_emails"]
ACCOUNT = "123456789012"  # moto's


def play(emu, name, *args, **extra):
    return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, extra_vars=extra or None)


def watched(emu) -> dict:
    """Topic, subscriptions, alarms, dashboard and budget as the APIs tell them."""
    sns, cw, budgets = emu.client("sns"), emu.client("cloudwatch"), emu.client("budgets")
    topics = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(f":{PREFIX}-alerts")]
    subscriptions = sorted((s["Protocol"], s["Endpoint"]) for t in topics
                           for s in sns.list_subscriptions_by_topic(TopicArn=t)["Subscriptions"])
    alarms = {a["AlarmName"].removeprefix(PREFIX + "-"): a
              for a in cw.describe_alarms(AlarmNamePrefix=PREFIX + "-")["MetricAlarms"]}
    try:
        dashboard = json.loads(cw.get_dashboard(DashboardName=PREFIX)["DashboardBody"])
    except cw.exceptions.ResourceNotFound:
        dashboard = None
    try:
        budget = budgets.describe_budget(AccountId=ACCOUNT, BudgetName=f"{PREFIX}-monthly")["Budget"]
        notes = budgets.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName=f"{PREFIX}-monthly")
        budget["alerts"] = sorted((n["NotificationType"], float(n["Threshold"]), n["ThresholdType"])
                                  for n in notes["Notifications"])
    except budgets.exceptions.NotFoundException:
        budget = None
    return {"topics": topics, "subscriptions": subscriptions, "alarms": alarms, "dashboard": dashboard,
            "budget": budget}


def test_week3_watches_what_weeks_1_and_2_made_then_destroy_removes_it(emulator, prebuilt, tmp_path):
    prebuilt(emulator, ["week1.yml", "week2.yml"])
    nothing = {"topics": [], "subscriptions": [], "alarms": {}, "dashboard": None, "budget": None}

    dry = play(emulator, "week3.yml", "--check", monitoring_alert_emails=EMAILS)
    assert dry.rc == 0, dry
    assert watched(emulator) == nothing, "check mode made something"

    # The scenario's converge on weeks 1 and 2 replayed (what its prepare makes, and more).
    scenario = Scenario(emulator, "monitoring", tmp_path, prepared=True)
    first = scenario.run("converge")
    assert first.rc == 0, first
    now = watched(emulator)
    (topic,) = now["topics"]
    assert now["subscriptions"] == [("email", e) for e in EMAILS]

    lb = emulator.client("elbv2").describe_load_balancers(Names=[f"{PREFIX}-alb"])["LoadBalancers"][0]
    lb_dim = lb["LoadBalancerArn"].split(":loadbalancer/")[1]
    groups = {g["TargetGroupName"].removeprefix(PREFIX + "-"): g["TargetGroupArn"].split(":")[-1]
              for g in emulator.client("elbv2").describe_target_groups()["TargetGroups"]}
    db = {"DBInstanceIdentifier": f"{PREFIX}-db"}
    expected = {  # name: (namespace, metric, dimensions, statistic, comparison, threshold, period, periods)
        "backend-cpu-high": ("AWS/ECS", "CPUUtilization", {"ClusterName": PREFIX, "ServiceName": f"{PREFIX}-backend"},
                             "Average", "GreaterThanThreshold", 80.0, 300, 2),
        "frontend-cpu-high": ("AWS/ECS", "CPUUtilization", {"ClusterName": PREFIX,
                                                            "ServiceName": f"{PREFIX}-frontend"},
                              "Average", "GreaterThanThreshold", 80.0, 300, 2),
        "db-connections-high": ("AWS/RDS", "DatabaseConnections", db, "Maximum", "GreaterThanThreshold", 15.0, 300, 2),
        "db-storage-low": ("AWS/RDS", "FreeStorageSpace", db, "Minimum", "LessThanThreshold", 2.0 * 1024**3, 300, 2),
        "db-cpu-credits-low": ("AWS/RDS", "CPUCreditBalance", db, "Minimum", "LessThanThreshold", 20.0, 300, 2),
        "db-cpu-surplus-credits": ("AWS/RDS", "CPUSurplusCreditsCharged", db, "Sum", "GreaterThanThreshold", 0.0,
                                   3600, 1),
        "app-errors": ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {"LoadBalancer": lb_dim}, "Sum",
                       "GreaterThanThreshold", 10.0, 3600, 1),
        "backend-unhealthy": ("AWS/ApplicationELB", "UnHealthyHostCount",
                              {"LoadBalancer": lb_dim, "TargetGroup": groups["backend"]}, "Maximum",
                              "GreaterThanThreshold", 0.0, 300, 2),
        "frontend-unhealthy": ("AWS/ApplicationELB", "UnHealthyHostCount",
                               {"LoadBalancer": lb_dim, "TargetGroup": groups["frontend"]}, "Maximum",
                               "GreaterThanThreshold", 0.0, 300, 2),
    }
    got = {name: (a["Namespace"], a["MetricName"], {d["Name"]: d["Value"] for d in a["Dimensions"]}, a["Statistic"],
                  a["ComparisonOperator"], a["Threshold"], a["Period"], a["EvaluationPeriods"])
           for name, a in now["alarms"].items()}
    assert got == expected
    assert all(a["AlarmActions"] == [topic] for a in now["alarms"].values())

    charted = {m[1] for w in now["dashboard"]["widgets"] for m in w["properties"]["metrics"]}
    assert {"CPUUtilization", "MemoryUtilization", "DatabaseConnections", "FreeStorageSpace", "CPUCreditBalance",
            "RequestCount", "HTTPCode_Target_5XX_Count", "TargetResponseTime"} <= charted
    ecs_cpu = next(w for w in now["dashboard"]["widgets"] if w["properties"]["title"] == "ECS CPU (%)")
    assert [m[-1] for m in ecs_cpu["properties"]["metrics"]] == [f"{PREFIX}-backend", f"{PREFIX}-frontend"]

    assert now["budget"]["BudgetLimit"]["Amount"] in ("75.00", "75.0") and now["budget"]["TimeUnit"] == "MONTHLY"
    assert now["budget"]["alerts"] == [("ACTUAL", 10.0, "ABSOLUTE_VALUE"), ("ACTUAL", 30.0, "ABSOLUTE_VALUE"),
                                       ("ACTUAL", 50.0, "ABSOLUTE_VALUE"), ("FORECASTED", 100.0, "PERCENTAGE")]

    idempotent = scenario.run("idempotence")
    assert idempotent.rc == 0 and idempotent.changed == 0, idempotent
    verified = scenario.run("verify")
    assert verified.rc == 0 and "All assertions passed" in verified.output, verified
    # (week3.yml's own re-run, every phase of it, is test_site_lean.py's site.yml re-run.)

    # One address fewer, a lower CPU threshold: changed in place.
    fewer = play(emulator, "week3.yml", "--tags", "monitoring", monitoring_alert_emails=EMAILS[:1],
                 monitoring_ecs_cpu_percent=70)
    assert fewer.rc == 0, fewer
    now = watched(emulator)
    assert now["subscriptions"] == [("email", EMAILS[0])]
    assert now["alarms"]["backend-cpu-high"]["Threshold"] == 70.0

    confirm = {"destroy_confirm": PREFIX}
    gone = play(emulator, "destroy.yml", "--tags", "monitoring", **confirm)
    assert gone.rc == 0, gone
    assert watched(emulator) == nothing
    twice = play(emulator, "destroy.yml", "--tags", "monitoring", **confirm)
    assert twice.rc == 0 and twice.changed == 0, twice
    left = scenario.run("destroy")  # the role's own destroy (the test made and keeps what prepare makes)
    assert left.rc == 0 and left.changed == 0, left


def test_week4_performance_check_reads_a_week_of_cpu_and_memory(emulator, prebuilt, tmp_path):
    """Week 4 on a week-2 account, with a week of hourly points put into CloudWatch: a backend busy
    most hours is told to scale up, a quiet frontend that it is enough; the cost report is written;
    a re-run changes nothing."""
    import datetime

    prebuilt(emulator, ["week1.yml", "week2.yml"])
    cw = emulator.client("cloudwatch")
    now = datetime.datetime.now(datetime.UTC).replace(minute=0, second=0, microsecond=0)
    for service, cpu in (("backend", lambda h: 85.0 if h % 3 else 40.0), ("frontend", lambda h: 12.0)):
        for metric, value in (("CPUUtilization", cpu), ("MemoryUtilization", lambda h: 45.0)):
            points = [{"MetricName": metric, "Timestamp": now - datetime.timedelta(hours=h), "Value": value(h),
                       "Unit": "Percent", "Dimensions": [{"Name": "ClusterName", "Value": PREFIX},
                                                         {"Name": "ServiceName", "Value": f"{PREFIX}-{service}"}]}
                      for h in range(1, 7 * 24)]
            for i in range(0, len(points), 500):
                cw.put_metric_data(Namespace="AWS/ECS", MetricData=points[i:i + 500])
    reports = {"cost_report_dir": str(tmp_path / "reports"), "cost_explorer": False}
    first = play(emulator, "week4.yml", **reports)
    assert first.rc == 0 and "No tester in wave 2" in first.flat, first
    assert (tmp_path / "reports" / "cost-deployed.md").is_file()
    run = play(emulator, "week4.yml", **reports)
    assert run.rc == 0 and run.changed == 0, run
    # 167 hourly points, 2 in 3 busy; the week read ends at the time of the run, so a run after the next hour
    # began sees one point fewer.
    busy = re.search(rf"{PREFIX}-backend \| scale up \| CPU above 70% in (\d+) of (\d+) hours \((\d+)%", run.flat)
    assert busy, run
    assert 166 <= int(busy[2]) <= 167 and abs(int(busy[1]) - int(busy[2]) * 2 / 3) <= 1 and busy[3] == "67", busy[0]
    assert re.search(rf"{PREFIX}-frontend \| enough \| CPU above 70% in 0 of 16[67] hours", run.flat), run
    assert "Scale up: raise ecs_backend_cpu" in run.flat
