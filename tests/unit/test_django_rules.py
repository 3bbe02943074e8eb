"""Django's username and e-mail rules as the collection applies them (module_utils/django_rules.py), the
onboarding filters and the django_users input check; checked against Django itself where it is installed."""

from __future__ import annotations

import pytest
from ansible_collections.precedentum.deploy.plugins.module_utils import django_rules as rules
from ansible_collections.precedentum.deploy.plugins.plugin_utils.onboarding import onboarding_accounts


@pytest.mark.parametrize("username, problem", [
    ("ada\n", "is not a Django username"), ("ad\x00a", "NUL"), ("ada lovelace", "is not a Django username"),
    ("a" * 151, "longer than 150"), ("", "is not a Django username")])
def test_what_django_refuses_is_refused(username, problem):
    assert problem in (rules.username_problem(username) or ""), username


def test_usernames_and_emails_are_stored_as_django_stores_them():
    assert rules.normalize_username("\ufb01ona") == "fiona" and rules.username_problem("\ufb01ona") is None
    assert rules.normalize_email(" Ada@Example.COM ") == "Ada@example.com"
    assert "control" in rules.email_problem("ada@example.com\x00") and rules.email_problem("ada@exa\nmple.com")
    assert rules.email_problem("ada@example.com") is None
    (account,) = onboarding_accounts([{"name": "Fiona", "email": "Fiona@Example.COM", "username": "\ufb01ona"}])
    assert (account["username"], account["email"]) == ("fiona", "Fiona@example.com")
    (default,) = onboarding_accounts([{"name": "Ada", "email": "Ada@Example.COM"}])
    assert default["username"] == "ada@example.com"


DJANGO_SAYS = """
import json, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"])
django.setup()
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
names, emails = json.loads(sys.argv[1])
def valid(name):
    try:
        UnicodeUsernameValidator()(AbstractBaseUser.normalize_username(name))
        return True
    except ValidationError:
        return False
print(json.dumps({"names": {n: [AbstractBaseUser.normalize_username(n), valid(n)] for n in names},
                  "emails": {e: BaseUserManager.normalize_email(e) for e in emails}}))
"""


def test_the_rules_agree_with_django():
    """Django itself (a process of its own, so that its settings touch no other test) gives the same answers."""
    import json
    import subprocess
    import sys

    pytest.importorskip("django")
    names = ["ada", "\ufb01ona", "ada\n", "a.b@c+d-e_f", "ada lovelace", "J\u00fcrgen", "x\u2126"]
    emails = ["Ada@Example.COM", "x@Y.org"]
    out = subprocess.run([sys.executable, "-c", DJANGO_SAYS, json.dumps([names, emails])], capture_output=True,
                         text=True, check=True)
    said = json.loads(out.stdout)
    for name in names:
        normalized, valid = said["names"][name]
        assert (rules.normalize_username(name), rules.username_problem(name) is None) == (normalized, valid), name
    for email in emails:
        assert rules.normalize_email(email) == said["emails"][email], email
