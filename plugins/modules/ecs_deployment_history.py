#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_deployment_history
short_description: Remember which ECS task definition revisions completed a rollout, and read that history back
version_added: 1.0.0
description:
  - ECS keeps no history of a service's deployments once they are replaced, and a revision registered for a rollout
    that failed (the circuit breaker rolled it back) looks like any other. This module keeps the history on the
    revisions themselves, as tags.
  - O(completed) marks revisions that completed a rollout - the tag C(precedentum:completed) with the time, once
    (a revision marked already keeps its first time).
  - O(rolled_back_from) marks revisions that a rollback deployed - the tag C(precedentum:rolled-back-from) with the
    image tag the service ran before.
  - O(families) reads the history - the newest O(depth) ACTIVE revisions of each family, newest first, each with its
    image tags and the two marks.
  - Idempotent, honest in check mode (it reads and says what it would mark).
options:
  completed:
    description: Revisions (C(family:revision)) that completed a rollout.
    type: list
    elements: str
    default: []
  rolled_back_from:
    description: Revisions (C(family:revision)) a rollback deployed, each with the image tag it replaced.
    type: dict
    default: {}
  families:
    description: The families whose history to read.
    type: list
    elements: str
    default: []
  depth:
    description: How many of each family's newest revisions to read (1 to 100).
    type: int
    default: 20
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
  - "IAM: C(ecs:DescribeTaskDefinition), C(ecs:ListTaskDefinitions), C(ecs:TagResource)."
"""

EXAMPLES = r"""
- name: Remember that the backend's revision 7 completed its rollout
  precedentum.deploy.ecs_deployment_history:
    completed: [precedentum-testing-backend:7]

- name: Read the backend's history
  precedentum.deploy.ecs_deployment_history:
    families: [precedentum-testing-backend]
  register: history
"""

RETURN = r"""
history:
  description: By family, its newest ACTIVE revisions, newest first.
  returned: always
  type: dict
  sample:
    precedentum-testing-backend:
      - revision: precedentum-testing-backend:7
        image_tags: {backend: 1a2b3c4d5e6f}
        completed_at: "2026-12-07T09:12:03Z"
        rolled_back_from: ""
actions:
  description: What was marked (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["precedentum-testing-backend:7 completed"]
"""

import datetime
import re

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call

COMPLETED = "precedentum:completed"
ROLLED_BACK_FROM = "precedentum:rolled-back-from"
REVISION = re.compile(r"^[A-Za-z0-9_-]{1,255}:[0-9]+$")


def described(module, ecs, revision):
    found = aws_call(module, ecs, "describe_task_definition", f"read the task definition {revision}",
                     taskDefinition=revision, include=["TAGS"])
    tags = {t["key"]: t["value"] for t in found.get("tags") or []}
    definition = found["taskDefinition"]
    return definition, tags


def mark(module, ecs, revision, key, value, actions, what):
    definition, tags = described(module, ecs, revision)
    if key in tags and (key == COMPLETED or tags[key] == value):
        return
    actions.append(f"{revision} {what}")
    if not module.check_mode:
        aws_call(module, ecs, "tag_resource", f"mark {revision}", resourceArn=definition["taskDefinitionArn"],
                 tags=[{"key": key, "value": value}])


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            completed=dict(type="list", elements="str", default=[]),
            rolled_back_from=dict(type="dict", default={}),
            families=dict(type="list", elements="str", default=[]),
            depth=dict(type="int", default=20),
        ),
        supports_check_mode=True,
    )
    p = module.params
    wrong = [r for r in p["completed"] + list(p["rolled_back_from"]) if not REVISION.match(r)]
    if wrong:
        module.fail_json(msg=f"completed/rolled_back_from: {', '.join(wrong)} are not family:revision")
    if not 1 <= p["depth"] <= 100:
        module.fail_json(msg=f"depth: {p['depth']} must be 1 to 100")
    ecs, actions = module.client("ecs"), []
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for revision in dict.fromkeys(p["completed"]):
        mark(module, ecs, revision, COMPLETED, now, actions, "completed")
    for revision, tag in p["rolled_back_from"].items():
        mark(module, ecs, revision, ROLLED_BACK_FROM, str(tag), actions, f"deployed by a rollback from {tag}")
    history = {}
    for family in dict.fromkeys(p["families"]):
        arns = aws_call(module, ecs, "list_task_definitions", f"list the revisions of {family}", familyPrefix=family,
                        status="ACTIVE", sort="DESC", maxResults=p["depth"]).get("taskDefinitionArns") or []
        entries = []
        for arn in arns:
            revision = arn.rsplit("/", 1)[-1]
            if revision.rsplit(":", 1)[0] != family:
                continue  # familyPrefix matches longer names too
            definition, tags = described(module, ecs, revision)
            entries.append({"revision": revision,
                            "image_tags": {c["name"]: c.get("image", "").rsplit(":", 1)[-1]
                                           for c in definition.get("containerDefinitions") or []},
                            "completed_at": tags.get(COMPLETED, ""),
                            "rolled_back_from": tags.get(ROLLED_BACK_FROM, "")})
        history[family] = entries
    module.exit_json(changed=bool(actions), actions=actions, history=history)


if __name__ == "__main__":
    main()
