"""Columns and documents the writer derives from names, written again in bulk: the search
documents (after VACUUM) and the sort keys (after their rules change, by a migration).
Neither travels between laptops: each laptop derives them, and ``check --deep`` compares them
with what a replay of the log derives."""

from __future__ import annotations

from typing import Any

# What the search triggers write, for every household and person at once (the migrations that
# make the search tables, an erasure's VACUUM).
ALL_HOUSEHOLD_DOCS = """
        insert into household_names(rowid, names, village)
            select h.rowid,
                   h.head_name_key || ' ' || coalesce((select group_concat(p.name_key, ' ')
                       from persons p where p.household_id = h.id and p.deleted = 0), ''),
                   'v' || replace(h.village_id, '-', '')
            from households h where h.deleted = 0;
"""


SEARCH_TABLES = ("household_names", "person_names")
"""The search documents' FTS5 tables (households by their members' names; persons)."""


ALL_PERSON_DOCS = """
        insert into person_names(rowid, name, village)
            select p.rowid, p.name_key,
                   'v' || coalesce((select v.rowid from villages v where v.id = h.village_id), 0)
            from persons p join households h on h.id = p.household_id
            where p.deleted = 0 and h.deleted = 0;
"""


def rebuild_name_search(conn) -> None:
    """Write every search document again (after VACUUM, which may renumber the rowids of
    households and persons the documents are keyed by), then merge each index into one
    segment."""
    for table, fill in (("household_names", ALL_HOUSEHOLD_DOCS),
                        ("person_names", ALL_PERSON_DOCS)):
        conn.execute(f"delete from {table}")
        conn.execute(fill)
        conn.execute(f"insert into {table}({table}) values ('optimize')")


def recompute_sort_keys(conn: Any) -> int:
    """Every stored sort key as :mod:`fieldapp.i18n.text` makes it now; returns how many rows
    changed. Only rows whose key differs are written (their search triggers do not fire: the
    folded search key is not a sort key)."""
    from fieldapp.core.kinds import KINDS
    from fieldapp.i18n.text import name_sort_text, sort_text

    tables = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    changed = 0
    for kind in KINDS:
        if kind.table not in tables:
            continue
        for spec in kind.search_fields:
            column, name = spec.search.sort, spec.name
            if column is None:
                continue
            make = name_sort_text if spec.search.person else sort_text
            made = ((make(value), stored, record) for record, value, stored in conn.execute(
                f"select id, [{name}], [{column}] from [{kind.table}] where [{name}] is not null"))
            rows = [(key, record) for key, stored, record in made if key != stored]
            conn.executemany(f"update [{kind.table}] set [{column}] = ? where id = ?", rows)
            changed += len(rows)
    return changed
