"""The lightsail role's input checks (plugins/plugin_utils/lightsail.py): the defaults pass, and each bad
input is refused with a message naming its variable."""

from __future__ import annotations

import sys

import pytest
import yaml

from tests.harness.ansible import REPO

sys.path.insert(0, str(REPO / ".collections"))  # the checkout as ansible_collections.precedentum.deploy

from ansible_collections.precedentum.deploy.plugins.plugin_utils.lightsail import lightsail_input_errors  # noqa: E402

DEFAULTS = yaml.safe_load((REPO / "roles/lightsail/defaults/main.yml").read_text())
GOOD = {**DEFAULTS, "lightsail_name_prefix": "precedentum-lite", "lightsail_service_name":
        "precedentum-lite", "lightsail_database_instance_name": "precedentum-lite-db"}


def test_the_defaults_pass():
    assert lightsail_input_errors(GOOD) == []
    assert lightsail_input_errors({**GOOD, "lightsail_database": "sqlite", "lightsail_database_bundle": "huge"}) == []


@pytest.mark.parametrize("variable, value, words", [
    ("lightsail_container_scale", 0, "1 to 20"),
    ("lightsail_container_scale", "two", "1 to 20"),
    ("lightsail_service_name", "Precedentum_Lite", "lower-case"),
    ("lightsail_database_instance_name", "9db", "starting with a letter"),
    ("lightsail_database_master_username", "pre-cedentum", "underscores"),
    ("lightsail_database_backup_window", "6am", "hh24:mi"),
    ("lightsail_database_maintenance_window", "sunday 3am", "ddd:hh24:mi"),
    ("lightsail_backend_port", 70000, "1 to 65535"),
    ("lightsail_frontend_port", 8000, "must differ"),
    ("lightsail_backend_environment", {"DATABASE_HOST": "x"}, "set by the role"),
    ("lightsail_backend_environment", {"STRIPE_API_KEY": "x"}, "looks like a secret"),
    ("lightsail_frontend_environment", ["A=1"], "mapping"),
    ("lightsail_sqlite_command", "migrate", "list of strings"),
    ("lightsail_image_tag", "no spaces allowed", "image tag"),
    ("lightsail_health_check_path", "health", "start with /"),
    ("lightsail_secret_recovery_days", 3, "7 to 30"),
    ("lightsail_wait_timeout", 0, "1 to 3600"),
    ("lightsail_superuser_email", "admin", "e-mail"),
])
def test_each_bad_input_names_its_variable(variable, value, words):
    errors = lightsail_input_errors({**GOOD, variable: value})
    assert len(errors) == 1, errors
    assert errors[0].startswith(variable) and words in errors[0], errors
