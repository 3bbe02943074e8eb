"""The one generator of the application secret (ecs and lightsail roles): stored values kept, missing ones made."""

from __future__ import annotations

import importlib.util
import string

from tests.harness.ansible import REPO

_spec = importlib.util.spec_from_file_location("django_secret", REPO / "plugins/plugin_utils/django_secret.py")
ds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ds)


def test_a_new_secret_is_made_once_and_a_stored_one_kept():
    new = ds.django_app_secret({}, "admin", "admin@example.com")
    assert len(new["secret_key"]) == 50 and set(new["secret_key"]) <= set(ds.KEY_CHARS)
    assert len(new["superuser_password"]) == 32
    assert set(new["superuser_password"]) <= set(string.ascii_letters + string.digits)
    assert ds.django_app_secret({}, "admin", "a@example.com")["secret_key"] != new["secret_key"]
    kept = ds.django_app_secret(new, "root", "root@example.com")
    assert kept == {**new, "superuser_username": "root", "superuser_email": "root@example.com"}


def test_no_character_that_consoles_or_urls_mangle():
    assert not set(ds.KEY_CHARS) & set("'\"/\\@ ")
    # A stored secret with a missing value (written by hand): the missing one made, the other kept.
    partial = ds.django_app_secret({"secret_key": "k" * 50}, "admin", "admin@example.com")
    assert partial["secret_key"] == "k" * 50 and len(partial["superuser_password"]) == 32
