# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the ElastiCache modules share: reading a replication group by name, and its URL."""

from __future__ import annotations

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code


def describe_group(module, client, name):
    """The replication group as ElastiCache describes it, or None."""
    try:
        found = client.describe_replication_groups(ReplicationGroupId=name)["ReplicationGroups"]
    except is_boto3_error_code("ReplicationGroupNotFoundFault"):
        return None
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not read the replication group {name}")
    return found[0] if found else None


def endpoint_url(group):
    """The primary endpoint as a URL: rediss:// with transit encryption, else redis://; '' without one."""
    tls = bool((group or {}).get("TransitEncryptionEnabled"))
    for node_group in (group or {}).get("NodeGroups") or []:
        endpoint = node_group.get("PrimaryEndpoint") or {}
        if endpoint.get("Address"):
            return f"{'rediss' if tls else 'redis'}://{endpoint['Address']}:{endpoint.get('Port', 6379)}/0"
    return ""
