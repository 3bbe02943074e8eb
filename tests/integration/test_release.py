"""What a Galaxy or Automation Hub reviewer runs on the built collection: galaxy-importer with Automation
Hub's settings, ansible-builder on the execution environment files, and the documentation site
(scripts/docs-site, make docs) with a page per module, filter and role."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.harness.ansible import REPO
from tests.harness.collection import BIN, build, copy_checkout, galaxy_env

GALAXY = yaml.safe_load((REPO / "galaxy.yml").read_text())
MODULES = sorted(p.stem for p in (REPO / "plugins/modules").glob("*.py"))
FILTERS = sorted(p.stem for p in (REPO / "plugins/filter").glob("*.py"))
ROLES = sorted(p.parent.parent.name for p in (REPO / "roles").glob("*/meta/argument_specs.yml"))

# Automation Hub's importer settings (the certified-content checks), less two that run elsewhere in the suite:
# ansible-test in a container it would pull (tests/test_sanity.py runs ansible-test sanity on the checkout), and
# ansible-lint, which tests/test_lint.py runs on the checkout with the production profile (the strictest; the
# tarball holds a subset of the checkout's files), so that the suite does not lint the same files twice.
AUTOMATION_HUB = """[galaxy-importer]
CHECK_REQUIRED_TAGS = True
REQUIRE_V1_OR_GREATER = True
CHECK_CHANGELOG = True
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = False
RUN_FLAKE8 = True
RUN_ANSIBLE_TEST = False
"""


def importer(tarball: Path, tmp: Path):
    (tmp / "importer.cfg").write_text(AUTOMATION_HUB)
    env = {**galaxy_env(tmp), "GALAXY_IMPORTER_CONFIG": str(tmp / "importer.cfg")}
    return subprocess.run([sys.executable, "-m", "galaxy_importer.main", str(tarball)], cwd=tmp, env=env,
                          capture_output=True, text=True, timeout=900, check=False)


@pytest.fixture(scope="module")
def tarball(tmp_path_factory):
    return build(REPO, tmp_path_factory.mktemp("release"))


@pytest.mark.slow
def test_galaxy_importer_accepts_the_tarball_with_automation_hubs_settings(tarball):
    run = importer(tarball, tarball.parent)
    output = run.stdout + run.stderr
    assert run.returncode == 0 and "Importer processing completed successfully" in output, output[-4000:]
    # No lint finding (flake8, ansible-doc) on the way, but flake8's W503: the importer enables
    # both W503 and W504 (a line break before, and after, a binary operator), so every expression split at an
    # operator gets one; the code breaks before them, as PEP 8 recommends (flake8 itself ignores both).
    findings = [line for line in output.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert [line for line in findings if " W503 " not in line] == [], output[-4000:]
    result = json.loads((tarball.parent / "importer_result.json").read_text())
    assert result["metadata"]["version"] == GALAXY["version"] == "1.0.0"
    docs = {(c["content_type"], c["content_name"]): c["doc_strings"] for c in result["docs_blob"]["contents"]}
    # Each filter is its own entry, with its own documentation (not one entry per file).
    assert sorted(name for kind, name in docs if kind == "filter") == FILTERS
    assert sorted(name for kind, name in docs if kind == "module") == MODULES
    for (kind, name), strings in docs.items():
        if kind in ("filter", "module"):
            doc = strings["doc"] if strings else {}
            assert doc.get("module", doc.get("name")) == name and doc["short_description"], name
    assert sorted(name for kind, name in docs if kind == "role") == ROLES


@pytest.mark.slow
def test_galaxy_importer_refuses_a_version_below_1(tmp_path):
    """The failure path: Automation Hub's settings refuse a 0.x version before anything else."""
    checkout = copy_checkout(tmp_path / "checkout", leave_out=("tests/", "examples/", "docs/"))
    galaxy = (checkout / "galaxy.yml").read_text()
    (checkout / "galaxy.yml").write_text(re.sub(r"(?m)^version: .*$", "version: 0.9.0", galaxy))
    run = importer(build(checkout, tmp_path), tmp_path)
    assert run.returncode != 0, run.stdout[-2000:]
    assert "requires version to be 1.0.0 or greater" in run.stdout + run.stderr, run.stdout[-2000:]


def test_the_execution_environment_files_give_the_collections_requirements(tarball, tmp_path):
    env = galaxy_env(tmp_path)
    subprocess.run([BIN / "ansible-galaxy", "collection", "install", str(tarball), "-p", str(tmp_path / "coll"),
                    "--no-deps"], cwd=tmp_path, env=env, check=True, capture_output=True)
    found = yaml.safe_load(subprocess.run([BIN / "ansible-builder", "introspect", "--sanitize", str(tmp_path / "coll")],
                                          cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout)
    python = [line.split("#")[0].strip() for line in found["python"]]
    system = [line.split("#")[0].strip() for line in found["system"]]
    assert {"boto3>=1.35.0", "botocore>=1.35.0", "psycopg2-binary>=2.9", "requests>=2.28"} <= set(python), python
    assert "postgresql-client [platform:dpkg]" in system and "postgresql [platform:rpm]" in system, system
    # The example definition in docs/ gives a build context (the build itself needs a base image from a
    # registry, which this machine cannot reach).
    subprocess.run([BIN / "ansible-builder", "create", "-f", str(REPO / "docs/execution-environment.yml"),
                    "-c", str(tmp_path / "context")], cwd=tmp_path, env=env, check=True, capture_output=True)
    containerfile = next((tmp_path / "context").glob("*file")).read_text()
    assert "ee-minimal:latest" in containerfile and "ansible-core>=2.21.0,<2.22" in containerfile


@pytest.mark.slow
def test_the_docs_site_has_a_page_per_module_filter_and_role(tmp_path):
    out = tmp_path / "site"
    run = subprocess.run([str(REPO / "scripts/docs-site"), str(out)], cwd=REPO, capture_output=True, text=True,
                         timeout=900, check=False)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    html = out / "build/html/collections/precedentum/deploy"
    for name in MODULES:
        assert (html / f"{name}_module.html").is_file(), name
    for name in FILTERS:
        assert (html / f"{name}_filter.html").is_file(), name
    for name in ROLES:
        page = html / f"{name}_role.html"
        assert page.is_file(), name
    # A role page lists its entry points, each with its description (the argument specs).
    storage = (html / "storage_role.html").read_text()
    assert "Entry point" in storage and "destroy" in storage and "storage_keep_copy_dir" in storage


@pytest.mark.slow
def test_antsibull_docs_lint_finds_nothing_in_the_collections_documentation(tmp_path):
    """Every module's, filter's and role's documentation as antsibull-docs checks it for the Ansible docsite:
    schema (entry points described, no templated default where a dict is due), markup, references. On a copy
    in an ansible_collections tree of its own; antsibull-docs copies the collections it depends on as git lists
    their files when they are in a git checkout, and the venv's are in this one, ignored: git is kept from
    finding it (GIT_CEILING_DIRECTORIES)."""
    collection = copy_checkout(tmp_path / "ansible_collections/precedentum/deploy", leave_out=("tests/", "examples/"))
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
           "ANSIBLE_COLLECTIONS_PATH": str(tmp_path), "GIT_CEILING_DIRECTORIES": str(REPO)}
    run = subprocess.run([BIN / "antsibull-docs", "lint-collection-docs", "--plugin-docs", "."], cwd=collection,
                         env=env, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0 and not run.stdout.strip(), (run.stdout + run.stderr)[-4000:]
