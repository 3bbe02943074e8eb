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
