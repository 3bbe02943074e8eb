#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: cloudwatch_log_lines
short_description: Read the recent lines of CloudWatch Logs groups (the containers' output), or wait for new ones
version_added: 1.0.0
description:
  - Reads the events of O(log_groups) since O(since) (or after O(start_time)), optionally only the streams
    starting with O(stream_prefix) and the events matching O(filter_pattern), and returns the last O(limit) of them
    as lines in time order, each with its time, its stream's task and its message.
  - With O(wait), waits up to that many seconds for at least one new event (a bounded follow - call it in a loop
    with O(start_time) set to the last RV(last_time) to print each new batch as it comes).
  - C(amazon.aws) has no module that reads log events; C(community.aws.cloudwatchlogs_log_group_info) lists groups.
  - Changes nothing.
options:
  log_groups:
    description: The log groups' names (ECS's C(/ecs/<prefix>/<container>)); a missing one is left out (RV(missing)).
    type: list
    elements: str
    required: true
  stream_prefix:
    description: Only the streams whose names start with this (C(<container>/<container>/) for a container's, with
      a task's ID after it for that task's); empty for all.
    type: str
    default: ""
  since:
    description: How far back to read - C(30s), C(15m), C(2h), C(3d), or a time in ISO 8601 (C(2026-12-07T08:00:00Z)).
      Ignored when O(start_time) is set.
    type: str
    default: 15m
  start_time:
    description: Read only the events after this time (milliseconds since the epoch; 0 for O(since)).
    type: int
    default: 0
  filter_pattern:
    description: A CloudWatch Logs filter pattern (C(ERROR), C("Traceback"), C(?ERROR ?WARN)); empty for every event.
    type: str
    default: ""
  limit:
    description: The most lines returned (the last ones), 1 to 10000.
    type: int
    default: 200
  wait:
    description: Seconds to wait for at least one event when none is there yet (0 to 300); 0 reads once.
    type: int
    default: 0
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
extends_documentation_fragment:
  - precedentum.deploy.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
notes:
  - "IAM: C(logs:FilterLogEvents), C(logs:DescribeLogGroups)."
  - "CloudWatch Logs bills the data a filter scans ($0.005 per GB on Logs Insights; C(FilterLogEvents) itself is an
    API call within the free tier's million a month)."
"""

EXAMPLES = r"""
- name: The backend's last 15 minutes
  precedentum.deploy.cloudwatch_log_lines:
    log_groups: [/ecs/precedentum-testing/backend]
    since: 15m
  register: logs

- name: Only the errors of the last day
  precedentum.deploy.cloudwatch_log_lines:
    log_groups: [/ecs/precedentum-testing/backend]
    since: 1d
    filter_pattern: ERROR
"""

RETURN = r"""
lines:
  description: The lines, oldest first - C(<time> <task> <message>).
  returned: always
  type: list
  elements: str
  sample: ["2026-12-07 08:00:01 3f2a9c1b [INFO] Booting worker with pid: 7"]
events:
  description: The same events - C(time) (milliseconds), C(group), C(stream) and C(message).
  returned: always
  type: list
  elements: dict
  sample: [{time: 1796630401000, group: /ecs/precedentum-testing/backend,
            stream: backend/backend/3f2a9c1b0d4e4f5a8b6c7d8e9f0a1b2c, message: "[INFO] Booting worker with pid: 7"}]
last_time:
  description: The newest event's time (milliseconds since the epoch), or the start of the read when none came;
    the next call's O(start_time).
  returned: always
  type: int
  sample: 1796630401000
missing:
  description: The groups asked for that do not exist.
  returned: always
  type: list
  elements: str
  sample: []
truncated:
  description: Whether more events matched than O(limit) (the oldest were left out).
  returned: always
  type: bool
  sample: false
"""

import datetime
import re
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
POLL = 2  # seconds between two looks while waiting


def start_of(since: str, now: float) -> int | None:
    """The read's start in milliseconds, from 15m / 2h / 3d / 30s or an ISO 8601 time; None when unreadable."""
    match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", since or "")
    if match:
        return int((now - int(match.group(1)) * UNITS[match.group(2)]) * 1000)
    try:
        when = datetime.datetime.fromisoformat(since.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.UTC)
    return int(when.timestamp() * 1000)


def line_of(event: dict) -> str:
    stamp = datetime.datetime.fromtimestamp(event["time"] / 1000, tz=datetime.UTC)
    task = event["stream"].rsplit("/", 1)[-1][:8]
    return f"{stamp:%Y-%m-%d %H:%M:%S} {task} {event['message'].rstrip()}"


def read(module, logs, groups, start, kept, missing):
    """The newest events after START (ms) in GROUPS, at most the limit, into KEPT; returns how many matched."""
    p, matched = module.params, 0
    for group in groups:
        if group in missing:
            continue
        args = {"logGroupName": group, "startTime": start, "interleaved": True}
        if p["stream_prefix"]:
            args["logStreamNamePrefix"] = p["stream_prefix"]
        if p["filter_pattern"]:
            args["filterPattern"] = p["filter_pattern"]
        try:
            found = [event for page in logs.get_paginator("filter_log_events").paginate(**args)
                     for event in page.get("events") or [] if event["timestamp"] >= start]
        except is_boto3_error_code("ResourceNotFoundException"):
            missing.append(group)
            continue
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Could not read the log group {group}")
        matched += len(found)
        kept[:] = sorted(kept + [{"time": event["timestamp"], "group": group, "stream": event.get("logStreamName", ""),
                                  "message": event.get("message", "")} for event in found],
                         key=lambda e: e["time"])[-p["limit"]:]
    return matched


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            log_groups=dict(type="list", elements="str", required=True),
            stream_prefix=dict(type="str", default=""),
            since=dict(type="str", default="15m"),
            start_time=dict(type="int", default=0),
            filter_pattern=dict(type="str", default=""),
            limit=dict(type="int", default=200),
            wait=dict(type="int", default=0),
        ),
        supports_check_mode=True,
    )
    p, now = module.params, time.time()
    problems = []
    start = p["start_time"] + 1 if p["start_time"] > 0 else start_of(p["since"], now)
    if start is None:
        problems.append(f"since: {p['since']!r} is neither a duration (30s, 15m, 2h, 3d) nor an ISO 8601 time")
    if not p["log_groups"] or any(not g for g in p["log_groups"]):
        problems.append("log_groups: one or more log group names")
    if not 1 <= p["limit"] <= 10000:
        problems.append(f"limit: {p['limit']} must be 1 to 10000")
    if not 0 <= p["wait"] <= 300:
        problems.append(f"wait: {p['wait']} must be 0 to 300 seconds")
    if problems:
        module.fail_json(msg="; ".join(problems))
    logs, missing = module.client("logs"), []
    groups = list(dict.fromkeys(p["log_groups"]))
    kept = []
    deadline = time.monotonic() + p["wait"]
    while True:
        matched = read(module, logs, groups, start, kept, missing)
        if matched or time.monotonic() >= deadline or len(missing) == len(groups):
            break
        time.sleep(min(POLL, max(deadline - time.monotonic(), 0)))
    events = kept
    module.exit_json(changed=False, lines=[line_of(e) for e in events], events=events, missing=missing,
                     last_time=max([e["time"] for e in events], default=max(start - 1, 0)),
                     truncated=matched > len(events))


if __name__ == "__main__":
    main()
