#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: lightsail_database
short_description: Create, update and delete an Amazon Lightsail managed database
version_added: 1.0.0
description:
  - Makes sure the Lightsail managed database O(name) exists with O(blueprint_id) and O(bundle_id),
    its master database and user, and that its public mode, automatic backups and windows are as asked.
  - The blueprint, bundle, master database name and master user name cannot change in place on
    Lightsail; a difference is refused with a message naming the option (make a snapshot and a new database).
  - The master password is set at creation; O(update_password=always) also sets it on an existing
    database when it differs from O(master_user_password).
  - O(state=absent) deletes the database after a final snapshot named O(final_snapshot_name),
    unless O(skip_final_snapshot).
  - With O(wait), waits at most O(wait_timeout) seconds for the database to be available (or gone).
options:
  name:
    description: The database's name (2 to 255 letters, digits and hyphens, starting with a letter).
    type: str
    required: true
  state:
    description: Whether the database should exist.
    type: str
    choices: [present, absent]
    default: present
  blueprint_id:
    description: The engine and version, for example V(postgres_16). Required to create.
    type: str
  bundle_id:
    description: The size, for example V(micro_2_0) (the cheapest). Required to create.
    type: str
  master_database_name:
    description: The database created with the instance (letters, digits, underscores). Required to create.
    type: str
  master_username:
    description: The master user's name (letters, digits, underscores). Required to create.
    type: str
  master_user_password:
    description:
      - The master user's password, 8 to 128 printable ASCII characters other than C(/), C(") and C(@).
      - Without it, Lightsail generates one at creation (read it with C(GetRelationalDatabaseMasterUserPassword)).
    type: str
  update_password:
    description: C(on_create) sets the password only when creating; C(always) also corrects it on an existing database.
    type: str
    choices: [on_create, always]
    default: on_create
  publicly_accessible:
    description: Whether the database answers from the internet (Lightsail has no address whitelist).
    type: bool
    default: false
  backup_retention:
    description: Automatic daily snapshots, kept seven days.
    type: bool
    default: true
  preferred_backup_window:
    description: The daily backup window, C(hh24:mi-hh24:mi) in UTC, 30 minutes or more; Lightsail's if omitted.
    type: str
  preferred_maintenance_window:
    description: The weekly maintenance window, C(ddd:hh24:mi-ddd:hh24:mi) in UTC. Lightsail chooses when omitted.
    type: str
  availability_zone:
    description: The zone to create it in (for example V(us-east-1a)); Lightsail chooses when omitted.
    type: str
  tags:
    description: Tags, set when the database is created (not changed afterwards here).
    type: dict
    default: {}
  skip_final_snapshot:
    description: Delete without a final snapshot (the data is then gone for good).
    type: bool
    default: false
  final_snapshot_name:
    description: The final snapshot's name on delete; default V(<name>-final-<UTC date and time>).
    type: str
  wait:
    description: Wait until the database is available (or, on delete, gone).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait at most, 1 to 7200.
    type: int
    default: 1800
attributes:
  check_mode:
    support: full
    details: Reports whether the database would be created, updated or deleted; changes nothing.
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
  - "IAM: C(lightsail:GetRelationalDatabase), C(CreateRelationalDatabase), C(UpdateRelationalDatabase),
    C(DeleteRelationalDatabase), C(GetRelationalDatabaseMasterUserPassword) (with O(update_password=always)),
    C(TagResource)."
"""

EXAMPLES = r"""
- name: The app's database on Lightsail, private, backed up
  precedentum.deploy.lightsail_database:
    name: precedentum-testing-db
    blueprint_id: postgres_16
    bundle_id: micro_2_0
    master_database_name: precedentum
    master_username: precedentum
    master_user_password: "{{ db_password }}"
  no_log: true
  register: db

- name: Delete it, keeping a final snapshot
  precedentum.deploy.lightsail_database:
    name: precedentum-testing-db
    state: absent
"""

RETURN = r"""
endpoint:
  description: The address and port to connect to (empty before it exists).
  returned: always
  type: dict
  sample: {"address": "ls-0123.abcdef.us-east-1.rds.amazonaws.com", "port": 5432}
  contains:
    address:
      description: The host name.
      type: str
      returned: when it exists
      sample: ls-abc123.czowadgeezqi.us-east-1.rds.amazonaws.com
    port:
      description: The port.
      type: int
      returned: when it exists
      sample: 5432
state:
  description:
    - Lightsail's state of the database (available, creating, modifying...), or V(absent).
    - With O(state=absent) in check mode, the state of the database that would be deleted.
  returned: always
  type: str
  sample: available
publicly_accessible:
  description: Whether the database answers from the internet.
  returned: always
  type: bool
  sample: false
would_change:
  description: In check mode, the settings a real run would change.
  returned: check mode, when something would change
  type: list
  elements: str
final_snapshot:
  description: The final snapshot's name, when this run deleted the database with one.
  returned: when deleted
  type: str
  sample: precedentum-lite-db-final-20261206
relational_database:
  description: The database as Lightsail returns it (snake_case).
  returned: when it exists
  type: dict
  contains:
    name:
      description: The database's name.
      type: str
      returned: when it exists
      sample: precedentum-lite-db
    relational_database_bundle_id:
      description: Its bundle.
      type: str
      returned: when it exists
      sample: micro_2_0
    state:
      description: Its state.
      type: str
      returned: when it exists
      sample: available
    publicly_accessible:
      description: Whether it takes connections from the internet.
      type: bool
      returned: when it exists
      sample: false
"""

import datetime
import re
import time

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,254}$")
IDENT_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,62}$")
BACKUP_RE = re.compile(r"^\d{2}:\d{2}-\d{2}:\d{2}$")
MAINTENANCE_RE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun):\d{2}:\d{2}-(mon|tue|wed|thu|fri|sat|sun):\d{2}:\d{2}$")
FIXED = (("blueprint_id", "relationalDatabaseBlueprintId"), ("bundle_id", "relationalDatabaseBundleId"),
         ("master_database_name", "masterDatabaseName"), ("master_username", "masterUsername"))
POLL = 10
OPTION_OF = {"publiclyAccessible": "publicly_accessible", "enableBackupRetention": "backup_retention",
             "disableBackupRetention": "backup_retention", "preferredBackupWindow": "preferred_backup_window",
             "preferredMaintenanceWindow": "preferred_maintenance_window", "masterUserPassword": "master_user_password"}


def problems_of(p):
    """Input errors, each naming the option at fault."""
    problems = []
    if not NAME_RE.match(p["name"] or ""):
        problems.append(f"name: {p['name']!r} must be 2 to 255 letters, digits and hyphens, starting with a letter")
    for option in ("master_database_name", "master_username"):
        if p[option] is not None and not IDENT_RE.match(p[option]):
            problems.append(f"{option}: letters, digits and underscores, starting with a letter (at most 63)")
    password = p["master_user_password"]
    if password is not None and (not 8 <= len(password) <= 128 or any(
            c in '/"@' or not 32 < ord(c) < 127 for c in password)):
        problems.append('master_user_password: 8 to 128 printable ASCII characters, none of /, " and @')
    if p["preferred_backup_window"] and not BACKUP_RE.match(p["preferred_backup_window"]):
        problems.append("preferred_backup_window: hh24:mi-hh24:mi (UTC)")
    if p["preferred_maintenance_window"] and not MAINTENANCE_RE.match(p["preferred_maintenance_window"]):
        problems.append("preferred_maintenance_window: ddd:hh24:mi-ddd:hh24:mi (UTC, ddd one of mon..sun)")
    if not 1 <= p["wait_timeout"] <= 7200:
        problems.append("wait_timeout: from 1 to 7200 seconds")
    if p["final_snapshot_name"] is not None and not NAME_RE.match(p["final_snapshot_name"]):
        problems.append("final_snapshot_name: letters, digits and hyphens, starting with a letter")
    return problems


class Databases:
    def __init__(self, module):
        self.module = module
        self.name = module.params["name"]
        self.client = module.client("lightsail")

    def fail(self, e, what):
        self.module.fail_json_aws(e, msg=f"Could not {what} the Lightsail database {self.name}")

    def get(self):
        try:
            return self.client.get_relational_database(relationalDatabaseName=self.name)["relationalDatabase"]
        except self.client.exceptions.NotFoundException:
            return None
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.fail(e, "read")

    def password(self):
        try:
            return self.client.get_relational_database_master_user_password(
                relationalDatabaseName=self.name, passwordVersion="CURRENT")["masterUserPassword"]
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.fail(e, "read the master password of")

    def call(self, what, method, **kwargs):
        try:
            return getattr(self.client, method)(relationalDatabaseName=self.name, **kwargs)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            self.fail(e, what)

    def wait(self, deadline, gone=False):
        """Until the database is available (or gone); fails when the time is up."""
        delay = 2
        while True:
            database = self.get()
            if (database is None) if gone else (database and database["state"] == "available"):
                return database
            if time.monotonic() >= deadline:
                state = database["state"] if database else "absent"
                self.module.fail_json(msg=f"The Lightsail database {self.name} is still {state} after "
                                          f"{self.module.params['wait_timeout']} s (wait_timeout)")
            time.sleep(delay)
            delay = min(delay * 2, POLL)


def result_of(database, changed, **extra):
    database = database or {}
    endpoint = database.get("masterEndpoint") or {}
    return dict(changed=changed, state=database.get("state", "absent"),
                publicly_accessible=bool(database.get("publiclyAccessible", False)),
                endpoint={"address": endpoint.get("address", ""), "port": endpoint.get("port", 0)},
                relational_database=camel_dict_to_snake_dict(database, ignore_list=["tags"]) if database else {},
                **extra)


def updates_for(p, database):
    """What UpdateRelationalDatabase must change (the API's keys)."""
    updates = {}
    if bool(database.get("publiclyAccessible")) != p["publicly_accessible"]:
        updates["publiclyAccessible"] = p["publicly_accessible"]
    if bool(database.get("backupRetentionEnabled")) != p["backup_retention"]:
        updates["enableBackupRetention" if p["backup_retention"] else "disableBackupRetention"] = True
    for option, key in (("preferred_backup_window", "preferredBackupWindow"),
                        ("preferred_maintenance_window", "preferredMaintenanceWindow")):
        if p[option] and database.get(key) != p[option]:
            updates[key] = p[option]
    return updates


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", choices=["present", "absent"], default="present"),
            blueprint_id=dict(type="str"),
            bundle_id=dict(type="str"),
            master_database_name=dict(type="str"),
            master_username=dict(type="str"),
            master_user_password=dict(type="str", no_log=True),
            update_password=dict(type="str", choices=["on_create", "always"], default="on_create", no_log=False),
            publicly_accessible=dict(type="bool", default=False),
            backup_retention=dict(type="bool", default=True),
            preferred_backup_window=dict(type="str"),
            preferred_maintenance_window=dict(type="str"),
            availability_zone=dict(type="str"),
            tags=dict(type="dict", default={}),
            skip_final_snapshot=dict(type="bool", default=False),
            final_snapshot_name=dict(type="str"),
            wait=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=1800),
        ),
        supports_check_mode=True,
    )
    p = module.params
    problems = problems_of(p)
    if problems:
        module.fail_json(msg="; ".join(problems))
    databases = Databases(module)
    deadline = time.monotonic() + p["wait_timeout"]
    database = databases.get()

    if p["state"] == "absent":
        if database is None:
            module.exit_json(**result_of(None, False))
        snapshot = None
        if not p["skip_final_snapshot"]:
            snapshot = p["final_snapshot_name"] or "{}-final-{}".format(
                p["name"], datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S"))
        if not module.check_mode:
            if database["state"] != "available" and p["wait"]:
                databases.wait(deadline)
            kwargs = {"skipFinalSnapshot": True} if snapshot is None else {
                "skipFinalSnapshot": False, "finalRelationalDatabaseSnapshotName": snapshot}
            databases.call("delete", "delete_relational_database", **kwargs)
            if p["wait"]:
                databases.wait(deadline, gone=True)
        # In check mode the result shows the database that would be deleted.
        module.exit_json(**result_of(database if module.check_mode else None, True, final_snapshot=snapshot or ""))

    if database is None:
        missing = [option for option, _unused in FIXED if not p[option]]
        if missing:
            module.fail_json(msg=f"{', '.join(missing)}: required to create the Lightsail database {p['name']}")
        if module.check_mode:
            module.exit_json(**result_of(None, True))
        request = dict(relationalDatabaseName=p["name"], relationalDatabaseBlueprintId=p["blueprint_id"],
                       relationalDatabaseBundleId=p["bundle_id"], masterDatabaseName=p["master_database_name"],
                       masterUsername=p["master_username"], publiclyAccessible=p["publicly_accessible"],
                       tags=[{"key": k, "value": str(v)} for k, v in p["tags"].items()])
        for option, key in (("master_user_password", "masterUserPassword"), ("availability_zone", "availabilityZone"),
                            ("preferred_backup_window", "preferredBackupWindow"),
                            ("preferred_maintenance_window", "preferredMaintenanceWindow")):
            if p[option]:
                request[key] = p[option]
        try:
            databases.client.create_relational_database(**request)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
            databases.fail(e, "create")
        database = databases.get()
        if p["wait"] or not p["backup_retention"]:
            database = databases.wait(deadline)
        if not p["backup_retention"]:
            databases.call("turn off the backups of", "update_relational_database", disableBackupRetention=True)
            database = databases.wait(deadline) if p["wait"] else databases.get()
        module.exit_json(**result_of(database, True))

    fixed = [f"{option} ({database.get(key)!r} now)" for option, key in FIXED
             if p[option] and p[option] != database.get(key)]
    if fixed:
        module.fail_json(msg=f"Lightsail cannot change {', '.join(fixed)} of {p['name']} in place: take a snapshot "
                             "and create a new database from it (or delete this one first)")
    updates = updates_for(p, database)
    if p["update_password"] == "always" and p["master_user_password"] and databases.password() != p[
            "master_user_password"]:
        updates["masterUserPassword"] = p["master_user_password"]
    if not updates:
        module.exit_json(**result_of(database, False))
    if module.check_mode:
        would = sorted({OPTION_OF[k] for k in updates})
        module.exit_json(**result_of(database, True, would_change=would))
    if p["wait"] and database["state"] != "available":
        databases.wait(deadline)
    databases.call("update", "update_relational_database", **updates)
    database = databases.wait(deadline) if p["wait"] else databases.get()
    module.exit_json(**result_of(database, True))


if __name__ == "__main__":
    main()
