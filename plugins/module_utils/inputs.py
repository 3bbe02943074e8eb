# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Conversions shared by the input checks: a value from YAML or from -e (a string) as the argument spec reads it."""

from __future__ import annotations


def to_int(value):
    """An int from an int or a decimal string; None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip(), 10)
    except (TypeError, ValueError):
        return None


# Ansible's own spellings (ansible.module_utils.parsing.convert_bool), as the argument spec and the bool
# filter read them.
TRUE = frozenset(("y", "yes", "on", "1", "true", "t", "1.0"))
FALSE = frozenset(("n", "no", "off", "0", "false", "f", "0.0", ""))


def to_bool(value):
    """A bool from a bool, 0/1 or one of Ansible's spellings ('false' from -e name=false is False); None for
    anything else, so that a check can name the variable."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    return None


def to_number(value):
    """A float from a number or a numeric string ("60" from -e counts); None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None
