"""The ecr role (phase 1.3), verified through the ECR API; its converge, idempotence, verify and destroy are its
molecule scenario's (molecule/ecr/)."""

from __future__ import annotations

import json

import pytest

from tests.harness.aws_state import PREFIX
from tests.harness.molecule import Scenario

pytestmark = pytest.mark.slow
NAMES = {f"{PREFIX}/backend", f"{PREFIX}/frontend"}


def repositories(ecr) -> dict:
    return {r["repositoryName"]: r for r in ecr.describe_repositories()["repositories"]}


def lifecycle(ecr, name) -> dict:
    return json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])


def test_ecr_alone_check_converge_rerun_change_destroy(emulator, playbook, tmp_path):
    ecr = emulator.client("ecr")
    check = playbook("week1.yml", "--tags", "ecr", "--check")
    assert check.rc == 0 and check.changed > 0, check
    assert repositories(ecr) == {}

    scenario = Scenario(emulator, "ecr", tmp_path)
    first = scenario.run("converge")
    assert first.rc == 0, first
    repos = repositories(ecr)
    assert set(repos) == NAMES
    for name, repo in repos.items():
        assert repo["imageScanningConfiguration"]["scanOnPush"] is True
        assert repo["imageTagMutability"] == "MUTABLE"
        (rule,) = lifecycle(ecr, name)["rules"]
        assert rule["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 3}
        assert rule["action"] == {"type": "expire"}
        assert repo["repositoryUri"] in first.flat, "the URIs are reported for later phases"

    again = scenario.run("idempotence")
    assert again.rc == 0 and again.changed == 0, again
    verified = scenario.run("verify")
    assert verified.rc == 0 and "All assertions passed" in verified.output, verified

    changed = playbook("week1.yml", "--tags", "ecr", extra_vars={"ecr_keep_images": 5,
                                                                 "ecr_image_tag_mutability": "immutable"})
    assert changed.rc == 0 and changed.changed > 0, changed
    for name, repo in repositories(ecr).items():
        assert lifecycle(ecr, name)["rules"][0]["selection"]["countNumber"] == 5
        assert repo["imageTagMutability"] == "IMMUTABLE"

    # A repository with an image in it is deleted too (images are rebuilt from source).
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"digest": "sha256:" + "a" * 64, "size": 1, "mediaType": "x"}, "layers": []})
    ecr.put_image(repositoryName=f"{PREFIX}/backend", imageManifest=manifest, imageTag="v1")
    gone = playbook("destroy.yml", "--tags", "ecr", extra_vars={"destroy_confirm": PREFIX})
    assert gone.rc == 0, gone
    assert repositories(ecr) == {}
    twice = playbook("destroy.yml", "--tags", "ecr", extra_vars={"destroy_confirm": PREFIX})
    assert twice.rc == 0 and twice.changed == 0, twice
    left = scenario.run("destroy")
    assert left.rc == 0 and left.changed == 0, left
