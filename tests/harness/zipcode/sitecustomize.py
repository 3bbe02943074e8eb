"""Test equipment: keep the bytecode of modules imported from zip files between processes.

Every Ansible task runs its module as a fresh Python process that imports ``ansible.module_utils``
and the collections' module_utils from a zip payload (AnsiballZ). Python never caches bytecode for
code imported from a zip, so each task compiles the same half megabyte of source again: about half
a second of CPU per task, most of a playbook's cost against the emulator. The test harness puts this
directory on ``PYTHONPATH`` (tests/harness/ansible.py) so that compiled code is kept in
``PRECEDENTUM_ZIPCODE_CACHE``, keyed by the source text itself: a changed file is compiled anew.
Nothing else changes; without this directory the same playbooks run the same way, only slower.
"""

import hashlib
import marshal
import os
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
