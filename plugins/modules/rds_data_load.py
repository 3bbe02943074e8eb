#!/usr/bin/python
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: rds_data_load
short_description: Copy a PostgreSQL database into RDS in one verified transaction, only when it differs
version_added: 1.0.0
description:
  - Copies the source's tables into the target in a single transaction that ends with the checks of
    O(verify_rows) and the source's row counts, so a load that fails (an error, a killed source or target, a
    check that does not hold) leaves the target exactly as it was.
  - Leaves Django's own tables (O(exclude_tables), by default C(auth_*) and C(django_*) - the accounts, sessions,
    permissions, content types, the admin's log and the migration history) as the target has them, so that
    the superuser made by the app's deployment and the testers keep their accounts through every load.
  - A Django source (one with C(django_migrations)) is loaded only into a target its own migrations made, at the
    same migration state (both C(django_migrations) compared; the first difference is named). Tables the target
    has keep their structure and get the source's rows; references into tables left alone (a note's author in
    C(auth_user)) are checked against the target before anything changes.
  - Tables the target lacks are made from the source's definitions (C(pg_dump) of those tables), with the
    extensions, enum and domain types and functions they use; what the target cannot provide is listed before
    anything changes.
  - The app keeps reading while the rows are copied. The rows of tables the target has go into temporary tables
    first; the target's tables are locked only for the final swap (C(TRUNCATE), C(INSERT) from the temporary
    tables, sequences, checks, commit), whose length is returned in RV(lock_seconds).
  - All reads of the source share one snapshot (a consistent copy while the laptop's app writes).
  - Does nothing (C(changed=false)) when the target already holds the source's data, compared by
    a fingerprint of every loaded table's columns and contents.
  - Refuses to replace tables of the target that hold rows, unless O(overwrite=true).
  - Passwords go to libpq through a temporary passfile (mode 0600), never on a command line and
    never in the results.
options:
  source:
    description:
      - libpq connection string or URI of the source database (for example the laptop's
        C(host=localhost dbname=precedentum_poc user=postgres)). A password in it is moved to the passfile.
      - One of O(source) and O(source_dump) is required.
    type: str
  source_dump:
    description:
      - A dump made earlier, custom format (C(pg_dump -Fc), restored through C(pg_restore --clean))
        or plain SQL (made with C(--clean --if-exists) to replace existing tables).
      - Without a live source there are no source row counts to compare; O(verify_rows) still holds.
        A dump is not loaded again while the target is unchanged since it was loaded (a note on
        the target database records the dump's sha256 and the target's fingerprint).
    type: path
  source_password:
    description: Password of the source.
    type: str
  schemas:
    description:
      - Schemas whose tables (with their sequences and indexes) are copied. The schemas must exist
        on the target (C(public) always does).
    type: list
    elements: str
    default: [public]
  overwrite:
    description: Replace tables of the target that already hold different rows.
    type: bool
    default: false
  verify_rows:
    description:
      - Tables and the exact row count each must hold, checked inside the load's transaction before
        it commits, for example C(judges_judge) and V(8). A name without a schema is in the first of O(schemas).
    type: dict
    default: {}
  include_tables:
    description:
      - Only the source's tables matching one of these shell-style patterns are loaded (C(judges_*), or with the
        schema, C(public.judges_*)); empty loads every table of O(schemas) but the excluded ones.
    type: list
    elements: str
    default: []
  exclude_tables:
    description:
      - Tables the load leaves as the target has them (patterns as in O(include_tables)). The default is
        Django's own tables. Add other credential tables your app has (C(authtoken_token),
        C(account_emailaddress)); V([]) copies everything, the accounts included.
      - A dump file (O(source_dump)) is loaded whole, so one that holds an excluded table is refused.
    type: list
    elements: str
    default: [auth_*, django_*]
  pg_bin_dir:
    description: Directory of C(pg_dump), C(pg_restore) and C(psql) (default, the ones on C(PATH)).
    type: path
attributes:
  check_mode:
    support: full
    details: Reports the tables and row counts that would be loaded; writes nothing.
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
  - Needs C(psycopg2) on the host that runs the module, and C(pg_dump) and C(psql) of a major
    version not older than the source server's.
  - Creating an extension needs the right to (on RDS the master user may create the extensions RDS supports).
"""

EXAMPLES = r"""
- name: Load the laptop's database into RDS and check the 8 judges
  precedentum.deploy.rds_data_load:
    source: "host=localhost dbname=precedentum_poc user=postgres"
    source_password: "{{ laptop_db_password }}"
    target_secret: precedentum-testing/rds/master
    verify_rows:
      judges_judge: 8
"""

RETURN = r"""
tables:
  description: Per table, the source's and the target's row counts (target after the load).
  returned: always
  type: dict
  sample: {public.judges_judge: {source_rows: 8, target_rows: 8}}
bytes:
  description: Bytes streamed from pg_dump to psql.
  returned: always
  type: int
  sample: 47185920
seconds:
  description: Duration of the load (0 when nothing was loaded).
  returned: always
  type: float
  sample: 3.4
lock_seconds:
  description:
    - How long the target's existing tables were locked (from the swap's LOCK to the commit); the app's requests
      on them waited at most this long. 0 when every table was made anew.
  returned: always
  type: float
  sample: 0.08
excluded:
  description: The source's tables the load left alone (O(exclude_tables), or not in O(include_tables)).
  returned: always
  type: list
  elements: str
  sample: [public.auth_user, public.django_migrations, public.django_session]
fingerprint:
  description:
    - sha256 of the loaded tables (columns, row counts, contents) where the target had some of them (the
      contents were compared), or of the dump file; null for a load into tables all made anew.
  returned: always
  type: str
  sample: 9b0c5f0e2a7d41c3
"""

import os
import re
import subprocess
import tempfile
import threading
import time

try:
    import psycopg2
    import psycopg2.extensions

    HAS_PSYCOPG2 = True
except ImportError:
    HAS_PSYCOPG2 = False


from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.precedentum.deploy.plugins.module_utils import pgtarget
from ansible_collections.precedentum.deploy.plugins.module_utils.pgload import (
    COLUMNS_SQL,
    COPY_COLUMNS_SQL,
    DJANGO_FRAMEWORK_TABLES,
    EXTENSIONS_USED_SQL,
    FOREIGN_KEYS_SQL,
    FUNCTIONS_USED_SQL,
    SEQUENCES_SQL,
    TABLES_SQL,
    TYPES_USED_SQL,
    Passfile,
    chosen_tables,
    column_difference,
    dump_pattern,
    file_sha256,
    fingerprint,
    fk_order,
    major_version,
    migration_difference,
    pg_tool,
    pump,
    qualified,
    quote_ident,
    quote_literal,
    session_settings_sql,
    table_digest_sql,
    type_ddl,
    verify_failure,
    verify_sql,
    without_meta_commands,
    without_row_text,
)
from ansible_collections.precedentum.deploy.plugins.module_utils.pgtarget import connect, parse


class LoadError(Exception):
    pass


def describe(conn, schemas, with_digest, only=None, keep_open=False):
    """{schema.table: {columns, rows, digest, key}} of a database; the digest only of the tables in ``only``
    (all when None). keep_open leaves the transaction (a snapshot) open."""
    tables = {}
    with conn.cursor() as cur:
        # The rows' text (and so the digest) as UTC and ISO, whatever the server's or the laptop's defaults;
        # SET is undone with the rollback below, which leaves the connection as it was.
        cur.execute(session_settings_sql())
        cur.execute(TABLES_SQL, (list(schemas),))
        for schema, table in cur.fetchall():
            name = f"{schema}.{table}"
            cur.execute(COLUMNS_SQL, (qualified(schema, table),))
            columns = ",".join(f"{c}:{t}" for c, t in cur.fetchall())
            if with_digest and (only is None or name in only):
                cur.execute(table_digest_sql(schema, table))
                rows, digest = cur.fetchone()
            else:
                cur.execute(f"SELECT count(*) FROM {qualified(schema, table)}")
                rows, digest = cur.fetchone()[0], ""
            tables[name] = {"columns": columns, "rows": int(rows), "digest": digest, "key": (schema, table)}
    if not keep_open:
        conn.rollback()
    return tables


class SourceDigest:
    """The digest of the source's tables to load, computed in a thread on a connection of its own, in the
    load's snapshot."""

    def __init__(self, module, dsn, password, schemas, only, snapshot_id):
        self.module, self.value, self.tables, self.error = module, None, {}, None
        self.thread = threading.Thread(target=self._run, args=(dsn, password, schemas, only, snapshot_id), daemon=True)
        self.thread.start()

    def _run(self, dsn, password, schemas, only, snapshot_id):
        try:
            conn = psycopg2.connect(dsn, password=password or None, connect_timeout=15)
            try:
                conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
                with conn.cursor() as cur:
                    cur.execute("SET TRANSACTION SNAPSHOT %s", (snapshot_id,))
                tables = describe(conn, schemas, with_digest=True, only=only)
                self.tables = {n: t for n, t in tables.items() if n in only}
                self.value = fingerprint(self.tables)
            finally:
                conn.close()
        except Exception as e:  # reported by fingerprint()
            self.error = e

    def fingerprint(self):
        self.thread.join()
        if self.error is not None:
            self.module.fail_json(msg=f"Could not read the source's contents: {self.error}")
        return self.value


def dump_format(path):
    """'custom' for a pg_dump -Fc archive, 'plain' for SQL."""
    with open(path, "rb") as handle:
        return "custom" if handle.read(5) == b"PGDMP" else "plain"


def producer(module):
    """The process (or file) that writes a dump's SQL: pg_restore of a custom archive, or the plain file itself."""
    p = module.params
    if dump_format(p["source_dump"]) == "plain":
        return None, open(p["source_dump"], "rb")
    return [pg_tool(module, "pg_restore"), "--no-owner", "--no-privileges", "--clean", "--if-exists", "-f", "-",
            p["source_dump"]], None


def run_dump_load(module, target_dsn, target_password, expected):
    """A dump file | psql in one transaction; returns bytes moved. Raises LoadError with the reason."""
    load_cmd = [pg_tool(module, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", f"--dbname={target_dsn}", "-f", "-"]
    with Passfile(target_password) as target_pass, \
            tempfile.TemporaryFile() as dump_err, tempfile.TemporaryFile() as load_err:
        dump_cmd, dump_file = producer(module)
        dump = None
        if dump_cmd:
            # Popen, not run_command: this process's output is streamed into psql through a pipe.
            # pylint: disable-next=ansible-bad-function
            dump = subprocess.Popen(dump_cmd, stdout=subprocess.PIPE, stderr=dump_err)
        stream = dump.stdout if dump else dump_file
        # Popen, not run_command: psql is fed through a pipe while the source is still being read.
        # pylint: disable-next=ansible-bad-function
        load = subprocess.Popen(load_cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=load_err,
                                env=target_pass.env())
        moved, broken, dump_rc = 0, False, 0
        try:
            load.stdin.write(b"BEGIN;\n")
            moved = pump(stream, load.stdin)
            dump_rc = dump.wait() if dump else 0
            if dump_rc == 0:
                # Only a complete dump is followed by the checks and COMMIT; otherwise psql reaches
                # the end of its input inside the transaction, and PostgreSQL rolls it back.
                load.stdin.write(verify_sql(expected).encode() + b"COMMIT;\n")
        except BrokenPipeError:
            broken = True
        finally:
            try:
                load.stdin.close()
            except BrokenPipeError:
                broken = True
            if dump:
                if dump.poll() is None:
                    dump.kill()
                dump_rc = dump.wait()
            else:
                dump_file.close()
            load_rc = load.wait()
        dump_err.seek(0)
        load_err.seek(0)
        dump_text = without_row_text(dump_err.read().decode(errors="replace").strip())
        load_text = without_row_text(load_err.read().decode(errors="replace").strip())
    if load_rc != 0 or broken:
        failure = verify_failure(load_text)
        if failure:
            table, found, wanted = failure
            raise LoadError(f"verification failed: {table} would hold {found} rows, expected {wanted}; "
                            "the load was rolled back and the target is as it was")
        raise LoadError(f"psql failed on the target (rc {load_rc}), the load was rolled back: {load_text[-800:]}")
    if dump_rc != 0:
        raise LoadError(f"pg_restore failed on the dump (rc {dump_rc}), the load was rolled back: {dump_text[-800:]}")
    return moved


class Snapshot:
    """The source read at one instant: a read-only repeatable-read transaction whose snapshot the copies, the
    schema dumps and the digest share, open until the load ends."""

    def __init__(self, module, dsn, password):
        self.conn = connect(module, dsn, password, "source")
        self.conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with self.conn.cursor() as cur:
            cur.execute(session_settings_sql())
            cur.execute("SELECT pg_export_snapshot()")
            self.id = cur.fetchone()[0]

    def query(self, sql, args=None):
        with self.conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall()

    def close(self):
        self.conn.close()


def rels(names, tables):
    return {"rels": [qualified(*tables[n]["key"]) for n in names]}


def migrations(conn, schema):
    """{(app, name)} of django_migrations in ``schema``; None when the table is not there."""
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", (qualified(schema, "django_migrations"),))
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"SELECT app, name FROM {qualified(schema, 'django_migrations')}")
        return set(cur.fetchall())


def foreign_keys(conn, names, tables):
    with conn.cursor() as cur:
        cur.execute(FOREIGN_KEYS_SQL, rels(names, tables))
        return [dict(name=r[0], table=f"{r[1]}.{r[2]}", key=(r[1], r[2]), ref=f"{r[3]}.{r[4]}", ref_key=(r[3], r[4]),
                     columns=list(r[5]), ref_columns=list(r[6])) for r in cur.fetchall()]


def missing_references(snapshot, target, fk):
    """How many distinct keys of ``fk`` (into a table the load leaves alone) the target's table lacks, and one."""
    cols = ", ".join(quote_ident(c) for c in fk["columns"])
    rows = snapshot.query(f"SELECT DISTINCT {cols} FROM {qualified(*fk['key'])} "
                          f"WHERE {' AND '.join(quote_ident(c) + ' IS NOT NULL' for c in fk['columns'])}")
    if not rows:
        return 0, None
    ref_cols = ", ".join(quote_ident(c) for c in fk["ref_columns"])
    with target.cursor() as cur:
        cur.execute(f"SELECT k FROM unnest(%s::text[]) k WHERE k NOT IN (SELECT ({ref_cols})::text "
                    f"FROM {qualified(*fk['ref_key'])})" if len(fk["columns"]) == 1 else
                    f"SELECT k FROM unnest(%s::text[]) k WHERE k NOT IN (SELECT ROW({ref_cols})::text "
                    f"FROM {qualified(*fk['ref_key'])})",
                    ([str(r[0]) if len(r) == 1 else "(" + ",".join(str(v) for v in r) + ")" for r in rows],))
        lacking = [r[0] for r in cur.fetchall()]
    target.rollback()
    return len(lacking), (lacking[0] if lacking else None)


def dump_schema(module, snapshot, source_dsn, source_password, section, patterns):
    """pg_dump's DDL of one section (pre-data: tables and sequences; post-data: indexes, constraints,
    triggers) for exactly these relations, read in the load's snapshot."""
    cmd = [pg_tool(module, "pg_dump"), f"--section={section}", "--no-owner", "--no-privileges", "--no-publications",
           "--no-subscriptions", "--no-security-labels", "--no-tablespaces", f"--snapshot={snapshot.id}",
           *[f"--table={p}" for p in patterns], f"--dbname={source_dsn}"]
    with Passfile(source_password) as passfile:
        # Not run_command: its environ_update cannot remove PGPASSWORD, which must not reach pg_dump.
        # pylint: disable-next=ansible-bad-function
        run = subprocess.run(cmd, capture_output=True, env=passfile.env(), check=False)
    if run.returncode != 0:
        raise LoadError(f"pg_dump failed on the source (rc {run.returncode}), nothing was changed: "
                        f"{without_row_text(run.stderr.decode(errors='replace').strip())[-800:]}")
    return without_meta_commands(run.stdout.decode())


def source_copy(module, snapshot, source_dsn, passfile, key, columns, err):
    """psql writing one table's rows (COPY TO STDOUT, text format) off the source, in the load's snapshot."""
    select = f"COPY {qualified(*key)} ({', '.join(quote_ident(c) for c in columns)}) TO STDOUT"
    cmd = [pg_tool(module, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", f"--dbname={source_dsn}",
           "-c", "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
           "-c", f"SET TRANSACTION SNAPSHOT {quote_literal(snapshot.id)}",
           "-c", session_settings_sql(), "-c", select]
    # Popen, not run_command: this process's output is streamed into psql through a pipe.
    # pylint: disable-next=ansible-bad-function
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, env=passfile.env())


LOCK_MARK = "precedentum-lock-seconds="
COMMITTED = "precedentum-load-committed"  # printed only once COMMIT succeeded: psql's exit code alone is not proof


def run_copy_load(module, plan, source_dsn, source_password, target_dsn, target_password):
    """The load in one transaction, on one psql session on the target fed through a pipe: each table's rows go
    from the source's psql into the target's inside the kernel (os.splice), as in a raw pg_dump | psql.

    Tables the target lacks are made from the source's DDL and filled directly (no one sees them before the
    commit); tables it has are filled into temporary tables first, and only the final step (TRUNCATE, INSERT
    from the temporary tables, sequences, checks, COMMIT) locks them. A failure anywhere, a killed source or
    target, leaves the transaction uncommitted: PostgreSQL rolls it back. Returns (bytes moved, seconds the
    existing tables were locked)."""
    snapshot = plan["snapshot"]
    existing = [n for n in plan["order"] if n not in plan["created"]]
    load_cmd = [pg_tool(module, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", f"--dbname={target_dsn}",
                "-f", "-"]
    moved, broken, failed_source = 0, False, None
    with Passfile(source_password) as source_pass, Passfile(target_password) as target_pass, \
            tempfile.TemporaryFile() as load_out, tempfile.TemporaryFile() as load_err, \
            tempfile.TemporaryFile() as copy_err:
        # Popen, not run_command: psql is fed through a pipe while the source is still being read.
        # pylint: disable-next=ansible-bad-function
        load = subprocess.Popen(load_cmd, stdin=subprocess.PIPE, stdout=load_out, stderr=load_err,
                                env=target_pass.env())

        def send(sql):
            load.stdin.write(sql.encode() + b"\n")

        copy = None
        try:
            send("BEGIN;\nSET application_name = 'precedentum.deploy rds_data_load';\n" + session_settings_sql()
                 + "SET check_function_bodies = false;")
            for name, schema in plan["extensions"]:
                send(f"CREATE EXTENSION IF NOT EXISTS {quote_ident(name)} WITH SCHEMA {quote_ident(schema)};")
            for ddl in plan["types"] + plan["functions"]:
                send(ddl.rstrip().rstrip(";") + ";")
            send(plan["pre_data"])
            for i, name in enumerate(plan["order"]):
                key, columns = plan["tables"][name]["key"], plan["columns"][name]
                dest = qualified(*key)
                if name not in plan["created"]:
                    dest = quote_ident(f"precedentum_load_{i}")
                    send(f"CREATE TEMPORARY TABLE {dest} (LIKE {qualified(*key)}) ON COMMIT DROP;")
                send(f"COPY {dest} ({', '.join(quote_ident(c) for c in columns)}) FROM STDIN;")
                copy = source_copy(module, snapshot, source_dsn, source_pass, key, columns, copy_err)
                load.stdin.flush()
                moved += pump(copy.stdout, load.stdin)
                if copy.wait() != 0:
                    # The rows stop short: no end-of-data mark, no COMMIT; psql ends inside the transaction.
                    failed_source = copy.returncode
                    break
                copy.stdout.close()
                copy = None
                send("\\.")
            if failed_source is None:
                send(plan["post_data"])
                if existing:
                    names = ", ".join(qualified(*plan["tables"][n]["key"]) for n in existing)
                    send("SELECT set_config('precedentum.lock_start', clock_timestamp()::text, true) IS NULL;")
                    send(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE;\nTRUNCATE {names};")
                    for i, name in enumerate(plan["order"]):
                        if name in existing:
                            cols = ", ".join(quote_ident(c) for c in plan["columns"][name])
                            send(f"INSERT INTO {qualified(*plan['tables'][name]['key'])} ({cols}) OVERRIDING SYSTEM "
                                 f"VALUE SELECT {cols} FROM {quote_ident(f'precedentum_load_{i}')};")
                for seq, value, called in plan["sequences"]:
                    send(f"SELECT pg_catalog.setval({quote_literal(seq)}::regclass, {int(value)}, "
                         f"{'true' if called else 'false'}) IS NULL;")
                send(verify_sql(plan["expected"]))
                if existing:
                    send(f"SELECT '{LOCK_MARK}' || extract(epoch FROM clock_timestamp() "
                         "- current_setting('precedentum.lock_start')::timestamptz);")
                send(f"COMMIT;\nSELECT '{COMMITTED}';")
        except BrokenPipeError:
            broken = True
        finally:
            if copy is not None:
                if copy.poll() is None:
                    copy.kill()
                copy.wait()
                copy.stdout.close()
            try:
                load.stdin.close()
            except BrokenPipeError:
                broken = True
            load_rc = load.wait()
        load_err.seek(0)
        copy_err.seek(0)
        load_out.seek(0)
        load_text = without_row_text(load_err.read().decode(errors="replace").strip())
        copy_text = without_row_text(copy_err.read().decode(errors="replace").strip())
        out = load_out.read().decode(errors="replace")
    for stage, name in [(f"precedentum_load_{i}", n) for i, n in enumerate(plan["order"])]:
        load_text = load_text.replace(stage, name)
    if failed_source is not None:
        raise LoadError(f"reading the source failed (psql rc {failed_source}), the load was rolled back and the "
                        f"target is as it was: {copy_text[-800:]}")
    if load_rc != 0 or broken or COMMITTED not in out:
        failure = verify_failure(load_text)
        if failure:
            table, found, wanted = failure
            raise LoadError(f"verification failed: {table} would hold {found} rows, expected {wanted}; "
                            "the load was rolled back and the target is as it was")
        raise LoadError(f"psql failed on the target (rc {load_rc}), the load was rolled back and the target is as it "
                        f"was: {load_text[-800:]}")
    locked = re.search(re.escape(LOCK_MARK) + r"([0-9.]+)", out)
    return moved, round(float(locked.group(1)), 3) if locked else 0.0


MARKER = "precedentum.deploy rds_data_load"


def read_marker(conn):
    """(dump sha256, target fingerprint) recorded on the target database by the last dump load."""
    with conn.cursor() as cur:
        cur.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()")
        comment = (cur.fetchone() or [None])[0] or ""
    conn.rollback()
    if not comment.startswith(MARKER):
        return None, None
    fields = dict(part.split("=", 1) for part in comment[len(MARKER):].split() if "=" in part)
    return fields.get("dump"), fields.get("target")


def write_marker(conn, dump_sha, target_fp):
    with conn.cursor() as cur:
        cur.execute("SELECT current_database()")
        name = cur.fetchone()[0]
        cur.execute(f"COMMENT ON DATABASE {quote_ident(name)} IS %s", (f"{MARKER} dump={dump_sha} target={target_fp}",))
    conn.commit()


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            source=dict(type="str"),
            source_dump=dict(type="path"),
            source_password=dict(type="str", no_log=True),
            **pgtarget.TARGET_OPTIONS,
            schemas=dict(type="list", elements="str", default=["public"]),
            overwrite=dict(type="bool", default=False),
            verify_rows=dict(type="dict", default={}),
            include_tables=dict(type="list", elements="str", default=[]),
            exclude_tables=dict(type="list", elements="str", default=list(DJANGO_FRAMEWORK_TABLES)),
            pg_bin_dir=dict(type="path"),
        ),
        supports_check_mode=True,
        required_one_of=[("source", "source_dump"), ("target", "target_secret")],
        mutually_exclusive=[("source", "source_dump"), *pgtarget.TARGET_EXCLUSIVE],
    )
    if not HAS_PSYCOPG2:
        module.fail_json(msg="rds_data_load needs the psycopg2 Python package on the host that runs it")
    p = module.params
    for table, rows in list(p["verify_rows"].items()):
        try:
            count = int(str(rows), 10)
        except ValueError:
            count = -1
        if count < 0 or isinstance(rows, bool):
            module.fail_json(msg=f"verify_rows: {table}: {rows!r} is not a row count")
        p["verify_rows"][table] = count
    if p["source_dump"] and not os.path.isfile(p["source_dump"]):
        module.fail_json(msg=f"source_dump: {p['source_dump']} is not a file")

    source_dsn, source_password = "", p["source_password"]
    if p["source"]:
        source_params, embedded = parse(module, "source", p["source"])
        source_password = source_password or embedded
        source_dsn = psycopg2.extensions.make_dsn(**source_params)
    target_dsn, target_password = pgtarget.target_dsn(module)

    default_schema = p["schemas"][0]
    verify = {(t if "." in t else f"{default_schema}.{t}"): rows for t, rows in p["verify_rows"].items()}
    if p["source_dump"]:
        load_dump(module, target_dsn, target_password, verify)
    load_source(module, source_dsn, source_password, target_dsn, target_password, verify)


def load_dump(module, target_dsn, target_password, verify):
    """A dump file, loaded whole with pg_restore --clean or psql (the tables it holds replace the target's)."""
    p = module.params
    held = sorted(n for n in dump_tables(module, p["source_dump"]) if not chosen_tables([n], [], p["exclude_tables"]))
    if held:
        module.fail_json(msg=f"The dump {p['source_dump']} holds tables the load leaves alone (exclude_tables): "
                         f"{', '.join(held)}; a dump is loaded whole, so it would replace the target's. Make it "
                         "again with pg_dump --exclude-table for each, or set exclude_tables: [] to replace them.")
    target = connect(module, target_dsn, target_password, "target")
    target_tables = describe(target, p["schemas"], with_digest=True)
    print_fp = file_sha256(p["source_dump"])
    result = dict(changed=False, bytes=0, seconds=0.0, lock_seconds=0.0, fingerprint=print_fp, excluded=[],
                  tables={n: {"source_rows": None, "target_rows": t["rows"]} for n, t in target_tables.items()})
    recorded_dump, recorded_target = read_marker(target)
    if recorded_dump == print_fp and recorded_target == fingerprint(target_tables):
        target.close()
        module.exit_json(msg="The target already holds this dump's data (loaded earlier, unchanged since)", **result)
    holding = sorted(f"{n} ({t['rows']} rows)" for n, t in target_tables.items() if t["rows"] > 0)
    if holding and not p["overwrite"]:
        target.close()
        module.fail_json(msg="The target already holds different data in " + ", ".join(holding)
                         + ": set overwrite: true to replace it (it is replaced in one transaction)", **result)
    target.close()
    result["changed"] = True
    if module.check_mode:
        module.exit_json(msg=f"Check mode: would load the dump {p['source_dump']}", **result)
    started = time.monotonic()
    try:
        result["bytes"] = run_dump_load(module, target_dsn, target_password, verify)
    except LoadError as e:
        result["changed"] = False
        module.fail_json(msg=str(e), **result)
    result["seconds"] = result["lock_seconds"] = round(time.monotonic() - started, 3)
    target = connect(module, target_dsn, target_password, "target")
    after = describe(target, p["schemas"], with_digest=True)
    write_marker(target, print_fp, fingerprint(after))
    target.close()
    for name, info in after.items():
        result["tables"].setdefault(name, {"source_rows": None})["target_rows"] = info["rows"]
    module.exit_json(**result)


def dump_tables(module, path):
    """"schema.table" of every table a dump file creates."""
    if dump_format(path) == "custom":
        listing = module.run_command([pg_tool(module, "pg_restore"), "--list", path], check_rc=True)[1]
        return {f"{m.group(1)}.{m.group(2)}" for m in
                (re.match(r"^\d+; \d+ \d+ TABLE (\S+) (.+) \S+$", line) for line in listing.splitlines()) if m}
    names = set()
    with open(path, "rb") as handle:
        for line in handle:
            if line.startswith(b"CREATE TABLE "):
                name = line[13:].decode(errors="replace").rsplit(" (", 1)[0].strip()
                names.add(".".join(part.strip('"').replace('""', '"') for part in
                                   re.findall(r'"(?:[^"]|"")*"|[^.]+', name)))
    return names


def load_source(module, source_dsn, source_password, target_dsn, target_password, verify):
    """A live source: the chosen tables copied in the load's snapshot (see run_copy_load)."""
    p = module.params
    schema = p["schemas"][0]
    target = connect(module, target_dsn, target_password, "target")
    snapshot = Snapshot(module, source_dsn, source_password)
    dump_version = module.run_command([pg_tool(module, "pg_dump"), "--version"])[1]
    if (major_version(dump_version) or 0) < major_version(snapshot.conn.server_version):
        module.fail_json(msg=f"pg_dump {dump_version.strip()} is older than the source server "
                         f"({major_version(snapshot.conn.server_version)}): install a client of that version "
                         "or newer and point pg_bin_dir at it")
    everything = describe(snapshot.conn, p["schemas"], with_digest=False, keep_open=True)
    names = chosen_tables(sorted(everything), p["include_tables"], p["exclude_tables"])
    source_tables = {n: everything[n] for n in names}
    excluded = sorted(set(everything) - set(names))
    target_all = describe(target, p["schemas"], with_digest=True, only=set(names))
    result = dict(changed=False, bytes=0, seconds=0.0, lock_seconds=0.0, fingerprint=None, excluded=excluded,
                  tables={n: {"source_rows": t["rows"], "target_rows": target_all.get(n, {}).get("rows", 0)}
                          for n, t in source_tables.items()})

    def refuse(msg):
        snapshot.close()
        target.close()
        module.fail_json(msg=msg, **result)

    if not source_tables:
        refuse(f"The source has no tables to load in {', '.join(p['schemas'])}"
               + (f" (left alone: {', '.join(excluded)})" if excluded else ""))
    for name, rows in verify.items():
        if name not in source_tables:
            refuse(f"verify_rows: {name} is not a table the load copies"
                   + (" (it is left alone: exclude_tables)" if name in everything else ""))
        if source_tables[name]["rows"] != rows:
            refuse(f"verification failed before loading: the source's {name} holds {source_tables[name]['rows']} "
                   f"rows, expected {rows}; nothing was loaded")

    # Django: the target's schema is its own migrations'; the laptop's must be at the same state.
    source_migrations = migrations(snapshot.conn, schema)
    target_migrations = migrations(target, schema)
    target.rollback()
    if source_migrations is not None and f"{schema}.django_migrations" not in source_tables:
        if target_migrations is None:
            refuse("The source is a Django app's database (it has django_migrations) and the target has not been "
                   "migrated: run the app's migrations on the target first (phase 2.3: week2.yml, or deploy.yml), "
                   "then load; the load copies the app's tables into the tables the migrations made")
        difference = migration_difference(source_migrations, target_migrations)
        if difference:
            refuse(f"The source and the target are at different migration states: {difference}. Run the same "
                   "migrations on both (deploy.yml migrates the target), then load again; nothing was changed")
    created = [n for n in names if n not in target_all]
    for name in names:
        if name in target_all and target_all[name]["columns"] != source_tables[name]["columns"]:
            refuse(f"The target's {name} is not made as the source's: "
                   f"{column_difference(source_tables[name]['columns'], target_all[name]['columns'])}. "
                   "Migrate both to the same state (or drop the target's table to have it made anew); "
                   "nothing was changed")

    # Foreign keys between what is loaded and what is left alone.
    keys = foreign_keys(snapshot.conn, names, source_tables)
    for fk in keys:
        if fk["table"] in source_tables and fk["ref"] not in source_tables:
            if fk["ref"] not in target_all:
                refuse(f"{fk['table']}.{','.join(fk['columns'])} refers to {fk['ref']}, which the load leaves alone "
                       "and the target lacks: run the app's migrations on the target first (phase 2.3), or load it "
                       "(include it, and take it out of exclude_tables); nothing was changed")
            lacking, example = missing_references(snapshot, target, fk)
            if lacking:
                refuse(f"{fk['table']}.{','.join(fk['columns'])} refers to {lacking} rows of {fk['ref']} (the load "
                       f"leaves that table alone) that the target lacks, for example {example}: make them on the "
                       "target first, or clear the references on the source; nothing was changed")
    existing = [n for n in names if n in target_all]
    if existing:
        for fk in foreign_keys(target, existing, target_all):
            if fk["ref"] in existing and fk["table"] not in names:
                refuse(f"The target's {fk['table']} (left alone by the load) refers to {fk['ref']}, whose rows the "
                       f"load replaces: load {fk['table']} too, or leave {fk['ref']} out; nothing was changed")
        target.rollback()

    # The contents are compared only where the target has the tables: a load into new tables reads the
    # source once (the fingerprint is then null).
    shared = {n: target_all[n] for n in existing}
    if shared:
        digests = SourceDigest(module, source_dsn, source_password, p["schemas"], set(names), snapshot.id)
        result["fingerprint"] = digests.fingerprint()
        same = {n for n in shared if all(shared[n][k] == digests.tables.get(n, {}).get(k)
                                         for k in ("columns", "rows", "digest"))}
        if not created and same == set(shared):
            refuse_or_done = dict(result, msg="The target already holds the source's data"
                                  + (f" (left alone: {', '.join(excluded)})" if excluded else ""))
            snapshot.close()
            target.close()
            module.exit_json(**refuse_or_done)
        holding = sorted(f"{n} ({t['rows']} rows)" for n, t in shared.items() if t["rows"] > 0 and n not in same)
        if holding and not p["overwrite"]:
            refuse("The target already holds different data in " + ", ".join(holding)
                   + ": set overwrite: true to replace it (it is replaced in one transaction)")

    plan = dict(snapshot=snapshot, tables=source_tables, created=set(created), extensions=[], types=[],
                functions=[], pre_data="", post_data="", sequences=[],
                expected={t["key"]: t["rows"] for t in source_tables.values()})
    references = {}
    for fk in keys:
        references.setdefault(fk["table"], set()).add(fk["ref"])
    plan["order"] = fk_order(names, references)
    plan["columns"] = {n: [r[0] for r in snapshot.query(COPY_COLUMNS_SQL, (qualified(*source_tables[n]["key"]),))]
                       for n in names}
    missing = what_new_tables_need(snapshot, target, plan, created)
    if missing:
        refuse("The target lacks what the source's tables need, and the load cannot make it: " + "; ".join(missing)
               + ". Nothing was changed")
    # Sequences: those of the loaded tables' columns and the schemas' free ones take the source's values.
    new_sequences = []
    for seq_schema, seq, owner_schema, owner in snapshot.query(SEQUENCES_SQL, {"schemas": list(p["schemas"])}):
        if owner is not None and f"{owner_schema}.{owner}" not in source_tables:
            continue
        value, called = snapshot.query(f"SELECT last_value, is_called FROM {qualified(seq_schema, seq)}")[0]
        plan["sequences"].append((qualified(seq_schema, seq), value, called))
        if owner is None:
            with target.cursor() as cur:
                cur.execute("SELECT to_regclass(%s)", (qualified(seq_schema, seq),))
                if cur.fetchone()[0] is None:
                    new_sequences.append(dump_pattern(seq_schema, seq))
            target.rollback()
    target.close()

    result["changed"] = True
    if module.check_mode:
        snapshot.close()
        what = ", ".join(f"{n} ({t['source_rows']} rows)" for n, t in sorted(result["tables"].items()))
        module.exit_json(msg=f"Check mode: would load {what}", **result)
    started = time.monotonic()
    try:
        patterns = [dump_pattern(*source_tables[n]["key"]) for n in created]
        if patterns or new_sequences:
            plan["pre_data"] = dump_schema(module, snapshot, source_dsn, source_password, "pre-data",
                                           patterns + new_sequences)
        if patterns:
            plan["post_data"] = dump_schema(module, snapshot, source_dsn, source_password, "post-data", patterns)
        result["bytes"], result["lock_seconds"] = run_copy_load(module, plan, source_dsn, source_password,
                                                                target_dsn, target_password)
    except LoadError as e:
        result["changed"] = False
        snapshot.close()
        module.fail_json(msg=str(e), **result)
    result["seconds"] = round(time.monotonic() - started, 3)
    snapshot.close()
    # Every loaded table held the source's row count when the load committed (its last check): no second count.
    for name in names:
        result["tables"][name]["target_rows"] = source_tables[name]["rows"]
    module.exit_json(**result)


def what_new_tables_need(snapshot, target, plan, created):
    """Fills plan's extensions, types and functions for the tables made anew; returns what cannot be made."""
    if not created:
        return []
    args = rels(created, plan["tables"])
    missing = []
    with target.cursor() as cur:
        cur.execute("SELECT name, installed_version IS NOT NULL FROM pg_available_extensions")
        available = dict(cur.fetchall())
        for name, schema in snapshot.query(EXTENSIONS_USED_SQL, args):
            if name not in available:
                missing.append(f"the extension {name} (not available on the target: on RDS, see "
                               "SHOW rds.extensions and the engine version's list)")
            elif not available[name]:
                plan["extensions"].append((name, schema))
        for row in snapshot.query(TYPES_USED_SQL, args):
            cur.execute("SELECT to_regtype(%s)", (qualified(row[0], row[1]),))
            if cur.fetchone()[0] is not None:
                continue
            ddl = type_ddl(*row)
            if ddl is None:
                missing.append(f"the type {row[0]}.{row[1]} (a composite or range type: make it on the target "
                               "with CREATE TYPE)")
            else:
                plan["types"].append(ddl)
        for fn_schema, name, arguments, ddl in snapshot.query(FUNCTIONS_USED_SQL, args):
            cur.execute("SELECT to_regprocedure(%s)", (f"{qualified(fn_schema, name)}({arguments})",))
            if cur.fetchone()[0] is None:
                plan["functions"].append(ddl)
    target.rollback()
    return missing


if __name__ == "__main__":
    main()
