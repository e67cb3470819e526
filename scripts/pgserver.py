"""A throwaway PostgreSQL server on loopback, for the tests and the benchmarks.

    python scripts/pgserver.py          # start one, print its MJ_STORE URL, stop it on Ctrl-C

It uses Debian's server binaries (installed by scripts/install-postgresql when missing): `initdb`
in a new temporary directory with password (SCRAM) authentication, `pg_ctl start` on a free
loopback port with the socket kept inside that directory, one database, and `pg_ctl stop` plus
removal of the directory at the end. PostgreSQL refuses to run as root, so under root the server
commands run as the `postgres` user that Debian's package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def server_bin_dir() -> Path:
    """The newest installed server's bin directory, installing the server when there is none."""
    def found() -> list[str]:
        return sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))

    if not found() and not shutil.which("pg_ctl"):
        subprocess.run([str(ROOT / "scripts" / "install-postgresql")], check=True)
    if found():
        return Path(found()[-1]).parent
    return Path(shutil.which("pg_ctl") or "pg_ctl").resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThrowawayPostgres:
    """`with ThrowawayPostgres() as pg: pg.url` — a fresh server and database, gone afterwards."""

    def __init__(self, *, user: str = "mj", dbname: str = "mj"):
        self.user, self.dbname = user, dbname
        self.password = secrets.token_urlsafe(18)
        self.bin = server_bin_dir()
        self.base = Path(tempfile.mkdtemp(prefix="mj-pg-"))
        self.data, self.log = self.base / "data", self.base / "server.log"
        self.port = free_port()
        self._as_server_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
            self._as_server_user = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.dbname}"

    def url_with(self, **parts: str) -> str:
        """The URL with some of user, password, port or dbname changed (for the error tests)."""
        p = {"user": self.user, "password": self.password, "port": str(self.port), "dbname": self.dbname, **parts}
        return f"postgresql://{p['user']}:{p['password']}@127.0.0.1:{p['port']}/{p['dbname']}"

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_server_user, *args], check=True, capture_output=True, text=True)

    def start(self) -> ThrowawayPostgres:
        pwfile = self.base / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as_server_user:
            shutil.chown(pwfile, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", self.user, "--pwfile", str(pwfile),
                  "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync")
        pwfile.unlink()
        self.server_start()
        self._create_database()
        return self

    def _create_database(self) -> None:
        env = {**os.environ, "PGPASSWORD": self.password}
        subprocess.run([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
                        self.dbname], check=True, capture_output=True, text=True, env=env)

    def server_start(self) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=60"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def server_stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.server_stop()
        self.server_start()

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.server_stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> ThrowawayPostgres:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    import signal
    import time

    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` cleans up as Ctrl-C does
    with ThrowawayPostgres() as pg:
        print(f"MJ_STORE={pg.url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
