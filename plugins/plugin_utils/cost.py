# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stack description that cost_check prices, from the roles' variables."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.precedentum.deploy.plugins.module_utils.ecs import placement, spot_strategy
from ansible_collections.precedentum.deploy.plugins.module_utils.inputs import to_bool
from ansible_collections.precedentum.deploy.plugins.module_utils.office_hours import describe, plan, problems

OPTIONS = ("lean", "ultra_lean", "growth", "production")


def _get(settings, name):
    """A setting the plan prices: the inventory's or its role's default (the cost role makes sure one is set)."""
    try:
        return settings[name]
    except KeyError as e:
        raise AnsibleFilterError(f"cost_stack: {name} is not set") from e


def _int(settings, name):
    try:
        return int(_get(settings, name))
    except (TypeError, ValueError) as e:
        raise AnsibleFilterError(f"cost_stack: {name} must be a whole number, got {settings[name]!r}") from e


def _float(settings, name):
    try:
        return float(_get(settings, name) or 0)
    except (TypeError, ValueError) as e:
        raise AnsibleFilterError(f"cost_stack: {name} must be a number, got {settings[name]!r}") from e


def _shared(s):
    """What both options have: the image registry, the secrets, logs, data out, the assumptions."""
    return {
        "ecr_gb": _float(s, "cost_ecr_gb"),
        "route53_zones": _int(s, "cost_route53_zones"),
        "data_out_gb": _float(s, "cost_data_out_gb"),
        "cloudwatch": {"alarms": _int(s, "cost_alarms"), "dashboards": _int(s, "cost_dashboards"),
                       "logs_ingested_gb": _float(s, "cost_logs_ingested_gb"),
                       "logs_stored_gb": _float(s, "cost_logs_stored_gb")},
    }


def cost_stack(settings, option):
    if option not in OPTIONS:
        raise AnsibleFilterError(f"cost_stack: option must be one of {', '.join(OPTIONS)}, got {option!r}")
    s = settings
    stack = _shared(s)
    if option == "ultra_lean":
        postgres = _get(s, "lightsail_database") == "postgres"
        stack["lightsail"] = {"container_power": _get(s, "lightsail_container_power"),
                              "container_scale": _int(s, "lightsail_container_scale")}
        if postgres:
            stack["lightsail"]["database_bundle"] = _get(s, "lightsail_database_bundle")
        # Django's secret (key and superuser), and with PostgreSQL the database's master credentials.
        stack["secrets"] = 2 if postgres else 1
        return stack

    private = _get(s, "network_private_subnet_cidrs") or []
    arch, count = _get(s, "ecs_cpu_architecture"), _int(s, "ecs_desired_count")
    public = _on(s, "ecs_assign_public_ip") and not private  # tasks in private subnets have no public IP
    layout = _get(s, "ecs_layout")
    if layout == "combined":
        tasks = [{"name": "app", "cpu": _int(s, "ecs_combined_cpu"), "memory": _int(s, "ecs_combined_memory")}]
    else:
        tasks = [{"name": name, "cpu": _int(s, f"ecs_{name}_cpu"), "memory": _int(s, f"ecs_{name}_memory")}
                 for name in ("backend", "frontend")]
    if arch == "ARM64" and _on(s, "ecs_frontend_spot") and layout != "combined":
        raise AnsibleFilterError("cost_stack: ecs_frontend_spot and ecs_cpu_architecture: AWS runs no ARM64 task "
                                 "on Fargate Spot, so this plan cannot run; turn one of them off")
    if _on(s, "storage_enabled"):
        # Phase 1.3's bucket for the app's uploads (the ultra-lean option has none).
        stack.update({"s3_gb": _float(s, "cost_s3_gb"), "s3_put_thousands": _float(s, "cost_s3_put_thousands"),
                      "s3_get_thousands": _float(s, "cost_s3_get_thousands")})
    stack["fargate_tasks"] = []
    for t in tasks:
        task = {**t, "architecture": arch, "count": count, "public_ip": public}
        if t["name"] == "frontend" and _on(s, "ecs_frontend_spot"):
            # The first task on regular Fargate, the others by the weights (the ecs role's strategy).
            split = placement(count, spot_strategy(_int(s, "ecs_frontend_spot_weight")))
            stack["fargate_tasks"] += [{**task, "count": split.get("FARGATE", 0)},
                                       {**task, "count": split.get("FARGATE_SPOT", 0), "spot": True}]
        else:
            stack["fargate_tasks"].append(task)
    stack["rds"] = {"instance_class": _get(s, "rds_instance_class"), "multi_az": _on(s, "rds_multi_az"),
                    "storage_gb": _int(s, "rds_allocated_storage"),
                    "publicly_accessible": _on(s, "rds_publicly_accessible")}
    zones = len(_get(s, "network_public_subnet_cidrs"))
    stack["load_balancer"] = {"count": 1, "azs": zones, "lcu": _float(s, "cost_lcu")}
    stack["secrets"] = 2  # the database's master secret and the application's (Django) secret
    if private:
        stack["nat_gateways"] = 1 if _get(s, "network_nat_gateways") == "one" else zones
        stack["nat_processed_gb"] = _float(s, "cost_nat_processed_gb")
    if _on(s, "cache_enabled"):
        stack["elasticache_nodes"] = [{"node_type": _get(s, "cache_node_type"), "count": 1}]
    hours = s.get("precedentum_office_hours")
    if problems(hours):
        raise AnsibleFilterError("cost_stack: " + "; ".join(problems(hours)))
    if plan(hours):
        stack["office_hours"] = {"task_hours_per_week": plan(hours)["task_hours_per_week"],
                                 "db_hours_per_week": plan(hours)["db_hours_per_week"],
                                 "days_per_week": len(plan(hours)["days"]), "schedule": describe(hours)}
    if _on(s, "edge_enabled"):
        # CloudFront's traffic is priced beyond its free 1 TB; the web ACL, its rules and its requests.
        rules = len(_get(s, "edge_waf_rule_groups") or []) + (1 if _int(s, "edge_waf_rate_limit") > 0 else 0)
        stack["waf"] = {"web_acls": 1, "rules": rules, "requests_millions": _float(s, "cost_waf_requests_millions")}
    return stack


def _on(settings, name):
    """A boolean setting as YAML or -e name=value gives it (the shared conversion of module_utils/inputs.py)."""
    value = to_bool(_get(settings, name))
    if value is None:
        raise AnsibleFilterError(f"cost_stack: {name} must be true or false, got {settings.get(name)!r}")
    return value


def cost_tier(option, settings, left_out=False):
    """{name, stack} of an option, for cost_check's tiers; with left_out, {name, left_out: the reason} for an option
    these settings cannot run (the caller leaves it out and says why) instead of an error."""
    try:
        return {"name": option, "stack": cost_stack(settings, option)}
    except AnsibleFilterError as e:
        if not left_out:
            raise
        return {"name": option, "left_out": str(e).removeprefix("cost_stack: ")}
