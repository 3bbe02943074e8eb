"""The ecs role (week 2) and deploy.yml, verified through the ECS, IAM, Logs and Secrets Manager APIs
and the emulator's record of the requests it received."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import (
    PREFIX,
    ecs_resources,
    json_calls,
    network_resources,
    push_fake_image,
    recorded_json_calls,
)

pytestmark = pytest.mark.slow


def play(emu, name, *args, **kwargs):
    return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, **kwargs)


def secret_values(emu) -> list[str]:
    """The secret values (passwords, Django's secret key): strings that must never appear in a task definition."""
    sm = emu.client("secretsmanager")
    db = json.loads(sm.get_secret_value(SecretId=f"{PREFIX}/rds/master")["SecretString"])
    app = json.loads(sm.get_secret_value(SecretId=f"{PREFIX}/django/app")["SecretString"])
    values = [db["password"], app["secret_key"], app["superuser_password"]]
    assert all(len(v) >= 32 for v in values)
    return values


def target_groups(emu) -> dict:
    return {tg["TargetGroupName"].removeprefix(PREFIX + "-"): tg["TargetGroupArn"]
            for tg in emu.client("elbv2").describe_target_groups()["TargetGroups"]}


def test_week2_refused_before_week1_then_check_converge_rerun(recording_emulator, prebuilt):
    """Week 2 on a week-1 account, verified through ECS, IAM, Logs and Secrets Manager. The converge is
    the test run's shared week 1 + 2 recording (week2.yml run for real on a replayed week 1, its exit
    code checked), replayed here; its CreateService and RunTask requests are read from that recording."""
    emu = recording_emulator
    early = play(emu, "week2.yml")
    assert early.rc != 0 and "run week1.yml first" in early.flat, early
    check = play(emu, "week2.yml", "--check")
    assert check.rc == 0, check
    assert ecs_resources(emu)["clusters"] == [] and ecs_resources(emu)["roles"] == []

    prebuilt(emu, ["week1.yml", "week2.yml"])
    first_output, first_requests = prebuilt.run_of(["week1.yml", "week2.yml"])
    built = ecs_resources(emu)
    assert len(built["clusters"]) == 1
    sm = emu.client("secretsmanager")
    secret_arns = {n: sm.describe_secret(SecretId=f"{PREFIX}/{n}")["ARN"] for n in ("rds/master", "django/app")}
    roles = {r["RoleName"]: r["Arn"] for r in built["roles"]}
    assert set(roles) == {f"{PREFIX}-ecs-execution", f"{PREFIX}-ecs-task"}

    # Task definitions: sizes, architecture, roles, image, secrets by ARN and never by value.
    assert set(built["task_definitions"]) == {"backend", "frontend"}
    for name, (td,) in built["task_definitions"].items():
        assert (td["cpu"], td["memory"], td["networkMode"]) == ("256", "512", "awsvpc"), name
        assert td["requiresCompatibilities"] == ["FARGATE"]
        assert td["runtimePlatform"]["cpuArchitecture"] == "X86_64"
        assert td["executionRoleArn"] == roles[f"{PREFIX}-ecs-execution"]
        assert td["taskRoleArn"] == roles[f"{PREFIX}-ecs-task"]
        (container,) = td["containerDefinitions"]
        assert container["image"].endswith(f"/{PREFIX}/{name}:latest")
        assert container["logConfiguration"]["options"]["awslogs-group"] == f"/ecs/{PREFIX}/{name}"
    backend = built["task_definitions"]["backend"][0]["containerDefinitions"][0]
    secrets = {s["name"]: s["valueFrom"] for s in backend["secrets"]}
    assert secrets["DATABASE_PASSWORD"] == secret_arns["rds/master"] + ":password::"
    assert secrets["DJANGO_SUPERUSER_PASSWORD"] == secret_arns["django/app"] + ":superuser_password::"
    assert all(v.startswith("arn:aws:secretsmanager:") for v in secrets.values())
    definitions = json.dumps(built["task_definitions"])
    leaked = [v for v in secret_values(emu) if v in definitions]
    assert leaked == [], "a secret value is written in a task definition"

    # Services: one task each, public IP on the public subnets, the right target group.
    net = network_resources(emu.client("ec2"))
    tgs = target_groups(emu)
    for name, service in built["services"].items():
        assert service["desiredCount"] == 1 and service["launchType"] == "FARGATE"
        vpc_config = service["networkConfiguration"]["awsvpcConfiguration"]
        assert vpc_config["assignPublicIp"] == "ENABLED"
        assert set(vpc_config["subnets"]) == {s["SubnetId"] for s in net["subnets"]}
        assert service["loadBalancers"] == [{"targetGroupArn": tgs[name], "containerName": name,
                                             "containerPort": 8000 if name == "backend" else 80}]
    assert set(built["services"]) == {"backend", "frontend"}
    for created in json_calls(first_requests, "CreateService"):
        config = created["deploymentConfiguration"]
        assert config["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}

    # Logs expire; the execution role reads exactly our two secrets; the task role holds nothing.
    assert {g["logGroupName"]: g.get("retentionInDays") for g in built["log_groups"]} == {
        f"/ecs/{PREFIX}/backend": 14, f"/ecs/{PREFIX}/frontend": 14}
    iam = emu.client("iam")
    policy = iam.get_role_policy(RoleName=f"{PREFIX}-ecs-execution", PolicyName=f"{PREFIX}-ecs-execution")
    statements = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    assert statements["ReadOurSecrets"]["Action"] == "secretsmanager:GetSecretValue"
    assert sorted(statements["ReadOurSecrets"]["Resource"]) == sorted(
        f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{PREFIX}/{n}-??????"
        for n in ("django/app", "rds/master"))
    assert [s["Resource"] for s in statements.values() if s["Resource"] == "*"] == ["*"]  # only the registry login
    # The task role may use phase 1.3's file storage bucket (found by name), nothing else; the backend gets its name.
    bucket = f"{PREFIX}-files-123456789012-us-east-1"
    assert iam.list_role_policies(RoleName=f"{PREFIX}-ecs-task")["PolicyNames"] == [f"{PREFIX}-ecs-task-files"]
    files = iam.get_role_policy(RoleName=f"{PREFIX}-ecs-task", PolicyName=f"{PREFIX}-ecs-task-files")
    assert sorted(s["Resource"] for s in files["PolicyDocument"]["Statement"]) == [
        f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    assert all(a.startswith("s3:") and "*" not in a for s in files["PolicyDocument"]["Statement"] for a in s["Action"])
    assert iam.list_attached_role_policies(RoleName=f"{PREFIX}-ecs-task")["AttachedPolicies"] == []
    environment = {e["name"]: e["value"] for e in backend["environment"]}
    assert (environment["AWS_STORAGE_BUCKET_NAME"], environment["AWS_S3_REGION_NAME"]) == (bucket, "us-east-1")

    # Phase 2.3: migrate and createsuperuser ran once, with the backend task definition.
    runs = json_calls(first_requests, "RunTask")
    commands = [r["overrides"]["containerOverrides"][0]["command"] for r in runs]
    defaults = yaml.safe_load((REPO / "roles/ecs/defaults/main.yml").read_text())
    assert commands == [["python", "manage.py", "migrate", "--noinput"], defaults["ecs_superuser_command"]]
    assert {r["taskDefinition"] for r in runs} == {f"{PREFIX}-backend:1"}
    assert all(r["networkConfiguration"]["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED" for r in runs)

    again = play(emu, "week2.yml")
    assert again.rc == 0 and again.changed == 0, again
    assert recorded_json_calls(emu, "RunTask") == [], "a re-run without a new image migrates again"
    assert len(ecs_resources(emu)["task_definitions"]["backend"]) == 1

    assert "$25.72/month" in " ".join(first_output.split())

    # Without the bucket (destroyed, or storage_enabled off), week 2 takes the permission and the variables away.
    assert play(emu, "destroy.yml", "--tags", "s3", extra_vars={"destroy_confirm": PREFIX}).rc == 0
    without = play(emu, "week2.yml", "--tags", "phase_2_1,phase_2_2")
    assert without.rc == 0 and without.changed > 0, without
    assert iam.list_role_policies(RoleName=f"{PREFIX}-ecs-task")["PolicyNames"] == []
    (td,) = ecs_resources(emu)["task_definitions"]["backend"][-1:]
    assert "AWS_STORAGE_BUCKET_NAME" not in {e["name"] for e in td["containerDefinitions"][0]["environment"]}


def test_deploy_a_new_image_keep_it_and_a_failed_migration(recording_emulator, prebuilt):
    """deploy.yml and week2.yml's one-off phase on a week-2 account (replayed: tests/harness/prebuilt.py)."""
    emu = recording_emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])

    # deploy.yml: a tag not in ECR changes nothing; a new tag is one new revision per service.
    missing = play(emu, "deploy.yml", extra_vars={"ecs_image_tag": "1a2b3c4d5e6f"})
    assert missing.rc != 0 and "1a2b3c4d5e6f not found in ECR" in missing.flat, missing
    assert "No Docker engine answered" in missing.flat
    assert len(ecs_resources(emu)["task_definitions"]["backend"]) == 1, "a missing image changed a service"

    push_fake_image(emu, "1a2b3c4d5e6f")
    deployed = play(emu, "deploy.yml", extra_vars={"ecs_image_tag": "1a2b3c4d5e6f"})
    assert deployed.rc == 0, deployed
    state = ecs_resources(emu)
    for name in ("backend", "frontend"):
        revisions = state["task_definitions"][name]
        assert len(revisions) == 2, f"{name}: exactly one new revision"
        assert revisions[-1]["containerDefinitions"][0]["image"].endswith(f"/{PREFIX}/{name}:1a2b3c4d5e6f")
        assert state["services"][name]["taskDefinition"].endswith(f"{PREFIX}-{name}:2")
    migrations = [r for r in recorded_json_calls(emu, "RunTask")
                  if "migrate" in r["overrides"]["containerOverrides"][0]["command"]]
    assert [r["taskDefinition"] for r in migrations] == [f"{PREFIX}-backend:2"], "one migration, on the new image"

    same = play(emu, "deploy.yml", extra_vars={"ecs_image_tag": "1a2b3c4d5e6f"})
    assert same.rc == 0 and same.changed == 0, same
    # week2.yml without a tag keeps the deployed one instead of going back to "latest".
    keep = play(emu, "week2.yml", "--tags", "phase_2_2")
    assert keep.rc == 0 and keep.changed == 0, keep

    failed = play(emu, "week2.yml", "--tags", "phase_2_3", extra_vars={
        "ecs_migrate": "always", "ecs_migrate_command": ["python", "manage.py", "migrate", "fail-for-test"]})
    assert failed.rc != 0, failed
    assert "exited with code 1" in failed.flat and "Essential container in task exited" in failed.flat


def test_scale_up_then_the_combined_layout_then_destroy_twice(emulator, prebuilt):
    """Phase 4.2's scale-up, the other layout and destroy.yml on a week-2 account."""
    emu = emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    tgs = target_groups(emu)
    # Phase 4.2's scale-up is a variable and a re-run. Over the $75 budget, the guard stops it before any
    # change; with the budget raised, one new backend revision and the service on it.
    scale_up = {"ecs_backend_cpu": 512, "ecs_backend_memory": 1024}
    over = play(emu, "week2.yml", "--tags", "phase_2_2", extra_vars=scale_up)
    assert over.rc != 0 and "$83.23 a month" in over.flat and "cost_budget_usd" in over.flat, over
    assert len(ecs_resources(emu)["task_definitions"]["backend"]) == 1, "over budget, yet something changed"
    bigger = play(emu, "week2.yml", "--tags", "phase_2_2",
                  extra_vars={**scale_up, "cost_budget_usd": 90})
    assert bigger.rc == 0, bigger
    scaled = ecs_resources(emu)
    sizes = [(td["cpu"], td["memory"]) for td in scaled["task_definitions"]["backend"]]
    assert sizes == [("256", "512"), ("512", "1024")]
    assert scaled["services"]["backend"]["taskDefinition"].endswith(f"{PREFIX}-backend:2")
    assert len(scaled["task_definitions"]["frontend"]) == 1, "the frontend did not change"

    # combined: one task with both containers behind both target groups; the two services go.
    combined = play(emu, "week2.yml", extra_vars={"ecs_layout": "combined"})
    assert combined.rc == 0, combined
    after = ecs_resources(emu)
    assert set(after["services"]) == {"app"} and set(after["task_definitions"]) == {"app"}
    (app_td,) = after["task_definitions"]["app"]
    assert (app_td["cpu"], app_td["memory"]) == ("256", "1024")
    assert sorted(c["name"] for c in app_td["containerDefinitions"]) == ["backend", "frontend"]
    assert sorted((lb["containerName"], lb["targetGroupArn"]) for lb in after["services"]["app"]["loadBalancers"]) == [
        ("backend", tgs["backend"]), ("frontend", tgs["frontend"])]
    assert "$14.68/month" in combined.flat

    gone = play(emu, "destroy.yml", "--tags", "ecs", extra_vars={"destroy_confirm": PREFIX})
    assert gone.rc == 0, gone
    left = ecs_resources(emu)
    assert {k: v for k, v in left.items() if k != "secrets"} == {
        "clusters": [], "services": {}, "task_definitions": {}, "roles": [], "log_groups": []}
    assert [s["Name"] for s in left["secrets"]] == [f"{PREFIX}/rds/master"]
    twice = play(emu, "destroy.yml", "--tags", "ecs", extra_vars={"destroy_confirm": PREFIX})
    assert twice.rc == 0 and twice.changed == 0, twice
