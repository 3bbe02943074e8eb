"""Every module's DOCUMENTATION, EXAMPLES and RETURN are YAML that ansible-doc can read (a ': ' inside a plain
line, for one, makes the page unreadable while the module still runs), and each documented option exists."""

from __future__ import annotations

import ast

import pytest
import yaml

from tests.harness.ansible import REPO

MODULES = sorted((REPO / "plugins/modules").glob("*.py"))


def blocks(path):
    tree = ast.parse(path.read_text())
    return {node.targets[0].id: node.value.value for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in ("DOCUMENTATION", "EXAMPLES", "RETURN")}


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_the_documentation_parses(path):
    found = blocks(path)
    assert set(found) == {"DOCUMENTATION", "EXAMPLES", "RETURN"}, f"{path.name} lacks a block"
    doc = yaml.safe_load(found["DOCUMENTATION"])
    assert doc["module"] == path.stem and doc["short_description"] and doc["description"]
    yaml.safe_load(found["EXAMPLES"])
    yaml.safe_load(found["RETURN"])
    source = path.read_text()
    for option in doc.get("options") or {}:
        assert f"{option}=dict(" in source or f'"{option}"' in source, f"{path.name}: {option} is documented only"


def _undocumented(values):
    """RETURN keys a reader cannot picture: a scalar without a sample, a dict or a list of dicts without
    `contains` (or, for a dict keyed by names, a sample)."""
    missing = []
    for key, value in (values or {}).items():
        kind = value.get("type")
        if kind == "dict" or kind == "list" and value.get("elements") == "dict":
            if "contains" not in value and "sample" not in value:
                missing.append(f"{key}: no contains")
        elif kind != "list" and "sample" not in value:
            missing.append(f"{key}: no sample")
    return missing


@pytest.mark.parametrize("path", MODULES, ids=[p.stem for p in MODULES])
def test_every_return_value_has_a_sample_or_what_it_contains(path):
    assert _undocumented(yaml.safe_load(blocks(path)["RETURN"])) == []


def test_the_return_check_finds_what_lacks():
    assert _undocumented({"arn": {"type": "str"}, "rows": {"type": "list", "elements": "dict"},
                          "ok": {"type": "dict", "contains": {"size": {"type": "int"}}}}) == [
        "arn: no sample", "rows: no contains"]


def test_every_aws_module_is_in_the_action_group():
    """module_defaults: {group/precedentum.deploy.aws: {region: ...}} gives the inventory's precedentum_region to each
    AWS module of this collection; one left out of meta/runtime.yml's group calls AWS in whatever region the
    machine's profile names, or fails without one (deployment_info and database_window were)."""
    group = yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())["action_groups"]["aws"]
    listed = {entry for entry in group if isinstance(entry, str)}
    aws = {path.stem for path in MODULES if "AnsibleAWSModule(" in path.read_text()}
    assert sorted(aws - listed) == [] and sorted(listed - aws) == []  # a module without region takes none
