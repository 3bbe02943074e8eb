# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The office hours' filters (pure logic): the checks with the controller's time zone database, the plan with its
clock times, the schedules that carry it out, and the next change for status.yml."""

from __future__ import annotations

import datetime

from ansible_collections.precedentum.deploy.plugins.module_utils import office_hours as oh

try:
    import zoneinfo
except ImportError:  # pragma: no cover - Python 3.9 and later have it
    zoneinfo = None


def _zone(name):
    if zoneinfo is None:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def office_hours_problems(value):
    return oh.problems(value, valid_timezone=(lambda name: _zone(name) is not None) if zoneinfo else None)


def _clock(minutes):
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def office_hours_plan(value):
    """oh.plan with, under clock, each step's time of day (HH:MM)."""
    found = oh.plan(value)
    if found:
        start, end = found["start"], found["end"]
        found["clock"] = {"db_start": _clock(start - oh.DB_LEAD), "services_start": _clock(start),
                          "alarms_on": _clock(start + oh.ALARMS_LAG), "services_stop": _clock(end),
                          "alarms_off": _clock(end), "db_stop": _clock(end + oh.DB_LAG)}
    return found


def office_hours_describe(value):
    return oh.describe(value)


def office_hours_schedules(plan, prefix, ecs, db_identifier, alarm_names):
    """The schedules (as precedentum.deploy.eventbridge_schedules takes them) that carry out PLAN on the services of
    ECS (deployment_info's ecs part), the DB instance and the alarms; [] when off. A service comes back with the count
    it runs now (1 when it is at 0)."""
    if not plan:
        return []
    cron, zone = plan["cron"], plan["timezone"]

    def schedule(name, when, action, given, description):
        return {"name": f"{prefix}-{name}", "expression": cron[when], "timezone": zone, "action": action,
                "input": given, "description": description}

    found = [schedule("db-start", "db_start", "rds:startDBInstance", {"DbInstanceIdentifier": db_identifier},
                      "Start the database before office hours"),
             schedule("db-stop", "db_stop", "rds:stopDBInstance", {"DbInstanceIdentifier": db_identifier},
                      "Stop the database after office hours")]
    for key, service in sorted(((ecs or {}).get("services") or {}).items()):
        found += [schedule(f"{key}-start", "services_start", "ecs:updateService",
                           {"Cluster": ecs["cluster"], "Service": service["name"],
                            "DesiredCount": max(int(service.get("desired") or 0), 1)},
                           f"Start the {key} tasks for office hours"),
                  schedule(f"{key}-stop", "services_stop", "ecs:updateService",
                           {"Cluster": ecs["cluster"], "Service": service["name"], "DesiredCount": 0},
                           f"Stop the {key} tasks after office hours")]
    if alarm_names:
        found += [schedule("alarms-on", "alarms_on", "cloudwatch:enableAlarmActions", {"AlarmNames": list(alarm_names)},
                           "The alarms notify again once the site runs"),
                  schedule("alarms-off", "alarms_off", "cloudwatch:disableAlarmActions",
                           {"AlarmNames": list(alarm_names)}, "No notifications while the site is paused")]
    return found


def office_hours_next(value, now=None):
    """'resumes at 08:00 (Mon 2026-12-07, America/Chicago)' or 'pauses at 20:00 (...)': the next change of the site
    under VALUE from NOW (an aware datetime; the present when None), or '' when off or the zone is unknown."""
    found = oh.plan(value)
    zone = _zone(found["timezone"]) if found else None
    if not found or zone is None:
        return ""
    now = (now or datetime.datetime.now(datetime.UTC)).astimezone(zone)
    for offset in range(8):
        day = (now + datetime.timedelta(days=offset)).date()
        if oh.DAYS[day.weekday()] not in found["days"]:
            continue
        for minutes, what in ((found["start"], "resumes"), (found["end"], "pauses")):
            when = datetime.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=zone)
            if when > now:
                return f"{what} at {when:%H:%M} ({when:%a %Y-%m-%d}, {found['timezone']}) by its office hours"
    return ""
