"""The cloudfront_site and cloudfront_site_info modules, verified through the CloudFront API of the emulator."""

from __future__ import annotations

import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
NAME = "precedentum-testing"
ORIGIN = "precedentum-testing-1.us-east-1.elb.amazonaws.com"
CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
ACL = "arn:aws:wafv2:us-east-1:123456789012:global/webacl/precedentum-testing-edge/1"


def distributions(emu) -> list[dict]:
    """Our distributions as the API tells them: what cloudfront_site decides, from their configs."""
    client = emu.client("cloudfront")
    found = []
    for item in client.list_distributions()["DistributionList"].get("Items") or []:
        config = client.get_distribution_config(Id=item["Id"])["DistributionConfig"]
        default = config["DefaultCacheBehavior"]
        found.append({
            "comment": config["Comment"], "enabled": config["Enabled"],
            "aliases": config["Aliases"].get("Items") or [],
            "origin": [(o["DomainName"], o["CustomOriginConfig"]["OriginProtocolPolicy"])
                       for o in config["Origins"]["Items"]],
            "default": (default["CachePolicyId"], default.get("OriginRequestPolicyId"),
                        default["ViewerProtocolPolicy"]),
            "cached": [b["PathPattern"] for b in (config.get("CacheBehaviors") or {}).get("Items") or []],
            "certificate": config["ViewerCertificate"].get("ACMCertificateArn", ""), "web_acl": config.get("WebACLId"),
            "tags": {t["Key"]: t["Value"]
                     for t in client.list_tags_for_resource(Resource=item["ARN"])["Tags"]["Items"]},
        })
    return found


def test_create_rerun_update_in_place_and_delete(emulator):
    def site(arguments, *flags):
        return run_module("precedentum.deploy.cloudfront_site", {"name": NAME, **arguments}, emulator.env(), *flags)

    def info():
        return run_module("precedentum.deploy.cloudfront_site_info", {"name": NAME}, emulator.env()).result

    args = {"origin_domain": ORIGIN, "web_acl_arn": ACL, "tags": {"Project": "precedentum"}}
    dry = site(args, "--check")
    assert dry.rc == 0 and dry.result["actions"] == [
        f"create the distribution {NAME} (precedentum.deploy) in front of {ORIGIN}"], dry
    assert distributions(emulator) == [] and info()["exists"] is False

    made = site(args)
    assert made.rc == 0 and made.result["changed"] is True, made
    assert distributions(emulator) == [{
        "comment": f"{NAME} (precedentum.deploy)", "enabled": True, "aliases": [],
        "origin": [(ORIGIN, "http-only")],
        "default": ("4135ea2d-6df8-44a3-9df3-4b5a84be39ad", "216adef6-5c7f-47e4-b989-5492eafa07d3",
                    "redirect-to-https"),
        "cached": ["/static/*"], "certificate": "", "web_acl": ACL, "tags": {"Project": "precedentum", "Name": NAME}}]
    found = info()
    assert found["exists"] and found["distribution"]["domain_name"].endswith(".cloudfront.net"), found

    again = site(args)
    assert again.rc == 0 and again.result["changed"] is False and again.result["actions"] == [], again

    # The domain of phase 3.1: the site's own name with its certificate, HTTPS to the origin.
    named = {**args, "aliases": ["app.example.com"], "certificate_arn": CERTIFICATE, "origin_protocol": "https-only"}
    before = distributions(emulator)
    preview = site(named, "--check")
    assert preview.result["changed"] is True and distributions(emulator) == before, preview
    assert site(named).rc == 0
    (now,) = distributions(emulator)
    assert (now["aliases"], now["certificate"], now["origin"]) == (
        ["app.example.com"], CERTIFICATE, [(ORIGIN, "https-only")])
    assert site(named).result["changed"] is False

    gone_dry = site({"state": "absent"}, "--check")
    assert gone_dry.result["actions"][-1].startswith("delete the distribution") and len(distributions(emulator)) == 1
    gone = site({"state": "absent"})
    assert gone.rc == 0 and [a.rsplit(" ", 1)[0] for a in gone.result["actions"]] == [
        "disable the distribution", "delete the distribution"], gone
    assert distributions(emulator) == [] and info()["exists"] is False
    assert site({"state": "absent"}).result["changed"] is False


@pytest.mark.parametrize(("arguments", "named"), [
    ({"origin_domain": "https://example.com/"}, "origin_domain"),
    ({"origin_domain": ORIGIN, "aliases": ["app.example.com"]}, "certificate_arn"),
    ({"origin_domain": ORIGIN, "aliases": ["a.example.com"],
      "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/x"}, "certificate_arn"),
    ({"origin_domain": ORIGIN, "web_acl_arn": "arn:aws:wafv2:us-east-1:1:regional/webacl/x/1"}, "web_acl_arn"),
    ({"origin_domain": ORIGIN, "cached_paths": ["static/*"]}, "cached_paths"),
])
def test_bad_input_is_refused_before_any_request(emulator, arguments, named):
    result = run_module("precedentum.deploy.cloudfront_site", {"name": NAME, **arguments}, emulator.env())
    assert result.rc != 0 and result.result["msg"].startswith(named), result
    assert distributions(emulator) == []
