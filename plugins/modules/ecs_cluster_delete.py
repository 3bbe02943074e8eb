#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_cluster_delete
short_description: Delete an ECS cluster, failing cleanly (and so retryable) while its tasks still stop
version_added: 1.0.0
description:
  - Deletes the cluster O(name) when it is active; does nothing for a cluster that is gone or inactive.
  - ECS refuses the deletion for a while after the cluster's services were deleted, while their tasks stop
    (C(ClusterContainsTasksException)). This module fails then with that code in its message, so that the
    task can be retried (C(until)); C(community.aws.ecs_cluster) raises an exception there, which ansible-core
    does not retry.
  - Honest in check mode - it says whether it would delete the cluster.
options:
  name:
    description: The cluster's name.
    type: str
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
  - "IAM: C(ecs:DescribeClusters), C(ecs:DeleteCluster)."
"""

EXAMPLES = r"""
- name: Delete the cluster, trying again while its tasks stop
  precedentum.deploy.ecs_cluster_delete:
    name: precedentum-testing
  register: gone
  until: gone is not failed or 'ClusterContainsTasks' not in gone.msg
  retries: 30
  delay: 10
"""

RETURN = r"""
deleted:
  description: Whether the cluster was deleted (or would be, in check mode).
  returned: always
  type: bool
  sample: true
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    name = module.params["name"]
    if not name or "/" in name:
        module.fail_json(msg=f"name: {name!r} must be a cluster name (no '/')")
    ecs = module.client("ecs")
    found = aws_call(module, ecs, "describe_clusters", f"read the cluster {name}", clusters=[name])
    active = any(c.get("status") == "ACTIVE" for c in found.get("clusters") or [])
    if not active or module.check_mode:
        module.exit_json(changed=active, deleted=active)
    try:
        ecs.delete_cluster(cluster=name)
    except is_boto3_error_code("ClusterNotFoundException"):
        module.exit_json(changed=False, deleted=False)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not delete the cluster {name}")
    module.exit_json(changed=True, deleted=True)


if __name__ == "__main__":
    main()
