"""The checkout as ansible_collections.precedentum.deploy for every unit test, whichever runs first (filters
loaded by path import the collection's module_utils)."""

from __future__ import annotations

import sys

from tests.harness.ansible import REPO

if str(REPO / ".collections") not in sys.path:
    sys.path.insert(0, str(REPO / ".collections"))
