"""logs.yml, run.yml and rollback.yml on a week-2 account of the emulator, verified against the log events put
there, the tasks ECS records and the images the services' task definitions name; bad input refused naming the
variable before any AWS call. (On real containers: tests/integration/test_containers.py.)"""

from __future__ import annotations

import os
import time

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX, push_fake_image

pytestmark = pytest.mark.slow
GROUP = f"/ecs/{PREFIX}/backend"


def play(emu, name, *args, **kwargs):
    return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, **kwargs)


def put(emu, stream, messages, ago=0):
    logs = emu.client("logs")
    logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    now = int((time.time() - ago) * 1000)
    logs.put_log_events(logGroupName=GROUP, logStreamName=stream,
                        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)])


def test_logs_since_filter_task_and_bad_input(emulator, prebuilt):
    emu = emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    task = "0123456789abcdef0123456789abcdef"
    put(emu, f"backend/backend/{task}", ["[INFO] Booting worker", "ERROR: the judges table is empty"])
    put(emu, "backend/backend/fedcba9876543210fedcba9876543210", ["an old line"], ago=3 * 3600)

    recent = play(emu, "logs.yml")
    assert recent.rc == 0 and recent.changed == 0, recent
    assert f"{task[:8]} [INFO] Booting worker" in recent.flat and "an old line" not in recent.flat, recent
    older = play(emu, "logs.yml", "-e", "ecs_logs_since=4h", "-e", "ecs_logs_filter=ERROR")
    assert "the judges table is empty" in older.flat and "Booting worker" not in older.flat, older
    one = play(emu, "logs.yml", "-e", "ecs_logs_since=4h", "-e", "ecs_logs_task=fedcba9876543210fedcba9876543210")
    assert "an old line" in one.flat and "Booting" not in one.flat, one
    front = play(emu, "logs.yml", "-e", "ecs_logs_container=frontend", "--check")
    assert front.rc == 0 and "no line since 15m" in front.flat, front

    for variable, value in (("ecs_logs_since", "yesterday"), ("ecs_logs_container", "db"), ("ecs_logs_follow", "9999")):
        bad = play(emu, "logs.yml", "-e", f"{variable}={value}")
        assert bad.rc != 0 and variable in bad.flat, bad


def test_run_a_command_and_refuse_a_bad_one(emulator, prebuilt):
    emu = emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    ecs = emu.client("ecs")

    def tasks():
        return {arn for status in ("RUNNING", "STOPPED")
                for arn in ecs.list_tasks(cluster=PREFIX, desiredStatus=status)["taskArns"]}

    before = tasks()
    check = play(emu, "run.yml", "--check", "-e", 'ecs_run_command="python manage.py check"')
    assert check.rc == 0 and "Check mode: would run python manage.py check" in check.flat, check
    assert tasks() == before

    ran = play(emu, "run.yml", extra_vars={"ecs_run_command": ["python", "manage.py", "check"]})
    assert ran.rc == 0 and "python manage.py check: exit code 0" in ran.flat, ran
    (arn,) = tasks() - before
    (task,) = ecs.describe_tasks(cluster=PREFIX, tasks=[arn])["tasks"]
    assert task["overrides"]["containerOverrides"][0]["command"] == ["python", "manage.py", "check"]
    assert task["taskDefinitionArn"].endswith(f"{PREFIX}-backend:1") and task["startedBy"] == "precedentum.deploy-run"
    assert f"ecs_logs_task={arn.rsplit('/', 1)[-1]}" in ran.flat

    for value in ("[]", '{"not": "a command"}'):
        bad = play(emu, "run.yml", "-e", f'{{"ecs_run_command": {value}}}')
        assert bad.rc != 0 and "ecs_run_command" in bad.flat, bad


def test_rollback_to_the_previous_completed_image_once_or_to_a_named_tag(emulator, prebuilt):
    emu = emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    ecs = emu.client("ecs")

    def running():
        services = ecs.describe_services(cluster=PREFIX, services=[f"{PREFIX}-backend", f"{PREFIX}-frontend"])
        return {s["serviceName"]: ecs.describe_task_definition(taskDefinition=s["taskDefinition"])["taskDefinition"][
            "containerDefinitions"][0]["image"].rsplit(":", 1)[-1] for s in services["services"]}

    first = running()[f"{PREFIX}-backend"]
    nothing = play(emu, "rollback.yml")
    assert nothing.rc != 0 and "No earlier revision" in nothing.flat and "ecs_rollback_tag" in nothing.flat, nothing
    push_fake_image(emu, "1a2b3c4d5e6f")
    assert play(emu, "deploy.yml", extra_vars={"ecs_image_tag": "1a2b3c4d5e6f"}).rc == 0
    assert set(running().values()) == {"1a2b3c4d5e6f"}

    check = play(emu, "rollback.yml", "--check")
    assert check.rc == 0 and set(running().values()) == {"1a2b3c4d5e6f"}, check
    back = play(emu, "rollback.yml")
    assert back.rc == 0 and f"Rolling back from 1a2b3c4d5e6f to {first}" in back.flat, back
    assert set(running().values()) == {first}
    again = play(emu, "rollback.yml")
    assert again.rc == 0 and again.changed == 0 and "put back by a rollback from 1a2b3c4d5e6f" in again.flat, again

    # A named tag that is not in ECR (going forward by a tag: tests/integration/test_containers.py).
    missing = play(emu, "rollback.yml", "-e", "ecs_rollback_tag=000000000000")
    assert missing.rc != 0 and "000000000000 not found in ECR" in missing.flat and set(running().values()) == {first}


def test_ecs_exec_opt_in_and_the_shell_line(emulator, prebuilt, tmp_path):
    emu = emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    ecs, iam = emu.client("ecs"), emu.client("iam")
    service = f"{PREFIX}-backend"

    def described():
        return ecs.describe_services(cluster=PREFIX, services=[service])["services"][0]

    tag = ecs.describe_task_definition(taskDefinition=described()["taskDefinition"])["taskDefinition"][
        "containerDefinitions"][0]["image"].rsplit(":", 1)[-1]
    # Off (the default): no command is refused, and the shell is not offered.
    off = play(emu, "run.yml", "-e", "ecs_exec=true")
    assert off.rc != 0 and f"ECS Exec is off on {service}" in off.flat, off

    deployment = described()["deployments"][0]["id"]
    on = play(emu, "deploy.yml", "--tags", "deploy_services", extra_vars={"ecs_image_tag": tag, "ecs_exec": True})
    assert on.rc == 0, on.output[-3000:]
    assert described()["enableExecuteCommand"] is True
    assert described()["deployments"][0]["id"] != deployment, "the tasks were not replaced: they keep Exec off"
    policy = iam.get_role_policy(RoleName=f"{PREFIX}-ecs-task", PolicyName=f"{PREFIX}-ecs-task-exec")["PolicyDocument"]
    assert sorted(policy["Statement"][0]["Action"]) == [
        "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
    again = play(emu, "deploy.yml", "--tags", "deploy_services", extra_vars={"ecs_image_tag": tag, "ecs_exec": True})
    assert again.rc == 0 and again.changed == 0, again.output[-3000:]

    # No task of the service runs here until the scheduler (the harness, standing in for ECS's) starts one.
    none = play(emu, "run.yml", "-e", "ecs_exec=true")
    assert none.rc != 0 and f"None of the 0 running task(s) of {service}" in none.flat, none
    network = described()["networkConfiguration"]
    (task,) = ecs.run_task(cluster=PREFIX, taskDefinition=described()["taskDefinition"], launchType="FARGATE",
                           group=f"service:{service}", startedBy=described()["deployments"][0]["id"],
                           networkConfiguration=network)["tasks"]
    task_id = task["taskArn"].rsplit("/", 1)[-1]
    line = (f"aws ecs execute-command --region us-east-1 --cluster {PREFIX} --task {task_id} --container backend"
            ' --interactive --command "/bin/sh"')
    shell = play(emu, "run.yml", "--check", "-e", "ecs_exec=true")
    assert shell.rc == 0 and shell.changed == 0 and line in shell.flat, shell.output[-3000:]
    assert "Session Manager plugin: NOT FOUND" in shell.flat, shell

    tools = tmp_path / "bin"
    tools.mkdir()
    for name in ("aws", "session-manager-plugin"):
        (tools / name).write_text("#!/bin/sh\n")
        (tools / name).chmod(0o755)
    env = {**emu.env()}
    env["PATH"] = f"{tools}:{env.get('PATH') or os.environ['PATH']}"
    found = run_playbook(str(REPO / "playbooks" / "run.yml"), env, "-e", "ecs_exec=true")
    assert found.rc == 0 and line in found.flat and "Session Manager plugin: found" in found.flat, found

    # Off again: the permission gone, the tasks replaced.
    back = play(emu, "deploy.yml", "--tags", "deploy_services", extra_vars={"ecs_image_tag": tag})
    assert back.rc == 0 and described()["enableExecuteCommand"] is False, back.output[-3000:]
    assert iam.list_role_policies(RoleName=f"{PREFIX}-ecs-task")["PolicyNames"] == [f"{PREFIX}-ecs-task-files"]
