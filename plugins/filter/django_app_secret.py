# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The django_app_secret filter; its code is in plugins/plugin_utils/django_secret.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.django_secret import django_app_secret

DOCUMENTATION = r"""
name: django_app_secret
version_added: 1.0.0
short_description: The application secret's values, the stored ones kept and the missing ones generated
description:
  - Django's C(SECRET_KEY) (50 characters) and the superuser's password (32 letters and digits) as stored, or new
    ones when none is stored; the superuser's name and e-mail as given. The ecs and lightsail roles write the
    result to the application secret (week 2), so it is generated once and never again.
  - New values are random at each call - run it once, in a C(set_fact) under C(no_log).
positional: username, email
options:
  _input:
    description: The stored secret's JSON, parsed (empty when there is none yet).
    type: dict
    required: true
  username:
    description: The superuser's username.
    type: str
    required: true
  email:
    description: The superuser's e-mail address.
    type: str
    required: true
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Keep the stored values, or generate them
  ansible.builtin.set_fact:
    app_secret: "{{ stored | precedentum.deploy.django_app_secret('admin', 'admin@example.com') }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: C(secret_key), C(superuser_username), C(superuser_email), C(superuser_password).
  type: dict
"""


class FilterModule:
    def filters(self):
        return {"django_app_secret": django_app_secret}
