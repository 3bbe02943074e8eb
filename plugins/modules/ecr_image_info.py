#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: ecr_image_info
short_description: Find an image tag in ECR repositories (is it there, which digest, when pushed)
version_added: 1.0.0
description:
  - Looks up one image tag in each of the given repositories, so that a deployment can refuse a tag
    that was never pushed before it touches a running service.
  - Without O(image_tag), finds the newest tag that every repository holds (by its latest push), for a
    first deployment that names no tag.
options:
  repositories:
    description: Repository names.
    type: list
    elements: str
    required: true
  image_tag:
    description: The tag to look for; unset, the newest tag in every repository is looked for (RV(tag)).
    type: str
extends_documentation_fragment:
  - precedentum.deploy.attributes.info_module
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
"""

EXAMPLES = r"""
- name: Is 1a2b3c4 pushed to both repositories?
  precedentum.deploy.ecr_image_info:
    repositories: [precedentum-testing/backend, precedentum-testing/frontend]
    image_tag: 1a2b3c4
  register: images
"""

RETURN = r"""
tag:
  description: The tag looked for (O(image_tag), or the newest tag every repository holds; empty when none does).
  returned: always
  type: str
  sample: 3f9c2ab
images:
  description: By repository, the image under that tag (digest, pushed_at, size_bytes).
  returned: always
  type: dict
  sample:
    precedentum-testing/backend: {digest: "sha256:0f3c...", pushed_at: "2026-11-25T10:00:00+00:00", size_bytes: 6123456}
missing:
  description: The repositories without that tag (or that do not exist).
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


def newest_common_tag(module, client, repositories):
    """The tag every repository holds whose newest push is the latest; "" when none (or a repository is missing)."""
    pushed = []
    for repository in repositories:
        tags = {}
        try:
            for page in client.get_paginator("describe_images").paginate(
                    repositoryName=repository, filter={"tagStatus": "TAGGED"}):
                for image in page.get("imageDetails") or []:
                    for image_tag in image.get("imageTags") or []:
                        tags[image_tag] = str(image.get("imagePushedAt") or "")
        except is_boto3_error_code("RepositoryNotFoundException"):
            return ""
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Could not list the images of {repository}")
        pushed.append(tags)
    common = set.intersection(*(set(tags) for tags in pushed)) if pushed else set()
    return max(common, key=lambda t: (max(tags[t] for tags in pushed), t), default="")


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            repositories=dict(type="list", elements="str", required=True),
            image_tag=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    client = module.client("ecr", retry_decorator=AWSRetry.jittered_backoff())
    tag = module.params["image_tag"]
    if tag is None:
        tag = newest_common_tag(module, client, module.params["repositories"])
    images, missing = {}, []
    for repository in module.params["repositories"]:
        if not tag:
            missing.append(repository)
            continue
        try:
            found = client.describe_images(
                repositoryName=repository, imageIds=[{"imageTag": tag}], aws_retry=True
            )["imageDetails"]
        except is_boto3_error_code(["ImageNotFoundException", "RepositoryNotFoundException"]):
            missing.append(repository)
            continue
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Could not look for {repository}:{tag}")
        if not found:
            missing.append(repository)
            continue
        pushed = found[0].get("imagePushedAt")
        images[repository] = {
            "digest": found[0].get("imageDigest", ""),
            "pushed_at": pushed.isoformat() if hasattr(pushed, "isoformat") else str(pushed or ""),
            "size_bytes": found[0].get("imageSizeInBytes", 0),
        }
    module.exit_json(changed=False, tag=tag, images=images, missing=missing)


if __name__ == "__main__":
    main()
