"""The one rule of what is this deployment's, which both account scanners (cost_check, leftovers_info) apply."""

from __future__ import annotations

import importlib.util

from tests.harness.ansible import REPO

_spec = importlib.util.spec_from_file_location("ownership", REPO / "plugins/module_utils/ownership.py")
ownership = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ownership)
WANT = {"Project": "precedentum", "Environment": "testing"}
PREFIX = "precedentum-testing"


def test_tags_decide_first_then_the_name():
    assert ownership.is_ours(WANT | {"Name": "x"}, "anything", WANT, PREFIX)
    # Another environment's, even under our prefix (the lean and ultra-lean options side by side).
    assert not ownership.is_ours({"Project": "precedentum", "Environment": "lite"}, f"{PREFIX}-db", WANT, PREFIX)
    for name in (PREFIX, f"{PREFIX}-db", f"{PREFIX}/backend", f"/ecs/{PREFIX}/backend", f"/{PREFIX}-alerts"):
        assert ownership.is_ours({}, name, WANT, PREFIX), name
    for name in ("", "precedentum-testingx", f"other/{PREFIX}", "precedentum-lite-db"):
        assert not ownership.is_ours({}, name, WANT, PREFIX), name


def test_both_scanners_use_it():
    for path in ("plugins/module_utils/cost_discovery.py", "plugins/modules/leftovers_info.py"):
        text = (REPO / path).read_text()
        assert "module_utils.ownership import is_ours" in text and "return is_ours(" in text, path


def test_one_walk_reads_the_account_for_both():
    # Each kind of resource is read in module_utils/account.py only; the scanners take what they need of it.
    for path in ("plugins/module_utils/cost_discovery.py", "plugins/modules/leftovers_info.py"):
        text = (REPO / path).read_text()
        assert "module_utils.account import" in text and "Walk(" in text, path
        assert "get_paginator(" not in text and ".describe_" not in text, f"{path} reads the account itself"


class _Client:
    """A boto3 client that answers each method from a table (anything else: empty lists)."""

    def __init__(self, answers):
        self.answers = answers

    def __getattr__(self, method):
        from collections import defaultdict

        def call(**_kwargs):
            return defaultdict(list, self.answers.get(method, {}))
        return call

    def get_paginator(self, method):
        client = self

        class Pages:
            def paginate(self, **_kwargs):
                return self

            def build_full_result(self):
                return getattr(client, method)()
        return Pages()


class _Module:
    region = "us-east-1"
    params = {"name_prefix": PREFIX, "tags": WANT, "lightsail": True}

    def __init__(self, clients):
        self.clients = clients

    def client(self, name, **_kwargs):
        return _Client(self.clients.get(name, {}))

    def fail_json_aws(self, error, msg):
        raise AssertionError(f"{msg}: {error}")


def test_both_scanners_take_the_same_resources_as_ours():
    from ansible_collections.precedentum.deploy.plugins.module_utils.cost_discovery import Account
    from ansible_collections.precedentum.deploy.plugins.modules.leftovers_info import Scan

    lite = [{"Key": "Project", "Value": "precedentum"}, {"Key": "Environment", "Value": "lite"}]
    ours = [{"Key": k, "Value": v} for k, v in WANT.items()]
    module = _Module({
        "ec2": {"describe_nat_gateways": {"NatGateways": [
            {"NatGatewayId": "nat-ours", "State": "available", "Tags": ours},
            {"NatGatewayId": "nat-lite", "State": "available", "Tags": lite},
            {"NatGatewayId": "nat-gone", "State": "deleted", "Tags": ours}]}},
        "logs": {"describe_log_groups": {"logGroups": [
            {"logGroupName": f"/ecs/{PREFIX}/backend", "storedBytes": 2 * 1024**3},
            {"logGroupName": "/aws/lambda/someone-else", "storedBytes": 0, "retentionInDays": 7}]}},
        "rds": {"describe_db_snapshots": {"DBSnapshots": [
            {"DBSnapshotIdentifier": f"{PREFIX}-db-final-20261201", "AllocatedStorage": 20},
            {"DBSnapshotIdentifier": f"{PREFIX}-db-final-20261205", "AllocatedStorage": 20},
            {"DBSnapshotIdentifier": "someone-elses", "AllocatedStorage": 5}]}},
    })
    cost = Account(module, WANT, PREFIX).read()
    assert cost.ours["nat_gateways"] == 1, "the deleted gateway is not billed, the other environment's is not ours"
    assert [u[1] for u in cost.unexpected] == ["NAT gateway nat-lite"]
    assert cost.ours["cloudwatch"]["logs_stored_gb"] == 2.0
    assert [g["name"] for g in cost.findings["log_groups_without_retention"]] == [f"/ecs/{PREFIX}/backend"]
    assert [(s["id"], s["ours"]) for s in cost.findings["snapshots"]] == [
        (f"{PREFIX}-db-final-20261201", True), (f"{PREFIX}-db-final-20261205", True), ("someone-elses", False)]

    left = Scan(module).read().result()
    assert sorted((i["kind"], i["name"]) for i in left["leftovers"]) == [
        ("db-snapshot", f"{PREFIX}-db-final-20261201"), ("log-group", f"/ecs/{PREFIX}/backend"),
        ("nat-gateway", "nat-ours")]
    assert [i["name"] for i in left["kept"]] == [f"{PREFIX}-db-final-20261205"], "the newest final snapshot is kept"
    assert left["not_read"] == []
