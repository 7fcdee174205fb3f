"""The commune's indicator sums (m055): what changed, the round each household counts with per
fixed period, the sums per period and village, and every visit with its result.

Only SQL lives here; fieldapp.services.indicator_cache decides what to recompute and computes
the facts (fieldapp.core.tabulation). Facts are stored as JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from fieldapp.storage.store import Store

DIGEST_KEY = "indicator_digest"
_CHUNK = 500


def _marks(values: list) -> str:
    return ", ".join("?" for _ in values)


def _chunks(values: list, size: int = _CHUNK) -> Iterator[list]:
    for first in range(0, len(values), size):
        yield values[first:first + size]


class IndicatorSums:
    def __init__(self, store: "Store"):
        self.store = store

    @property
    def conn(self):
        return self.store.conn

    # -- what is kept, for which indicator set ------------------------------------------------
    def digest(self) -> str | None:
        return self.store.meta(DIGEST_KEY)

    def reset(self, digest: str) -> None:
        """Forget every sum (another indicator set): every household and submission is to be
        counted again. Inside the caller's transaction."""
        conn = self.conn
        for table in ("indicator_rounds", "indicator_facts", "indicator_totals",
                      "indicator_visits"):
            conn.execute(f"delete from {table}")
        conn.execute("insert or ignore into indicator_dirty(household_id) select distinct "
                     "household_id from submissions where household_id is not null")
        conn.execute("insert or ignore into indicator_visit_dirty(submission_id) "
                     "select id from submissions")
        self.store._put_meta(DIGEST_KEY, digest)

    def pending(self) -> int:
        """Households and submissions changed since the sums were last brought up to date."""
        return self.store.scalar("select (select count(*) from indicator_dirty) + "
                                 "(select count(*) from indicator_visit_dirty)") or 0

    def dirty_households(self, limit: int) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "select household_id from indicator_dirty limit ?", [limit])]

    def dirty_submissions(self, limit: int) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "select submission_id from indicator_visit_dirty limit ?", [limit])]

    def clean_households(self, ids: list[str]) -> None:
        for chunk in _chunks(ids):
            self.conn.execute(f"delete from indicator_dirty where household_id in "
                              f"({_marks(chunk)})", chunk)

    # -- households and their rounds -------------------------------------------------------------
    def households(self, ids: list[str]) -> dict[str, tuple[int, str | None]]:
        """id -> (deleted, merged_into) of the households known among ``ids``."""
        out = {}
        for chunk in _chunks(ids):
            for hid, deleted, merged in self.conn.execute(
                    f"select id, deleted, merged_into from households where id in "
                    f"({_marks(chunk)})", chunk):
                out[hid] = (deleted or 0, merged)
        return out

    def rounds_of(self, form_id: str, ids: list[str]) -> Iterator[tuple]:
        """Finalized rounds of these households and of the households merged into them:
        (submission id, household id it counts for, village id, finalized_at, result)."""
        owner = {hid: hid for hid in ids}
        for chunk in _chunks(ids):
            for merged, survivor in self.conn.execute(
                    f"select id, merged_into from households where merged_into in "
                    f"({_marks(chunk)})", chunk):
                owner.setdefault(merged, survivor)
        everyone = sorted(owner)
        for chunk in _chunks(everyone, 250):  # by the index on (household_id, form_id, status)
            for sid, hid, village, finalized, result in self.conn.execute(
                    f"""select id, household_id, village_id, finalized_at,
                               json_extract(answers, '$.interview_result')
                        from submissions where household_id in ({_marks(chunk)})
                          and form_id = ? and status = 'final' and deleted = 0
                          and finalized_at is not null""", [*chunk, form_id]):
                yield sid, owner[hid], village, finalized, result

    def chosen(self, ids: list[str]) -> list[tuple[str, str, str, str]]:
        """(period, household, village, submission) of the rounds these households count
        with."""
        out = []
        for chunk in _chunks(ids):
            out += self.conn.execute(
                f"select period, household_id, village_id, submission_id from indicator_rounds "
                f"where household_id in ({_marks(chunk)})", chunk).fetchall()
        return out

    def facts(self, submission_ids: list[str]) -> dict[str, str]:
        """The kept facts (their text) of these rounds."""
        out: dict[str, str] = {}
        for chunk in _chunks(submission_ids):
            out.update(self.conn.execute(
                f"select submission_id, facts from indicator_facts where submission_id in "
                f"({_marks(chunk)})", chunk).fetchall())
        return out

    def replace_chosen(self, ids: list[str], rows: list[tuple[str, str, str, str]],
                       facts: dict[str, str], before: set[str]) -> None:
        """Forget the rounds of these households and keep ``rows`` (period, household,
        submission, village) with the facts of their rounds; the facts of rounds among
        ``before`` that no longer count anywhere are dropped."""
        for chunk in _chunks(ids):
            self.conn.execute(f"delete from indicator_rounds where household_id in "
                              f"({_marks(chunk)})", chunk)
        self.conn.executemany("insert into indicator_rounds(period, household_id, "
                              "submission_id, village_id) values (?, ?, ?, ?)", rows)
        self.conn.executemany("insert or replace into indicator_facts(submission_id, facts) "
                              "values (?, ?)", list(facts.items()))
        gone = sorted(before - {r[2] for r in rows})
        for chunk in _chunks(gone):
            self.conn.execute(
                f"delete from indicator_facts where submission_id in ({_marks(chunk)}) and "
                f"submission_id not in (select submission_id from indicator_rounds)", chunk)

    def totals_of(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        out = {}
        for period, village in keys:
            row = self.conn.execute("select facts from indicator_totals where period = ? and "
                                    "village_id = ?", [period, village]).fetchone()
            if row:
                out[period, village] = json.loads(row[0])
        return out

    def put_totals(self, values: dict[tuple[str, str], dict | None]) -> None:
        """Write the sums of (period, village); None removes them."""
        for (period, village), facts in values.items():
            if facts is None:
                self.conn.execute("delete from indicator_totals where period = ? and "
                                  "village_id = ?", [period, village])
            else:
                self.conn.execute(
                    "insert or replace into indicator_totals(period, village_id, facts) "
                    "values (?, ?, ?)",
                    [period, village, json.dumps(facts, separators=(",", ":"),
                                                 ensure_ascii=False)])

    # -- visits ----------------------------------------------------------------------------------
    def submissions_meta(self, ids: list[str]) -> Iterator[tuple]:
        """(id, form_id, status, deleted, village_id, finalized_at, interview result,
        answers' village) of these submissions."""
        for chunk in _chunks(ids):
            yield from self.conn.execute(
                f"""select id, form_id, status, deleted, village_id, finalized_at,
                           json_extract(answers, '$.interview_result'),
                           json_extract(answers, '$.village')
                    from submissions where id in ({_marks(chunk)})""", chunk)

    def replace_visits(self, ids: list[str], rows: list[tuple[str, str, str, str, str]]) -> None:
        """Forget the visits of these submissions, keep ``rows`` (submission, form, day,
        village, result); the submissions are no longer marked."""
        for chunk in _chunks(ids):
            marks = _marks(chunk)
            self.conn.execute(f"delete from indicator_visits where submission_id in ({marks})",
                              chunk)
            self.conn.execute(f"delete from indicator_visit_dirty where submission_id in "
                              f"({marks})", chunk)
        self.conn.executemany("insert into indicator_visits(submission_id, form_id, day, "
                              "village_id, result) values (?, ?, ?, ?, ?)", rows)

    # -- what reports read -----------------------------------------------------------------------
    def totals(self, periods: list[str], village_ids: list[str] | None = None
               ) -> dict[str, dict[str, dict]]:
        """period -> village -> summed facts (of the villages given, or all)."""
        out: dict[str, dict[str, dict]] = {p: {} for p in periods}
        sql = (f"select period, village_id, facts from indicator_totals where period in "
               f"({_marks(periods)})")
        params: list[Any] = list(periods)
        if village_ids is not None:
            sql += f" and village_id in ({_marks(village_ids) or 'null'})"
            params += village_ids
        for period, village, facts in self.conn.execute(sql, params):
            out[period][village] = json.loads(facts)
        return out

    def visits(self, form_id: str, first_day: str, last_day: str,
               village_ids: list[str] | None = None) -> dict[str, dict[str, int]]:
        """village -> interview result -> visits on days in [first_day, last_day]."""
        sql = ("select village_id, result, count(*) from indicator_visits where form_id = ? "
               "and day between ? and ?")
        params: list[Any] = [form_id, first_day, last_day]
        if village_ids is not None:
            sql += f" and village_id in ({_marks(village_ids) or 'null'})"
            params += village_ids
        out: dict[str, dict[str, int]] = {}
        for village, result, count in self.conn.execute(sql + " group by 1, 2", params):
            out.setdefault(village, {})[result] = count
        return out

    def drafts(self) -> int:
        """Submissions saved as drafts, not finalized (a small index holds only those)."""
        return self.store.scalar("select count(*) from submissions where status != 'final' "
                                 "and deleted = 0") or 0

    def registry_households(self) -> dict[str, int]:
        """Live households of the registry per village."""
        return dict(self.conn.execute("select village_id, count(*) from households where "
                                      "deleted = 0 group by village_id"))

    def communes(self) -> list[dict[str, Any]]:
        """Live communes with the ids of their live villages (a province holds many)."""
        out: dict[str, dict[str, Any]] = {}
        for cid, name, province in self.conn.execute(
                "select id, name, province from communes where deleted = 0 order by name"):
            out[cid] = {"id": cid, "name": name, "province": province or "", "villages": []}
        for vid, cid in self.conn.execute(
                "select id, commune_id from villages where deleted = 0 order by id"):
            if cid in out:
                out[cid]["villages"].append(vid)
        return list(out.values())

    def periods_with_data(self) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "select distinct period from indicator_totals order by period")]
