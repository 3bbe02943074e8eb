"""Shared fixtures: a fresh AWS emulator per test, a throwaway PostgreSQL per session."""

from __future__ import annotations

import os

import pytest

from tests.harness.ansible import REPO, run_playbook
from tests.harness.docker_engine import Engine
from tests.harness.emulator import Emulator
from tests.harness.postgres import PostgresCluster
from tests.harness.prebuilt import Prebuilt, shared_directory

# Emulators are forks of one warm process per test process (tests/harness/emulator.py's _Zygote).
os.environ.setdefault("PRECEDENTUM_EMULATOR_ZYGOTE", "1")

# Seconds the longest test of each file took in a full run (under load): the longest start first.
LONGEST = {"test_containers.py": 400, "test_lightsail_containers.py": 200, "test_sample_app.py": 90,
           "test_tester_path.py": 190, "test_preview.py": 185,
           "test_site_lean.py": 580, "test_growth.py": 480, "test_site_production.py": 320,
           "test_faults.py": 230, "test_site_ultra_lean.py": 160,
           "test_onboarding.py": 199, "test_ecs.py": 177, "test_alb.py": 145,
           "test_monitoring.py": 142, "test_cost.py": 135, "test_rds.py": 122, "test_network.py": 110,
           "test_https.py": 106, "test_sanity.py": 100, "test_data_update.py": 91, "test_molecule.py": 87}


def pytest_collection_modifyitems(config, items):
    """Slow tests first, the files with the longest tests first among them, so that the workers
    finish together instead of one running a long test alone at the end (tests do not depend on
    their order)."""
    items.sort(key=lambda item: (0 if item.get_closest_marker("slow") else 1,
                                 -LONGEST.get(item.path.name, 0)))


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
