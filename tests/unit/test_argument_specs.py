"""The roles' argument specs own their inputs' choices: ansible-core checks them (validate_argument_spec, as
it does when a play includes a role's main or validate entry point) before the roles' own checks, which keep
only what a spec cannot say (ranges, formats, several variables together). Bad choices are refused naming the
variable; the defaults pass."""

from __future__ import annotations

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from tests.harness.ansible import REPO


def entry_point(role: str, name: str = "validate") -> dict:
    return yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())[
        "argument_specs"][name]["options"]


def errors(role: str, values: dict) -> list[str]:
    result = ArgumentSpecValidator(entry_point(role)).validate(values, validate_role_argument_spec=True)
    return [str(e) for e in result.errors]


@pytest.mark.parametrize("role, variable, value", [
    ("lightsail", "lightsail_container_power", "tiny"),
    ("lightsail", "lightsail_database", "mysql"),
    ("lightsail", "lightsail_database_bundle", "small"),
    ("lightsail", "lightsail_database_engine_version", "11"),
    ("network", "network_nat_gateways", "two"),
])
def test_a_choice_outside_the_spec_is_refused_naming_the_variable(role, variable, value):
    found = errors(role, {variable: value})
    assert len(found) == 1 and variable in found[0] and "must be one of" in found[0], found


@pytest.mark.parametrize("role, variable, value", [
    ("lightsail", "lightsail_container_power", "micro"),
    ("lightsail", "lightsail_database_engine_version", 16),  # a number in YAML: the spec's str takes it
    ("network", "network_nat_gateways", "per_zone"),
])
def test_a_choice_in_the_spec_passes(role, variable, value):
    assert errors(role, {variable: value}) == []


@pytest.mark.parametrize("role", sorted(p.name for p in (REPO / "roles").iterdir() if (p / "meta").is_dir()))
def test_every_role_validates_its_inputs_with_its_spec(role):
    """The week playbooks check every phase's inputs through the validate entry point before any AWS call."""
    specs = yaml.safe_load((REPO / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    assert specs["validate"]["options"] == specs["main"]["options"]
