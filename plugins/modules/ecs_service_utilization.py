#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecs_service_utilization
short_description: Read the last days of ECS service CPU and memory from CloudWatch and say whether the size is right
version_added: 1.0.0
description:
  - Reads C(AWS/ECS) C(CPUUtilization) and C(MemoryUtilization) of each of O(services) in
    O(cluster), hour by hour (average and maximum of each hour), over the last O(days) days.
  - Says, per service, whether its size is enough. C(scale up) when the hourly average stays above
    the threshold (O(cpu_percent), O(memory_percent)) in at least O(sustained_share) of the hours
    with data - the seed plan's "CPU > 70% consistently"; C(spikes) when it only goes above now and
    then (watch, do not pay for it yet); C(enough) otherwise; C(no data) when CloudWatch has no
    point (a service not running yet, or fewer hours than O(min_hours)).
  - Reads only; never changes anything.
options:
  cluster:
    description: The ECS cluster's name.
    type: str
    required: true
  services:
    description: The services' names.
    type: list
    elements: str
    required: true
  days:
    description: How many days back, 1 to 15 (the seed plan looks at a week).
    type: int
    default: 7
  cpu_percent:
    description: CPU utilization (%, of the task's vCPU) above which an hour counts as busy.
    type: float
    default: 70
  memory_percent:
    description: Memory utilization (%) above which an hour counts as busy.
    type: float
    default: 80
  sustained_share:
    description: Share of the hours (0.05 to 1) that must be busy for a C(scale up) verdict.
    type: float
    default: 0.25
  min_hours:
    description: Fewer hours with data than this give C(no data) (too little to judge).
    type: int
    default: 24
  as_of:
    description: End of the period (ISO 8601, UTC); default now. For reports of a past week.
    type: str
attributes:
  check_mode:
    support: full
    details: Reads only, in check mode as otherwise.
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
  - "IAM: C(cloudwatch:GetMetricData)."
  - Each run reads 4 metrics a service through GetMetricData ($0.01 per 1,000 metrics requested).
"""

EXAMPLES = r"""
- name: Is 0.25 vCPU enough?
  precedentum.deploy.ecs_service_utilization:
    cluster: precedentum-testing
    services: [precedentum-testing-backend, precedentum-testing-frontend]
  register: usage
"""

RETURN = r"""
services:
  description: Per service, C(cpu) and C(memory) (each C(hours), C(average), C(peak), C(busy_hours)) and C(verdict).
  returned: always
  type: dict
  sample:
    precedentum-testing-backend:
      cpu: {hours: 168, average: 23.4, peak: 81.0, busy_hours: 3}
      memory: {hours: 168, average: 41.2, peak: 55.0, busy_hours: 0}
      verdict: spikes
      reason: "CPU above 70% in 3 of 168 hours (2%): spikes, not a sustained load"
period:
  description: C(start) and C(end) of the period read (UTC, ISO 8601).
  returned: always
  type: dict
  contains:
    start:
      description: Where the window starts (ISO time).
      type: str
      returned: always
    end:
      description: Where it ends.
      type: str
      returned: always
    days:
      description: Its length in days.
      type: int
      returned: always
      sample: 7
"""

import datetime

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

HOUR = 3600


def summarize(averages, maxima, threshold):
    """hours, average, peak and busy hours of hourly points."""
    return {"hours": len(averages),
            "average": round(sum(averages) / len(averages), 1) if averages else None,
            "peak": round(max(maxima or averages), 1) if (maxima or averages) else None,
            "busy_hours": sum(1 for a in averages if a > threshold)}


def verdict(cpu, memory, cpu_percent, memory_percent, sustained_share, min_hours):
    """(verdict, reason) of a service from its CPU and memory summaries."""
    if cpu["hours"] < min_hours:
        return "no data", (f"{cpu['hours']} hour(s) of CPU data; at least {min_hours} are needed to judge"
                           " (is the service running, and for how long?)")
    reasons, scale = [], False
    for name, summary, threshold in (("CPU", cpu, cpu_percent), ("memory", memory, memory_percent)):
        if not summary["hours"]:
            continue
        share = summary["busy_hours"] / summary["hours"]
        text = (f"{name} above {threshold:g}% in {summary['busy_hours']} of {summary['hours']} hours "
                f"({share:.0%}; average {summary['average']}%, peak {summary['peak']}%)")
        if share >= sustained_share:
            scale = True
            reasons.append(text + ": sustained")
        elif summary["busy_hours"] or (summary["peak"] or 0) > threshold:
            reasons.append(text + ": spikes, not a sustained load")
        else:
            reasons.append(text)
    if scale:
        return "scale up", "; ".join(reasons)
    if any("spikes" in r for r in reasons):
        return "spikes", "; ".join(reasons)
    return "enough", "; ".join(reasons)


def check_inputs(module):
    p, problems = module.params, []
    if not 1 <= p["days"] <= 15:
        problems.append("days: from 1 to 15")
    for name in ("cpu_percent", "memory_percent"):
        if not 1 <= p[name] <= 100:
            problems.append(f"{name}: from 1 to 100")
    if not 0.05 <= p["sustained_share"] <= 1:
        problems.append("sustained_share: from 0.05 to 1")
    if not 1 <= p["min_hours"] <= p["days"] * 24:
        problems.append(f"min_hours: from 1 to {p['days'] * 24} (days x 24)")
    if not p["services"]:
        problems.append("services: at least one")
    end = datetime.datetime.now(datetime.UTC)
    if p["as_of"]:
        try:
            end = datetime.datetime.fromisoformat(p["as_of"].replace("Z", "+00:00"))
            end = end if end.tzinfo else end.replace(tzinfo=datetime.UTC)
        except ValueError:
            problems.append(f"as_of: {p['as_of']!r} is not an ISO 8601 time")
    if problems:
        module.fail_json(msg="; ".join(problems))
    return end


def read(module, client, start, end):
    """{service: {metric: {stat: [values]}}} through GetMetricData, hourly."""
    p, queries, keys = module.params, [], {}
    for service in p["services"]:
        for metric in ("CPUUtilization", "MemoryUtilization"):
            for stat in ("Average", "Maximum"):
                query_id = f"m{len(queries)}"
                keys[query_id] = (service, metric, stat)
                queries.append({"Id": query_id, "ReturnData": True, "MetricStat": {
                    "Metric": {"Namespace": "AWS/ECS", "MetricName": metric,
                               "Dimensions": [{"Name": "ClusterName", "Value": p["cluster"]},
                                              {"Name": "ServiceName", "Value": service}]},
                    "Period": HOUR, "Stat": stat}})
    found = {s: {m: {"Average": [], "Maximum": []} for m in ("CPUUtilization", "MemoryUtilization")}
             for s in p["services"]}
    token = None
    while True:
        kwargs = {"MetricDataQueries": queries, "StartTime": start, "EndTime": end, "ScanBy": "TimestampAscending"}
        if token:
            kwargs["NextToken"] = token
        try:
            page = client.get_metric_data(**kwargs)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            module.fail_json_aws(e, msg="Could not read the ECS metrics from CloudWatch")
        for series in page["MetricDataResults"]:
            service, metric, stat = keys[series["Id"]]
            found[service][metric][stat].extend(float(v) for v in series["Values"])
        token = page.get("NextToken")
        if not token:
            return found


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            cluster=dict(type="str", required=True),
            services=dict(type="list", elements="str", required=True),
            days=dict(type="int", default=7),
            cpu_percent=dict(type="float", default=70),
            memory_percent=dict(type="float", default=80),
            sustained_share=dict(type="float", default=0.25),
            min_hours=dict(type="int", default=24),
            as_of=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    end = check_inputs(module)
    p = module.params
    start = end - datetime.timedelta(days=p["days"])
    found = read(module, module.client("cloudwatch"), start, end)
    services = {}
    for service, metrics in found.items():
        cpu = summarize(metrics["CPUUtilization"]["Average"], metrics["CPUUtilization"]["Maximum"], p["cpu_percent"])
        memory = summarize(metrics["MemoryUtilization"]["Average"], metrics["MemoryUtilization"]["Maximum"],
                           p["memory_percent"])
        word, reason = verdict(cpu, memory, p["cpu_percent"], p["memory_percent"], p["sustained_share"],
                               p["min_hours"])
        services[service] = {"cpu": cpu, "memory": memory, "verdict": word, "reason": reason}
    module.exit_json(changed=False, services=services,
                     period={"start": start.isoformat(timespec="seconds"), "end": end.isoformat(timespec="seconds")})


if __name__ == "__main__":
    main()
