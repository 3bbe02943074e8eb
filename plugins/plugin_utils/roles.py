# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks shared by every role of the collection."""

from __future__ import annotations

import os

import yaml


def unknown_role_vars(names, role_path, outputs=()):
    with open(os.path.join(role_path, "meta", "argument_specs.yml"), encoding="utf-8") as f:
        specs = yaml.safe_load(f)["argument_specs"]
    known = set(outputs)
    for entry in specs.values():
        known.update((entry.get("options") or {}).keys())
    return sorted(set(names) - known)
