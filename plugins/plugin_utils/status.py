# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The status screen of status.yml (pure logic): what deployment_info read, as one line per thing."""

from __future__ import annotations

PAUSED_STATES = ("stopped", "stopping")


def _when(iso: str) -> str:
    """2026-12-01T09:12:03.123+00:00 -> 2026-12-01 09:12 UTC (as AWS gave it when it is not ISO)."""
    if len(iso) >= 16 and iso[10] == "T":
        return f"{iso[:10]} {iso[11:16]}" + (" UTC" if iso.endswith(("+00:00", "Z")) else "")
    return iso or "?"


def state_of(found: dict) -> tuple[str, str]:
    """('running' | 'paused' | 'pausing' | 'resuming' | 'not deployed' | 'without tasks', a sentence)."""
    if "lightsail" in found:
        service = found["lightsail"]["service"]
        if not service["exists"]:
            return "not deployed", "no container service yet (week2.yml makes it)"
        return "running", f"container service {service['name']} {service['state'] or '?'} (Lightsail never pauses)"
    db = found.get("rds") or {}
    services = (found.get("ecs") or {}).get("services") or {}
    if not db.get("exists") and not services:
        return "not deployed", "nothing runs yet (week1.yml and week2.yml make it)"
    desired = sum(s["desired"] for s in services.values())
    if db.get("status") in PAUSED_STATES:
        if desired:
            return "pausing", f"the database is {db['status']} but {desired} task(s) are wanted: run pause.yml again"
        return "paused", f"the database is {db['status']} and no task runs: resume.yml (or the office hours) starts it"
    if db.get("status") == "starting":
        return "resuming", "the database is starting: resume.yml waits for it, then starts the services"
    if services and not desired:
        return "without tasks", ("every service is at 0 tasks while the database runs: resume.yml starts them (or "
                                 "ecs_desired_count is 0)")
    return "running", f"the database is {db.get('status') or 'missing'}, {desired} task(s) wanted"


def _service_line(key: str, service: dict) -> str:
    tags = sorted(set(service["image_tags"].values()))
    targets = ", ".join(f"{t['healthy']}/{t['total']} healthy in {name}"
                        for name, t in sorted(service["targets"].items()))
    return (f"service {key}: {service['running']}/{service['desired']} task(s) running"
            + (f", {service['pending']} pending" if service["pending"] else "")
            + f", rollout {service['rollout_state'] or '?'}"
            + (f" ({service['deployments']} deployments)" if service["deployments"] > 1 else "")
            + f", image {'/'.join(tags) or '?'} ({service['task_definition']})"
            + f", deployed {_when(service['deployed_at'])}"
            + (f"; targets {targets}" if targets else "")
            + ("; ECS Exec on (run.yml without a command prints the shell's line)" if service.get("exec") else ""))


def status_lines(found: dict, https_domain: str = "", next_change: str = "") -> list[str]:
    """One screen: the state (running or paused, and the next change), the address, each service, the database,
    the alarms and this month's spend."""
    state, why = state_of(found)
    lines = [f"{found['name_prefix']} in {found['region']}: {state.upper()} - {why}"]
    if next_change:
        lines.append(f"next change: {next_change}")
    addresses = []
    if https_domain:
        addresses.append(f"https://{https_domain}/")
    edge = (found.get("edge") or {}).get("domain_name")
    if edge:
        addresses.append(f"https://{edge}/ (CloudFront)")
    alb = (found.get("alb") or {}).get("dns_name")
    if alb:
        addresses.append(f"http://{alb}/ (load balancer)")
    if "lightsail" in found and found["lightsail"]["service"]["url"]:
        addresses.append(found["lightsail"]["service"]["url"])
    lines.append("address: " + (", ".join(addresses) or "none yet"))
    for key, service in sorted(((found.get("ecs") or {}).get("services") or {}).items()):
        lines.append(_service_line(key, service))
    db = found.get("rds")
    if db is not None:
        lines.append(f"database {db['identifier']}: " + (
            f"{db['status']}, {db.get('instance_class', '?')}, {db.get('allocated_storage', '?')} GB"
            + (", public address" if db["publicly_accessible"] else "") if db["exists"] else "none yet"))
    if "lightsail" in found:
        active = [d for d in found["lightsail"]["service"].get("deployments") or [] if d["state"] == "ACTIVE"]
        if active:
            tags = sorted(set(active[0]["image_tags"].values()))
            lines.append(f"container service {found['lightsail']['service']['name']}: deployment "
                         f"{active[0]['version']} ACTIVE, image {'/'.join(tags) or '?'}"
                         f" ({len(found['lightsail']['service']['deployments'])} kept by Lightsail)")
        database = found["lightsail"]["database"]
        lines.append(f"database {database['name']}: " + ("exists" if database["exists"] else "none yet"))
    alarms = found.get("alarms")
    if alarms is not None:
        lines.append(f"alarms: {alarms['count']}" + (
            f", in alarm: {', '.join(alarms['in_alarm'])}" if alarms["in_alarm"] else ", none in alarm")
            + (f"; {len(alarms['silenced'])} notify nobody (paused)" if alarms["silenced"] else ""))
    spend = found.get("spend")
    if spend is not None:
        if not spend["exists"]:
            lines.append(f"spend: no budget {spend['budget']} yet (week3.yml makes it, with monitoring_alert_emails)")
        else:
            def usd(value):
                return "not known yet" if value is None else f"${value:.2f}"
            lines.append(f"spend this month: {usd(spend['actual'])} so far, forecast {usd(spend['forecast'])}, "
                         f"budget {usd(spend['limit'])} (AWS Budgets, updated a few times a day)")
    return lines
