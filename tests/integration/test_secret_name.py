"""The database secret's name is set in one place (rds_secret_name, the rds role's default): overridden, every
phase follows it - the instance's secret (1.2), the backend's task definition and the execution role's policy
(week 2), the data load (2.4) and the testers' accounts (3.3) - each verified through the emulator's APIs or the
PostgreSQL that stands in for the instance."""

from __future__ import annotations

import json

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX
from tests.harness.fixture_db import AUTH_USER_DDL, fixture_sql, stand_in_for_rds

pytestmark = pytest.mark.slow
SECRET = "team/database-credentials"


def test_an_overridden_secret_name_moves_every_phase(emulator, postgres, tmp_path):
    def play(name, *args, **extra):
        run = run_playbook(str(REPO / "playbooks" / name), emulator.env(), *args,
                           extra_vars={"rds_secret_name": SECRET, **extra})
        assert run.rc == 0, run
        return run

    play("week1.yml")
    sm = emulator.client("secretsmanager")
    names = {s["Name"] for s in sm.list_secrets()["SecretList"]}
    assert SECRET in names and f"{PREFIX}/rds/master" not in names, names
    secret = json.loads(sm.get_secret_value(SecretId=SECRET)["SecretString"])
    arn = sm.describe_secret(SecretId=SECRET)["ARN"]

    play("week2.yml", "--tags", "phase_2_1,phase_2_2")
    ecs = emulator.client("ecs")
    family = ecs.describe_services(cluster=PREFIX, services=[f"{PREFIX}-backend"])["services"][0]["taskDefinition"]
    (backend,) = [c for c in ecs.describe_task_definition(taskDefinition=family)["taskDefinition"][
        "containerDefinitions"] if c["name"] == "backend"]
    sources = {s["name"]: s["valueFrom"] for s in backend["secrets"]}
    assert sources["DATABASE_PASSWORD"] == f"{arn}:password::", sources
    iam = emulator.client("iam")
    role = f"{PREFIX}-ecs-execution"
    policies = [iam.get_role_policy(RoleName=role, PolicyName=p)["PolicyDocument"]
                for p in iam.list_role_policies(RoleName=role)["PolicyNames"]]
    assert any(SECRET in json.dumps(p) for p in policies), policies

    # The data load and the testers' accounts reach the database with that secret's credentials.
    dbname = stand_in_for_rds(postgres, secret, migrated=False)
    postgres.psql(AUTH_USER_DDL, dbname=dbname)
    postgres.psql("DROP DATABASE IF EXISTS secret_poc")
    postgres.psql("CREATE DATABASE secret_poc")
    postgres.psql(fixture_sql(50), dbname="secret_poc")
    target = {"rds_data_host_override": "127.0.0.1", "rds_data_port_override": postgres.port}
    play("data_update.yml", **target,
         rds_data_source=f"host=127.0.0.1 port={postgres.port} user=postgres dbname=secret_poc")
    assert postgres.psql("SELECT count(*) FROM judges_caseprocedure", dbname=dbname) == "50"
    play("week3.yml", "--tags", "onboarding", onboarding_testers=[{"name": "Ada Example",
                                                                   "email": "ada@precedentum.example"}],
         onboarding_message_dir=str(tmp_path / "messages"), onboarding_first_access="password",
         onboarding_db_host_override="127.0.0.1", onboarding_db_port_override=postgres.port)
    assert postgres.psql("SELECT username FROM auth_user", dbname=dbname) == "ada@precedentum.example"
