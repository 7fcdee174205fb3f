"""Submissions, their history, the form versions they used, and the registry lists forms choose from."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fieldapp.core.clock import utc_now_iso
from fieldapp.storage.store import Store


class SubmissionRepository:
    def __init__(self, store: Store):
        self.store = store
        self.db = store.db

    # -- form versions -----------------------------------------------------------------------
    def keep_form_version(self, form_id: str, version: str, filename: str, content: bytes) -> None:
        """Store the workbook of (form_id, version) once; the first stored copy is kept."""
        if self.form_version(form_id, version) is None:
            self.db["form_versions"].insert({
                "form_id": form_id, "version": version, "filename": filename,
                "content": content, "sha256": hashlib.sha256(content).hexdigest(),
                "stored_at": utc_now_iso()})

    def form_version(self, form_id: str, version: str) -> dict[str, Any] | None:
        rows = list(self.db["form_versions"].rows_where(
            "form_id = ? and version = ?", [form_id, version]))
        return rows[0] if rows else None

    # -- submissions -------------------------------------------------------------------------
    def save(self, submission_id: str | None, values: dict[str, Any], user_id: str | None) -> str:
        """Insert or update a submission and append its state to the history (one transaction
        is the caller's: use ``store.transaction()``)."""
        values = dict(values)
        for key in ("answers", "entities"):
            if key in values and not isinstance(values[key], (str, type(None))):
                values[key] = json.dumps(values[key], ensure_ascii=False, sort_keys=True)
        if submission_id is None:
            submission_id = self.store.insert("submissions", values)
        else:
            self.store.update("submissions", submission_id, values)
        row = self.store.get("submissions", submission_id)
        self.db["submission_history"].insert({
            "submission_id": submission_id, "rev": row["rev"], "status": row["status"],
            "answers": row["answers"], "saved_at": row["updated_at"], "user_id": user_id})
        return submission_id

    def get(self, submission_id: str) -> dict[str, Any] | None:
        return self.store.get("submissions", submission_id)

    def history(self, submission_id: str) -> list[dict[str, Any]]:
        return list(self.db.query(
            "select * from submission_history where submission_id = ? order by id",
            [submission_id]))

    def list(self, form_id: str | None = None) -> list[dict[str, Any]]:
        where, params = "s.deleted = 0", []
        if form_id:
            where += " and s.form_id = ?"
            params.append(form_id)
        return list(self.db.query(
            f"""select s.id, s.form_id, s.form_version, s.status, s.household_id, s.village_id,
                       s.updated_at, s.finalized_at, h.head_name, v.name as village_name,
                       u.name as user_name
                from submissions s
                left join households h on h.id = s.household_id
                left join villages v on v.id = coalesce(s.village_id, h.village_id)
                left join users u on u.id = s.user_id
                where {where} order by s.updated_at desc""", params))

    def rounds_of(self, household_id: str, form_id: str) -> list[dict[str, Any]]:
        """Finalized submissions of a form for one household, oldest first (survey rounds)."""
        return list(self.db.query(
            """select * from submissions where household_id = ? and form_id = ? and deleted = 0
               and status = 'final' order by finalized_at""", [household_id, form_id]))

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
                for row in self.db.query(query)]
