# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The application secret's values (Django's SECRET_KEY, the superuser), the one generator both platforms use."""

from __future__ import annotations

import secrets
import string

# Characters of a generated SECRET_KEY: Django takes any; no quote, slash, backslash or @, which some
# consoles and URLs mangle.
KEY_CHARS = string.ascii_letters + string.digits + "-_!^*+=:."
PASSWORD_CHARS = string.ascii_letters + string.digits


def _random(chars, length):
    return "".join(secrets.choice(chars) for _unused in range(length))


def django_app_secret(stored, username, email):
    """What the application secret holds: the stored secret_key and superuser_password kept (never regenerated),
    else new ones (50 and 32 characters); the superuser's name and e-mail as the inventory says."""
    stored = stored if isinstance(stored, dict) else {}
    return {"secret_key": stored.get("secret_key") or _random(KEY_CHARS, 50),
            "superuser_username": username, "superuser_email": email,
            "superuser_password": stored.get("superuser_password") or _random(PASSWORD_CHARS, 32)}
