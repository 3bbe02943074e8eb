"""The one rule of what is this deployment's, which both account scanners (cost_check, leftovers_info) apply."""

from __future__ import annotations

import importlib.util

from tests.harness.ansible import REPO

_spec = importlib.util.spec_from_file_location("ownership", REPO / "plugins/module_utils/ownership.py")
ownership = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ownership)
WANT = {"Project": "precedentum", "Environment": "testing"}
PREFIX = "precedentum-testing"


def test_tags_decide_first_then_the_name():
    assert ownership.is_ours(WANT | {"Name": "x"}, "anything", WANT, PREFIX)
    # Another environment's, even under our prefix (the lean and ultra-lean options side by side).
    assert not ownership.is_ours({"Project": "precedentum", "Environment": "lite"}, f"{PREFIX}-db", WANT, PREFIX)
    for name in (PREFIX, f"{PREFIX}-db", f"{PREFIX}/backend", f"/ecs/{PREFIX}/backend", f"/{PREFIX}-alerts"):
        assert ownership.is_ours({}, name, WANT, PREFIX), name
    for name in ("", "precedentum-testingx", f"other/{PREFIX}", "precedentum-lite-db"):
        assert not ownership.is_ours({}, name, WANT, PREFIX), name


def test_both_scanners_use_it():
    for path in ("plugins/module_utils/cost_discovery.py", "plugins/modules/leftovers_info.py"):
        text = (REPO / path).read_text()
        assert "module_utils.ownership import is_ours" in text and "return is_ours(" in text, path
