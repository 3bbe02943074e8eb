#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: database_window
short_description: Open a private database to this machine for one write, and close it again
version_added: 1.0.0
description:
  - The one way the data load (phase 2.4, the monthly update) and the onboarding (weeks 3 and 4) reach a database
    that is not public, whatever holds it.
  - C(rds) (a DB instance in a VPC), O(state=open) adds one rule to the database's security group (PostgreSQL's port
    from O(cidr), marked with its description) unless a rule already lets that address in, and makes the instance
    publicly accessible; O(state=closed) removes the rules it added (and only those) and makes the instance as public
    as O(public_when_closed) says.
  - C(lightsail) (a Lightsail managed database, which has no address list) turns its public mode on and off; while
    open, it answers anyone who has the password.
  - Waits until the database is available with the setting applied; check mode says what it would do.
options:
  engine:
    description: What holds the database.
    type: str
    choices: [rds, lightsail]
    required: true
  name:
    description: The DB instance's identifier, or the Lightsail database's name.
    type: str
    required: true
  state:
    description: C(open) for the write, C(closed) after it (run it in an C(always) section).
    type: str
    choices: [open, closed]
    required: true
  cidr:
    description: This machine's address as a CIDR (C(203.0.113.7/32)); required to open an C(rds) window.
    type: str
    default: ""
  security_group_id:
    description: The group the rule goes into (C(rds)); empty for the instance's first security group.
    type: str
    default: ""
  public_when_closed:
    description: Whether the instance stays publicly accessible once closed (C(rds); the inventory's setting).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for the database to apply the change.
    type: int
    default: 1800
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
extends_documentation_fragment:
  - precedentum.deploy.attributes
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
notes:
  - "IAM (rds): C(rds:DescribeDBInstances), C(rds:ModifyDBInstance), C(ec2:DescribeSecurityGroups),
    C(ec2:AuthorizeSecurityGroupIngress), C(ec2:RevokeSecurityGroupIngress). (lightsail):
    C(lightsail:GetRelationalDatabase), C(lightsail:UpdateRelationalDatabase)."
"""

EXAMPLES = r"""
- name: Load the data through the window
  block:
    - name: Open the window
      precedentum.deploy.database_window:
        engine: rds
        name: precedentum-testing-db
        cidr: 203.0.113.7/32
        state: open
    # ... the write ...
  always:
    - name: Close it
      precedentum.deploy.database_window:
        engine: rds
        name: precedentum-testing-db
        state: closed
"""

RETURN = r"""
actions:
  description: What was done (or would be, in check mode), in words.
  returned: always
  type: list
  elements: str
  sample: ["allow 203.0.113.7/32 on port 5432 in sg-0123", "make precedentum-testing-db publicly accessible"]
publicly_accessible:
  description: Whether the database is publicly accessible now (as it would be, in check mode).
  returned: always
  type: bool
  sample: true
"""

import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.aws_calls import aws_call

# The description that marks the rules this module adds (and so the only ones it removes).
MARK = "precedentum.deploy window"
POLL = 15


class Window:
    def __init__(self, module):
        self.module, self.p = module, module.params
        self.actions = []

    def call(self, service, operation, what, **kwargs):
        return aws_call(self.module, self.module.client(service), operation, what, **kwargs)

    def wait(self, read, done, what):
        deadline, delay = time.monotonic() + self.p["wait_timeout"], 2
        while True:
            current = read()
            if done(current):
                return current
            if time.monotonic() >= deadline:
                self.module.fail_json(msg=f"{self.p['name']} did not {what} within {self.p['wait_timeout']} s "
                                          f"(wait_timeout); it is {current.get('state', 'unknown')}")
            time.sleep(delay)
            delay = min(delay * 2, POLL)

    # --- rds
    def instance(self):
        try:
            (db,) = self.module.client("rds").describe_db_instances(DBInstanceIdentifier=self.p["name"])["DBInstances"]
        except is_boto3_error_code("DBInstanceNotFound"):
            self.module.fail_json(msg=f"The DB instance {self.p['name']} does not exist: run week1.yml (or --tags rds)")
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not read the DB instance {self.p['name']}")
        return {"state": db["DBInstanceStatus"], "public": bool(db.get("PubliclyAccessible")),
                "port": (db.get("Endpoint") or {}).get("Port") or db.get("DbInstancePort") or 5432,
                "groups": [g["VpcSecurityGroupId"] for g in db.get("VpcSecurityGroups", [])],
                "pending_public": (db.get("PendingModifiedValues") or {}).get("PubliclyAccessible")}

    def rds(self):
        db = self.instance()
        group_id = self.p["security_group_id"] or (db["groups"] or [""])[0]
        if not group_id:
            self.module.fail_json(msg=f"The DB instance {self.p['name']} has no security group to open")
        (group,) = self.call("ec2", "describe_security_groups", f"read the security group {group_id}",
                             GroupIds=[group_id])["SecurityGroups"]
        port, opening = db["port"], self.p["state"] == "open"
        rules = [r for r in group.get("IpPermissions", []) if r.get("IpProtocol") == "tcp"
                 and r.get("FromPort", 0) <= port <= r.get("ToPort", 0)]
        if opening:
            if not self.p["cidr"]:
                self.module.fail_json(msg="cidr: required to open an rds window (this machine's address, a.b.c.d/32)")
            if not any(ip.get("CidrIp") == self.p["cidr"] for r in rules for ip in r.get("IpRanges", [])):
                self.actions.append(f"allow {self.p['cidr']} on port {port} in {group_id}")
                if not self.module.check_mode:
                    self.call("ec2", "authorize_security_group_ingress", f"open {group_id} to {self.p['cidr']}",
                              GroupId=group_id, IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                                                                "IpRanges": [{"CidrIp": self.p["cidr"],
                                                                              "Description": MARK}]}])
        else:
            marked = [ip["CidrIp"] for r in rules for ip in r.get("IpRanges", []) if ip.get("Description") == MARK]
            for cidr in marked:
                self.actions.append(f"remove {cidr} on port {port} from {group_id}")
                if not self.module.check_mode:
                    self.call("ec2", "revoke_security_group_ingress", f"close {group_id} to {cidr}",
                              GroupId=group_id, IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                                                                "IpRanges": [{"CidrIp": cidr}]}])
        public = True if opening else self.p["public_when_closed"]
        if db["public"] != public:
            self.actions.append(f"make {self.p['name']} {'publicly accessible' if public else 'private'}")
            if not self.module.check_mode:
                self.call("rds", "modify_db_instance", f"modify {self.p['name']}", DBInstanceIdentifier=self.p["name"],
                          PubliclyAccessible=public, ApplyImmediately=True)
                self.wait(self.instance, lambda d: d["state"] == "available" and d["public"] == public
                          and d["pending_public"] is None, "apply the change")
        return public

    # --- lightsail
    def database(self):
        try:
            db = self.module.client("lightsail").get_relational_database(
                relationalDatabaseName=self.p["name"])["relationalDatabase"]
        except is_boto3_error_code("NotFoundException"):
            self.module.fail_json(msg=f"The Lightsail database {self.p['name']} does not exist: run week2.yml")
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not read the Lightsail database {self.p['name']}")
        return {"state": db.get("state", ""), "public": bool(db.get("publiclyAccessible"))}

    def lightsail(self):
        public = self.p["state"] == "open"
        if self.database()["public"] != public:
            self.actions.append(f"turn {self.p['name']}'s public mode {'on' if public else 'off'}")
            if not self.module.check_mode:
                self.call("lightsail", "update_relational_database", f"update {self.p['name']}",
                          relationalDatabaseName=self.p["name"], publiclyAccessible=public)
                self.wait(self.database, lambda d: d["state"] == "available" and d["public"] == public,
                          "apply the change")
        return public


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            engine=dict(type="str", choices=["rds", "lightsail"], required=True),
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["open", "closed"], required=True),
            cidr=dict(type="str", default=""),
            security_group_id=dict(type="str", default=""),
            public_when_closed=dict(type="bool", default=False),
            wait_timeout=dict(type="int", default=1800),
        ),
        supports_check_mode=True,
    )
    if module.params["wait_timeout"] < 1:
        module.fail_json(msg="wait_timeout: a number of seconds, at least 1")
    window = Window(module)
    public = getattr(window, module.params["engine"])()
    module.exit_json(changed=bool(window.actions), actions=window.actions, publicly_accessible=public)


if __name__ == "__main__":
    main()
