"""The monitoring role's alarms, dashboard and input checks, from what a week-2 account holds."""

from __future__ import annotations

import sys

from tests.harness.ansible import REPO

sys.path.insert(0, str(REPO / ".collections"))  # the checkout as ansible_collections.precedentum.deploy

from ansible_collections.precedentum.deploy.plugins.plugin_utils import monitoring  # noqa: E402

P = "precedentum-testing"
FOUND = {"prefix": P, "region": "us-east-1", "cluster": P, "services": [f"{P}-frontend", f"{P}-backend"],
         "db": f"{P}-db", "alb": f"arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/{P}-alb/50dc6c495c0c9188",
         "target_groups": [f"arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/{P}-backend/73e2d6bc24d8a067"],
         "topic": "arn:aws:sns:us-east-1:1:alerts", "ecs_cpu": 80, "db_connections": 15, "db_free_storage_gb": 2,
         "db_cpu_credits": 20, "errors_per_hour": 10, "unhealthy_hosts": 0, "period": 300, "evaluation_periods": 2}
INPUTS = {"monitoring_alert_emails": ["a@example.com"], "monitoring_ecs_cpu_percent": 80,
          "monitoring_rds_connections": 15, "monitoring_app_errors_per_hour": 10, "monitoring_rds_free_storage_gb": 2,
          "monitoring_rds_cpu_credits": 20, "monitoring_alb_unhealthy_hosts": 0, "monitoring_alarm_period": 300,
          "monitoring_alarm_evaluation_periods": 2, "monitoring_budget_usd": 75,
          "monitoring_budget_alerts_usd": [10, 30, 50], "monitoring_budget_forecast_percent": 100}


def test_one_alarm_per_check_and_resource_found():
    alarms = {a["name"]: a for a in monitoring.monitoring_alarms(FOUND)}
    assert sorted(alarms) == sorted(f"{P}-{n}" for n in (
        "backend-cpu-high", "frontend-cpu-high", "db-connections-high", "db-storage-low", "db-cpu-credits-low",
        "db-cpu-surplus-credits", "app-errors", "backend-unhealthy"))
    surplus = alarms[f"{P}-db-cpu-surplus-credits"]
    assert (surplus["metric_name"], surplus["statistic"], surplus["comparison"], surplus["threshold"]) == (
        "CPUSurplusCreditsCharged", "Sum", "GreaterThanThreshold", 0.0)
    assert "bills surplus credits" in alarms[f"{P}-db-cpu-credits-low"]["description"]
    assert "slows down" not in alarms[f"{P}-db-cpu-credits-low"]["description"]
    errors = alarms[f"{P}-app-errors"]
    assert (errors["dimensions"], errors["statistic"], errors["period"], errors["evaluation_periods"]) == (
        {"LoadBalancer": f"app/{P}-alb/50dc6c495c0c9188"}, "Sum", 3600, 1)
    assert alarms[f"{P}-backend-unhealthy"]["dimensions"]["TargetGroup"] == f"targetgroup/{P}-backend/73e2d6bc24d8a067"
    assert alarms[f"{P}-db-storage-low"]["threshold"] == 2 * 1024**3
    assert all(a["alarm_actions"] == ["arn:aws:sns:us-east-1:1:alerts"] for a in alarms.values())
    # Nothing found: no alarm, and a dashboard that says why it is empty.
    empty = {**FOUND, "services": [], "db": "", "alb": "", "target_groups": []}
    assert monitoring.monitoring_alarms(empty) == []
    assert monitoring.monitoring_dashboard(empty)["widgets"][0]["type"] == "text"


def test_the_dashboard_lays_its_widgets_two_a_row():
    widgets = monitoring.monitoring_dashboard(FOUND)["widgets"]
    assert len(widgets) == 9
    assert [(w["x"], w["y"]) for w in widgets[:4]] == [(0, 0), (12, 0), (0, 6), (12, 6)]
    assert widgets[0]["properties"]["metrics"][0][-1] == f"{P}-backend"


def test_stale_alarms_are_only_ours():
    held = [f"{P}-backend-cpu-high", f"{P}-app-cpu-high", f"{P}-custom", "other-app-errors", f"{P}-app-errors"]
    assert monitoring.monitoring_stale_alarms(held, P, [f"{P}-backend-cpu-high", f"{P}-app-errors"]) == [
        f"{P}-app-cpu-high"]


def test_inputs_are_checked_naming_the_variable():
    assert monitoring.monitoring_input_errors(INPUTS) == []
    bad = {**INPUTS, "monitoring_alert_emails": ["not-an-address"], "monitoring_ecs_cpu_percent": 120,
           "monitoring_alarm_period": 90, "monitoring_budget_alerts_usd": [30, 10]}
    errors = monitoring.monitoring_input_errors(bad)
    assert [e.split(":")[0] for e in errors] == ["monitoring_alert_emails", "monitoring_ecs_cpu_percent",
                                                 "monitoring_alarm_period", "monitoring_budget_alerts_usd"]
    assert monitoring.monitoring_budget_notifications([10, 30], 100) == [
        {"type": "ACTUAL", "threshold": 10.0}, {"type": "ACTUAL", "threshold": 30.0},
        {"type": "FORECASTED", "threshold": 100.0, "threshold_type": "PERCENTAGE"}]


def test_the_performance_verdicts():
    from ansible_collections.precedentum.deploy.plugins.modules import ecs_service_utilization as u

    def summary(averages, threshold=70):
        return u.summarize(averages, [], threshold)

    quiet, busy = summary([20.0] * 100), summary([80.0] * 30 + [20.0] * 70)
    assert busy == {"hours": 100, "average": 38.0, "peak": 80.0, "busy_hours": 30}
    assert u.verdict(quiet, quiet, 70, 80, 0.25, 24)[0] == "enough"
    assert u.verdict(busy, quiet, 70, 80, 0.25, 24) == (
        "scale up", "CPU above 70% in 30 of 100 hours (30%; average 38.0%, peak 80.0%): sustained; "
        "memory above 80% in 0 of 100 hours (0%; average 20.0%, peak 20.0%)")
    spiky = summary([90.0] * 5 + [20.0] * 95)
    assert u.verdict(spiky, quiet, 70, 80, 0.25, 24)[0] == "spikes"
    assert u.verdict(summary([90.0] * 10), quiet, 70, 80, 0.25, 24)[0] == "no data"
    assert u.verdict(quiet, summary([90.0] * 100, 80), 70, 80, 0.25, 24)[0] == "scale up", "memory alone"
