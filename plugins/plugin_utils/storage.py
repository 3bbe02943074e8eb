# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What differs between a bucket's settings and the storage role's (pure logic, no AWS call)."""

from __future__ import annotations

import json

PUBLIC_BLOCKS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _policy_has(policy, sid):
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return False
    statements = (policy or {}).get("Statement") or []
    statements = [statements] if isinstance(statements, dict) else statements
    return any(s.get("Sid") == sid and s.get("Effect") == "Deny" for s in statements)


def storage_drift(bucket, noncurrent_days, abort_days, rule_id, tags=None, policy_sid=""):
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
    if policy_sid and not _policy_has(bucket.get("bucket_policy"), policy_sid):
        found.append(f"refuse requests not made over HTTPS (bucket policy statement {policy_sid})")
    have = bucket.get("bucket_tagging") or {}
    missing = sorted(k for k, v in (tags or {}).items() if have.get(k) != str(v))
    if missing:
        found.append(f"tag it ({', '.join(missing)})")
    return found
