"""The read queries of Home's overview (fieldapp.services.today): drafts waiting and counts by
village (the key indicators are the reports' sums: fieldapp.storage.indicator_sums)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fieldapp.storage.store import Store


def drafts(store: "Store", *, village_id: str | None = None,
           forms: frozenset[str] | None = None, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Drafts waiting, newest first: the first ``limit`` (form, time, household's head,
    village) and how many there are; of one village, of some forms only, when given."""
    where, params = "s.status = 'draft' and s.deleted = 0", []
    if village_id is not None:
        where += " and coalesce(s.village_id, h.village_id) = ?"
        params.append(village_id)
    if forms is not None:
        where += f" and s.form_id in ({', '.join('?' for _ in forms)})"
        params += sorted(forms)
    joined = "submissions s left join households h on h.id = s.household_id"
    count = store.scalar(f"select count(*) from {joined} where {where}", params)
    rows = store.query(
        f"""select s.id, s.form_id, s.updated_at, h.head_name, v.name as village_name
           from {joined}
           left join villages v on v.id = coalesce(s.village_id, h.village_id)
           where {where}
           order by s.updated_at desc limit ?""", [*params, limit])
    return rows, count


def village_counts(store: "Store", round_start: str) -> list[dict[str, Any]]:
    """Per live village: households, persons, households surveyed since ``round_start``, and
    households never surveyed."""
    return store.query(
        """select v.id, v.name,
             (select count(*) from households h where h.village_id = v.id and h.deleted = 0)
                 as households,
             (select count(*) from persons p join households h on h.id = p.household_id
              where h.village_id = v.id and p.deleted = 0 and h.deleted = 0) as persons,
             (select count(*) from households h join household_rounds r
                on r.household_id = h.id
              where h.village_id = v.id and h.deleted = 0 and r.last_final_at >= ?)
                 as this_round,
             (select count(*) from households h where h.village_id = v.id and h.deleted = 0
              and not exists (select 1 from household_rounds r where r.household_id = h.id
                              and r.finals > 0)) as never
           from villages v where v.deleted = 0 order by v.name_sort""", [round_start])

