# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the roles' input-checking filters (<role>_input_errors) share."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  _input:
    description: The role's inputs, keyed by variable name.
    type: dict
    required: true
notes:
  - Returns one message per problem, each starting with the variable at fault; empty when all is well.
  - Pure Python, no AWS call - a week playbook refuses bad input before it changes anything.
"""
