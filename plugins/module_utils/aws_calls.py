# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One AWS call that fails the module with a sentence naming what it was doing, shared by the modules."""

from __future__ import annotations

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def aws_call(module, client, operation, what, **kwargs):
    """client.<operation>(**kwargs); on an AWS or connection error, fail_json_aws with "Could not <what>"."""
    try:
        return getattr(client, operation)(**kwargs)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Could not {what}")
