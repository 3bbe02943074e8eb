"""The production option from an empty account to destroyed, with inventories/production alone: weeks 1
and 2, phase 3.5 (CloudFront and WAF) on CloudFront's own name, then with phase 3.1's domain. Check mode
makes nothing; the converge holds two NAT gateways with their addresses, the private subnets, a Multi-AZ
database with Performance Insights, the services auto scaled 2 to 5, the cache, the distribution with its
web ACL (three managed rule groups and a rate limit), the load balancer open to CloudFront only, then the
domain on CloudFront (phase 3.1 re-run leaves it there); week 3's re-runs and a check report changed=0
(test_growth re-runs production's weeks 1 and 2); destroy.yml
--tags edge puts the domain back on the load balancer and opens it again; destroy, run with the inventory
alone, leaves the account as it was but for the final snapshot (the leftover scan finds nothing else); a
second destroy changes nothing; every AWS action called is in docs/iam-policy.json."""

from __future__ import annotations

import time

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX, account_inventory, added, not_allowed, recorded_actions

pytestmark = pytest.mark.slow
DOMAIN = "app.precedentum.example"
ZONE = "precedentum.example."
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"
WEEKS = (("week1.yml",), ("week2.yml",), ("week3.yml", "--tags", "edge"))


def edge(emu) -> dict:
    """Our distribution (what phase 3.5 decides of it) and the web ACL of scope CLOUDFRONT, as the APIs tell them."""
    cf, waf = emu.client("cloudfront"), emu.client("wafv2")
    found = {}
    for item in cf.list_distributions()["DistributionList"].get("Items") or []:
        if item["Comment"] == f"{PREFIX} (precedentum.deploy)":
            config = cf.get_distribution_config(Id=item["Id"])["DistributionConfig"]
            found["distribution"] = {
                "domain_name": item["DomainName"], "aliases": config["Aliases"].get("Items") or [],
                "origin": [(o["DomainName"], o["CustomOriginConfig"]["OriginProtocolPolicy"])
                           for o in config["Origins"]["Items"]],
                "web_acl": config.get("WebACLId"), "certificate": config["ViewerCertificate"].get("ACMCertificateArn")}
    for summary in waf.list_web_acls(Scope="CLOUDFRONT")["WebACLs"]:
        if summary["Name"] == f"{PREFIX}-edge":
            acl = waf.get_web_acl(Name=summary["Name"], Scope="CLOUDFRONT", Id=summary["Id"])["WebACL"]
            found["web_acl"] = {"arn": acl["ARN"], "rules": [
                (r["Priority"], r["Name"], next(iter(r["Statement"]))) for r in acl["Rules"]]}
    return found


def alb_ingress(emu) -> list:
    """The load balancer group's rules: (from, to, what) with what a CIDR or a prefix list's name."""
    ec2 = emu.client("ec2")
    (group,) = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [f"{PREFIX}-alb"]}])[
        "SecurityGroups"]
    names = {p["PrefixListId"]: p["PrefixListName"] for p in ec2.describe_managed_prefix_lists()["PrefixLists"]}
    return sorted((r["FromPort"], r["ToPort"], source) for r in group["IpPermissions"]
                  for source in [x["CidrIp"] for x in r.get("IpRanges", [])]
                  + [names[x["PrefixListId"]] for x in r.get("PrefixListIds", [])])


def domain_record(emu) -> dict:
    r53 = emu.client("route53")
    (zone,) = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == ZONE]
    records = r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]
    (record,) = [r for r in records if r["Name"] == DOMAIN + "." and r["Type"] == "A"]
    return record["AliasTarget"]


def test_production_from_empty_rerun_check_destroy(recording_emulator, record_property):
    emu = recording_emulator

    def play(name, *args, extra_vars=None):
        return run_playbook(str(REPO / "playbooks" / name), emu.env(), *args, inventory="inventories/production",
                            extra_vars=extra_vars)

    empty = account_inventory(emu)
    calls = set()
    for week in WEEKS:
        plan = play(*week, "--check")
        assert plan.rc == 0, str(plan)
    assert added(empty, account_inventory(emu)) == {}, "check mode made something"

    started = time.monotonic()
    for week in WEEKS:
        run = play(*week)
        assert run.rc == 0 and run.changed > 0, str(run)
    seconds = time.monotonic() - started
    record_property("timing", f"production weeks 1, 2 and phase 3.5 from empty: {seconds:.0f} s")
    made = added(empty, account_inventory(emu))
    counts = {kind: len(names) for kind, names in made.items()
              if kind in ("nat-gateway", "elastic-ip", "cache", "cache-subnet-group", "scalable-target", "db-instance",
                          "ecs-service", "load-balancer", "distribution", "web-acl")}
    assert counts == {"nat-gateway": 2, "elastic-ip": 2, "cache": 1, "cache-subnet-group": 1, "scalable-target": 2,
                      "db-instance": 1, "ecs-service": 2, "load-balancer": 1, "distribution": 1, "web-acl": 1}, made
    (db,) = emu.client("rds").describe_db_instances()["DBInstances"]
    assert db["MultiAZ"] and db["PerformanceInsightsEnabled"] and not db["PubliclyAccessible"]
    # Made on Fargate Spot from the start (beyond its first task): the frontend; the backend on its launch type.
    ecs = emu.client("ecs")
    described = ecs.describe_services(cluster=PREFIX, services=[f"{PREFIX}-backend", f"{PREFIX}-frontend"])
    assert [(s.get("launchType"), sorted((c["capacityProvider"], c.get("base", 0), c.get("weight", 0))
                                         for c in s.get("capacityProviderStrategy") or []))
            for s in described["services"]] == [("FARGATE", []), (None, [("FARGATE", 1, 1), ("FARGATE_SPOT", 0, 3)])]
    (lb,) = emu.client("elbv2").describe_load_balancers()["LoadBalancers"]
    front = edge(emu)
    assert front["distribution"]["aliases"] == [] and not front["distribution"]["certificate"]
    assert front["distribution"]["origin"] == [(lb["DNSName"], "http-only")]
    assert front["distribution"]["web_acl"] == front["web_acl"]["arn"]
    assert front["web_acl"]["rules"] == [
        (0, "AWSManagedRulesCommonRuleSet", "ManagedRuleGroupStatement"),
        (1, "AWSManagedRulesKnownBadInputsRuleSet", "ManagedRuleGroupStatement"),
        (2, "AWSManagedRulesAmazonIpReputationList", "ManagedRuleGroupStatement"),
        (3, "rate-limit-per-address", "RateBasedStatement")]
    # network_alb_ingress: nobody reaches the load balancer around the web ACL.
    assert alb_ingress(emu) == [(80, 443, "com.amazonaws.global.cloudfront.origin-facing")]

    # Phase 3.1's domain: CloudFront answers for it over HTTPS to the origin, and the domain's record follows.
    https = {"alb_https_domain": DOMAIN}
    new_zone = play("week3.yml", "--tags", "https,edge", extra_vars=https)
    assert new_zone.rc != 0 and "is new: DNS does not answer from it" in new_zone.flat, str(new_zone)
    emu.delegate(DOMAIN.split(".", 1)[1])
    named = play("week3.yml", "--tags", "https,edge", extra_vars=https)
    assert named.rc == 0, str(named)
    front = edge(emu)
    assert front["distribution"]["aliases"] == [DOMAIN]
    assert front["distribution"]["origin"] == [(lb["DNSName"], "https-only")]
    assert front["distribution"]["certificate"].startswith("arn:aws:acm:us-east-1:")
    assert domain_record(emu)["HostedZoneId"] == CLOUDFRONT_ZONE
    assert domain_record(emu)["DNSName"].rstrip(".") == front["distribution"]["domain_name"]
    calls |= recorded_actions(emu.recorded_requests())

    emu.start_recording()
    # (tests/integration/test_growth.py re-runs production's weeks 1 and 2.)
    for week in (("week3.yml", "--tags", "https,edge"), ("week3.yml", "--tags", "https")):
        again = play(*week, extra_vars=https)
        assert again.rc == 0 and again.changed == 0, str(again)
    check = play("week3.yml", "--tags", "https,edge", "--check", extra_vars=https)
    assert check.rc == 0 and check.changed == 0, str(check)
    assert domain_record(emu)["HostedZoneId"] == CLOUDFRONT_ZONE
    calls |= recorded_actions(emu.recorded_requests())

    # Without CloudFront: the domain back on the load balancer, which is open to the world again.
    emu.start_recording()
    confirm = {"destroy_confirm": PREFIX}
    unfronted = play("destroy.yml", "--tags", "edge", extra_vars={**https, **confirm})
    assert unfronted.rc == 0, str(unfronted)
    assert edge(emu) == {}
    assert domain_record(emu)["DNSName"].rstrip(".").lower() == lb["DNSName"].lower()
    assert alb_ingress(emu) == [(80, 80, "0.0.0.0/0"), (443, 443, "0.0.0.0/0")], "the site open again"

    # Destroy with the inventory alone (not week 3's domain), as a user might run it.
    gone = play("destroy.yml", extra_vars=confirm)
    assert gone.rc == 0 and gone.changed > 0, str(gone)
    assert "reserved name" not in gone.output, "a module set host facts with a reserved name (tags)"
    left = added(empty, account_inventory(emu))
    (snapshot,) = left.pop("db-snapshot", [None])
    assert snapshot and snapshot.startswith(f"{PREFIX}-db-final-"), snapshot
    assert left == {}, f"destroy.yml left {left}"
    scan = play("leftovers.yml", extra_vars={"leftovers_fail_when_found": True})
    assert scan.rc == 0 and "0 resource(s) of precedentum-testing left" in scan.flat, str(scan)
    calls |= recorded_actions(emu.recorded_requests())
    twice = play("destroy.yml", extra_vars=confirm)
    assert twice.rc == 0 and twice.changed == 0, str(twice)

    missing = not_allowed(calls)
    assert missing == [], f"called but not in docs/iam-policy.json: {missing}"
