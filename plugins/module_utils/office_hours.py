# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Office hours (precedentum_office_hours): when the site runs, read once for the schedules that pause and resume
it and for the cost check that prices them (pure logic, no AWS call).

The database starts DB_LEAD minutes before the services (they need it to answer their health checks) and stops
DB_LAG minutes after them; the alarms notify again ALARMS_LAG minutes after the services start."""

from __future__ import annotations

import re

DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
DB_LEAD = 20
DB_LAG = 10
ALARMS_LAG = 15
WEEKS_PER_MONTH = 52 / 12
NAME = "precedentum_office_hours"
EXAMPLE = '{days: MON-FRI, start: "08:00", end: "20:00", timezone: America/Chicago}'


def _minutes(value):
    match = re.fullmatch(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", str(value).strip())
    return int(match.group(1)) * 60 + int(match.group(2)) if match else None


def _days(value):
    """MON-FRI, MON,WED,FRI or SAT-SUN (EventBridge's day-of-week field) -> the days in order, or None."""
    found = []
    for part in str(value).upper().replace(" ", "").split(","):
        ends = part.split("-")
        if not part or len(ends) > 2 or any(end not in DAYS for end in ends):
            return None
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        if last < first:
            return None
        found += [day for day in DAYS[first:last + 1] if day not in found]
    return sorted(found, key=DAYS.index) or None


def is_off(value) -> bool:
    return value in (None, "", False, {}, "off", "none") or (isinstance(value, str) and value.lower() == "off")


def problems(value, valid_timezone=None) -> list[str]:
    """What is wrong with a precedentum_office_hours value, each naming it; [] when off or right. valid_timezone
    (a callable) checks the time zone's name where the caller can."""
    if is_off(value):
        return []
    if not isinstance(value, dict):
        return [f"{NAME}: {value!r} is neither off ({{}}) nor office hours such as {EXAMPLE}"]
    found = []
    unknown = sorted(set(value) - {"days", "start", "end", "timezone"})
    if unknown:
        found.append(f"{NAME}: unknown key(s) {', '.join(unknown)} (days, start, end, timezone)")
    if _days(value.get("days", "")) is None:
        found.append(f"{NAME}.days: {value.get('days')!r} is not days of the week such as MON-FRI or MON,WED,FRI")
    start, end = _minutes(value.get("start", "")), _minutes(value.get("end", ""))
    if start is None or end is None:
        found.append(f"{NAME}.start/end: {value.get('start')!r} to {value.get('end')!r} are not times such as "
                     "08:00 and 20:00")
    elif end <= start:
        found.append(f"{NAME}: end {value['end']} is not after start {value['start']} (hours over midnight are not "
                     "supported)")
    elif start < DB_LEAD or end + DB_LAG >= 24 * 60:
        found.append(f"{NAME}: start {value['start']} or end {value['end']} too close to midnight (the database "
                     f"starts {DB_LEAD} minutes before and stops {DB_LAG} minutes after: start at 00:{DB_LEAD:02d} "
                     f"at the earliest, end at 23:{59 - DB_LAG:02d} at the latest)")
    zone = str(value.get("timezone", "")).strip()
    if not zone:
        found.append(f"{NAME}.timezone: missing; a time zone such as America/Chicago or UTC")
    elif valid_timezone is not None and not valid_timezone(zone):
        found.append(f"{NAME}.timezone: {zone!r} is not a time zone name such as America/Chicago or UTC")
    return found


def plan(value) -> dict:
    """{} when off; else the days, the times in minutes, the hours a week the tasks and the database run, and the
    schedules' cron expressions ({name: (cron, what)}) in the time zone. The value must have no problems."""
    if is_off(value):
        return {}
    days = _days(value["days"])
    start, end = _minutes(value["start"]), _minutes(value["end"])
    field = ",".join(days)

    def cron(minutes):
        return f"cron({minutes % 60} {minutes // 60} ? * {field} *)"

    return {
        "days": days, "timezone": str(value["timezone"]).strip(), "start": start, "end": end,
        "task_hours_per_week": len(days) * (end - start) / 60,
        "db_hours_per_week": len(days) * (end + DB_LAG - (start - DB_LEAD)) / 60,
        "cron": {"db_start": cron(start - DB_LEAD), "services_start": cron(start),
                 "alarms_on": cron(start + ALARMS_LAG), "services_stop": cron(end), "alarms_off": cron(end),
                 "db_stop": cron(end + DB_LAG)},
    }


def describe(value) -> str:
    """'MON-FRI 08:00-20:00 America/Chicago (60 h a week)', or 'off'."""
    found = plan(value)
    if not found:
        return "off"
    return (f"{','.join(found['days'])} {value['start']}-{value['end']} {found['timezone']} "
            f"({found['task_hours_per_week']:g} h a week)")
