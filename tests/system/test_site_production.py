"""The production option from an empty account to destroyed: weeks 1 and 2 and phases 3.1 and 3.5 (HTTPS
on a domain, CloudFront and WAF) with inventories/production alone. Check mode makes nothing; the
converge holds two NAT gateways with their addresses, the private subnets, a Multi-AZ database with
Performance Insights, the services auto scaled 2 to 5, the cache, the distribution with its web ACL and
the domain on it; every week re-run and checked reports changed=0; destroy, run with the inventory
alone, leaves the account as it was but for the final snapshot (the leftover scan finds nothing else);
a second destroy changes nothing; every AWS action called is in docs/iam-policy.json."""

from __future__ import annotations

import time

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX, account_inventory, added, not_allowed, recorded_actions

pytestmark = pytest.mark.slow
DOMAIN = "app.precedentum.example"
WEEKS = (("week1.yml",), ("week2.yml",), ("week3.yml", "--tags", "https,edge"))


def test_production_from_empty_rerun_check_destroy(recording_emulator, record_property):
    emu = recording_emulator

    def play(name, *args, extra_vars=None):
        return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, inventory="inventories/production",
                            extra_vars=extra_vars)

    https = {"alb_https_domain": DOMAIN}
    empty = account_inventory(emu)
    calls = set()
    for week in WEEKS:
        plan = play(*week, "--check", extra_vars=https)
        assert plan.rc == 0, str(plan)
    assert added(empty, account_inventory(emu)) == {}, "check mode made something"

    started = time.monotonic()
    for week in WEEKS:
        run = play(*week, extra_vars=https)
        assert run.rc == 0 and run.changed > 0, str(run)
    seconds = time.monotonic() - started
    record_property("timing", f"production weeks 1, 2 and 3 (https, edge) from empty: {seconds:.0f} s")
    made = added(empty, account_inventory(emu))
    counts = {kind: len(names) for kind, names in made.items()
              if kind in ("nat-gateway", "elastic-ip", "cache", "cache-subnet-group", "scalable-target", "db-instance",
                          "ecs-service", "load-balancer")}
    assert counts == {"nat-gateway": 2, "elastic-ip": 2, "cache": 1, "cache-subnet-group": 1, "scalable-target": 2,
                      "db-instance": 1, "ecs-service": 2, "load-balancer": 1}, made
    (db,) = emu.client("rds").describe_db_instances()["DBInstances"]
    assert db["MultiAZ"] and db["PerformanceInsightsEnabled"] and not db["PubliclyAccessible"]
    (distribution,) = emu.client("cloudfront").list_distributions()["DistributionList"]["Items"]
    assert distribution["Aliases"]["Items"] == [DOMAIN] and distribution["WebACLId"].endswith(
        [a["Id"] for a in emu.client("wafv2").list_web_acls(Scope="CLOUDFRONT")["WebACLs"]][0])
    calls |= recorded_actions(emu.recorded_requests())

    emu.start_recording()
    for week in WEEKS:
        again = play(*week, extra_vars=https)
        assert again.rc == 0 and again.changed == 0, str(again)
        check = play(*week, "--check", extra_vars=https)
        assert check.rc == 0 and check.changed == 0, str(check)
    calls |= recorded_actions(emu.recorded_requests())

    # Destroy with the inventory alone (not week 3's domain), as a user might run it.
    emu.start_recording()
    confirm = {"destroy_confirm": PREFIX}
    gone = play("destroy.yml", extra_vars=confirm)
    assert gone.rc == 0 and gone.changed > 0, str(gone)
    left = added(empty, account_inventory(emu))
    (snapshot,) = left.pop("db-snapshot", [None])
    assert snapshot and snapshot.startswith(f"{PREFIX}-db-final-"), snapshot
    assert left == {}, f"destroy.yml left {left}"
    assert emu.client("cloudfront").list_distributions()["DistributionList"].get("Items", []) == []
    assert emu.client("wafv2").list_web_acls(Scope="CLOUDFRONT")["WebACLs"] == []
    scan = play("leftovers.yml", extra_vars={"leftovers_fail_when_found": True})
    assert scan.rc == 0 and "0 resource(s) of precedentum-testing left" in scan.flat, str(scan)
    calls |= recorded_actions(emu.recorded_requests())
    twice = play("destroy.yml", extra_vars=confirm)
    assert twice.rc == 0 and twice.changed == 0, str(twice)

    missing = not_allowed(calls)
    assert missing == [], f"called but not in docs/iam-policy.json: {missing}"
