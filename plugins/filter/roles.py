# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks shared by every role of the collection."""

from __future__ import annotations

import os

import yaml

DOCUMENTATION = r"""
name: unknown_role_vars
short_description: Names among a role's prefixed variables that its argument spec does not know
description:
  - Takes the names of the variables that start with the role's prefix (from the varnames lookup),
    reads the role's meta/argument_specs.yml (every entry point), and returns the names it does not
    declare, less the role's documented outputs. A typo such as rds_instance_clas is then refused
    instead of silently ignored.
options:
  _input:
    description: Variable names, e.g. query('ansible.builtin.varnames', '^rds_').
    type: list
    elements: str
    required: true
  role_path:
    description: The role's folder (role_path).
    type: str
    required: true
  outputs:
    description: Facts the role sets, which are not inputs.
    type: list
    elements: str
    default: []
"""


def unknown_role_vars(names, role_path, outputs=()):
    with open(os.path.join(role_path, "meta", "argument_specs.yml"), encoding="utf-8") as f:
        specs = yaml.safe_load(f)["argument_specs"]
    known = set(outputs)
    for entry in specs.values():
        known.update((entry.get("options") or {}).keys())
    return sorted(set(names) - known)


class FilterModule:
    def filters(self):
        return {"unknown_role_vars": unknown_role_vars}
