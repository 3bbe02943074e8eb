#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_task_definition
short_description: Register a Fargate task definition only when it differs from the family's latest revision
version_added: 1.0.0
description:
  - Compares the requested task definition with the latest C(ACTIVE) revision of its family and
    registers a new revision only when something differs - container definitions (image,
    environment, secrets, ports, command, logging, sizes), task CPU and memory, CPU architecture,
    execution and task roles.
  - Unlike M(community.aws.ecs_taskdefinition), a change of task CPU, memory, CPU architecture or
    execution role registers a new revision, and any older revision never counts as a match, so the
    latest revision is always what was last asked for.
  - Tags of the latest revision are updated in place; a tag change alone registers no revision.
  - With O(state=absent), deregisters every active revision of the family.
options:
  family:
    description: Task definition family (its name).
    type: str
    required: true
  state:
    description: V(present) registers when needed; V(absent) deregisters every active revision.
    type: str
    choices: [present, absent]
    default: present
  containers:
    description:
      - Container definitions in the shape of the ECS API (camelCase keys, as in
        C(register_task_definition)). Required when O(state=present).
    type: list
    elements: dict
  cpu:
    description: Task CPU units as ECS expects them for Fargate (V(256) is 0.25 vCPU).
    type: str
  memory:
    description: Task memory in MiB (V(512) is 0.5 GB).
    type: str
  cpu_architecture:
    description: CPU architecture of the Fargate task.
    type: str
    choices: [X86_64, ARM64]
    default: X86_64
  execution_role_arn:
    description: Role ECS uses to pull the image, read the secrets and write the logs.
    type: str
    default: ""
  task_role_arn:
    description: Role the application itself runs as.
    type: str
    default: ""
  tags:
    description: Tags of the revision.
    type: dict
    default: {}
  purge_tags:
    description: Remove tags of the latest revision that are not in O(tags).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
extends_documentation_fragment:
  - precedentum.deploy.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Backend task definition, 0.25 vCPU / 512 MB on ARM64
  precedentum.deploy.ecs_task_definition:
    family: precedentum-testing-backend
    cpu: "256"
    memory: "512"
    cpu_architecture: ARM64
    execution_role_arn: "{{ execution_role_arn }}"
    containers:
      - name: backend
        image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/precedentum-testing/backend:1a2b3c4
        portMappings: [{containerPort: 8000}]
        secrets:
          - name: DATABASE_PASSWORD
            valueFrom: "{{ db_secret_arn }}:password::"
    tags: {Project: precedentum}
  register: backend_td

- name: Deregister every revision
  precedentum.deploy.ecs_task_definition:
    family: precedentum-testing-backend
    state: absent
"""

RETURN = r"""
task_definition:
  description: The latest revision after the run (as described by ECS, snake_case keys); empty when absent.
  returned: always
  type: dict
  sample:
    task_definition_arn: "arn:aws:ecs:us-east-1:123456789012:task-definition/precedentum-testing-backend:3"
    revision: 3
  contains:
    family:
      description: The family.
      type: str
      returned: when it exists
      sample: precedentum-testing-backend
    revision:
      description: The revision.
      type: int
      returned: when it exists
      sample: 7
    task_definition_arn:
      description: Its ARN.
      type: str
      returned: when it exists
    container_definitions:
      description: The containers, snake_case keys.
      type: list
      elements: dict
      returned: when it exists
family_revision:
  description: C(family:revision) of the latest revision, as ECS services take it; empty when none.
  returned: always
  type: str
  sample: precedentum-testing-backend:3
differences:
  description: What differed from the latest revision (why a new one was or would be registered).
  returned: always
  type: list
  elements: str
  sample: ["cpu", "container backend: image"]
actions:
  description: The ECS API actions the module called that changed something (would call, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["RegisterTaskDefinition"]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.precedentum.deploy.plugins.module_utils.ecs import (
    dict_to_tags,
    normalize_task_definition,
    request_container,
    tags_to_dict,
    task_definition_differences,
)


def active_revisions(client, family):
    """ARNs of the family's active revisions, newest first (familyPrefix also matches longer names)."""
    paginator = client.get_paginator("list_task_definitions")
    arns = paginator.paginate(familyPrefix=family, status="ACTIVE", sort="DESC").build_full_result()
    arns = arns.get("taskDefinitionArns", [])
    arns = [arn for arn in arns if arn.split("/")[-1].rsplit(":", 1)[0] == family]
    # Sorted here: the sort parameter is not honoured everywhere.
    return sorted(arns, key=lambda arn: int(arn.rsplit(":", 1)[1]), reverse=True)


def describe(client, arn):
    response = client.describe_task_definition(taskDefinition=arn, include=["TAGS"], aws_retry=True)
    return response["taskDefinition"], tags_to_dict(response.get("tags"))


def result_of(definition):
    if not definition:
        return {}, ""
    return camel_dict_to_snake_dict(definition), f"{definition['family']}:{definition['revision']}"


def main():
    argument_spec = dict(
        family=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        containers=dict(type="list", elements="dict"),
        cpu=dict(type="str"),
        memory=dict(type="str"),
        cpu_architecture=dict(type="str", choices=["X86_64", "ARM64"], default="X86_64"),
        execution_role_arn=dict(type="str", default=""),
        task_role_arn=dict(type="str", default=""),
        tags=dict(type="dict", default={}),
        purge_tags=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["containers", "cpu", "memory"])],
    )
    client = module.client("ecs", retry_decorator=AWSRetry.jittered_backoff())
    family = module.params["family"]
    actions = []

    try:
        revisions = active_revisions(client, family)
        latest, latest_tags = describe(client, revisions[0]) if revisions else ({}, {})
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Could not read the task definitions of family {family}")

    if module.params["state"] == "absent":
        if revisions:
            actions.append("DeregisterTaskDefinition")
            if not module.check_mode:
                try:
                    for arn in revisions:
                        client.deregister_task_definition(taskDefinition=arn, aws_retry=True)
                except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                    module.fail_json_aws(e, msg=f"Could not deregister the task definitions of family {family}")
        module.exit_json(
            changed=bool(revisions), task_definition={}, family_revision="", differences=[], actions=actions
        )

    requested = {
        "family": family,
        "containerDefinitions": [request_container(c) for c in module.params["containers"]],
        "cpu": module.params["cpu"],
        "memory": module.params["memory"],
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "runtimePlatform": {"cpuArchitecture": module.params["cpu_architecture"], "operatingSystemFamily": "LINUX"},
    }
    for key, param in (("executionRoleArn", "execution_role_arn"), ("taskRoleArn", "task_role_arn")):
        if module.params[param]:
            requested[key] = module.params[param]
    wanted_tags = {str(k): str(v) for k, v in module.params["tags"].items()}

    differences = task_definition_differences(requested, latest)
    result_definition = latest
    if differences:
        actions.append("RegisterTaskDefinition")
        if not module.check_mode:
            try:
                params = dict(requested)
                if wanted_tags:
                    params["tags"] = dict_to_tags(wanted_tags)
                result_definition = client.register_task_definition(aws_retry=True, **params)["taskDefinition"]
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
                module.fail_json_aws(e, msg=f"Could not register a task definition for family {family}")
    else:
        missing = {k: v for k, v in wanted_tags.items() if latest_tags.get(k) != v}
        extra = [k for k in latest_tags if k not in wanted_tags] if module.params["purge_tags"] else []
        arn = latest["taskDefinitionArn"]
        try:
            if missing:
                actions.append("TagResource")
                if not module.check_mode:
                    client.tag_resource(resourceArn=arn, tags=dict_to_tags(missing), aws_retry=True)
            if extra:
                actions.append("UntagResource")
                if not module.check_mode:
                    client.untag_resource(resourceArn=arn, tagKeys=extra, aws_retry=True)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg=f"Could not tag {arn}")

    snake, family_revision = result_of(result_definition)
    result = dict(
        changed=bool(actions),
        task_definition=snake,
        family_revision=family_revision,
        differences=differences if latest else [],
        actions=actions,
    )
    if module._diff:
        result["diff"] = dict(
            before=normalize_task_definition(latest) if latest else {},
            after=normalize_task_definition(requested),
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
