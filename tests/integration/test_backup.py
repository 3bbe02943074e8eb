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


def test_restore_a_snapshot_into_a_new_instance_switch_then_confirm(emulator, prebuilt):
    emu = emulator
    prebuilt(emu, ["week1.yml", "week2.yml"])
    rds, ecs = emu.client("rds"), emu.client("ecs")
    db, kept = f"{PREFIX}-db", f"{PREFIX}-db-before-restore"

    def instances():
        return {i["DBInstanceIdentifier"]: i for i in rds.describe_db_instances()["DBInstances"]}

    def deployments():
        return {s["serviceName"]: s["deployments"][0]["id"] for s in ecs.describe_services(
            cluster=PREFIX, services=[f"{PREFIX}-backend", f"{PREFIX}-frontend"])["services"]}

    def play(*args, **extra):
        return run_playbook(str(REPO / "playbooks" / "restore.yml"), emu.env(), *args, extra_vars=extra)

    backup = run_playbook(str(REPO / "playbooks" / "backup.yml"), emu.env(), extra_vars={"rds_backup_name": "first"})
    assert backup.rc == 0, backup.output[-3000:]
    snapshot = f"{db}-backup-first"
    before, running = instances(), deployments()
    for bad, said in (({"restore_snapshot": "nope"}, "restore_snapshot: nope was not found"),
                      ({"restore_snapshot": "not_an_id!"}, "restore_snapshot: not_an_id! is not a snapshot"),
                      ({"restore_snapshot": snapshot, "restore_confirm": kept}, "restore_dump, restore_snapshot"),
                      ({}, "give one")):
        refused = play(**bad)
        assert refused.rc != 0 and said in refused.flat and instances().keys() == before.keys(), refused
    check = play("--check", restore_snapshot=snapshot)
    assert check.rc == 0 and "Check mode: would restore" in check.flat and instances().keys() == before.keys(), check

    restored = play(restore_snapshot=snapshot)
    assert restored.rc == 0, restored.output[-3000:]
    now = instances()
    assert set(now) == {db, kept}, now
    assert now[kept]["InstanceCreateTime"] == before[db]["InstanceCreateTime"], "the one in use before is kept"
    assert now[db]["InstanceCreateTime"] > before[db]["InstanceCreateTime"]
    tags = {t["Key"]: t["Value"] for t in now[db]["TagList"]}
    assert tags["precedentum:restored-from"] == snapshot and tags["Name"] == db, tags
    assert (now[db]["DBSubnetGroup"]["DBSubnetGroupName"], now[db]["DBInstanceClass"]) == (
        before[db]["DBSubnetGroup"]["DBSubnetGroupName"], before[db]["DBInstanceClass"])
    secret = json.loads(emu.client("secretsmanager").get_secret_value(SecretId=f"{PREFIX}/rds/master")["SecretString"])
    assert secret["host"] == now[db]["Endpoint"]["Address"], "the secret names the restored instance's endpoint"
    replaced = deployments()
    assert all(replaced[name] != running[name] for name in running), "the services kept their old tasks"
    assert f"kept as {kept} (about $" in restored.flat and f"-e restore_confirm={kept}" in restored.flat, restored

    again = play(restore_snapshot=snapshot)
    assert again.rc == 0 and again.changed == 0 and "already" in again.flat and deployments() == replaced, again
    another = play(restore_snapshot=snapshot + "-x")
    assert another.rc != 0 and f"-e restore_confirm={kept}" in another.flat, another

    wrong = play(restore_confirm=db)
    assert wrong.rc != 0 and "restore_confirm" in wrong.flat and kept in instances(), wrong
    confirmed = play(restore_confirm=kept)
    assert confirmed.rc == 0 and sorted(instances()) == [db], confirmed.output[-3000:]
    finals = [s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots()["DBSnapshots"]
              if s["DBSnapshotIdentifier"].startswith(f"{kept}-final-")]
    assert len(finals) == 1, finals
    nothing = play(restore_confirm=kept)
    assert nothing.rc == 0 and nothing.changed == 0 and f"No instance {kept}" in nothing.flat, nothing

    # A restore that stopped between the two renames (the restored instance made, the one in use renamed, the site
    # without an instance of its name) is finished by running it again.
    rds.restore_db_instance_from_db_snapshot(
        DBInstanceIdentifier=f"{db}-restore", DBSnapshotIdentifier=snapshot, DBInstanceClass=now[db]["DBInstanceClass"],
        DBSubnetGroupName=now[db]["DBSubnetGroup"]["DBSubnetGroupName"],
        Tags=[{"Key": "precedentum:restored-from", "Value": snapshot}])
    rds.modify_db_instance(DBInstanceIdentifier=db, NewDBInstanceIdentifier=kept, ApplyImmediately=True)
    assert set(instances()) == {f"{db}-restore", kept}
    finished = play(restore_snapshot=snapshot)
    assert finished.rc == 0 and set(instances()) == {db, kept}, finished.output[-3000:]
