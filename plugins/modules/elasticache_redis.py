#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: elasticache_redis
short_description: A one-node ElastiCache Redis (or Valkey) replication group in a subnet group of its own
version_added: 1.0.0
description:
  - Keeps an ElastiCache replication group of one node (cluster mode off) and its cache subnet group, both
    named O(name), as described; or deletes both, the group first.
  - Encrypted at rest and in transit by default (the URL is then C(rediss://)); reachable only through the
    security groups given.
  - Idempotent - what is as described is left alone; a node type, security groups or tags that differ are
    changed in place (a new node type restarts the node, and a cache loses what it held). What cannot change in
    place (engine, port, encryption, subnets of a group in use) is refused, naming the option.
  - Honest in check mode - it reads, says what it would do in RV(actions) and changes nothing.
  - (C(community.aws.elasticache) makes single cache clusters without tags, encryption in transit or check
    mode; hence this module.)
options:
  name:
    description: The replication group's and the subnet group's name (1 to 40 lowercase letters, digits and
      hyphens, starting with a letter, no two hyphens in a row, not ending with one).
    type: str
    required: true
  state:
    description: C(present) creates or updates; C(absent) deletes the group (waiting until it is gone) and
      then the subnet group.
    type: str
    choices: [present, absent]
    default: present
  engine:
    description: C(redis), or C(valkey) (the same protocol; AWS lists it lower).
    type: str
    choices: [redis, valkey]
    default: redis
  engine_version:
    description: The engine version at creation (AWS upgrades minor versions itself).
    type: str
    default: "7.1"
  node_type:
    description: The node type.
    type: str
    default: cache.t4g.micro
  port:
    description: The port.
    type: int
    default: 6379
  subnet_ids:
    description: The subnets of the subnet group (required when O(state=present)).
    type: list
    elements: str
    default: []
  security_group_ids:
    description: The VPC security groups of the node (required when O(state=present)).
    type: list
    elements: str
    default: []
  transit_encryption:
    description: TLS between clients and the node.
    type: bool
    default: true
  at_rest_encryption:
    description: Encrypt the node's disk and snapshots.
    type: bool
    default: true
  tags:
    description: Tags of the replication group (added and updated; others left alone).
    type: dict
    default: {}
  wait:
    description: Wait until the group is available (or gone).
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
  - "IAM: C(elasticache:DescribeReplicationGroups), C(CreateReplicationGroup), C(ModifyReplicationGroup),
    C(DeleteReplicationGroup), C(DescribeCacheSubnetGroups), C(CreateCacheSubnetGroup),
    C(ModifyCacheSubnetGroup), C(DeleteCacheSubnetGroup), C(ListTagsForResource), C(AddTagsToResource);
    the first cache of an account makes the service-linked role C(AWSServiceRoleForElastiCache)
    (C(iam:CreateServiceLinkedRole))."
"""

EXAMPLES = r"""
- name: The cache of the growth option
  precedentum.deploy.elasticache_redis:
    name: precedentum-testing-cache
    subnet_ids: [subnet-0a, subnet-0b]
    security_group_ids: [sg-0c]
    tags: {Project: precedentum}
  register: cache

- name: Hand its URL to the backend
  ansible.builtin.debug:
    msg: "REDIS_URL={{ cache.url }}"
"""

RETURN = r"""
replication_group:
  description: The group as ElastiCache describes it after the change (in check mode, as it is; empty when none).
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
url:
  description: The primary endpoint as a URL (C(rediss://host:port/0), or C(redis://) without transit encryption);
    empty when there is no group or no endpoint yet.
  returned: always
  type: str
  sample: rediss://precedentum-testing-cache.abc123.ng.0001.use1.cache.amazonaws.com:6379/0
actions:
  description: What was done (or would be, in check mode), in order.
  returned: always
  type: list
  elements: str
"""

import re
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call
from ansible_collections.precedentum.deploy.plugins.module_utils.elasticache import describe_group, endpoint_url

NAME_RE = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,39}(?<!-)$")
NODE_TYPE_RE = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+$")


def check_inputs(module):
    """Everything AWS would refuse, refused first, naming the option."""
    p = module.params
    problems = []
    if not NAME_RE.match(p["name"] or ""):
        problems.append(f"name: {p['name']!r}; 1 to 40 lowercase letters, digits and single hyphens, "
                        "starting with a letter")
    if p["state"] == "present":
        if not NODE_TYPE_RE.match(p["node_type"] or ""):
            problems.append(f"node_type: {p['node_type']!r} is not a node type (e.g. cache.t4g.micro)")
        if not 1 <= p["port"] <= 65535:
            problems.append(f"port: {p['port']}; 1 to 65535")
        if not p["subnet_ids"]:
            problems.append("subnet_ids: the subnet group needs at least one subnet")
        if not p["security_group_ids"]:
            problems.append("security_group_ids: give the node at least one security group (else the VPC's default)")
        if not re.match(r"^\d+(\.\d+)*$", p["engine_version"] or ""):
            problems.append(f"engine_version: {p['engine_version']!r} is not a version (e.g. 7.1)")
    if p["wait_timeout"] < 1:
        problems.append("wait_timeout: at least 1 second")
    if problems:
        module.fail_json(msg="; ".join(problems))


class Cache:
    def __init__(self, module):
        self.module = module
        self.client = module.client("elasticache")
        self.name = module.params["name"]
        self.actions = []

    def call(self, operation, what, **kwargs):
        return aws_call(self.module, self.client, operation, f"{what} ({self.name})", **kwargs)

    def group(self):
        return describe_group(self.module, self.client, self.name)

    def subnet_group(self):
        try:
            found = self.client.describe_cache_subnet_groups(CacheSubnetGroupName=self.name)["CacheSubnetGroups"]
        except is_boto3_error_code("CacheSubnetGroupNotFoundFault"):
            return None
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not read the cache subnet group {self.name}")
        return found[0] if found else None

    def wait_for(self, done, what):
        if not self.module.params["wait"] or self.module.check_mode:
            return
        deadline = time.monotonic() + self.module.params["wait_timeout"]
        while True:
            group = self.group()
            if done(group):
                return
            if time.monotonic() > deadline:
                status = group.get("Status") if group else "gone"
                self.module.fail_json(msg=f"The replication group {self.name} was not {what} after "
                                          f"{self.module.params['wait_timeout']} seconds (status {status}). "
                                          "Run the same command again: it waits for it.")
            time.sleep(10)

    def present(self):
        p = self.module.params
        subnets = self.subnet_group()
        wanted_subnets = sorted(p["subnet_ids"])
        if subnets is None:
            self.actions.append(f"create the cache subnet group {self.name} ({', '.join(wanted_subnets)})")
            if not self.module.check_mode:
                self.call("create_cache_subnet_group", "create the cache subnet group", CacheSubnetGroupName=self.name,
                          CacheSubnetGroupDescription="precedentum.deploy cache", SubnetIds=wanted_subnets)
        elif sorted(s["SubnetIdentifier"] for s in subnets.get("Subnets") or []) != wanted_subnets:
            self.actions.append(f"set the subnets of {self.name} to {', '.join(wanted_subnets)}")
            if not self.module.check_mode:
                self.call("modify_cache_subnet_group", "change the cache subnet group's subnets",
                          CacheSubnetGroupName=self.name, SubnetIds=wanted_subnets)

        group = self.group()
        if group is None or group.get("Status") == "deleting":
            if group is not None:
                self.wait_for(lambda g: g is None, "deleted")
            self.create()
        else:
            self.update(group)
        self.wait_for(lambda g: g is not None and g.get("Status") == "available", "available")

    def create(self):
        p = self.module.params
        self.actions.append(f"create the {p['engine']} {p['engine_version']} replication group {self.name} "
                            f"(one {p['node_type']} node)")
        if self.module.check_mode:
            return
        self.call("create_replication_group", "create the replication group",
                  ReplicationGroupId=self.name, ReplicationGroupDescription="precedentum.deploy cache",
                  Engine=p["engine"], EngineVersion=p["engine_version"], CacheNodeType=p["node_type"],
                  NumCacheClusters=1, AutomaticFailoverEnabled=False, Port=p["port"],
                  CacheSubnetGroupName=self.name, SecurityGroupIds=p["security_group_ids"],
                  TransitEncryptionEnabled=p["transit_encryption"], AtRestEncryptionEnabled=p["at_rest_encryption"],
                  Tags=[{"Key": k, "Value": str(v)} for k, v in sorted(p["tags"].items())])

    def member(self, group):
        """The group's node as a cache cluster (its security groups are described there); {} while there is none."""
        members = group.get("MemberClusters") or []
        if not members:
            return {}
        try:
            found = self.client.describe_cache_clusters(CacheClusterId=members[0])
        except is_boto3_error_code("CacheClusterNotFound"):
            return {}
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not read the node {members[0]} of {self.name}")
        return (found.get("CacheClusters") or [{}])[0]

    def update(self, group):
        p = self.module.params
        fixed = []
        engine = (group.get("Engine") or p["engine"]).lower()
        if engine != p["engine"]:
            fixed.append(f"engine: {engine} running, {p['engine']} asked")
        for option, key in (("transit_encryption", "TransitEncryptionEnabled"),
                            ("at_rest_encryption", "AtRestEncryptionEnabled")):
            if key in group and bool(group[key]) != p[option]:
                fixed.append(f"{option}: {bool(group[key])} on the group, {p[option]} asked")
        endpoints = [g["PrimaryEndpoint"] for g in group.get("NodeGroups") or [] if g.get("PrimaryEndpoint")]
        port = endpoints[0].get("Port") if endpoints else None
        if port is not None and port != p["port"]:
            fixed.append(f"port: {port} on the group, {p['port']} asked")
        if fixed:
            self.module.fail_json(msg=f"The replication group {self.name} cannot change in place: " + "; ".join(fixed)
                                  + ". Delete it (destroy.yml --tags cache) and run again to make a new one.")
        changes = {}
        if group.get("CacheNodeType") and group["CacheNodeType"] != p["node_type"]:
            changes["CacheNodeType"] = p["node_type"]
            self.actions.append(f"change the node type from {group['CacheNodeType']} to {p['node_type']} "
                                "(the node restarts empty)")
        node = self.member(group)
        running_groups = sorted(g["SecurityGroupId"] for g in node.get("SecurityGroups") or [])
        if node and running_groups != sorted(p["security_group_ids"]):
            changes["SecurityGroupIds"] = p["security_group_ids"]
            self.actions.append(f"set the security groups to {', '.join(sorted(p['security_group_ids']))}")
        if changes and not self.module.check_mode:
            self.call("modify_replication_group", "change the replication group", ReplicationGroupId=self.name,
                      ApplyImmediately=True, **changes)
        self.tag(group)

    def tag(self, group):
        wanted = {k: str(v) for k, v in self.module.params["tags"].items()}
        if not wanted or not group.get("ARN"):
            return
        listed = self.call("list_tags_for_resource", "read the tags", ResourceName=group["ARN"]).get("TagList") or []
        current = {t["Key"]: t["Value"] for t in listed}
        missing = {k: v for k, v in wanted.items() if current.get(k) != v}
        if missing:
            self.actions.append(f"tag {', '.join(sorted(missing))}")
            if not self.module.check_mode:
                self.call("add_tags_to_resource", "tag the replication group", ResourceName=group["ARN"],
                          Tags=[{"Key": k, "Value": v} for k, v in sorted(missing.items())])

    def absent(self):
        group = self.group()
        if group is not None and group.get("Status") != "deleting":
            self.actions.append(f"delete the replication group {self.name}")
            if not self.module.check_mode:
                self.call("delete_replication_group", "delete the replication group", ReplicationGroupId=self.name)
        if group is not None:
            self.wait_for(lambda g: g is None, "deleted")
        if self.subnet_group() is not None:
            self.actions.append(f"delete the cache subnet group {self.name}")
            if not self.module.check_mode:
                if self.group() is not None:
                    self.module.fail_json(msg=f"The replication group {self.name} is still being deleted: its subnet "
                                              "group goes when it is gone. Run the same command again later.",
                                          actions=self.actions)
                self.call("delete_cache_subnet_group", "delete the cache subnet group", CacheSubnetGroupName=self.name)


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            engine=dict(type="str", choices=["redis", "valkey"], default="redis"),
            engine_version=dict(type="str", default="7.1"),
            node_type=dict(type="str", default="cache.t4g.micro"),
            port=dict(type="int", default=6379),
            subnet_ids=dict(type="list", elements="str", default=[]),
            security_group_ids=dict(type="list", elements="str", default=[]),
            transit_encryption=dict(type="bool", default=True),
            at_rest_encryption=dict(type="bool", default=True),
            tags=dict(type="dict", default={}),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=1800),
        ),
        supports_check_mode=True,
    )
    check_inputs(module)
    cache = Cache(module)
    if module.params["state"] == "present":
        cache.present()
    else:
        cache.absent()
    group = cache.group()
    module.exit_json(changed=bool(cache.actions), actions=cache.actions,
                     replication_group=camel_dict_to_snake_dict(group or {}), url=endpoint_url(group))


if __name__ == "__main__":
    main()
