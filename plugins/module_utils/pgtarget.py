# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the modules that write to the app's database reach it: a libpq connection string, or the rds
role's Secrets Manager secret, with host/port overrides (a tunnel, or a local server in tests)."""

from __future__ import annotations

import json

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

try:
    import psycopg2
    import psycopg2.extensions

    HAS_PSYCOPG2 = True
except ImportError:
    HAS_PSYCOPG2 = False

from ansible_collections.precedentum.deploy.plugins.module_utils.pgload import split_password

# The options every such module takes (besides its own).
TARGET_OPTIONS = dict(
    target=dict(type="str"),
    target_password=dict(type="str", no_log=True),
    target_secret=dict(type="str", no_log=False),  # the secret's name or ARN, not its value
    host_override=dict(type="str"),
    port_override=dict(type="int"),
)
TARGET_EXCLUSIVE = [("target", "target_secret"), ("target_password", "target_secret")]


def connect(module, dsn, password, role):
    try:
        return psycopg2.connect(dsn, password=password or None, connect_timeout=15)
    except psycopg2.OperationalError as e:
        text = str(e).strip()
        hint = ""
        if "password authentication failed" in text:
            hint = f" Check {role}_password."
        elif role == "target" and ("timeout" in text or "could not connect" in text or "Connection refused" in text):
            hint = (" Is the database reachable from here? An RDS instance answers from outside its VPC only"
                    " while publicly accessible and when the db security group allows this address"
                    " (rds_public_window, network_db_allowed_cidrs).")
        module.fail_json(msg=f"Cannot connect to the {role} database: {text}.{hint}")


def parse(module, option, conninfo):
    """(libpq params without the password, the password it held) of a connection string."""
    try:
        params, embedded = split_password(psycopg2.extensions.parse_dsn(conninfo))
    except psycopg2.ProgrammingError as e:
        module.fail_json(msg=f"{option}: not a libpq connection string or URI ({e})")
    if embedded:
        module.no_log_values.add(embedded)
    return params, embedded


def target_from_secret(module):
    client = module.client("secretsmanager")
    try:
        value = client.get_secret_value(SecretId=module.params["target_secret"])["SecretString"]
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as e:
        module.fail_json_aws(e, msg=f"Could not read the secret {module.params['target_secret']}")
    secret = json.loads(value)
    module.no_log_values.add(secret.get("password", ""))
    params = {
        "host": module.params["host_override"] or secret.get("host"),
        "port": str(module.params["port_override"] or secret.get("port") or 5432),
        "user": secret.get("username"),
        "dbname": secret.get("dbname") or "postgres",
    }
    if not params["host"]:
        module.fail_json(msg=f"The secret {module.params['target_secret']} has no host yet (is the instance up?)")
    return psycopg2.extensions.make_dsn(**params), secret.get("password")


def target_dsn(module):
    """(dsn, password) of the target, from target_secret or target, overrides applied."""
    p = module.params
    if p["target_secret"]:
        return target_from_secret(module)
    params, embedded = parse(module, "target", p["target"])
    if p["host_override"]:
        params["host"] = p["host_override"]
    if p["port_override"]:
        params["port"] = str(p["port_override"])
    return psycopg2.extensions.make_dsn(**params), p["target_password"] or embedded
