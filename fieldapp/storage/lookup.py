"""Households and persons a page at a time, in Vietnamese name order, at province scale.

A list on screen shows some thirty rows of what may be a million: the household list, a form's
``persons.csv`` question, the people ticked in a support session. A :class:`Plan` is computed
once per query (what the user typed and the filters) and then serves any page of the result:

- no text: the rows come straight from an index in name order (``deleted, head_sort, id``),
  page after page by keyset (from the last row of the page before), else by offset;
- text, few matches (at most :data:`SPARSE_MAX`): the full-text index (household_names or
  person_names, word prefixes, accents folded) gives the matches, sorted once by name; pages
  are slices of that list;
- text, many matches (a first letter matches nine households in ten): sorting them all would
  cost more than a keystroke may (100 ms at a million persons); instead the rows are read in
  name order from the index and the words checked on each (a few hundred rows make a page).
  Should the matches turn out to sit far down the alphabet, the walk gives up after
  :data:`PROBE_BUDGET` rows and the plan sorts the matches after all.

The count comes from the full-text index (a few milliseconds even for 270,000 matches), or
from the index in name order when there is no text. Plans are plain data: a plan made on one
connection (the background reader) serves pages on another (the UI thread).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fieldapp.core.row_filter import (
    And, Cmp, Const, HasToken, In, Not, Or, RowFilter, equal_value)
from fieldapp.i18n.text import fold

if TYPE_CHECKING:
    from fieldapp.storage.store import Store

WORD = re.compile(r"[^\W_]+")
SPARSE_MAX = 6_000
"""Up to this many full-text matches, they are sorted at once (about 2 µs a match)."""
PROBE_BUDGET = 2_000
"""Rows the walk in name order reads at least for its first page before it sorts the matches
instead (the budget grows with the matches: sorting them costs about as much as reading
two thirds as many rows)."""
_BATCH = 256


def query_words(text: str | None) -> list[str]:
    """What the user typed as folded words ("Nguyễn V" -> ["nguyen", "v"])."""
    return WORD.findall(fold(text or ""))


def words_match(doc: str, words: list[str]) -> bool:
    """Whether ``doc`` (folded words) holds the words as consecutive word prefixes, as the
    full-text query ``"w1"* + "w2"*`` finds them."""
    first = words[0]
    if not doc or first not in doc:  # most rows of a walk fail here, cheaply
        return False
    tokens = WORD.findall(doc)
    n = len(words)
    for i in range(len(tokens) - n + 1):
        if tokens[i].startswith(first) and all(
                tokens[i + j].startswith(words[j]) for j in range(1, n)):
            return True
    return False


@dataclass
class Plan:
    """How to read the pages of one query's result (see the module docstring)."""

    source: str
    kind: str
    """"list" (index order), "sparse" (sorted matches), "dense" (walk checking the words) or
    "empty"."""
    total: int
    where: str
    params: dict[str, Any]
    words: list[str] = field(default_factory=list)
    rowids: list[int] = field(default_factory=list)
    marks: dict[int, tuple[str, str]] = field(default_factory=dict)
    """Known positions: offset -> (sort key, id) of the row there (keyset paging)."""
    index: str | None = None
    """The index read in name order, or None when the conditions pick few rows (SQLite then
    finds them by its own choice of index and sorts them)."""
    found: dict[int, int] = field(default_factory=dict)
    """Rows a walk found: offset -> rowid (pages read again cost nothing)."""


@dataclass(frozen=True)
class _Source:
    name: str
    table: str  # the FROM clause; the main table's alias is "t"
    fts: str
    sort: str
    index: str
    village_index: str
    doc: str  # SQL for the text the words are checked against in a walk
    doc_join: str


# The walk reads a household's document from the full-text table's own content table
# (FTS5's shadow table %_content: column c0 is "names"), a third faster than through the
# virtual table.
HOUSEHOLDS = _Source(
    "households", "households t", "household_names", "t.head_sort",
    "idx_households_live_sort", "idx_households_village_live_sort",
    "n.c0", "join household_names_content n on n.id = t.rowid")
PERSONS = _Source(
    "persons", "persons t join households h on h.id = t.household_id", "person_names",
    "t.name_sort", "idx_persons_live_sort", "", "t.name_key", "")


class Lookup:
    """Plans and pages over one database (storage only: services give the filters)."""

    def __init__(self, store: "Store"):
        self.store = store
        self._village_rowids: dict[str, int] = {}

    # -- plans --------------------------------------------------------------------------------
    def plan(self, source: _Source, text: str, conditions: list[tuple[str, dict[str, Any]]],
             *, village_id: str | None = None, live: bool = True,
             selective: bool = False) -> Plan:
        """The plan of ``text`` over the rows meeting every condition (SQL over ``t``, and
        ``h`` for persons' households). ``village_id``, when every row must be of that
        village, narrows the full-text search. ``live``: tombstoned rows are left out.
        ``selective``: the conditions keep few rows (given ids, given households)."""
        if selective and live and query_words(text):
            return self._candidates(source, text, conditions)
        plan = self._plan(source, text, conditions, village_id, live)
        if selective or not live:
            plan.index = None
        elif source is HOUSEHOLDS and village_id:
            plan.index = source.village_index
        else:
            plan.index = source.index
        if plan.kind == "dense" and plan.index is not None and not plan.marks:
            budget = max(PROBE_BUDGET, plan.total * 2 // 3)
            first = self._walk(source, plan, 0, 40, budget=budget)
            if first is None:
                plan = self._sparse(source, plan.where, plan.params, plan.words)
        elif plan.kind == "dense":
            plan = self._sparse(source, plan.where, plan.params, plan.words)
        return plan

    def _candidates(self, source: _Source, text: str,
                    conditions: list[tuple[str, dict[str, Any]]]) -> Plan:
        """Text over the few rows the conditions keep (the persons of given households):
        those rows in name order, the words checked on each (the full-text index would find
        every person of the commune whose name starts so, to keep a handful)."""
        where_parts = ["t.deleted = 0"] + (["h.deleted = 0"] if source is PERSONS else [])
        params: dict[str, Any] = {}
        for sql, values in conditions:
            where_parts.append(f"({sql})")
            params.update(values)
        where = " and ".join(where_parts)
        words = query_words(text)
        rows = self.store.conn.execute(
            f"select t.rowid, {source.doc} from {source.table} {source.doc_join} "
            f"where {where} order by +{source.sort}, t.id", params).fetchall()
        kept = [rowid for rowid, doc in rows if words_match(doc, words)]
        return Plan(source.name, "sparse", len(kept), where, params, words, kept)

    @staticmethod
    def _matching(source: _Source) -> str:
        """FROM clause: the full-text matches first, then their rows (SQLite would otherwise
        read the whole table in name order and test each row against the matches)."""
        main = source.table.split(" ", 2)
        rest = " " + main[2] if len(main) > 2 else ""
        return (f"{source.fts} n cross join {main[0]} t on t.rowid = n.rowid{rest}")

    def _plan(self, source: _Source, text: str, conditions: list[tuple[str, dict[str, Any]]],
              village_id: str | None, live: bool) -> Plan:
        where_parts, params = [], {}
        if live:
            where_parts.append("t.deleted = 0")
            if source is PERSONS:
                where_parts.append("h.deleted = 0")
        else:
            where_parts.append("t.deleted = 1")
        for sql, values in conditions:
            where_parts.append(f"({sql})")
            params.update(values)
        words = query_words(text)
        if text and not words:
            return Plan(source.name, "empty", 0, "0", {})
        if words and not live:  # tombstoned rows have no full-text document: compare keys
            key = "t.head_name_key" if source is HOUSEHOLDS else "t.name_key"
            for i, word in enumerate(words):
                where_parts.append(f"(' ' || {key}) like :w{i}")
                params[f"w{i}"] = f"% {word}%"
            words = []
        where = " and ".join(where_parts) or "1"
        if not words:
            total = self.store.scalar(f"select count(*) from {source.table} where {where}",
                                      params)
            return Plan(source.name, "list" if total else "empty", total, where, params)
        match = self._match(source, words, village_id)
        params = {**params, "match": match}
        # The matches' rowids, up to one more than a sparse plan takes: the full-text query is
        # then evaluated once for a sparse plan (a phrase of prefixes costs 10-20 ms).
        first = [r[0] for r in self.store.conn.execute(
            f"select rowid from {source.fts} where {source.fts} match :match limit :cap",
            {"match": match, "cap": SPARSE_MAX + 1})]
        if not first:
            return Plan(source.name, "empty", 0, where, params, words)
        if len(first) <= SPARSE_MAX:
            return self._sparse(source, where, params, words, first)
        only_fts = not conditions and (source is HOUSEHOLDS or village_id is None)
        if only_fts:
            total = self.store.scalar(
                f"select count(*) from {source.fts} where {source.fts} match :match", params)
        else:
            total = self.store.scalar(
                f"select count(*) from {self._matching(source)} "
                f"where n.{source.fts} match :match and {where}", params)
        if not total:
            return Plan(source.name, "empty", 0, where, params, words)
        if total <= SPARSE_MAX:
            return self._sparse(source, where, params, words)
        return Plan(source.name, "dense", total, where, params, words)

    def _sparse(self, source: _Source, where: str, params: dict[str, Any],
                words: list[str], rowids: list[int] | None = None) -> Plan:
        """The matches in name order (``rowids``: the full-text matches, when known)."""
        if rowids is None:
            rows = self.store.conn.execute(
                f"select t.rowid from {self._matching(source)} "
                f"where n.{source.fts} match :match and {where} "
                f"order by {source.sort}, t.id", params)
        else:
            marks = ", ".join(str(int(r)) for r in rowids)
            # NOT INDEXED: by rowid, not by reading an index in name order to the end.
            table = source.table.replace(" t", " t not indexed", 1)
            rows = self.store.conn.execute(
                f"select t.rowid from {table} where t.rowid in ({marks}) and {where} "
                f"order by {source.sort}, t.id", params)
        ordered = [r[0] for r in rows]
        return Plan(source.name, "sparse", len(ordered), where, params, words, ordered)

    def _match(self, source: _Source, words: list[str], village_id: str | None) -> str:
        phrase = ("names" if source is HOUSEHOLDS else "name") + " : (" + " + ".join(
            f'"{w}"*' for w in words) + ")"
        if village_id:
            token = self._village_token(source, village_id)
            phrase = f'village : "{token}" AND {phrase}'
        return phrase

    def _village_token(self, source: _Source, village_id: str) -> str:
        if source is HOUSEHOLDS:
            return "v" + village_id.replace("-", "")
        rowid = self._village_rowids.get(village_id)
        if rowid is None:
            rowid = self.store.scalar("select rowid from villages where id = ?",
                                      [village_id]) or 0
            self._village_rowids[village_id] = rowid
        return f"v{rowid}"

    # -- pages --------------------------------------------------------------------------------
    def rowids(self, source: _Source, plan: Plan, offset: int, limit: int) -> list[int]:
        """Rowids of the rows ``offset`` .. ``offset + limit`` of the plan's result."""
        offset = max(0, offset)
        if plan.kind == "empty" or limit <= 0 or offset >= plan.total:
            return []
        if plan.kind == "sparse":
            return plan.rowids[offset:offset + limit]
        if plan.kind == "dense":
            end = min(offset + limit, plan.total)
            if all(i in plan.found for i in range(offset, end)):
                return [plan.found[i] for i in range(offset, end)]
            return self._walk(source, plan, offset, limit) or []
        start, skip, after = self._start(plan, offset)
        keyset = f" and ({source.sort}, t.id) > (:after_sort, :after_id)" if after else ""
        params = dict(plan.params)
        if after:
            params.update(after_sort=after[0], after_id=after[1])
        order = source.sort if plan.index else "+" + source.sort  # as in _walk
        rows = self.store.conn.execute(
            f"select t.rowid, {source.sort}, t.id from {self._from(source, plan)} "
            f"where {plan.where}{keyset} order by {order}, t.id "
            f"limit :limit offset :skip", {**params, "limit": limit, "skip": skip}).fetchall()
        for i, (_rowid, sort, rid) in enumerate(rows):
            plan.marks[offset + i] = (sort, rid)
        return [r[0] for r in rows]

    @staticmethod
    def _start(plan: Plan, offset: int) -> tuple[int, int, tuple[str, str] | None]:
        """(offset of the row after the mark, rows to skip from there, the mark)."""
        if offset == 0:
            return 0, 0, None
        if offset - 1 in plan.marks:
            return offset, 0, plan.marks[offset - 1]
        below = [k for k in plan.marks if k < offset]
        if not below:
            return 0, offset, None
        nearest = max(below)
        return nearest + 1, offset - nearest - 1, plan.marks[nearest]

    @staticmethod
    def _from(source: _Source, plan: Plan) -> str:
        if plan.index is None:
            return source.table
        main = source.table.split(" ", 2)
        return " ".join([main[0], "t", f"indexed by {plan.index}"] + main[2:])

    def _walk(self, source: _Source, plan: Plan, offset: int, limit: int, *,
              budget: int | None = None) -> list[int] | None:
        """Read rows in name order from the nearest known position, checking the words;
        None when ``budget`` rows were read without filling the page."""
        start, skip, after = self._start(plan, offset)
        keyset = f" and ({source.sort}, t.id) > (:after_sort, :after_id)" if after else ""
        params = dict(plan.params)
        if after:
            params.update(after_sort=after[0], after_id=after[1])
        # Without an index to read (few rows kept), "+" keeps SQLite from reading the whole
        # name-order index to avoid a sort of those few rows.
        order = source.sort if plan.index else "+" + source.sort
        cursor = self.store.conn.execute(
            f"select t.rowid, {source.sort}, t.id, {source.doc} from "
            f"{self._from(source, plan)} {source.doc_join} where {plan.where}{keyset} "
            f"order by {order}, t.id", params)
        found: list[int] = []
        position = start
        read = 0
        words = plan.words
        try:
            while len(found) < limit:
                batch = cursor.fetchmany(_BATCH)
                if not batch:
                    break
                for rowid, sort, rid, doc in batch:
                    read += 1
                    if not words_match(doc, words):
                        continue
                    if skip:
                        skip -= 1
                    else:
                        found.append(rowid)
                    plan.marks[position] = (sort, rid)
                    plan.found[position] = rowid
                    position += 1
                    if len(found) >= limit:
                        break
                if budget is not None and read >= budget and len(found) < limit:
                    return None
        finally:
            cursor.close()
        return found


# -- registry lists: a choice_filter's predicate as SQL ---------------------------------------

_COLUMNS = {
    "households.csv": {"name": "t.id", "village": "t.village_id"},
    "persons.csv": {"name": "t.id", "household": "t.household_id", "village": "h.village_id"},
}


def filter_sql(csv_name: str, where: RowFilter, params: dict[str, Any]) -> str:
    """SQL for a predicate on a registry list's columns (KeyError for a column that is not
    one of the list's indexed columns); values are added to ``params``."""
    columns = _COLUMNS[csv_name]

    def value(v: str) -> str:
        name = f"f{len(params)}"
        params[name] = v
        return f":{name}"

    def sql(node: RowFilter) -> str:
        if isinstance(node, Const):
            return "1" if node.value else "0"
        if isinstance(node, Cmp):
            column = columns[node.column]
            if node.op == "=":
                return f"{column} = {value(node.value)}"
            return f"coalesce({column}, '') != {value(node.value)}"
        if isinstance(node, In):
            if not node.values:
                return "0"
            return f"{columns[node.column]} in ({', '.join(value(v) for v in node.values)})"
        if isinstance(node, HasToken):
            return (f"(' ' || coalesce({columns[node.column]}, '') || ' ') like "
                    f"{value('% ' + node.token + ' %')}")
        if isinstance(node, And):
            return "(" + " and ".join(sql(p) for p in node.parts) + ")"
        if isinstance(node, Or):
            return "(" + " or ".join(sql(p) for p in node.parts) + ")"
        if isinstance(node, Not):
            return f"not ({sql(node.part)})"
        raise KeyError(str(node))

    return sql(where)


def village_of(where: RowFilter) -> str | None:
    return equal_value(where, "village")


def selective_columns(where: RowFilter) -> set[str]:
    """Columns the predicate pins to given values for every row it keeps (``name in (...)``,
    ``household = X``): such a filter keeps few rows."""
    if isinstance(where, In) or (isinstance(where, Cmp) and where.op == "="):
        return {where.column}
    if isinstance(where, And):
        return set().union(*(selective_columns(p) for p in where.parts))
    return set()
