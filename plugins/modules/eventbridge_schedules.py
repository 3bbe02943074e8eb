#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: eventbridge_schedules
short_description: Keep a group of EventBridge Scheduler schedules that call AWS APIs directly (universal targets)
version_added: 1.0.0
description:
  - With O(state=present), makes the schedule group O(group) (tagged O(tags)) and in it exactly the schedules of
    O(schedules) - each a cron or rate expression in a time zone whose target is an AWS API action called with a
    JSON input (a universal target, C(arn:aws:scheduler:::aws-sdk:<service>:<action>), no Lambda) under the role
    O(role_arn). A schedule that differs is updated; one in the group that is not listed is deleted.
  - With O(state=absent), deletes every schedule of the group, then the group.
  - C(amazon.aws) and C(community.aws) have no EventBridge Scheduler module (their C(cloudwatchevent_rule) is
    EventBridge's older rules, which cannot call an AWS API without a Lambda function).
  - Idempotent, honest in check mode.
options:
  group:
    description: The schedule group's name (1 to 64 letters, digits, C(.), C(-), C(_)).
    type: str
    required: true
  schedules:
    description: The schedules (with O(state=present)).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The schedule's name, unique in the group.
        type: str
        required: true
      expression:
        description: C(cron(0 8 ? * MON-FRI *)) or C(rate(1 day)).
        type: str
        required: true
      timezone:
        description: The time zone of the expression (a tz database name).
        type: str
        default: UTC
      action:
        description: The API action as C(<service>:<action>), in Scheduler's spelling - C(ecs:updateService),
          C(rds:stopDBInstance), C(cloudwatch:disableAlarmActions).
        type: str
        required: true
      input:
        description: The action's request parameters (as the API names them).
        type: dict
        default: {}
      description:
        description: What it does, in words.
        type: str
        default: ""
  role_arn:
    description: The role Scheduler takes to call the actions (trusting C(scheduler.amazonaws.com)).
    type: str
    default: ""
  tags:
    description: Tags of the group (schedules take none).
    type: dict
    default: {}
  state:
    description: C(present) or C(absent).
    type: str
    choices: [present, absent]
    default: present
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
  - "A schedule's call that fails (an instance already stopped) is not retried (C(MaximumRetryAttempts=0)); it is
    logged nowhere unless a dead-letter queue is given, which this module does not make."
  - "IAM: C(scheduler:GetScheduleGroup), C(scheduler:CreateScheduleGroup), C(scheduler:DeleteScheduleGroup),
    C(scheduler:ListSchedules), C(scheduler:GetSchedule), C(scheduler:CreateSchedule), C(scheduler:UpdateSchedule),
    C(scheduler:DeleteSchedule), C(scheduler:TagResource), C(iam:PassRole) on O(role_arn)."
"""

EXAMPLES = r"""
- name: Stop the database at 20:10 on weekdays, Chicago time
  precedentum.deploy.eventbridge_schedules:
    group: precedentum-testing
    role_arn: arn:aws:iam::123456789012:role/precedentum-testing-office-hours
    schedules:
      - name: precedentum-testing-db-stop
        expression: cron(10 20 ? * MON-FRI *)
        timezone: America/Chicago
        action: rds:stopDBInstance
        input: {DbInstanceIdentifier: precedentum-testing-db}
"""

RETURN = r"""
schedules:
  description: The schedules of the group after the change (in check mode, as they would be), by name - expression,
    time zone and target ARN.
  returned: always
  type: dict
  sample:
    precedentum-testing-db-stop:
      expression: cron(10 20 ? * MON-FRI *)
      timezone: America/Chicago
      target: arn:aws:scheduler:::aws-sdk:rds:stopDBInstance
actions:
  description: What was done (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["create precedentum-testing-db-stop", "delete the group precedentum-testing"]
"""

import json
import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call

NAME = re.compile(r"^[0-9a-zA-Z._-]{1,64}$")
ACTION = re.compile(r"^[a-z0-9-]+:[a-zA-Z0-9]+$")


def check_inputs(module):
    p, problems = module.params, []
    if not NAME.match(p["group"] or ""):
        problems.append(f"group: {p['group']!r} must be 1 to 64 letters, digits, '.', '-' or '_'")
    names = [s["name"] for s in p["schedules"]]
    if len(set(names)) != len(names):
        problems.append("schedules: a name is given twice")
    for s in p["schedules"]:
        if not NAME.match(s["name"] or ""):
            problems.append(f"schedules: name {s['name']!r} must be 1 to 64 letters, digits, '.', '-' or '_'")
        if not re.match(r"^(cron|rate|at)\(.+\)$", s["expression"] or ""):
            problems.append(f"schedules: {s['name']}: expression {s['expression']!r} is not cron(...), rate(...)"
                            " or at(...)")
        if not ACTION.match(s["action"] or ""):
            problems.append(f"schedules: {s['name']}: action {s['action']!r} is not <service>:<action>")
    if p["state"] == "present" and p["schedules"] and not p["role_arn"].startswith("arn:"):
        problems.append(f"role_arn: {p['role_arn']!r} is not a role's ARN")
    if problems:
        module.fail_json(msg="; ".join(problems))


def wanted_of(schedule, role_arn):
    return {"ScheduleExpression": schedule["expression"], "ScheduleExpressionTimezone": schedule["timezone"],
            "Description": schedule["description"], "State": "ENABLED", "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": f"arn:aws:scheduler:::aws-sdk:{schedule['action']}", "RoleArn": role_arn,
                       "Input": json.dumps(schedule["input"], sort_keys=True),
                       "RetryPolicy": {"MaximumRetryAttempts": 0, "MaximumEventAgeInSeconds": 3600}}}


def differs(wanted, found):
    target = found.get("Target") or {}
    try:
        found_input = json.loads(target.get("Input") or "{}")
    except ValueError:
        found_input = None
    return (any(found.get(key, "") != wanted[key] for key in
                ("ScheduleExpression", "ScheduleExpressionTimezone", "Description", "State"))
            or (found.get("FlexibleTimeWindow") or {}).get("Mode") != "OFF"
            or target.get("Arn") != wanted["Target"]["Arn"] or target.get("RoleArn") != wanted["Target"]["RoleArn"]
            or found_input != json.loads(wanted["Target"]["Input"]))


def existing(module, client, group):
    """The group's schedules by name (described), or None when the group does not exist."""
    try:
        client.get_schedule_group(Name=group)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read the schedule group {group}")
    names = []
    try:
        for page in client.get_paginator("list_schedules").paginate(GroupName=group):
            names += [s["Name"] for s in page.get("Schedules") or []]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Could not list the schedules of {group}")
    return {name: aws_call(module, client, "get_schedule", f"read the schedule {name}", GroupName=group, Name=name)
            for name in names}


def summary(name, schedule):
    return {"expression": schedule.get("ScheduleExpression", ""),
            "timezone": schedule.get("ScheduleExpressionTimezone", ""),
            "target": (schedule.get("Target") or {}).get("Arn", "")} if name else {}


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            group=dict(type="str", required=True),
            schedules=dict(type="list", elements="dict", default=[], options=dict(
                name=dict(type="str", required=True), expression=dict(type="str", required=True),
                timezone=dict(type="str", default="UTC"), action=dict(type="str", required=True),
                input=dict(type="dict", default={}), description=dict(type="str", default=""))),
            role_arn=dict(type="str", default=""),
            tags=dict(type="dict", default={}),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        supports_check_mode=True,
    )
    check_inputs(module)
    p = module.params
    client = module.client("scheduler")
    group = p["group"]
    found = existing(module, client, group)
    actions, result = [], {}
    if p["state"] == "absent":
        if found is not None:
            for name in sorted(found):
                actions.append(f"delete {name}")
                if not module.check_mode:
                    aws_call(module, client, "delete_schedule", f"delete the schedule {name}", GroupName=group,
                             Name=name)
            actions.append(f"delete the group {group}")
            if not module.check_mode:
                aws_call(module, client, "delete_schedule_group", f"delete the schedule group {group}", Name=group)
        module.exit_json(changed=bool(actions), actions=actions, schedules={})

    if found is None:
        actions.append(f"create the group {group}")
        found = {}
        if not module.check_mode:
            aws_call(module, client, "create_schedule_group", f"create the schedule group {group}", Name=group,
                     Tags=[{"Key": k, "Value": str(v)} for k, v in sorted(p["tags"].items())])
    for schedule in p["schedules"]:
        name, wanted = schedule["name"], wanted_of(schedule, p["role_arn"])
        result[name] = summary(name, {**wanted})
        if name in found and not differs(wanted, found[name]):
            continue
        verb = "update" if name in found else "create"
        actions.append(f"{verb} {name} ({schedule['expression']} {schedule['timezone']}: {schedule['action']})")
        if not module.check_mode:
            aws_call(module, client, f"{verb}_schedule", f"{verb} the schedule {name}", GroupName=group, Name=name,
                     **wanted)
    for name in sorted(set(found) - set(result)):
        actions.append(f"delete {name} (no longer wanted)")
        if not module.check_mode:
            aws_call(module, client, "delete_schedule", f"delete the schedule {name}", GroupName=group, Name=name)
    module.exit_json(changed=bool(actions), actions=actions, schedules=result)


if __name__ == "__main__":
    main()
