"""Canaries for the harness's patches of private names (tests/harness/zipcode/sitecustomize.py): each patch
speeds the runs up without changing what they do, and relies on a name that Python, botocore or ansible-core
may move in any release. Should one move, the patch is left out (slower, not different) and the test here
fails, saying which name and which patch, so that the patch is mended or dropped rather than silently lost."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

ZIPCODE = Path(__file__).resolve().parents[1] / "harness" / "zipcode"


def signature_of(module: str, path: str) -> list[str]:
    target = importlib.import_module(module)
    for name in path.split("."):
        assert hasattr(target, name), f"{module}.{path} is gone: the harness patch on it is left out; mend or drop it"
        target = getattr(target, name)
    return list(inspect.signature(target).parameters)


@pytest.mark.parametrize(("module", "path", "parameters", "patch"), [
    ("zipimport", "_compile_source", ["pathname", "source"], "the bytecode cache of modules imported from zips"),
    ("botocore.loaders", "JSONFileLoader._load_file", ["self", "full_path", "open_method"],
     "the pickle cache of botocore's JSON models"),
    ("ansible.executor.task_queue_manager", "TaskQueueManager.run", ["self", "play"],
     "the plugins preloaded before the first play"),
    ("ansible.plugins.loader", "filter_loader.get_with_context", ["name", "args", "kwargs"],
     "the plugins preloaded before the first play"),
])
def test_each_patched_name_is_where_the_patch_expects_it(module, path, parameters, patch):
    found = signature_of(module, path)
    assert found[:len(parameters)] == parameters, (
        f"{module}.{path} now takes {found}, not {parameters}: the patch for {patch} needs mending")


def test_the_ansiballz_cache_directory_is_still_read_from_constants():
    from ansible.executor import module_common

    source = inspect.getsource(module_common)
    assert hasattr(module_common, "C") and "C.DEFAULT_LOCAL_TMP, 'ansiballz_cache'" in source, (
        "ansible.executor.module_common no longer builds its payload cache under C.DEFAULT_LOCAL_TMP: the "
        "harness's shared AnsiballZ cache (sitecustomize._shared_ansiballz_cache) has no effect; mend or drop it")


def test_every_patch_applies_in_a_process_started_as_the_harness_starts_them(tmp_path):
    probe = """
import zipimport, botocore.loaders, ansible.executor.module_common as mc, ansible.executor.task_queue_manager as tqm
print(zipimport._compile_source.__name__, botocore.loaders.JSONFileLoader._load_file.__name__,
      type(mc.C).__name__, tqm.TaskQueueManager.run.__name__)
"""
    env = {"PYTHONPATH": str(ZIPCODE), "PRECEDENTUM_ZIPCODE_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["_cached_compile_source", "_load_file", "_Constants", "run_with_plugins_loaded"], (
        f"a harness patch did not apply: {run.stdout} {run.stderr[-500:]}")
