"""Repositories of the field workflows: teams and their members, support sessions and the
persons helped, training classes, enrolments, attendance and progress (fieldapp.core.records).

Writes go through the change log like every synced record (SyncedRepository); the queries
here are what the screens and Home read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fieldapp.storage.repositories import SyncedRepository


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values) or "null"


class TeamRepository(SyncedRepository):
    table = "teams"

    def list(self, *, with_deleted: bool = False) -> list[dict[str, Any]]:
        """Teams in name order, with their village and how many members they have now."""
        return self.store.query(
            f"""select t.*, v.name as village_name,
                   (select count(*) from team_members m join users u on u.id = m.user_id
                    where m.team_id = t.id and m.deleted = 0 and u.deleted = 0
                    and m.left_on is null) as member_count
                from teams t left join villages v on v.id = t.village_id
                {'' if with_deleted else 'where t.deleted = 0'}
                order by t.village_id is not null, v.name_sort, t.name_sort""")

    def of_user(self, user_id: str) -> list[dict[str, Any]]:
        return self.store.query(
            """select t.*, m.role as member_role from team_members m
               join teams t on t.id = m.team_id
               where m.user_id = ? and m.deleted = 0 and m.left_on is null and t.deleted = 0
               order by t.name_sort""", [user_id])


class TeamMemberRepository(SyncedRepository):
    table = "team_members"

    def of_team(self, team_id: str) -> list[dict[str, Any]]:
        """Current members of a team (the leader first), with the user's name and village."""
        return self.store.query(
            """select m.*, u.name as user_name, u.role as user_role, u.village_id,
                      v.name as village_name
               from team_members m join users u on u.id = m.user_id
               left join villages v on v.id = u.village_id
               where m.team_id = ? and m.deleted = 0 and m.left_on is null and u.deleted = 0
               order by case m.role when 'leader' then 0 when 'deputy' then 1 else 2 end,
                        u.name_sort""", [team_id])

    def find(self, team_id: str, user_id: str) -> dict[str, Any] | None:
        rows = self.store.query(
            "select * from team_members where team_id = ? and user_id = ? order by deleted",
            [team_id, user_id])
        return rows[0] if rows else None


_SESSION_COLUMNS = """s.*, v.name as village_name, u.name as user_name,
    (select count(*) from session_persons p where p.session_id = s.id and p.deleted = 0)
        as person_count"""


class SessionRepository(SyncedRepository):
    table = "sessions"

    @staticmethod
    def _where(filters: dict[str, Any]) -> tuple[str, list[Any]]:
        parts, params = ["s.deleted = 0"], []
        if filters.get("village_id"):
            parts.append("s.village_id = ?")
            params.append(filters["village_id"])
        if filters.get("activity"):
            parts.append("(' ' || coalesce(s.activities, '') || ' ') like ?")
            params.append(f"% {filters['activity']} %")
        if filters.get("member_id"):
            parts.append("(' ' || coalesce(s.members, '') || ' ') like ?")
            params.append(f"% {filters['member_id']} %")
        if filters.get("team_id"):
            parts.append("s.team_id = ?")
            params.append(filters["team_id"])
        if filters.get("date_from"):
            parts.append("s.date >= ?")
            params.append(filters["date_from"])
        if filters.get("date_to"):
            parts.append("s.date <= ?")
            params.append(filters["date_to"])
        return " and ".join(parts), params

    def count(self, filters: dict[str, Any]) -> int:
        where, params = self._where(filters)
        return self.store.scalar(f"select count(*) from sessions s where {where}", params)

    def page(self, filters: dict[str, Any], offset: int, limit: int) -> list[dict[str, Any]]:
        """Sessions newest first (by date, then as logged)."""
        where, params = self._where(filters)
        return self.store.query(
            f"""select {_SESSION_COLUMNS} from sessions s
                left join villages v on v.id = s.village_id
                left join users u on u.id = s.user_id
                where {where} order by s.date desc, s.created_at desc, s.id
                limit ? offset ?""", [*params, limit, offset])

    def detail(self, session_id: str) -> dict[str, Any] | None:
        rows = self.store.query(
            f"""select {_SESSION_COLUMNS} from sessions s
                left join villages v on v.id = s.village_id
                left join users u on u.id = s.user_id where s.id = ?""", [session_id])
        return rows[0] if rows else None

    def follow_ups(self, until: str, *, household_ids: Sequence[str] | None = None,
                   limit: int = 200) -> list[dict[str, Any]]:
        """Sessions whose follow-up date is on or before ``until``, not done yet (no later
        session logged as their follow-up, not marked done), soonest first."""
        extra, params = "", [until]
        if household_ids is not None:
            extra = (" and exists (select 1 from session_persons p where p.session_id = s.id "
                     f"and p.deleted = 0 and p.household_id in ({_marks(household_ids)}))")
            params += list(household_ids)
        return self.store.query(
            f"""select {_SESSION_COLUMNS} from sessions s
                left join villages v on v.id = s.village_id
                left join users u on u.id = s.user_id
                where s.deleted = 0 and s.follow_up_date is not null
                  and s.follow_up_date <= ? and s.follow_up_done is null
                  and not exists (select 1 from sessions f where f.follow_up_of = s.id
                                  and f.deleted = 0){extra}
                order by s.follow_up_date, s.date limit ?""", [*params, limit])

    def of_households(self, household_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Sessions that helped someone of these households, with who and what came of it."""
        if not household_ids:
            return []
        return self.store.query(
            f"""select s.id as session_id, s.date, s.activities, s.village_id,
                       p.person_id, p.outcomes, p.outcome_other, p.household_id,
                       q.full_name
                from session_persons p join sessions s on s.id = p.session_id
                left join persons q on q.id = p.person_id
                where p.household_id in ({_marks(household_ids)}) and p.deleted = 0
                  and s.deleted = 0
                order by s.date desc""", list(household_ids))

    def figures(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        """Per month: sessions, persons helped (distinct), households reached (distinct)."""
        where, params = self._where(filters)
        return self.store.query(
            f"""select substr(s.date, 1, 7) as month, count(distinct s.id) as sessions,
                       count(distinct p.person_id) as persons,
                       count(distinct p.household_id) as households
                from sessions s left join session_persons p
                  on p.session_id = s.id and p.deleted = 0
                where {where} group by month order by month""", params)

    def report_counts(self, filters: dict[str, Any]) -> tuple[list[tuple], list[tuple]]:
        """The sessions of the filters summed for a report, without reading them one by one:
        (month "YYYY-MM", team id, activities, sessions, last date) per month, team and
        activities; (month, team id, outcomes, 1 for a person's entry or 0 for a household's
        as a whole, entries) per month, team, outcomes and kind of entry."""
        where, params = self._where(filters)
        sessions = self.store.conn.execute(
            f"""select substr(s.date, 1, 7), coalesce(s.team_id, ''),
                       coalesce(s.activities, ''), count(*), max(s.date)
                from sessions s where {where} group by 1, 2, 3""", params).fetchall()
        entries = self.store.conn.execute(
            f"""select substr(s.date, 1, 7), coalesce(s.team_id, ''),
                       coalesce(p.outcomes, ''), p.person_id is not null, count(*)
                from sessions s join session_persons p on p.session_id = s.id
                  and p.deleted = 0 and (p.person_id is not null or p.household_id is not null)
                where {where} group by 1, 2, 3, 4""", params).fetchall()
        return sessions, entries

    def totals(self, filters: dict[str, Any]) -> dict[str, int]:
        """Sessions, persons helped (distinct) and households reached (distinct) in all."""
        where, params = self._where(filters)
        return self.store.query(
            f"""select count(distinct s.id) as sessions, count(distinct p.person_id) as persons,
                       count(distinct p.household_id) as households
                from sessions s left join session_persons p
                  on p.session_id = s.id and p.deleted = 0
                where {where}""", params)[0]

    def activity_rows(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        """Each session's activities with its persons' outcomes (for outcome counts)."""
        where, params = self._where(filters)
        return self.store.query(
            f"""select s.id, s.activities, p.outcomes from sessions s
                left join session_persons p on p.session_id = s.id and p.deleted = 0
                where {where}""", params)

    def with_persons(self, filters: dict[str, Any]) -> list[dict[str, Any]]:
        """Sessions (oldest first) with their persons helped, for the reports: one row per
        session and person helped, the person's columns null for a session without any."""
        where, params = self._where(filters)
        return self.store.query(
            f"""select s.id, s.date, s.village_id, s.team_id, s.members, s.activities,
                       s.duration_min, p.person_id, p.household_id, p.outcomes
                from sessions s
                left join session_persons p on p.session_id = s.id and p.deleted = 0
                where {where} order by s.date, s.id""", params)


class SessionPersonRepository(SyncedRepository):
    table = "session_persons"

    def of_session(self, session_id: str) -> list[dict[str, Any]]:
        return self.store.query(
            """select p.*, q.full_name, q.birth_year, q.deleted as person_deleted,
                      h.head_name, v.name as village_name
               from session_persons p left join persons q on q.id = p.person_id
               left join households h on h.id = p.household_id
               left join villages v on v.id = h.village_id
               where p.session_id = ? and p.deleted = 0 order by q.name_sort""", [session_id])

    def of_person(self, person_id: str) -> list[dict[str, Any]]:
        return self.store.query(
            """select p.*, s.date, s.activities from session_persons p
               join sessions s on s.id = p.session_id
               where p.person_id = ? and p.deleted = 0 and s.deleted = 0
               order by s.date desc""", [person_id])


class ClassRepository(SyncedRepository):
    table = "classes"

    def list(self, *, with_deleted: bool = False) -> list[dict[str, Any]]:
        """Classes, the latest first, with the trainer's name and the number of learners."""
        return self.store.query(
            f"""select c.*, u.name as trainer_name, v.name as village_name,
                   (select count(*) from enrolments e where e.class_id = c.id
                    and e.deleted = 0) as learner_count
                from classes c left join users u on u.id = c.trainer_id
                left join villages v on v.id = c.village_id
                {'' if with_deleted else 'where c.deleted = 0'}
                order by c.start_date desc, c.name_sort""")

    def detail(self, class_id: str) -> dict[str, Any] | None:
        rows = self.store.query(
            """select c.*, u.name as trainer_name, v.name as village_name
               from classes c left join users u on u.id = c.trainer_id
               left join villages v on v.id = c.village_id where c.id = ?""", [class_id])
        return rows[0] if rows else None


class EnrolmentRepository(SyncedRepository):
    table = "enrolments"

    def of_class(self, class_id: str) -> list[dict[str, Any]]:
        """Learners of a class in name order: persons (with household and village) or team
        members (users)."""
        return self.store.query(
            """select e.*, coalesce(q.full_name, u.name) as learner_name,
                      coalesce(q.name_sort, u.name_sort) as learner_sort,
                      q.birth_year, q.sex, q.deleted as person_deleted, q.household_id,
                      v.name as village_name
               from enrolments e left join persons q on q.id = e.person_id
               left join users u on u.id = e.user_id
               left join households h on h.id = q.household_id
               left join villages v on v.id = coalesce(h.village_id, u.village_id)
               where e.class_id = ? and e.deleted = 0
               order by learner_sort, e.id""", [class_id])

    def find(self, class_id: str, *, person_id: str | None = None,
             user_id: str | None = None) -> dict[str, Any] | None:
        column, value = ("person_id", person_id) if person_id else ("user_id", user_id)
        rows = self.store.query(
            f"select * from enrolments where class_id = ? and {column} = ? order by deleted",
            [class_id, value])
        return rows[0] if rows else None

    def of_learner(self, *, person_id: str | None = None,
                   user_id: str | None = None) -> list[dict[str, Any]]:
        """Every class a learner was enrolled in, the latest first."""
        column, value = ("person_id", person_id) if person_id else ("user_id", user_id)
        return self.store.query(
            f"""select e.id as enrolment_id, c.* from enrolments e
                join classes c on c.id = e.class_id
                where e.{column} = ? and e.deleted = 0 and c.deleted = 0
                order by c.start_date desc""", [value])

    def of_persons(self, person_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not person_ids:
            return []
        return self.store.query(
            f"""select e.id as enrolment_id, e.person_id, c.id as class_id, c.name,
                       c.start_date, c.end_date, c.skills
                from enrolments e join classes c on c.id = e.class_id
                where e.person_id in ({_marks(person_ids)}) and e.deleted = 0
                  and c.deleted = 0 order by c.start_date desc""", list(person_ids))


class AttendanceRepository(SyncedRepository):
    table = "attendance"

    def of_class(self, class_id: str) -> list[dict[str, Any]]:
        return self.store.query(
            "select * from attendance where class_id = ? and deleted = 0 order by date",
            [class_id])

    def of_enrolments(self, enrolment_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not enrolment_ids:
            return []
        return self.store.query(
            f"""select * from attendance where enrolment_id in ({_marks(enrolment_ids)})
                and deleted = 0 order by date""", list(enrolment_ids))


class ProgressRepository(SyncedRepository):
    table = "progress"

    def of_class(self, class_id: str) -> list[dict[str, Any]]:
        return self.store.query(
            "select * from progress where class_id = ? and deleted = 0", [class_id])

    def of_enrolments(self, enrolment_ids: Sequence[str]) -> list[dict[str, Any]]:
        if not enrolment_ids:
            return []
        return self.store.query(
            f"""select * from progress where enrolment_id in ({_marks(enrolment_ids)})
                and deleted = 0""", list(enrolment_ids))


def _stream(store, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
    cursor = store.conn.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row))


class FieldWorkExport:
    """The field records as the XLSX/CSV export writes them, streamed (memory stays flat)."""

    def __init__(self, store):
        self.store = store

    @staticmethod
    def _period(column: str, start: str | None, end: str | None) -> tuple[str, list[str]]:
        parts, params = [], []
        if start:
            parts.append(f"{column} >= ?")
            params.append(start)
        if end:
            parts.append(f"{column} <= ?")
            params.append(end)
        return (" and " + " and ".join(parts) if parts else ""), params

    def sessions(self, start: str | None, end: str | None) -> Iterator[dict[str, Any]]:
        where, params = self._period("s.date", start, end)
        return _stream(self.store, f"""
            select s.*, v.name as village_name, t.name as team_name, u.name as user_name
            from sessions s left join villages v on v.id = s.village_id
            left join teams t on t.id = s.team_id left join users u on u.id = s.user_id
            where s.deleted = 0{where} order by s.date, s.id""", params)

    def persons_helped(self, start: str | None, end: str | None) -> Iterator[dict[str, Any]]:
        where, params = self._period("s.date", start, end)
        return _stream(self.store, f"""
            select p.*, s.date, q.full_name, h.head_name
            from session_persons p join sessions s on s.id = p.session_id and s.deleted = 0
            left join persons q on q.id = p.person_id
            left join households h on h.id = p.household_id
            where p.deleted = 0{where} order by s.date, s.id, q.name_sort, p.id""", params)

    def classes(self) -> Iterator[dict[str, Any]]:
        return _stream(self.store, """
            select c.*, u.name as trainer_name, v.name as village_name,
                   (select count(*) from enrolments e where e.class_id = c.id
                    and e.deleted = 0) as learner_count
            from classes c left join users u on u.id = c.trainer_id
            left join villages v on v.id = c.village_id
            where c.deleted = 0 order by c.start_date, c.name_sort, c.id""")

    _LEARNER = """join enrolments e on e.id = x.enrolment_id and e.deleted = 0
            join classes c on c.id = x.class_id and c.deleted = 0
            left join persons q on q.id = e.person_id left join users u on u.id = e.user_id"""
    _LEARNER_COLUMNS = """c.name as class_name, e.person_id, e.user_id,
            coalesce(q.full_name, u.name) as learner_name"""

    def attendance(self, start: str | None, end: str | None) -> Iterator[dict[str, Any]]:
        where, params = self._period("x.date", start, end)
        return _stream(self.store, f"""
            select x.*, {self._LEARNER_COLUMNS} from attendance x {self._LEARNER}
            where x.deleted = 0 and x.status is not null{where}
            order by c.start_date, c.id, x.date, learner_name, x.id""", params)

    def progress(self) -> Iterator[dict[str, Any]]:
        return _stream(self.store, f"""
            select x.*, {self._LEARNER_COLUMNS} from progress x {self._LEARNER}
            where x.deleted = 0 and x.level is not null
            order by c.start_date, c.id, learner_name, x.enrolment_id, x.skill""")
