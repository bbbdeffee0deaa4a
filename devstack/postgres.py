"""A throwaway PostgreSQL cluster in a temporary directory, for the tests and the benchmark.

The binaries are Debian's `postgresql` package (`initdb`, `pg_ctl`; `.ci/run` installs it
when they are missing). PostgreSQL refuses to run as root, so under root the cluster runs
as the package's `postgres` system user (or `nobody`) through `runuser`. It listens on
127.0.0.1 on a free port with its socket inside the temporary directory, so it touches
nothing of a system cluster, and asks TCP clients for a password (scram), as a deployed
server would: the URLs it hands out carry one, like `FLOWDESK_CRM_URL`.
"""

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import asyncpg

from devstack.processes import free_port

SUPERUSER = "postgres"
INSTALL_HINT = "install Debian's postgresql package (apt-get install postgresql)"


class PostgresMissing(RuntimeError):
    """No `initdb`/`pg_ctl` here: the caller decides whether that fails or stops it."""


def binaries() -> Path:
    """The folder holding `initdb` and `pg_ctl`: from PATH, else Debian's versioned folder."""
    on_path = shutil.which("initdb"), shutil.which("pg_ctl")
    if all(on_path):
        return Path(str(on_path[0])).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if all((Path(folder) / name).exists() for name in ("initdb", "pg_ctl")):
            return Path(folder)
    raise PostgresMissing(f"PostgreSQL's initdb and pg_ctl were not found: {INSTALL_HINT}")


def _run_as() -> list[str]:
    """`runuser -u <user> --` under root (PostgreSQL will not run as root), else nothing."""
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        if shutil.which("runuser") and _user_exists(user):
            return ["runuser", "-u", user, "--"]
    raise PostgresMissing("running as root, and no unprivileged user to run PostgreSQL as")


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


class PostgresCluster:
    """`start()` makes and starts the cluster, `stop()` stops it and removes every file.

    `fast` turns off fsync and synchronous commits: right for tests, whose data is thrown
    away; a benchmark that claims production-like figures keeps them on."""

    def __init__(self, fast: bool = False) -> None:
        self.bin = binaries()
        self.fast = fast
        self.password = secrets.token_urlsafe(24)
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="flowdesk-pg-"))
        self.data = self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}:{self.password}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        prefix = _run_as()
        pwfile = self.root / "pwfile"
        pwfile.write_text(self.password + "\n")
        if prefix:
            shutil.chown(self.root, user=prefix[2])
            shutil.chown(pwfile, user=prefix[2])
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        if self.fast:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            prefix,
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "-E", "UTF8", "--no-sync",
            "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
        )  # fmt: skip
        pwfile.unlink()
        self._run(
            prefix, "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
            "-o", options, "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run(_run_as(), "pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, prefix: list[str], program: str, *args: str) -> None:
        done = subprocess.run(
            [*prefix, str(self.bin / program), *args],
            capture_output=True,
            text=True,
            cwd=self.root,
            timeout=120,
        )
        if done.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{program} failed: {done.stderr.strip()}\n{tail}")

    async def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        admin = await asyncpg.connect(self.url())
        try:
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        return self.url(name)

    async def drop_database(self, name: str) -> None:
        admin = await asyncpg.connect(self.url())
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()
