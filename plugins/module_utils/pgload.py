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


def quote_literal(text):
    """A SQL string literal of ``text``, whatever standard_conforming_strings says (as PostgreSQL's own
    quote_literal: an E'' literal when it holds a backslash)."""
    text = str(text)
    if "\\" in text:
        return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'"
    return "'" + text.replace("'", "''") + "'"


def dollar_quoted(body, tag="precedentum"):
    """``body`` between dollar quotes whose tag it does not contain (a table's name could)."""
    n = 0
    while f"${tag}{n or ''}$" in body:
        n += 1
    return f"${tag}{n or ''}$" + body + f"${tag}{n or ''}$"


def verify_sql(expected):
    """SQL run inside the load's transaction, before COMMIT: each table must hold the expected rows.

    expected: {(schema, table) or "schema.table": rows}. A mismatch raises an exception, so psql
    (ON_ERROR_STOP) stops, the transaction never commits, and the target stays as it was. Names are
    quoted as identifiers and, in the message, passed as a literal parameter: a table named with ', % or
    $ can neither break the check nor run SQL of its own.
    """
    lines = []
    for key, rows in sorted(expected.items(), key=lambda item: str(item[0])):
        schema, table = key if isinstance(key, tuple) else key.partition(".")[::2]
        body = (f"DECLARE n bigint; BEGIN SELECT count(*) INTO n FROM {qualified(schema, table)}; "
                f"IF n <> {int(rows)} THEN RAISE EXCEPTION 'verify: % has % rows after the load, expected %', "
                f"{quote_literal(f'{schema}.{table}')}, n, {int(rows)}; END IF; END")
        lines.append(f"DO {dollar_quoted(body)};")
    return "\n".join(lines) + "\n"


VERIFY_ERROR_RE = re.compile(r"verify: ([^\n]+) has (\d+) rows after the load, expected (\d+)")


def verify_failure(stderr):
    """(table, found, expected) from psql's error output, or None."""
    match = VERIFY_ERROR_RE.search(stderr or "")
    if not match:
        return None
    return match.group(1), int(match.group(2)), int(match.group(3))


# PostgreSQL's errors quote the rows they were given: COPY's context line carries the whole row (e-mails,
# password hashes), DETAIL the key values or the failing row. The table, the line and the column stay.
_ROW_TEXT = [
    (re.compile(r'(COPY [^\n]*?, line \d+(?:, column [^:\n]+)?): [^\n]*'), r"\1: (row text left out)"),
    (re.compile(r"(DETAIL:\s+Key \([^)\n]*\))=\([^\n]*?\)( already exists| is not present| is still referenced"
                r"|[^\n]*)"), r"\1=(value left out)\2"),
    (re.compile(r"(DETAIL:\s+Failing row contains) \([^\n]*"), r"\1 (row text left out)."),
    (re.compile(r'(invalid input syntax for type [^:\n]+): "[^\n]*"'), r"\1: (value left out)"),
]


def without_row_text(text):
    """psql's or pg_dump's error output with the copied rows' values taken out."""
    for pattern, replacement in _ROW_TEXT:
        text = pattern.sub(replacement, text or "")
    return text


# What a row's text looks like depends on these settings: both connections fix them, so that the laptop's
# database in its time zone and RDS in UTC give the same digest for the same data.
SESSION_SETTINGS = (("TimeZone", "UTC"), ("DateStyle", "ISO, MDY"), ("IntervalStyle", "postgres"),
                    ("extra_float_digits", "3"), ("bytea_output", "hex"))


def session_settings_sql():
    return "".join(f"SET {name} = {quote_literal(value)}; " for name, value in SESSION_SETTINGS)


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
