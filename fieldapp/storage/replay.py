"""``fieldapp check --deep``: the tables are exactly what a replay of the change log gives.

The change log is the authority; the tables are its read model, kept up to date write by
write (fieldapp.storage.writer and receive). A bug on that incremental path (a survivor row
left stale after a merge, a row an import forgot) would not show in any count. The deep check
replays the log into a scratch database made by the same migrations (encrypted with the same
key, in the same folder, removed afterwards), recomputes every synced table there from the log
alone (:meth:`RecordWriter.rebuild`), and compares both, table by table and row by row,
conflicts included.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fieldapp.core.clock import HybridLogicalClock
from fieldapp.core.kinds import KINDS
from fieldapp.storage import engine

LOG_TABLES = ("sync_devices", "sync_fields", "sync_records", "changes", "change_merges",
              "erased", "erased_fields")
"""What the replay starts from: the log, and what erasures removed from it."""


@dataclass(frozen=True)
class Difference:
    table: str
    record: str
    how: str
    """"differs", "not in the log" (a row the log does not make), "missing" (a row the log
    makes that the table lacks)."""


def replay_differences(path: Path, key: bytes | None = None, *, limit: int = 200,
                       progress: Callable[[int, int], None] = lambda d, t: None
                       ) -> list[Difference]:
    """The records whose row differs from the replay of the log (at most ``limit``)."""
    from fieldapp.storage import db as dbmod
    from fieldapp.storage.changelog import ChangeLog
    from fieldapp.storage.writer import RecordWriter

    path = Path(path)
    folder = Path(tempfile.mkdtemp(prefix=".replay-", dir=path.parent))
    scratch = folder / "replay.db"
    try:
        conn = dbmod.connect(scratch, key=key)
        try:
            if key is None:
                conn.execute("attach database ? as src", [str(path)])
            else:
                engine.attach_encrypted(conn, path, "src", key)
            conn.execute("begin")
            # The scratch tables are compared, not searched: no search documents or survey
            # status kept by triggers (a third of the replay).
            for (trigger,) in conn.execute(
                    "select name from main.sqlite_master where type = 'trigger'").fetchall():
                conn.execute(f"drop trigger main.[{trigger}]")
            for table in LOG_TABLES:
                conn.execute(f"insert into main.[{table}] select * from src.[{table}]")
            progress(1, 3)
            RecordWriter(conn, ChangeLog(conn), HybridLogicalClock("replay")).rebuild()
            conn.execute("commit")
            progress(2, 3)
            out = _compare(conn, limit)
            progress(3, 3)
            return out
        finally:
            conn.close()
    finally:
        for leftover in sorted(folder.iterdir(), reverse=True):
            leftover.unlink()
        folder.rmdir()


def merge_problems(conn) -> list[Difference]:
    """The quick part of the deep check, run by every ``fieldapp check``: the rows a merge of
    records derives (the survivor shows what was forwarded to it, references show the
    survivor) are what the log makes of them. ``conn``: the database, read only."""
    from fieldapp.core.kinds import BY_TABLE, merge_references
    from fieldapp.storage.changelog import ChangeLog
    from fieldapp.storage.writer import RecordWriter

    merging = next(k for k in KINDS if k.merged_into)
    table, field = merging.table, merging.merged_into
    writer = RecordWriter(conn, ChangeLog(conn), HybridLogicalClock("check"))
    absorbed = dict(conn.execute(f"select id, [{field}] from [{table}] "
                                 f"where [{field}] is not null and [{field}] != id").fetchall())
    out: list[Difference] = []
    for ref_table, column in merge_references():
        for (record,) in conn.execute(
                f"select id from [{ref_table}] where [{column}] in "
                f"(select id from [{table}] where [{field}] is not null and [{field}] != id)"):
            out.append(Difference(ref_table, record, "differs"))
    for survivor in sorted({writer._survivor(a) for a in absorbed}):
        state = writer.state(table, survivor)
        cursor = conn.execute(f"select * from [{table}] where id = ?", [survivor])
        names = [d[0] for d in cursor.description]
        row = cursor.fetchone()
        expected = writer._row(BY_TABLE[table].record_type, state) if state else None
        if (row is None) != (expected is None) or (row is not None and any(
                expected.get(n) != v for n, v in zip(names, row) if n in expected)):
            out.append(Difference(table, survivor, "differs"))
    return out


def _compare(conn, limit: int) -> list[Difference]:
    out: list[Difference] = []
    for kind in KINDS:
        table = kind.table
        replayed = {r[0] for r in conn.execute(
            f"select id from (select * from main.[{table}] except select * from src.[{table}])")}
        stored = {r[0] for r in conn.execute(
            f"select id from (select * from src.[{table}] except select * from main.[{table}])")}
        for record in sorted(replayed | stored):
            in_main = conn.execute(f"select 1 from main.[{table}] where id = ?",
                                   [record]).fetchone() is not None
            in_src = conn.execute(f"select 1 from src.[{table}] where id = ?",
                                  [record]).fetchone() is not None
            how = "differs" if in_main and in_src else (
                "not in the log" if in_src else "missing")
            out.append(Difference(table, record, how))
            if len(out) >= limit:
                return out
    for (record,) in conn.execute(
            "select rid from (select * from main.conflicts except select * from src.conflicts "
            "union all select * from (select * from src.conflicts except "
            "select * from main.conflicts)) group by rid"):
        out.append(Difference("conflicts", record, "differs"))
        if len(out) >= limit:
            break
    return out
