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
