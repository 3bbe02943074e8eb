#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: deployment_info
short_description: Find what exists of one Precedentum deployment, by name and tags
version_added: 1.0.0
description:
  - The one discovery the roles share. Each role that builds on an earlier phase asks this module for the parts it
    needs (the network, the image repositories, the load balancer, the database and its secret...) instead of
    running another role's tasks. Changes nothing.
  - Names follow the roles' convention under O(name_prefix) (C(<prefix>-vpc), C(<prefix>-alb), C(<prefix>/backend),
    ...); the few names an inventory may override are options here. The database's and the app's secrets are
    found by their C(Secret) tag (C(<prefix>/database), C(<prefix>/app)), which the roles that write them set,
    whatever their names.
options:
  name_prefix:
    description: The deployment's prefix, C(<precedentum_project>-<precedentum_environment>).
    type: str
    required: true
  parts:
    description:
      - What to look for; the account, partition and region are always returned.
      - C(ecs), C(alarms) and C(spend) (what runs now, the alarms, this month's spend, for C(status.yml)) are read
        only when named.
    type: list
    elements: str
    choices: [network, ecr, alb, cache, edge, rds, lightsail, storage, secrets, ecs, alarms, spend]
    default: [network, ecr, alb, cache, edge, rds, lightsail, storage, secrets]
  rds_instance_identifier:
    description: The DB instance's identifier when the inventory overrides it; empty for C(<prefix>-db).
    type: str
    default: ""
  lightsail_service_name:
    description: The Lightsail container service's name when overridden; empty for the prefix itself.
    type: str
    default: ""
  lightsail_database_name:
    description: The Lightsail database's name when overridden; empty for C(<prefix>-db).
    type: str
    default: ""
  storage_bucket_name:
    description: The file bucket's name when overridden; empty for C(<prefix>-files-<account>-<region>).
    type: str
    default: ""
extends_documentation_fragment:
  - precedentum.deploy.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
notes:
  - "IAM: C(sts:GetCallerIdentity), C(ec2:DescribeVpcs), C(ec2:DescribeSubnets), C(ec2:DescribeNatGateways),
    C(ec2:DescribeSecurityGroups), C(ecr:DescribeRepositories), C(elasticloadbalancing:DescribeLoadBalancers),
    C(elasticloadbalancing:DescribeTargetGroups), C(elasticache:DescribeReplicationGroups),
    C(cloudfront:ListDistributions), C(rds:DescribeDBInstances), C(lightsail:GetContainerServices),
    C(lightsail:GetContainerServiceDeployments), C(lightsail:GetRelationalDatabase), C(s3:ListBucket) (HeadBucket),
    C(secretsmanager:ListSecrets), C(secretsmanager:DescribeSecret), C(ecs:DescribeServices), C(ecs:ListTasks),
    C(ecs:DescribeTasks), C(ecs:DescribeTaskDefinition), C(elasticloadbalancing:DescribeTargetHealth),
    C(cloudwatch:DescribeAlarms), C(budgets:ViewBudget), each only for the parts asked for."
"""

EXAMPLES = r"""
- name: Find the network and the target groups of week 1
  precedentum.deploy.deployment_info:
    name_prefix: precedentum-testing
    parts: [network, alb]
  register: found

- name: Use them
  ansible.builtin.debug:
    msg: "{{ found.deployment.network.public_subnet_ids }} {{ found.deployment.alb.target_group_arns.backend }}"
"""

RETURN = r"""
deployment:
  description: What was found; only the parts asked for, besides the account.
  returned: always
  type: dict
  contains:
    name_prefix:
      description: The prefix asked for.
      type: str
      returned: always
      sample: precedentum-testing
    region:
      description: The region read.
      type: str
      returned: always
      sample: us-east-1
    account:
      description: The account's ID.
      type: str
      returned: always
      sample: "123456789012"
    partition:
      description: The account's partition, for ARNs.
      type: str
      returned: always
      sample: aws
    network:
      description: >-
        The VPC of phase 1.1 (C(vpc_id) empty when there is none), its C(cidr_block), C(public_subnet_ids) and
        C(private_subnet_ids) sorted by zone (and as C(public_subnets)/C(private_subnets) with C(id),
        C(availability_zone), C(cidr_block)), C(nat_gateway_ids) and C(security_group_ids) (C(alb), C(app),
        C(db); missing ones left out).
      type: dict
      returned: when asked for
      sample:
        vpc_id: vpc-0123456789abcdef0
        cidr_block: 10.0.0.0/16
        public_subnet_ids: [subnet-0a, subnet-0b]
        private_subnet_ids: []
        public_subnets: [{id: subnet-0a, availability_zone: us-east-1a, cidr_block: 10.0.1.0/24}]
        private_subnets: []
        nat_gateway_ids: []
        security_group_ids: {alb: sg-0a, app: sg-0b, db: sg-0c}
    ecr:
      description: The image repositories of phase 1.3, C(repository_uris) by service (missing ones left out).
      type: dict
      returned: when asked for
      sample: {repository_uris: {backend: 123456789012.dkr.ecr.us-east-1.amazonaws.com/precedentum-testing/backend}}
    alb:
      description: >-
        The load balancer of phase 1.4 (C(arn), C(dns_name), C(canonical_zone_id); empty when there is none) and
        C(target_group_arns) by service (missing ones left out).
      type: dict
      returned: when asked for
      sample:
        arn: arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/precedentum-testing-alb/1a2b
        dns_name: precedentum-testing-alb-1.us-east-1.elb.amazonaws.com
        canonical_zone_id: Z35SXDOTRQ7X7K
        target_group_arns: {backend: "arn:aws:elasticloadbalancing:...:targetgroup/precedentum-testing-backend/1a"}
    cache:
      description: The cache of phase 1.5, C(url) (empty when there is none).
      type: dict
      returned: when asked for
      sample: {url: "rediss://precedentum-testing-cache.abc123.use1.cache.amazonaws.com:6379/0"}
    edge:
      description: The CloudFront distribution of phase 3.5 (C(distribution), {} when none) and its C(domain_name).
      type: dict
      returned: when asked for
      sample:
        distribution: {id: E123, domain_name: d111.cloudfront.net, aliases: []}
        domain_name: d111.cloudfront.net
    rds:
      description: >-
        The DB instance of phase 1.2: C(identifier), C(exists), C(status), C(publicly_accessible), C(endpoint)
        (C(address), C(port); {} until it has one), and once it exists C(instance_class) and C(allocated_storage) (GB).
      type: dict
      returned: when asked for
      sample: {identifier: precedentum-testing-db, exists: true, status: available, publicly_accessible: true,
               endpoint: {address: precedentum-testing-db.abc.us-east-1.rds.amazonaws.com, port: 5432}}
    lightsail:
      description: >-
        The ultra-lean option's container C(service) (C(name), C(exists), C(url), C(state), and the
        C(deployments) Lightsail keeps, newest first: C(version), C(state), C(created_at), C(image_tags) by
        container) and C(database) (C(name), C(exists), C(endpoint) with C(host) and C(port)).
      type: dict
      returned: when asked for
      sample:
        service:
          name: precedentum-lite
          exists: true
          url: "https://precedentum-lite.abc.us-east-1.cs.amazonlightsail.com/"
          state: RUNNING
          deployments:
            - {version: 2, state: ACTIVE, created_at: "2026-12-03T10:00:00+00:00",
               image_tags: {backend: 1a2b3c4d5e6f, frontend: 1a2b3c4d5e6f}}
            - {version: 1, state: INACTIVE, created_at: "2026-12-01T09:00:00+00:00",
               image_tags: {backend: 0f9e8d7c6b5a, frontend: 0f9e8d7c6b5a}}
        database:
          name: precedentum-lite-db
          exists: true
          endpoint: {host: ls-abc.us-east-1.rds.amazonaws.com, port: 5432}
    storage:
      description: The file bucket of phase 1.3, C(bucket) (empty when it does not exist), its C(name) and C(region).
      type: dict
      returned: when asked for
      sample:
        bucket: precedentum-testing-files-123456789012-us-east-1
        name: precedentum-testing-files-123456789012-us-east-1
        region: us-east-1
    secrets:
      description: >-
        The C(database) and C(app) secrets, each with C(name) and C(arn) (both empty when it does not exist yet).
      type: dict
      returned: when asked for
      sample:
        database:
          name: precedentum-testing/rds/master
          arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:precedentum-testing/rds/master-AbCdEf"
        app: {name: "", arn: ""}
    ecs:
      description: >-
        The C(cluster) (its name), whether it C(exists), and its C(services) of either layout by key (C(backend),
        C(frontend), C(app)): C(name), C(desired), C(running), C(pending), C(rollout_state) of the PRIMARY deployment,
        C(deployments) (more than 1 while a rollout runs), C(task_definition) (family:revision), C(image_tags) by
        container, C(deployed_at) (when the PRIMARY deployment began), C(targets) by target group name
        (C(healthy), C(total)), C(exec) (ECS Exec on) and its running C(tasks), oldest first (C(id), C(status),
        C(exec): started with ECS Exec, C(exec_agent): its ExecuteCommandAgent's status, C(started_at)).
      type: dict
      returned: when asked for
      sample:
        cluster: precedentum-testing
        exists: true
        services:
          backend: {name: precedentum-testing-backend, desired: 1, running: 1, pending: 0, rollout_state: COMPLETED,
                    deployments: 1, task_definition: "precedentum-testing-backend:3",
                    image_tags: {backend: 1a2b3c4d5e6f}, deployed_at: "2026-12-01T09:12:03+00:00",
                    targets: {precedentum-testing-backend: {healthy: 1, total: 1}}, exec: false,
                    tasks: [{id: 0123456789abcdef0123456789abcdef, status: RUNNING, exec: false, exec_agent: "",
                             started_at: "2026-12-01T09:13:40+00:00"}]}
    alarms:
      description: >-
        The metric alarms named C(<prefix>-*) - C(count), their C(names), and those C(in_alarm) and C(silenced)
        (actions off).
      type: dict
      returned: when asked for
      sample: {count: 2, names: [precedentum-testing-alb-5xx, precedentum-testing-db-cpu], in_alarm: [], silenced: []}
    spend:
      description: >-
        The monitoring role's AWS budget C(<prefix>-monthly): C(budget), C(exists), and in dollars C(limit),
        C(actual) (this month so far) and C(forecast) (null when AWS has none yet).
      type: dict
      returned: when asked for
      sample: {budget: precedentum-testing-monthly, exists: true, limit: 75.0, actual: 12.4, forecast: 48.9}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.deployment import PARTS, STATUS_PARTS, Finder


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name_prefix=dict(type="str", required=True),
            parts=dict(type="list", elements="str", choices=list(PARTS + STATUS_PARTS),
                       default=list(PARTS)),
            rds_instance_identifier=dict(type="str", default=""),
            lightsail_service_name=dict(type="str", default=""),
            lightsail_database_name=dict(type="str", default=""),
            storage_bucket_name=dict(type="str", default=""),
        ),
        supports_check_mode=True,
    )
    if not module.params["name_prefix"].strip():
        module.fail_json(msg="name_prefix: empty; it is <precedentum_project>-<precedentum_environment>")
    module.exit_json(changed=False, deployment=Finder(module).read())


if __name__ == "__main__":
    main()
