"""Submissions, their saved versions, the form versions they used, and the registry lists
forms choose from."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fieldapp.core.changes import record_state
from fieldapp.core.clock import utc_now_iso
from fieldapp.core.kinds import record_type
from fieldapp.storage.repositories import SyncedRepository

if TYPE_CHECKING:
    from fieldapp.storage.store import Store


class SubmissionRepository(SyncedRepository):
    table = "submissions"

    def __init__(self, store: "Store"):
        super().__init__(store)

    # -- form versions -----------------------------------------------------------------------
    def keep_form_version(self, form_id: str, version: str, filename: str, content: bytes) -> None:
        """Store the workbook of (form_id, version) once; the first stored copy is kept."""
        with self.store.transaction():
            self.store.conn.execute(
                "insert or ignore into form_versions(form_id, version, filename, content, "
                "sha256, stored_at) values (?, ?, ?, ?, ?, ?)",
                [form_id, version, filename, content, hashlib.sha256(content).hexdigest(),
                 utc_now_iso()])

    def has_form_version(self, form_id: str, version: str) -> bool:
        return bool(self.store.scalar(
            "select 1 from form_versions where form_id = ? and version = ?",
            [form_id, version]))

    def has_workbook(self, sha256: str) -> bool:
        """Whether a workbook with these bytes (its SHA-256) is stored already."""
        return bool(self.store.scalar("select 1 from form_versions where sha256 = ?",
                                      [sha256]))

    def form_version(self, form_id: str, version: str) -> dict[str, Any] | None:
        rows = self.store.query("select * from form_versions where form_id = ? and version = ?",
                                [form_id, version])
        return rows[0] if rows else None

    def versions_of(self, submission_ids: set[str]) -> list[dict[str, Any]]:
        """The stored workbooks of the form versions these submissions were made with."""
        ids = list(submission_ids)
        pairs: set[tuple[str, str]] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            pairs.update((r["form_id"], r["form_version"]) for r in self.store.query(
                "select distinct form_id, form_version from submissions where id in "
                f"({', '.join('?' for _ in chunk)})", chunk))
        return [row for form_id, version in sorted(pairs)
                if (row := self.form_version(form_id, version)) is not None]

    # -- submissions -------------------------------------------------------------------------
    def save(self, submission_id: str | None, values: dict[str, Any]) -> str:
        """Insert (with ``values['id']`` if given) or update a submission; every saved state
        stays in the change log."""
        with self.store.transaction():
            if submission_id is None:
                return self.store.writer.insert(self.table, values)
            self.store.writer.update(self.table, submission_id, values)
            return submission_id

    def history(self, submission_id: str) -> list[dict[str, Any]]:
        """Each saved state of a submission, oldest first: {rev, saved_at, status, answers,
        user_id}. A state is the record as the log had it after the changes of one stamp."""
        changes = self.store.writer.history(submission_id)
        rtype = record_type(self.table)
        versions = []
        for stamp in sorted({c.stamp for c in changes}):
            state = record_state(self.table, submission_id,
                                 [c for c in changes if c.stamp <= stamp])
            row = state.row(rtype)
            versions.append({"rev": str(stamp), "saved_at": row["updated_at"],
                             "status": row["status"], "answers": row["answers"],
                             "user_id": row["user_id"]})
        return versions

    def list(self, form_id: str | None = None) -> list[dict[str, Any]]:
        where, params = "s.deleted = 0", []
        if form_id:
            where += " and s.form_id = ?"
            params.append(form_id)
        return self.store.query(
            f"""select s.id, s.form_id, s.form_version, s.status, s.household_id, s.village_id,
                       s.updated_at, s.finalized_at, h.head_name, v.name as village_name,
                       u.name as user_name
                from submissions s
                left join households h on h.id = s.household_id
                left join villages v on v.id = coalesce(s.village_id, h.village_id)
                left join users u on u.id = s.user_id
                where {where} order by s.updated_at desc""", params)

    def last_answers(self, form_id: str, device_id: str) -> dict[str, Any] | None:
        """The answers of the submission of ``form_id`` this laptop saved last (for
        ``${last-saved#name}``), or None."""
        rows = self.store.query(
            """select answers from submissions where form_id = ? and device_id = ?
               and deleted = 0 order by updated_at desc, rev desc limit 1""",
            [form_id, device_id])
        return json.loads(rows[0]["answers"]) if rows else None

    def of_household(self, household_id: str, form_id: str) -> list[dict[str, Any]]:
        """A household's live submissions of a form, newest first, with their answers and
        the name of who filled them in."""
        return self.store.query(
            """select s.id, s.status, s.finalized_at, s.updated_at, s.answers, s.entities,
                      s.user_id, u.name as user_name
               from submissions s left join users u on u.id = s.user_id
               where s.household_id = ? and s.form_id = ? and s.deleted = 0
               order by coalesce(s.finalized_at, s.updated_at) desc""",
            [household_id, form_id])

    def rounds_of(self, household_id: str, form_id: str) -> list[dict[str, Any]]:
        """Finalized submissions of a form for one household, oldest first (survey rounds)."""
        return self.store.query(
            """select * from submissions where household_id = ? and form_id = ? and deleted = 0
               and status = 'final' order by finalized_at""", [household_id, form_id])

    @staticmethod
    def entities(row: dict[str, Any]) -> dict[str, Any]:
        """The registry records a submission made: {"households": [id], "persons": {row key:
        id}}. Stored one field per record ({"household": id, "person:<key>": id}); a
        submission stored before that keeps the older nesting, read the same way."""
        stored = json.loads(row["entities"]) if row.get("entities") else {}
        if "households" in stored or "persons" in stored:
            households = stored.get("households") or []
            persons = stored.get("persons") or {}
            if isinstance(households, str):
                households = json.loads(households)
            if isinstance(persons, str):
                persons = json.loads(persons)
            return {"households": households, "persons": persons}
        out: dict[str, Any] = {}
        if stored.get("household"):
            out["households"] = [stored["household"]]
        persons = {k.split(":", 1)[1]: v for k, v in stored.items() if k.startswith("person:")}
        if persons:
            out["persons"] = persons
        return out

    @staticmethod
    def entities_value(entities: dict[str, Any]) -> dict[str, str]:
        """:meth:`entities` as stored (one field per record)."""
        value = {f"person:{key}": person for key, person in entities.get("persons", {}).items()}
        if entities.get("households"):
            value["household"] = entities["households"][0]
        return value

    # -- reading for reports and exports (streamed: a commune holds tens of thousands) -----------
    def round_index(self, form_id: str, start: str | None = None, end: str | None = None,
                    result_field: str = "interview_result") -> Iterator[tuple]:
        """Finalized rounds of a household form finalized in [start, end) (ISO UTC texts; None
        leaves that side open), oldest first, streamed without their answers: (id,
        household_id, village_id, finalized_at, result) where ``result`` is the answer
        ``result_field`` (the visit's interview result). Merged households are listed under
        their survivor; rounds of a tombstoned household are left out; a visit that made no
        household (a refusal at the first visit) has household_id None."""
        where, params = self._final_where(form_id, start, end)
        yield from self.store.conn.execute(
            f"""select s.id, coalesce(h.merged_into, s.household_id) as household_id,
                       s.village_id, s.finalized_at,
                       json_extract(s.answers, '$.' || ?) as result
                from submissions s left join households h on h.id = s.household_id
                where {where} and (h.id is null or h.deleted = 0 or h.merged_into is not null)
                order by s.finalized_at, s.id""", [result_field, *params])

    def answers_of(self, ids: list[str]) -> Iterator[tuple[str, str]]:
        """(id, answers JSON text) of these submissions, read 500 at a time."""
        for first in range(0, len(ids), 500):
            chunk = ids[first:first + 500]
            cursor = self.store.conn.execute(
                f"select id, answers from submissions where id in "
                f"({', '.join('?' for _ in chunk)})", chunk)
            yield from cursor

    def final_answers(self, form_id: str, start: str | None = None,
                      end: str | None = None) -> Iterator[dict[str, Any]]:
        """Finalized submissions of a form in [start, end), oldest first: {id, village_id,
        user_id, finalized_at, answers (JSON text)}."""
        where, params = self._final_where(form_id, start, end)
        cursor = self.store.conn.execute(
            f"""select s.id, s.village_id, s.user_id, s.finalized_at, s.answers
                from submissions s where {where} order by s.finalized_at, s.id""", params)
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row))

    @staticmethod
    def _final_where(form_id: str, start: str | None, end: str | None
                     ) -> tuple[str, list[Any]]:
        where = "s.form_id = ? and s.status = 'final' and s.deleted = 0"
        params: list[Any] = [form_id]
        if start:
            where += " and s.finalized_at >= ?"
            params.append(start)
        if end:
            where += " and s.finalized_at < ?"
            params.append(end)
        return where, params

    def for_export(self, form_id: str) -> Iterator[dict[str, Any]]:
        """Every live submission of a form (drafts too), oldest first, streamed: {id,
        form_version, status, household_id, village_id, user_id, finalized_at, updated_at,
        answers (JSON text)}."""
        cursor = self.store.conn.execute(
            """select id, form_version, status, household_id, village_id, user_id,
                      finalized_at, updated_at, answers
               from submissions where form_id = ? and deleted = 0
               order by created_at, id""", [form_id])
        names = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(names, row))

    def count_by_form(self) -> dict[tuple[str, str], int]:
        """{(form_id, status): live submissions}."""
        return {(r["form_id"], r["status"]): r["n"] for r in self.store.query(
            "select form_id, status, count(*) as n from submissions where deleted = 0 "
            "group by form_id, status")}

    def form_ids(self) -> list[str]:
        """Forms that have live submissions, by id."""
        return [r["form_id"] for r in self.store.query(
            "select distinct form_id from submissions where deleted = 0 order by form_id")]

    # -- registry lists for select_*_from_file -------------------------------------------------
    def registry_rows(self, csv_name: str) -> list[dict[str, str]]:
        queries = {
            "villages.csv": """select id as name, name as label from villages
                               where deleted = 0 order by name_sort""",
            "households.csv": """select h.id as name, h.head_name || ' – ' || v.name as label,
                                        h.village_id as village
                                 from households h join villages v on v.id = h.village_id
                                 where h.deleted = 0 order by h.head_sort""",
            "persons.csv": """select p.id as name,
                                     p.full_name || coalesce(' (' || p.birth_year || ')', '')
                                       as label,
                                     p.household_id as household, h.village_id as village
                              from persons p join households h on h.id = p.household_id
                              where p.deleted = 0 and h.deleted = 0 order by p.name_sort""",
            "team_members.csv": """select id as name, name as label, role, village_id as village
                                   from users where deleted = 0 order by name_sort""",
        }
        query = queries.get(csv_name)
        if query is None:
            return []
        return [{k: ("" if v is None else str(v)) for k, v in row.items()}
                for row in self.store.query(query)]
