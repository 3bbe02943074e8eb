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


def test_pump_between_pipes_and_through_a_buffer():
    data = os.urandom(3 * pgload.CHUNK + 17)
    read_fd, write_fd = os.pipe()
    out_read, out_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a writer, as pg_dump would be
        os.close(read_fd)
        for i in range(0, len(data), 65536):
            os.write(write_fd, data[i:i + 65536])
        os._exit(0)
    os.close(write_fd)
    reader_pid = os.fork()
    if reader_pid == 0:  # a reader, as psql would be
        os.close(out_write)
        received = b""
        while chunk := os.read(out_read, 1 << 16):
            received += chunk
        os._exit(0 if received == data else 1)
    os.close(out_read)
    with os.fdopen(read_fd, "rb") as source, os.fdopen(out_write, "wb") as sink:
        assert pgload.pump(source, sink) == len(data)
    os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(os.waitpid(reader_pid, 0)[1]) == 0
    sink = io.BytesIO()
    assert pgload.pump(io.BytesIO(data), sink) == len(data) and sink.getvalue() == data
