#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudwatch_alarm_actions
short_description: Silence the actions of a deployment's CloudWatch alarms while it is paused, or let them act again
version_added: 1.0.0
description:
  - Finds the metric alarms whose names start with O(alarm_name_prefix) and turns their actions off
    (O(enabled=false)) or on. An alarm whose actions are off still changes state and shows on the dashboard;
    it only sends no notification.
  - A paused deployment has no tasks and a stopped database, so its alarms on running tasks, healthy targets and
    the database would notify for nothing.
  - Changes only the actions' switch (C(DisableAlarmActions), C(EnableAlarmActions)), never the alarm; idempotent,
    honest in check mode.
options:
  alarm_name_prefix:
    description: The prefix of the alarms' names (the monitoring role's C(<prefix>-)); at least 3 characters.
    type: str
    required: true
  enabled:
    description: Whether the alarms' actions run.
    type: bool
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
  - "IAM: C(cloudwatch:DescribeAlarms), C(cloudwatch:DisableAlarmActions), C(cloudwatch:EnableAlarmActions)."
"""

EXAMPLES = r"""
- name: No notifications while paused
  precedentum.deploy.cloudwatch_alarm_actions:
    alarm_name_prefix: precedentum-testing-
    enabled: false
"""

RETURN = r"""
alarms:
  description: The alarms found, by name, each with whether its actions run now (in check mode, would run).
  returned: always
  type: dict
  sample: {precedentum-testing-backend-cpu: false}
changed_alarms:
  description: The alarms whose switch was turned (in check mode, would be).
  returned: always
  type: list
  elements: str
  sample: [precedentum-testing-backend-cpu]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call

BATCH = 100  # alarm names per Enable/DisableAlarmActions call


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            alarm_name_prefix=dict(type="str", required=True),
            enabled=dict(type="bool", required=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if len(p["alarm_name_prefix"].strip()) < 3:
        module.fail_json(msg=f"alarm_name_prefix: {p['alarm_name_prefix']!r} is too short to name only this "
                             "deployment's alarms (at least 3 characters, such as precedentum-testing-)")
    cloudwatch = module.client("cloudwatch")
    alarms = {}
    try:
        pages = cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=p["alarm_name_prefix"],
                                                                     AlarmTypes=["MetricAlarm"])
        for page in pages:
            for alarm in page.get("MetricAlarms") or []:
                alarms[alarm["AlarmName"]] = bool(alarm.get("ActionsEnabled", True))
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Could not list the alarms named {p['alarm_name_prefix']}*")
    turned = sorted(name for name, enabled in alarms.items() if enabled != p["enabled"])
    if turned and not module.check_mode:
        operation = "enable_alarm_actions" if p["enabled"] else "disable_alarm_actions"
        for start in range(0, len(turned), BATCH):
            aws_call(module, cloudwatch, operation, f"turn {'on' if p['enabled'] else 'off'} the actions of "
                     f"{', '.join(turned[start:start + BATCH])}", AlarmNames=turned[start:start + BATCH])
    module.exit_json(changed=bool(turned), changed_alarms=turned,
                     alarms={name: p["enabled"] if name in turned else enabled for name, enabled in alarms.items()})


if __name__ == "__main__":
    main()
