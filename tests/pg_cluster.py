"""A throwaway PostgreSQL server of the test's own (initdb + pg_ctl on a free port), so a test
can stop and restart the database under a running rapport.  Needs PostgreSQL's server
binaries (Debian's `postgresql` package); as root it runs them as the `postgres` user."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def server_bin() -> Path | None:
    """Where initdb and pg_ctl are, if PostgreSQL's server is installed."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    data: Path
    port: int
    bindir: Path
    as_postgres: bool

    @property
    def url(self) -> str:
        return f"postgresql://rapport@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        opts = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.data / "log"), "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")


@contextlib.contextmanager
def cluster() -> Iterator[Cluster]:
    """A running PostgreSQL server on 127.0.0.1, removed afterwards."""
    from tests.conftest import no_postgres

    bindir = server_bin()
    if bindir is None:
        no_postgres("PostgreSQL's server binaries are not installed")
    as_postgres = os.geteuid() == 0
    data = Path(tempfile.mkdtemp(prefix="rapport-pg-"))
    if as_postgres:
        shutil.chown(data, "postgres")
    c = Cluster(data / "db", _free_port(), bindir, as_postgres)
    c.data.mkdir()
    if as_postgres:
        shutil.chown(c.data, "postgres")
    c._run("initdb", "-D", str(c.data), "-A", "trust", "-U", "rapport", "--no-sync")
    c.start()
    try:
        yield c
    finally:
        with contextlib.suppress(Exception):
            c.stop("immediate")
        shutil.rmtree(data, ignore_errors=True)
