# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lightsail role's input checks, as pure logic (tests/unit/test_lightsail_filter.py)."""

from __future__ import annotations

import re

from ansible_collections.precedentum.deploy.plugins.module_utils.inputs import to_int
from ansible_collections.precedentum.deploy.plugins.plugin_utils.environment import environment_errors

SERVICE_NAME_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
DB_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,254}$")
IDENT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
RESERVED = {"DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "DATABASE_USER", "DATABASE_ENGINE",
            "PRECEDENTUM_BACKEND_URL"}
BACKUP_RE = re.compile(r"^\d{2}:\d{2}-\d{2}:\d{2}$")
MAINTENANCE_RE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun):\d{2}:\d{2}-(mon|tue|wed|thu|fri|sat|sun):\d{2}:\d{2}$")


def _environment_errors(var, environment):
    return environment_errors(var, environment, RESERVED, "keep secrets in Secrets Manager (the role passes the "
                              "database's and Django's from there)", "")


def _command_errors(var, command):
    if not isinstance(command, list) or not command or not all(isinstance(x, str) and x for x in command):
        return [f"{var}: a non-empty list of strings (the container's command)"]
    return []


def lightsail_input_errors(inputs):
    i = inputs
    errors = []
    scale = to_int(i.get("lightsail_container_scale"))
    if scale is None or not 1 <= scale <= 20:
        errors.append(f"lightsail_container_scale: {i.get('lightsail_container_scale')!r} must be 1 to 20 nodes")
    if not SERVICE_NAME_RE.match(str(i.get("lightsail_service_name", ""))):
        errors.append(f"lightsail_service_name: {i.get('lightsail_service_name')!r} must be 1 to 63 lower-case "
                      "letters, digits and hyphens")
    # The choices (power, database, bundle, engine version) are the argument spec's, checked before these.
    database = i.get("lightsail_database")
    if database == "postgres":
        if not DB_NAME_RE.match(str(i.get("lightsail_database_instance_name", ""))):
            errors.append("lightsail_database_instance_name: letters, digits and hyphens, starting with a letter")
        for var in ("lightsail_database_master_username", "lightsail_database_db_name"):
            if not IDENT_RE.match(str(i.get(var, ""))):
                errors.append(f"{var}: letters, digits and underscores, starting with a letter (at most 63)")
        window = i.get("lightsail_database_backup_window") or ""
        if window and not BACKUP_RE.match(window):
            errors.append("lightsail_database_backup_window: hh24:mi-hh24:mi in UTC, or empty")
        window = i.get("lightsail_database_maintenance_window") or ""
        if window and not MAINTENANCE_RE.match(window):
            errors.append("lightsail_database_maintenance_window: ddd:hh24:mi-ddd:hh24:mi in UTC, or empty")
    for var in ("lightsail_backend_port", "lightsail_frontend_port"):
        port = to_int(i.get(var))
        if port is None or not 1 <= port <= 65535:
            errors.append(f"{var}: {i.get(var)!r} is not a port (1 to 65535)")
    if to_int(i.get("lightsail_backend_port")) == to_int(i.get("lightsail_frontend_port")):
        errors.append("lightsail_frontend_port: must differ from lightsail_backend_port (the containers share a node)")
    for var in ("lightsail_backend_environment", "lightsail_frontend_environment"):
        errors += _environment_errors(var, i.get(var))
    for var in ("lightsail_postgres_command", "lightsail_sqlite_command"):
        errors += _command_errors(var, i.get(var))
    for var in ("lightsail_image_tag", "lightsail_rollback_tag"):
        tag = i.get(var) or ""
        if tag and not re.match(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", str(tag)):
            errors.append(f"{var}: {tag!r} is not a valid image tag")
    path = str(i.get("lightsail_health_check_path", ""))
    if not path.startswith("/"):
        errors.append(f"lightsail_health_check_path: {path!r} must start with /")
    days = to_int(i.get("lightsail_secret_recovery_days"))
    if days is None or not (days == 0 or 7 <= days <= 30):
        errors.append(f"lightsail_secret_recovery_days: {i.get('lightsail_secret_recovery_days')!r} must be 0 "
                      "(delete at once) or 7 to 30")
    timeout = to_int(i.get("lightsail_wait_timeout"))
    if timeout is None or not 1 <= timeout <= 3600:
        errors.append(f"lightsail_wait_timeout: {i.get('lightsail_wait_timeout')!r} must be 1 to 3600 seconds")
    email = str(i.get("lightsail_superuser_email", ""))
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        errors.append(f"lightsail_superuser_email: {email!r} is not an e-mail address")
    if not IDENT_RE.match(str(i.get("lightsail_superuser_username", ""))):
        errors.append("lightsail_superuser_username: letters, digits and underscores, starting with a letter")
    return errors
