#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_image_info
short_description: Find an image tag in ECR repositories (is it there, which digest, when pushed)
version_added: 0.1.0
description:
  - Looks up one image tag in each of the given repositories, so that a deployment can refuse a tag
    that was never pushed before it touches a running service.
options:
  repositories:
    description: Repository names.
    type: list
    elements: str
    required: true
  image_tag:
    description: The tag to look for.
    type: str
    required: true
attributes:
  check_mode:
    support: full
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - precedentum.deploy maintainers
"""

EXAMPLES = r"""
- name: Is 1a2b3c4 pushed to both repositories?
  precedentum.deploy.ecr_image_info:
    repositories: [precedentum-testing/backend, precedentum-testing/frontend]
    image_tag: 1a2b3c4
  register: images
"""

RETURN = r"""
images:
  description: The image found per repository.
  returned: always
  type: dict
  sample: {precedentum-testing/backend: {digest: "sha256:0f3c...", pushed_at: "2026-11-25T10:00:00+00:00"}}
missing:
  description: Repositories without the tag (or that do not exist).
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


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            repositories=dict(type="list", elements="str", required=True),
            image_tag=dict(type="str", required=True),
        ),
        supports_check_mode=True,
    )
    client = module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())
    images, missing = {}, []
    for repository in module.params["repositories"]:
        try:
            found = client.describe_images(
                repositoryName=repository, imageIds=[{"imageTag": module.params["image_tag"]}], aws_retry=True
            )["imageDetails"]
        except is_boto3_error_code(["ImageNotFoundException", "RepositoryNotFoundException"]):
            missing.append(repository)
            continue
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Could not look for {repository}:{module.params['image_tag']}")
        if not found:
            missing.append(repository)
            continue
        pushed = found[0].get("imagePushedAt")
        images[repository] = {
            "digest": found[0].get("imageDigest", ""),
            "pushed_at": pushed.isoformat() if hasattr(pushed, "isoformat") else str(pushed or ""),
            "size_bytes": found[0].get("imageSizeInBytes", 0),
        }
    module.exit_json(changed=False, images=images, missing=missing)


if __name__ == "__main__":
    main()
