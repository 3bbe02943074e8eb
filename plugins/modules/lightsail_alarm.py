#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: lightsail_alarm
short_description: Create, update and delete an Amazon Lightsail metric alarm, and its e-mail contact
version_added: 1.0.0
description:
  - Makes sure the Lightsail metric alarm O(name) watches O(metric_name) of O(monitored_resource_name)
    (an instance, load balancer or managed database) as asked; an alarm that already matches is left alone.
  - Lightsail evaluates alarms every five minutes; O(evaluation_periods) counts those periods.
  - Lightsail sends alarms to the region's contact methods (one e-mail address per region, shared by
    every alarm of the account there). With O(contact_email), the region's e-mail contact is created
    when there is none; one that exists with another address is left as it is, with a warning, since
    other alarms may use it. A new address must be confirmed from the e-mail Lightsail sends.
  - O(state=absent) deletes the alarm (the contact method stays).
options:
  name:
    description: The alarm's name (letters, digits, hyphens, underscores).
    type: str
    required: true
  state:
    description: Whether the alarm should exist.
    type: str
    choices: [present, absent]
    default: present
  metric_name:
    description:
      - The metric, for a database one of C(CPUUtilization), C(DatabaseConnections), C(DiskQueueDepth),
        C(FreeStorageSpace) (bytes), C(NetworkReceiveThroughput), C(NetworkTransmitThroughput).
      - Required with O(state=present).
    type: str
  monitored_resource_name:
    description: The Lightsail resource watched. Required with O(state=present).
    type: str
  comparison_operator:
    description: How the metric compares with O(threshold).
    type: str
    choices: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold]
    default: GreaterThanThreshold
  threshold:
    description: The value compared with. Required with O(state=present).
    type: float
  evaluation_periods:
    description: Five-minute periods looked at, 1 to 288 (24 hours).
    type: int
    default: 2
  datapoints_to_alarm:
    description: Periods of O(evaluation_periods) that must cross the threshold; default all of them.
    type: int
  treat_missing_data:
    description: How a period without data counts.
    type: str
    choices: [breaching, notBreaching, ignore, missing]
    default: missing
  notification_triggers:
    description: The states that notify.
    type: list
    elements: str
    choices: [OK, ALARM, INSUFFICIENT_DATA]
    default: [ALARM]
  contact_email:
    description: The address the region's e-mail contact method should have (see the description).
    type: str
attributes:
  check_mode:
    support: full
    details: Reports whether the alarm (or the contact method) would be created, changed or deleted; changes nothing.
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
  - "IAM: C(lightsail:GetAlarms), C(PutAlarm), C(DeleteAlarm), C(GetContactMethods), C(CreateContactMethod)."
"""

EXAMPLES = r"""
- name: Tell the team when the database has more than 15 connections for 10 minutes
  precedentum.deploy.lightsail_alarm:
    name: precedentum-lite-db-connections
    metric_name: DatabaseConnections
    monitored_resource_name: precedentum-lite-db
    threshold: 15
    evaluation_periods: 2
    contact_email: founders@example.com
"""

RETURN = r"""
alarm:
  description: The alarm as Lightsail returns it (snake_case); empty when absent or not made yet (check mode).
  returned: always
  type: dict
  contains:
    name:
      description: The alarm's name.
      type: str
      returned: when it exists
      sample: precedentum-lite-db-cpu
    metric_name:
      description: The metric watched.
      type: str
      returned: when it exists
      sample: CPUUtilization
    threshold:
      description: The threshold.
      type: float
      returned: when it exists
      sample: 80.0
    state:
      description: C(OK), C(ALARM) or C(INSUFFICIENT_DATA).
      type: str
      returned: when it exists
      sample: OK
contact:
  description: The region's e-mail contact method (address and status, for example V(PendingVerification)).
  returned: when O(contact_email) is given
  type: dict
  contains:
    address:
      description: The e-mail address.
      type: str
      returned: when one exists
      sample: ops@example.com
    status:
      description: Its verification status.
      type: str
      returned: when one exists
      sample: PendingVerification
"""

import re

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

NAME_RE = re.compile(r"^\w[\w-]*\w$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def problems_of(p):
    problems = []
    if not NAME_RE.match(p["name"] or ""):
        problems.append(f"name: {p['name']!r} must be letters, digits, hyphens and underscores")
    if p["state"] == "present":
        for option in ("metric_name", "monitored_resource_name", "threshold"):
            if p[option] is None:
                problems.append(f"{option}: required with state=present")
    if not 1 <= p["evaluation_periods"] <= 288:
        problems.append("evaluation_periods: from 1 to 288 (five-minute periods)")
    if p["datapoints_to_alarm"] is not None and not 1 <= p["datapoints_to_alarm"] <= p["evaluation_periods"]:
        problems.append("datapoints_to_alarm: from 1 to evaluation_periods")
    if p["contact_email"] is not None and not EMAIL_RE.match(p["contact_email"]):
        problems.append(f"contact_email: {p['contact_email']!r} is not an e-mail address")
    return problems


def wanted_alarm(p):
    """PutAlarm's request for the options."""
    return {"alarmName": p["name"], "metricName": p["metric_name"],
            "monitoredResourceName": p["monitored_resource_name"],
            "comparisonOperator": p["comparison_operator"], "threshold": float(p["threshold"]),
            "evaluationPeriods": p["evaluation_periods"],
            "datapointsToAlarm": p["datapoints_to_alarm"] or p["evaluation_periods"],
            "treatMissingData": p["treat_missing_data"], "contactProtocols": ["Email"] if p["contact_email"] else [],
            "notificationTriggers": sorted(p["notification_triggers"]), "notificationEnabled": True}


def differences(held, wanted):
    """The keys of PutAlarm's request in which the held alarm differs."""
    have = {**held, "monitoredResourceName": (held.get("monitoredResourceInfo") or {}).get("name"),
            "alarmName": held.get("name"), "threshold": float(held.get("threshold", 0)),
            "notificationTriggers": sorted(held.get("notificationTriggers") or []),
            "contactProtocols": sorted(held.get("contactProtocols") or [])}
    return sorted(k for k, v in wanted.items() if have.get(k) != (sorted(v) if isinstance(v, list) else v))


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            metric_name=dict(type="str"),
            monitored_resource_name=dict(type="str"),
            comparison_operator=dict(type="str", default="GreaterThanThreshold",
                                     choices=["GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
                                              "LessThanThreshold", "LessThanOrEqualToThreshold"]),
            threshold=dict(type="float"),
            evaluation_periods=dict(type="int", default=2),
            datapoints_to_alarm=dict(type="int"),
            treat_missing_data=dict(type="str", default="missing",
                                    choices=["breaching", "notBreaching", "ignore", "missing"]),
            notification_triggers=dict(type="list", elements="str", default=["ALARM"],
                                       choices=["OK", "ALARM", "INSUFFICIENT_DATA"]),
            contact_email=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    problems = problems_of(p)
    if problems:
        module.fail_json(msg="; ".join(problems))
    client = module.client("lightsail")

    def call(what, method, **kwargs):
        try:
            return getattr(client, method)(**kwargs)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg=f"Could not {what}")

    try:
        held = client.get_alarms(alarmName=p["name"])["alarms"][0]
    except client.exceptions.NotFoundException:
        held = None
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Could not read the Lightsail alarm {p['name']}")

    if p["state"] == "absent":
        if held and not module.check_mode:
            call(f"delete the Lightsail alarm {p['name']}", "delete_alarm", alarmName=p["name"])
        module.exit_json(changed=held is not None, alarm={})

    changed = False
    result = {}
    if p["contact_email"]:
        contacts = call("read the Lightsail contact methods", "get_contact_methods",
                        protocols=["Email"])["contactMethods"]
        contact = contacts[0] if contacts else None
        if contact is None:
            changed = True
            contact = {"contactEndpoint": p["contact_email"], "protocol": "Email", "status": "PendingVerification"}
            if not module.check_mode:
                call("create the e-mail contact method", "create_contact_method", protocol="Email",
                     contactEndpoint=p["contact_email"])
        elif contact["contactEndpoint"].lower() != p["contact_email"].lower():
            module.warn(f"Lightsail's e-mail contact in this region is {contact['contactEndpoint']}, not "
                        f"{p['contact_email']}; it is left as it is (other alarms may use it). Change it in the "
                        "Lightsail console (Account > Notifications) if it should be this address.")
        result["contact"] = {"address": contact["contactEndpoint"], "status": contact.get("status", "")}

    wanted = wanted_alarm(p)
    changes = differences(held, wanted) if held else sorted(wanted)
    if changes:
        changed = True
        if not module.check_mode:
            call(f"put the Lightsail alarm {p['name']}", "put_alarm", **wanted)
            held = client.get_alarms(alarmName=p["name"])["alarms"][0]
    module.exit_json(changed=changed, alarm=camel_dict_to_snake_dict(held) if held else {}, **result)


if __name__ == "__main__":
    main()
