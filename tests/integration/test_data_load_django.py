"""The data load in the seed's order of work, against a real Django project on a real PostgreSQL.

The laptop's database and the one standing in for RDS are both made by the project's own `migrate`; phase 2.3
(migrate, then the superuser command of the ecs role) runs on the target, phase 2.4 loads the laptop's data with
the module's defaults, the testers are added by django_users, then a monthly update changes a judge. After each
step the superuser and the testers must still log in through Django's own authenticate()."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import uuid

import pytest
import yaml

from tests.harness.ansible import REPO, ansible_env, interpreter_args

SETTINGS = """
import os
SECRET_KEY = "not-a-secret-test-only"
INSTALLED_APPS = ["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
                  "django.contrib.sessions", "django.contrib.messages", "judges"]
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware", "django.middleware.common.CommonMiddleware",
              "django.middleware.csrf.CsrfViewMiddleware", "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware"]
ROOT_URLCONF = "site_urls"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True, "OPTIONS": {
    "context_processors": ["django.template.context_processors.request", "django.contrib.auth.context_processors.auth",
                           "django.contrib.messages.context_processors.messages"]}}]
ALLOWED_HOSTS = ["testserver", "precedentum.example"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "HOST": "127.0.0.1",
                         "PORT": os.environ["DB_PORT"], "NAME": os.environ["DB_NAME"], "USER": "postgres"}}
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
"""
MODELS = """
from django.conf import settings
from django.db import models


class Court(models.Model):
    code = models.CharField(max_length=16, unique=True)
    name = models.TextField()


class Judge(models.Model):
    court = models.ForeignKey(Court, on_delete=models.CASCADE)
    slug = models.SlugField(unique=True)
    full_name = models.TextField()
    appointed_on = models.DateField()
    updated_at = models.DateTimeField()


class Note(models.Model):
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    text = models.TextField()
"""
SEED = """
import datetime
from django.contrib.auth import get_user_model
from judges.models import Court, Judge, Note
court = Court.objects.create(code="ilnd", name="Northern District of Illinois")
for n in range(1, 9):
    judge = Judge.objects.create(court=court, slug=f"judge-{n}", full_name=f"Judge {n}. Example",
                                 appointed_on=datetime.date(2005 + n, 1, 1),
                                 updated_at=datetime.datetime(2026, 11, n, 15, 30, tzinfo=datetime.timezone.utc))
    Note.objects.create(judge=judge, text=f"standing order {n}")
get_user_model().objects.create_superuser("laptop-admin", "dev@precedentum.example", "laptop-password-1234")
"""
PASSWORD = "a-long-generated-password-0123456789"


class Project:
    """One Django project (its migrations made once), run against either database."""

    def __init__(self, root, port):
        self.root, self.port = root, port
        (root / "judges" / "migrations").mkdir(parents=True)
        (root / "judges" / "__init__.py").write_text("")
        (root / "judges" / "migrations" / "__init__.py").write_text("")
        (root / "judges" / "models.py").write_text(MODELS)
        (root / "site_settings.py").write_text(SETTINGS)
        # What the app must include for the testers' password-set links (django_users' password_set_url).
        (root / "site_urls.py").write_text('from django.contrib import admin\nfrom django.urls import include, path\n'
                                           'urlpatterns = [path("accounts/", include("django.contrib.auth.urls")), '
                                           'path("admin/", admin.site.urls)]\n')
        (root / "manage.py").write_text("import os, sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
                                        "'site_settings')\nfrom django.core.management import execute_from_command_line"
                                        "\nexecute_from_command_line(sys.argv)\n")
        self.run("precedentum_unused", "makemigrations", "judges")

    def run(self, db, *args, env=None):
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=self.root, capture_output=True, text=True,
                              timeout=300, env={**os.environ, "PYTHONPATH": str(self.root), "DB_PORT": str(self.port),
                                                "DB_NAME": db, **(env or {})}, check=False)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    def shell(self, db, code):
        return self.run(db, "shell", "-c", code)

    def logs_in(self, db, username, password) -> bool:
        said = self.shell(db, "from django.contrib.auth import authenticate; "
                              f"print(authenticate(username={username!r}, password={password!r}) is not None)")
        return said == "True"


def module(name, args, *flags):
    """The module in a one-task playbook (a private file: no password on a command line); its result."""
    task = {"hosts": "localhost", "gather_facts": False, "tasks": [{"name": "t", f"precedentum.deploy.{name}": args}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        json.dump([task], handle)
    try:
        env = ansible_env(dict(os.environ))
        env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.json"
        out = subprocess.run([str(REPO / ".venv/bin/ansible-playbook"), handle.name, *interpreter_args(env), *flags],
                             capture_output=True, text=True, env=env, cwd=REPO, check=False)
    finally:
        os.unlink(handle.name)
    return json.loads(out.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]


@pytest.fixture
def django_dbs(postgres, tmp_path):
    """(project, laptop db, target db): the laptop migrated and seeded; the target through phase 2.3."""
    laptop, target = "laptop_" + uuid.uuid4().hex[:8], "rds_" + uuid.uuid4().hex[:8]
    for db in (laptop, target):
        postgres.psql(f"CREATE DATABASE {db}")
    project = Project(tmp_path, postgres.port)
    project.run(laptop, "migrate", "--noinput")
    project.shell(laptop, SEED)
    # Phase 2.3: the app's migrations, then the ecs role's superuser command, with the application secret's values.
    project.run(target, "migrate", "--noinput")
    command = yaml.safe_load((REPO / "roles/ecs/defaults/main.yml").read_text())["ecs_superuser_command"]
    project.run(target, *command[2:], env={"DJANGO_SUPERUSER_USERNAME": "admin", "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
                                           "DJANGO_SUPERUSER_EMAIL": "admin@precedentum.example"})
    return project, laptop, target


def conn(postgres, db):
    return f"host=127.0.0.1 port={postgres.port} user=postgres dbname={db}"


def test_phase_2_3_then_2_4_then_testers_then_a_monthly_update(postgres, django_dbs):
    project, laptop, target = django_dbs
    args = {"source": conn(postgres, laptop), "target": conn(postgres, target), "verify_rows": {"judges_judge": 8}}

    first = module("rds_data_load", args)
    assert not first.get("failed") and first["changed"] is True, first.get("msg")
    assert "public.auth_user" in first["excluded"] and "public.django_migrations" in first["excluded"]
    assert postgres.psql("SELECT count(*) FROM judges_judge", dbname=target) == "8"
    assert project.logs_in(target, "admin", PASSWORD), "phase 2.4 lost the superuser of phase 2.3"
    assert not project.logs_in(target, "laptop-admin", "laptop-password-1234"), "the laptop's account was copied"
    # The app writes after the load: its sequences are past the loaded ids.
    new_id = project.shell(target, "from judges.models import Note, Judge; "
                                   "print(Note.objects.create(judge=Judge.objects.get(slug='judge-1'), text='x').id)")
    assert new_id == "9"
    postgres.psql("DELETE FROM judges_note WHERE id = 9", dbname=target)

    testers = module("django_users", {"target": conn(postgres, target), "hash_iterations": 100000, "users": [
        {"username": "ada", "email": "ada@precedentum.example"},
        {"username": "grace", "email": "grace@precedentum.example"}]})
    assert not testers.get("failed"), testers.get("msg")
    passwords = testers["passwords"]

    def everyone_logs_in():
        return [project.logs_in(target, "admin", PASSWORD)] + [project.logs_in(target, u, p)
                                                               for u, p in sorted(passwords.items())]

    assert everyone_logs_in() == [True, True, True]
    unchanged = module("rds_data_load", args)
    assert not unchanged.get("failed") and unchanged["changed"] is False, unchanged.get("msg")

    # The monthly update: a judge changed on the laptop. The default refuses to replace data without asking
    # (phase 2.4's default); data_update.yml asks (overwrite), and the accounts stay.
    project.shell(laptop, "from judges.models import Judge; Judge.objects.filter(slug='judge-3')"
                          ".update(full_name='Chief Judge C. Example')")
    refused = module("rds_data_load", args)
    assert refused.get("failed") and "public.judges_judge" in refused["msg"] and "auth_user" not in refused["msg"]
    update = module("rds_data_load", {**args, "overwrite": True})
    assert not update.get("failed") and update["changed"] is True, update.get("msg")
    assert postgres.psql("SELECT full_name FROM judges_judge WHERE slug = 'judge-3'", dbname=target) == \
        "Chief Judge C. Example"
    assert everyone_logs_in() == [True, True, True], "the monthly update lost accounts"
    assert update["lock_seconds"] < update["seconds"]

    # The laptop in another time zone and date style: the same data, no change.
    postgres.psql(f"ALTER DATABASE {laptop} SET timezone = 'America/Chicago'; "
                  f"ALTER DATABASE {laptop} SET datestyle = 'SQL, DMY'")
    again = module("rds_data_load", args)
    assert not again.get("failed") and again["changed"] is False, again.get("msg")


def test_a_laptop_at_another_migration_state_is_refused_before_anything_changes(postgres, django_dbs):
    project, laptop, target = django_dbs
    args = {"source": conn(postgres, laptop), "target": conn(postgres, target)}
    postgres.psql("INSERT INTO django_migrations (app, name, applied) VALUES ('judges', '0002_judge_chambers', now())",
                  dbname=laptop)
    refused = module("rds_data_load", args)
    assert refused.get("failed") and "migration judges.0002_judge_chambers is applied on the source" in refused["msg"]
    assert postgres.psql("SELECT count(*) FROM judges_judge", dbname=target) == "0"


def test_references_into_the_accounts_are_checked_before_anything_changes(postgres, django_dbs):
    project, laptop, target = django_dbs
    args = {"source": conn(postgres, laptop), "target": conn(postgres, target)}
    # A note written by the laptop's own account (id 1 is the target's admin too; 2 is nobody there).
    project.shell(laptop, "from django.contrib.auth import get_user_model; from judges.models import Note, Judge; "
                          "u = get_user_model().objects.create_user('second', 's@precedentum.example', 'pw'); "
                          "Note.objects.create(judge=Judge.objects.first(), author=u, text='by the laptop')")
    refused = module("rds_data_load", args)
    assert refused.get("failed"), refused
    assert "public.judges_note.author_id refers to 1 rows of public.auth_user" in refused["msg"], refused["msg"]
    assert postgres.psql("SELECT count(*) FROM judges_judge", dbname=target) == "0"


def test_a_django_laptop_into_an_unmigrated_target_is_refused(postgres, django_dbs):
    project, laptop, _unused = django_dbs
    empty = "empty_" + uuid.uuid4().hex[:8]
    postgres.psql(f"CREATE DATABASE {empty}")
    refused = module("rds_data_load", {"source": conn(postgres, laptop), "target": conn(postgres, empty)})
    assert refused.get("failed") and "run the app's migrations on the target first" in refused["msg"], refused
    assert postgres.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", dbname=empty) == "0"


FOLLOW_LINK = """
from urllib.parse import urlparse
from django.test import Client
path = urlparse({link!r}).path
first = Client().get(path)
done = Client()
step = done.get(path)
form = {{"new_password1": {new!r}, "new_password2": {new!r}}}
set_password = done.post(step.url, form) if step.status_code == 302 else None
again = Client().get(path)
print(first.status_code, step.status_code, set_password.status_code if set_password else None, again.status_code)
"""


def test_a_tester_sets_a_password_once_through_django_s_own_view(postgres, django_dbs):
    """The link django_users makes is one Django's PasswordResetConfirmView accepts, once; before it is used
    the account has no password that logs in."""
    project, _unused, target = django_dbs
    made = module("django_users", {"target": conn(postgres, target), "django_secret_key": "not-a-secret-test-only",
                                   "password_set_url": "https://precedentum.example/accounts/reset/",
                                   "users": [{"username": "ada", "email": "ada@precedentum.example"}]})
    assert not made.get("failed"), made.get("msg")
    assert made["passwords"] == {} and made["links"]["ada"].startswith("https://precedentum.example/accounts/reset/")
    assert postgres.psql("SELECT password LIKE '!%' FROM auth_user WHERE username = 'ada'", dbname=target) == "t"
    assert not project.logs_in(target, "ada", "")

    new = "a-password-the-tester-chose-42"
    said = project.shell(target, FOLLOW_LINK.format(link=made["links"]["ada"], new=new))
    # A valid link redirects to the set-password form, which redirects when done; used, the link is invalid (200).
    assert said == "302 302 302 200", said
    assert project.logs_in(target, "ada", new)

    # A link signed with another key is refused by Django.
    postgres.psql("DELETE FROM auth_user WHERE username = 'grace'", dbname=target)
    other = module("django_users", {"target": conn(postgres, target), "django_secret_key": "another-key",
                                    "password_set_url": "https://precedentum.example/accounts/reset/",
                                    "users": [{"username": "grace", "email": "grace@precedentum.example"}]})
    said = project.shell(target, FOLLOW_LINK.format(link=other["links"]["grace"], new=new))
    assert said.startswith("200 200 None"), said
