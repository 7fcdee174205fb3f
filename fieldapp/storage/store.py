"""The local database of one laptop: its connection, identity, clock and repositories.

Reads go straight through the connection. Writes of synced records go through
:class:`fieldapp.storage.writer.RecordWriter` (change log first, then the tables), inside
:meth:`Store.transaction`, which takes SQLite's write lock at once (``BEGIN IMMEDIATE``).

The clock's state lives in the database (``app_meta.hlc_last``): each write transaction first
catches up with the stamp last persisted and persists its own last stamp before committing.
So every connection that writes the file (the app's writer thread, a command run beside the
app) continues one strictly increasing sequence, and ``hlc_last`` is never behind the log.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fieldapp.core.clock import HybridLogicalClock, new_id
from fieldapp.core.kinds import MEMBER, STAFF, TRAINER
from fieldapp.i18n.text import nfc
from fieldapp.storage import db as dbmod
from fieldapp.storage.changelog import ChangeLog
from fieldapp.storage.engine import sqlite
from fieldapp.storage.repositories import (  # ROLES: re-exported
    ROLES, AttachmentRepository, AuditRepository, CommuneRepository, ConflictRepository,
    DeviceRepository, ErasureRepository, HouseholdRepository, PersonRepository, UserRepository,
    VillageRepository)
from fieldapp.storage.settings import LocalSettings
from fieldapp.storage.workflows import (
    AttendanceRepository, ClassRepository, EnrolmentRepository, FieldWorkExport,
    ProgressRepository, SessionPersonRepository, SessionRepository, TeamMemberRepository,
    TeamRepository)
from fieldapp.storage.writer import RecordWriter


_SAVEPOINTS = itertools.count(1)  # names of nested transactions (unique per process)


class Store:
    """The local database of one laptop. Create with :meth:`open`."""

    def __init__(self, conn: sqlite.Connection, path: Path | None = None, *,
                 wall: Callable[[], float] = time.time, key: bytes | None = None):
        """``conn``: an open connection from :func:`fieldapp.storage.db.connect`; ``key``:
        the database key it was opened with (None for a plain database)."""
        self.conn = getattr(conn, "conn", conn)
        self.path = path
        self.key = key
        self._user_id: str | None = None
        self._wall = wall
        self._depth = 0
        self._checked = False  # a quick check passed on this connection
        self.log = ChangeLog(self.conn)
        self.device_id = self._ensure_device()
        self.clock = HybridLogicalClock(self.device_id, self.meta("hlc_last"), wall=wall)
        self.writer = RecordWriter(self.conn, self.log, self.clock)
        self.settings = LocalSettings(self)
        self.communes = CommuneRepository(self)
        self.villages = VillageRepository(self)
        self.users = UserRepository(self)
        self.devices = DeviceRepository(self)
        self.households = HouseholdRepository(self)
        self.persons = PersonRepository(self)
        self.attachments = AttachmentRepository(self)
        self.conflicts = ConflictRepository(self)
        self._lists = None
        self.teams = TeamRepository(self)
        self.team_members = TeamMemberRepository(self)
        self.sessions = SessionRepository(self)
        self.session_persons = SessionPersonRepository(self)
        self.classes = ClassRepository(self)
        self.enrolments = EnrolmentRepository(self)
        self.attendance = AttendanceRepository(self)
        self.progress = ProgressRepository(self)
        self.field_export = FieldWorkExport(self)
        self.audit = AuditRepository(self)
        self.erasures = ErasureRepository(self)
        self._submissions = None
        self._pack_entries = None

    @classmethod
    def open(cls, path: Path | str, *, key: bytes | None = None, **kwargs) -> "Store":
        """Open (creating and migrating if needed) the database at ``path``; ``key``: the
        key of an encrypted database (see fieldapp.storage.keyring)."""
        from fieldapp.storage.engine import is_encrypted_file

        path = Path(path)
        conn = dbmod.connect(path, key=key)
        if key is not None and path.exists() and not is_encrypted_file(path):
            key = None  # a plain database: nothing to keep
        try:
            return cls(conn, path, key=key, **kwargs)
        except sqlite.OperationalError as exc:  # e.g. a full disk, writing the device's id
            conn.close()
            raise dbmod._describe(path, exc, encrypted=key is not None) from exc

    @property
    def indicator_sums(self):
        """The commune's indicator sums (fieldapp.storage.indicator_sums)."""
        from fieldapp.storage.indicator_sums import IndicatorSums

        return IndicatorSums(self)

    @property
    def user_id(self) -> str | None:
        """The signed-in team member (fieldapp.services.workspace sets it); without a
        sign-in (a command on a plain database), the member who last signed in here."""
        return self._user_id if self._user_id is not None else self.meta("current_user_id")

    @user_id.setter
    def user_id(self, value: str | None) -> None:
        self._user_id = value

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def backup(self, reason: str, *, out: Path | None = None) -> Path:
        """A verified copy of this database, encrypted like it (fieldapp.storage.backup);
        into its backups folder (rotated) or ``out``. Not inside a transaction."""
        from fieldapp.storage.backup import backup_database

        if self.path is None:
            raise ValueError("an in-memory database has no backups")
        if self._depth:
            raise RuntimeError("a backup is taken outside a transaction")
        if self.conn.in_transaction:  # a stray implicit transaction
            self.conn.commit()
        return backup_database(self.path, self.key, reason, conn=self.conn, out=out)

    def quick_check(self) -> list[str]:
        """SQLite's quick check (problems found; none: []). One that passed is not run again on
        this connection: signing in to an encrypted database checks it, and the start-up
        checks what it opened (3.4 s each at 50,000 households)."""
        if self._checked:
            return []
        problems = dbmod.quick_check(self.conn)
        self._checked = not problems
        return problems

    @property
    def lists(self):
        """Pages of households and persons and the forms' registry lists (imported on first
        use: the sign-in's first frame does without them)."""
        if self._lists is None:
            from fieldapp.storage.registry import RegistryLists

            self._lists = RegistryLists(self)
        return self._lists

    @property
    def submissions(self):
        """Submissions and the form versions they used (imported on first use)."""
        if self._submissions is None:
            from fieldapp.storage.submissions import SubmissionRepository

            self._submissions = SubmissionRepository(self)
        return self._submissions

    @property
    def pack_entries(self):
        """Label pack entries (fieldapp.storage.pack_entries; imported on first use)."""
        if self._pack_entries is None:
            from fieldapp.storage.pack_entries import PackEntryRepository

            self._pack_entries = PackEntryRepository(self)
        return self._pack_entries

    def query(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        """Rows of a read query as dicts."""
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def record(self, table: str, record_id: str) -> dict[str, Any] | None:
        """The row of a synced record of any kind (fieldapp.core.kinds), or None."""
        from fieldapp.core.kinds import kind

        rows = self.query(f"select * from [{kind(table).table}] where id = ?", [record_id])
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Any = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def page_cache(self, mib: int) -> Iterator[None]:
        """A larger page cache for a bulk write (given back after it): SQLite allocates it
        only as pages are read, so it costs memory only when the work needs it."""
        before = self.conn.execute("pragma cache_size").fetchone()[0]
        self.conn.execute(f"pragma cache_size = -{int(mib) * 1024}")
        try:
            yield
        finally:
            self.conn.execute(f"pragma cache_size = {int(before)}")

    # -- transactions -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One user action = one transaction; nested calls become savepoints."""
        if self._depth:
            name = f"sp_{next(_SAVEPOINTS)}"
            self.conn.execute(f"savepoint {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self.conn.execute(f"rollback to savepoint {name}")
                self.conn.execute(f"release savepoint {name}")
                self.log.forget_cache()
                self.writer.erasures.forget_cache()
                raise
            else:
                self.conn.execute(f"release savepoint {name}")
            finally:
                self._depth -= 1
            return
        if self.conn.in_transaction:  # a stray implicit transaction: finish it first
            self.conn.commit()
        self.conn.execute("begin immediate")
        self._depth = 1
        try:
            self.clock.absorb(self.meta("hlc_last"))
            yield
            self._put_meta("hlc_last", self.clock.last)
            if self.writer.erasures.performed:
                self._put_meta("scrub_pending", "1")
            self.conn.execute("commit")
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("rollback")
            self.log.forget_cache()
            self.writer.erasures.forget_cache()
            self.writer.erasures.performed = False
            raise
        finally:
            self._depth = 0
        if self.writer.erasures.performed:
            self.scrub()

    def scrub(self) -> bool:
        """After an erasure: rebuild the name-search index without the erased names, rewrite
        the file (VACUUM) so no freed page keeps their bytes, and empty the WAL. Returns
        whether it finished (another connection reading may make VACUUM wait; then
        ``scrub_pending`` stays set and the next start finishes it)."""
        from fieldapp.storage.derived import SEARCH_TABLES, rebuild_name_search

        erasures = self.writer.erasures
        erasures.performed = False
        try:
            # FTS5 keeps a deleted document's words in its index until its segments merge:
            # merged now, so VACUUM does not copy the erased names into the new file.
            with self.transaction():
                for table in SEARCH_TABLES:
                    self.conn.execute(f"insert into {table}({table}) values ('optimize')")
            self.conn.execute("vacuum")
        except sqlite.OperationalError:
            return False
        with self.transaction():  # VACUUM may renumber the rowids search documents use
            rebuild_name_search(self.conn)
            self._put_meta("scrub_pending", None)
        self.conn.execute("pragma wal_checkpoint(truncate)")
        return True

    # -- metadata and device identity -------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        value = self.scalar("select value from app_meta where key = ?", [key])
        return default if value is None else value

    def _put_meta(self, key: str, value: str | None) -> None:
        if value is None:
            self.conn.execute("delete from app_meta where key = ?", [key])
        else:
            self.conn.execute("insert into app_meta(key, value) values (?, ?) "
                              "on conflict(key) do update set value = excluded.value",
                              [key, nfc(value)])

    def set_meta(self, key: str, value: str | None) -> None:
        """Set a local (never synced) value; None removes it."""
        with self.transaction():
            self._put_meta(key, value)

    def _ensure_device(self) -> str:
        device = self.meta("device_id")
        if not device:
            import socket  # only for a new database

            device = new_id()
            self.conn.execute("begin immediate")
            try:
                self._put_meta("device_id", device)
                self._put_meta("device_name", nfc(socket.gethostname()))
                self.conn.execute("commit")
            except BaseException:
                if self.conn.in_transaction:  # a failed commit (a full disk) rolled back
                    self.conn.execute("rollback")
                raise
        return device

    def set_device(self, device_id: str, name: str) -> None:
        """Give a new, empty database a chosen device identity (the demo's seeded one)."""
        if self.log.count():
            raise ValueError("the device of a database with changes cannot change")
        with self.transaction():
            self._put_meta("device_id", device_id)
            self._put_meta("device_name", name)
            self._put_meta("hlc_last", None)
        self.device_id = device_id
        self.clock = HybridLogicalClock(device_id, None, wall=self._wall)
        self.writer.clock = self.clock

    @property
    def device_name(self) -> str:
        return self.meta("device_name") or self.device_id[:8]

    @property
    def is_set_up(self) -> bool:
        return self.meta("setup_done") == "1"

    @property
    def is_demo(self) -> bool:
        return self.meta("is_demo") == "1"

    def commune(self) -> dict[str, Any] | None:
        commune_id = self.meta("commune_id")
        return self.communes.get(commune_id) if commune_id else None

    def dump(self) -> Iterator[str]:
        """Every synced record as one canonical JSON line (table, then id order): two
        databases that hold the same records give the same lines, whatever their history.
        Upward-only kinds are left out (the audit log records what each laptop did: two
        laptops that imported the same packages hold the same data, not the same events),
        and so are secret fields (PIN hashes), which never leave a laptop
        (fieldapp.core.kinds)."""
        import json

        from fieldapp.core.kinds import dumped

        for kind in dumped():
            cursor = self.conn.execute(f"select * from [{kind.table}] order by id")
            names = [d[0] for d in cursor.description]
            keep = [i for i, n in enumerate(names) if n not in kind.secret]
            for values in cursor:
                row = {names[i]: (values[i].hex() if isinstance(values[i], bytes)
                                  else values[i]) for i in keep}
                yield json.dumps({"table": kind.table, **row}, ensure_ascii=False,
                                 sort_keys=True)

    def counts(self) -> dict[str, int]:
        return dbmod.live_counts(self.conn)
