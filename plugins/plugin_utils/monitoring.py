# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitoring role's alarms and dashboard, computed from what exists (pure logic, no AWS call)."""

from __future__ import annotations

import re

from ansible_collections.precedentum.deploy.plugins.module_utils.inputs import to_number

GB = 1024**3
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def arn_suffix(arn, marker):
    """app/name/id from a load balancer ARN, targetgroup/name/id from a target group's."""
    return arn[arn.index(marker):] if marker in arn else ""


def _alarm(found, name, description, namespace, metric, dimensions, statistic, comparison, threshold, period,
           periods, unit=None):
    alarm = {"name": f"{found['prefix']}-{name}", "description": description, "namespace": namespace,
             "metric_name": metric, "dimensions": dimensions, "statistic": statistic, "comparison": comparison,
             "threshold": float(threshold), "period": int(period), "evaluation_periods": int(periods),
             "treat_missing_data": "missing", "alarm_actions": [found["topic"]] if found.get("topic") else [],
             "ok_actions": []}
    if unit:
        alarm["unit"] = unit
    return alarm


def monitoring_alarms(found):
    """The alarms: the seed's three checks, and the three a t4g.micro needs to not die quietly."""
    period, periods = found["period"], found["evaluation_periods"]
    alarms = []
    for service in sorted(found.get("services") or []):
        short = service.removeprefix(found["prefix"] + "-")
        alarms.append(_alarm(found, f"{short}-cpu-high", f"ECS service {service}: CPU above {found['ecs_cpu']}%",
                             "AWS/ECS", "CPUUtilization", {"ClusterName": found["cluster"], "ServiceName": service},
                             "Average", "GreaterThanThreshold", found["ecs_cpu"], period, periods, "Percent"))
    if found.get("db"):
        db = {"DBInstanceIdentifier": found["db"]}
        alarms += [
            _alarm(found, "db-connections-high", f"RDS {found['db']}: more than {found['db_connections']} connections",
                   "AWS/RDS", "DatabaseConnections", db, "Maximum", "GreaterThanThreshold", found["db_connections"],
                   period, periods, "Count"),
            _alarm(found, "db-storage-low", f"RDS {found['db']}: less than {found['db_free_storage_gb']} GB free",
                   "AWS/RDS", "FreeStorageSpace", db, "Minimum", "LessThanThreshold",
                   found["db_free_storage_gb"] * GB, period, periods, "Bytes"),
            _alarm(found, "db-cpu-credits-low",
                   f"RDS {found['db']}: fewer than {found['db_cpu_credits']} CPU credits (at 0 a t4g does not slow "
                   "down: in unlimited mode it bills surplus credits, $0.075 a vCPU-hour)",
                   "AWS/RDS", "CPUCreditBalance", db, "Minimum", "LessThanThreshold", found["db_cpu_credits"],
                   period, periods, "Count"),
            _alarm(found, "db-cpu-surplus-credits",
                   f"RDS {found['db']}: surplus CPU credits charged (unlimited mode bills them: the instance runs "
                   "above its baseline with no credits left)",
                   "AWS/RDS", "CPUSurplusCreditsCharged", db, "Sum", "GreaterThanThreshold", 0, 3600, 1, "Count"),
        ]
    lb = arn_suffix(found.get("alb") or "", "app/")
    if lb:
        alarms.append(_alarm(found, "app-errors", f"More than {found['errors_per_hour']} server errors (5XX) an hour",
                             "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", {"LoadBalancer": lb}, "Sum",
                             "GreaterThanThreshold", found["errors_per_hour"], 3600, 1, "Count"))
        for arn in sorted(found.get("target_groups") or []):
            group = arn_suffix(arn, "targetgroup/")
            short = group.split("/")[1].removeprefix(found["prefix"] + "-") if group.count("/") >= 2 else group
            alarms.append(_alarm(found, f"{short}-unhealthy", f"Target group {group.split('/')[1]}: "
                                 f"more than {found['unhealthy_hosts']} unhealthy task(s)",
                                 "AWS/ApplicationELB", "UnHealthyHostCount", {"LoadBalancer": lb, "TargetGroup": group},
                                 "Maximum", "GreaterThanThreshold", found["unhealthy_hosts"], period, periods, "Count"))
    return alarms


def monitoring_dashboard(found):
    """The dashboard body: ECS CPU and memory, RDS connections, CPU, storage and credits, ALB
    requests, 5XX and latency - one widget a row of two, 12 columns each."""
    region, widgets = found["region"], []

    def widget(title, metrics, stat="Average", period=300):
        n = len(widgets)
        widgets.append({"type": "metric", "x": (n % 2) * 12, "y": (n // 2) * 6, "width": 12, "height": 6,
                        "properties": {"title": title, "region": region, "stat": stat, "period": period,
                                       "view": "timeSeries", "metrics": metrics}})

    services = sorted(found.get("services") or [])
    if services:
        for metric, title in (("CPUUtilization", "ECS CPU (%)"), ("MemoryUtilization", "ECS memory (%)")):
            widget(title, [["AWS/ECS", metric, "ClusterName", found["cluster"], "ServiceName", s] for s in services])
    if found.get("db"):
        db = ["DBInstanceIdentifier", found["db"]]
        widget("RDS connections", [["AWS/RDS", "DatabaseConnections", *db]], "Maximum")
        widget("RDS CPU (%)", [["AWS/RDS", "CPUUtilization", *db]])
        widget("RDS free storage (bytes)", [["AWS/RDS", "FreeStorageSpace", *db]], "Minimum")
        widget("RDS CPU credits", [["AWS/RDS", "CPUCreditBalance", *db]], "Minimum")
    lb = arn_suffix(found.get("alb") or "", "app/")
    if lb:
        widget("Requests", [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", lb]], "Sum")
        widget("Server errors (5XX)", [["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", lb]], "Sum")
        widget("Response time (s, p95)", [["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", lb]], "p95")
    if not widgets:
        widgets.append({"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": {
            "markdown": f"Nothing of {found['prefix']} to chart yet: run week 1 and week 2, then this role again."}})
    return {"widgets": widgets}


# The name endings of the alarms above: what the role may remove as its own when a resource is gone.
ALARM_SUFFIXES = ("-cpu-high", "-db-connections-high", "-db-storage-low", "-db-cpu-credits-low",
                  "-db-cpu-surplus-credits", "-app-errors", "-unhealthy")


def monitoring_stale_alarms(held, prefix, wanted):
    """Names of alarms of ours (prefix and one of our endings) that are not wanted any more."""
    return sorted(name for name in held if name.startswith(prefix + "-") and name.endswith(ALARM_SUFFIXES)
                  and name not in wanted)


def monitoring_subscriptions(emails):
    """community.aws.sns_topic's subscriptions for e-mail addresses."""
    return [{"endpoint": email, "protocol": "email"} for email in emails]


def monitoring_budget_notifications(amounts, forecast_percent):
    """The budget module's notifications: actual spend past each amount, the forecast past a percentage."""
    return [{"type": "ACTUAL", "threshold": float(amount)} for amount in amounts] + [
        {"type": "FORECASTED", "threshold": float(forecast_percent), "threshold_type": "PERCENTAGE"}]


def monitoring_input_errors(inputs):
    """Error messages naming the variable at fault; empty when all is well."""
    errors = []
    emails = inputs["monitoring_alert_emails"]
    if not isinstance(emails, list) or not all(isinstance(e, str) and EMAIL_RE.match(e) for e in emails):
        errors.append(f"monitoring_alert_emails: {emails!r} must be a list of e-mail addresses")
    elif len(emails) > 10:
        errors.append("monitoring_alert_emails: at most 10 (an AWS Budgets alert takes 10)")
    ranges = (("monitoring_ecs_cpu_percent", 1, 100), ("monitoring_rds_connections", 1, 5000),
              ("monitoring_app_errors_per_hour", 0, 1_000_000), ("monitoring_rds_free_storage_gb", 1, 1000),
              ("monitoring_rds_cpu_credits", 0, 10_000), ("monitoring_alb_unhealthy_hosts", 0, 100),
              ("monitoring_alarm_evaluation_periods", 1, 100), ("monitoring_budget_usd", 1, 1_000_000),
              ("monitoring_budget_forecast_percent", 1, 1000), ("monitoring_performance_days", 1, 15),
              ("monitoring_scale_cpu_percent", 1, 100), ("monitoring_scale_memory_percent", 1, 100))
    for var, low, high in ranges:
        if var not in inputs:  # the week-4 inputs, checked where they are given
            continue
        value = to_number(inputs[var])
        if value is None or not low <= value <= high:
            errors.append(f"{var}: {inputs[var]!r} must be a number from {low} to {high}")
    period = to_number(inputs["monitoring_alarm_period"])
    if period not in (10, 30) and (period is None or period < 60 or period % 60):
        errors.append(f"monitoring_alarm_period: {inputs['monitoring_alarm_period']!r}; CloudWatch takes 10, 30 "
                      "or a multiple of 60 seconds")
    alerts = inputs["monitoring_budget_alerts_usd"]
    values = [to_number(a) for a in alerts] if isinstance(alerts, list) else [None]
    if None in values or any(v <= 0 for v in values) or values != sorted(set(values)) or len(values) > 9:
        errors.append(f"monitoring_budget_alerts_usd: {alerts!r} must be up to 9 amounts above 0, rising "
                      "(e.g. [10, 30, 50])")
    return errors
