# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The options of the modules that write to the app's database (module_utils/pgtarget.py)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  target:
    description: libpq connection string or URI of the target database (the app's). Or use O(target_secret).
    type: str
  target_password:
    description: Password of the target.
    type: str
  target_secret:
    description:
      - Name or ARN of the Secrets Manager secret with the target's C(host), C(port), C(username),
        C(password) and C(dbname) (the rds role's secret), read with boto3.
    type: str
  host_override:
    description: Connect to this host instead of the secret's (a tunnel, or a local server in tests).
    type: str
  port_override:
    description: Connect to this port instead of the secret's.
    type: int
notes:
  - "IAM: C(secretsmanager:GetSecretValue) on O(target_secret) when given."
"""
