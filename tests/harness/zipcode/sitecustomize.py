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
_compile = zipimport._compile_source  # noqa: SLF001 - the one hook zipimport has


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


if _CACHE:
    zipimport._compile_source = _cached_compile_source


def _cached_json_loader(loaders):
    """Wrap botocore.loaders.JSONFileLoader._load_file with the pickle cache."""
    original = loaders.JSONFileLoader._load_file  # noqa: SLF001

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


class _PatchWhenImported(importlib.abc.MetaPathFinder):
    """Patches botocore.loaders right after its first import (nothing is imported before that)."""

    def find_spec(self, name, path=None, target=None):
        if name != "botocore.loaders":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            _cached_json_loader(module)

        spec.loader.exec_module = exec_module
        return spec


if _CACHE:
    sys.meta_path.insert(0, _PatchWhenImported())
