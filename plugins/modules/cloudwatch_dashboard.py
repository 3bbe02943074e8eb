#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudwatch_dashboard
short_description: A CloudWatch dashboard with the body given, created, replaced when it differs, or deleted
version_added: 1.0.0
description:
  - Keeps one CloudWatch dashboard as described by O(body) (the dashboard body structure of
    PutDashboard - C(widgets), and optionally C(start), C(periodOverride)...).
  - Idempotent - the body AWS holds is compared with O(body) as JSON (key order and formatting do
    not count); it is written only when they differ. With C(--diff) the change shows as before and
    after bodies.
  - The first 3 dashboards of an account are free; each one more costs $3 a month.
options:
  name:
    description: The dashboard's name (letters, digits, C(-) and C(_); at most 255).
    type: str
    required: true
  state:
    description: C(present) creates or replaces; C(absent) deletes.
    type: str
    choices: [present, absent]
    default: present
  body:
    description:
      - The dashboard body, as a mapping or a JSON string (required when O(state=present)). It must
        hold a C(widgets) list; each widget a C(type) and, when given, C(x), C(y), C(width),
        C(height) within AWS's 24-column grid.
    type: raw
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
notes:
  - "IAM: C(cloudwatch:GetDashboard), C(cloudwatch:PutDashboard), C(cloudwatch:DeleteDashboards)."
"""

EXAMPLES = r"""
- name: The service's CPU on a dashboard
  precedentum.deploy.cloudwatch_dashboard:
    name: precedentum-testing
    body:
      widgets:
        - type: metric
          x: 0
          y: 0
          width: 12
          height: 6
          properties:
            title: ECS CPU
            region: us-east-1
            metrics:
              - [AWS/ECS, CPUUtilization, ClusterName, precedentum-testing, ServiceName, precedentum-testing-backend]
"""

RETURN = r"""
dashboard_arn:
  description: The dashboard's ARN (empty when absent).
  returned: always
  type: str
  sample: arn:aws:cloudwatch::123456789012:dashboard/precedentum-testing
body:
  description: The body AWS holds after the change (in check mode, as it is now).
  returned: always
  type: dict
  contains:
    widgets:
      description: The widgets, each with its C(type), position, size and C(properties).
      type: list
      elements: dict
      returned: when the dashboard exists
validation_messages:
  description: What PutDashboard said of the body (warnings; errors fail the task).
  returned: always
  type: list
  elements: dict
  contains:
    DataPath:
      description: Where in the body.
      type: str
      returned: always
      sample: /widgets/0/properties
    Message:
      description: What CloudWatch says of it.
      type: str
      returned: always
"""

import json
import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
WIDGET_TYPES = {"metric", "text", "log", "alarm", "explorer"}
GRID = 24


def parse_body(body):
    """The body as a dict and the problems with it (a list of strings naming where)."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError as e:
            return None, [f"body: not JSON ({e})"]
    if not isinstance(body, dict):
        return None, ["body: must be a mapping with a widgets list"]
    widgets = body.get("widgets")
    if not isinstance(widgets, list):
        return body, ["body.widgets: must be a list"]
    problems = []
    for i, widget in enumerate(widgets):
        where = f"body.widgets[{i}]"
        if not isinstance(widget, dict) or widget.get("type") not in WIDGET_TYPES:
            problems.append(f"{where}.type: one of {', '.join(sorted(WIDGET_TYPES))}")
            continue
        for key, low, high in (("x", 0, GRID - 1), ("y", 0, None), ("width", 1, GRID), ("height", 1, 1000)):
            value = widget.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < low or (high and value > high):
                problems.append(f"{where}.{key}: a whole number from {low}" + (f" to {high}" if high else ""))
        if isinstance(widget.get("x"), int) and isinstance(widget.get("width"), int) and \
                widget["x"] + widget["width"] > GRID:
            problems.append(f"{where}: x + width must not pass the {GRID} columns")
        if widget["type"] in ("metric", "text", "log", "alarm") and not isinstance(widget.get("properties"), dict):
            problems.append(f"{where}.properties: a {widget['type']} widget needs its properties")
    return body, problems


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(name=dict(type="str", required=True),
                           state=dict(type="str", choices=["present", "absent"], default="present"),
                           body=dict(type="raw")),
        supports_check_mode=True, required_if=[("state", "present", ["body"])])
    name, state = module.params["name"], module.params["state"]
    problems = [] if NAME.match(name) else [f"name: {name!r} must be 1 to 255 letters, digits, '-' or '_'"]
    body = None
    if state == "present":
        body, more = parse_body(module.params["body"])
        problems += more
    if problems:
        module.fail_json(msg="; ".join(problems))

    client = module.client("cloudwatch")
    try:
        held = client.get_dashboard(DashboardName=name)
        current, arn = json.loads(held["DashboardBody"]), held.get("DashboardArn", "")
    except is_boto3_error_code(["ResourceNotFound", "DashboardNotFoundError"]):
        current, arn = None, ""
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read the dashboard {name}")

    wanted = body if state == "present" else None
    changed = current != wanted
    diff = {"before": current or {}, "after": wanted or {}}
    messages = []
    if changed and not module.check_mode:
        try:
            if wanted is None:
                client.delete_dashboards(DashboardNames=[name])
            else:
                answer = client.put_dashboard(DashboardName=name, DashboardBody=json.dumps(wanted, sort_keys=True))
                messages = answer.get("DashboardValidationMessages", [])
                for message in messages:
                    module.warn(f"PutDashboard: {message.get('DataPath', '')} {message.get('Message', '')}".strip())
                arn = client.get_dashboard(DashboardName=name).get("DashboardArn", "")
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg=f"Could not {'delete' if wanted is None else 'write'} the dashboard {name}")
        current = wanted
    module.exit_json(changed=changed, diff=diff, dashboard_arn=arn if current is not None else "",
                     body=current or {}, validation_messages=messages)


if __name__ == "__main__":
    main()
