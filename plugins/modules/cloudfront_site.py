#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudfront_site
short_description: A CloudFront distribution in front of one load balancer, found by name
version_added: 1.0.0
description:
  - Keeps one CloudFront distribution whose only origin is a load balancer (or any HTTP origin), as
    described - the site's pages and API uncached and passed through with every header, cookie and query
    string (AWS's managed policies C(CachingDisabled) and C(AllViewer)), the paths of O(cached_paths) cached
    (C(CachingOptimized)), HTTP redirected to HTTPS, optionally the site's own names with an ACM certificate
    and a WAF web ACL; or disables and deletes it.
  - The distribution is found by its comment, C(<name> (precedentum.deploy)) (CloudFront has no names).
  - Idempotent - a distribution as described is left alone; one that differs is updated in place.
  - Honest in check mode - it reads, says what it would do in RV(actions) and changes nothing.
  - (C(community.aws.cloudfront_distribution) has no check mode; hence this module.)
  - CloudFront's always-free allowance covers 1 TB out and 10 million requests a month; a change takes
    AWS 5 to 15 minutes to deploy (O(wait)).
options:
  name:
    description: The site's name (1 to 100 characters); the comment and the C(Name) tag carry it.
    type: str
    required: true
  state:
    description: C(present) creates or updates; C(absent) disables the distribution, waits until that is
      deployed, then deletes it.
    type: str
    choices: [present, absent]
    default: present
  origin_domain:
    description: The origin's DNS name (the load balancer's), required when O(state=present).
    type: str
  origin_protocol:
    description: How CloudFront reaches the origin; C(https-only) needs a certificate on the origin that
      matches the viewer's host name (the names of O(aliases) are passed on).
    type: str
    choices: [http-only, https-only]
    default: http-only
  aliases:
    description: The site's own names (they need O(certificate_arn)); empty - the C(*.cloudfront.net) name only.
    type: list
    elements: str
    default: []
  certificate_arn:
    description: An ACM certificate in us-east-1 covering every name of O(aliases).
    type: str
    default: ""
  web_acl_arn:
    description: A WAFv2 web ACL of scope CLOUDFRONT; empty - none.
    type: str
    default: ""
  cached_paths:
    description: Path patterns cached at the edge (static files).
    type: list
    elements: str
    default: ["/static/*"]
  price_class:
    description: Where CloudFront serves from (C(PriceClass_100) - North America and Europe, the cheapest).
    type: str
    choices: [PriceClass_100, PriceClass_200, PriceClass_All]
    default: PriceClass_100
  tags:
    description: Tags at creation (CloudFront keeps them; later changes are not compared).
    type: dict
    default: {}
  wait:
    description: Wait until the change is deployed.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 1800
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
extends_documentation_fragment:
  - precedentum.deploy.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
notes:
  - "IAM: C(cloudfront:ListDistributions), C(GetDistribution), C(GetDistributionConfig),
    C(CreateDistribution), C(CreateDistributionWithTags), C(TagResource), C(UpdateDistribution),
    C(DeleteDistribution); with O(web_acl_arn) C(wafv2:GetWebACL); with O(certificate_arn)
    C(acm:DescribeCertificate) (CloudFront checks it)."
"""

EXAMPLES = r"""
- name: CloudFront in front of the load balancer, with the WAF web ACL
  precedentum.deploy.cloudfront_site:
    name: precedentum-testing
    origin_domain: precedentum-testing-123.us-east-1.elb.amazonaws.com
    origin_protocol: https-only
    aliases: [app.example.com]
    certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/abc
    web_acl_arn: arn:aws:wafv2:us-east-1:123456789012:global/webacl/precedentum-testing/1
  register: site
"""

RETURN = r"""
distribution:
  description: The distribution after the change (in check mode, as it is; empty when none) - C(id), C(arn),
    C(domain_name), C(status), C(enabled), C(aliases), C(web_acl_id).
  returned: always
  type: dict
  sample: {id: E1ABC, domain_name: d111.cloudfront.net, status: Deployed, enabled: true}
  contains:
    id:
      description: The distribution's ID.
      type: str
      returned: when it exists
      sample: E2QWRUHAPOMQZL
    arn:
      description: Its ARN.
      type: str
      returned: when it exists
      sample: arn:aws:cloudfront::123456789012:distribution/E2QWRUHAPOMQZL
    domain_name:
      description: CloudFront's name for it.
      type: str
      returned: when it exists
      sample: d111111abcdef8.cloudfront.net
    status:
      description: C(InProgress) while a change deploys, then C(Deployed).
      type: str
      returned: when it exists
      sample: Deployed
    enabled:
      description: Whether it serves.
      type: bool
      returned: when it exists
      sample: true
    aliases:
      description: The domains it answers for.
      type: list
      elements: str
      returned: when it exists
      sample:
        - app.precedentum.example
    web_acl_id:
      description: The ARN of the WAF web ACL in front of it.
      type: str
      returned: when it exists
actions:
  description: What was done (or would be, in check mode), in order.
  returned: always
  type: list
  elements: str
"""

import time

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call
from ansible_collections.precedentum.deploy.plugins.module_utils.cloudfront import (
    comment_of,
    find_distribution,
    summary_of,
)

# AWS's managed cache and origin request policies (the same ids in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"
ORIGIN_ID = "origin"
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]


def _items(values):
    return {"Quantity": len(values), "Items": list(values)}


def check_inputs(module):
    """Everything CloudFront would refuse, refused first, naming the option."""
    p = module.params
    problems = []
    if not p["name"] or len(p["name"]) > 100:
        problems.append(f"name: {p['name']!r}; 1 to 100 characters")
    if p["state"] == "present":
        if not p["origin_domain"] or "/" in p["origin_domain"] or ":" in p["origin_domain"]:
            problems.append(f"origin_domain: {p['origin_domain']!r} is not a DNS name")
        if p["aliases"] and not p["certificate_arn"].startswith("arn:"):
            problems.append("certificate_arn: the names of aliases need an ACM certificate (in us-east-1)")
        if p["certificate_arn"] and ":acm:us-east-1:" not in p["certificate_arn"]:
            problems.append(f"certificate_arn: {p['certificate_arn']}; "
                            "CloudFront takes ACM certificates of us-east-1 only")
        if p["web_acl_arn"] and ":global/webacl/" not in p["web_acl_arn"]:
            problems.append(f"web_acl_arn: {p['web_acl_arn']}; CloudFront takes web ACLs of scope CLOUDFRONT "
                            "(arn:aws:wafv2:us-east-1:...:global/webacl/...)")
        bad = [path for path in p["cached_paths"] if not path.startswith("/") or len(path) > 255]
        if bad:
            problems.append(f"cached_paths: {', '.join(bad)}; path patterns start with /")
    if p["wait_timeout"] < 1:
        problems.append("wait_timeout: at least 1 second")
    if problems:
        module.fail_json(msg="; ".join(problems))


def wanted_config(p, caller_reference):
    behaviour = {"TargetOriginId": ORIGIN_ID, "ViewerProtocolPolicy": "redirect-to-https", "Compress": True}
    config = {
        "CallerReference": caller_reference,
        "Comment": comment_of(p["name"]),
        "Enabled": True,
        "Aliases": _items(sorted(p["aliases"])),
        "Origins": _items([{
            "Id": ORIGIN_ID, "DomainName": p["origin_domain"],
            "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": p["origin_protocol"],
                                   "OriginSslProtocols": _items(["TLSv1.2"]), "OriginReadTimeout": 30,
                                   "OriginKeepaliveTimeout": 5}}]),
        "DefaultCacheBehavior": {**behaviour, "CachePolicyId": CACHING_DISABLED, "OriginRequestPolicyId": ALL_VIEWER,
                                 "AllowedMethods": {**_items(ALL_METHODS), "CachedMethods": _items(["GET", "HEAD"])}},
        # Every behaviour forwards the viewer's Host (AllViewer; the cache key stays CachingOptimized's): with
        # the origin's own *.elb.amazonaws.com name as Host, an https-only origin answers with the team's
        # certificate for another name (502), and Django refuses a Host outside ALLOWED_HOSTS.
        "CacheBehaviors": _items([{**behaviour, "PathPattern": path, "CachePolicyId": CACHING_OPTIMIZED,
                                   "OriginRequestPolicyId": ALL_VIEWER,
                                   "AllowedMethods": {**_items(["GET", "HEAD"]),
                                                      "CachedMethods": _items(["GET", "HEAD"])}}
                                  for path in p["cached_paths"]]),
        "PriceClass": p["price_class"],
        "HttpVersion": "http2and3",
        "IsIPV6Enabled": True,
        "WebACLId": p["web_acl_arn"],
    }
    if p["certificate_arn"]:
        config["ViewerCertificate"] = {"ACMCertificateArn": p["certificate_arn"], "SSLSupportMethod": "sni-only",
                                       "MinimumProtocolVersion": "TLSv1.2_2021"}
    else:
        config["ViewerCertificate"] = {"CloudFrontDefaultCertificate": True}
    return config


def summary(config):
    """What this module decides, from a distribution's config, to compare the wanted with the current."""
    origin = ((config.get("Origins") or {}).get("Items") or [{}])[0]
    default = config.get("DefaultCacheBehavior") or {}
    return {
        "enabled": bool(config.get("Enabled")),
        "aliases": sorted((config.get("Aliases") or {}).get("Items") or []),
        "origin": (origin.get("DomainName"), (origin.get("CustomOriginConfig") or {}).get("OriginProtocolPolicy")),
        "default": (default.get("CachePolicyId"), default.get("OriginRequestPolicyId"),
                    default.get("ViewerProtocolPolicy")),
        "cached": sorted((b.get("PathPattern"), b.get("CachePolicyId"), b.get("OriginRequestPolicyId") or "")
                         for b in (config.get("CacheBehaviors") or {}).get("Items") or []),
        "certificate": (config.get("ViewerCertificate") or {}).get("ACMCertificateArn") or "",
        "web_acl": config.get("WebACLId") or "",
        "price_class": config.get("PriceClass"),
    }


def describe_changes(current, wanted):
    labels = {"enabled": "enable it", "aliases": "names", "origin": "origin", "default": "the default behaviour",
              "cached": "cached paths", "certificate": "certificate", "web_acl": "web ACL",
              "price_class": "price class"}
    return [f"{labels[key]}: {current[key]} -> {wanted[key]}" if key != "enabled" else labels[key]
            for key in labels if current[key] != wanted[key]]


class Site:
    def __init__(self, module):
        self.module = module
        self.client = module.client("cloudfront")
        self.name = module.params["name"]
        self.comment = comment_of(self.name)
        self.actions = []

    def call(self, operation, what, **kwargs):
        return aws_call(self.module, self.client, operation, f"{what} ({self.name})", **kwargs)

    def found(self):
        return find_distribution(self.module, self.client, self.name)

    def status(self, distribution_id):
        return self.call("get_distribution", "read the distribution", Id=distribution_id)["Distribution"]["Status"]

    def wait_deployed(self, distribution_id):
        if not self.module.params["wait"] or self.module.check_mode:
            return
        deadline = time.monotonic() + self.module.params["wait_timeout"]
        while True:
            status = self.status(distribution_id)
            if status == "Deployed":
                return
            if time.monotonic() > deadline:
                self.module.fail_json(msg=f"The distribution of {self.name} ({distribution_id}) was still {status} "
                                          f"after {self.module.params['wait_timeout']} seconds. Run the same command "
                                          "again: it waits for it.", actions=self.actions)
            time.sleep(15)

    def present(self):
        p = self.module.params
        item = self.found()
        if item is None:
            self.actions.append(f"create the distribution {self.comment} in front of {p['origin_domain']}")
            if self.module.check_mode:
                return
            config = wanted_config(p, f"{self.name}-{int(time.time())}")
            tags = {**p["tags"], "Name": self.name}
            made = self.call("create_distribution_with_tags", "create the distribution", DistributionConfigWithTags={
                "DistributionConfig": config,
                "Tags": {"Items": [{"Key": k, "Value": str(v)} for k, v in sorted(tags.items())]}})
            self.wait_deployed(made["Distribution"]["Id"])
            return
        current = self.call("get_distribution_config", "read the distribution", Id=item["Id"])
        wanted = wanted_config(p, current["DistributionConfig"]["CallerReference"])
        changes = describe_changes(summary(current["DistributionConfig"]), summary(wanted))
        if changes:
            self.actions.append(f"update the distribution {item['Id']}: " + "; ".join(changes))
            if not self.module.check_mode:
                self.call("update_distribution", "update the distribution", Id=item["Id"], IfMatch=current["ETag"],
                          DistributionConfig=wanted)
        self.wait_deployed(item["Id"])

    def absent(self):
        item = self.found()
        if item is None:
            return
        current = self.call("get_distribution_config", "read the distribution", Id=item["Id"])
        config, etag = current["DistributionConfig"], current["ETag"]
        if config.get("Enabled"):
            self.actions.append(f"disable the distribution {item['Id']}")
            if self.module.check_mode:
                self.actions.append(f"delete the distribution {item['Id']}")
                return
            etag = self.call("update_distribution", "disable the distribution", Id=item["Id"], IfMatch=etag,
                             DistributionConfig={**config, "Enabled": False})["ETag"]
        self.actions.append(f"delete the distribution {item['Id']}")
        if self.module.check_mode:
            return
        if not self.module.params["wait"]:
            status = self.status(item["Id"])
            if status != "Deployed":
                self.module.fail_json(msg=f"The distribution of {self.name} is being disabled ({status}); run again "
                                          "with wait to delete it.", actions=self.actions)
        self.wait_deployed(item["Id"])
        self.call("delete_distribution", "delete the distribution", Id=item["Id"], IfMatch=etag)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            origin_domain=dict(type="str"),
            origin_protocol=dict(type="str", choices=["http-only", "https-only"], default="http-only"),
            aliases=dict(type="list", elements="str", default=[]),
            certificate_arn=dict(type="str", default=""),
            web_acl_arn=dict(type="str", default=""),
            cached_paths=dict(type="list", elements="str", default=["/static/*"]),
            price_class=dict(type="str", choices=["PriceClass_100", "PriceClass_200", "PriceClass_All"],
                             default="PriceClass_100"),
            tags=dict(type="dict", default={}),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=1800),
        ),
        supports_check_mode=True,
    )
    check_inputs(module)
    site = Site(module)
    if module.params["state"] == "present":
        site.present()
    else:
        site.absent()
    module.exit_json(changed=bool(site.actions), actions=site.actions, distribution=summary_of(site.found()))


if __name__ == "__main__":
    main()
