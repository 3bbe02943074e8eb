#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: django_users
short_description: Create the app's user accounts in Django's auth_user table with one-time passwords
version_added: 1.0.0
description:
  - Makes sure each of O(users) has an account in the Django app's database (table O(table),
    Django's C(auth_user)) - active, not staff, not superuser, with the given e-mail and names.
  - A new account gets a random one-time password, stored as a Django C(pbkdf2_sha256) hash (the
    format Django's own C(check_password) reads); the password itself is returned once, in
    RV(passwords), and never stored anywhere by the module.
  - An existing account keeps its password (no reset) unless its username is in O(reset_passwords);
    its e-mail and names are brought in line. Accounts not listed are left alone.
  - One transaction - all accounts are written, or none.
options:
  users:
    description: The accounts.
    type: list
    elements: dict
    required: true
    suboptions:
      username:
        description: Django username (letters, digits and C(@.+-_), at most 150).
        type: str
        required: true
      email:
        description: E-mail address.
        type: str
        required: true
      first_name:
        description: First name.
        type: str
        default: ''
      last_name:
        description: Last name.
        type: str
        default: ''
  reset_passwords:
    description: Usernames whose existing account gets a new one-time password.
    type: list
    elements: str
    default: []
  table:
    description: The user table (a custom user model with the same columns may use another).
    type: str
    default: auth_user
  password_length:
    description: Characters of a one-time password (16 to 64), in groups of four, without look-alike characters.
    type: int
    default: 16
  hash_iterations:
    description:
      - PBKDF2 iterations; the default is Django 6.1's.
      - Django re-hashes a password at its next successful login whenever the stored count differs from its
        own, lower or higher (PBKDF2PasswordHasher.must_update), so give the app's Django version's count.
    type: int
    default: 1500000
  password_set_url:
    description:
      - Give each new (or reset) account a link instead of a password - the account gets an unusable password
        (no login at all) and RV(links) the URL of Django's own C(PasswordResetConfirmView) for it, which works
        once (setting a password invalidates it) and for C(PASSWORD_RESET_TIMEOUT) (3 days by default).
      - The prefix of the app's C(password_reset_confirm) URL, for example
        C(https://precedentum.example/accounts/reset/) when the app's C(urls.py) has
        C(path("accounts/", include("django.contrib.auth.urls"))); the link is that prefix + C(<uidb64>/<token>/).
      - Empty (the default) gives one-time passwords as before.
    type: str
    default: ''
  django_secret_key:
    description: The app's Django C(SECRET_KEY), which signs the links (with O(password_set_url)).
    type: str
  app_secret:
    description:
      - Instead of O(django_secret_key), the Secrets Manager secret holding it in its C(secret_key) field (the ecs or
        lightsail role's application secret, C(<prefix>/django/app)).
    type: str
attributes:
  check_mode:
    support: full
    details: Reports the accounts that would be created, updated or reset; writes nothing, returns no password.
  diff_mode:
    support: none
extends_documentation_fragment:
  - precedentum.deploy.attributes
  - precedentum.deploy.pg_target
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
notes:
  - Needs C(psycopg2) on the host that runs the module. The table must exist (the app's migrations ran).
  - Register the result under C(no_log) - it holds the one-time passwords.
"""

EXAMPLES = r"""
- name: Create the testers' accounts
  precedentum.deploy.django_users:
    target_secret: precedentum-testing/rds/master
    users:
      - {username: ada@example.com, email: ada@example.com, first_name: Ada, last_name: Lovelace}
  register: accounts
  no_log: true
"""

RETURN = r"""
created:
  description: Usernames of the accounts created.
  returned: always
  type: list
  elements: str
updated:
  description: Usernames whose e-mail, names or active flag were changed.
  returned: always
  type: list
  elements: str
reset:
  description: Usernames given a new one-time password.
  returned: always
  type: list
  elements: str
unchanged:
  description: Usernames left as they were.
  returned: always
  type: list
  elements: str
passwords:
  description: The one-time password of each account created or reset (none in check mode or with O(password_set_url)).
  returned: always
  type: dict
  sample:
    ada@example.com: generated-once-and-never-logged
links:
  description: With O(password_set_url), the password-set link of each account created or reset (works once).
  returned: always
  type: dict
  sample:
    ada@example.com: https://precedentum.example/accounts/reset/MQ/set-password/
"""

import base64
import datetime
import hashlib
import re
import secrets

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils import pgtarget
from ansible_collections.precedentum.deploy.plugins.module_utils.django_rules import (
    email_problem,
    normalize_email,
    normalize_username,
    password_reset_token,
    password_set_link,
    unusable_password,
    username_problem,
)
from ansible_collections.precedentum.deploy.plugins.module_utils.pgload import quote_ident

# No 0/O, 1/l/I: a password read from an e-mail is typed by hand.
ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
SALT_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
TABLE_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def one_time_password(length):
    chars = "".join(secrets.choice(ALPHABET) for _unused in range(length))
    return "-".join(chars[i:i + 4] for i in range(0, length, 4))


def django_pbkdf2_sha256(password, iterations, salt=None):
    """The string Django stores for ``password`` (django.contrib.auth.hashers.PBKDF2PasswordHasher)."""
    salt = salt or "".join(secrets.choice(SALT_ALPHABET) for _unused in range(22))
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), iterations)
    return f"pbkdf2_sha256${iterations}${salt}${base64.b64encode(digest).decode('ascii')}"


def first_access(p):
    """(what the account stores, the one-time password or None): with password_set_url, an unusable password
    (no login until the tester sets one through the link); otherwise a one-time password's hash."""
    if p["password_set_url"]:
        return unusable_password(), None
    secret = one_time_password(p["password_length"])
    return django_pbkdf2_sha256(secret, p["hash_iterations"]), secret


def give(p, result, user, pk, stored, last_login, secret):
    """The tester's way in, in the results: the password, or the link Django's PasswordResetConfirmView takes."""
    if secret is not None:
        result["passwords"][user["username"]] = secret
        return
    # The app's clock: a container's, UTC (Django's token generator reads datetime.now(), naive).
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)  # noqa: UP017 (Python < 3.11 hosts)
    token = password_reset_token(p["django_secret_key"], pk, stored, last_login, user["email"], now)
    result["links"][user["username"]] = password_set_link(p["password_set_url"], pk, token)


def app_secret_key(module):
    """Django's SECRET_KEY from the application secret (its secret_key field), as the app's containers get it."""
    import json

    name = module.params["app_secret"]
    try:
        value = module.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
        key = json.loads(value).get("secret_key")
    except Exception as e:  # botocore errors, a secret that is not JSON
        module.fail_json(msg=f"app_secret: could not read Django's SECRET_KEY from {name}: {e}")
    if not key:
        module.fail_json(msg=f"app_secret: {name} has no secret_key field (week 2 writes it, phase 2.1)")
    module.no_log_values.add(key)
    return key


def check_inputs(module):
    p, problems = module.params, []
    seen = set()
    for i, user in enumerate(p["users"]):
        username, email = user["username"] or "", user["email"] or ""
        if username_problem(username):
            problems.append(f"users[{i}].username: {username!r} {username_problem(username)}")
        elif normalize_username(username) != username:
            problems.append(f"users[{i}].username: {username!r} is not as Django stores it; give "
                            f"{normalize_username(username)!r} (NFKC), the name its login form looks up")
        if user["username"] in seen:
            problems.append(f"users[{i}].username: {user['username']!r} is listed twice")
        seen.add(user["username"])
        if email_problem(email):
            problems.append(f"users[{i}].email: {email!r} {email_problem(email)}")
        elif normalize_email(email) != email:
            problems.append(f"users[{i}].email: {email!r} is not as Django stores it; give {normalize_email(email)!r}")
        for field in ("first_name", "last_name"):
            if len(user[field] or "") > 150:
                problems.append(f"users[{i}].{field}: at most 150 characters")
    unknown = sorted(set(p["reset_passwords"]) - seen)
    if unknown:
        problems.append(f"reset_passwords: {', '.join(unknown)} not in users")
    if not TABLE_RE.match(p["table"]):
        problems.append(f"table: {p['table']!r} is not a table name")
    if not 16 <= p["password_length"] <= 64:
        problems.append("password_length: from 16 to 64")
    if not 100000 <= p["hash_iterations"] <= 10000000:
        problems.append("hash_iterations: from 100000 to 10000000")
    if p["password_set_url"]:
        if not re.match(r"^https?://[^/\s]+/\S*$", p["password_set_url"]):
            problems.append(f"password_set_url: {p['password_set_url']!r} is not an http(s) URL with a path "
                            "(the app's password reset confirm prefix, e.g. https://precedentum.example/accounts/reset/)")
        if not p["django_secret_key"] and not p["app_secret"]:
            problems.append("django_secret_key or app_secret: needed with password_set_url (the app's Django "
                            "SECRET_KEY signs the link)")
    if problems:
        module.fail_json(msg="; ".join(problems))


def main():
    user_spec = dict(username=dict(type="str", required=True), email=dict(type="str", required=True),
                     first_name=dict(type="str", default=""), last_name=dict(type="str", default=""))
    module = AnsibleAWSModule(
        argument_spec=dict(
            users=dict(type="list", elements="dict", required=True, options=user_spec),
            reset_passwords=dict(type="list", elements="str", default=[], no_log=False),
            table=dict(type="str", default="auth_user"),
            password_length=dict(type="int", default=16, no_log=False),
            hash_iterations=dict(type="int", default=1500000),
            password_set_url=dict(type="str", default="", no_log=False),  # a URL prefix, no secret
            django_secret_key=dict(type="str", no_log=True),
            app_secret=dict(type="str", no_log=False),  # the secret's name or ARN
            **pgtarget.TARGET_OPTIONS,
        ),
        supports_check_mode=True,
        required_one_of=[("target", "target_secret")],
        mutually_exclusive=pgtarget.TARGET_EXCLUSIVE,
    )
    if not pgtarget.HAS_PSYCOPG2:
        module.fail_json(msg="django_users needs the psycopg2 Python package on the host that runs it")
    check_inputs(module)
    p = module.params
    if p["password_set_url"] and not p["django_secret_key"]:
        p["django_secret_key"] = app_secret_key(module)
    dsn, password = pgtarget.target_dsn(module)
    conn = pgtarget.connect(module, dsn, password, "target")
    table = quote_ident(p["table"])
    result = dict(changed=False, created=[], updated=[], reset=[], unchanged=[], passwords={}, links={})
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT to_regclass(%s)", (p["table"],))
            if cur.fetchone()[0] is None:
                module.fail_json(msg=f"The table {p['table']} does not exist in the app's database: run the "
                                     "app's migrations first (week2.yml, phase 2.3)")
            for user in p["users"]:
                cur.execute(f"SELECT email, first_name, last_name, is_active FROM {table} WHERE username = %s",
                            (user["username"],))
                row = cur.fetchone()
                wanted = (user["email"], user["first_name"], user["last_name"], True)
                if row is None:
                    result["created"].append(user["username"])
                    if not module.check_mode:
                        stored, secret = first_access(p)
                        cur.execute(
                            f"INSERT INTO {table} (password, last_login, is_superuser, username, first_name,"
                            " last_name, email, is_staff, is_active, date_joined)"
                            " VALUES (%s, NULL, false, %s, %s, %s, %s, false, true, now()) RETURNING id",
                            (stored, user["username"], user["first_name"], user["last_name"], user["email"]))
                        give(p, result, user, cur.fetchone()[0], stored, None, secret)
                    continue
                if tuple(row) != wanted:
                    if not module.check_mode:
                        cur.execute(f"UPDATE {table} SET email = %s, first_name = %s, last_name = %s,"
                                    " is_active = true WHERE username = %s", (*wanted[:3], user["username"]))
                    result["updated"].append(user["username"])
                if user["username"] in p["reset_passwords"]:
                    if not module.check_mode:
                        stored, secret = first_access(p)
                        cur.execute(f"UPDATE {table} SET password = %s WHERE username = %s RETURNING id, last_login",
                                    (stored, user["username"]))
                        pk, last_login = cur.fetchone()
                        give(p, result, user, pk, stored, last_login, secret)
                    result["reset"].append(user["username"])
                if tuple(row) == wanted and user["username"] not in p["reset_passwords"]:
                    result["unchanged"].append(user["username"])
        if module.check_mode:
            conn.rollback()
        else:
            conn.commit()
    except Exception as e:  # psycopg2.Error and the like: nothing was written
        conn.rollback()
        module.fail_json(msg=f"Could not write the accounts (nothing was changed): {e}")
    finally:
        conn.close()
    result["changed"] = bool(result["created"] or result["updated"] or result["reset"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
