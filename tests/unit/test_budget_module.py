"""The budget module's pure parts: what identifies a notification, and what the options ask for."""

from __future__ import annotations

import sys

from tests.harness.ansible import REPO

sys.path.insert(0, str(REPO / ".collections"))  # the checkout as ansible_collections.precedentum.deploy

from ansible_collections.precedentum.deploy.plugins.modules import budget  # noqa: E402


def test_a_notification_is_known_by_type_comparison_threshold_and_threshold_type():
    held = {"NotificationType": "ACTUAL", "ComparisonOperator": "GREATER_THAN", "Threshold": 10}
    # AWS reads a notification without a threshold type as a percentage.
    assert budget.notification_key(held) == ("ACTUAL", "GREATER_THAN", 10.0, "PERCENTAGE")
    assert budget.notification_key({**held, "Threshold": "10.0", "ThresholdType": "ABSOLUTE_VALUE"}) == (
        "ACTUAL", "GREATER_THAN", 10.0, "ABSOLUTE_VALUE")
    assert budget.describe(("FORECASTED", "GREATER_THAN", 100.0, "PERCENTAGE")) == "FORECASTED > 100.0 PERCENTAGE"


def test_the_options_become_notifications_and_subscribers():
    params = {"notifications": [
        {"type": "ACTUAL", "threshold": 10.0, "threshold_type": "ABSOLUTE_VALUE", "comparison": "GREATER_THAN"},
        {"type": "FORECASTED", "threshold": 100.0, "threshold_type": "PERCENTAGE", "comparison": "GREATER_THAN"}],
        "emails": ["b@example.com", "a@example.com"], "sns_topic_arns": ["arn:aws:sns:us-east-1:1:alerts"]}
    notifications, subscribers = budget.wanted(params)
    assert set(notifications) == {("ACTUAL", "GREATER_THAN", 10.0, "ABSOLUTE_VALUE"),
                                  ("FORECASTED", "GREATER_THAN", 100.0, "PERCENTAGE")}
    assert budget.subscriber_list(subscribers) == [
        {"SubscriptionType": "EMAIL", "Address": "a@example.com"},
        {"SubscriptionType": "EMAIL", "Address": "b@example.com"},
        {"SubscriptionType": "SNS", "Address": "arn:aws:sns:us-east-1:1:alerts"}]
