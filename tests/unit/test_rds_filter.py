"""The rds role's decisions, as pure logic: replacement guard, engine version, input checks."""

from __future__ import annotations

import importlib.util

import pytest

from tests.harness.ansible import REPO


def _load(name):
    spec = importlib.util.spec_from_file_location(name, REPO / f"plugins/plugin_utils/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rds = _load("rds")
roles = _load("roles")

CURRENT = {"db_instance_identifier": "p-db", "engine": "postgres", "engine_version": "17.6",
           "allocated_storage": 30, "storage_encrypted": True, "db_name": "precedentum",
           "master_username": "precedentum"}
DESIRED = {"rds_allocated_storage": 30, "rds_storage_encrypted": True, "rds_db_name": "precedentum",
           "rds_master_username": "precedentum", "rds_engine_version": "17", "rds_allow_major_version_upgrade": False}
INPUTS = {"rds_instance_identifier": "precedentum-testing-db", "rds_allocated_storage": 20,
          "rds_backup_retention_days": 7, "rds_secret_recovery_days": 7, "rds_engine_version": "17",
          "rds_db_name": "precedentum", "rds_master_username": "precedentum", "rds_port": 5432,
          "rds_wait_timeout": 1800, "rds_wait_delay": 15}


def test_no_instance_means_no_problem():
    assert rds.rds_replacement_problems({}, DESIRED) == []
    assert rds.rds_replacement_problems(CURRENT, DESIRED) == []


def test_growth_is_in_place_but_shrink_is_refused():
    assert rds.rds_replacement_problems(CURRENT, {**DESIRED, "rds_allocated_storage": "40"}) == []
    (problem,) = rds.rds_replacement_problems(CURRENT, {**DESIRED, "rds_allocated_storage": 25})
    assert "never shrink" in problem and "at least 30" in problem


@pytest.mark.parametrize(("change", "needle"), [
    ({"rds_storage_encrypted": False}, "encryption cannot change"),
    ({"rds_storage_encrypted": "false"}, "encryption cannot change"),
    ({"rds_db_name": "other"}, "cannot be renamed"),
    ({"rds_master_username": "admin2"}, "cannot change"),
    ({"rds_engine_version": "16"}, "cannot be downgraded"),
    ({"rds_engine_version": "18"}, "rds_allow_major_version_upgrade"),
])
def test_changes_that_need_a_new_instance_are_explained(change, needle):
    problems = rds.rds_replacement_problems(CURRENT, {**DESIRED, **change})
    assert any(needle in p for p in problems), problems


def test_major_upgrade_with_opt_in_is_accepted():
    assert rds.rds_replacement_problems(CURRENT, {**DESIRED, "rds_engine_version": "18",
                                                  "rds_allow_major_version_upgrade": True}) == []


def test_major_only_version_keeps_the_current_minor():
    assert rds.rds_engine_version_request("17", CURRENT) == "17.6"
    assert rds.rds_engine_version_request("17.7", CURRENT) == "17.7"
    assert rds.rds_engine_version_request("18", CURRENT) == "18"
    assert rds.rds_engine_version_request("17", {}) == "17"
    # RDS upgraded the instance past a pinned minor (auto_minor_version_upgrade): it is not sent back.
    assert rds.rds_engine_version_request("17.5", CURRENT) == "17.6"
    assert rds.rds_engine_version_request("17.6", CURRENT) == "17.6"
    assert rds.rds_engine_version_request("17.10", {**CURRENT, "engine_version": "17.9"}) == "17.10"
    assert rds.rds_engine_version_request("16.9", CURRENT) == "16.9"  # a downgrade: refused elsewhere


def test_a_pinned_minor_rds_does_not_offer_is_refused_naming_the_offered_ones():
    offered = ["16.9", "17.4", "17.5", "17.6"]
    assert rds.rds_offered_version_problem("17.5", offered) == ""
    assert rds.rds_offered_version_problem("17", offered) == ""
    assert rds.rds_offered_version_problem("17.6", [], CURRENT) == ""  # the running one
    problem = rds.rds_offered_version_problem("17.2", offered)
    assert "rds_engine_version 17.2 is not offered" in problem and "17.4, 17.5, 17.6" in problem
    assert "no 19.x is offered" in rds.rds_offered_version_problem("19.1", offered)


def test_inputs_accept_defaults_and_strings_from_the_command_line():
    assert rds.rds_input_errors(INPUTS) == []
    assert rds.rds_input_errors({**INPUTS, "rds_allocated_storage": "25", "rds_port": "5432"}) == []
    assert rds.rds_input_errors({**INPUTS, "rds_allocated_storage": 20, "rds_max_allocated_storage": 22}) == []


@pytest.mark.parametrize(("change", "variable"), [
    ({"rds_allocated_storage": 19}, "rds_allocated_storage"),
    ({"rds_allocated_storage": 70000}, "rds_allocated_storage"),
    ({"rds_backup_retention_days": 36}, "rds_backup_retention_days"),
    ({"rds_secret_recovery_days": 31}, "rds_secret_recovery_days"),
    ({"rds_engine_version": "11"}, "rds_engine_version"),
    ({"rds_db_name": "1st"}, "rds_db_name"),
    ({"rds_master_username": "pg_owner"}, "rds_master_username"),
    ({"rds_master_username": "a" * 17}, "rds_master_username"),
    ({"rds_instance_identifier": "db-"}, "rds_instance_identifier"),
    ({"rds_port": 80}, "rds_port"),
    ({"rds_wait_delay": 0}, "rds_wait_delay"),
    ({"rds_max_allocated_storage": 21}, "rds_max_allocated_storage"),
    ({"rds_max_allocated_storage": 70000}, "rds_max_allocated_storage"),
])
def test_each_bad_input_names_its_variable(change, variable):
    errors = rds.rds_input_errors({**INPUTS, **change})
    assert errors and all(e.startswith(variable) for e in errors), errors


def test_unknown_role_vars_reads_every_entry_point_and_allows_outputs():
    path = str(REPO / "roles/rds")
    names = ["rds_instance_class", "rds_skip_final_snapshot", "rds_endpoint", "rds_instance_clas"]
    assert roles.unknown_role_vars(names, path, ["rds_endpoint"]) == ["rds_instance_clas"]
