"""Phases 3.3 and 4.1: the testers' accounts, written to a real PostgreSQL standing in for the RDS
instance (the emulator's RDS has no server behind it), their passwords checked with Django's own
check_password, the messages on disk and the e-mails in the emulator's SES."""

from __future__ import annotations

import json
import stat

import pytest
from django.conf import settings

from tests.harness.ansible import REPO, run_playbook
from tests.harness.aws_state import PREFIX
from tests.harness.fixture_db import AUTH_USER_DDL, stand_in_for_rds

if not settings.configured:
    settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
from django.contrib.auth.hashers import check_password, identify_hasher  # noqa: E402

pytestmark = pytest.mark.slow
SENDER = "team@precedentum.example"
TESTERS = [{"name": f"Tester {n} Example", "email": f"Tester{n}@precedentum.example"} for n in range(1, 9)]


def accounts(postgres, dbname) -> dict:
    rows = postgres.psql("SELECT json_agg(u ORDER BY id) FROM auth_user u", dbname=dbname)
    return {u["username"]: u for u in json.loads(rows or "null") or []}


def read_message(path) -> tuple[str, int]:
    """(one-time password, mode) of a message file."""
    text = path.read_text()
    (line,) = [x for x in text.splitlines() if x.startswith("One-time password:")]
    return line.split(":", 1)[1].strip(), stat.S_IMODE(path.stat().st_mode)


def test_waves_get_accounts_django_accepts_messages_and_mail(emulator, postgres, prebuilt, tmp_path):
    prebuilt(emulator, "week1.yml")
    secret = json.loads(emulator.client("secretsmanager").get_secret_value(
        SecretId=f"{PREFIX}/rds/master")["SecretString"])
    dbname = stand_in_for_rds(postgres, secret, migrated=False)
    messages = tmp_path / "messages"
    ses = emulator.client("ses")
    ses.verify_email_identity(EmailAddress=SENDER)
    base = {"onboarding_testers": TESTERS, "onboarding_message_dir": str(messages),
            "onboarding_first_access": "password", "onboarding_send_email": True, "onboarding_sender": SENDER,
            "onboarding_db_host_override": "127.0.0.1", "onboarding_db_port_override": postgres.port}

    def play(name, *args, **extra):
        return run_playbook(str(REPO / "playbooks" / name), emulator.env(), "--tags", "onboarding", *args,
                            extra_vars={**base, **extra})

    no_table = play("week3.yml")
    assert no_table.rc != 0 and "run the app's migrations first" in no_table.flat, no_table.output[-2500:]
    postgres.psql(AUTH_USER_DDL, dbname=dbname)

    check = play("week3.yml", "--check")
    assert check.rc == 0 and check.changed > 0, check
    assert accounts(postgres, dbname) == {} and not messages.exists() and emulator.sent_mail() == []

    wave1 = play("week3.yml")
    assert wave1.rc == 0, wave1
    made = accounts(postgres, dbname)
    assert sorted(made) == ["tester1@precedentum.example", "tester2@precedentum.example"]
    first = made["tester1@precedentum.example"]
    assert (first["email"], first["first_name"], first["last_name"]) == (
        "Tester1@precedentum.example", "Tester", "1 Example")
    assert (first["is_active"], first["is_staff"], first["is_superuser"], first["last_login"]) == (
        True, False, False, None)
    assert stat.S_IMODE(messages.stat().st_mode) == 0o700
    passwords = {}
    for username, row in made.items():
        password, mode = read_message(messages / f"{username}.txt")
        assert mode == 0o600
        assert identify_hasher(row["password"]).algorithm == "pbkdf2_sha256"
        assert check_password(password, row["password"]), f"Django refuses {username}'s password"
        assert not check_password(password + "x", row["password"])
        passwords[username] = password
        assert password not in wave1.output, "a password was printed"
        assert row["password"] not in wave1.output
    mail = emulator.sent_mail()
    assert sorted(m["destinations"]["ToAddresses"][0] for m in mail) == [t["email"] for t in TESTERS[:2]]
    for m in mail:
        assert m["source"] == SENDER and m["subject"] == "Your Precedentum test account"
        username = m["destinations"]["ToAddresses"][0].lower()
        assert passwords[username] in m["body"] and "http://precedentum-testing-alb-" in m["body"]
        assert m["body"] == (messages / f"{username}.txt").read_text()

    again = play("week3.yml")
    assert again.rc == 0 and again.changed == 0, again
    assert accounts(postgres, dbname) == made and len(emulator.sent_mail()) == 2

    # Week 4: the other six, and a new password for a tester of wave 1 who lost theirs.
    wave2 = play("week4.yml", onboarding_reset_passwords=["Tester2@precedentum.example"])
    assert wave2.rc == 0, wave2
    after = accounts(postgres, dbname)
    assert sorted(after) == sorted(t["email"].lower() for t in TESTERS)
    assert after["tester1@precedentum.example"] == made["tester1@precedentum.example"], "wave 1 left alone"
    new, _unused = read_message(messages / "tester2@precedentum.example.txt")
    reset = after["tester2@precedentum.example"]["password"]
    assert new != passwords["tester2@precedentum.example"]
    assert check_password(new, reset) and not check_password(passwords["tester2@precedentum.example"], reset)
    for n in range(3, 9):
        username = f"tester{n}@precedentum.example"
        password, _unused = read_message(messages / f"{username}.txt")
        assert check_password(password, after[username]["password"])
    assert len(emulator.sent_mail()) == 2 + 6 + 1


def test_first_access_by_a_link_django_accepts(emulator, postgres, prebuilt, tmp_path):
    """The default: no usable password, and a link whose token Django's PasswordResetTokenGenerator accepts with the
    app's SECRET_KEY (the application secret); test_data_load_django.py follows such a link through Django's view."""
    from urllib.parse import urlparse

    from django.contrib.auth.tokens import PasswordResetTokenGenerator
    from django.utils.http import urlsafe_base64_decode

    prebuilt(emulator, "week1.yml")
    secret = json.loads(emulator.client("secretsmanager").get_secret_value(
        SecretId=f"{PREFIX}/rds/master")["SecretString"])
    dbname = stand_in_for_rds(postgres, secret)
    messages = tmp_path / "messages"
    base = {"onboarding_testers": TESTERS[:2], "onboarding_message_dir": str(messages),
            "onboarding_db_host_override": "127.0.0.1", "onboarding_db_port_override": postgres.port}

    def play(*args):
        return run_playbook(str(REPO / "playbooks/week3.yml"), emulator.env(), "--tags", "onboarding", *args,
                            extra_vars=base)

    no_key = play()
    assert no_key.rc != 0 and f"{PREFIX}/django/app" in no_key.flat, no_key
    assert accounts(postgres, dbname) == {}, "accounts were written without a way in"
    key = "django-insecure-" + "k" * 40
    # As week 2 writes it: tagged as the deployment's app secret.
    emulator.client("secretsmanager").create_secret(Name=f"{PREFIX}/django/app",
                                                    SecretString=json.dumps({"secret_key": key}),
                                                    Tags=[{"Key": "Secret", "Value": f"{PREFIX}/app"}])
    done = play()
    assert done.rc == 0, done
    assert key not in done.output
    tokens = PasswordResetTokenGenerator()
    tokens.secret = key
    for username, row in accounts(postgres, dbname).items():
        assert row["password"].startswith("!"), "the account has a usable password"
        text = (messages / f"{username}.txt").read_text()
        (line,) = [x for x in text.splitlines() if x.startswith("Set your password:")]
        link = urlparse(line.split(":", 1)[1].strip())
        assert link.path.startswith("/accounts/reset/") and link.netloc.startswith("precedentum-testing-alb-"), link
        uid, token = link.path.split("/")[3:5]
        assert int(urlsafe_base64_decode(uid)) == row["id"]

        class User:
            pk, password, last_login, email = row["id"], row["password"], None, row["email"]

            @staticmethod
            def get_email_field_name():
                return "email"

        assert tokens.check_token(User, token), f"Django refuses {username}'s link"
    again = play()
    assert again.rc == 0 and again.changed == 0, again
