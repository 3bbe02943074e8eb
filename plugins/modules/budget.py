#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: budget
short_description: An AWS Budgets cost budget with its alerts, created, updated in place or deleted
version_added: 1.0.0
description:
  - Keeps one cost budget of AWS Budgets as described - its limit and period, and its notifications
    (an amount or a percentage of the limit, on the ACTUAL or FORECASTED spend), each sent to the
    same e-mail addresses and SNS topics.
  - Idempotent - a budget as described is left alone; a different limit or period is updated in
    place (UpdateBudget), and notifications and subscribers are added or removed one by one, so the
    budget's history is kept.
  - AWS Budgets is global (its endpoint is in us-east-1, whatever O(region)); two budgets a month
    are free, each one more costs $0.02 a day (its alerts included).
options:
  name:
    description: The budget's name (unique in the account; no C(:) or C(\)).
    type: str
    required: true
  state:
    description: C(present) creates or updates; C(absent) deletes the budget and its notifications.
    type: str
    choices: [present, absent]
    default: present
  limit_usd:
    description: The budget's amount in USD for each period (required when O(state=present)).
    type: float
  time_unit:
    description: The budget's period.
    type: str
    choices: [MONTHLY, QUARTERLY, ANNUALLY]
    default: MONTHLY
  notifications:
    description: The alerts. Each is identified by its type, comparison, threshold and threshold type.
    type: list
    elements: dict
    default: []
    suboptions:
      type:
        description: C(ACTUAL) (spend so far) or C(FORECASTED) (AWS's forecast for the period).
        type: str
        choices: [ACTUAL, FORECASTED]
        required: true
      threshold:
        description: USD, or a percentage of O(limit_usd) with O(notifications[].threshold_type=PERCENTAGE).
        type: float
        required: true
      threshold_type:
        description: How O(notifications[].threshold) reads.
        type: str
        choices: [ABSOLUTE_VALUE, PERCENTAGE]
        default: ABSOLUTE_VALUE
      comparison:
        description: When the alert fires.
        type: str
        choices: [GREATER_THAN, LESS_THAN, EQUAL_TO]
        default: GREATER_THAN
  emails:
    description: E-mail addresses every notification is sent to (at most 10).
    type: list
    elements: str
    default: []
  sns_topic_arns:
    description: SNS topics every notification is sent to (at most 1, by AWS's rule).
    type: list
    elements: str
    default: []
  account_id:
    description: The account the budget belongs to (default the caller's, from STS).
    type: str
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
  - "IAM: C(budgets:ViewBudget), C(budgets:ModifyBudget) (both cover the notification and subscriber
    calls) and C(sts:GetCallerIdentity) without O(account_id)."
"""

EXAMPLES = r"""
- name: Billing alerts at $10, $30 and $50 spent, and when the month is forecast over $50
  precedentum.deploy.budget:
    name: precedentum-testing-monthly
    limit_usd: 50
    notifications:
      - {type: ACTUAL, threshold: 10}
      - {type: ACTUAL, threshold: 30}
      - {type: ACTUAL, threshold: 50}
      - {type: FORECASTED, threshold: 100, threshold_type: PERCENTAGE}
    emails: [founders@example.com]

- name: Stop the alerts
  precedentum.deploy.budget:
    name: precedentum-testing-monthly
    state: absent
"""

RETURN = r"""
budget:
  description: The budget as AWS describes it after the change (in check mode, as it is; empty when there is none).
  returned: always
  type: dict
  contains:
    budget_name:
      description: The budget's name.
      type: str
      returned: when the budget exists
      sample: precedentum-testing-monthly
    budget_limit:
      description: C(amount) and C(unit) (USD).
      type: dict
      returned: when the budget exists
      sample:
        amount: '80.0'
        unit: USD
    time_unit:
      description: The period.
      type: str
      returned: when the budget exists
      sample: MONTHLY
    budget_type:
      description: The kind of budget.
      type: str
      returned: when the budget exists
      sample: COST
notifications:
  description: The notifications after the change, each with its C(subscribers).
  returned: always
  type: list
  elements: dict
  sample: [{notification_type: ACTUAL, comparison_operator: GREATER_THAN, threshold: 10.0,
            threshold_type: ABSOLUTE_VALUE, subscribers: [{subscription_type: EMAIL, address: a@example.com}]}]
  contains:
    notification_type:
      description: C(ACTUAL) or C(FORECASTED).
      type: str
      returned: always
      sample: ACTUAL
    comparison_operator:
      description: How the spend is compared.
      type: str
      returned: always
      sample: GREATER_THAN
    threshold:
      description: The amount or percentage.
      type: float
      returned: always
      sample: 40.0
    threshold_type:
      description: C(ABSOLUTE_VALUE) or C(PERCENTAGE).
      type: str
      returned: always
      sample: ABSOLUTE_VALUE
    subscribers:
      description: Who is told, each with C(subscription_type) and C(address).
      type: list
      elements: dict
      returned: always
actions:
  description: What was done (or would be, in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["update the limit from 30.00 to 50.00 USD", "add ACTUAL > 50.0 ABSOLUTE_VALUE"]
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call

MAX_EMAILS = 10
MAX_TOPICS = 1
MAX_NOTIFICATIONS = 10


def notification_key(n):
    """What identifies a notification: its type, comparison, threshold and threshold type."""
    return (n["NotificationType"], n["ComparisonOperator"], float(n["Threshold"]), n.get("ThresholdType", "PERCENTAGE"))


def describe(key):
    return f"{key[0]} {'>' if key[1] == 'GREATER_THAN' else '<' if key[1] == 'LESS_THAN' else '='} {key[2]} {key[3]}"


def check_inputs(module):
    """Everything AWS would refuse, refused first, naming the option."""
    p = module.params
    problems = []
    if not p["name"] or len(p["name"]) > 100 or any(c in p["name"] for c in ":\\"):
        problems.append(f"name: {p['name']!r} must be 1 to 100 characters without ':' or '\\'")
    if p["state"] == "present":
        if p["limit_usd"] is None or p["limit_usd"] <= 0:
            problems.append("limit_usd: a budget needs an amount above 0 (USD)")
        if len(p["notifications"]) > MAX_NOTIFICATIONS:
            problems.append(f"notifications: at most {MAX_NOTIFICATIONS} per budget")
        for i, n in enumerate(p["notifications"]):
            if n["threshold"] <= 0:
                problems.append(f"notifications[{i}].threshold: must be above 0")
            if n["threshold_type"] == "PERCENTAGE" and n["threshold"] > 1000:
                problems.append(f"notifications[{i}].threshold: a percentage of at most 1000")
        keys = [(n["type"], n["comparison"], n["threshold"], n["threshold_type"]) for n in p["notifications"]]
        if len(set(keys)) != len(keys):
            problems.append("notifications: two notifications are the same")
        if p["notifications"] and not (p["emails"] or p["sns_topic_arns"]):
            problems.append("emails: notifications need at least one e-mail address or SNS topic")
        if len(p["emails"]) > MAX_EMAILS:
            problems.append(f"emails: at most {MAX_EMAILS} addresses")
        bad = [e for e in p["emails"] if e.count("@") != 1 or e.startswith("@") or e.endswith("@") or " " in e]
        if bad:
            problems.append(f"emails: not e-mail addresses: {', '.join(bad)}")
        if len(p["sns_topic_arns"]) > MAX_TOPICS:
            problems.append(f"sns_topic_arns: at most {MAX_TOPICS} topic (AWS's rule)")
        bad = [a for a in p["sns_topic_arns"] if not a.startswith("arn:") or ":sns:" not in a]
        if bad:
            problems.append(f"sns_topic_arns: not SNS topic ARNs: {', '.join(bad)}")
    if problems:
        module.fail_json(msg="; ".join(problems))


class Budgets:
    def __init__(self, module):
        self.module = module
        self.client = module.client("budgets", region="us-east-1")
        self.account = module.params["account_id"] or self._caller()
        self.name = module.params["name"]

    def _caller(self):
        try:
            return self.module.client("sts").get_caller_identity()["Account"]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.module.fail_json_aws(e, msg="Could not find the account id (give account_id)")

    def call(self, operation, what, **kwargs):
        return aws_call(self.module, self.client, operation, f"{what} (budget {self.name})",
                        AccountId=self.account, **kwargs)

    def budget(self):
        try:
            return self.client.describe_budget(AccountId=self.account, BudgetName=self.name)["Budget"]
        except is_boto3_error_code("NotFoundException"):
            return None
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not describe the budget {self.name}")

    def notifications(self):
        """{key: (notification as AWS holds it, {(type, address)})}."""
        found, token = {}, None
        while True:
            extra = {"NextToken": token} if token else {}
            page = self.call("describe_notifications_for_budget", "list the notifications", BudgetName=self.name,
                             **extra)
            for n in page.get("Notifications", []):
                subs = self.call("describe_subscribers_for_notification", "list a notification's subscribers",
                                 BudgetName=self.name, Notification=n).get("Subscribers", [])
                found[notification_key(n)] = (n, {(s["SubscriptionType"], s["Address"]) for s in subs})
            token = page.get("NextToken")
            if not token:
                return found


def wanted(p):
    notifications = {}
    for n in p["notifications"]:
        aws = {"NotificationType": n["type"], "ComparisonOperator": n["comparison"], "Threshold": n["threshold"],
               "ThresholdType": n["threshold_type"]}
        notifications[notification_key(aws)] = aws
    subscribers = {("EMAIL", e) for e in p["emails"]} | {("SNS", a) for a in p["sns_topic_arns"]}
    return notifications, subscribers


def subscriber_list(subscribers):
    return [{"SubscriptionType": kind, "Address": address} for kind, address in sorted(subscribers)]


def result(b, module, actions, changed):
    """Exit with the budget as AWS now holds it (in check mode, as it was: nothing changed)."""
    budget = b.budget()
    notifications = []
    if budget:
        for n, subs in b.notifications().values():
            notifications.append({**camel_dict_to_snake_dict(n),
                                  "subscribers": camel_dict_to_snake_dict({"s": subscriber_list(subs)})["s"]})
    module.exit_json(changed=changed, actions=actions, budget=camel_dict_to_snake_dict(budget or {}),
                     notifications=notifications)


def main():
    argument_spec = dict(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        limit_usd=dict(type="float"),
        time_unit=dict(type="str", choices=["MONTHLY", "QUARTERLY", "ANNUALLY"], default="MONTHLY"),
        notifications=dict(type="list", elements="dict", default=[], options=dict(
            type=dict(type="str", choices=["ACTUAL", "FORECASTED"], required=True),
            threshold=dict(type="float", required=True),
            threshold_type=dict(type="str", choices=["ABSOLUTE_VALUE", "PERCENTAGE"], default="ABSOLUTE_VALUE"),
            comparison=dict(type="str", choices=["GREATER_THAN", "LESS_THAN", "EQUAL_TO"], default="GREATER_THAN"))),
        emails=dict(type="list", elements="str", default=[]),
        sns_topic_arns=dict(type="list", elements="str", default=[]),
        account_id=dict(type="str"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True,
                              required_if=[("state", "present", ["limit_usd"])])
    check_inputs(module)
    p, b = module.params, Budgets(module)
    current = b.budget()
    actions = []

    if p["state"] == "absent":
        if current:
            actions.append(f"delete the budget {b.name}")
            if not module.check_mode:
                b.call("delete_budget", "delete the budget", BudgetName=b.name)
        module.exit_json(changed=bool(actions), actions=actions, budget={}, notifications=[])

    notifications, subscribers = wanted(p)
    limit = {"Amount": f"{p['limit_usd']:.2f}", "Unit": "USD"}
    if current is None:
        actions.append(f"create the budget {b.name}: {limit['Amount']} USD {p['time_unit'].lower()}")
        actions += [f"add {describe(k)}" for k in notifications]
        if not module.check_mode:
            budget = {"BudgetName": b.name, "BudgetLimit": limit, "TimeUnit": p["time_unit"], "BudgetType": "COST"}
            b.call("create_budget", "create the budget", Budget=budget,
                   NotificationsWithSubscribers=[{"Notification": n, "Subscribers": subscriber_list(subscribers)}
                                                 for n in notifications.values()])
        result(b, module, actions, True)

    old_amount = float(current.get("BudgetLimit", {}).get("Amount", "nan"))
    if old_amount != float(limit["Amount"]) or current.get("TimeUnit") != p["time_unit"]:
        actions.append(f"update the limit from {old_amount:.2f} USD {str(current.get('TimeUnit')).lower()} "
                       f"to {limit['Amount']} USD {p['time_unit'].lower()}")
        if not module.check_mode:
            new = {k: v for k, v in current.items() if k in ("BudgetName", "BudgetType", "CostTypes", "CostFilters",
                                                             "TimePeriod", "AutoAdjustData")}
            new.update(BudgetLimit=limit, TimeUnit=p["time_unit"])
            b.call("update_budget", "update the budget", NewBudget=new)

    have = b.notifications()
    for key, (n, _subs) in have.items():
        if key not in notifications:
            actions.append(f"remove {describe(key)}")
            if not module.check_mode:
                b.call("delete_notification", "remove a notification", BudgetName=b.name, Notification=n)
    for key, n in notifications.items():
        if key not in have:
            actions.append(f"add {describe(key)}")
            if not module.check_mode:
                b.call("create_notification", "add a notification", BudgetName=b.name, Notification=n,
                       Subscribers=subscriber_list(subscribers))
            continue
        held, subs = have[key]
        for kind, address in sorted(subscribers - subs):
            actions.append(f"send {describe(key)} to {address}")
            if not module.check_mode:
                b.call("create_subscriber", "add a subscriber", BudgetName=b.name, Notification=held,
                       Subscriber={"SubscriptionType": kind, "Address": address})
        for kind, address in sorted(subs - subscribers):
            actions.append(f"stop sending {describe(key)} to {address}")
            if not module.check_mode:
                b.call("delete_subscriber", "remove a subscriber", BudgetName=b.name, Notification=held,
                       Subscriber={"SubscriptionType": kind, "Address": address})
    result(b, module, actions, bool(actions))


if __name__ == "__main__":
    main()
