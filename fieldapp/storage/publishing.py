"""What a province database hands its warehouse (fieldapp.warehouse): its records as they are
merged, the commune each belongs to, its change log by groups, and what erasures removed.

Only reads. The commune of a record comes from the kinds' declarations (fieldapp.core.kinds):
its commune field, its village's commune, or the commune of the record its scope reference
names; a record placed nowhere (a team member, an erasure, an audit event) belongs to the
commune whose register holds the laptop that created it, else to the province office itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fieldapp.core.kinds import BY_TABLE, KINDS, PROVINCE, Kind, merge_references
from fieldapp.storage.changelog import LoggedGroup

if TYPE_CHECKING:  # pragma: no cover
    from fieldapp.storage.store import Store

SYNC_COLUMNS = ("device_id", "created_at", "updated_at", "rev", "deleted", "deleted_reason")
"""The columns every synced table has beside its fields (fieldapp.storage.schema)."""
_CHUNK = 500
_REGISTER = BY_TABLE["devices"]
"""The commune's register of laptops (fieldapp.core.authority): ``device`` is the laptop."""


def _marks(values: list) -> str:
    return ", ".join("?" for _ in values)


def published_fields(kind: Kind) -> tuple[str, ...]:
    """The fields of a kind a warehouse holds: all but the secret ones (PIN hashes)."""
    return tuple(f.name for f in kind.fields if not f.secret)


def _place(kind: Kind, alias: str, depth: int = 0) -> str | None:
    """SQL for the commune of rows ``alias`` of ``kind`` as its declaration places it."""
    if kind.table == "communes":
        return f"{alias}.id"
    if kind.commune_field:
        return f"{alias}.[{kind.commune_field}]"
    parts = []
    for field in (kind.scope_ref[0] if kind.scope_ref else None, kind.village_field):
        if field is None:
            continue
        parent = BY_TABLE[kind.by_name[field].ref.kind]
        inner = f"p{depth}"
        found = _place(parent, inner, depth + 1)
        if found is not None:
            parts.append(f"(select {found} from [{parent.table}] {inner} "
                         f"where {inner}.id = {alias}.[{field}])")
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


def _creator(alias: str) -> str:
    """SQL for the commune whose register holds the laptop that created rows ``alias``."""
    reg = _REGISTER
    return (f"(select r.[{reg.commune_field}] from [{reg.table}] r where "
            f"r.device = {alias}.device_id and r.role != '{PROVINCE}' "
            "order by r.deleted, r.id limit 1)")


def commune_sql(kind: Kind, alias: str, office: str) -> str:
    """SQL for the commune a record of ``kind`` belongs to (``office``: the province's own)."""
    parts = [p for p in (_place(kind, alias), _creator(alias)) if p]
    return f"coalesce({', '.join(parts)}, '{office}')"


class PublishSource:
    """One province database as a warehouse reads it."""

    def __init__(self, store: "Store"):
        self.store = store
        self.conn = store.conn
        self.office = store.meta("commune_id") or ""
        if "'" in self.office:
            raise ValueError("a commune id holds a quote")
        self._columns: dict[str, tuple[str, ...]] = {}

    # -- who ----------------------------------------------------------------------------------
    @property
    def device(self) -> str:
        return self.store.device_id

    def province(self) -> tuple[str, str]:
        """(id, name) of the province this database is the office of."""
        own = self.store.commune() or {}
        return self.office, own.get("province") or own.get("name") or ""

    def office_name(self) -> str:
        """The province office's own name (as its reports head it)."""
        return (self.store.commune() or {}).get("name") or ""

    def communes(self) -> dict[str, str]:
        """{commune id: name} of every commune held, the office's own included."""
        return dict(self.conn.execute("select id, name from communes"))

    def device_communes(self) -> dict[str, str]:
        """{device: commune} of the laptops the communes' registers hold (not the province's,
        which every commune registers)."""
        reg = _REGISTER
        out: dict[str, str] = {}
        for device, commune in self.conn.execute(
                f"select device, [{reg.commune_field}] from [{reg.table}] "
                f"where role != ? order by deleted desc, id desc", [PROVINCE]):
            out[device] = commune
        return out

    # -- reading in one snapshot ----------------------------------------------------------------
    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the database (another laptop's import may commit
        meanwhile: what it adds comes with the next publish)."""
        if self.conn.in_transaction:
            self.conn.commit()
        self.conn.execute("begin")
        try:
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("rollback")

    # -- the log ---------------------------------------------------------------------------------
    def last_seq(self) -> int:
        return self.store.log.last_seq()

    def groups_after(self, seq: int, limit: int) -> tuple[list[LoggedGroup], int]:
        return self.store.log.groups_after(seq, limit)

    def history_of(self, records: list[str], through: int) -> list[LoggedGroup]:
        """Every group of these records up to sequence number ``through``, in log order."""
        log = self.store.log
        recs = [rec for rec, _t in log.recs(records).values()]
        out: list[LoggedGroup] = []
        key = None
        for seq, change in log.of_recs(recs, before=through + 1):
            here = (change.record, change.stamp)
            if here != key:
                key = here
                group = LoggedGroup(seq, change.table, change.record, change.stamp.hlc,
                                    change.stamp.device, {}, {}, {})
                out.append(group)
            group.seq = seq
            group.fields[change.field] = change.value
            if change.prev is not None:
                group.prev[change.field] = (change.prev.hlc, change.prev.device)
            if change.merges:
                group.merges[change.field] = [(m.hlc, m.device) for m in change.merges]
        return out

    # -- records -----------------------------------------------------------------------------
    def columns(self, kind: Kind) -> tuple[str, ...]:
        """The columns a warehouse row of ``kind`` is read with: id, fields, sync columns."""
        if kind.table not in self._columns:
            self._columns[kind.table] = ("id", *published_fields(kind), *SYNC_COLUMNS)
        return self._columns[kind.table]

    def _select(self, kind: Kind) -> str:
        columns = ", ".join(f"t.[{c}]" for c in self.columns(kind))
        return (f"select {commune_sql(kind, 't', self.office)}, {columns} "
                f"from [{kind.table}] t")

    def rows(self, table: str, ids: Iterable[str]) -> list[tuple]:
        """(commune, id, fields..., sync columns...) of these records that have a row."""
        kind = BY_TABLE[table]
        sql = self._select(kind)
        out: list[tuple] = []
        for chunk in _chunks(sorted(set(ids))):
            out += self.conn.execute(f"{sql} where t.id in ({_marks(chunk)})", chunk).fetchall()
        return out

    def count_rows(self, table: str) -> int:
        """How many rows :meth:`all_rows` gives (for a first publish's progress)."""
        return self.conn.execute(f"select count(*) from [{BY_TABLE[table].table}]").fetchone()[0]

    def all_rows(self, table: str) -> Iterator[tuple]:
        """Every row of a table as :meth:`rows` gives them (streamed)."""
        yield from self.conn.execute(self._select(BY_TABLE[table]))

    def merge_referrers(self, ids: set[str]) -> dict[str, set[str]]:
        """{table: ids} of the records whose merge-following reference shows one of these
        households or the household one of them was merged into (their rows change with a
        merge, their log does not)."""
        merging = [k for k in KINDS if k.merged_into]
        targets = set(ids)
        for kind in merging:
            for chunk in _chunks(sorted(ids)):
                targets.update(r[0] for r in self.conn.execute(
                    f"select [{kind.merged_into}] from [{kind.table}] where id in "
                    f"({_marks(chunk)}) and [{kind.merged_into}] is not null", chunk))
        out: dict[str, set[str]] = {}
        for table, column in merge_references():
            for chunk in _chunks(sorted(targets)):
                found = {r[0] for r in self.conn.execute(
                    f"select id from [{table}] where [{column}] in ({_marks(chunk)})", chunk)}
                if found:
                    out.setdefault(table, set()).update(found)
        return out

    # -- erasures -----------------------------------------------------------------------------
    def erased(self) -> dict[str, str]:
        """{record id: table} of every record an erasure removed here."""
        return dict(self.conn.execute("select rid, tbl from erased"))

    def erased_fields(self) -> set[tuple[str, str]]:
        """(record id, answer path) of the answers erasures removed inside kept records."""
        return set(self.conn.execute("select rid, prefix from erased_fields"))


def _chunks(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]
