"""A throwaway PostgreSQL cluster that the tests own: initdb in a temporary folder, a free
loopback port, stopped and deleted at the end. Debian's server binaries (scripts/ensure-postgresql
installs them). PostgreSQL refuses to run as root, so as root it runs as the ``postgres`` user.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .emulator import HOST, free_port


def pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL server binaries not found: run `make setup` (scripts/ensure-postgresql)")
    return Path(found[-1]).parent


class PostgresCluster:
    def __init__(self, port: int | None = None):
        """A cluster to start on a free port, or (with ``port``) a handle on one already running."""
        self.port = port or free_port()
        self.dir: Path | None = None
        self.bindir = pg_bindir()
        self.as_root = os.geteuid() == 0

    def _run(self, *cmd: str) -> subprocess.CompletedProcess:
        if self.as_root:
            cmd = ("runuser", "-u", "postgres", "--", *cmd)
        return subprocess.run(cmd, check=True, capture_output=True, text=True)

    @property
    def dsn(self) -> str:
        return f"host={HOST} port={self.port} user=postgres dbname=postgres"

    def start(self) -> PostgresCluster:
        self.dir = Path(tempfile.mkdtemp(prefix="precedentum-pg-"))
        if self.as_root:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        self._run(str(self.bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-w", "start",
            "-o", f"-p {self.port} -k {self.dir} -c listen_addresses={HOST}",
        )
        return self

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        # The SQL goes on standard input, not the command line: it may hold a password, and the
        # process list is watched for passwords by the tests.
        out = subprocess.run(
            ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", HOST, "-p", str(self.port), "-U",
             "postgres", "-d", dbname, "-f", "-"],
            check=True, capture_output=True, text=True, input=sql,
        )
        return out.stdout.strip()

    def stop(self) -> None:
        if self.dir is None:
            return
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
