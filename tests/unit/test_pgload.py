"""The data loader's pure pieces: passfiles, SQL it generates, versions, fingerprints, the pump."""

from __future__ import annotations

import io
import os
import stat
import sys

from tests.harness.ansible import REPO

sys.path.insert(0, str(REPO / ".collections"))  # the checkout as ansible_collections.precedentum.deploy

from ansible_collections.precedentum.deploy.plugins.module_utils import pgload  # noqa: E402


def test_passfile_escapes_and_is_private():
    assert pgload.passfile_line(r"a:b\c") == "*:*:*:*:a\\:b\\\\c\n"
    with pgload.Passfile("s3cret") as passfile:
        assert stat.S_IMODE(os.stat(passfile.path).st_mode) == 0o600
        env = passfile.env({"PGPASSWORD": "old", "PATH": "/bin"})
        assert "PGPASSWORD" not in env and env["PGPASSFILE"] == passfile.path
        path = passfile.path
    assert not os.path.exists(path)


def test_split_password_and_quoting():
    params, password = pgload.split_password({"host": "h", "password": "p", "user": "u"})
    assert params == {"host": "h", "user": "u"} and password == "p"
    assert pgload.qualified("public", 'we"ird') == '"public"."we""ird"'


def test_verify_sql_failure_message_round_trip():
    sql = pgload.verify_sql({"public.judges_judge": 8})
    assert '"public"."judges_judge"' in sql and "IF n <> 8" in sql
    stderr = "psql:<stdin>:9: ERROR:  verify: public.judges_judge has 7 rows after the load, expected 8"
    assert pgload.verify_failure(stderr) == ("public.judges_judge", 7, 8)
    assert pgload.verify_failure("ERROR: something else") is None


def test_major_versions():
    assert pgload.major_version("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)") == 15
    assert pgload.major_version("170006") == 17 and pgload.major_version(90624) == 9
    assert pgload.major_version("no digits") is None


def test_fingerprint_depends_on_contents_not_order():
    a = {"public.a": {"columns": "id:integer", "rows": 1, "digest": "x"},
         "public.b": {"columns": "id:integer", "rows": 2, "digest": "y"}}
    b = dict(reversed(list(a.items())))
    assert pgload.fingerprint(a) == pgload.fingerprint(b)
    assert pgload.fingerprint(a) != pgload.fingerprint({**a, "public.b": {**a["public.b"], "digest": "z"}})


def test_pump_between_pipes_and_through_a_buffer(tmp_path):
    import subprocess

    data = os.urandom(3 * pgload.CHUNK + 17)
    (tmp_path / "in").write_bytes(data)
    # A writer and a reader on pipes, as pg_dump and psql are.
    writer = subprocess.Popen(["cat", str(tmp_path / "in")], stdout=subprocess.PIPE)
    with open(tmp_path / "out", "wb") as out:
        reader = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=out)
        assert pgload.pump(writer.stdout, reader.stdin) == len(data)
        reader.stdin.close()
        assert reader.wait() == 0 and writer.wait() == 0
    assert (tmp_path / "out").read_bytes() == data
    sink = io.BytesIO()
    assert pgload.pump(io.BytesIO(data), sink) == len(data) and sink.getvalue() == data


def test_verify_sql_quotes_names_that_would_break_or_inject(tmp_path):
    nasty = "it's 100% $precedentum$; DROP TABLE x; --"
    sql = pgload.verify_sql({("public", nasty): 3, "public.Audit Log": 1})
    # The name is an identifier in FROM and a literal parameter of RAISE: no % or ' inside the format string.
    assert "RAISE EXCEPTION 'verify: % has % rows after the load, expected %', 'public.it''s 100% $precedentum$; "\
        in sql
    assert '"public"."it\'s 100% $precedentum$; DROP TABLE x; --"' in sql
    assert "DO $precedentum1$" in sql and sql.count("$precedentum1$") == 2, "a tag the name does not contain"
    assert '"public"."Audit Log"' in sql
    stderr = "psql:<stdin>:9: ERROR:  verify: public.Audit Log has 0 rows after the load, expected 1"
    assert pgload.verify_failure(stderr) == ("public.Audit Log", 0, 1)
    assert pgload.quote_literal("a\\b'c") == "E'a\\\\b''c'"


def test_row_text_is_left_out_of_error_messages():
    stderr = ('psql:<stdin>:120: ERROR:  duplicate key value violates unique constraint "auth_user_email_key"\n'
              "DETAIL:  Key (email)=(ada@example.com) already exists.\n"
              'CONTEXT:  COPY auth_user, line 3: "3\tpbkdf2_sha256$1500000$salt$hash=\t2026-11-01\tada@example.com"\n'
              "ERROR:  new row for relation \"judges\" violates check constraint\n"
              "DETAIL:  Failing row contains (7, Ada Lovelace, ada@example.com).\n"
              'ERROR:  invalid input syntax for type integer: "ada@example.com"\n'
              "CONTEXT:  COPY judges, line 2, column id: \"ada@example.com\"")
    clean = pgload.without_row_text(stderr)
    assert "ada@example.com" not in clean and "pbkdf2" not in clean, clean
    assert "COPY auth_user, line 3: (row text left out)" in clean
    assert "COPY judges, line 2, column id: (row text left out)" in clean
    assert "Key (email)=(value left out) already exists." in clean and "auth_user_email_key" in clean
    assert "Failing row contains (row text left out)." in clean


def test_the_session_settings_fix_what_a_rows_text_depends_on():
    sql = pgload.session_settings_sql()
    for setting in ("SET TimeZone = 'UTC';", "SET DateStyle = 'ISO, MDY';", "SET IntervalStyle = 'postgres';",
                    "SET extra_float_digits = '3';"):
        assert setting in sql


def test_django_framework_tables_are_left_out_by_default():
    names = ["public.auth_user", "public.auth_user_groups", "public.django_migrations", "public.django_session",
             "public.judges_judge", "public.authors_author", "other.auth_user"]
    chosen = pgload.chosen_tables(names, [], pgload.DJANGO_FRAMEWORK_TABLES)
    assert chosen == ["public.judges_judge", "public.authors_author"]
    assert pgload.chosen_tables(names, ["judges_*"], []) == ["public.judges_judge"]
    assert pgload.chosen_tables(names, [], ["public.auth_user"]) == [n for n in names if n != "public.auth_user"]
    assert pgload.chosen_tables(names, [], []) == names


def test_migration_and_column_differences_are_named():
    laptop = {("judges", "0001_initial"), ("judges", "0002_chambers")}
    assert pgload.migration_difference(laptop, set(laptop)) is None
    assert pgload.migration_difference(laptop, {("judges", "0001_initial")}) == \
        "migration judges.0002_chambers is applied on the source (the laptop) but not on the target"
    assert "on the target but not on the source" in pgload.migration_difference(set(), {("auth", "0001_initial")})
    assert pgload.column_difference("id:integer,name:text", "id:integer,name:text") is None
    assert pgload.column_difference("id:integer,name:text", "id:bigint,name:text") == \
        "column 1 is id:integer on the source and id:bigint on the target"
    assert pgload.column_difference("id:integer", "id:integer,x:text") == \
        "column 2 is missing on the source and x:text on the target"


def test_tables_are_filled_after_those_they_reference():
    order = pgload.fk_order(["a.notes", "a.judges", "a.courts", "a.tree"],
                            {"a.notes": {"a.judges", "a.auth"}, "a.judges": {"a.courts"}, "a.tree": {"a.tree"}})
    assert order.index("a.courts") < order.index("a.judges") < order.index("a.notes") and "a.tree" in order
    assert sorted(pgload.fk_order(["x", "y"], {"x": {"y"}, "y": {"x"}})) == ["x", "y"]  # a cycle: both, once


def test_dump_patterns_meta_commands_and_type_ddl():
    assert pgload.dump_pattern("public", 'it\'s 100%*') == '"public"."it\'s 100%*"'
    assert pgload.without_meta_commands("\\restrict k\nCREATE TABLE a ();\n\\unrestrict k") == "CREATE TABLE a ();"
    assert pgload.type_ddl("public", "kind", "e", ["a", "it's"], None, False, None, []) == \
        "CREATE TYPE \"public\".\"kind\" AS ENUM ('a', 'it''s')"
    assert pgload.type_ddl("public", "docket", "d", [], "text", True, None, ["CHECK ((VALUE <> ''::text))"]) == \
        "CREATE DOMAIN \"public\".\"docket\" AS text NOT NULL CHECK ((VALUE <> ''::text))"
    assert pgload.type_ddl("public", "pair", "c", [], None, False, None, []) is None
