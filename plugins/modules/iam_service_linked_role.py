#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iam_service_linked_role
short_description: Make sure an AWS service's service-linked role exists in the account
version_added: 1.0.0
description:
  - Creates the service-linked role of O(aws_service_name) (for C(ecs.amazonaws.com), C(AWSServiceRoleForECS))
    when the account has none, and does nothing when it has one, however it was made.
  - ECS creates its role itself on first use, but not in time for the first cluster of an account made
    with capacity providers, which then fails with "Unable to assume the service linked role" (a re-run
    works). Making it first avoids that.
  - Never deletes a role - other clusters and services of the account use it.
  - Honest in check mode - it says the role would be created.
options:
  aws_service_name:
    description: The service principal, e.g. C(ecs.amazonaws.com).
    type: str
    required: true
  description:
    description: The role's description when it is created.
    type: str
    default: ""
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
  - "IAM: C(iam:ListRoles), C(iam:CreateServiceLinkedRole)."
"""

EXAMPLES = r"""
- name: The ECS service-linked role, before the first cluster
  precedentum.deploy.iam_service_linked_role:
    aws_service_name: ecs.amazonaws.com
"""

RETURN = r"""
role_name:
  description: The role's name (null in check mode for a role that would be created).
  returned: always
  type: str
  sample: AWSServiceRoleForECS
actions:
  description: What was done (or would be, in check mode).
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

SERVICE_RE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$")


def existing_role(module, iam, service):
    """The name of the service's service-linked role, or None. Such roles live under /aws-service-role/<service>/."""
    prefix = f"/aws-service-role/{service}/"
    try:
        pages = iam.get_paginator("list_roles").paginate(PathPrefix=prefix)
        for page in pages:
            for role in page.get("Roles") or []:
                if role.get("Path", "").startswith(prefix):
                    return role["RoleName"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Could not list the service-linked roles of {service}")
    return None


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            aws_service_name=dict(type="str", required=True),
            description=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    service = module.params["aws_service_name"]
    if not SERVICE_RE.match(service or ""):
        module.fail_json(msg=f"aws_service_name: {service!r} is not a service principal such as ecs.amazonaws.com")
    iam = module.client("iam")
    name = existing_role(module, iam, service)
    if name:
        module.exit_json(changed=False, role_name=name, actions=[])
    action = f"create the service-linked role of {service}"
    if module.check_mode:
        module.exit_json(changed=True, role_name=None, actions=[action])
    request = {"AWSServiceName": service}
    if module.params["description"]:
        request["Description"] = module.params["description"]
    try:
        created = iam.create_service_linked_role(**request)
    except is_boto3_error_code("InvalidInput") as e:
        # Made meanwhile by the service itself (or another run): fine when it is there now.
        name = existing_role(module, iam, service)
        if name:
            module.exit_json(changed=False, role_name=name, actions=[])
        module.fail_json_aws(e, msg=f"Could not {action}")
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not {action}")
    module.exit_json(changed=True, role_name=created["Role"]["RoleName"], actions=[action])


if __name__ == "__main__":
    main()
