"""Test equipment: keep the bytecode of modules imported from zip files between processes.

Every Ansible task runs its module as a fresh Python process that imports ``ansible.module_utils``
and the collections' module_utils from a zip payload (AnsiballZ). Python never caches bytecode for
code imported from a zip, so each task compiles the same half megabyte of source again: about half
a second of CPU per task, most of a playbook's cost against the emulator. The test harness puts this
directory on ``PYTHONPATH`` (tests/harness/ansible.py) so that compiled code is kept in
``PRECEDENTUM_ZIPCODE_CACHE``, keyed by the source text itself: a changed file is compiled anew.
Nothing else changes; without this directory the same playbooks run the same way, only slower.

It also keeps botocore's parsed JSON models (endpoints.json, each service's model and rule set):
every AWS task's process parses about 2 MB of JSON before its first request, a tenth of a second
of CPU. The parsed data is kept pickled beside the compiled code, keyed by the file's path, size
and modification time, and botocore.loaders is patched only when something imports it.
"""

import hashlib
import importlib.abc
import importlib.util
import marshal
import os
import pickle
import sys
import zipimport

_CACHE = os.environ.get("PRECEDENTUM_ZIPCODE_CACHE")
# Each patch below touches a private name of Python, botocore or ansible-core. When a release moves one, the
# patch is left out (the runs are slower, never different) and tests/unit/test_harness_canaries.py fails,
# naming what moved.
_compile = getattr(zipimport, "_compile_source", None)  # the one hook zipimport has


def _cached_compile_source(pathname, source):
    inner = pathname.rsplit(".zip" + os.sep, 1)[-1]
    key = hashlib.sha256(sys.version.encode() + b"\0" + inner.encode() + b"\0" + source).hexdigest()
    path = os.path.join(_CACHE, key[:2], key)
    try:
        with open(path, "rb") as handle:
            return marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        pass
    code = _compile(pathname, source)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        partial = f"{path}.{os.getpid()}"
        with open(partial, "wb") as handle:
            marshal.dump(code, handle)
        os.replace(partial, path)
    except OSError:
        pass
    return code


if _CACHE and _compile is not None:
    zipimport._compile_source = _cached_compile_source


def _cached_json_loader(loaders):
    """Wrap botocore.loaders.JSONFileLoader._load_file with the pickle cache."""
    original = getattr(getattr(loaders, "JSONFileLoader", None), "_load_file", None)
    if original is None:
        return

    def _load_file(self, full_path, open_method):
        try:
            st = os.stat(full_path)
        except OSError:
            return original(self, full_path, open_method)
        key = hashlib.sha256(f"{sys.version}\0{full_path}\0{st.st_size}\0{st.st_mtime_ns}".encode()).hexdigest()
        path = os.path.join(_CACHE, "botocore", key[:2], key)
        try:
            with open(path, "rb") as handle:
                return pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError):
            pass
        data = original(self, full_path, open_method)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            partial = f"{path}.{os.getpid()}"
            with open(partial, "wb") as handle:
                pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, path)
        except OSError:
            pass
        return data

    loaders.JSONFileLoader._load_file = _load_file  # noqa: SLF001


def _shared_ansiballz_cache(module_common):
    """Let every ansible-playbook process share the AnsiballZ payloads it builds.

    Before a task's module is sent, the controller builds its zip payload: it parses the module and
    every module_util it imports (about a third of a second of CPU for an amazon.aws module) and
    keeps the result in a cache inside its own temporary directory, so each playbook run builds
    each module again. Here the cache lives in ``PRECEDENTUM_ZIPCODE_CACHE``, in a directory named
    by what the payloads are made of: the Python and ansible-core versions, the installed
    collections' distribution, and every file of this collection's ``plugins/`` (path, size,
    modification time). A changed module or module_util of ours therefore starts a new cache.
    """
    import importlib.metadata

    if not hasattr(module_common, "C"):
        return
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    parts = [sys.version, module_common.__version__]
    for dist in ("ansible", "ansible-core"):
        try:
            parts.append(f"{dist}={importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{dist}=none")
    for root, dirs, files in os.walk(os.path.join(repo, "plugins")):
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(root, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            parts.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    stamp = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
    shared = os.path.join(_CACHE, "ansiballz", stamp)
    real = module_common.C

    class _Constants:
        """ansible.constants, but with the local temporary directory of the payload cache shared."""

        DEFAULT_LOCAL_TMP = shared

        def __getattr__(self, name):
            return getattr(real, name)

    module_common.C = _Constants()


# The plugins the playbooks' tasks use, loaded once by ansible-playbook before its first play.
_PRELOAD = {
    "filter": ("ansible.builtin.default", "precedentum.deploy.tag_errors"),
    "test": ("ansible.builtin.truthy",),
    "lookup": ("ansible.builtin.varnames", "ansible.builtin.vars", "ansible.builtin.env", "ansible.builtin.template",
               "ansible.builtin.password", "amazon.aws.secretsmanager_secret"),
    "action": ("ansible.builtin.normal", "ansible.builtin.set_fact", "ansible.builtin.assert", "ansible.builtin.debug",
               "ansible.builtin.fail", "ansible.builtin.copy", "ansible.builtin.include_vars",
               "ansible.builtin.validate_argument_spec"),
}


def _preloaded_plugins(task_queue_manager):
    """Load the playbooks' filter, test, lookup and action plugins in ansible-playbook itself.

    Each task runs in a fork of ansible-playbook, which loads the plugins the task needs and loses
    them when it ends: the next task's fork loads them again (the builtin filters and this
    collection's filters, a few times a task). Loaded once in the parent before its first play,
    they are in every fork already. What is loaded and how is ansible-core's own loader's doing.
    """
    run = getattr(getattr(task_queue_manager, "TaskQueueManager", None), "run", None)
    if run is None:
        return
    done = []

    def preload():
        from ansible.plugins import loader

        loaders = {"filter": loader.filter_loader, "test": loader.test_loader, "lookup": loader.lookup_loader,
                   "action": loader.action_loader}
        for kind, names in _PRELOAD.items():
            for name in names:
                try:
                    loaders[kind].get_with_context(name, class_only=True)
                except Exception:  # noqa: BLE001, S110 - a plugin not preloaded is loaded by the task as usual
                    pass

    def run_with_plugins_loaded(self, *args, **kwargs):
        if not done:
            done.append(True)
            preload()
        return run(self, *args, **kwargs)

    task_queue_manager.TaskQueueManager.run = run_with_plugins_loaded


class _PatchWhenImported(importlib.abc.MetaPathFinder):
    """Patches a module right after its first import (nothing is imported before that)."""

    PATCHES = {"botocore.loaders": _cached_json_loader, "ansible.executor.module_common": _shared_ansiballz_cache,
               "ansible.executor.task_queue_manager": _preloaded_plugins}

    def __init__(self):
        self.pending = dict(self.PATCHES)

    def find_spec(self, name, path=None, target=None):
        patch = self.pending.pop(name, None)
        if patch is None:
            return None
        if not self.pending:
            sys.meta_path.remove(self)
        # Find the real spec with this finder out of the way (it would be asked again).
        index = sys.meta_path.index(self) if self in sys.meta_path else None
        if index is not None:
            sys.meta_path.remove(self)
        try:
            spec = importlib.util.find_spec(name)
        finally:
            if index is not None:
                sys.meta_path.insert(index, self)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


if _CACHE:
    sys.meta_path.insert(0, _PatchWhenImported())
