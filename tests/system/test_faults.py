"""Runs that stop halfway: ansible-playbook killed at several points of weeks 1 and 2, and the AWS
endpoint gone mid-run. The next run finishes the job, and nothing is made twice."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.harness.ansible import REPO, ansible_env, interpreter_args, run_playbook
from tests.harness.aws_state import PREFIX, account_inventory, added
from tests.harness.outage import Relay

pytestmark = pytest.mark.slow


def descendants(pid: int) -> list:
    children = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def run_until(playbook: str, env: dict, *markers: str, delay: float = 0.0, timeout: int = 900) -> str:
    """ansible-playbook PLAYBOOK until lines of its output have matched each of ``markers`` (regular
    expressions, in order), then, ``delay`` seconds later, SIGKILL to it and everything it started, as
    a machine that stops. Returns the output up to then; fails when the run ends before the markers."""
    bindir = os.path.dirname(sys.executable)
    run_env = ansible_env(env)
    cmd = [os.path.join(bindir, "ansible-playbook"), str(REPO / "playbooks" / playbook), "-i",
           str(REPO / "inventories/lean"), *interpreter_args(run_env)]
    proc = subprocess.Popen(cmd, cwd=REPO, env=run_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, text=True)
    output, deadline, waiting = [], time.monotonic() + timeout, list(markers)
    try:
        for line in proc.stdout:
            output.append(line)
            if re.search(waiting[0], line):
                waiting.pop(0)
            if not waiting:
                time.sleep(delay)
                for pid in [proc.pid, *descendants(proc.pid)]:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                proc.wait()
                return "".join(output)
            assert time.monotonic() < deadline, "the run took too long"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    raise AssertionError(f"the run ended before {waiting!r}:\n{''.join(output)[-4000:]}")


def ours(emu) -> dict:
    """What of ours exists, by kind, for counting duplicates."""
    ec2, elb, ecs = emu.client("ec2"), emu.client("elbv2"), emu.client("ecs")
    mine = [{"Name": "tag:Project", "Values": ["precedentum"]}]
    services = []
    for cluster in ecs.list_clusters()["clusterArns"]:
        arns = ecs.list_services(cluster=cluster)["serviceArns"]
        services += [s["serviceName"] for s in ecs.describe_services(cluster=cluster, services=arns)["services"]
                     if s["status"] == "ACTIVE"] if arns else []
    return {
        "vpc": [v["VpcId"] for v in ec2.describe_vpcs(Filters=mine)["Vpcs"]],
        "subnet": [s["SubnetId"] for s in ec2.describe_subnets(Filters=mine)["Subnets"]],
        "security-group": [g["GroupName"] for g in ec2.describe_security_groups(Filters=mine)["SecurityGroups"]],
        "db-instance": [d["DBInstanceIdentifier"] for d in emu.client("rds").describe_db_instances()["DBInstances"]],
        "secret": [s["Name"] for s in emu.client("secretsmanager").list_secrets()["SecretList"]],
        "target-group": [t["TargetGroupName"] for t in elb.describe_target_groups()["TargetGroups"]],
        "load-balancer": [lb["LoadBalancerName"] for lb in elb.describe_load_balancers()["LoadBalancers"]],
        "service": services,
    }


def test_killed_runs_resume_without_duplicates(emulator, playbook):
    env = emulator.env()
    # Week 1 killed right after the VPC, then in the database's creation, then run to the end.
    run_until("week1.yml", env, r"^TASK \[precedentum\.deploy\.network : Create the public subnets")
    assert len(ours(emulator)["vpc"]) == 1 and ours(emulator)["db-instance"] == []
    run_until("week1.yml", env, r"^TASK \[precedentum\.deploy\.rds : Wait for the instance", delay=0.3)
    assert len(ours(emulator)["db-instance"]) == 1
    week1 = playbook("week1.yml")
    assert week1.rc == 0, week1
    # Week 2 killed between its two services, then run to the end.
    run_until("week2.yml", env, r"^TASK \[precedentum\.deploy\.ecs : Create or update the services",
              r"^changed: \[localhost\] => \(item=.*backend")
    assert len(ours(emulator)["service"]) == 1
    week2 = playbook("week2.yml")
    assert week2.rc == 0, week2
    found = ours(emulator)
    for kind, names in found.items():
        assert len(names) == len(set(names)), f"{kind} made twice: {names}"
    assert (len(found["vpc"]), len(found["subnet"]), len(found["security-group"]), len(found["db-instance"]),
            len(found["target-group"]), len(found["load-balancer"]), len(found["service"])) == (1, 2, 3, 1, 2, 1, 2)
    assert sorted(found["secret"]) == [f"{PREFIX}/django/app", f"{PREFIX}/rds/master"]
    again = playbook("week2.yml")
    assert again.rc == 0 and again.changed == 0, again


def test_endpoint_gone_mid_run_is_named_and_the_next_run_converges(emulator, playbook):
    empty = account_inventory(emulator)
    with Relay(emulator.port) as relay:
        env = {**emulator.env(), "AWS_ENDPOINT_URL": relay.endpoint}
        # The endpoint goes away once the database phase has begun.

        def cut_when_the_database_phase_starts():
            deadline = time.monotonic() + 600
            rds = emulator.client("rds")
            sm = emulator.client("secretsmanager")
            while time.monotonic() < deadline:
                if sm.list_secrets()["SecretList"] or rds.describe_db_subnet_groups()["DBSubnetGroups"]:
                    relay.down()
                    return
                time.sleep(0.2)

        cutter = threading.Thread(target=cut_when_the_database_phase_starts, daemon=True)
        cutter.start()
        stopped = run_playbook(str(REPO / "playbooks/week1.yml"), env)
        cutter.join(5)
        assert stopped.rc != 0, stopped
        # The run names the endpoint it could not reach, wherever the cut lands: where amazon.aws keeps the cause
        # of a failed call to itself ("Failed to describe db instances", "Unable to list tags for resource"),
        # the rescue asks AWS once more and says what that answer names (playbooks/tasks/stopped.yml).
        assert "Could not connect to the endpoint URL" in stopped.flat and relay.endpoint in stopped.flat, (
            stopped.output[-8000:])
        assert "Phase 1.2 stopped at" in stopped.flat, stopped
        assert "run the same command again" in stopped.flat
        made = added(empty, account_inventory(emulator))
        assert made.get("vpc") and not made.get("load-balancer"), made
        relay.up()
        resumed = run_playbook(str(REPO / "playbooks/week1.yml"), env)
        assert resumed.rc == 0, resumed
    found = ours(emulator)
    assert (len(found["vpc"]), len(found["subnet"]), len(found["db-instance"]), len(found["load-balancer"])) == (
        1, 2, 1, 1)
