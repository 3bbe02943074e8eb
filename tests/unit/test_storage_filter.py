"""The storage role's check-mode comparison (plugins/plugin_utils/storage.py): what an existing bucket lacks."""

from __future__ import annotations

from ansible_collections.precedentum.deploy.plugins.plugin_utils.storage import storage_drift

RULE = "precedentum-old-versions-and-incomplete-uploads"
# A bucket as the role makes it, as amazon.aws.s3_bucket_info returns it.
MADE = {
    "bucket_versioning": {"Status": "Enabled"},
    "bucket_encryption": {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
    "public_access_block": {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
                            "RestrictPublicBuckets": True},
    "bucket_ownership_controls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
    "bucket_lifecycle_configuration": {"Rules": [{"ID": RULE, "Status": "Enabled",
                                                  "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                                                  "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}}]},
}


def test_a_bucket_as_made_differs_in_nothing():
    assert storage_drift(MADE, 30, "7", RULE) == []


def test_each_missing_setting_is_named():
    drifted = {**MADE, "bucket_versioning": {"Status": "Suspended"}, "bucket_encryption": {},
               "public_access_block": {"BlockPublicAcls": True}, "bucket_ownership_controls": {}}
    found = storage_drift(drifted, 30, 7, RULE)
    assert found[0] == "turn versioning on"
    assert found[1].startswith("encrypt new files")
    assert found[2] == "block public access (IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets)"
    assert found[3].startswith("turn ACLs off")
    assert len(found) == 4


def test_the_lifecycle_rule_is_compared_by_its_days_and_id():
    assert storage_drift(MADE, 90, 7, RULE) == [
        f"expire old versions after 90 days and incomplete uploads after 7 (lifecycle rule {RULE})"]
    other = {**MADE, "bucket_lifecycle_configuration": {"Rules": [
        {**MADE["bucket_lifecycle_configuration"]["Rules"][0], "ID": "someone-elses"}]}}
    assert len(storage_drift(other, 30, 7, RULE)) == 1
    assert len(storage_drift({}, 30, 7, RULE)) == 5


def test_tags_and_the_https_only_statement_are_compared_when_asked():
    policy = '{"Statement": [{"Sid": "DenyPlainHttp", "Effect": "Deny"}]}'
    tagged = {**MADE, "bucket_tagging": {"Project": "precedentum", "Phase": "1.3", "Extra": "kept"},
              "bucket_policy": policy}
    assert storage_drift(tagged, 30, 7, RULE, tags={"Project": "precedentum", "Phase": 1.3},
                         policy_sid="DenyPlainHttp") == []
    assert storage_drift({**tagged, "bucket_policy": None}, 30, 7, RULE, policy_sid="DenyPlainHttp") == [
        "refuse requests not made over HTTPS (bucket policy statement DenyPlainHttp)"]
    assert storage_drift(tagged, 30, 7, RULE, tags={"Environment": "testing"}) == ["tag it (Environment)"]
