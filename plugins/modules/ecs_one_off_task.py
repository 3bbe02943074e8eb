#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_one_off_task
short_description: Run a one-off Fargate task (a migration, a management command), wait for it, fail with its exit code
version_added: 1.0.0
description:
  - Starts one task from an existing task definition with the command of one container
    overridden, waits until it stops (bounded by O(wait_timeout)), and fails with the container's
    exit code and ECS's stop reason unless the container exited with code 0.
  - With O(run_key) and O(run_value), remembers a successful run as a tag
    C(precedentum:<run_key>=<run_value>) on the cluster, and does not run again while the tag holds
    the same value (for example, migrations once per backend image). O(force) runs anyway.
  - The task gets no secrets through this module. Give them to the task definition's container as
    C(secrets) (C(valueFrom)); the plain O(environment) overrides are visible in C(DescribeTasks).
options:
  cluster:
    description: Cluster name or ARN.
    type: str
    required: true
  task_definition:
    description: Task definition to run (C(family), C(family:revision) or ARN).
    type: str
    required: true
  container:
    description: Name of the container whose command is overridden.
    type: str
    required: true
  command:
    description: The command, as a list of arguments (no shell).
    type: list
    elements: str
    required: true
  environment:
    description: Extra plain environment variables for the container (never secrets).
    type: dict
    default: {}
  subnets:
    description: Subnets of the task's network interface.
    type: list
    elements: str
    required: true
  security_groups:
    description: Security groups of the task's network interface.
    type: list
    elements: str
    required: true
  assign_public_ip:
    description: Give the task a public IPv4 address (needed on public subnets without a NAT gateway to pull images).
    type: bool
    default: true
  started_by:
    description: The C(startedBy) mark of the task, to find it in the console.
    type: str
    default: precedentum.deploy
  run_key:
    description: Name under which a successful run is remembered on the cluster (letters, digits, C(-), C(_)).
    type: str
  run_value:
    description: What the run is remembered for (an image, a user name). Required with O(run_key).
    type: str
  force:
    description: Run even when the cluster's record says it already ran for O(run_value).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the task to stop before failing (the task is then stopped).
    type: int
    default: 900
  poll_interval:
    description: Seconds between two looks at the task.
    type: int
    default: 6
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
"""

EXAMPLES = r"""
- name: Apply the database migrations once per backend image
  precedentum.deploy.ecs_one_off_task:
    cluster: precedentum-testing
    task_definition: precedentum-testing-backend
    container: backend
    command: [python, manage.py, migrate, --noinput]
    subnets: "{{ network_public_subnet_ids }}"
    security_groups: ["{{ network_security_group_ids.app }}"]
    run_key: migrate
    run_value: "{{ backend_image }}"
"""

RETURN = r"""
task_arn:
  description: ARN of the task that ran; empty when nothing ran.
  returned: always
  type: str
  sample: arn:aws:ecs:us-east-1:123456789012:task/precedentum-testing/4c1a2b3d4e5f
exit_code:
  description: Exit code of the container; null when nothing ran or it never started.
  returned: always
  type: int
  sample: 0
stopped_reason:
  description: ECS's reason for the stop.
  returned: always
  type: str
  sample: Essential container in task exited
skipped_reason:
  description: Why nothing ran (the record already holds O(run_value)); empty when the task ran.
  returned: always
  type: str
  sample: already ran for this image (marker found)
actions:
  description: The ECS API actions the module called that changed something (would call, in check mode).
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

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.precedentum.deploy.plugins.module_utils.ecs import stopped_task_problem, tags_to_dict

RECORD_PREFIX = "precedentum:"


def main():
    argument_spec = dict(
        cluster=dict(type="str", required=True),
        task_definition=dict(type="str", required=True),
        container=dict(type="str", required=True),
        command=dict(type="list", elements="str", required=True),
        environment=dict(type="dict", default={}),
        subnets=dict(type="list", elements="str", required=True),
        security_groups=dict(type="list", elements="str", required=True),
        assign_public_ip=dict(type="bool", default=True),
        started_by=dict(type="str", default="precedentum.deploy"),
        run_key=dict(type="str", no_log=False),
        run_value=dict(type="str"),
        force=dict(type="bool", default=False),
        wait_timeout=dict(type="int", default=900),
        poll_interval=dict(type="int", default=6),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_together=[("run_key", "run_value")],
    )
    p = module.params
    if p["run_key"] is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", p["run_key"]):
        module.fail_json(msg=f"run_key {p['run_key']!r}: use 1 to 64 letters, digits, '-' or '_'")
    if not p["command"]:
        module.fail_json(msg="command: give at least one argument")
    if p["wait_timeout"] < 1 or p["poll_interval"] < 1:
        module.fail_json(msg="wait_timeout and poll_interval must be at least 1 second")

    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    result = dict(changed=False, task_arn="", exit_code=None, stopped_reason="", skipped_reason="", actions=[])

    try:
        clusters = client.describe_clusters(clusters=[p["cluster"]], include=["TAGS"], aws_retry=True)["clusters"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Could not read cluster {p['cluster']}")
    cluster = next((c for c in clusters if c.get("status") == "ACTIVE"), None)
    if cluster is None:
        if module.check_mode:
            result.update(changed=True, actions=["RunTask"])
            module.exit_json(msg=f"Check mode: cluster {p['cluster']} does not exist yet; the task would run", **result)
        module.fail_json(msg=f"Cluster {p['cluster']} does not exist: create it first (the ecs role).", **result)

    record_key = RECORD_PREFIX + p["run_key"] if p["run_key"] else None
    if record_key and not p["force"]:
        recorded = tags_to_dict(cluster.get("tags")).get(record_key)
        if recorded == p["run_value"]:
            result["skipped_reason"] = (
                f"already ran for {p['run_value']} (tag {record_key} on cluster {cluster['clusterName']}); "
                "force it to run again"
            )
            module.exit_json(**result)

    result["changed"] = True
    result["actions"] = ["RunTask"] + (["TagResource"] if record_key else [])
    if module.check_mode:
        module.exit_json(**result)

    overrides = {"name": p["container"], "command": p["command"]}
    if p["environment"]:
        overrides["environment"] = [{"name": str(k), "value": str(v)} for k, v in sorted(p["environment"].items())]
    try:
        response = client.run_task(
            cluster=cluster["clusterArn"],
            taskDefinition=p["task_definition"],
            launchType="FARGATE",
            count=1,
            startedBy=p["started_by"][:128],
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": p["subnets"],
                    "securityGroups": p["security_groups"],
                    "assignPublicIp": "ENABLED" if p["assign_public_ip"] else "DISABLED",
                }
            },
            overrides={"containerOverrides": [overrides]},
            aws_retry=True,
        )
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Could not start the one-off task {' '.join(p['command'])}")
    if response.get("failures") or not response.get("tasks"):
        module.fail_json(
            msg=f"ECS did not start the one-off task {' '.join(p['command'])}: {response.get('failures')}", **result
        )
    task_arn = response["tasks"][0]["taskArn"]
    result["task_arn"] = task_arn

    deadline = time.monotonic() + p["wait_timeout"]
    task = response["tasks"][0]
    while True:
        try:
            task = client.describe_tasks(cluster=cluster["clusterArn"], tasks=[task_arn], aws_retry=True)["tasks"][0]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg=f"Could not follow the one-off task {task_arn}")
        if task.get("lastStatus") == "STOPPED" or time.monotonic() >= deadline:
            break
        time.sleep(p["poll_interval"])

    container = next((c for c in task.get("containers") or [] if c.get("name") == p["container"]), {})
    result["exit_code"] = container.get("exitCode")
    result["stopped_reason"] = task.get("stoppedReason", "")
    if task.get("lastStatus") != "STOPPED":
        try:
            client.stop_task(
                cluster=cluster["clusterArn"], task=task_arn, reason="precedentum.deploy: wait_timeout", aws_retry=True
            )
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
            pass
        module.fail_json(
            msg=f"The one-off task {' '.join(p['command'])} ({task_arn}) did not finish within "
            f"{p['wait_timeout']} s and was stopped; its logs are in CloudWatch Logs.",
            **result,
        )
    problem = stopped_task_problem(task, p["container"])
    if problem:
        module.fail_json(
            msg=f"The one-off task {' '.join(p['command'])} failed: {problem}. Its logs are in CloudWatch Logs.",
            **result,
        )
    if record_key:
        try:
            client.tag_resource(
                resourceArn=cluster["clusterArn"], tags=[{"key": record_key, "value": p["run_value"]}], aws_retry=True
            )
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg=f"The task succeeded but its record could not be kept on {p['cluster']}")
    module.exit_json(**result)


if __name__ == "__main__":
    main()
