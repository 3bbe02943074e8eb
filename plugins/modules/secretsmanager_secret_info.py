#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: secretsmanager_secret_info
short_description: Find Secrets Manager secrets by name and return their ARNs and metadata, never their values
version_added: 1.0.0
description:
  - Describes secrets by name or ARN. Returns the full ARN (with the suffix Secrets Manager adds),
    which ECS C(secrets)/C(valueFrom) and IAM policies need, without reading the secret's value.
  - A secret that does not exist, or is scheduled for deletion, is reported under RV(missing).
options:
  names:
    description: Names or ARNs of the secrets.
    type: list
    elements: str
    required: true
extends_documentation_fragment:
  - precedentum.deploy.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Find the database secret's ARN
  precedentum.deploy.secretsmanager_secret_info:
    names: [precedentum-testing/rds/master]
  register: found
"""

RETURN = r"""
secrets:
  description: The secrets found, by the name they were asked for.
  returned: always
  type: dict
  sample:
    precedentum-testing/rds/master:
      arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:precedentum-testing/rds/master-AbCdEf
      name: precedentum-testing/rds/master
      tags: {Project: precedentum}
missing:
  description: Names asked for that do not exist or are scheduled for deletion.
  returned: always
  type: list
  elements: str
"""

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(names=dict(type="list", elements="str", required=True)),
        supports_check_mode=True,
    )
    client = module.client("secretsmanager", retry_decorator=AWSRetry.jittered_backoff())
    secrets, missing = {}, []
    for name in module.params["names"]:
        try:
            found = client.describe_secret(SecretId=name, aws_retry=True)
        except is_boto3_error_code("ResourceNotFoundException"):
            missing.append(name)
            continue
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Could not describe secret {name}")
        if found.get("DeletedDate"):
            missing.append(name)
            continue
        secrets[name] = {
            "arn": found["ARN"],
            "name": found["Name"],
            "description": found.get("Description", ""),
            "tags": boto3_tag_list_to_ansible_dict(found.get("Tags", [])),
        }
    module.exit_json(changed=False, secrets=secrets, missing=missing)


if __name__ == "__main__":
    main()
