# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The data loader's pieces that need no AWS: connection strings without passwords, passfiles,
the SQL that counts, fingerprints and verifies, and the pump between pg_dump and psql."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile

CHUNK = 1 << 20  # bytes per read from pg_dump: memory stays at a few chunks whatever the data size


def quote_ident(name):
    return '"' + str(name).replace('"', '""') + '"'


def qualified(schema, table):
    return f"{quote_ident(schema)}.{quote_ident(table)}"


def split_password(params):
    """(params without password, password or None) from parse_dsn's dict."""
    params = dict(params)
    return params, params.pop("password", None)


def passfile_line(password):
    """A .pgpass line that matches any host, port, database and user."""
    escaped = password.replace("\\", "\\\\").replace(":", "\\:")
    return f"*:*:*:*:{escaped}\n"


class Passfile:
    """A 0600 temporary .pgpass for one password, removed on exit; the environment points libpq at it."""

    def __init__(self, password):
        self.password = password
        self.path = None

    def __enter__(self):
        fd, self.path = tempfile.mkstemp(prefix="precedentum-pgpass-")
        with os.fdopen(fd, "w") as handle:
            if self.password:
                handle.write(passfile_line(self.password))
        os.chmod(self.path, 0o600)
        return self

    def env(self, base=None):
        env = dict(os.environ if base is None else base)
        env.pop("PGPASSWORD", None)
        env["PGPASSFILE"] = self.path
        env.setdefault("PGCONNECT_TIMEOUT", "15")
        return env

    def __exit__(self, *exc):
        if self.path and os.path.exists(self.path):
            os.unlink(self.path)


TABLES_SQL = """
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s) AND NOT c.relispartition
ORDER BY 1, 2
"""

COLUMNS_SQL = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_attribute a
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""


def table_digest_sql(schema, table):
    """One row: row count and an order-independent digest of the rows' text: sums of the two
    halves of each row's 64-bit hash (PostgreSQL's hashtextextended). No sort, one read of the
    table; a changed, added or removed row changes the sums."""
    return (
        "SELECT count(*), coalesce(sum((h >> 32)::int), 0)::text || '.' "
        "|| coalesce(sum((h & 2147483647)::int), 0)::text "
        f"FROM (SELECT hashtextextended(t::text, 0) AS h FROM {qualified(schema, table)} t) rows"
    )


def fingerprint(tables):
    """sha256 over every table's name, columns, row count and digest (tables: {name: {...}})."""
    digest = hashlib.sha256()
    for name in sorted(tables):
        info = tables[name]
        digest.update(f"{name}|{info['columns']}|{info['rows']}|{info['digest']}\n".encode())
    return digest.hexdigest()


def verify_sql(expected):
    """SQL run inside the load's transaction, before COMMIT: each table must hold the expected rows.

    expected: {schema.table: rows}. A mismatch raises an exception, so psql (ON_ERROR_STOP) stops,
    the transaction never commits, and the target stays as it was.
    """
    lines = []
    for name, rows in sorted(expected.items()):
        schema, _, table = name.partition(".")
        target = qualified(schema, table)
        message = f"verify: {name} has % rows after the load, expected {int(rows)}"
        lines.append(
            "DO $precedentum$ DECLARE n bigint; BEGIN "
            f"SELECT count(*) INTO n FROM {target}; "
            f"IF n <> {int(rows)} THEN RAISE EXCEPTION '{message}', n; END IF; "
            "END $precedentum$;"
        )
    return "\n".join(lines) + "\n"


VERIFY_ERROR_RE = re.compile(r"verify: (\S+) has (\d+) rows after the load, expected (\d+)")


def verify_failure(stderr):
    """(table, found, expected) from psql's error output, or None."""
    match = VERIFY_ERROR_RE.search(stderr or "")
    if not match:
        return None
    return match.group(1), int(match.group(2)), int(match.group(3))


def major_version(text):
    """Major version from `pg_dump --version` output or server_version_num (150018 -> 15)."""
    text = str(text).strip()
    if text.isdigit():
        return int(text) // 10000
    match = re.search(r"(\d+)(?:\.(\d+))?", text)
    if not match:
        return None
    return int(match.group(1))


def pump(source, sink, chunk=CHUNK):
    """Copy source to sink in chunks; returns the bytes copied. Raises BrokenPipeError when the
    sink stops reading (psql stopped on an error). Between two pipes, os.splice moves the data
    inside the kernel; otherwise it goes through one buffer of `chunk` bytes."""
    moved = 0
    splice = getattr(os, "splice", None)
    if splice is not None:
        try:
            src, dst = source.fileno(), sink.fileno()
            sink.flush()
            while True:
                count = splice(src, dst, chunk)
                if count == 0:
                    return moved
                moved += count
        except (OSError, ValueError) as e:
            if isinstance(e, BrokenPipeError):
                raise
            if moved:
                raise
    while True:
        data = source.read(chunk)
        if not data:
            return moved
        sink.write(data)
        moved += len(data)
