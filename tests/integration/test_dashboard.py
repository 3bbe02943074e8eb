"""The cloudwatch_dashboard module, verified through CloudWatch's GetDashboard on the emulator."""

from __future__ import annotations

import json

import pytest

from tests.harness.ansible import run_module

pytestmark = pytest.mark.slow
NAME = "precedentum-testing"
BODY = {"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6, "properties": {
    "title": "ECS CPU", "region": "us-east-1", "stat": "Average", "period": 300,
    "metrics": [["AWS/ECS", "CPUUtilization", "ClusterName", NAME, "ServiceName", f"{NAME}-backend"]]}}]}


def held(client):
    try:
        return json.loads(client.get_dashboard(DashboardName=NAME)["DashboardBody"])
    except client.exceptions.ResourceNotFound:
        return None


def test_dashboard_create_rerun_change_and_delete(emulator):
    client = emulator.client("cloudwatch")

    def dashboard(arguments, *flags):
        return run_module("precedentum.deploy.cloudwatch_dashboard", {"name": NAME, **arguments}, emulator.env(),
                          *flags)

    dry = dashboard({"body": BODY}, "--check")
    assert dry.rc == 0 and dry.result["changed"] is True and held(client) is None, dry

    made = dashboard({"body": BODY})
    assert made.rc == 0 and made.result["changed"] is True, made
    assert held(client) == BODY
    assert made.result["dashboard_arn"].endswith(f":dashboard/{NAME}")

    # The same body as a JSON string, keys in another order: nothing to do.
    same = dashboard({"body": json.dumps(BODY, sort_keys=True, indent=2)})
    assert same.rc == 0 and same.result["changed"] is False, same

    wider = json.loads(json.dumps(BODY))
    wider["widgets"][0]["width"] = 24
    preview = dashboard({"body": wider}, "--check", "--diff")
    assert preview.rc == 0 and preview.result["changed"] is True and held(client) == BODY, preview
    assert preview.result["diff"]["after"]["widgets"][0]["width"] == 24
    assert dashboard({"body": wider}).result["changed"] is True and held(client) == wider

    gone = dashboard({"state": "absent"})
    assert gone.rc == 0 and gone.result["changed"] is True and held(client) is None, gone
    assert dashboard({"state": "absent"}).result["changed"] is False


def test_a_bad_body_is_refused_before_any_call(recording_emulator):
    run = run_module("precedentum.deploy.cloudwatch_dashboard",
                     {"name": NAME, "body": {"widgets": [{"type": "metric", "x": 30, "properties": {}}]}},
                     recording_emulator.env())
    assert run.rc != 0 and "body.widgets[0].x" in run.result.get("msg", ""), run
    run = run_module("precedentum.deploy.cloudwatch_dashboard", {"name": "no spaces", "body": BODY},
                     recording_emulator.env())
    assert run.rc != 0 and "name:" in run.result.get("msg", ""), run
    assert recording_emulator.recorded_requests() == []
