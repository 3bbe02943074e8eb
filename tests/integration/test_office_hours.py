"""Office hours (phase 3.6, week3.yml --tags office_hours) on a week-2 account, verified through EventBridge
Scheduler, IAM and CloudWatch: the schedules and the role's policy made (the converge, idempotence and verify are
the molecule scenario's, molecule/office_hours/), kept, changed, removed when off; found by leftovers.yml and
removed by destroy.yml; status.yml's next change; bad input refused before any AWS call."""

from __future__ import annotations

import json

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX
from tests.harness.molecule import Scenario

pytestmark = pytest.mark.slow
HOURS = {"days": "MON-FRI", "start": "08:00", "end": "20:00", "timezone": "America/Chicago"}
ROLE = f"{PREFIX}-office-hours"


def play(emu, name, *args, hours=None, **extra):
    return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, "--tags", "office_hours",
                        extra_vars={"precedentum_office_hours": HOURS if hours is None else hours, **extra})


def schedules(emu) -> dict:
    client = emu.client("scheduler")
    groups = [g["Name"] for g in client.list_schedule_groups()["ScheduleGroups"] if g["Name"] != "default"]
    return {s["Name"]: client.get_schedule(GroupName=g, Name=s["Name"])
            for g in groups for s in client.list_schedules(GroupName=g)["Schedules"]}


def roles(emu) -> list:
    return [r["RoleName"] for r in emu.client("iam").list_roles()["Roles"] if r["RoleName"] == ROLE]


def test_schedules_made_kept_changed_off_found_and_destroyed(emulator, prebuilt, tmp_path):
    emu = emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    emu.client("cloudwatch").put_metric_alarm(
        AlarmName=f"{PREFIX}-backend-cpu-high", Namespace="AWS/ECS", MetricName="CPUUtilization", Statistic="Average",
        Period=300, EvaluationPeriods=1, Threshold=80, ComparisonOperator="GreaterThanThreshold")

    check = play(emu, "week3.yml", "--check")
    assert check.rc == 0 and "(check mode: would be)" in check.flat, check
    assert schedules(emu) == {} and roles(emu) == []

    scenario = Scenario(emu, "office_hours", tmp_path, prepared=True)
    made = scenario.run("converge", "idempotence", "verify")
    assert made.rc == 0 and "the database starts at 07:40, the services" in made.output, made.output[-4000:]
    found = schedules(emu)
    assert sorted(found) == sorted(f"{PREFIX}-{n}" for n in ("db-start", "db-stop", "backend-start", "backend-stop",
                                                             "frontend-start", "frontend-stop", "alarms-on",
                                                             "alarms-off")), sorted(found)
    backend = found[f"{PREFIX}-backend-stop"]
    assert backend["ScheduleExpression"] == "cron(0 20 ? * MON,TUE,WED,THU,FRI *)"
    assert backend["ScheduleExpressionTimezone"] == "America/Chicago"
    assert backend["Target"]["Arn"] == "arn:aws:scheduler:::aws-sdk:ecs:updateService"
    stop = {"Cluster": PREFIX, "Service": f"{PREFIX}-backend", "DesiredCount": 0}
    assert json.loads(backend["Target"]["Input"]) == stop
    alarms = json.loads(found[f"{PREFIX}-alarms-off"]["Target"]["Input"])
    assert alarms == {"AlarmNames": [f"{PREFIX}-backend-cpu-high"]}
    # The role: Scheduler of this account only, exactly these calls on these resources.
    iam = emu.client("iam")
    trust = iam.get_role(RoleName=ROLE)["Role"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"} and "aws:SourceAccount" in json.dumps(trust)
    policy = iam.get_role_policy(RoleName=ROLE, PolicyName=ROLE)["PolicyDocument"]["Statement"]
    allowed = {s["Sid"]: (s["Action"], s["Resource"]) for s in policy}
    assert allowed["ServicesToZeroAndBack"][0] == "ecs:UpdateService"
    assert sorted(r.rsplit("/", 1)[-1] for r in allowed["ServicesToZeroAndBack"][1]) == [
        f"{PREFIX}-backend", f"{PREFIX}-frontend"]
    assert allowed["DatabaseStopAndStart"][1].endswith(f":db:{PREFIX}-db")
    assert allowed["AlarmsQuietOutsideOfficeHours"][1].endswith(f":alarm:{PREFIX}-*")
    assert all(r["Target"]["RoleArn"].endswith(f":role/{ROLE}") for r in found.values())

    again = play(emu, "week3.yml")
    assert again.rc == 0 and again.changed == 0, again
    status = run_playbook(str(REPO / "playbooks" / "status.yml"), emu.env(),
                          extra_vars={"precedentum_office_hours": HOURS})
    assert "next change: " in status.flat and "America/Chicago) by its office hours" in status.flat, status

    later = play(emu, "week3.yml", hours={**HOURS, "end": "18:00"})
    assert later.rc == 0 and later.changed > 0, later
    assert schedules(emu)[f"{PREFIX}-db-stop"]["ScheduleExpression"] == "cron(10 18 ? * MON,TUE,WED,THU,FRI *)"

    off = play(emu, "week3.yml", hours={})
    assert off.rc == 0 and "schedules made before were removed" in off.flat, off
    assert schedules(emu) == {} and roles(emu) == []
    again = play(emu, "week3.yml", hours={})
    assert again.rc == 0 and again.changed == 0, again

    assert play(emu, "week3.yml").rc == 0
    left = run_playbook(str(REPO / "playbooks" / "leftovers.yml"), emu.env())
    assert f"EventBridge Scheduler {PREFIX} (schedule-group): no charge - 8 schedule(s)" in left.flat, left
    assert f"IAM {ROLE} (role)" in left.flat, left
    gone = play(emu, "destroy.yml", destroy_confirm=PREFIX)
    assert gone.rc == 0 and schedules(emu) == {} and roles(emu) == [], gone


def test_bad_office_hours_are_refused_before_any_aws_call(emulator):
    for hours, named in (({**HOURS, "days": "MON-XYZ"}, "precedentum_office_hours.days"),
                         ({**HOURS, "timezone": "Mars/Olympus_Mons"}, "precedentum_office_hours.timezone"),
                         ("weekdays", "precedentum_office_hours: 'weekdays'")):
        bad = play(emulator, "week3.yml", hours=hours)
        assert bad.rc != 0 and named in bad.flat, bad
    both = play(emulator, "week3.yml", ecs_autoscaling=True)
    assert both.rc != 0 and "precedentum_office_hours with ecs_autoscaling" in both.flat, both
    groups = emulator.client("scheduler").list_schedule_groups()["ScheduleGroups"]
    assert [g for g in groups if g["Name"] != "default"] == []
