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


def file_sha256(path):
    """A file's SHA-256, read CHUNK bytes at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def pg_tool(module, name):
    """Path of a PostgreSQL client program: in the module's pg_bin_dir, or on PATH."""
    if module.params["pg_bin_dir"]:
        return os.path.join(module.params["pg_bin_dir"], name)
    return module.get_bin_path(name, required=True)


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


# Django's own tables (accounts, sessions, permissions, content types, the admin's log, migration history):
# the target's stay as its migrations and its users made them, unless a load asks for them.
DJANGO_FRAMEWORK_TABLES = ["auth_*", "django_*"]


def table_matches(name, patterns):
    """Whether "schema.table" matches one of the shell-style patterns, written with or without the schema."""
    from fnmatch import fnmatchcase

    table = name.partition(".")[2]
    return any(fnmatchcase(name, p) if "." in p else fnmatchcase(table, p) for p in patterns)


def chosen_tables(names, include, exclude):
    """The tables a load copies: those matching ``include`` (all when empty) and none of ``exclude``."""
    return [n for n in names if (not include or table_matches(n, include)) and not table_matches(n, exclude)]


def dump_pattern(schema, name):
    """A pg_dump --table pattern that matches exactly this relation (quotes make *, ?, . and spaces literal)."""
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def without_meta_commands(sql):
    """pg_dump's plain output without psql's meta-commands (\\restrict, \\unrestrict), for a driver to run."""
    return "\n".join(line for line in sql.splitlines() if not line.startswith("\\"))


def migration_difference(source, target):
    """The first Django migration applied on one side only, as a sentence; None when both sides agree.
    source, target: sets of (app, name)."""
    for app, name in sorted(source ^ target):
        where = "the source (the laptop) but not on the target" if (app, name) in source \
            else "the target but not on the source (the laptop)"
        return f"migration {app}.{name} is applied on {where}"
    return None


def column_difference(source, target):
    """The first difference between two tables' columns ("name:type,..." as describe() writes them)."""
    a, b = source.split(","), target.split(",")
    for i in range(max(len(a), len(b))):
        left, right = (a[i] if i < len(a) else None), (b[i] if i < len(b) else None)
        if left != right:
            return (f"column {i + 1} is {left or 'missing'} on the source and {right or 'missing'} on the target")
    return None


def fk_order(tables, references):
    """``tables`` ordered so that a table comes after those it references (references: {table: {tables}});
    a cycle keeps the given order for its members."""
    done, order = set(), []

    def visit(name, path):
        if name in done or name in path:
            return
        for ref in sorted(references.get(name, ())):
            if ref in tables and ref != name:
                visit(ref, path | {name})
        done.add(name)
        order.append(name)

    for name in tables:
        visit(name, frozenset())
    return order


# Catalog queries of the data load. %(rels)s: the tables as text[] of qualified, quoted names.
RELS = "ANY(%(rels)s::regclass[])"

FOREIGN_KEYS_SQL = f"""
SELECT con.conname, cn.nspname, c.relname, fn.nspname, f.relname,
       ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i)::text[],
       ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i)::text[]
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
JOIN pg_class f ON f.oid = con.confrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace
WHERE con.contype = 'f' AND (con.conrelid = {RELS} OR con.confrelid = {RELS})
ORDER BY 2, 3, 1
"""

COPY_COLUMNS_SQL = """
SELECT a.attname FROM pg_attribute a
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
ORDER BY a.attnum
"""

# Sequences owned by a column of the tables (serial, identity), and the schemas' sequences owned by none.
SEQUENCES_SQL = """
SELECT sn.nspname, s.relname, tn.nspname, t.relname
FROM pg_class s JOIN pg_namespace sn ON sn.oid = s.relnamespace
LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
     AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_class t ON t.oid = d.refobjid LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE s.relkind = 'S' AND sn.nspname = ANY(%(schemas)s)
ORDER BY 1, 2
"""

# What tables made anew need besides themselves: the extensions whose types, operator classes or functions they
# use, the schemas' own enum and domain types of their columns, and the functions their defaults, checks,
# triggers and indexes call.
_FUNCTIONS_USED = f"""
SELECT d.refobjid FROM pg_depend d WHERE d.refclassid = 'pg_proc'::regclass AND (
   (d.classid = 'pg_attrdef'::regclass AND d.objid IN (SELECT oid FROM pg_attrdef WHERE adrelid = {RELS}))
OR (d.classid = 'pg_constraint'::regclass AND d.objid IN (SELECT oid FROM pg_constraint WHERE conrelid = {RELS}))
OR (d.classid = 'pg_trigger'::regclass AND d.objid IN (SELECT oid FROM pg_trigger WHERE tgrelid = {RELS}))
OR (d.classid = 'pg_class'::regclass AND d.objid IN (SELECT indexrelid FROM pg_index WHERE indrelid = {RELS})))
"""
_TYPES_USED = f"""
SELECT a.atttypid FROM pg_attribute a WHERE a.attrelid = {RELS} AND a.attnum > 0 AND NOT a.attisdropped
UNION SELECT t.typelem FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = {RELS} AND a.attnum > 0 AND NOT a.attisdropped AND t.typelem <> 0
UNION SELECT t.typbasetype FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
      WHERE a.attrelid = {RELS} AND t.typtype = 'd'
"""
_IN_EXTENSION = ("EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '{cls}'::regclass AND x.objid = {oid} "
                 "AND x.refclassid = 'pg_extension'::regclass AND x.deptype = 'e')")

EXTENSIONS_USED_SQL = f"""
SELECT DISTINCT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
JOIN pg_depend m ON m.refclassid = 'pg_extension'::regclass AND m.refobjid = e.oid AND m.deptype = 'e'
WHERE (m.classid = 'pg_type'::regclass AND m.objid IN ({_TYPES_USED}))
   OR (m.classid = 'pg_opclass'::regclass
       AND m.objid IN (SELECT unnest(indclass::oid[]) FROM pg_index WHERE indrelid = {RELS}))
   OR (m.classid = 'pg_proc'::regclass AND m.objid IN ({_FUNCTIONS_USED}))
ORDER BY 1
"""

TYPES_USED_SQL = f"""
SELECT n.nspname, t.typname, t.typtype,
       ARRAY(SELECT enumlabel::text FROM pg_enum WHERE enumtypid = t.oid ORDER BY enumsortorder),
       format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault,
       ARRAY(SELECT pg_get_constraintdef(c.oid) FROM pg_constraint c WHERE c.contypid = t.oid ORDER BY c.conname)
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.oid IN ({_TYPES_USED}) AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND NOT {_IN_EXTENSION.format(cls='pg_type', oid='t.oid')}
  AND (t.typtype IN ('e', 'd', 'r', 'm')
       OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
ORDER BY t.typtype DESC, 1, 2
"""

FUNCTIONS_USED_SQL = f"""
SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.oid IN ({_FUNCTIONS_USED}) AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND p.prokind IN ('f', 'p') AND NOT {_IN_EXTENSION.format(cls='pg_proc', oid='p.oid')}
ORDER BY 1, 2
"""


def type_ddl(schema, name, kind, labels, base, not_null, default, checks):
    """CREATE TYPE / CREATE DOMAIN of an enum or domain type; None for a kind the load does not make."""
    if kind == "e":
        return f"CREATE TYPE {qualified(schema, name)} AS ENUM ({', '.join(quote_literal(x) for x in labels)})"
    if kind == "d":
        return (f"CREATE DOMAIN {qualified(schema, name)} AS {base}" + (f" DEFAULT {default}" if default else "")
                + (" NOT NULL" if not_null else "") + "".join(f" {c}" for c in checks))
    return None
