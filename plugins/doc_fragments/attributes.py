# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The attributes every module of the collection documents: what check mode and diff mode do."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return the changes it would make, without making them.
  diff_mode:
    description: Returns what changed, or would change in check mode, when run with C(--diff).
"""

    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check mode and return the changes it would make, without making them.
    support: full
    details: This module only reads; it runs the same in check mode.
  diff_mode:
    description: Returns what changed, or would change in check mode, when run with C(--diff).
    support: N/A
    details: This module only reads and changes nothing.
"""
