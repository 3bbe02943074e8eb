"""Booleans and numbers from the command line (-e name=false gives the string "false") read as from YAML.

One conversion: Ansible's bool filter in the roles' YAML, module_utils/inputs.py in the filters and the cost
plan (tests/unit/test_tiers.py prices each boolean both ways). The scan below finds a boolean variable of an
argument spec used in a condition or an expression without '| bool', where "false" would count as true."""

from __future__ import annotations

import re

import pytest
import yaml
from ansible_collections.precedentum.deploy.plugins.module_utils.inputs import to_bool, to_int, to_number

from tests.harness.ansible import REPO

CONDITION_KEYS = ("when", "that", "failed_when", "changed_when", "until", "break_when")


def boolean_variables() -> set[str]:
    found = set()
    for spec in REPO.glob("roles/*/meta/argument_specs.yml"):
        for entry in yaml.safe_load(spec.read_text())["argument_specs"].values():
            found |= {name for name, option in (entry.get("options") or {}).items() if option.get("type") == "bool"}
    return found


def expressions(text: str):
    """(line number, Jinja expression) of a YAML file: every {{ ... }} and every condition's value."""
    key = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            continue
        for match in re.finditer(r"\{\{(.*?)\}\}", line):
            yield number, match.group(1)
        keyed = re.match(r"^\s*(?:-\s+)?([a-z_]+):\s*(.*)$", line)
        if keyed:
            key = keyed.group(1)
            if key in CONDITION_KEYS and keyed.group(2) and "{{" not in keyed.group(2):
                yield number, keyed.group(2)
        elif key in CONDITION_KEYS and stripped.startswith("- ") and "{{" not in stripped:
            yield number, stripped[2:]


def test_every_boolean_input_goes_through_the_bool_filter():
    names = boolean_variables()
    assert {"rds_skip_final_snapshot", "rds_public_window", "alb_https_redirect"} <= names
    raw = re.compile(r"(?<![.\w])(" + "|".join(sorted(names, key=len, reverse=True))
                     + r")\b(?!\s*\|\s*(default\([^)]*\)\s*\|\s*)?bool)")
    files = [*REPO.glob("roles/*/tasks/*.yml"), *REPO.glob("roles/*/vars/*.yml"), *REPO.glob("playbooks/*.yml"),
             *REPO.glob("playbooks/tasks/*.yml"), *REPO.glob("roles/*/templates/*.j2")]
    found = []
    for path in files:
        for number, expression in expressions(path.read_text()):
            # A whole module parameter ("{{ rds_multi_az }}"): the module's own type conversion reads it.
            if re.fullmatch(r"\s*[a-z_]+\s*(\|\s*default\([^)]*\)\s*)?", expression):
                continue
            found += [f"{path.relative_to(REPO)}:{number}: {m.group(1)} in {expression.strip()[:80]}"
                      for m in raw.finditer(expression)]
    assert found == [], "booleans read without '| bool' (-e name=false would be true):\n" + "\n".join(found)


@pytest.mark.parametrize(("value", "expected"), [
    (True, True), (False, False), ("true", True), ("True", True), ("yes", True), ("on", True), ("1", True), (1, True),
    ("false", False), ("False", False), ("no", False), ("off", False), ("0", False), (0, False), ("", False),
    (None, False), ("maybe", None), ("2", None), ([], None)])
def test_to_bool_reads_what_ansible_reads(value, expected):
    assert to_bool(value) is expected


def test_numbers_from_text_and_from_yaml_are_the_same():
    assert to_int("60") == to_int(60) == 60 and to_int(" 7 ") == 7
    assert to_int(True) is None and to_int("6.5") is None and to_int("x") is None
    assert to_number("60") == to_number(60) == 60.0 and to_number("2.5") == 2.5
    assert to_number(False) is None and to_number("x") is None
