"""Shared fixtures: a fresh AWS emulator per test, a throwaway PostgreSQL per session."""

from __future__ import annotations

import os
import time

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.docker_engine import RUN_VAR, Engine
from tests.harness.emulator import Emulator
from tests.harness.postgres import PostgresCluster
from tests.harness.prebuilt import Prebuilt, shared_directory

# Emulators are forks of one warm process per test process (tests/harness/emulator.py's _Zygote).
os.environ.setdefault("PRECEDENTUM_EMULATOR_ZYGOTE", "1")
# This test run, as its workers inherit it: the Docker engine it starts is stopped by it alone.
os.environ.setdefault(RUN_VAR, f"pytest-{os.getpid()}-{time.time_ns()}")

# Seconds a test takes in `make test` (four workers on two cores; measured, rounded): the tests of 30 s and
# more. Another slow test counts as SLOW_DEFAULT, any other as FAST_DEFAULT.
TAKES = {
    "test_growth.py::test_lean_grows_to_growth_then_production_and_back_then_destroy": 610,
    "test_site_lean.py::test_site_plan_converge_secrets_security_policy_rerun_destroy": 605,
    "test_tester_path.py::test_testers_reach_the_site_on_a_domain": 335,
    "test_ecs_rollout.py::test_a_rollout_is_waited_for_a_failed_one_names_its_reasons_a_stuck_one_times_out": 330,
    "test_containers.py::test_weeks_1_2_and_deploys_on_real_containers": 320,
    "test_preview.py::test_preview_serves_the_site_until_ctrl_c_then_leaves_nothing": 275,
    "test_lightsail_containers.py::test_ultra_lean_runs_the_same_images_on_lightsail": 225,
    "test_site_production.py::test_production_from_empty_rerun_check_destroy": 190,
    "test_faults.py::test_killed_runs_resume_without_duplicates": 185,
    "test_site_ultra_lean.py::test_site_check_converge_rerun_check_then_destroy_twice": 180,
    "test_https.py::test_https_on_a_domain_check_converge_rerun_keep_then_destroy": 130,
    "test_data_update.py::test_data_update_opens_the_window_only_for_the_load": 120,
    "test_sanity.py::test_ansible_test_sanity_passes": 105,
    "test_lint.py::test_ansible_lint_production_profile_passes": 100,
    "test_ecs.py::test_deploy_a_new_image_keep_it_and_a_failed_migration": 100,
    "test_rds.py::test_rds_converges_keeps_its_secret_unprinted_and_destroys_to_a_snapshot": 95,
    "test_destroy_retries.py::test_destroy_retries_what_aws_refuses_for_a_while_and_finishes_in_one_run": 90,
    "test_faults.py::test_endpoint_gone_mid_run_is_named_and_the_next_run_converges": 85,
    "test_images.py::test_week2_stops_without_images_then_runs_the_pushed_tag_and_deploy_needs_no_build_context": 85,
    "test_monitoring.py::test_week3_watches_what_weeks_1_and_2_made_then_destroy_removes_it": 80,
    "test_onboarding.py::test_waves_get_accounts_django_accepts_messages_and_mail": 75,
    "test_rds.py::test_rds_alone_needs_the_network_then_modifies_in_place_and_refuses_replacement": 75,
    "test_ecs.py::test_scale_up_then_the_combined_layout_then_destroy_twice": 75,
    "test_release.py::test_galaxy_importer_accepts_the_tarball_with_automation_hubs_settings": 75,
    "test_network.py::test_week1_check_converge_rerun": 70,
    "test_alb.py::test_alb_on_the_network_alone_check_converge_rerun_destroy": 65,
    "test_ecs.py::test_week2_refused_before_week1_then_check_converge_rerun": 60,
    "test_site_ultra_lean.py::test_data_and_testers_go_through_the_lightsail_window": 60,
    "test_network.py::test_cidr_change_refused_then_destroy_removes_everything_twice": 60,
    "test_site_lean.py::test_destroy_on_an_empty_account_and_leftovers_found": 55,
    "test_storage.py::test_bucket_check_converge_rerun_change_destroy_with_copy": 50,
    "test_site_ultra_lean.py::test_sqlite_says_the_data_is_lost_and_makes_no_database": 50,
    "test_release.py::test_the_docs_site_has_a_page_per_module_filter_and_role": 50,
    "test_cost.py::test_cost_playbook_prices_each_inventory_and_writes_the_reports": 50,
    "test_molecule.py::test_molecule_scenario": 45,
    "test_secret_name.py::test_an_overridden_secret_name_moves_every_phase": 45,
    "test_ecr.py::test_ecr_alone_check_converge_rerun_change_destroy": 45,
    "test_onboarding.py::test_first_access_by_a_link_django_accepts": 35,
    "test_monitoring.py::test_week4_performance_check_reads_a_week_of_cpu_and_memory": 35,
    "test_network.py::test_db_whitelist_and_world_opt_in": 35,
    "test_cost.py::test_deployed_mode_prices_what_weeks_1_and_2_made_and_lists_what_they_did_not": 35,
    "test_rds.py::test_a_minor_version_rds_upgraded_to_is_kept_and_an_unoffered_minor_is_refused": 30,
    "test_data_load_django.py::test_phase_2_3_then_2_4_then_testers_then_a_monthly_update": 30,
    "test_bad_inventories.py::test_bad_week3_inputs_fail_before_any_aws_call": 30,
    "test_cloudfront_module.py::test_create_rerun_update_in_place_and_delete": 30,
}
SLOW_DEFAULT, FAST_DEFAULT = 12, 0.5


def takes(item) -> float:
    return TAKES.get(f"{item.path.name}::{item.originalname}",
                     SLOW_DEFAULT if item.get_closest_marker("slow") else FAST_DEFAULT)


def pytest_collection_modifyitems(config, items):
    """Spread the tests over the workers so that they finish together (tests do not depend on their order).

    pytest-xdist's worksteal hands each worker an equal, contiguous share of this list, in order, and later
    moves the tail of the longest queue to a worker that ran out. So the list is one share per worker, each
    with about the same expected seconds (the longest test to the share that has least so far) and the same
    number of tests, its longest first. Every worker collects, and orders, the same way."""
    items.sort(key=lambda item: -takes(item))
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    if workers < 2 or len(items) < workers:
        return
    # The shares' sizes as worksteal cuts them: len // workers left, then of what is left, and so on.
    sizes, left = [], len(items)
    for remaining in range(workers, 0, -1):
        sizes.append(left // remaining)
        left -= sizes[-1]
    shares, loads = [[] for _size in sizes], [0.0] * workers
    for item in items:
        share = min((i for i in range(workers) if len(shares[i]) < sizes[i]), key=lambda i: loads[i])
        shares[share].append(item)
        loads[share] += takes(item)
    items[:] = [item for share in shares for item in share]


def pytest_unconfigure(config):
    """At the end of the run (in the main process, not in each worker): stop the Docker engine if the
    container tests started it (tests/harness/docker_engine.py); an engine found running is left alone."""
    if not hasattr(config, "workerinput"):
        Engine.release_all()


def pytest_terminal_summary(terminalreporter):
    """The timings the system tests recorded (record_property("timing", ...)), at the end of the run."""
    lines = [value for report in terminalreporter.stats.get("passed", [])
             for key, value in getattr(report, "user_properties", []) if key == "timing"]
    if lines:
        terminalreporter.section("timings")
        for line in lines:
            terminalreporter.line(line)


@pytest.fixture
def emulator(tmp_path):
    """A moto_server of this test's own, with the Lightsail emulator beside it: empty account,
    nothing shared with other tests."""
    with Emulator(log_path=str(tmp_path / "moto.log")) as emu:
        yield emu


@pytest.fixture
def lightsail_emulator(emulator):
    """The emulator, named for the tests that use its Lightsail half (tests/emulator/lightsail.py,
    served beside moto, AWS_ENDPOINT_URL_LIGHTSAIL pointing at it): every emulator has it."""
    return emulator


@pytest.fixture
def recording_emulator(tmp_path):
    """Like emulator, recording every AWS request it receives (emu.recorded_requests())."""
    with Emulator(log_path=str(tmp_path / "moto.log"), record=True) as emu:
        emu.start_recording()
        yield emu


@pytest.fixture
def playbook(emulator):
    """playbook('week1.yml', '--check', inventory=..., extra_vars=...) against this test's emulator."""

    def run(name, *args, **kwargs):
        return run_playbook(str(REPO / "playbooks" / name), emulator.env(), *args, **kwargs)

    return run


@pytest.fixture(scope="session")
def postgres():
    cluster = PostgresCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def prebuilt(tmp_path_factory):
    """prebuilt(emulator, 'week1.yml', ...): the account that playbook builds, replayed into this
    test's emulator (built for real once per test run; tests/harness/prebuilt.py)."""
    return Prebuilt(shared_directory(tmp_path_factory))
