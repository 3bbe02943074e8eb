#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ec2_managed_prefix_list_info
short_description: Find a managed prefix list of the region by name (its id, for a security group rule)
version_added: 1.0.0
description:
  - Reads one managed prefix list, such as AWS's C(com.amazonaws.global.cloudfront.origin-facing) (the addresses
    CloudFront reaches origins from); changes nothing.
  - A security group rule that refers to a prefix list counts as its maximum number of entries against the
    group's rule quota (about 55 for CloudFront's, of 60 by default), returned as RV(max_entries).
options:
  name:
    description: The prefix list's name.
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
  - "IAM: C(ec2:DescribeManagedPrefixLists)."
"""

EXAMPLES = r"""
- name: Find CloudFront's origin-facing addresses
  precedentum.deploy.ec2_managed_prefix_list_info:
    name: com.amazonaws.global.cloudfront.origin-facing
  register: cloudfront
"""

RETURN = r"""
exists:
  description: Whether the region has the list.
  returned: always
  type: bool
  sample: true
prefix_list_id:
  description: Its id (C(pl-...)); empty when there is none.
  returned: always
  type: str
  sample: pl-3b927c52
max_entries:
  description: What a rule referring to it counts against a security group's rule quota; 0 when there is none.
  returned: always
  type: int
  sample: 55
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    name = module.params["name"]
    try:
        found = module.client("ec2").describe_managed_prefix_lists(
            Filters=[{"Name": "prefix-list-name", "Values": [name]}])["PrefixLists"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Could not read the managed prefix list {name}")
    found = [p for p in found if p.get("PrefixListName") == name]
    if not found:
        module.exit_json(changed=False, exists=False, prefix_list_id="", max_entries=0)
    module.exit_json(changed=False, exists=True, prefix_list_id=found[0]["PrefixListId"],
                     max_entries=int(found[0].get("MaxEntries") or 0))


if __name__ == "__main__":
    main()
