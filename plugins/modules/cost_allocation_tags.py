#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cost_allocation_tags
short_description: Activate user-defined tags as cost allocation tags, so that the bill can be split by them
version_added: 1.0.0
description:
  - Resources can carry C(Project) and C(Environment), but Billing and Cost Explorer split costs by a tag only
    once it is activated as a cost allocation tag. This activates each key of O(tag_keys) that Billing knows
    and has inactive, and says which are active.
  - A key Billing does not know yet is reported in RV(unknown), not an error - Billing lists a tag up to 24
    hours after it is first used on a resource; run again later.
  - Only an account's management (payer) account can activate tags. In a member account of an organization
    the call is refused; the module then returns RV(available) false with the reason, and changes nothing.
  - Activating a tag is free and applies from then on, never to the past; costs split by tag appear in Cost
    Explorer after up to 24 hours.
  - Honest in check mode - it reads and says what it would activate.
options:
  tag_keys:
    description: The tag keys to activate (user-defined tags, e.g. C(Project), C(Environment)).
    type: list
    elements: str
    required: true
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
  - "IAM: C(ce:ListCostAllocationTags), C(ce:UpdateCostAllocationTagsStatus). Cost Explorer answers in us-east-1."
"""

EXAMPLES = r"""
- name: Split the bill by project and environment
  precedentum.deploy.cost_allocation_tags:
    tag_keys: [Project, Environment]
"""

RETURN = r"""
available:
  description: Whether the account can read and change its cost allocation tags (false in a member account).
  returned: always
  type: bool
  sample: true
reason:
  description: Why not, when RV(available) is false.
  returned: always
  type: str
  sample: Only the management account of an organization can activate cost allocation tags
active:
  description: The keys of O(tag_keys) active once this run is done (in check mode, those active already).
  returned: always
  type: list
  elements: str
activated:
  description: The keys this run activated (or would, in check mode).
  returned: always
  type: list
  elements: str
unknown:
  description: The keys Billing does not list yet (it does up to 24 hours after a tag's first use).
  returned: always
  type: list
  elements: str
"""

import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

KEY_RE = re.compile(r"^[\w.:/=+@ -]{1,128}$")
DENIED = ["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"]
BATCH = 20  # UpdateCostAllocationTagsStatus takes at most 20 keys


def statuses(module, ce, keys):
    """{key: Active|Inactive} of the keys Billing lists."""
    found, request = {}, {"TagKeys": keys, "Type": "UserDefined"}
    while True:
        page = ce.list_cost_allocation_tags(**request)
        found.update({t["TagKey"]: t.get("Status", "Inactive") for t in page.get("CostAllocationTags") or []})
        if not page.get("NextToken"):
            return found
        request["NextToken"] = page["NextToken"]


def unavailable(module, e, what):
    message = e.response.get("Error", {}).get("Message", "") if hasattr(e, "response") else str(e)
    module.exit_json(changed=False, available=False, active=[], activated=[], unknown=[],
                     reason=f"Cost allocation tags could not be {what} here ({message.strip() or 'access denied'}): "
                            "only the management account of an organization can activate them; ask its owner "
                            "to activate " + ", ".join(module.params["tag_keys"]) + " in Billing.")


def main():
    # Tag keys such as Project, not secrets (no_log=False answers the "key" in the name).
    argument_spec = dict(tag_keys=dict(type="list", elements="str", required=True, no_log=False))
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    keys = list(dict.fromkeys(module.params["tag_keys"]))
    bad = [k for k in keys if not KEY_RE.match(k) or k.lower().startswith("aws:")]
    if not keys or bad:
        module.fail_json(msg="tag_keys: one user-defined tag key or more (1 to 128 characters, not aws:...)"
                             + (f"; not: {', '.join(bad)}" if bad else ""))
    ce = module.client("ce", region="us-east-1")
    try:
        known = statuses(module, ce, keys)
    except is_boto3_error_code(DENIED) as e:
        unavailable(module, e, "read")
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg="Could not read the cost allocation tags")
    unknown = [k for k in keys if k not in known]
    inactive = [k for k in keys if known.get(k) == "Inactive"]
    active = [k for k in keys if known.get(k) == "Active"]
    if inactive and not module.check_mode:
        try:
            for start in range(0, len(inactive), BATCH):
                answer = ce.update_cost_allocation_tags_status(CostAllocationTagsStatus=[
                    {"TagKey": k, "Status": "Active"} for k in inactive[start:start + BATCH]])
                errors = answer.get("Errors") or []
                if errors:
                    module.fail_json(msg="Could not activate the cost allocation tags: " + "; ".join(
                        f"{e.get('TagKey')}: {e.get('Message') or e.get('Code')}" for e in errors))
        except is_boto3_error_code(DENIED) as e:
            unavailable(module, e, "activated")
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg="Could not activate the cost allocation tags " + ", ".join(inactive))
    done = active if module.check_mode else [k for k in keys if k in active or k in inactive]
    module.exit_json(changed=bool(inactive), available=True, reason="", active=done, activated=inactive,
                     unknown=unknown)


if __name__ == "__main__":
    main()
