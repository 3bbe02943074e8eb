"""The repository works as a checkout and as an installed collection, with group_vars/ loaded both ways."""

from __future__ import annotations

import subprocess
import tarfile

import pytest
import yaml

from tests.harness.ansible import REPO, run_playbook
from tests.harness.collection import BIN, build, copy_checkout, galaxy_env

SHARED = yaml.safe_load((REPO / "group_vars/all.yml").read_text())


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The collection built with ansible-galaxy and installed into a folder of its own."""
    tmp = tmp_path_factory.mktemp("collection")
    env = galaxy_env(tmp)
    tarball = build(REPO, tmp)
    subprocess.run([BIN / "ansible-galaxy", "collection", "install", str(tarball), "-p", str(tmp / "coll"),
                    "--no-deps"], cwd=tmp, env=env, check=True, capture_output=True)
    return {"tmp": tmp, "tarball": tarball, "collections": tmp / "coll", "env": env}


def test_tarball_has_the_collection_and_no_caches(installed):
    names = tarfile.open(installed["tarball"]).getnames()
    for needed in ("MANIFEST.json", "meta/runtime.yml", "playbooks/week1.yml", "playbooks/group_vars/all.yml",
                   "group_vars/all.yml", "roles/network/meta/argument_specs.yml",
                   "plugins/filter/network_input_errors.py", "plugins/plugin_utils/network.py"):
        assert needed in names, needed
    for unwanted in (".venv", ".cache", ".collections", ".git", ".pytest_cache", "__pycache__"):
        assert not [n for n in names if unwanted in n.split("/")], unwanted
    assert not [n for n in names if n.endswith(".tar.gz")]
    assert "LICENSE" in names and "CHANGELOG.rst" in names and "changelogs/changelog.yaml" in names
    for unwanted in ("requirements/dev.txt", "scripts/ensure-docker", "scripts/ensure-postgresql"):
        assert unwanted not in names, unwanted


def test_a_report_and_the_test_output_stay_out_of_a_rebuilt_tarball(tmp_path):
    """The cost role writes reports/ in the checkout by default; a tarball built after it holds none."""
    checkout = copy_checkout(tmp_path / "checkout")
    for leftover in ("reports/cost-plan.md", "tests/output/junit.xml"):
        (checkout / leftover).parent.mkdir(parents=True, exist_ok=True)
        (checkout / leftover).write_text("left by a run\n")
    out = tmp_path / "out"
    out.mkdir()
    names = tarfile.open(build(checkout, out)).getnames()
    assert "playbooks/week1.yml" in names
    assert not [n for n in names if n.startswith(("reports", "tests/output"))], names


def _settings(output: str) -> dict:
    return {k: v for k in ("budget_usd", "region", "option") for v in [_value(output, k)]}


def _value(output: str, key: str) -> str:
    for line in output.splitlines():
        if line.strip().startswith(f"{key}:") or line.strip().startswith(f'"{key}":'):
            return line.split(":", 1)[1].strip().strip('",')
    return ""


def test_group_vars_are_loaded_from_a_checkout():
    run = run_playbook(str(REPO / "playbooks/settings.yml"), {"PATH": f"{BIN}:/usr/bin:/bin"},
                       inventory="inventories/ultra_lean")
    assert run.rc == 0, run
    # budget and region come only from group_vars/all.yml; option is overridden by the inventory.
    assert _settings(run.output) == {"budget_usd": str(SHARED["precedentum_budget_usd"]),
                                     "region": SHARED["precedentum_region"], "option": "ultra_lean"}


@pytest.mark.parametrize(("inventory", "extra", "providers"), [
    ("lean", {}, ("ecs", "rds")), ("production", {}, ("ecs", "rds")), ("ultra_lean", {}, ("lightsail", "lightsail")),
    ("ultra_lean", {"lightsail_database": "sqlite"}, ("lightsail", "sqlite"))])
def test_each_inventory_names_its_providers(inventory, extra, providers):
    run = run_playbook(str(REPO / "playbooks/settings.yml"), {"PATH": f"{BIN}:/usr/bin:/bin"},
                       inventory=f"inventories/{inventory}", extra_vars=extra or None)
    assert run.rc == 0, run
    assert (_value(run.output, "platform"), _value(run.output, "database")) == providers, run.output[-1500:]


def test_group_vars_are_loaded_from_the_installed_collection(installed):
    env = {**installed["env"], "ANSIBLE_COLLECTIONS_PATH": str(installed["collections"])}
    run = run_playbook("precedentum.deploy.settings", env, inventory=str(REPO / "inventories/ultra_lean"),
                       cwd=installed["tmp"])
    assert run.rc == 0, run
    assert str(installed["collections"]) in subprocess.run(
        [BIN / "ansible-galaxy", "collection", "list", "precedentum.deploy"], env=env, cwd=installed["tmp"],
        capture_output=True, text=True, check=False).stdout
    assert _settings(run.output) == {"budget_usd": str(SHARED["precedentum_budget_usd"]),
                                     "region": SHARED["precedentum_region"], "option": "ultra_lean"}


def test_installed_week1_runs_with_the_action_group(installed, emulator):
    """module_defaults group/precedentum.deploy.aws reaches amazon.aws modules from the installed copy."""
    env = emulator.env({**installed["env"], "ANSIBLE_COLLECTIONS_PATH": str(installed["collections"])})
    env.pop("AWS_REGION")
    env.pop("AWS_DEFAULT_REGION")  # the region must come from group_vars through module_defaults
    # The budget guard (our module) and the network phase (amazon.aws modules) are enough to show it.
    run = run_playbook("precedentum.deploy.week1", env, "--check", "--tags", "phase_1_1",
                       inventory=str(REPO / "inventories/lean"), cwd=installed["tmp"])
    assert run.rc == 0, run
    assert run.changed > 0 and "would be created" in run.flat
