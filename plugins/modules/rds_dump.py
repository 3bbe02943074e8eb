#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rds_dump
short_description: A pg_dump of the app's database to a file on this machine (mode 0600), with its size and checksum
version_added: 1.0.0
description:
  - Runs C(pg_dump -Fc) (the custom format C(pg_restore) and M(precedentum.deploy.rds_data_load) read) of the
    database the target names - the rds role's Secrets Manager secret, or a connection string - into O(dest),
    written first to a temporary file of mode 0600 beside it and renamed once complete, so that a failed dump
    leaves no partial file.
  - A O(dest) that exists already is kept as it is (its size and checksum returned) unless O(force).
  - The password goes to C(pg_dump) through a temporary C(.pgpass) file, never on a command line or in the
    environment.
options:
  dest:
    description: The dump file to write (its directory must exist).
    type: path
    required: true
  force:
    description: Dump again over an existing O(dest).
    type: bool
    default: false
  pg_bin_dir:
    description: Directory of C(pg_dump) (default, the one on C(PATH)); its major version must be at least the
      server's.
    type: path
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
extends_documentation_fragment:
  - precedentum.deploy.attributes
  - precedentum.deploy.pg_target
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
author:
  - Precedentum founding team (@precedentum)
notes:
  - "Needs C(psycopg2) and C(pg_dump) on the host that runs the module. IAM: C(secretsmanager:GetSecretValue) on
    O(target_secret)."
"""

EXAMPLES = r"""
- name: Dump the database to the laptop
  precedentum.deploy.rds_dump:
    target_secret: precedentum-testing/rds/master
    dest: ~/precedentum-backups/precedentum-testing-2026-12-07.dump
  register: dump
"""

RETURN = r"""
path:
  description: The dump file.
  returned: always
  type: str
  sample: /home/team/precedentum-backups/precedentum-testing-2026-12-07.dump
size:
  description: Its size in bytes (0 in check mode when it does not exist yet).
  returned: always
  type: int
  sample: 48213
sha256:
  description: Its SHA-256 checksum (empty in check mode when it does not exist yet).
  returned: always
  type: str
  sample: 3f2a9c1b0d4e4f5a8b6c7d8e9f0a1b2c3f2a9c1b0d4e4f5a8b6c7d8e9f0a1b2c
"""

import os
import subprocess
import tempfile

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils.pgload import Passfile, file_sha256, pg_tool
from ansible_collections.precedentum.deploy.plugins.module_utils.pgtarget import (
    HAS_PSYCOPG2,
    TARGET_EXCLUSIVE,
    TARGET_OPTIONS,
    target_dsn,
)


def described(path, changed):
    return {"changed": changed, "path": path, "size": os.path.getsize(path), "sha256": file_sha256(path)}


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(**TARGET_OPTIONS, dest=dict(type="path", required=True),
                           force=dict(type="bool", default=False), pg_bin_dir=dict(type="path")),
        mutually_exclusive=TARGET_EXCLUSIVE,
        required_one_of=[("target", "target_secret")],
        supports_check_mode=True,
    )
    p = module.params
    dest = os.path.abspath(p["dest"])
    folder = os.path.dirname(dest)
    if not os.path.isdir(folder):
        if module.check_mode:
            module.exit_json(changed=True, path=dest, size=0, sha256="")
        module.fail_json(msg=f"dest: the folder {folder} does not exist; make it first (mode 0700)")
    if os.path.exists(dest) and not p["force"]:
        module.exit_json(**described(dest, False))
    if module.check_mode:
        module.exit_json(changed=True, path=dest, size=0, sha256="")
    if not HAS_PSYCOPG2:
        module.fail_json(msg="rds_dump needs psycopg2 on the host that runs it")
    dsn, password = target_dsn(module)
    pg_dump = pg_tool(module, "pg_dump")
    fd, partial = tempfile.mkstemp(prefix=".precedentum-dump-", dir=folder)
    os.close(fd)
    os.chmod(partial, 0o600)
    try:
        # Not run_command: its environ_update cannot remove PGPASSWORD, which would win over the .pgpass file.
        with Passfile(password) as passfile:
            # pylint: disable-next=ansible-bad-function
            run = subprocess.run([pg_dump, "-Fc", "--no-owner", "--no-privileges", "-f", partial, "-d", dsn],
                                 env=passfile.env(), capture_output=True, text=True, check=False)
        if run.returncode != 0:
            module.fail_json(msg=f"pg_dump failed (rc {run.returncode}), no file was written: "
                                 f"{run.stderr.strip()[-1500:]}")
        os.chmod(partial, 0o600)
        os.replace(partial, dest)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    module.exit_json(**described(dest, True))


if __name__ == "__main__":
    main()
