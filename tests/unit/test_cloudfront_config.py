"""The distribution cloudfront_site asks for: every behaviour forwards the viewer's Host to an https-only origin.

With the origin's own name (*.elb.amazonaws.com) as Host, the load balancer answers with the certificate of
the team's domain, which CloudFront refuses (502 on /static/*), and Django refuses the Host."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.modules import cloudfront_site

PARAMS = {"name": "precedentum-testing", "origin_domain": "precedentum-testing-123.us-east-1.elb.amazonaws.com",
          "origin_protocol": "https-only", "aliases": ["app.example.com"],
          "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc", "cached_paths": ["/static/*"],
          "price_class": "PriceClass_100", "web_acl_arn": ""}
# AWS's managed origin request policy AllViewer: every viewer header, the Host among them.
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"


def test_every_behaviour_forwards_the_viewers_host():
    config = cloudfront_site.wanted_config(PARAMS, "ref")
    behaviours = [config["DefaultCacheBehavior"], *config["CacheBehaviors"]["Items"]]
    assert [b.get("PathPattern", "*") for b in behaviours] == ["*", "/static/*"]
    assert all(b.get("OriginRequestPolicyId") == ALL_VIEWER for b in behaviours), behaviours
    # /static/* stays cached by path alone (the origin request policy is not part of the cache key).
    assert config["CacheBehaviors"]["Items"][0]["CachePolicyId"] == cloudfront_site.CACHING_OPTIMIZED


def test_a_distribution_without_host_forwarding_on_a_cached_path_is_changed():
    wanted = cloudfront_site.wanted_config(PARAMS, "ref")
    old = cloudfront_site.wanted_config(PARAMS, "ref")
    old["CacheBehaviors"]["Items"][0].pop("OriginRequestPolicyId")
    changes = cloudfront_site.describe_changes(cloudfront_site.summary(old), cloudfront_site.summary(wanted))
    assert [c for c in changes if c.startswith("cached paths")], changes
