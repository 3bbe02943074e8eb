# precedentum.deploy: everything a fresh machine needs goes through these targets.
#   make setup   .venv with pinned tools, the checkout linked as a collection, PostgreSQL, Docker and Chromium installed
#   make demo    the sample app deployed, weeks 1-4, on real containers and a local AWS emulator; what a browser
#                saw, what was built and what it costs (about 7 minutes)
#   make tour    every option and tier (ultra-lean, growth, production) on the emulator alone
#   make preview weeks 1-3 with real containers on this machine, the site in your browser until Ctrl-C
#   make test    lint + every test (pytest runs the molecule scenarios too)
SHELL := /bin/bash
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
COLLECTION_LINK := .collections/ansible_collections/precedentum/deploy
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_NOCOLOR := 1
# Keep what molecule and ansible-galaxy write inside the checkout.
export ANSIBLE_HOME := $(CURDIR)/.cache/ansible
export MOLECULE_EPHEMERAL_DIRECTORY := $(CURDIR)/.cache/molecule

.PHONY: setup venv collection postgresql docker browser lint sanity docs test molecule demo tour preview lock clean

setup: venv collection postgresql docker browser

# --no-compile: of the ~24,000 Python files installed (the ansible bundle's collections most of them), only those
# a run imports are compiled, on first import, and kept (the install: 66 s -> 25 s on a 2-core machine).
venv: $(VENV)/.installed
$(VENV)/.installed: requirements/dev.txt requirements/constraints.txt scripts/find-python
	@PY=$$(scripts/find-python) && echo "Python: $$PY" && rm -rf $(VENV) && $$PY -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile -r requirements/dev.txt \
	  -c requirements/constraints.txt
	@touch $@

collection: $(COLLECTION_LINK)
$(COLLECTION_LINK):
	@mkdir -p $(dir $@) && ln -sfn ../../.. $@

postgresql:
	@scripts/ensure-postgresql

# Debian's Docker engine, debootstrap and docker-registry for the container tests (nothing is started here).
docker:
	@scripts/ensure-docker

# Debian's Chromium and chromedriver for the browser tests (Selenium drives them; nothing is started here).
browser:
	@scripts/ensure-browser

lint: setup
	$(BIN)/ruff check plugins tests scripts/refresh_prices.py scripts/preview scripts/demo
	@# A home of its own: ansible-lint looks first in $$ANSIBLE_HOME/collections, where a molecule
	@# run may have left an installed copy of this collection that would shadow the checkout.
	ANSIBLE_HOME=$(CURDIR)/.cache/ansible-lint $(BIN)/ansible-lint

# ansible-test sanity, as Galaxy's and Automation Hub's reviewers run it (scripts/sanity; make test runs it too,
# in tests/test_sanity.py). Options for ansible-test: make sanity SANITY_ARGS="--test pylint".
sanity: setup
	@scripts/sanity $(SANITY_ARGS)

# The collection's documentation site, as antsibull-docs builds it (scripts/docs-site): .cache/docs-site/build/html.
docs: setup
	@scripts/docs-site

# ansible-lint runs inside pytest (tests/test_lint.py), beside the other tests rather than before them.
test: setup
	$(BIN)/ruff check plugins tests scripts/refresh_prices.py scripts/preview scripts/demo
	$(BIN)/python -m pytest

# Every molecule scenario, each on its own (make test runs each once, six inside their roles' integration tests:
# tests/test_molecule.py says which).
molecule: setup
	PRECEDENTUM_ALL_MOLECULE=1 $(BIN)/python -m pytest tests/test_molecule.py

# The lean option's four weeks with the sample app on real containers, a browser between them (scripts/demo);
# screenshots, reports and the plays' output in .cache/demo.
demo: setup
	@$(BIN)/python scripts/demo

# Every option and tier on the emulator alone, no container: ultra-lean, growth, production (scripts/tour).
tour: setup
	@scripts/tour

# Weeks 1-3 with real containers on the emulators, the site served on localhost until Ctrl-C (scripts/preview).
# PREVIEW_ARGS="--inventory ultra_lean" or "--app PATH" (your app: docs/app-contract.md).
preview: setup
	@$(BIN)/python scripts/preview $(PREVIEW_ARGS)

# Re-pin after changing requirements/dev.txt.
lock: venv
	@{ echo "# Pinned versions for requirements/dev.txt (pip freeze, Python 3.13). Regenerate: make lock"; \
	  $(BIN)/python -m pip freeze --disable-pip-version-check | grep -v '^pip=='; } > requirements/constraints.txt

clean:
	rm -rf $(VENV) .collections .cache .pytest_cache .ruff_cache *.tar.gz
