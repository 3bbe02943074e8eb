# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What differs between a bucket's settings and the storage role's (pure logic, no AWS call)."""

from __future__ import annotations

DOCUMENTATION = r"""
name: storage_drift
short_description: The storage role's settings an existing bucket lacks (what check mode would change)
description:
  - Takes one bucket as C(amazon.aws.s3_bucket_info) returns it with the encryption, versioning, public access
    block, ownership controls and lifecycle configuration facts, and returns one sentence per setting that
    differs from the role's (empty when the bucket is as the role makes it).
  - C(amazon.aws.s3_bucket) and C(community.aws.s3_lifecycle) do not run in check mode; the role says what
    they would change from this.
options:
  _input:
    description: The bucket's facts.
    type: dict
    required: true
  noncurrent_days:
    description: storage_noncurrent_version_days.
    type: int
    required: true
  abort_days:
    description: storage_abort_incomplete_upload_days.
    type: int
    required: true
  rule_id:
    description: The ID of the role's lifecycle rule.
    type: str
    required: true
"""

PUBLIC_BLOCKS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def storage_drift(bucket, noncurrent_days, abort_days, rule_id):
    bucket = bucket or {}
    found = []
    if (bucket.get("bucket_versioning") or {}).get("Status") != "Enabled":
        found.append("turn versioning on")
    rules = (bucket.get("bucket_encryption") or {}).get("Rules") or [{}]
    if (rules[0].get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm") != "AES256":
        found.append("encrypt new files with SSE-S3 (AES256)")
    block = bucket.get("public_access_block") or {}
    block = block.get("PublicAccessBlockConfiguration", block)
    off = [name for name in PUBLIC_BLOCKS if not block.get(name)]
    if off:
        found.append(f"block public access ({', '.join(off)})")
    owner = ((bucket.get("bucket_ownership_controls") or {}).get("Rules") or [{}])[0].get("ObjectOwnership")
    if owner != "BucketOwnerEnforced":
        found.append("turn ACLs off (object ownership BucketOwnerEnforced)")
    lifecycle = [r for r in (bucket.get("bucket_lifecycle_configuration") or {}).get("Rules") or []
                 if r.get("ID") == rule_id]
    rule = lifecycle[0] if lifecycle else {}
    if (rule.get("Status") != "Enabled"
            or (rule.get("NoncurrentVersionExpiration") or {}).get("NoncurrentDays") != int(noncurrent_days)
            or (rule.get("AbortIncompleteMultipartUpload") or {}).get("DaysAfterInitiation") != int(abort_days)):
        found.append(f"expire old versions after {int(noncurrent_days)} days and incomplete uploads after "
                     f"{int(abort_days)} (lifecycle rule {rule_id})")
    return found


class FilterModule:
    def filters(self):
        return {"storage_drift": storage_drift}
