"""Phase 3.4 activates the cost allocation tags (module cost_allocation_tags), and cost.yml's actual mode then
reads this deployment's share of the bill alone. moto lacks both Cost Explorer calls: the emulator lists a key
once a resource carries it, and refuses both in an organization's member account (tests/harness/moto_server.py).
Verified through Cost Explorer's ListCostAllocationTags and the requests the emulator recorded."""

from __future__ import annotations

import pytest

from tests.harness.ansible import REPO, run_module, run_playbook
from tests.harness.aws_state import json_calls
from tests.harness.emulator import Emulator

pytestmark = pytest.mark.slow


def statuses(emu, keys=("Project", "Environment")) -> dict:
    listed = emu.client("ce").list_cost_allocation_tags(TagKeys=list(keys), Type="UserDefined")
    return {t["TagKey"]: t["Status"] for t in listed["CostAllocationTags"]}


def test_activate_once_then_the_bill_is_read_for_the_tags(recording_emulator, tmp_path):
    emu = recording_emulator

    def activate(*flags, keys=("Project", "Environment")):
        return run_module("precedentum.deploy.cost_allocation_tags", {"tag_keys": list(keys)}, emu.env(), *flags)

    # Nothing carries the tags yet: Billing does not list them, which is no error.
    early = activate()
    assert early.rc == 0 and early.result["changed"] is False, early
    assert early.result["unknown"] == ["Project", "Environment"] and early.result["active"] == []

    emu.client("ec2").create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [
        {"Key": "Project", "Value": "precedentum"}, {"Key": "Environment", "Value": "testing"}]}])
    planned = activate("--check")
    assert planned.rc == 0 and planned.result["changed"] is True, planned
    assert planned.result["activated"] == ["Project", "Environment"] and planned.result["active"] == []
    assert statuses(emu) == {"Project": "Inactive", "Environment": "Inactive"}, "check mode activated a tag"

    done = activate()
    assert done.rc == 0 and done.result["changed"] is True and done.result["active"] == ["Project", "Environment"]
    assert statuses(emu) == {"Project": "Active", "Environment": "Active"}
    again = activate()
    assert again.rc == 0 and again.result["changed"] is False and again.result["activated"] == [], again

    bad = activate(keys=("aws:createdBy",))
    assert bad.rc != 0 and "tag_keys:" in bad.result["msg"], bad

    # Active: cost.yml's actual mode reads what carries Project=precedentum and Environment=testing alone.
    report = run_playbook(str(REPO / "playbooks/cost.yml"), emu.env(), "--tags", "cost",
                          extra_vars={"cost_report_dir": str(tmp_path)})
    assert report.rc == 0, report
    (request,) = list(json_calls(emu.recorded_requests(), "GetCostAndUsage"))
    wanted = request["Filter"]["And"]
    assert {"Tags": {"Key": "Project", "Values": ["precedentum"], "MatchOptions": ["EQUALS"]}} in wanted
    assert {"Tags": {"Key": "Environment", "Values": ["testing"], "MatchOptions": ["EQUALS"]}} in wanted


def test_a_member_account_is_told_who_can_activate_them(tmp_path):
    with Emulator(log_path=str(tmp_path / "moto.log"), extra_env={"PRECEDENTUM_EMULATOR_MEMBER_ACCOUNT": "1"}) as emu:
        refused = run_module("precedentum.deploy.cost_allocation_tags", {"tag_keys": ["Project"]}, emu.env())
    assert refused.rc == 0 and refused.result["changed"] is False, refused
    assert refused.result["available"] is False
    assert "only the management account of an organization can activate them" in refused.result["reason"]
