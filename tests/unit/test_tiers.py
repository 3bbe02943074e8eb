"""The four options priced side by side: each tier's settings are its inventory's over the roles' defaults
(playbooks/cost.yml reads them; the cost role keeps no copy), and the grown stacks carry their NAT gateways
and private tasks into the price."""

from __future__ import annotations

import importlib.util

import pytest
import yaml

from tests.harness.ansible import REPO

_spec = importlib.util.spec_from_file_location("cost_filter", REPO / "plugins/plugin_utils/cost.py")
cf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cf)

COST_VARS = yaml.safe_load((REPO / "roles/cost/vars/main.yml").read_text())
ROLE_DEFAULTS = {}
for role in ("network", "rds", "ecs", "cost", "cache", "edge", "storage", "lightsail"):
    ROLE_DEFAULTS.update(yaml.safe_load((REPO / f"roles/{role}/defaults/main.yml").read_text()))


def inventory(option) -> dict:
    return yaml.safe_load((REPO / f"inventories/{option}/group_vars/precedentum.yml").read_text())


def settings(option) -> dict:
    """What playbooks/cost.yml prices for an option: its inventory's settings over the roles' defaults."""
    return {**ROLE_DEFAULTS, **inventory(option)}


def test_the_cost_role_keeps_no_copy_of_the_tiers_and_reads_no_file_of_another_role():
    assert not any("preset" in name or "option" in name for name in COST_VARS), sorted(COST_VARS)
    tasks = "\n".join(f.read_text() for f in (REPO / "roles/cost").rglob("*.yml"))
    for reads in ("role_path }}/..", "include_vars", "defaults/main.yml", "lookup('ansible.builtin.file'"):
        assert reads not in tasks, f"the cost role reads another role's files ({reads})"
    # Every role the plan prices can make its defaults known without running anything (its defaults entry point).
    for platform, roles in COST_VARS["cost_priced_roles"].items():
        assert set(roles) <= set(COST_VARS["__cost_priced_settings"]), platform
        for role in roles:
            assert yaml.safe_load((REPO / f"roles/{role}/tasks/defaults.yml").read_text()) == [], role


def test_the_roles_whose_defaults_are_made_known_are_the_priced_roles():
    """cost_priced_roles is written where the cost role reads it, and where its roles' defaults are made known:
    playbooks/tasks/budget.yml (every week and cost.yml) imports both platforms' roles, the cost scenario's
    converge the lean inventory's (molecule/cost/vars.yml). A role added to one and not the others is caught here,
    not by a plan that stops on a real account because a setting is unknown."""
    priced = COST_VARS["cost_priced_roles"]
    budget = yaml.safe_load((REPO / "playbooks/tasks/budget.yml").read_text())
    imported = [task["ansible.builtin.import_role"] for task in budget if "ansible.builtin.import_role" in task]
    assert all(task["tasks_from"] == "defaults" for task in imported), imported
    assert [task["name"] for task in imported] == [f"precedentum.deploy.{role}" for roles in priced.values()
                                                   for role in roles]
    scenario = yaml.safe_load((REPO / "molecule/cost/vars.yml").read_text())
    assert scenario["molecule_public_roles"] == priced["ecs"]


@pytest.mark.parametrize("option", ["ultra_lean", "lean", "growth", "production"])
def test_each_priced_setting_an_inventory_sets_is_a_setting_the_cost_role_prices(option):
    # A priced-looking setting the plan would ignore (a role of the platform not in cost_priced_roles) is a gap.
    platform = inventory(option)["precedentum_platform"]
    priced = {n for role in COST_VARS["cost_priced_roles"][platform] for n in COST_VARS["__cost_priced_settings"][role]}
    priced |= set(COST_VARS["__cost_assumptions"])
    looks_priced = ("cost_", "ecs_", "rds_instance", "network_nat", "lightsail_container", "cache_", "edge_enabled")
    names = [n for n in inventory(option) if n.startswith(looks_priced)]
    assert all(n in priced for n in names if not n.startswith(("ecs_autoscaling", "rds_max"))), (option, names)


def test_growth_and_production_have_nat_gateways_and_private_tasks():
    lean = cf.cost_stack(settings("lean"), "lean")
    growth = cf.cost_stack(settings("growth"), "growth")
    production = cf.cost_stack(settings("production"), "production")
    assert "nat_gateways" not in lean and all(t["public_ip"] for t in lean["fargate_tasks"])
    assert growth["nat_gateways"] == 1 and production["nat_gateways"] == 2
    assert growth["nat_processed_gb"] == 20
    for stack in (growth, production):
        assert not any(t["public_ip"] for t in stack["fargate_tasks"])
    assert all(t["count"] == 2 and not t.get("spot") for t in growth["fargate_tasks"])
    # Production's frontend: the first task on regular Fargate, the second on Fargate Spot.
    assert [(t["name"], t["count"], t.get("spot", False)) for t in production["fargate_tasks"]] == [
        ("backend", 2, False), ("frontend", 1, False), ("frontend", 1, True)]
    assert production["rds"]["multi_az"] and not growth["rds"]["multi_az"]
    assert growth["rds"]["instance_class"] == "db.t4g.small" and not growth["rds"]["publicly_accessible"]


def test_the_frontend_on_spot_is_priced_by_the_roles_placement():
    # Five frontend tasks at the default weight 3: 1 + 1 on regular Fargate, 3 on Spot; off, all regular.
    five = cf.cost_stack({**settings("production"), "ecs_desired_count": 5}, "production")
    assert [(t["count"], t.get("spot", False)) for t in five["fargate_tasks"] if t["name"] == "frontend"] == [
        (2, False), (3, True)]
    one = cf.cost_stack({**settings("lean"), "ecs_frontend_spot": True}, "lean")
    assert [(t["count"], t.get("spot", False)) for t in one["fargate_tasks"] if t["name"] == "frontend"] == [
        (1, False), (0, True)]


def test_an_unknown_option_is_refused():
    with pytest.raises(Exception, match="option must be one of"):
        cf.cost_stack(settings("lean"), "enterprise")


# What -e name=value gives (a string) against what YAML or -e '{"name": false}' gives.
AS_TEXT = {True: ["true", "True", "yes", "on", "1"], False: ["false", "False", "no", "off", "0"]}


@pytest.mark.parametrize("option", ["lean", "growth", "production"])
@pytest.mark.parametrize("name", ["rds_publicly_accessible", "rds_multi_az", "ecs_assign_public_ip",
                                  "ecs_frontend_spot", "cache_enabled", "edge_enabled"])
def test_a_boolean_from_the_command_line_prices_as_from_yaml(option, name):
    for value, spellings in AS_TEXT.items():
        expected = cf.cost_stack({**settings(option), name: value}, option)
        for text in spellings:
            assert cf.cost_stack({**settings(option), name: text}, option) == expected, (name, text)
    with pytest.raises(Exception, match=f"{name} must be true or false"):
        cf.cost_stack({**settings(option), name: "maybe"}, option)


def test_numbers_from_the_command_line_price_as_from_yaml():
    base = settings("lean")
    for name, value in (("ecs_desired_count", 2), ("rds_allocated_storage", 30), ("ecs_backend_cpu", 512),
                        ("cost_ecr_gb", 2.5), ("cost_lcu", 1.5)):
        assert cf.cost_stack({**base, name: str(value)}, "lean") == cf.cost_stack({**base, name: value}, "lean"), name


def test_a_plan_aws_cannot_run_is_not_priced():
    with pytest.raises(Exception, match="ecs_frontend_spot and ecs_cpu_architecture"):
        cf.cost_stack({**settings("production"), "ecs_cpu_architecture": "ARM64"}, "production")


def test_the_uploads_bucket_is_priced_on_the_ecs_options_only():
    lean = cf.cost_stack(settings("lean"), "lean")
    assert (lean["s3_gb"], lean["s3_put_thousands"], lean["s3_get_thousands"]) == (5, 10, 100)
    assert "s3_gb" not in cf.cost_stack(settings("ultra_lean"), "ultra_lean"), "Lightsail has no bucket here"
    off = cf.cost_stack({**settings("lean"), "storage_enabled": "false"}, "lean")
    assert not any(key.startswith("s3_") for key in off), "storage_enabled false: no bucket, nothing priced"


@pytest.mark.parametrize(("option", "name"), [("ultra_lean", "lightsail_container_power"),
                                              ("ultra_lean", "lightsail_database_bundle"),
                                              ("production", "cache_node_type"), ("growth", "network_nat_gateways"),
                                              ("lean", "storage_enabled"), ("lean", "cost_lcu")])
def test_a_setting_left_unset_is_named_not_guessed(option, name):
    # The filter keeps no copy of a role's defaults: the cost role makes every priced setting known.
    settings_without = {k: v for k, v in settings(option).items() if k != name}
    with pytest.raises(Exception, match=f"cost_stack: {name} is not set"):
        cf.cost_stack(settings_without, option)


def test_an_option_the_settings_cannot_run_is_left_out_with_the_reason():
    arm = {**settings("production"), "ecs_cpu_architecture": "ARM64"}
    assert cf.cost_tier("production", arm, left_out=True) == {
        "name": "production", "left_out": "ecs_frontend_spot and ecs_cpu_architecture: AWS runs no ARM64 task on "
        "Fargate Spot, so this plan cannot run; turn one of them off"}
    assert cf.cost_tier("lean", settings("lean"), left_out=True)["stack"] == cf.cost_stack(settings("lean"), "lean")
    with pytest.raises(Exception, match="Fargate Spot"):
        cf.cost_tier("production", arm)
