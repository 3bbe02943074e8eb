"""The rds role (phase 1.2), verified through RDS and Secrets Manager describe calls; the first test's converge,
idempotence, verify and destroy are the role's molecule scenario's (molecule/rds/)."""

from __future__ import annotations

import pytest

from tests.harness.ansible import REPO
from tests.harness.aws_state import PREFIX, db_instance, network_resources, secret_value
from tests.harness.molecule import Scenario

pytestmark = pytest.mark.slow
CONFIRM = {"destroy_confirm": PREFIX}
# db.t4g.small puts the lean plan over its $75 budget: the week playbooks' cost guard would stop first.
BIGGER_BUDGET = {"cost_budget_usd": 100}


def test_rds_converges_keeps_its_secret_unprinted_and_destroys_to_a_snapshot(emulator, playbook, prebuilt, tmp_path):
    rds, sm = emulator.client("rds"), emulator.client("secretsmanager")
    prebuilt(emulator, "week1.yml", "--tags", "network")
    # The role's molecule scenario (molecule/rds/), its prepare's network replayed.
    scenario = Scenario(emulator, "rds", tmp_path, prepared=True)
    first = scenario.run("converge")
    assert first.rc == 0, first

    db = db_instance(rds)
    assert db["Engine"] == "postgres" and db["EngineVersion"].split(".")[0] == "17"
    assert db["DBInstanceClass"] == "db.t4g.micro" and db["MultiAZ"] is False
    assert db["AllocatedStorage"] == 20 and db["StorageType"] == "gp3"
    assert db["BackupRetentionPeriod"] == 7 and db["StorageEncrypted"] is True
    assert db["DeletionProtection"] is False and db["PubliclyAccessible"] is True
    net = network_resources(emulator.client("ec2"))
    db_sg = next(sg["GroupId"] for sg in net["security_groups"] if sg["GroupName"] == f"{PREFIX}-db")
    assert [g["VpcSecurityGroupId"] for g in db["VpcSecurityGroups"]] == [db_sg]
    assert {s["SubnetIdentifier"] for s in db["DBSubnetGroup"]["Subnets"]} == {s["SubnetId"] for s in net["subnets"]}
    tags = {t["Key"]: t["Value"] for t in db["TagList"]}
    assert tags["Project"] == "precedentum" and tags["Phase"] == "1.2"
    # Priced from the cost check's table: db.t4g.micro $11.68, 20 GB $2.30, the public IPv4 $3.65, the secret $0.40.
    assert "cost at list price: $18.03/month" in first.flat, "the report prices the database"

    secret = secret_value(sm)
    assert secret["username"] == "precedentum" and secret["dbname"] == "precedentum"
    assert secret["host"] == db["Endpoint"]["Address"] and secret["port"] == db["Endpoint"]["Port"]
    assert len(secret["password"]) == 32 and secret["password"].isalnum()

    again = scenario.run("idempotence", env={"ANSIBLE_VERBOSITY": "3"})
    assert again.rc == 0 and again.changed == 0 and "ESTABLISH LOCAL CONNECTION" in again.output, again
    verified = scenario.run("verify")
    assert verified.rc == 0 and "All assertions passed" in verified.output, verified
    assert secret_value(sm) == secret, "a re-run must not regenerate or rewrite the secret"
    assert secret["password"] not in again.output, "the master password appeared in -vvv output"
    assert secret["password"] not in first.output

    dry = playbook("destroy.yml", "--check", extra_vars=CONFIRM)
    assert dry.rc == 0 and db_instance(rds) != {}

    gone = playbook("destroy.yml", extra_vars=CONFIRM)
    assert gone.rc == 0, gone
    assert db_instance(rds) == {}
    snapshots = rds.describe_db_snapshots()["DBSnapshots"]
    assert [s["DBSnapshotIdentifier"].startswith(f"{PREFIX}-db-final-") for s in snapshots] == [True]
    assert rds.describe_db_subnet_groups()["DBSubnetGroups"] == []
    assert sm.list_secrets()["SecretList"] == []
    (scheduled,) = sm.list_secrets(IncludePlannedDeletion=True)["SecretList"]
    assert scheduled["Name"] == f"{PREFIX}/rds/master" and scheduled.get("DeletedDate")
    assert all(v == [] for v in network_resources(emulator.client("ec2")).values())
    left = scenario.run("destroy")
    assert left.rc == 0 and left.changed == 0, left


def test_rds_alone_needs_the_network_then_modifies_in_place_and_refuses_replacement(emulator, playbook, prebuilt):
    rds, sm = emulator.client("rds"), emulator.client("secretsmanager")
    alone = playbook("week1.yml", "--tags", "rds")
    assert alone.rc != 0 and "run week1.yml (or --tags network) first" in alone.flat
    assert db_instance(rds) == {}

    # The instance as week 1 made it (the shared recording; its converge is test_rds_converges_...).
    prebuilt(emulator, "week1.yml")
    assert db_instance(rds)["DBInstanceClass"] == "db.t4g.micro"
    password = secret_value(sm)["password"]

    bigger = playbook("week1.yml", "--tags", "rds", extra_vars={
        "rds_instance_class": "db.t4g.small", **BIGGER_BUDGET, "rds_allocated_storage": 30,
        "rds_backup_retention_days": 14})
    assert bigger.rc == 0 and bigger.changed > 0, bigger
    db = db_instance(rds)
    assert (db["DBInstanceClass"], db["AllocatedStorage"], db["BackupRetentionPeriod"]) == ("db.t4g.small", 30, 14)
    assert secret_value(sm)["password"] == password

    refused = playbook("week1.yml", "--tags", "rds", extra_vars={
        "rds_instance_class": "db.t4g.small", **BIGGER_BUDGET, "rds_backup_retention_days": 14,
        "rds_allocated_storage": 25, "rds_storage_encrypted": False, "rds_db_name": "other",
        "rds_engine_version": "16"})
    assert refused.rc != 0
    for needle in ("never shrink", "rds_storage_encrypted", "rds_db_name", "cannot be downgraded"):
        assert needle in refused.flat, (needle, refused)
    assert db_instance(rds)["AllocatedStorage"] == 30 and db_instance(rds)["StorageEncrypted"] is True

    upgrade = playbook("week1.yml", "--tags", "rds", extra_vars={
        "rds_instance_class": "db.t4g.small", **BIGGER_BUDGET, "rds_allocated_storage": 30,
        "rds_backup_retention_days": 14, "rds_engine_version": "18"})
    assert upgrade.rc != 0 and "rds_allow_major_version_upgrade: true" in upgrade.flat

    gone = playbook("destroy.yml", extra_vars={**CONFIRM, "rds_skip_final_snapshot": True})
    assert gone.rc == 0, gone
    assert "without a final snapshot" in gone.flat
    assert rds.describe_db_snapshots()["DBSnapshots"] == []


def test_a_minor_version_rds_upgraded_to_is_kept_and_an_unoffered_minor_is_refused(emulator, playbook, prebuilt):
    """RDS upgrades minors itself (auto_minor_version_upgrade): a pinned 17.6 must not try to take a 17.7
    instance back, and a pinned minor RDS does not offer (the emulator's list: tests/harness/moto_server.py) is
    refused before any change, naming the offered ones."""
    rds = emulator.client("rds")
    prebuilt(emulator, "week1.yml")
    rds.modify_db_instance(DBInstanceIdentifier=f"{PREFIX}-db", EngineVersion="17.7", ApplyImmediately=True)
    assert db_instance(rds)["EngineVersion"] == "17.7"

    pinned = playbook("week1.yml", "--tags", "rds", extra_vars={"rds_engine_version": "17.6"})
    assert pinned.rc == 0 and pinned.changed == 0, pinned
    assert "RDS upgraded it past the pinned rds_engine_version 17.6" in pinned.flat
    assert db_instance(rds)["EngineVersion"] == "17.7"

    unoffered = playbook("week1.yml", "--tags", "rds", extra_vars={"rds_engine_version": "17.9"})
    assert unoffered.rc != 0, unoffered
    assert "rds_engine_version 17.9 is not offered" in unoffered.flat
    assert "offered for 17: 17.4, 17.5, 17.6, 17.7" in unoffered.flat
    assert db_instance(rds)["EngineVersion"] == "17.7"


def test_the_role_alone_checks_its_inputs_itself(emulator, playbook, tmp_path):
    """A playbook of its own that includes the role (the weeks' pre-tasks check every phase once and tell the
    phases so; a role not told checks its inputs at its start, the argument spec first), selected by a tag."""
    alone = tmp_path / "rds_alone.yml"
    alone.write_text(
        f"- name: The rds role alone\n  hosts: precedentum\n  gather_facts: false\n"
        f"  vars_files: [{REPO / 'group_vars' / 'all.yml'}]\n  tasks:\n"
        "    - name: Phase 1.2\n      ansible.builtin.include_role:\n        name: precedentum.deploy.rds\n"
        "        apply:\n          tags: [rds]\n      tags: [rds]\n")
    typo = playbook(str(alone), "--tags", "rds", extra_vars={"rds_alocated_storage": 30})
    assert typo.rc != 0 and "Unknown variable(s) rds_alocated_storage" in typo.flat, typo
    wrong_type = playbook(str(alone), "--tags", "rds", extra_vars={"rds_allocated_storage": "large"})
    assert wrong_type.rc != 0 and "arg spec 'main'" in wrong_type.output, wrong_type
    assert "rds_allocated_storage" in wrong_type.flat, wrong_type
    assert db_instance(emulator.client("rds")) == {}
    assert all(v == [] for v in network_resources(emulator.client("ec2")).values())
