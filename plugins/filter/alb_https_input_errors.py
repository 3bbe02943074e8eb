# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The alb_https_input_errors filter; its code is in plugins/plugin_utils/alb.py."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.alb import alb_https_input_errors

DOCUMENTATION = r"""
name: alb_https_input_errors
version_added: 1.0.0
short_description: Check the alb role's inputs (phase 3.1 - the domain, its hosted zone, the certificate
  wait)
description:
  - Checks the inputs of the alb role (phase 3.1 - the domain, its hosted zone, the certificate wait)
    before any AWS call.
  - An empty C(alb_https_domain) means plain HTTP on the load balancer's own name and is no error.
extends_documentation_fragment:
  - precedentum.deploy.input_errors
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Use the alb_https_input_errors filter
  ansible.builtin.set_fact:
    __inputs: {'alb_https_domain': 'app.example.com', 'alb_https_zone': ''}
    __errors: "{{ __inputs | precedentum.deploy.alb_https_input_errors }}"
"""

RETURN = r"""
_value:
  description: One message per problem, each starting with the variable at fault; empty when all is well.
  type: list
  elements: str
"""


class FilterModule:
    def filters(self):
        return {"alb_https_input_errors": alb_https_input_errors}
