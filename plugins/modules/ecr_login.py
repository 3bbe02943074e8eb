#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_login
short_description: Log the Docker CLI in to the account's ECR registry without exposing the token
version_added: 1.0.0
description:
  - Asks ECR for an authorization token and hands it to C(docker login --password-stdin). The
    token goes through a pipe, never on a command line (C(ps) cannot show it), and is never
    returned, logged or written anywhere but Docker's own credential store.
  - The equivalent of C(aws ecr get-login-password | docker login --username AWS --password-stdin).
options:
  docker_cli:
    description: The Docker CLI to use.
    type: str
    default: docker
attributes:
  check_mode:
    support: full
    details: In check mode, asks for no token and logs in to nothing.
  diff_mode:
    support: none
extends_documentation_fragment:
  - precedentum.deploy.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Log in to ECR before pushing
  precedentum.deploy.ecr_login:
"""

RETURN = r"""
registry:
  description: The registry logged in to (host name).
  returned: always
  type: str
  sample: 123456789012.dkr.ecr.us-east-1.amazonaws.com
expires_at:
  description: When the login expires (ECR tokens last 12 hours).
  returned: success, not in check mode
  type: str
  sample: '2026-12-06T21:00:00+00:00'
"""

import base64

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry


def decode_token(token):
    """ECR's token is base64 of 'AWS:<password>'. Returns (username, password)."""
    username, _unused, password = base64.b64decode(token).decode().partition(":")
    return username, password


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(docker_cli=dict(type="str", default="docker")), supports_check_mode=True
    )
    cli = module.get_bin_path(module.params["docker_cli"], required=True)
    if module.check_mode:
        module.exit_json(changed=True, registry="")
    client = module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())
    try:
        data = client.get_authorization_token(aws_retry=True)["authorizationData"][0]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg="Could not get an ECR authorization token")
    username, password = decode_token(data["authorizationToken"])
    module.no_log_values.add(password)
    module.no_log_values.add(data["authorizationToken"])
    registry = data["proxyEndpoint"].removeprefix("https://").removeprefix("http://").rstrip("/")
    command = [cli, "login", "--username", username, "--password-stdin", registry]
    rc, out, err = module.run_command(command, data=password)
    if rc != 0:
        module.fail_json(msg=f"docker login to {registry} failed (rc {rc}): {err.strip() or out.strip()}",
                         registry=registry)
    expires = data.get("expiresAt")
    expires_at = expires.isoformat() if hasattr(expires, "isoformat") else ""
    module.exit_json(changed=True, registry=registry, expires_at=expires_at)


if __name__ == "__main__":
    main()
