# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Decisions of the rds role that are pure logic: what AWS cannot change in place, which engine
version to ask for, and the input checks."""

from __future__ import annotations

import re

from ansible_collections.precedentum.deploy.plugins.module_utils.inputs import to_bool, to_int

IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
VERSION_RE = re.compile(r"^\d+(\.\d+)?$")
RESERVED_USERS = {"rdsadmin", "rdsrepladmin", "rds_superuser", "public"}


def _major(version):
    return int(str(version).partition(".")[0])


def rds_replacement_problems(current, desired):
    if not current:
        return []
    problems = []
    ident = current.get("db_instance_identifier", "the instance")
    if current.get("engine") and current["engine"] != "postgres":
        problems.append(f"{ident} runs {current['engine']}, not postgres; this role manages PostgreSQL only")
    size = current.get("allocated_storage")
    if size is not None and to_int(desired["rds_allocated_storage"]) < size:
        problems.append(
            f"rds_allocated_storage is {desired['rds_allocated_storage']} GB but {ident} already has {size} GB: "
            "RDS storage can grow but never shrink. Keep it at least {size}, or dump, destroy and reload".replace(
                "{size}", str(size))
        )
    encrypted = bool(to_bool(desired["rds_storage_encrypted"]))
    if "storage_encrypted" in current and bool(current["storage_encrypted"]) != encrypted:
        problems.append(
            f"rds_storage_encrypted is {desired['rds_storage_encrypted']} but {ident} was created with "
            f"{current['storage_encrypted']}: encryption cannot change in place (restore a snapshot copy instead)"
        )
    if current.get("db_name") and current["db_name"] != desired["rds_db_name"]:
        problems.append(
            f"rds_db_name is {desired['rds_db_name']!r} but {ident} was created with {current['db_name']!r}, "
            "which cannot be renamed: set it back"
        )
    if current.get("master_username") and current["master_username"] != desired["rds_master_username"]:
        problems.append(
            f"rds_master_username is {desired['rds_master_username']!r} but {ident} was created with "
            f"{current['master_username']!r}, which cannot change: set it back"
        )
    if current.get("engine_version"):
        have, want = _major(current["engine_version"]), _major(desired["rds_engine_version"])
        if want < have:
            problems.append(
                f"rds_engine_version {desired['rds_engine_version']} is older than {ident}'s "
                f"{current['engine_version']}: PostgreSQL cannot be downgraded in place"
            )
        elif want > have and not to_bool(desired.get("rds_allow_major_version_upgrade")):
            problems.append(
                f"rds_engine_version {desired['rds_engine_version']} is a major upgrade from "
                f"{current['engine_version']}: take a snapshot, check the app against it, then set "
                "rds_allow_major_version_upgrade: true"
            )
    return problems


def _version(text):
    try:
        return tuple(int(part) for part in str(text).split("."))
    except ValueError:
        return ()


def rds_engine_version_request(desired, current=None):
    """The engine version to send. A major-only input keeps the current minor (no needless modify); so does a
    pinned minor older than the running one of the same major: RDS upgraded it (auto_minor_version_upgrade)
    and would refuse going back, which is no downgrade the user asked for."""
    desired = str(desired)
    have = (current or {}).get("engine_version")
    if have and str(have).partition(".")[0] == desired.partition(".")[0]:
        if "." not in desired or _version(have) >= _version(desired):
            return str(have)
    return desired


def rds_offered_version_problem(requested, offered, current=None):
    """Why RDS would refuse the requested version, or "": a pinned minor it no longer offers (the offered ones
    of that major named). A major alone, or the version running now, needs no look."""
    requested = str(requested)
    if "." not in requested or requested == str((current or {}).get("engine_version") or ""):
        return ""
    versions = sorted({str(v) for v in offered or []}, key=_version)
    if requested in versions:
        return ""
    major = requested.partition(".")[0]
    same_major = [v for v in versions if v.partition(".")[0] == major]
    return (f"rds_engine_version {requested} is not offered by RDS for PostgreSQL in this region"
            + (f" (offered for {major}: {', '.join(same_major)})" if same_major else f" (no {major}.x is offered)")
            + f"; give one of them, or the major alone (\"{major}\") for RDS's default minor")


def rds_input_errors(inputs):
    errors = []
    ident = inputs["rds_instance_identifier"]
    if not isinstance(ident, str) or not IDENTIFIER_RE.match(ident) or len(ident) > 63:
        errors.append(
            f"rds_instance_identifier: {ident!r} must be 1-63 lowercase letters, digits and single hyphens, "
            "starting with a letter"
        )
    numbers = {k: to_int(inputs[k]) for k in ("rds_allocated_storage", "rds_backup_retention_days",
                                              "rds_secret_recovery_days", "rds_port", "rds_wait_timeout",
                                              "rds_wait_delay")}
    if not 20 <= numbers["rds_allocated_storage"] <= 65536:
        errors.append(f"rds_allocated_storage: {inputs['rds_allocated_storage']} GB; RDS PostgreSQL takes 20 to 65536")
    most = to_int(inputs.get("rds_max_allocated_storage", 0))
    if most and (most > 65536 or most * 10 < numbers["rds_allocated_storage"] * 11):
        errors.append(
            f"rds_max_allocated_storage: {most} GB; storage autoscaling needs a ceiling at least 10% above "
            f"rds_allocated_storage ({inputs['rds_allocated_storage']} GB) and at most 65536, or 0 for none"
        )
    if not 0 <= numbers["rds_backup_retention_days"] <= 35:
        errors.append(f"rds_backup_retention_days: {inputs['rds_backup_retention_days']}; AWS allows 0 to 35 days")
    days = numbers["rds_secret_recovery_days"]
    if days != 0 and not 7 <= days <= 30:
        errors.append(f"rds_secret_recovery_days: {days}; Secrets Manager takes 7 to 30 days, or 0 to delete at once")
    version = str(inputs["rds_engine_version"])
    if not VERSION_RE.match(version):
        errors.append(f"rds_engine_version: {version!r} is not a PostgreSQL version such as 17 or 17.6")
    elif _major(version) < 13:
        errors.append(f"rds_engine_version: {version} is past its end of standard support on RDS; use 13 or newer")
    for var, maximum in (("rds_db_name", 63), ("rds_master_username", 16)):
        value = inputs[var]
        if not isinstance(value, str) or not NAME_RE.match(value) or len(value) > maximum:
            errors.append(f"{var}: {value!r} must be letters, digits and underscores, starting with a letter, "
                          f"at most {maximum} characters")
    user = str(inputs["rds_master_username"]).lower()
    if user in RESERVED_USERS or user.startswith(("rds", "pg_")):
        errors.append(f"rds_master_username: {inputs['rds_master_username']!r} is reserved by RDS or PostgreSQL")
    if not 1150 <= numbers["rds_port"] <= 65535:
        errors.append(f"rds_port: {inputs['rds_port']}; RDS PostgreSQL takes 1150 to 65535")
    for var in ("rds_wait_timeout", "rds_wait_delay"):
        if numbers[var] <= 0:
            errors.append(f"{var}: must be a positive number of seconds")
    return errors
