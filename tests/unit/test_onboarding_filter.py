"""The onboarding role's waves and input checks, and the django_users module's hash, as pure logic
(the hash is also checked against Django's own check_password)."""

from __future__ import annotations

import sys

import pytest
from django.conf import settings

from tests.harness.ansible import REPO

sys.path.insert(0, str(REPO / ".collections"))  # the checkout as ansible_collections.precedentum.deploy

from ansible_collections.precedentum.deploy.plugins.modules import django_users  # noqa: E402
from ansible_collections.precedentum.deploy.plugins.plugin_utils import onboarding  # noqa: E402

if not settings.configured:
    settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
from django.contrib.auth.hashers import check_password, make_password  # noqa: E402

TESTERS = [{"name": "Ada  Lovelace", "email": "Ada@Example.com"}, {"name": "Grace Hopper", "email": "g@example.com"},
           {"name": "Alan Turing", "email": "alan@example.com", "wave": 1}, {"name": "Kurt", "email": "k@example.com"}]
GOOD = {"onboarding_testers": TESTERS, "onboarding_wave": 1, "onboarding_wave1_size": 2, "onboarding_app_url": "",
        "onboarding_send_email": False, "onboarding_sender": "", "onboarding_message_dir": "/home/me/.precedentum",
        "onboarding_reset_passwords": [], "onboarding_test_focus": ["Try it."], "repository": "/work/repo"}


def test_waves_follow_the_inventory_order_unless_a_tester_names_one():
    wave1 = onboarding.onboarding_accounts(TESTERS, 1, 2)
    assert [a["username"] for a in wave1] == ["ada@example.com", "g@example.com", "alan@example.com"]
    assert wave1[0] == {"username": "ada@example.com", "email": "Ada@example.com", "first_name": "Ada",
                        "last_name": "Lovelace", "name": "Ada Lovelace", "wave": 1}
    assert [a["username"] for a in onboarding.onboarding_accounts(TESTERS, "2", 2)] == ["k@example.com"]
    assert len(onboarding.onboarding_accounts(TESTERS, "all", 2)) == 4
    assert onboarding.onboarding_accounts(TESTERS, 1, 2)[2]["last_name"] == "Turing"
    everyone = onboarding.onboarding_accounts(TESTERS)
    assert onboarding.onboarding_resets(["ADA@example.com", "k@example.com"], everyone) == [
        "ada@example.com", "k@example.com"]


def test_good_inputs_pass():
    assert onboarding.onboarding_input_errors(GOOD) == []
    assert onboarding.onboarding_input_errors({**GOOD, "onboarding_send_email": True,
                                               "onboarding_sender": "Team <team@example.com>"}) == []


@pytest.mark.parametrize(("change", "variable"), [
    ({"onboarding_testers": [{"name": "No Mail"}]}, "onboarding_testers[0].email"),
    ({"onboarding_testers": TESTERS + [{"name": "Again", "email": "ada@example.com"}]}, "onboarding_testers[4].email"),
    ({"onboarding_testers": [{"name": "A", "email": "a@example.com", "wave": 3}]}, "onboarding_testers[0].wave"),
    ({"onboarding_testers": [{"name": "A", "email": "a@example.com", "team": "x"}]}, "onboarding_testers[0]"),
    ({"onboarding_testers": "ada@example.com"}, "onboarding_testers"),
    # What Django refuses: a trailing newline (its validator ends with \Z), a NUL, a space.
    ({"onboarding_testers": [{"name": "A", "email": "a@example.com", "username": "ada\n"}]},
     "onboarding_testers[0].username"),
    ({"onboarding_testers": [{"name": "A", "email": "a@example.com", "username": "a\x00da"}]},
     "onboarding_testers[0].username"),
    ({"onboarding_testers": [{"name": "A", "email": "a\x00@example.com"}]}, "onboarding_testers[0].email"),
    ({"onboarding_testers": [{"name": "A", "email": "ada lovelace@example.com"}]}, "onboarding_testers[0].email"),
    ({"onboarding_wave": 3}, "onboarding_wave"),
    ({"onboarding_wave1_size": -1}, "onboarding_wave1_size"),
    ({"onboarding_app_url": "precedentum.example"}, "onboarding_app_url"),
    ({"onboarding_send_email": True}, "onboarding_sender"),
    ({"onboarding_message_dir": "messages"}, "onboarding_message_dir"),
    ({"onboarding_message_dir": "/work/repo/messages"}, "onboarding_message_dir"),
    ({"onboarding_reset_passwords": ["nobody@example.com"]}, "onboarding_reset_passwords"),
    ({"onboarding_test_focus": []}, "onboarding_test_focus"),
])
def test_each_bad_input_names_its_variable(change, variable):
    errors = onboarding.onboarding_input_errors({**GOOD, **change})
    assert len(errors) == 1 and errors[0].startswith(variable + ":"), errors


def test_django_users_refuses_what_django_would_store_otherwise():
    class Module:
        params = {"users": [{"username": "\ufb01ona", "email": "Fiona@Example.COM", "first_name": "", "last_name": ""},
                            {"username": "ada\n", "email": "ada@example.com", "first_name": "", "last_name": ""}],
                  "reset_passwords": [], "table": "auth_user", "password_length": 16, "hash_iterations": 1500000,
                  "password_set_url": "", "django_secret_key": None, "app_secret": None}

        def fail_json(self, msg):
            raise AssertionError(msg)

    with pytest.raises(AssertionError) as refused:
        django_users.check_inputs(Module())
    message = str(refused.value)
    assert "users[0].username: 'ﬁona' is not as Django stores it; give 'fiona'" in message, message
    assert "users[0].email: 'Fiona@Example.COM' is not as Django stores it; give 'Fiona@example.com'" in message
    assert "users[1].username: 'ada\\n' is not a Django username" in message


def test_the_hash_is_djangos():
    password = django_users.one_time_password(16)
    assert len(password) == 19 and password.count("-") == 3
    assert not set(password.replace("-", "")) & set("0O1lI")
    encoded = django_users.django_pbkdf2_sha256(password, 100000)
    assert encoded.startswith("pbkdf2_sha256$100000$") and check_password(password, encoded)
    assert not check_password(password.lower() + "x", encoded)
    # With Django's default iterations and the same salt: exactly the string Django makes.
    salt = encoded.split("$")[2]
    assert django_users.django_pbkdf2_sha256(password, 1500000, salt) == make_password(
        password, salt=salt, hasher="pbkdf2_sha256")
