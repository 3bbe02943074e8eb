# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The check of a container's plain environment, which both platforms' roles (ecs, lightsail) apply."""

from __future__ import annotations

import re

ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRET_NAME_RE = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL", re.I)


def environment_errors(var, environment, reserved, secret_advice, reserved_reason):
    """What is wrong with VAR (a mapping of names to values): names that are not variable names, names that look
    like secrets (SECRET_ADVICE says where they belong), names in RESERVED (RESERVED_REASON says why), values that
    are not strings or numbers."""
    if not isinstance(environment, dict):
        return [f"{var}: must be a mapping of names to values, got {type(environment).__name__}"]
    errors = []
    for name, value in environment.items():
        if not isinstance(name, str) or not ENV_NAME_RE.match(name):
            errors.append(f"{var}: {name!r} is not a valid environment variable name")
        elif SECRET_NAME_RE.search(name):
            errors.append(f"{var}: {name} looks like a secret; {secret_advice}")
        elif name in reserved:
            errors.append(f"{var}: {name} is set by the role{reserved_reason}; choose another name")
        if isinstance(value, (dict, list)) or value is None:
            errors.append(f"{var}: the value of {name} must be a string or a number")
    return errors
