"""precedentum_office_hours: its checks, its plan (hours and cron expressions), the schedules that carry it out,
the next change status.yml shows, and what the cost check makes of it."""

from __future__ import annotations

import datetime

import pytest
from ansible_collections.precedentum.deploy.plugins.module_utils import costs
from ansible_collections.precedentum.deploy.plugins.plugin_utils.office_hours import (
    office_hours_next,
    office_hours_plan,
    office_hours_problems,
    office_hours_schedules,
)

WEEKDAYS = {"days": "MON-FRI", "start": "08:00", "end": "20:00", "timezone": "America/Chicago"}


@pytest.mark.parametrize("value", [{}, "off", None, WEEKDAYS, {**WEEKDAYS, "days": "MON,WED,FRI"},
                                   {**WEEKDAYS, "days": "sat-sun", "timezone": "UTC"}])
def test_off_and_right_values_pass(value):
    assert office_hours_problems(value) == []


@pytest.mark.parametrize("change, named", [
    ({"days": "MON-XYZ"}, "precedentum_office_hours.days"),
    ({"days": "FRI-MON"}, "precedentum_office_hours.days"),
    ({"start": "8am"}, "precedentum_office_hours.start/end"),
    ({"end": "07:00"}, "is not after start"),
    ({"start": "00:10"}, "too close to midnight"),
    ({"end": "23:55"}, "too close to midnight"),
    ({"timezone": "Mars/Olympus_Mons"}, "precedentum_office_hours.timezone"),
    ({"timezone": ""}, "precedentum_office_hours.timezone: missing"),
    ({"hours": 60}, "unknown key(s) hours"),
])
def test_wrong_values_are_refused_naming_the_key(change, named):
    found = office_hours_problems({**WEEKDAYS, **change})
    assert found and any(named in p for p in found), found


def test_a_value_that_is_no_mapping_is_refused():
    assert "precedentum_office_hours: 'weekdays'" in office_hours_problems("weekdays")[0]


def test_the_plan_hours_and_crons():
    plan = office_hours_plan(WEEKDAYS)
    assert plan["task_hours_per_week"] == 60 and plan["db_hours_per_week"] == 62.5
    assert plan["cron"]["db_start"] == "cron(40 7 ? * MON,TUE,WED,THU,FRI *)"
    assert plan["cron"]["db_stop"] == "cron(10 20 ? * MON,TUE,WED,THU,FRI *)"
    assert plan["clock"] == {"db_start": "07:40", "services_start": "08:00", "alarms_on": "08:15",
                             "services_stop": "20:00", "alarms_off": "20:00", "db_stop": "20:10"}
    assert office_hours_plan({}) == {}


def test_the_schedules_act_on_each_service_the_database_and_the_alarms():
    ecs = {"cluster": "p-t", "services": {"backend": {"name": "p-t-backend", "desired": 2},
                                          "frontend": {"name": "p-t-frontend", "desired": 0}}}
    found = {s["name"]: s for s in office_hours_schedules(office_hours_plan(WEEKDAYS), "p-t", ecs, "p-t-db",
                                                          ["p-t-cpu"])}
    assert sorted(found) == ["p-t-alarms-off", "p-t-alarms-on", "p-t-backend-start", "p-t-backend-stop",
                             "p-t-db-start", "p-t-db-stop", "p-t-frontend-start", "p-t-frontend-stop"]
    assert found["p-t-backend-start"]["input"] == {"Cluster": "p-t", "Service": "p-t-backend", "DesiredCount": 2}
    assert found["p-t-frontend-start"]["input"]["DesiredCount"] == 1  # at 0 now: back with one
    assert found["p-t-db-stop"]["action"] == "rds:stopDBInstance"
    assert {s["timezone"] for s in found.values()} == {"America/Chicago"}
    quiet = office_hours_schedules(office_hours_plan(WEEKDAYS), "p-t", ecs, "p-t-db", [])
    assert "p-t-alarms-on" not in {s["name"] for s in quiet}


def test_the_next_change_in_the_time_zone():
    chicago = datetime.timezone(datetime.timedelta(hours=-6))
    friday_evening = datetime.datetime(2026, 12, 4, 21, 0, tzinfo=chicago)
    assert office_hours_next(WEEKDAYS, friday_evening).startswith("resumes at 08:00 (Mon 2026-12-07")
    monday_noon = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=chicago)
    assert office_hours_next(WEEKDAYS, monday_noon).startswith("pauses at 20:00 (Mon 2026-12-07")
    assert office_hours_next({}) == ""


LEAN_WITH_LEVERS = {
    "fargate_tasks": [{"name": "app", "cpu": 256, "memory": 1024, "architecture": "ARM64", "count": 1,
                       "public_ip": True}],
    "rds": {"instance_class": "db.t4g.micro", "multi_az": False, "storage_gb": 20, "publicly_accessible": False},
    "load_balancer": {"count": 1, "azs": 2, "lcu": 1}, "s3_gb": 5, "s3_put_thousands": 10, "s3_get_thousands": 100,
    "ecr_gb": 2, "secrets": 2, "route53_zones": 1,
    "cloudwatch": {"alarms": 9, "dashboards": 1, "logs_ingested_gb": 1, "logs_stored_gb": 1}, "data_out_gb": 10}


def test_office_hours_bring_the_lean_option_with_every_lever_under_42_dollars():
    always = costs.total(costs.plan_lines(LEAN_WITH_LEVERS))
    hours = {"task_hours_per_week": 60, "db_hours_per_week": 62.5, "days_per_week": 5, "schedule": "MON-FRI"}
    lines = costs.plan_lines({**LEAN_WITH_LEVERS, "office_hours": hours})
    by = {(x["service"], x["resource"].split(" (")[0]): x for x in lines}
    assert round(always, 2) == 57.41
    assert round(costs.total(lines), 2) == 38.47 <= 42
    # Scaled: Fargate, the task's address, the instance hours, the capacity; the rest runs all month.
    assert round(by[("Fargate", "app")]["monthly_usd"], 2) == 3.03
    assert round(by[("RDS", "db.t4g.micro single-AZ")]["monthly_usd"], 2) == round(0.016 * 62.5 * 52 / 12, 2)
    assert round(by[("Load balancer", "application load balancer")]["monthly_usd"], 2) == 16.43
    assert by[("EventBridge Scheduler", "office hours' pause and resume schedules")]["monthly_usd"] == 0
    lever = [r for r in costs.recommendations(LEAN_WITH_LEVERS) if r["action"].startswith("Run only in office hours")]
    assert lever and lever[0]["saving_monthly_usd"] == round(always - costs.total(lines), 2)
    assert not [r for r in costs.recommendations({**LEAN_WITH_LEVERS, "office_hours": hours})
                if r["action"].startswith("Run only in office hours")]


def test_a_public_database_is_priced_all_month_and_marked_unverified_under_office_hours():
    stack = {**LEAN_WITH_LEVERS, "rds": {**LEAN_WITH_LEVERS["rds"], "publicly_accessible": True},
             "office_hours": {"task_hours_per_week": 60, "db_hours_per_week": 62.5}}
    (address,) = [x for x in costs.plan_lines(stack) if x["resource"] == "publicly accessible RDS instance"]
    assert address["monthly_usd"] == costs.ipv4_month() and address["confidence"] == "unverified"
