"""The alb role (phase 1.4), verified through the ELBv2 API; its converge, idempotence, verify and destroy are its
molecule scenario's (molecule/alb/)."""

from __future__ import annotations

import pytest

from tests.harness.aws_state import PREFIX, network_resources
from tests.harness.molecule import Scenario

pytestmark = pytest.mark.slow


def load_balancer(elb) -> dict:
    found = [lb for lb in elb.describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"] == f"{PREFIX}-alb"]
    return found[0] if found else {}


def target_groups(elb) -> dict:
    return {tg["TargetGroupName"].removeprefix(PREFIX + "-"): tg for tg in elb.describe_target_groups()["TargetGroups"]}


def test_alb_on_the_network_alone_check_converge_rerun_destroy(emulator, playbook, prebuilt, tmp_path):
    elb = emulator.client("elbv2")
    alone = playbook("week1.yml", "--tags", "alb")
    assert alone.rc != 0 and "--tags network) first" in alone.flat

    prebuilt(emulator, "week1.yml", "--tags", "network")
    check = playbook("week1.yml", "--tags", "alb", "--check")
    assert check.rc == 0 and check.changed > 0, check
    assert load_balancer(elb) == {} and target_groups(elb) == {}

    # The scenario's converge (molecule/alb/: alb_backend_health_check_path /healthz/), its prepare's network replayed.
    scenario = Scenario(emulator, "alb", tmp_path, prepared=True)
    first = scenario.run("converge")
    assert first.rc == 0, first

    net = network_resources(emulator.client("ec2"))
    lb = load_balancer(elb)
    assert lb["Scheme"] == "internet-facing" and lb["Type"] == "application"
    assert {az["SubnetId"] for az in lb["AvailabilityZones"]} == {s["SubnetId"] for s in net["subnets"]}
    alb_sg = next(sg["GroupId"] for sg in net["security_groups"] if sg["GroupName"] == f"{PREFIX}-alb")
    assert lb["SecurityGroups"] == [alb_sg]
    assert f"http://{lb['DNSName']}/" in first.flat, "the testers' URL is reported"

    tgs = target_groups(elb)
    assert set(tgs) == {"backend", "frontend"}
    assert (tgs["backend"]["Port"], tgs["backend"]["HealthCheckPath"]) == (8000, "/healthz/")
    assert (tgs["frontend"]["Port"], tgs["frontend"]["HealthCheckPath"]) == (80, "/")
    for tg in tgs.values():
        assert tg["TargetType"] == "ip" and tg["VpcId"] == net["vpcs"][0]["VpcId"]
        timing = (tg["HealthCheckIntervalSeconds"], tg["HealthyThresholdCount"], tg["UnhealthyThresholdCount"])
        assert timing == (30, 2, 3)

    (listener,) = elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    assert (listener["Protocol"], listener["Port"]) == ("HTTP", 80)
    assert listener["DefaultActions"][0]["TargetGroupArn"] == tgs["frontend"]["TargetGroupArn"]
    rules = [r for r in elb.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"] if not r["IsDefault"]]
    (rule,) = rules
    assert rule["Conditions"][0]["Field"] == "path-pattern"
    values = rule["Conditions"][0].get("Values") or rule["Conditions"][0]["PathPatternConfig"]["Values"]
    assert sorted(values) == ["/accounts/*", "/admin/*", "/api/*", "/static/*"]
    assert rule["Actions"][0]["TargetGroupArn"] == tgs["backend"]["TargetGroupArn"]

    again = scenario.run("idempotence")
    assert again.rc == 0 and again.changed == 0, again
    verified = scenario.run("verify")
    assert verified.rc == 0 and "All assertions passed" in verified.output, verified

    gone = playbook("destroy.yml", "--tags", "alb,network", extra_vars={"destroy_confirm": PREFIX})
    assert gone.rc == 0, gone
    assert load_balancer(elb) == {} and target_groups(elb) == {}
    assert all(v == [] for v in network_resources(emulator.client("ec2")).values())
    left = scenario.run("destroy")
    assert left.rc == 0 and left.changed == 0, left
