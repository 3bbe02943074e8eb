# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Django's own rules for a username and an e-mail, so that an account made by the collection is one Django's
login form can find: NFKC usernames (AbstractBaseUser.normalize_username), UnicodeUsernameValidator's
characters, BaseUserManager.normalize_email's lower-cased domain, and no NUL (ProhibitNullCharactersValidator)."""

from __future__ import annotations

import re
import unicodedata

# django.contrib.auth.validators.UnicodeUsernameValidator: r"^[\w.@+-]+\Z" (\Z: a trailing newline is refused).
USERNAME_RE = re.compile(r"^[\w.@+-]+\Z")
USERNAME_MAX = 150
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
EMAIL_MAX = 254


def normalize_username(username):
    return unicodedata.normalize("NFKC", str(username))


def normalize_email(email):
    """As BaseUserManager.normalize_email: the domain part lower-cased, the local part kept."""
    email = str(email or "").strip()
    name, at, domain = email.rpartition("@")
    return f"{name}@{domain.lower()}" if at else email


def username_problem(username):
    """Why Django would refuse ``username`` (after NFKC), or None."""
    text = normalize_username(username)
    if "\x00" in text:
        return "holds a NUL character"
    if not USERNAME_RE.match(text):
        return "is not a Django username (letters, digits and @.+-_ only)"
    if len(text) > USERNAME_MAX:
        return f"is longer than {USERNAME_MAX} characters"
    return None


def email_problem(email):
    """Why ``email`` is not an address Django's EmailField would take, or None."""
    text = str(email or "")
    if "\x00" in text or any(unicodedata.category(c) == "Cc" for c in text.strip()):
        return "holds a control character"
    if not EMAIL_RE.match(text.strip()):
        return "is not an e-mail address"
    if len(text.strip()) > EMAIL_MAX:
        return f"is longer than {EMAIL_MAX} characters"
    return None


# First access by a link that Django's own PasswordResetConfirmView accepts (django.contrib.auth.tokens): the
# token hashes the account's password and last login, so it stops working once the tester sets a password.
TOKEN_KEY_SALT = "django.contrib.auth.tokens.PasswordResetTokenGenerator"
UNUSABLE_PREFIX = "!"  # django.contrib.auth.hashers.UNUSABLE_PASSWORD_PREFIX


def unusable_password():
    """What Django's set_unusable_password() stores: no password logs in until one is set."""
    import secrets
    import string

    return UNUSABLE_PREFIX + "".join(secrets.choice(string.ascii_letters + string.digits) for _unused in range(40))


def _base36(number):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


def password_reset_token(secret_key, pk, password, last_login, email, now):
    """The token of PasswordResetTokenGenerator.make_token for this account, made at ``now`` (a naive datetime in
    the app's clock, UTC in a container); last_login a datetime or None."""
    import datetime
    import hashlib
    import hmac

    timestamp = int((now - datetime.datetime(2001, 1, 1)).total_seconds())
    login = "" if last_login is None else last_login.replace(microsecond=0, tzinfo=None)
    key = hashlib.sha256((TOKEN_KEY_SALT + secret_key).encode()).digest()
    value = f"{pk}{password}{login}{timestamp}{email or ''}"
    return f"{_base36(timestamp)}-{hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[::2]}"


def password_set_link(base_url, pk, token):
    """base_url (the app's password_reset_confirm prefix, e.g. https://site/accounts/reset/) + <uidb64>/<token>/."""
    import base64

    uid = base64.urlsafe_b64encode(str(pk).encode()).rstrip(b"\n=").decode()
    return f"{base_url.rstrip('/')}/{uid}/{token}/"
