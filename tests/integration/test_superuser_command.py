"""Phase 2.3's superuser command (ecs_superuser_command's default), run by a real Django against a real database.

The emulator runs no container, so the one-off task's command is tried here as the container would run it:
`python manage.py ...` in a Django project, with the DJANGO_SUPERUSER_* environment ECS gives it from the
application secret. Django's `createsuperuser --noinput` alone fails the second time ("That username is
already taken"): `ecs_create_superuser: always`, or a cluster made again beside a kept database, would break
phase 2.3 on every run."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from tests.harness.ansible import REPO

SETTINGS = """
SECRET_KEY = "not-a-secret-test-only"
INSTALLED_APPS = ["django.contrib.auth", "django.contrib.contenttypes"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": %r}}
USE_TZ = True
"""
MANAGE = """import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "testsite_settings")
from django.core.management import execute_from_command_line
execute_from_command_line(sys.argv)
"""


def project(tmp_path):
    (tmp_path / "testsite_settings.py").write_text(SETTINGS % str(tmp_path / "db.sqlite3"))
    (tmp_path / "manage.py").write_text(MANAGE)
    env = {**os.environ, "DJANGO_SUPERUSER_USERNAME": "admin", "DJANGO_SUPERUSER_EMAIL": "admin@example.com",
           "DJANGO_SUPERUSER_PASSWORD": "a-long-generated-password-0123456789", "PYTHONPATH": str(tmp_path)}

    def run(command):
        assert command[0] == "python"  # the container's python; here this interpreter, which has Django
        return subprocess.run([sys.executable, *command[1:]], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120, check=False)

    assert run(["python", "manage.py", "migrate", "--noinput"]).returncode == 0
    return run


def users(run) -> str:
    done = run(["python", "manage.py", "shell", "-c",
                "from django.contrib.auth import get_user_model; U = get_user_model(); "
                "print(sorted((u.username, u.is_superuser, u.check_password("
                "'a-long-generated-password-0123456789')) for u in U.objects.all()))"])
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]  # after Django's "N objects imported automatically"


def test_the_superuser_command_succeeds_when_the_user_exists(tmp_path):
    command = yaml.safe_load((REPO / "roles/ecs/defaults/main.yml").read_text())["ecs_superuser_command"]
    spec = yaml.safe_load((REPO / "roles/ecs/meta/argument_specs.yml").read_text())
    assert spec["argument_specs"]["main"]["options"]["ecs_superuser_command"]["default"] == command
    run = project(tmp_path)

    first = run(command)
    assert first.returncode == 0, first.stderr
    assert users(run) == "[('admin', True, True)]"
    second = run(command)
    assert second.returncode == 0, second.stderr
    assert "The superuser admin exists already: nothing to do." in second.stdout
    assert users(run) == "[('admin', True, True)]", "the existing superuser was changed"

    # What the default used to be fails the second time: the reason for the command above.
    plain = run(["python", "manage.py", "createsuperuser", "--noinput"])
    assert plain.returncode != 0 and "already taken" in plain.stderr
