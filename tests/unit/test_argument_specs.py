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


def _tasks(tasks):
    for task in tasks or []:
        yield task
        for key in ("block", "rescue", "always"):
            yield from _tasks(task.get(key))


def _prechecked(play) -> set[str]:
    """The roles whose validate entry point the play's pre-tasks run (a name templated over the platform or over
    a loop of the play's own lists counts every role it can be)."""
    roles = set()
    for task in _tasks(play.get("pre_tasks")):
        include = task.get("ansible.builtin.include_role") or {}
        if include.get("tasks_from") != "validate":
            continue
        name = include["name"].removeprefix("precedentum.deploy.")
        if "precedentum_platform" in name:
            roles |= {"ecs", "lightsail"}
        elif "{{" in name:
            loop = task["loop"]
            if isinstance(loop, list):
                roles |= set(loop)
            else:
                listed = next(v for k, v in play["vars"].items() if k in loop)
                roles |= {role for platform_roles in listed.values() for role in platform_roles}
        else:
            roles.add(name)
    return roles


@pytest.mark.parametrize("week", ["week1.yml", "week2.yml", "week3.yml", "week4.yml", "deploy.yml", "pause.yml",
                                  "resume.yml", "run.yml", "rollback.yml"])
def test_a_phase_told_its_inputs_were_checked_was_checked_with_the_same_inputs(week):
    """A phase whose include says its inputs were checked (so its entry point skips its checks) is one the play's
    pre-tasks checked with the same spec, passes no variables of its own and nothing in the play sets its
    inputs in between; every phase of the week that can be told so is."""
    (play, *_rest) = yaml.safe_load((REPO / "playbooks" / week).read_text())
    checked = _prechecked(play)
    set_in_play = {key for task in _tasks(play.get("tasks")) for key in (task.get("ansible.builtin.set_fact") or {})}
    told = 0
    for task in _tasks(play.get("tasks")):
        include = task.get("ansible.builtin.include_role")
        if not include:
            continue
        role = include["name"].removeprefix("precedentum.deploy.")
        entry = include.get("tasks_from", "main")
        spec = entry_point(role, "main")
        same_spec = entry_point(role, entry) == spec if entry != "validate" else False
        flagged = (task.get("vars") or {}).get("__precedentum_inputs_checked") is True
        if flagged:
            told += 1
            assert include.get("rolespec_validate") is False, task["name"]
            assert set(task["vars"]) == {"__precedentum_inputs_checked"}, task["name"]
            assert role in checked and same_spec, task["name"]
            assert not set_in_play & set(spec), task["name"]
        else:
            assert include.get("rolespec_validate", True) is True, task["name"]
            could = role in checked and same_spec and not task.get("vars") and not set_in_play & set(spec)
            assert not could, f"{task['name']}: checks its inputs a second time"
    assert told > 0 or week == "deploy.yml"  # deploy.yml sets ecs_image_tag between its check and the services
