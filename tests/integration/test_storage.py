"""The storage role (phase 1.3, the app's uploads), verified through the S3 and IAM APIs; its converge,
idempotence, verify and destroy are its molecule scenario's (molecule/storage/)."""

from __future__ import annotations

import json

import pytest

from tests.harness.aws_state import PREFIX
from tests.harness.molecule import Scenario

pytestmark = pytest.mark.slow
ACCOUNT = "123456789012"
BUCKET = f"{PREFIX}-files-{ACCOUNT}-us-east-1"


def buckets(s3) -> list[str]:
    return [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_bucket_check_converge_rerun_change_destroy_with_copy(emulator, playbook, tmp_path):
    s3 = emulator.client("s3")
    check = playbook("week1.yml", "--tags", "s3", "--check")
    assert check.rc == 0 and check.changed > 0, check
    assert buckets(s3) == []

    scenario = Scenario(emulator, "storage", tmp_path)
    first = scenario.run("converge")
    assert first.rc == 0, first
    assert buckets(s3) == [BUCKET]
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    controls = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"]
    assert controls == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (statement,) = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]
    assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert lifecycle["Status"] == "Enabled"
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30
    assert lifecycle["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    tags = {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=BUCKET)["TagSet"]}
    assert tags["ManagedBy"] == "precedentum.deploy" and tags["Phase"] == "1.3" and tags["Name"] == BUCKET
    assert f"bucket {BUCKET} (us-east-1): private, encrypted (SSE-S3), versioned, HTTPS only" \
        in first.flat, "the report reads the settings back"

    again = scenario.run("idempotence")
    assert again.rc == 0 and again.changed == 0, again
    verified = scenario.run("verify")
    assert verified.rc == 0 and "All assertions passed" in verified.output, verified

    changed = playbook("week1.yml", "--tags", "s3", extra_vars={"storage_noncurrent_version_days": 90})
    assert changed.rc == 0 and changed.changed > 0, changed
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    assert lifecycle["NoncurrentVersionExpiration"]["NoncurrentDays"] == 90

    # Files with old versions: destroy copies the current ones out when asked, then removes every version.
    s3.put_object(Bucket=BUCKET, Key="uploads/brief.txt", Body=b"first draft")
    s3.put_object(Bucket=BUCKET, Key="uploads/brief.txt", Body=b"final")
    s3.put_object(Bucket=BUCKET, Key="uploads/2026/exhibit.pdf", Body=b"%PDF-1.4")
    copy = tmp_path / "kept"
    refused = playbook("destroy.yml", "--tags", "s3", extra_vars={"destroy_confirm": "nope"})
    assert refused.rc != 0 and buckets(s3) == [BUCKET], "nothing goes without the confirmation"
    gone = playbook("destroy.yml", "--tags", "s3",
                    extra_vars={"destroy_confirm": PREFIX, "storage_keep_copy_dir": str(copy)})
    assert gone.rc == 0, gone
    assert buckets(s3) == []
    assert (copy / "uploads" / "brief.txt").read_bytes() == b"final"
    assert (copy / "uploads" / "2026" / "exhibit.pdf").read_bytes() == b"%PDF-1.4"
    twice = playbook("destroy.yml", "--tags", "s3", extra_vars={"destroy_confirm": PREFIX})
    assert twice.rc == 0 and twice.changed == 0, twice
    left = scenario.run("destroy")
    assert left.rc == 0 and left.changed == 0, left


def test_bad_input_is_refused_before_any_call(emulator, playbook):
    for bad in ({"storage_bucket_name": "Bad_Name"}, {"storage_noncurrent_version_days": 0},
                {"storage_bucket_name": "a--b-c"}):
        result = playbook("week1.yml", "--tags", "s3", extra_vars=bad)
        assert result.rc != 0 and next(iter(bad)) in result.flat, (bad, result)
    assert buckets(emulator.client("s3")) == []
