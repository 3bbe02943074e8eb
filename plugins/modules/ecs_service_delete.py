#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_service_delete
short_description: Delete ECS services (their tasks stopped) and wait until they are gone
version_added: 1.0.0
description:
  - Deletes each service of O(services) that is active, with its running tasks (force), then waits until
    every one of them is inactive or gone (a service draining from an earlier deletion is waited for too).
  - Does nothing for a service, or a cluster, that does not exist; a second run reports no change.
  - Honest in check mode - it reads and says what it would delete.
  - Unlike C(community.aws.ecs_service) with C(state=absent), it sets no host facts (that module returns
    the deleted service's description as C(ansible_facts), which puts C(tags), C(status) and the other
    keys of a service among the host's variables, with a warning about the reserved name C(tags)).
options:
  cluster:
    description: The cluster's name.
    type: str
    required: true
  services:
    description: The services' names.
    type: list
    elements: str
    required: true
  wait:
    description: Wait until the services are inactive.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait (1 to 3600) before failing, naming the services still draining.
    type: int
    default: 600
  poll_interval:
    description: Seconds between two looks (1 to 60).
    type: int
    default: 5
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
  - "IAM: C(ecs:DescribeServices), C(ecs:DeleteService)."
"""

EXAMPLES = r"""
- name: Delete the two services of the separate layout
  precedentum.deploy.ecs_service_delete:
    cluster: precedentum-testing
    services: [precedentum-testing-backend, precedentum-testing-frontend]
"""

RETURN = r"""
deleted:
  description: The services deleted (or that would be, in check mode).
  returned: always
  type: list
  elements: str
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call

# DescribeServices takes at most 10 services.
BATCH = 10


def check_inputs(module):
    """What AWS would refuse, refused first, naming the option."""
    p, problems = module.params, []
    if not p["cluster"] or "/" in p["cluster"]:
        problems.append(f"cluster: {p['cluster']!r} must be a name (no '/')")
    if any(not name or "/" in name for name in p["services"]):
        problems.append("services: every item must be a service name (no '/')")
    if not 1 <= p["wait_timeout"] <= 3600:
        problems.append(f"wait_timeout: {p['wait_timeout']}; 1 to 3600 seconds")
    if not 1 <= p["poll_interval"] <= 60:
        problems.append(f"poll_interval: {p['poll_interval']}; 1 to 60 seconds")
    if problems:
        module.fail_json(msg="; ".join(problems))


def statuses(module, ecs, cluster, names):
    """{name: ACTIVE|DRAINING|INACTIVE} of the services that exist; {} when the cluster does not."""
    found = {}
    for start in range(0, len(names), BATCH):
        try:
            described = ecs.describe_services(cluster=cluster, services=names[start:start + BATCH])
        except is_boto3_error_code("ClusterNotFoundException"):
            return {}
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Could not read the services of cluster {cluster}")
        found.update({s["serviceName"]: s.get("status", "") for s in described.get("services") or []})
    return found


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            services=dict(type="list", elements="str", required=True),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=600),
            poll_interval=dict(type="int", default=5),
        ),
        supports_check_mode=True,
    )
    check_inputs(module)
    p = module.params
    ecs = module.client("ecs")
    names = list(dict.fromkeys(p["services"]))
    now = statuses(module, ecs, p["cluster"], names)
    deleted = [name for name in names if now.get(name) == "ACTIVE"]
    if module.check_mode:
        module.exit_json(changed=bool(deleted), deleted=deleted)
    for name in deleted:
        aws_call(module, ecs, "delete_service", f"delete the service {name} of cluster {p['cluster']}",
                 cluster=p["cluster"], service=name, force=True)
    if p["wait"]:
        deadline = time.monotonic() + p["wait_timeout"]
        while True:
            draining = sorted(n for n, s in statuses(module, ecs, p["cluster"], names).items() if s != "INACTIVE")
            if not draining:
                break
            if time.monotonic() >= deadline:
                module.fail_json(msg=f"The service(s) {', '.join(draining)} of cluster {p['cluster']} were still "
                                     f"not inactive after {p['wait_timeout']} s (wait_timeout); run again to go on "
                                     "waiting.", deleted=deleted)
            time.sleep(p["poll_interval"])
    module.exit_json(changed=bool(deleted), deleted=deleted)


if __name__ == "__main__":
    main()
