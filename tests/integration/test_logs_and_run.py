"""logs.yml, run.yml and rollback.yml on a week-2 account of the emulator, verified against the log events put
there, the tasks ECS records and the images the services' task definitions name; bad input refused naming the
variable before any AWS call. (On real containers: tests/integration/test_containers.py.)"""

from __future__ import annotations

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
