# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the CloudFront modules share: a site's distribution, found by its comment."""

from __future__ import annotations

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def comment_of(name):
    """CloudFront has no names: the comment carries the site's."""
    return f"{name} (precedentum.deploy)"


def find_distribution(module, client, name):
    """The distribution's summary (as ListDistributions gives it), or None."""
    try:
        for page in client.get_paginator("list_distributions").paginate():
            for item in (page.get("DistributionList") or {}).get("Items") or []:
                if item.get("Comment") == comment_of(name):
                    return item
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Could not list the CloudFront distributions ({name})")
    return None


def summary_of(item):
    """What the roles read of a distribution: id, ARN, domain name, status, enabled, web ACL; {} for none."""
    if item is None:
        return {}
    return {"id": item["Id"], "arn": item.get("ARN", ""), "domain_name": item.get("DomainName", ""),
            "status": item.get("Status", ""), "enabled": bool(item.get("Enabled")),
            "aliases": sorted((item.get("Aliases") or {}).get("Items") or []), "web_acl_id": item.get("WebACLId", "")}
