#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudfront_site_info
short_description: Find a site's CloudFront distribution by name
version_added: 1.0.0
description:
  - Reads the distribution made by M(precedentum.deploy.cloudfront_site) for a site (found by its comment,
    C(<name> (precedentum.deploy))); changes nothing.
options:
  name:
    description: The site's name.
    type: str
    required: true
extends_documentation_fragment:
  - precedentum.deploy.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
notes:
  - "IAM: C(cloudfront:ListDistributions)."
"""

EXAMPLES = r"""
- name: Find the distribution of phase 3.5
  precedentum.deploy.cloudfront_site_info:
    name: precedentum-testing
  register: edge
"""

RETURN = r"""
exists:
  description: Whether there is a distribution.
  returned: always
  type: bool
  sample: true
distribution:
  description: C(id), C(arn), C(domain_name), C(status), C(enabled), C(aliases), C(web_acl_id); empty when none.
  returned: always
  type: dict
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
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.cloudfront import find_distribution, summary_of


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    item = find_distribution(module, module.client("cloudfront"), module.params["name"])
    module.exit_json(changed=False, exists=item is not None, distribution=summary_of(item))


if __name__ == "__main__":
    main()
