"""Phase 3.5, CloudFront and WAF in front of the load balancer (the production inventory), on a replayed
week-1 account: without a domain (the *.cloudfront.net name; the load balancer then answers CloudFront
only), then with phase 3.1's domain (its record moves onto CloudFront and phase 3.1 re-run leaves it
there), re-runs changed=0; destroy.yml --tags edge puts the record back on the load balancer, opens it
to the world again and leaves no distribution or web ACL. Verified through the
CloudFront, WAFv2 and Route 53 APIs."""

from __future__ import annotations

import pytest

from tests.harness.aws_state import PREFIX

pytestmark = pytest.mark.slow
DOMAIN = "app.precedentum.example"
ZONE = "precedentum.example."
PRODUCTION = {"inventory": "inventories/production"}
CLOUDFRONT_ZONE = "Z2FDTNDATAQYW2"


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


def test_cloudfront_and_waf_then_the_domain_then_destroy(emulator, playbook, prebuilt):
    prebuilt(emulator, ["week1.yml"])
    (lb,) = emulator.client("elbv2").describe_load_balancers()["LoadBalancers"]

    plan = playbook("week3.yml", "--tags", "edge", "--check", **PRODUCTION)
    assert plan.rc == 0 and plan.changed > 0, str(plan)
    assert edge(emulator) == {}, "check mode made something"

    first = playbook("week3.yml", "--tags", "edge", **PRODUCTION)
    assert first.rc == 0, str(first)
    made = edge(emulator)
    assert made["distribution"]["aliases"] == [] and made["distribution"]["certificate"] in (None, "")
    assert made["distribution"]["origin"] == [(lb["DNSName"], "http-only")]
    assert made["distribution"]["web_acl"] == made["web_acl"]["arn"]
    assert made["web_acl"]["rules"] == [
        (0, "AWSManagedRulesCommonRuleSet", "ManagedRuleGroupStatement"),
        (1, "AWSManagedRulesKnownBadInputsRuleSet", "ManagedRuleGroupStatement"),
        (2, "AWSManagedRulesAmazonIpReputationList", "ManagedRuleGroupStatement"),
        (3, "rate-limit-per-address", "RateBasedStatement")]
    assert f"Edge (phase 3.5): CloudFront {made['distribution']['domain_name']}" in first.flat
    # production's network_alb_ingress: the load balancer now answers CloudFront only.
    assert alb_ingress(emulator) == [(80, 443, "com.amazonaws.global.cloudfront.origin-facing")]
    again = playbook("week3.yml", "--tags", "edge", **PRODUCTION)
    assert again.rc == 0 and again.changed == 0, str(again)

    # Phase 3.1's domain: CloudFront answers for it over HTTPS to the origin, and the record follows.
    https = {"alb_https_domain": DOMAIN}
    named = playbook("week3.yml", "--tags", "https,edge", extra_vars=https, **PRODUCTION)
    assert named.rc == 0, str(named)
    now = edge(emulator)
    assert now["distribution"]["aliases"] == [DOMAIN]
    assert now["distribution"]["origin"] == [(lb["DNSName"], "https-only")]
    assert now["distribution"]["certificate"].startswith("arn:aws:acm:us-east-1:")
    assert domain_record(emulator)["HostedZoneId"] == CLOUDFRONT_ZONE
    assert domain_record(emulator)["DNSName"].rstrip(".") == now["distribution"]["domain_name"]
    for tags in ("https,edge", "https"):
        rerun = playbook("week3.yml", "--tags", tags, extra_vars=https, **PRODUCTION)
        assert rerun.rc == 0 and rerun.changed == 0, str(rerun)
    assert domain_record(emulator)["HostedZoneId"] == CLOUDFRONT_ZONE

    destroy = {**https, "destroy_confirm": PREFIX}
    gone = playbook("destroy.yml", "--tags", "edge", extra_vars=destroy, **PRODUCTION)
    assert gone.rc == 0, str(gone)
    assert edge(emulator) == {}
    assert domain_record(emulator)["DNSName"].rstrip(".").lower() == lb["DNSName"].lower()
    assert alb_ingress(emulator) == [(80, 80, "0.0.0.0/0"), (443, 443, "0.0.0.0/0")], "the site open again"
    twice = playbook("destroy.yml", "--tags", "edge", extra_vars=destroy, **PRODUCTION)
    assert twice.rc == 0 and twice.changed == 0, str(twice)
