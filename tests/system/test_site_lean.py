"""The lean option's whole site (weeks 1-4) on an empty emulated account, as one story: check mode
is a plan (nothing made); the converge at -vvv leaves no secret in any byte of its output, in the
files it writes or in the process list; what it made keeps the security defaults, and every AWS
action it called is in docs/iam-policy.json; a re-run and a check report changed=0 (no migration
started again, no mail sent again, the database secret kept); destroy.yml leaves the account as it
was but for the final snapshot, which playbooks/leftovers.yml lists as kept; a second destroy
changes nothing. And the ECR token of deploy.yml's login reaches docker only on its standard input.

The emulator's RDS has no server: a local PostgreSQL stands in for it as soon as phase 1.2 has
stored the master secret (a thread of this test watches for it), so that week 3 and week 4 write
the testers' accounts to a real database."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from pathlib import Path

import pytest

from tests.harness.ansible import REPO, run_module, run_playbook
from tests.harness.aws_state import (
    POLICY,
    PREFIX,
    account_inventory,
    added,
    json_calls,
    not_allowed,
    recorded_actions,
)
from tests.harness.fixture_db import stand_in_for_rds
from tests.harness.walkthrough import team

pytestmark = pytest.mark.slow
SENDER = "team@precedentum.example"


def site_vars(tmp_path, postgres) -> dict:
    extra = team()
    extra.update({"onboarding_message_dir": str(tmp_path / "messages"), "onboarding_send_email": True,
                  "onboarding_sender": SENDER, "onboarding_db_host_override": "127.0.0.1",
                  "onboarding_db_port_override": postgres.port, "cost_report_dir": str(tmp_path / "reports"),
                  "cost_explorer": False})
    return extra


class StandIn(threading.Thread):
    """Makes the local PostgreSQL answer as the instance as soon as the master secret exists."""

    def __init__(self, emu, postgres):
        super().__init__(daemon=True)
        self.emu, self.postgres, self.done, self.error = emu, postgres, threading.Event(), None

    def run(self):
        sm = self.emu.client("secretsmanager")
        while not self.done.is_set():
            try:
                secret = json.loads(sm.get_secret_value(SecretId=f"{PREFIX}/rds/master")["SecretString"])
            except Exception:  # noqa: BLE001 - not made yet
                time.sleep(0.5)
                continue
            if secret.get("username") and secret.get("dbname"):
                try:
                    stand_in_for_rds(self.postgres, secret)
                except Exception as e:  # noqa: BLE001 - reported by the test
                    self.error = e
                self.done.set()
                return
            time.sleep(0.5)


class ProcessWatch(threading.Thread):
    """Snapshots of every process's command line, every 50 ms, while a run lasts."""

    def __init__(self):
        super().__init__(daemon=True)
        self.seen, self.stop = set(), threading.Event()

    def run(self):
        while not self.stop.is_set():
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    self.seen.add(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" "))
                except OSError:
                    pass
            time.sleep(0.05)


def secrets_of(emu, messages: Path) -> dict:
    """Every secret value the site holds: the master password, the app secret's values, the testers'
    password-set links (from their messages)."""
    sm = emu.client("secretsmanager")
    found = {"database master password": json.loads(sm.get_secret_value(
        SecretId=f"{PREFIX}/rds/master")["SecretString"])["password"]}
    app = json.loads(sm.get_secret_value(SecretId=f"{PREFIX}/django/app")["SecretString"])
    found.update({f"app secret {k}": v for k, v in app.items()
                  if any(word in k.lower() for word in ("password", "secret", "key", "token"))})
    for path in sorted(messages.iterdir()):
        # The default first access: a password-set link (its token lets one person in, once); or a password.
        ways_in = ("Set your password:", "One-time password:")
        (line,) = [x for x in path.read_text().splitlines() if x.startswith(ways_in)]
        found[f"{line.split(':')[0]} in {path.name}"] = line.split(":", 1)[1].strip()
    assert len(found) >= 11, sorted(found)
    return found


def security_findings(emu) -> list:
    """What breaks the security defaults, in words (empty when all hold)."""
    problems = []
    ec2 = emu.client("ec2")
    for group in ec2.describe_security_groups(Filters=[{"Name": "tag:Project", "Values": ["precedentum"]}])[
            "SecurityGroups"]:
        for rule in group["IpPermissions"]:
            world = [r["CidrIp"] for r in rule.get("IpRanges", []) if r["CidrIp"] == "0.0.0.0/0"] + [
                r["CidrIpv6"] for r in rule.get("Ipv6Ranges", []) if r["CidrIpv6"] == "::/0"]
            ports = set(range(rule.get("FromPort", 0), rule.get("ToPort", 65535) + 1)) if rule.get(
                "IpProtocol") != "-1" else {0}
            if world and (ports - {80, 443}):
                problems.append(f"{group['GroupName']} opens {sorted(ports)[:3]}... to {world}")
    (db,) = emu.client("rds").describe_db_instances()["DBInstances"]
    if not db["StorageEncrypted"]:
        problems.append(f"database {db['DBInstanceIdentifier']} not encrypted")
    elb = emu.client("elbv2")
    for lb in elb.describe_load_balancers()["LoadBalancers"]:
        attributes = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(
            LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
        if attributes.get("routing.http.drop_invalid_header_fields.enabled") != "true":
            problems.append(f"{lb['LoadBalancerName']} passes invalid header fields on")
    for group in emu.client("logs").describe_log_groups()["logGroups"]:
        if not group.get("retentionInDays"):
            problems.append(f"log group {group['logGroupName']} keeps logs forever")
    for repo in emu.client("ecr").describe_repositories()["repositories"]:
        if not repo["imageScanningConfiguration"]["scanOnPush"]:
            problems.append(f"repository {repo['repositoryName']} does not scan on push")
    return problems


def test_site_plan_converge_secrets_security_policy_rerun_destroy(recording_emulator, postgres, tmp_path,
                                                                  record_property):
    emu = recording_emulator
    emu.client("ses").verify_email_identity(EmailAddress=SENDER)
    empty = account_inventory(emu)
    extra = site_vars(tmp_path, postgres)

    def site(*args, name="site.yml", extra_vars=extra):
        return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, extra_vars=extra_vars, timeout=1500)

    # Check mode is a plan: it says what it would make and makes nothing.
    emu.start_recording()
    plan = site("--check", "--diff")
    calls = recorded_actions(emu.recorded_requests())
    assert plan.rc == 0 and plan.changed > 0, plan
    assert added(empty, account_inventory(emu)) == {}, "check mode made something"

    # The converge, at -vvv, watched (and every request it makes recorded: the test's own calls are not).
    emu.start_recording()
    stand_in, watch = StandIn(emu, postgres), ProcessWatch()
    stand_in.start()
    watch.start()
    started = time.monotonic()
    try:
        # The demo's domain gets a new zone: week 3 stops at phase 3.1 with its name servers (test_https.py);
        # the team delegates the domain and runs the site again, which goes through.
        stopped = site("-vvv")
        assert stopped.rc != 0 and "is new: DNS does not answer from it" in stopped.flat, stopped
        emu.delegate("precedentum.example")
        first = site("-vvv")
    finally:
        watch.stop.set()
        stand_in.done.set()
    first_seconds = time.monotonic() - started
    converge_requests = emu.recorded_requests()
    assert first.rc == 0, first
    assert stand_in.error is None, stand_in.error
    made = added(empty, account_inventory(emu))
    for kind in ("vpc", "subnet", "security-group", "db-instance", "secret", "repository", "load-balancer",
                 "target-group", "ecs-cluster", "ecs-service", "log-group", "alarm", "dashboard", "topic", "budget",
                 "hosted-zone", "certificate"):
        assert made.get(kind), f"the site made no {kind}: {made}"
    assert len(list((tmp_path / "messages").iterdir())) == 8
    assert len(emu.sent_mail()) == 8

    # Secrets stay secret: not in the output, not in the files written, not in any command line.
    secrets = secrets_of(emu, tmp_path / "messages")
    files = {p: p.read_bytes() for p in (tmp_path / "reports").rglob("*") if p.is_file()}
    assert files, "week 4 wrote no cost report"
    for what, value in secrets.items():
        assert value not in first.output and value not in stopped.output, f"{what} in the -vvv output"
        for path, content in files.items():
            assert value.encode() not in content, f"{what} in {path}"
        assert not [c for c in watch.seen if value.encode() in c], f"{what} in a process's command line"
    assert len(watch.seen) > 20

    # The security defaults hold.
    assert security_findings(emu) == []

    # Again: nothing changes, no migration starts, nobody is mailed, the database secret is kept.
    run_tasks = len(json_calls(converge_requests, "RunTask"))
    assert run_tasks >= 2
    password = secrets["database master password"]
    emu.start_recording()
    started = time.monotonic()
    second = site()
    second_seconds = time.monotonic() - started
    assert second.rc == 0 and second.changed == 0, second
    assert json_calls(emu.recorded_requests(), "RunTask") == []
    assert len(emu.sent_mail()) == 8
    assert secrets_of(emu, tmp_path / "messages")["database master password"] == password
    record_property("timing", f"site.yml on lean: first run {first_seconds:.0f} s (at -vvv), "
                              f"second run {second_seconds:.0f} s (changed=0)")
    check = site("--check", "--diff")
    assert check.rc == 0 and check.changed == 0, check
    calls |= recorded_actions(converge_requests) | recorded_actions(emu.recorded_requests())

    # Destroy, with the inventory alone (not week 3's domain and addresses, as a user might run it):
    # the account as it was, but for the final snapshot, which the leftover scan keeps apart.
    confirm = ("-e", f"destroy_confirm={PREFIX}")
    emu.start_recording()
    gone = site(*confirm, name="destroy.yml", extra_vars=None)
    calls |= recorded_actions(emu.recorded_requests())
    assert gone.rc == 0 and gone.changed > 0, gone
    assert "reserved name" not in gone.output, "a module set host facts with a reserved name (tags)"
    left = added(empty, account_inventory(emu))
    (snapshot,) = left.pop("db-snapshot", [None])
    assert snapshot and snapshot.startswith(f"{PREFIX}-db-final-"), snapshot
    assert left == {}, f"destroy.yml left {left}"
    emu.start_recording()
    scan = site("-e", "leftovers_fail_when_found=true", name="leftovers.yml", extra_vars=None)
    calls |= recorded_actions(emu.recorded_requests())
    assert scan.rc == 0, scan
    assert "0 resource(s) of precedentum-testing left" in scan.flat and snapshot in scan.flat, scan
    again = site(*confirm, name="destroy.yml", extra_vars=None)
    assert again.rc == 0 and again.changed == 0, again

    # Every AWS action the playbooks called (plan, converge, re-run, check, destroy, leftover scan) is
    # in the policy an operator is given.
    missing = not_allowed(calls)
    assert missing == [], f"called but not in {POLICY.name}: {missing}"


def test_destroy_on_an_empty_account_and_leftovers_found(emulator, tmp_path):
    """destroy.yml on an account that never held the deployment succeeds and changes nothing; the
    leftover scan then finds nothing, and finds what is made behind its back, with its monthly cost,
    but not what belongs to another environment."""
    def play(name, *args, inventory="inventories/lean"):
        return run_playbook(str(REPO / "playbooks" / name), emulator.env(), *args, inventory=inventory)

    for inventory, prefix in (("inventories/lean", PREFIX), ("inventories/ultra_lean", "precedentum-lite")):
        gone = play("destroy.yml", "-e", f"destroy_confirm={prefix}", inventory=inventory)
        assert gone.rc == 0 and gone.changed == 0, gone
    clean = play("leftovers.yml", "-e", "leftovers_fail_when_found=true")
    assert clean.rc == 0 and "0 resource(s) of precedentum-testing left" in clean.flat, clean

    ec2, sm = emulator.client("ec2"), emulator.client("secretsmanager")
    ours = [{"Key": "Project", "Value": "precedentum"}, {"Key": "Environment", "Value": "testing"}]
    theirs = [{"Key": "Project", "Value": "precedentum"}, {"Key": "Environment", "Value": "lite"}]
    address = ec2.allocate_address(Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": ours}])
    ec2.allocate_address(Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": theirs}])
    sm.create_secret(Name=f"{PREFIX}/forgotten", SecretString="x")
    sm.create_secret(Name="precedentum-lite/django/app", SecretString="x", Tags=theirs)
    emulator.client("ecr").create_repository(repositoryName=f"{PREFIX}/backend")
    # A bucket of ours with files (and an old version: billed too), and one of another environment.
    s3 = emulator.client("s3")
    bucket = f"{PREFIX}-files-123456789012-us-east-1"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    for body in (b"draft", b"final brief"):
        s3.put_object(Bucket=bucket, Key="uploads/brief.txt", Body=body)
    s3.create_bucket(Bucket="precedentum-lite-files-123456789012-us-east-1")
    s3.put_bucket_tagging(Bucket="precedentum-lite-files-123456789012-us-east-1", Tagging={"TagSet": theirs})
    found = play("leftovers.yml", "-e", "leftovers_fail_when_found=true")
    assert found.rc != 0, found
    assert "4 resource(s) of precedentum-testing left in us-east-1, $4.05 a month" in found.flat, found
    assert f"S3 {bucket} (bucket): no charge - 2 file version(s)" in found.flat, found
    assert f"Public IPv4 {address['PublicIp']} (elastic-ip): $3.65 a month" in found.flat
    assert f"Secrets Manager {PREFIX}/forgotten (secret): $0.40 a month" in found.flat
    assert f"ECR {PREFIX}/backend (repository)" in found.flat
    assert "precedentum-lite" not in found.flat
    report = play("leftovers.yml")
    assert report.rc == 0 and report.changed == 0, report
    lite = play("leftovers.yml", inventory="inventories/ultra_lean")
    assert "3 resource(s) of precedentum-lite left" in lite.flat, lite


def test_the_ecr_token_goes_only_to_docker(emulator, tmp_path):
    """deploy.yml's ECR login at -vvv: the token reaches `docker login` on its standard input, and
    is in no byte of the output and on no command line (a stand-in docker CLI records what it got)."""
    got = tmp_path / "docker-got"
    docker = tmp_path / "docker"
    docker.write_text(f"#!/bin/sh\necho \"$@\" > {got}.argv\ncat > {got}\necho 'Login Succeeded'\n")
    docker.chmod(0o700)
    token = emulator.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    password = base64.b64decode(token).decode().split(":", 1)[1]
    watch = ProcessWatch()
    watch.start()
    try:
        run = run_module("precedentum.deploy.ecr_login", {"docker_cli": str(docker), "region": "us-east-1"},
                         emulator.env(), "-vvv")
    finally:
        watch.stop.set()
    assert run.rc == 0, run
    assert got.read_text().strip() == password, "docker login did not get the password on its standard input"
    assert "--password-stdin" in (tmp_path / "docker-got.argv").read_text()
    for secret in (token, password):
        assert secret not in run.output and secret not in json.dumps(run.result)
        assert not [c for c in watch.seen if secret.encode() in c], "the token on a command line"
