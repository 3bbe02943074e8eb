"""The rds_data_load module against a real PostgreSQL: two databases of one throwaway server."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.harness.ansible import REPO, ansible_env, interpreter_args
from tests.harness.fixture_db import fixture_sql
from tests.harness.postgres import pg_bindir

LOADER = "loader"
LOADER_PASSWORD = "Lo4der-" + uuid.uuid4().hex  # random per run: a hit in the output is a real leak


@pytest.fixture(scope="module")
def pg(postgres):
    """The test run's server, with a role that needs a password (scram) for the password tests."""
    hba = postgres.dir / "data" / "pg_hba.conf"
    if LOADER not in hba.read_text():
        hba.write_text(f"host all {LOADER} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
        postgres._run(str(postgres.bindir / "pg_ctl"), "-D", str(postgres.dir / "data"), "reload")
        postgres.psql(f"CREATE ROLE {LOADER} LOGIN SUPERUSER PASSWORD '{LOADER_PASSWORD}'")
    return postgres


def new_db(pg, fill: str | None = None) -> str:
    name = "db_" + uuid.uuid4().hex[:10]
    pg.psql(f"CREATE DATABASE {name}")
    if fill:
        pg.psql(fill, dbname=name)
    return name


def dsn(pg, db, user="postgres") -> str:
    return f"host=127.0.0.1 port={pg.port} user={user} dbname={db}"


def load(args: dict, *flags: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the module in a one-task playbook written to a private file (so that no password is on
    this test's own command line); the module's result is in .result, all output in .stdout."""
    import tempfile

    task = {"hosts": "localhost", "gather_facts": False,
            "tasks": [{"name": "load", "precedentum.deploy.rds_data_load": args}]}
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as handle:
        json.dump([task], handle)
    try:
        run_env = ansible_env(env or dict(os.environ))
        cmd = [str(REPO / ".venv/bin/ansible-playbook"), handle.name, *interpreter_args(run_env), *flags]
        run_env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.builtin.json"
        out = subprocess.run(cmd, capture_output=True, text=True, env=run_env, cwd=REPO, check=False)
    finally:
        os.unlink(handle.name)
    try:
        out.result = json.loads(out.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (json.JSONDecodeError, KeyError, IndexError):
        out.result = {}
    return out


def counts(pg, db) -> dict:
    rows = pg.psql("SELECT relname, n FROM (SELECT c.relname, (xpath('/row/n/text()', query_to_xml("
                   "format('SELECT count(*) AS n FROM public.%I', c.relname), false, true, '')))[1]::text::int AS n "
                   "FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "
                   "WHERE s.nspname = 'public' AND c.relkind = 'r') t ORDER BY 1", dbname=db)
    return {line.split("|")[0]: int(line.split("|")[1]) for line in rows.splitlines() if line}


def test_first_load_noop_refused_overwrite_verify_and_check_mode(pg):
    source = new_db(pg, fixture_sql(3000))
    target = new_db(pg)
    args = {"source": dsn(pg, source), "target": f"postgresql://postgres@127.0.0.1:{pg.port}/{target}",
            "verify_rows": {"judges_judge": 8}}

    check = load(args, "--check")
    assert check.returncode == 0 and check.result["changed"] is True, check.stdout
    assert counts(pg, target) == {}, "check mode wrote to the target"
    assert check.result["tables"]["public.judges_caseprocedure"]["source_rows"] == 3000

    first = load(args)
    assert first.returncode == 0 and first.result["changed"] is True, first.stdout
    assert counts(pg, target) == counts(pg, source)
    assert counts(pg, target)["judges_judge"] == 8 and first.result["bytes"] > 1_000_000
    # The sequence, index and foreign keys came along.
    assert pg.psql("SELECT last_value FROM document_number_seq", dbname=target) == \
        pg.psql("SELECT last_value FROM document_number_seq", dbname=source)
    assert pg.psql("SELECT count(*) FROM pg_indexes WHERE indexname = 'judges_caseprocedure_judge_topic'",
                   dbname=target) == "1"
    assert int(pg.psql("SELECT count(*) FROM pg_constraint WHERE contype = 'f'", dbname=target)) == 4

    again = load(args)
    assert again.returncode == 0 and again.result["changed"] is False, again.stdout
    assert first.result["fingerprint"] is None and len(again.result["fingerprint"]) == 64

    pg.psql("UPDATE judges_caseprocedure SET topic = 'appeals' WHERE id = 7", dbname=source)
    refused = load(args)
    assert refused.returncode != 0 and "overwrite: true" in refused.stdout, refused.stdout
    # Only the table whose contents differ is named (the judges are the same on both sides).
    assert "public.judges_caseprocedure" in refused.result["msg"], refused.result
    assert "public.judges_judge" not in refused.result["msg"] and "public.courts_court" not in refused.result["msg"]
    assert pg.psql("SELECT topic FROM judges_caseprocedure WHERE id = 7", dbname=target) != "appeals"

    mismatch = load({**args, "overwrite": True, "verify_rows": {"judges_judge": 9}})
    assert mismatch.returncode != 0 and "judges_judge" in mismatch.stdout and "expected 9" in mismatch.stdout
    assert pg.psql("SELECT topic FROM judges_caseprocedure WHERE id = 7", dbname=target) != "appeals"

    replaced = load({**args, "overwrite": True})
    assert replaced.returncode == 0 and replaced.result["changed"] is True, replaced.stdout
    assert pg.psql("SELECT topic FROM judges_caseprocedure WHERE id = 7", dbname=target) == "appeals"


def _fault_bin(tmp_path: Path, dump_filter: str) -> str:
    """A pg_bin_dir whose psql (which reads each table's rows off the source) is the real one piped through
    dump_filter and then failing or not: the harness's way to break a load midway (a killed source, a bad row)."""
    real = pg_bindir()
    (tmp_path / "pg_dump").symlink_to(real / "pg_dump")
    script = tmp_path / "psql"
    script.write_text(f"#!/bin/sh\ncase \"$*\" in *' TO STDOUT'*) {real / 'psql'} \"$@\" | {dump_filter} ;;\n"
                      f"*) exec {real / 'psql'} \"$@\" ;;\nesac\n")
    script.chmod(0o755)
    return str(tmp_path)


@pytest.mark.parametrize("fault, dump_filter", [
    ("a source killed midway", "head -c 300000; exit 1"),
    # A case procedure pointing at judge 99: the foreign key, added after the data, fails.
    ("a bad row", r"sed 's/^\(1500\)\t[0-9]*\t/\1\t99\t/'"),
])
def test_a_load_broken_midway_leaves_the_target_as_it_was(pg, tmp_path, fault, dump_filter):
    source = new_db(pg, fixture_sql(3000))
    target = new_db(pg)
    args = {"source": dsn(pg, source), "target": dsn(pg, target)}
    assert load(args).returncode == 0
    before = counts(pg, target)
    pg.psql("DELETE FROM judges_caseprocedure WHERE id > 2000; UPDATE judges_judge SET title = 'Chief Judge' "
            "WHERE id = 1", dbname=source)

    broken = load({**args, "overwrite": True, "pg_bin_dir": _fault_bin(tmp_path, dump_filter)})
    assert broken.returncode != 0, f"{fault}: {broken.stdout}"
    assert "rolled back" in broken.stdout
    assert counts(pg, target) == before, f"{fault}: the target changed"
    assert pg.psql("SELECT title FROM judges_judge WHERE id = 1", dbname=target) != "Chief Judge"


def test_a_laptop_in_another_time_zone_sees_no_change(pg):
    """The laptop's server in America/Chicago, the target (RDS) in UTC: the same instants, written as text in
    each session's zone, must give the same digest."""
    source = new_db(pg, "CREATE TABLE hearings (id int PRIMARY KEY, at timestamptz, length interval, "
                        "score double precision); INSERT INTO hearings VALUES "
                        "(1, '2026-11-02 09:30+00', '1 hour 30 minutes', 0.1), "
                        "(2, '2026-03-08 02:30-06', '45 days', 1/3.0)")
    target = new_db(pg)
    laptop = {"timezone": "'America/Chicago'", "intervalstyle": "'iso_8601'", "datestyle": "'SQL, DMY'",
              "extra_float_digits": "0"}
    pg.psql("; ".join(f"ALTER DATABASE {source} SET {k} = {v}" for k, v in laptop.items())
            + f"; ALTER DATABASE {target} SET timezone = 'UTC'")
    args = {"source": dsn(pg, source), "target": dsn(pg, target)}
    first = load(args)
    assert first.returncode == 0 and first.result["changed"] is True, first.stdout
    again = load(args)
    assert again.returncode == 0 and again.result["changed"] is False, again.stdout
    assert "already holds the source's data" in again.result["msg"]


def test_names_with_quotes_percent_and_spaces_load_and_verify(pg):
    """Table and column names are quoted everywhere: a ' or % cannot break the check or run SQL."""
    source = new_db(pg, 'CREATE TABLE "Audit Log" (id int PRIMARY KEY, "select" text); '
                        'INSERT INTO "Audit Log" VALUES (1, \'a\'), (2, \'b\'); '
                        'CREATE TABLE "it\'s 100%; $precedentum$" (id int); '
                        'INSERT INTO "it\'s 100%; $precedentum$" VALUES (1)')
    target = new_db(pg)
    args = {"source": dsn(pg, source), "target": dsn(pg, target)}
    first = load(args)
    assert first.returncode == 0 and first.result["changed"] is True, first.stdout
    assert first.result["tables"]["public.Audit Log"]["target_rows"] == 2
    assert first.result["tables"]["public.it's 100%; $precedentum$"]["target_rows"] == 1
    assert load(args).result["changed"] is False


def test_a_failed_load_names_the_table_and_line_but_not_the_row(pg, tmp_path):
    source = new_db(pg, "CREATE TABLE people (id int PRIMARY KEY, email text, born date); "
                        "INSERT INTO people VALUES (1, 'ada@precedentum.example', '1815-12-10')")
    target = new_db(pg)
    # A column too many on the way: COPY fails, and PostgreSQL's context line quotes the whole row.
    broken = load({"source": dsn(pg, source), "target": dsn(pg, target),
                   "pg_bin_dir": _fault_bin(tmp_path, r"sed 's/^\(1\tada.*\)$/\1\textra/'")})
    assert broken.returncode != 0 and "rolled back" in broken.result["msg"], broken.stdout
    assert "COPY people, line 1" in broken.result["msg"], broken.result["msg"]
    assert "ada@precedentum.example" not in broken.stdout, "the row's text is in the output"


def test_passwords_stay_out_of_output_and_process_list(pg):
    source = new_db(pg, fixture_sql(60000))
    target = new_db(pg)
    seen, stop = set(), threading.Event()

    def watch():
        while not stop.is_set():
            for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
                try:
                    seen.add(cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace"))
                except OSError:
                    pass
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        run = load({"source": dsn(pg, source, LOADER), "source_password": LOADER_PASSWORD,
                    "target": f"postgresql://{LOADER}:{LOADER_PASSWORD}@127.0.0.1:{pg.port}/{target}"}, "-vvv")
    finally:
        stop.set()
        watcher.join()
    assert run.returncode == 0, run.stdout[-2000:]
    assert any("pg_dump" in c for c in seen) and any("psql" in c for c in seen), "the watcher saw no load"
    assert LOADER_PASSWORD not in run.stdout + run.stderr
    assert [c for c in seen if LOADER_PASSWORD in c] == []

    wrong = load({"source": dsn(pg, source, LOADER), "source_password": "not-" + LOADER_PASSWORD,
                  "target": dsn(pg, target)})
    assert wrong.returncode != 0 and "source_password" in wrong.stdout


def test_target_from_the_secret_of_the_rds_role(pg, emulator):
    source = new_db(pg, fixture_sql(500))
    target = new_db(pg)
    emulator.client("secretsmanager").create_secret(Name="precedentum-testing/rds/master", SecretString=json.dumps({
        "username": LOADER, "password": LOADER_PASSWORD, "engine": "postgres",
        "host": "precedentum-testing-db.abc.us-east-1.rds.amazonaws.com", "port": 5432, "dbname": target}))
    run = load({"source": dsn(pg, source), "target_secret": "precedentum-testing/rds/master",
                "host_override": "127.0.0.1", "port_override": pg.port, "verify_rows": {"judges_judge": 8}},
               env=emulator.env())
    assert run.returncode == 0 and run.result["changed"] is True, run.stdout
    assert counts(pg, target) == counts(pg, source)
    assert LOADER_PASSWORD not in run.stdout + run.stderr


def test_unreachable_target_names_the_security_group_and_public_access(pg):
    source = new_db(pg, fixture_sql(10))
    run = load({"source": dsn(pg, source), "target": "host=127.0.0.1 port=1 user=postgres dbname=x"})
    assert run.returncode != 0 and "publicly accessible" in run.stdout and "security group" in run.stdout


@pytest.mark.parametrize("fmt", ["custom", "plain"])
def test_load_from_a_dump_file_verified_inside_the_transaction(pg, tmp_path, fmt):
    source = new_db(pg, fixture_sql(500))
    target = new_db(pg)
    dump = tmp_path / f"precedentum.{fmt}"
    flags = ["-Fc"] if fmt == "custom" else ["--clean", "--if-exists"]
    subprocess.run([str(pg_bindir() / "pg_dump"), *flags, "--no-owner", "-f", str(dump), dsn(pg, source)], check=True)
    args = {"source_dump": str(dump), "target": dsn(pg, target)}

    # verify_rows is checked inside the load's transaction: a wrong count rolls the load back.
    wrong = load({**args, "verify_rows": {"judges_judge": 7}})
    assert wrong.returncode != 0 and "judges_judge would hold 8 rows, expected 7" in wrong.stdout, wrong.stdout
    assert counts(pg, target) == {}, "a failed verification left tables behind"

    first = load({**args, "verify_rows": {"judges_judge": 8}})
    assert first.returncode == 0 and first.result["changed"] is True, first.stdout
    assert counts(pg, target) == counts(pg, source)
    again = load({**args, "verify_rows": {"judges_judge": 8}})
    assert again.returncode == 0 and again.result["changed"] is False, again.stdout

    pg.psql("DELETE FROM rules_localrule WHERE id = 1", dbname=target)
    changed_since = load(args)
    assert changed_since.returncode != 0 and "overwrite: true" in changed_since.stdout
    assert load({**args, "overwrite": True}).returncode == 0
    assert counts(pg, target) == counts(pg, source)


def test_a_pg_dump_older_than_the_source_server_is_refused(pg, tmp_path):
    source = new_db(pg, fixture_sql(10))
    target = new_db(pg)
    (tmp_path / "psql").symlink_to(pg_bindir() / "psql")
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    run = load({"source": dsn(pg, source), "target": dsn(pg, target), "pg_bin_dir": str(tmp_path)})
    assert run.returncode != 0 and "is older than the source server" in run.stdout, run.stdout
    assert counts(pg, target) == {}


TRICKY = r"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TYPE court_kind AS ENUM ('district', 'circuit', 'bankruptcy');
CREATE DOMAIN docket AS text CHECK (VALUE ~ '^[0-9]+:[0-9]{2}-[a-z]{2}-[0-9]+$');
CREATE FUNCTION slugify(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(replace($1, ' ', '-')) $$;
CREATE TABLE courts (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind court_kind NOT NULL,
                     name text NOT NULL, slug text GENERATED ALWAYS AS (slugify(name)) STORED,
                     parent_id integer REFERENCES courts(id));
CREATE TABLE cases (id bigserial PRIMARY KEY, court_id integer NOT NULL REFERENCES courts(id), number docket,
                    meta jsonb NOT NULL DEFAULT '{}', scan bytea, title text NOT NULL);
CREATE INDEX cases_title_trgm ON cases USING gin (title gin_trgm_ops);
CREATE TABLE "Audit Log" (id serial PRIMARY KEY, "select" text, at timestamptz NOT NULL DEFAULT now());
CREATE TABLE "it's 100%" (id serial PRIMARY KEY, v text);
INSERT INTO courts (kind, name) VALUES ('circuit', 'Seventh Circuit');
INSERT INTO courts (kind, name, parent_id) VALUES ('district', 'Northern District', 1), ('bankruptcy', 'ND Bankr', 2);
INSERT INTO cases (court_id, number, meta, scan, title)
SELECT 1 + g % 3, '1:26-cv-' || g, jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g)),
       decode(md5(g::text), 'hex'), 'Doe v. Roe ' || g || repeat(' motion', 40)
FROM generate_series(1, CASES) g;
INSERT INTO "Audit Log" ("select", at) VALUES ('it''s', '2026-11-01 10:00+00'), ('100%', '2026-11-02 11:00+00');
INSERT INTO "it's 100%" (v) VALUES ('$1'), ('%s');
"""
TRICKY_TABLES = ["courts", "cases", "Audit Log", "it's 100%"]


def table_sums(pg, db) -> dict:
    """Per table: its rows' text, hashed in id order (the same data gives the same sums)."""
    return {t: pg.psql(f"SET TimeZone = 'UTC'; SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' "
                       f"ORDER BY id), '')) FROM public.\"{t.replace(chr(34), chr(34) * 2)}\" t", dbname=db)
            for t in TRICKY_TABLES}


@pytest.mark.parametrize("target_kind", ["empty", "migrated"])
def test_a_tricky_source_loads_exactly_into_an_empty_and_a_migrated_target(pg, target_kind):
    source = new_db(pg, TRICKY.replace("CASES", "500"))
    # "migrated": the same schema, made by the app's own DDL, holding other rows; "empty": a new database.
    target = new_db(pg, (TRICKY.replace("CASES", "3")) if target_kind == "migrated" else None)
    args = {"source": dsn(pg, source), "target": dsn(pg, target), "overwrite": True}
    first = load(args)
    assert first.returncode == 0 and first.result["changed"] is True, first.result.get("msg", first.stdout[-3000:])
    assert table_sums(pg, target) == table_sums(pg, source)
    assert load(args).result["changed"] is False
    # The sequences are past the loaded ids: inserts without an id work, with the next number.
    assert pg.psql("INSERT INTO courts (kind, name) VALUES ('district', 'New') RETURNING id", dbname=target) == "4"
    assert pg.psql("INSERT INTO cases (court_id, title) VALUES (1, 'x') RETURNING id", dbname=target) == "501"
    assert pg.psql("INSERT INTO \"it's 100%\" (v) VALUES ('x') RETURNING id", dbname=target) == "3"
    # The target's own structure: the trigram index, the generated column, the domain's check.
    assert pg.psql("SELECT count(*) FROM pg_indexes WHERE indexname = 'cases_title_trgm'", dbname=target) == "1"
    assert pg.psql("SELECT slug FROM courts WHERE id = 2", dbname=target) == "northern-district"
    bad = subprocess.run([str(pg_bindir() / "psql"), "-X", "-v", "ON_ERROR_STOP=1", dsn(pg, target), "-c",
                          "INSERT INTO cases (court_id, number, title) VALUES (1, 'nope', 'x')"],
                         capture_output=True, check=False)
    assert bad.returncode != 0 and b"docket" in bad.stderr


def _while_loading(pg, target, action):
    """Runs action() once the module's target session is copying rows; returns what it returned."""
    seen = {}

    def watch():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and "value" not in seen:
            busy = pg.psql("SELECT pid FROM pg_stat_activity WHERE application_name = 'precedentum.deploy "
                           f"rds_data_load' AND datname = '{target}' AND query LIKE 'COPY %'")
            if busy:
                seen["value"] = action(busy.split()[0])
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    return watcher, seen


def test_a_target_killed_mid_load_is_left_as_it_was(pg):
    source = new_db(pg, TRICKY.replace("CASES", "150000"))
    target = new_db(pg, TRICKY.replace("CASES", "3"))
    before = table_sums(pg, target)
    watcher, seen = _while_loading(pg, target, lambda pid: pg.psql(f"SELECT pg_terminate_backend({pid})"))
    run = load({"source": dsn(pg, source), "target": dsn(pg, target), "overwrite": True})
    watcher.join()
    assert seen.get("value") == "t", "the load ended before the target's session could be killed"
    assert run.returncode != 0 and "rolled back" in run.result["msg"], run.result
    assert table_sums(pg, target) == before
    assert pg.psql("SELECT count(*) FROM pg_class WHERE relname LIKE 'precedentum_load_%'", dbname=target) == "0"


def test_the_app_reads_the_tables_while_the_rows_are_copied(pg):
    """Rows go into temporary tables first: the app's tables are locked only for the final swap, so a reader
    with a 2 s statement timeout is served while the load copies."""
    source = new_db(pg, TRICKY.replace("CASES", "150000"))
    target = new_db(pg, TRICKY.replace("CASES", "3"))

    def read(_pid):
        return subprocess.run([str(pg_bindir() / "psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", dsn(pg, target),
                               "-c", "SET statement_timeout = '2s'", "-c", "SELECT count(*) FROM cases"],
                              capture_output=True, text=True, check=False)

    watcher, seen = _while_loading(pg, target, read)
    run = load({"source": dsn(pg, source), "target": dsn(pg, target), "overwrite": True})
    watcher.join()
    assert run.returncode == 0, run.result.get("msg")
    assert "value" in seen, "the load ended before the reader could try"
    assert seen["value"].returncode == 0 and seen["value"].stdout.split()[-1] == "3", seen["value"].stderr
    assert 0 < run.result["lock_seconds"] < run.result["seconds"]
