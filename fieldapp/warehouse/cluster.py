"""A PostgreSQL cluster of one's own in a folder, reached only through a Unix socket in it.

``fieldapp warehouse init --local FOLDER`` makes (or starts again) one for a province office
with a PC and no database administrator; the tests start throwaway ones the same way. The
cluster is the distribution's PostgreSQL (15 or newer: ``initdb`` and ``pg_ctl`` on the PATH,
in /usr/lib/postgresql/<version>/bin, or in FIELDAPP_PG_BIN). It listens on no network address:
``listen_addresses`` is empty and the socket lives in FOLDER, so only who may enter FOLDER
reaches it.

PostgreSQL refuses to run as root. Run as root (CI, a container), the cluster belongs to
another account (``postgres`` where the distribution's package made it, else ``nobody``):
FOLDER is given to that account and initdb and pg_ctl run as it; root still connects through
the socket (the cluster trusts local connections).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fieldapp.i18n.catalog import _
from fieldapp.warehouse.connect import WarehouseError

BIN_ENV = "FIELDAPP_PG_BIN"
SUPERUSER = "fieldapp"
DATABASE = "fieldapp"
PORT = 5432
MIN_VERSION = 15
_SOCKET_MAX = 100  # sun_path holds 108 bytes, ".s.PGSQL.5432" included


def find_bin() -> Path | None:
    """The folder of initdb and pg_ctl (version 15 or newer), or None."""
    candidates: list[Path] = []
    if os.environ.get(BIN_ENV):
        candidates.append(Path(os.environ[BIN_ENV]))
    found = shutil.which("initdb")
    if found:
        candidates.append(Path(found).resolve().parent)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: _number(p.parent.name), reverse=True)
    candidates += versions
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file() and \
                _version(folder) >= MIN_VERSION:
            return folder
    return None


def _number(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _version(folder: Path) -> int:
    try:
        out = subprocess.run([str(folder / "pg_ctl"), "--version"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return 0
    digits = "".join(ch if ch.isdigit() or ch == "." else " " for ch in out).split()
    return _number(digits[0].split(".")[0]) if digits else 0


def _owner() -> str | None:
    """The account that runs the cluster when we are root (None: ourselves)."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise WarehouseError(_("PostgreSQL does not run as root and this system has no other "
                           "account to run it as (postgres or nobody)."))


def _reachable(folder: Path, owner: str) -> None:
    """WarehouseError unless ``owner`` may enter every folder above ``folder``."""
    account = pwd.getpwnam(owner)
    for parent in folder.parents:
        st = parent.stat()
        bit = 0o100 if st.st_uid == account.pw_uid else \
            0o010 if st.st_gid == account.pw_gid else 0o001
        if not st.st_mode & bit:
            raise WarehouseError(_(
                "PostgreSQL runs as {account}, which cannot enter {folder}: choose a folder "
                "that every account may reach (for example under /srv or /var/lib).").format(
                account=owner, folder=parent))


@dataclass
class LocalCluster:
    """A cluster in ``folder`` (its data in ``folder/data``, its socket in ``folder``)."""

    folder: Path
    fast: bool = False
    """For throwaway clusters (tests, benchmarks): no fsync (a crash may lose the data)."""

    def __post_init__(self) -> None:
        self.folder = Path(self.folder).resolve()
        self.data = self.folder / "data"
        self.log = self.folder / "postgresql.log"

    # -- where ------------------------------------------------------------------------------
    def dsn(self, database: str = DATABASE) -> str:
        return f"host={self.folder} port={PORT} user={SUPERUSER} dbname={database}"

    @property
    def exists(self) -> bool:
        return (self.data / "PG_VERSION").is_file()

    def running(self) -> bool:
        if not self.exists:
            return False
        return self._pg_ctl("status", check=False).returncode == 0

    # -- making and starting ----------------------------------------------------------------
    def ensure(self) -> "LocalCluster":
        """Make the cluster if the folder has none, start it if it is not running, and make
        its ``fieldapp`` database."""
        if len(str(self.folder)) > _SOCKET_MAX:
            raise WarehouseError(_("The folder {folder} is too long a path for PostgreSQL's "
                                   "socket: choose a shorter one.").format(folder=self.folder))
        binaries = find_bin()
        if binaries is None:
            raise WarehouseError(_(
                "PostgreSQL {version} or newer is not installed (initdb and pg_ctl were not "
                "found): install it (Debian, Ubuntu: apt-get install postgresql) or set "
                "{env} to the folder that holds them.").format(version=MIN_VERSION,
                                                               env=BIN_ENV))
        self.bin = binaries
        self.folder.mkdir(parents=True, exist_ok=True)
        owner = _owner()
        if owner is not None:
            _reachable(self.folder, owner)
            shutil.chown(self.folder, owner, pwd.getpwnam(owner).pw_gid)
        if not self.exists:
            if self.data.exists() and any(self.data.iterdir()):
                raise WarehouseError(_("{folder} holds files that are not a PostgreSQL "
                                       "cluster.").format(folder=self.data))
            self._run([str(binaries / "initdb"), "-D", str(self.data), "-U", SUPERUSER,
                       "--auth=trust", "-E", "UTF8", "--no-locale", "--no-instructions"],
                      _("making the cluster"))
        if not self.running():
            options = f"-c listen_addresses='' -k {self.folder} -p {PORT}"
            if self.fast:
                options += (" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                            " -c max_wal_size=4GB -c checkpoint_timeout=30min")
            self._pg_ctl("start", "-w", "-t", "120", "-l", str(self.log), "-o", options)
        self._create_database(DATABASE)
        return self

    def create_database(self, name: str) -> str:
        """A new empty database in the cluster; its DSN."""
        self._create_database(name)
        return self.dsn(name)

    def _create_database(self, name: str) -> None:
        from fieldapp.warehouse.connect import connect

        with connect(self.dsn("postgres"), autocommit=True) as conn:
            if not conn.execute("select 1 from pg_database where datname = %s",
                                [name]).fetchone():
                conn.execute(f'create database "{name}"')

    def stop(self) -> None:
        if self.running():
            self._pg_ctl("stop", "-m", "fast", "-w")

    # -- running the binaries -----------------------------------------------------------------
    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        bin_dir = getattr(self, "bin", None) or find_bin()
        if bin_dir is None:
            raise WarehouseError(_("PostgreSQL is not installed (pg_ctl was not found)."))
        command = [str(bin_dir / "pg_ctl"), "-D", str(self.data), *args]
        if not check:
            return subprocess.run(command, capture_output=True, text=True,
                                  user=_owner(), timeout=180)
        return self._run(command, _("starting or stopping the cluster"))

    def _run(self, command: list[str], what: str) -> subprocess.CompletedProcess:
        done = subprocess.run(command, capture_output=True, text=True, user=_owner(),
                              timeout=300)
        if done.returncode != 0:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise WarehouseError(_("PostgreSQL failed {what}: {error}").format(
                what=what, error=detail[-1] if detail else done.returncode))
        return done
