"""The budget module (AWS Budgets), verified through the Budgets API of the emulator."""

from __future__ import annotations

import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
NAME = "precedentum-testing-monthly"
ACCOUNT = "123456789012"  # moto's account
ALERTS = [{"type": "ACTUAL", "threshold": 10}, {"type": "ACTUAL", "threshold": 30},
          {"type": "ACTUAL", "threshold": 50},
          {"type": "FORECASTED", "threshold": 100, "threshold_type": "PERCENTAGE"}]


def state(client) -> dict:
    """The budget as the API tells it: limit, period, {notification: sorted subscribers}."""
    try:
        budget = client.describe_budget(AccountId=ACCOUNT, BudgetName=NAME)["Budget"]
    except client.exceptions.NotFoundException:
        return {}
    alerts = {}
    for n in client.describe_notifications_for_budget(AccountId=ACCOUNT, BudgetName=NAME)["Notifications"]:
        subscribers = client.describe_subscribers_for_notification(
            AccountId=ACCOUNT, BudgetName=NAME, Notification=n)["Subscribers"]
        key = (n["NotificationType"], float(n["Threshold"]), n["ThresholdType"], n["ComparisonOperator"])
        alerts[key] = sorted(s["Address"] for s in subscribers)
    return {"limit": float(budget["BudgetLimit"]["Amount"]), "unit": budget["BudgetLimit"]["Unit"],
            "time_unit": budget["TimeUnit"], "type": budget["BudgetType"], "alerts": alerts}


def test_budget_create_rerun_update_in_place_and_delete(emulator):
    client = emulator.client("budgets")
    args = {"name": NAME, "limit_usd": 50, "notifications": ALERTS, "emails": ["founders@example.com"]}

    def budget(arguments, *flags):
        return run_module("precedentum.deploy.budget", arguments, emulator.env(), *flags)

    dry = budget(args, "--check")
    assert dry.rc == 0 and dry.result["changed"] is True, dry
    assert state(client) == {}, "check mode created the budget"

    made = budget(args)
    assert made.rc == 0 and made.result["changed"] is True, made
    everyone = ["founders@example.com"]
    assert state(client) == {"limit": 50.0, "unit": "USD", "time_unit": "MONTHLY", "type": "COST", "alerts": {
        ("ACTUAL", 10.0, "ABSOLUTE_VALUE", "GREATER_THAN"): everyone,
        ("ACTUAL", 30.0, "ABSOLUTE_VALUE", "GREATER_THAN"): everyone,
        ("ACTUAL", 50.0, "ABSOLUTE_VALUE", "GREATER_THAN"): everyone,
        ("FORECASTED", 100.0, "PERCENTAGE", "GREATER_THAN"): everyone}}

    again = budget(args)
    assert again.rc == 0 and again.result["changed"] is False and again.result["actions"] == [], again

    # A new limit, one alert fewer, one more address: changed in place, in check mode first.
    changed = {**args, "limit_usd": 60, "notifications": ALERTS[1:], "emails": ["founders@example.com",
                                                                                "ops@example.com"]}
    before = state(client)
    preview = budget(changed, "--check")
    assert preview.rc == 0 and preview.result["changed"] is True, preview
    assert "update the limit from 50.00 USD monthly to 60.00 USD monthly" in preview.result["actions"]
    assert "remove ACTUAL > 10.0 ABSOLUTE_VALUE" in preview.result["actions"]
    assert state(client) == before, "check mode changed the budget"

    applied = budget(changed)
    assert applied.rc == 0 and applied.result["changed"] is True, applied
    both = ["founders@example.com", "ops@example.com"]
    after = state(client)
    assert after["limit"] == 60.0 and after["alerts"] == {
        ("ACTUAL", 30.0, "ABSOLUTE_VALUE", "GREATER_THAN"): both,
        ("ACTUAL", 50.0, "ABSOLUTE_VALUE", "GREATER_THAN"): both,
        ("FORECASTED", 100.0, "PERCENTAGE", "GREATER_THAN"): both}
    assert budget(changed).result["changed"] is False

    gone = budget({"name": NAME, "state": "absent"})
    assert gone.rc == 0 and gone.result["changed"] is True, gone
    assert state(client) == {}
    assert budget({"name": NAME, "state": "absent"}).result["changed"] is False


BAD = [
    ({"limit_usd": 0}, "limit_usd"),
    ({"limit_usd": 50, "notifications": [{"type": "ACTUAL", "threshold": -5}]}, "notifications[0].threshold"),
    ({"limit_usd": 50, "emails": ["not-an-address"]}, "emails: not e-mail addresses"),
    ({"limit_usd": 50, "notifications": [{"type": "ACTUAL", "threshold": 10}]}, "emails: notifications need"),
    ({"limit_usd": 50, "sns_topic_arns": ["arn:aws:sns:us-east-1:1:a", "arn:aws:sns:us-east-1:1:b"]},
     "sns_topic_arns: at most 1"),
    ({"limit_usd": 50, "name": "a:b"}, "name:"),
]


def test_bad_input_is_refused_before_any_call(recording_emulator):
    for arguments, named in BAD:
        run = run_module("precedentum.deploy.budget", {"name": NAME, **arguments}, recording_emulator.env())
        assert run.rc != 0 and named in run.result.get("msg", ""), (arguments, run)
    assert recording_emulator.recorded_requests() == [], "an AWS call was made before the input was checked"
