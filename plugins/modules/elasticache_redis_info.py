#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elasticache_redis_info
short_description: Find an ElastiCache replication group by name, with its URL
version_added: 1.0.0
description:
  - Reads one replication group (as made by M(precedentum.deploy.elasticache_redis)); changes nothing.
options:
  name:
    description: The replication group's name.
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
  - "IAM: C(elasticache:DescribeReplicationGroups)."
"""

EXAMPLES = r"""
- name: Find the cache of phase 1.5
  precedentum.deploy.elasticache_redis_info:
    name: precedentum-testing-cache
  register: cache
"""

RETURN = r"""
exists:
  description: Whether the group exists (and is not being deleted).
  returned: always
  type: bool
  sample: true
status:
  description: The group's status (C(creating), C(available), C(modifying), ...); empty when there is none.
  returned: always
  type: str
  sample: available
node_type:
  description: The node type; empty when there is none.
  returned: always
  type: str
  sample: cache.t4g.micro
url:
  description: The primary endpoint as a URL (C(rediss://) with transit encryption); empty when there is none yet.
  returned: always
  type: str
  sample: rediss://precedentum-testing-cache.abc123.ng.0001.use1.cache.amazonaws.com:6379/0
replication_group:
  description: The group as ElastiCache describes it (empty when there is none).
  returned: always
  type: dict
  contains:
    replication_group_id:
      description: The group's ID.
      type: str
      returned: when it exists
      sample: precedentum-testing-cache
    status:
      description: Its status.
      type: str
      returned: when it exists
      sample: available
    cache_node_type:
      description: The node type.
      type: str
      returned: when it exists
      sample: cache.t4g.micro
    transit_encryption_enabled:
      description: TLS between clients and the cache.
      type: bool
      returned: when it exists
      sample: true
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.elasticache import describe_group, endpoint_url


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    group = describe_group(module, module.client("elasticache"), module.params["name"])
    exists = group is not None and group.get("Status") != "deleting"
    module.exit_json(changed=False, exists=exists, status=(group or {}).get("Status", ""),
                     node_type=(group or {}).get("CacheNodeType", "") if exists else "",
                     url=endpoint_url(group) if exists else "", replication_group=camel_dict_to_snake_dict(group or {}))


if __name__ == "__main__":
    main()
