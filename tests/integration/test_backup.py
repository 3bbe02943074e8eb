"""backup.yml and restore.yml against the emulator's RDS, with a real PostgreSQL standing in for the instance's
server (rds_data_host_override/port_override): the snapshot read back through DescribeDBSnapshots, the dump's
mode, size and checksum checked on disk, its contents restored over changed data (accounts too) by SQL; the
window closed again; re-runs change nothing; bad input refused naming the variable."""

from __future__ import annotations

import hashlib
import json
import stat

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX, db_instance
from tests.harness.fixture_db import fixture_sql, stand_in_for_rds

pytestmark = pytest.mark.slow


def backups(emu) -> list[str]:
    return sorted(s["DBSnapshotIdentifier"] for s in emu.client("rds").describe_db_snapshots(
        DBInstanceIdentifier=f"{PREFIX}-db", SnapshotType="manual")["DBSnapshots"])


def test_snapshot_and_dump_then_restore_over_changed_data(emulator, postgres, prebuilt, tmp_path):
    emu = emulator
    prebuilt(emu, "week1.yml")
    secret = json.loads(emu.client("secretsmanager").get_secret_value(SecretId=f"{PREFIX}/rds/master")["SecretString"])
    dbname = stand_in_for_rds(postgres, secret)
    postgres.psql(fixture_sql(50), dbname=dbname)
    postgres.psql("INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email, is_staff,"
                  " is_active, date_joined) VALUES ('x', false, 'tester1', '', '', '', false, true, now())",
                  dbname=dbname)
    folder = tmp_path / "backups"
    window = {"rds_backup_dir": str(folder), "rds_public_window": True, "rds_operator_cidr": "198.51.100.7/32",
              "rds_publicly_accessible": False,
              "rds_data_host_override": "127.0.0.1", "rds_data_port_override": postgres.port}

    def play(name, *args, **extra):
        return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, extra_vars={**window, **extra})

    check = play("backup.yml", "--check")
    assert check.rc == 0 and backups(emu) == [] and not folder.exists(), check.output[-3000:]
    first = play("backup.yml", rds_backup_name="first")
    assert first.rc == 0, first.output[-3000:]
    assert backups(emu) == [f"{PREFIX}-db-backup-first"]
    dump = folder / f"{PREFIX}-db-first.dump"
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600 and stat.S_IMODE(folder.stat().st_mode) == 0o700
    digest = hashlib.sha256(dump.read_bytes()).hexdigest()
    assert f"{dump.stat().st_size} bytes, sha256 {digest}" in first.flat, first
    assert secret["password"] not in first.output
    assert db_instance(emu.client("rds"))["PubliclyAccessible"] is False, "the window was left open"
    again = play("backup.yml", rds_backup_name="first")
    assert again.rc == 0 and again.changed == 0, again

    # Another under another name with rds_backup_keep 1 (and no dump): the older one goes.
    second = play("backup.yml", rds_backup_name="second", rds_backup_dir="", rds_backup_keep=1)
    assert second.rc == 0 and backups(emu) == [f"{PREFIX}-db-backup-second"], second

    # The data changes (a judge renamed, a tester gone), then the dump is restored: both back, in one transaction.
    postgres.psql("UPDATE judges_judge SET title = 'Changed' WHERE id = 1", dbname=dbname)
    postgres.psql("DELETE FROM auth_user WHERE username = 'tester1'", dbname=dbname)
    check = play("restore.yml", "--check", restore_dump=str(dump))
    assert check.rc == 0 and "would open the window" in check.flat, check.output[-3000:]
    assert postgres.psql("SELECT title FROM judges_judge WHERE id = 1", dbname=dbname) == "Changed"
    assert db_instance(emu.client("rds"))["PubliclyAccessible"] is False
    restored = play("restore.yml", restore_dump=str(dump))
    assert restored.rc == 0, restored.output[-3000:]
    assert postgres.psql("SELECT title FROM judges_judge WHERE id = 1", dbname=dbname) != "Changed"
    assert postgres.psql("SELECT count(*) FROM judges_judge", dbname=dbname) == "8"
    assert postgres.psql("SELECT count(*) FROM auth_user WHERE username = 'tester1'", dbname=dbname) == "1"
    assert db_instance(emu.client("rds"))["PubliclyAccessible"] is False
    # Again: the database holds that data already, nothing is loaded; the window opened and closed again is said,
    # and the deployment is as it was (changed=0).
    again = play("restore.yml", restore_dump=str(dump))
    assert again.rc == 0 and again.changed == 0, again.output[-3000:]
    assert "is closed again: allow 198.51.100.7/32" in again.flat and postgres.psql(
        "SELECT count(*) FROM auth_user WHERE username = 'tester1'", dbname=dbname) == "1"

    for name, bad, named in (("backup.yml", {"rds_backup_keep": 0}, "rds_backup_keep"),
                             ("backup.yml", {"rds_backup_name": "Not A Name"}, "rds_backup_name"),
                             ("restore.yml", {"restore_dump": str(tmp_path / "none.dump")}, "restore_dump")):
        refused = play(name, **bad)
        assert refused.rc != 0 and named in refused.flat, refused
