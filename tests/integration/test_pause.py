"""pause.yml and resume.yml on a week-2 account, verified through ECS, Application Auto Scaling, RDS and CloudWatch;
the weeks, deploy.yml and data_update.yml refusing to run on a paused site, and over the budget; bad input and the
ultra-lean option."""

from __future__ import annotations

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX, not_allowed, recorded_actions
from tests.harness.emulator import Emulator

pytestmark = pytest.mark.slow
SERVICES = [f"{PREFIX}-backend", f"{PREFIX}-frontend"]
ALARM = f"{PREFIX}-backend-cpu-high"
OTHER_ALARM = "someone-elses-alarm"


def play(emu, name, *args, **kwargs):
    return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, **kwargs)


def state(emu) -> dict:
    """What AWS says: each service's desired count and whether its auto scaling is suspended, the DB instance's
    status, and whether each alarm notifies."""
    ecs, scaling = emu.client("ecs"), emu.client("application-autoscaling")
    services = {s["serviceName"]: s["desiredCount"]
                for s in ecs.describe_services(cluster=PREFIX, services=SERVICES)["services"]}
    suspended = {t["ResourceId"].rsplit("/", 1)[-1]: all(t.get("SuspendedState", {}).values() or [False])
                 for t in scaling.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]}
    (db,) = emu.client("rds").describe_db_instances(DBInstanceIdentifier=f"{PREFIX}-db")["DBInstances"]
    alarms = {a["AlarmName"]: a["ActionsEnabled"] for a in emu.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    return {"services": services, "suspended": suspended, "db": db["DBInstanceStatus"], "alarms": alarms}


def alarm(emu, name) -> None:
    emu.client("cloudwatch").put_metric_alarm(
        AlarmName=name, Namespace="AWS/ECS", MetricName="CPUUtilization", Statistic="Average", Period=300,
        EvaluationPeriods=1, Threshold=80, ComparisonOperator="GreaterThanThreshold", ActionsEnabled=True,
        AlarmActions=[f"arn:aws:sns:us-east-1:123456789012:{PREFIX}-alerts"])


def test_pause_then_resume_each_twice_check_mode_and_the_weeks_refuse_while_paused(recording_emulator, prebuilt):
    emu = recording_emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    alarm(emu, ALARM)
    alarm(emu, OTHER_ALARM)
    emu.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId=f"service/{PREFIX}/{SERVICES[0]}",
        ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=3)
    running = state(emu)
    assert running == {"services": dict.fromkeys(SERVICES, 1), "suspended": {SERVICES[0]: False},
                       "db": "available", "alarms": {ALARM: True, OTHER_ALARM: True}}, running

    status = play(emu, "status.yml")
    assert status.rc == 0 and status.changed == 0, status
    for line in (f"{PREFIX} in us-east-1: RUNNING", "service backend: 1/1 task(s) running, rollout COMPLETED",
                 f"database {PREFIX}-db: available, db.t4g.micro, 20 GB", "alarms: 1, none in alarm",
                 f"spend: no budget {PREFIX}-monthly yet", "address: http://"):
        assert line in status.flat, (line, status)

    check = play(emu, "pause.yml", "--check")
    assert check.rc == 0 and check.changed > 0, check
    assert "(check mode: would be)" in check.flat, check
    assert state(emu) == running

    paused = play(emu, "pause.yml")
    assert paused.rc == 0, paused
    assert state(emu) == {"services": dict.fromkeys(SERVICES, 0), "suspended": {SERVICES[0]: True},
                          "db": "stopped", "alarms": {ALARM: False, OTHER_ALARM: True}}
    assert "after 7 days" in paused.flat, paused
    status = play(emu, "status.yml").flat
    assert f"{PREFIX} in us-east-1: PAUSED" in status and "service backend: 0/0 task(s)" in status, status
    assert "1 notify nobody (paused)" in status, status
    again = play(emu, "pause.yml")
    assert again.rc == 0 and again.changed == 0, again

    # While paused, what needs the database (or would start the services) stops before any change.
    for name in ("week2.yml", "deploy.yml", "data_update.yml"):
        refused = play(emu, name, "-e", "rds_data_source=host=localhost")
        assert refused.rc != 0 and "run resume.yml first" in refused.flat, (name, refused)
        assert f"{PREFIX}-db is stopped" in refused.flat, (name, refused)
    assert state(emu)["services"] == dict.fromkeys(SERVICES, 0)

    check = play(emu, "resume.yml", "--check")
    assert check.rc == 0 and check.changed > 0, check
    assert state(emu)["db"] == "stopped" and state(emu)["services"] == dict.fromkeys(SERVICES, 0)

    resumed = play(emu, "resume.yml")
    assert resumed.rc == 0, resumed
    assert state(emu) == running
    again = play(emu, "resume.yml")
    assert again.rc == 0 and again.changed == 0, again
    # The week after a resume finds the services as it left them (the scaling target made above is not the
    # inventory's: without ecs_autoscaling the week would remove it).
    emu.client("application-autoscaling").deregister_scalable_target(
        ServiceNamespace="ecs", ResourceId=f"service/{PREFIX}/{SERVICES[0]}",
        ScalableDimension="ecs:service:DesiredCount")
    week2 = play(emu, "week2.yml")
    assert week2.rc == 0 and week2.changed == 0, week2
    assert not_allowed(recorded_actions(emu.recorded_requests())) == []


def test_bad_input_and_the_ultra_lean_option_change_nothing(emulator):
    for name in ("pause.yml", "resume.yml"):
        bad = play(emulator, name, "-e", "ecs_desired_count=many")
        assert bad.rc != 0 and "ecs_desired_count" in bad.flat, bad
        lite = play(emulator, name, inventory="inventories/ultra_lean")
        assert lite.rc != 0 and "Lightsail bills its container service and its" in lite.flat, lite
        assert "Nothing was changed" in lite.flat


def test_a_week_and_a_deploy_stop_over_the_budget_unless_told(emulator, prebuilt):
    """The budget of phase 3.2 says this month's forecast is over precedentum_budget_usd ($75): week 2 and deploy.yml
    stop with the figures before any change; -e precedentum_over_budget=ok goes ahead."""
    emu = emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    account = emu.client("sts").get_caller_identity()["Account"]
    emu.client("budgets").create_budget(AccountId=account, Budget={
        "BudgetName": f"{PREFIX}-monthly", "BudgetType": "COST", "TimeUnit": "MONTHLY",
        "BudgetLimit": {"Amount": "75", "Unit": "USD"},
        "CalculatedSpend": {"ActualSpend": {"Amount": "41.5", "Unit": "USD"},
                            "ForecastedSpend": {"Amount": "96.25", "Unit": "USD"}}})
    before = state(emu)
    for name in ("week2.yml", "deploy.yml"):
        stopped = play(emu, name, "-e", "ecs_image_tag=x")
        assert stopped.rc != 0, (name, stopped)
        assert "$41.50 so far, forecast $96.25, against precedentum_budget_usd $75.00" in stopped.flat, stopped
    assert state(emu) == before
    assert "spend this month: $41.50 so far, forecast $96.25, budget $75.00" in play(emu, "status.yml").flat
    told = play(emu, "week2.yml", "-e", "precedentum_over_budget=ok")
    assert told.rc == 0 and told.changed == 0 and "going ahead: precedentum_over_budget=ok" in told.flat, told


def test_a_database_that_does_not_start_in_time_fails_the_resume_saying_so(prebuilt, tmp_path):
    with Emulator(log_path=str(tmp_path / "moto.log"),
                  extra_env={"PRECEDENTUM_EMULATOR_RDS_STUCK_START": "1"}) as emu:
        prebuilt(emu, ["week1.yml", "week2.yml"])
        assert play(emu, "pause.yml").rc == 0
        late = play(emu, "resume.yml", extra_vars={"rds_wait_timeout": 3, "rds_wait_delay": 1})
        assert late.rc != 0, late
        assert (f"The DB instance {PREFIX}-db is still 'starting', not 'available', after 3 s (starting takes a few"
                " minutes on AWS") in late.flat and "raise rds_wait_timeout" in late.flat, late
        assert state(emu)["services"] == dict.fromkeys(SERVICES, 0), "the services started before the database"
