"""data_update.yml (and phase 2.4's task file) against the emulator's RDS, with a real PostgreSQL
standing in for the instance's server (rds_data_host_override/port_override: the emulator's RDS
has no server behind its endpoint)."""

from __future__ import annotations

import json

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX, db_instance, network_resources
from tests.harness.fixture_db import fixture_sql, stand_in_for_rds

pytestmark = pytest.mark.slow
OPERATOR = "198.51.100.7/32"


def db_whitelist(emu) -> list[str]:
    groups = network_resources(emu.client("ec2"))["security_groups"]
    db = next(g for g in groups if g["GroupName"] == f"{PREFIX}-db")
    return [r["CidrIp"] for p in db["IpPermissions"] for r in p.get("IpRanges", [])]


def test_data_update_opens_the_window_only_for_the_load(emulator, postgres, prebuilt):
    def play(name, *args, **extra):
        return run_playbook(str(REPO / "playbooks" / name), emulator.env(), *args, extra_vars=extra)

    prebuilt(emulator, "week1.yml", "--tags", "network")
    assert play("week1.yml", "--tags", "rds", rds_publicly_accessible=False).rc == 0
    secret = json.loads(emulator.client("secretsmanager").get_secret_value(
        SecretId=f"{PREFIX}/rds/master")["SecretString"])
    # The local server plays the instance: its master user and database, as the secret says. The server is
    # this worker's for the whole run: an earlier test may have made the same user and databases.
    stand_in_for_rds(postgres, secret, migrated=False)
    postgres.psql("DROP DATABASE IF EXISTS precedentum_poc")
    postgres.psql("CREATE DATABASE precedentum_poc")
    postgres.psql(fixture_sql(1000), dbname="precedentum_poc")
    load = {"rds_data_source": f"host=127.0.0.1 port={postgres.port} user=postgres dbname=precedentum_poc",
            "rds_public_window": True, "rds_operator_cidr": OPERATOR, "rds_publicly_accessible": False,
            "rds_data_host_override": "127.0.0.1", "rds_data_port_override": postgres.port}

    first = play("data_update.yml", **load)
    assert first.rc == 0, first.output[-3000:]
    assert postgres.psql("SELECT count(*) FROM judges_judge", dbname=secret["dbname"]) == "8"
    assert postgres.psql("SELECT count(*) FROM judges_caseprocedure", dbname=secret["dbname"]) == "1000"
    assert db_instance(emulator.client("rds"))["PubliclyAccessible"] is False
    assert OPERATOR not in db_whitelist(emulator)
    assert secret["password"] not in first.output

    # The monthly update: a judge changed on the laptop replaces the database's judges by default (the
    # accounts stay, see test_data_load_django.py); asked not to overwrite, it refuses and changes nothing.
    postgres.psql("UPDATE judges_judge SET title = 'Chief Judge' WHERE id = 1", dbname="precedentum_poc")
    kept = play("data_update.yml", **load, rds_data_update_overwrite=False)
    assert kept.rc != 0 and "overwrite: true" in kept.output, kept.output[-3000:]
    assert postgres.psql("SELECT title FROM judges_judge WHERE id = 1", dbname=secret["dbname"]) != "Chief Judge"
    monthly = play("data_update.yml", **load)
    assert monthly.rc == 0 and "were locked for" in monthly.output, monthly
    assert postgres.psql("SELECT title FROM judges_judge WHERE id = 1", dbname=secret["dbname"]) == "Chief Judge"
    assert db_instance(emulator.client("rds"))["PubliclyAccessible"] is False

    # A load that fails its check rolls back and still closes the window.
    postgres.psql("INSERT INTO judges_judge (court_id, slug, full_name, title, courtroom, appointed_on) "
                  "VALUES (1, 'judge-9', 'Judge I. Example', 'District Judge', '2150', '2021-01-01')",
                  dbname="precedentum_poc")
    failed = play("data_update.yml", **load, rds_data_overwrite=True)
    assert failed.rc != 0 and "judges_judge" in failed.output and "expected 8" in failed.output, failed
    assert postgres.psql("SELECT count(*) FROM judges_judge", dbname=secret["dbname"]) == "8"
    assert db_instance(emulator.client("rds"))["PubliclyAccessible"] is False
    assert OPERATOR not in db_whitelist(emulator)

    skipped = run_playbook(str(REPO / "playbooks/week2.yml"), emulator.env(), "--tags", "phase_2_4")
    assert skipped.rc == 0 and "no data source" in skipped.output, skipped
