"""The cloudwatch_dashboard module's body checks: each problem named by where it is."""

from __future__ import annotations

import sys

from tests.harness.ansible import REPO

sys.path.insert(0, str(REPO / ".collections"))  # the checkout as ansible_collections.precedentum.deploy

from ansible_collections.precedentum.deploy.plugins.modules import cloudwatch_dashboard as dashboard  # noqa: E402

GOOD = {"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
                     "properties": {"metrics": [["AWS/ECS", "CPUUtilization"]], "region": "us-east-1"}},
                    {"type": "text", "x": 12, "y": 0, "width": 12, "height": 6, "properties": {"markdown": "# Hi"}}]}


def test_a_good_body_passes_as_a_mapping_or_as_json():
    import json

    assert dashboard.parse_body(GOOD) == (GOOD, [])
    assert dashboard.parse_body(json.dumps(GOOD)) == (GOOD, [])


def test_each_problem_is_named():
    assert dashboard.parse_body("{not json")[1][0].startswith("body: not JSON")
    assert dashboard.parse_body(["a"])[1] == ["body: must be a mapping with a widgets list"]
    assert dashboard.parse_body({"widget": []})[1] == ["body.widgets: must be a list"]
    body = {"widgets": [{"type": "chart"}, {"type": "metric", "x": 20, "width": 6, "height": 0, "properties": {}},
                        {"type": "text", "x": True}]}
    assert dashboard.parse_body(body)[1] == [
        "body.widgets[0].type: one of alarm, explorer, log, metric, text",
        "body.widgets[1].height: a whole number from 1 to 1000",
        "body.widgets[1]: x + width must not pass the 24 columns",
        "body.widgets[2].x: a whole number from 0 to 23",
        "body.widgets[2].properties: a text widget needs its properties"]
