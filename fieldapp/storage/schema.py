"""Schema as sqlite-utils migrations. Append new steps; never edit an applied one."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from fieldapp.storage.derived import ALL_HOUSEHOLD_DOCS, ALL_PERSON_DOCS
from fieldapp.storage.versions import MIGRATION_SET

migrations = Migrations(MIGRATION_SET)

# Columns every synced row carries (ARCHITECTURE.md §3).
SYNC_COLUMNS = {
    "device_id": str,      # device that created the row
    "created_at": str,     # ISO 8601 UTC
    "updated_at": str,
    "rev": str,            # hybrid logical clock stamp of the last edit
    "deleted": int,        # tombstone: 1 instead of a hard delete
    "deleted_reason": str,
}
_SQL_TYPES = {"text": str, "integer": int, "real": float, "bytes": bytes, "json": str,
              "map": str, "tree": str}


def synced_table(db: Database, kind) -> None:
    """The table of a declared kind (fieldapp.core.kinds): its fields as columns (a name with
    a search key gets its key and sort columns), the sync columns, NOT NULL for required
    fields. For migrations that add a kind; older steps spell their tables out."""
    columns: dict[str, type] = {}
    for f in kind.fields:
        columns[f.name] = _SQL_TYPES[f.type]
        if f.search is not None:
            columns[f.search.key] = str
            if f.search.sort:
                columns[f.search.sort] = str
    _synced_table(db, kind.table, columns, not_null=set(kind.required))


def _synced_table(db: Database, name: str, columns: dict, *, foreign_keys=(), not_null=()):
    db[name].create(
        {"id": str, **columns, **SYNC_COLUMNS},
        pk="id",
        foreign_keys=list(foreign_keys),
        not_null={"device_id", "created_at", "updated_at", "rev", *not_null},
        defaults={"deleted": 0},
    )


@migrations()
def m001_initial(db: Database) -> None:
    db["app_meta"].create({"key": str, "value": str}, pk="key")
    _synced_table(db, "communes", {"name": str, "name_key": str, "province": str,
                                   "legacy_names": str}, not_null={"name"})
    _synced_table(db, "villages", {"commune_id": str, "name": str, "name_key": str,
                                   "name_sort": str, "kind": str, "legacy_names": str, "remote": int,
                                   "position": int},
                  foreign_keys=[("commune_id", "communes", "id")], not_null={"name", "commune_id"})
    _synced_table(db, "users", {"name": str, "name_key": str, "name_sort": str,
                                "role": str, "village_id": str,
                                "pin_hash": str, "language": str, "pack": str},
                  foreign_keys=[("village_id", "villages", "id")], not_null={"name", "role"})
    _synced_table(db, "households", {"village_id": str, "head_name": str, "head_name_key": str,
                                     "head_sort": str,
                                     "ethnicity": str, "poor_status": str, "phone": str,
                                     "properties": str, "last_verified": str},
                  foreign_keys=[("village_id", "villages", "id")],
                  not_null={"village_id", "head_name"})
    _synced_table(db, "persons", {"household_id": str, "full_name": str, "name_key": str,
                                  "name_sort": str,
                                  "sex": str, "birth_year": int, "ethnicity": str,
                                  "relation": str, "properties": str},
                  foreign_keys=[("household_id", "households", "id")],
                  not_null={"household_id", "full_name"})
    _synced_table(db, "submissions", {"form_id": str, "form_version": str, "status": str,
                                      "household_id": str, "village_id": str, "user_id": str,
                                      "answers": str, "finalized_at": str},
                  not_null={"form_id", "form_version", "status", "answers"})
    # Every saved state of a submission, so reopening and editing never loses a version.
    db["submission_history"].create(
        {"id": int, "submission_id": str, "rev": str, "status": str, "answers": str,
         "saved_at": str, "user_id": str},
        pk="id", foreign_keys=[("submission_id", "submissions", "id")],
    )
    db["villages"].create_index(["commune_id"])
    db["households"].create_index(["village_id"])
    db["households"].create_index(["head_sort"])
    db["households"].create_index(["village_id", "head_sort"])
    db["persons"].create_index(["household_id"])
    db["persons"].create_index(["name_key"])
    db["submissions"].create_index(["form_id", "household_id"])
    db["submission_history"].create_index(["submission_id"])


def known_migrations() -> list[str]:
    return [m.name for m in migrations._migrations]


@migrations()
def m002_form_versions(db: Database) -> None:
    # The exact workbook each submission was made with, so it still opens after the form changes.
    db["form_versions"].create(
        {"form_id": str, "version": str, "filename": str, "content": bytes, "sha256": str,
         "stored_at": str},
        pk=("form_id", "version"), not_null={"content", "filename"},
    )
    # Registry records a submission created, so editing it later updates them instead of
    # creating duplicates: {"households": [id], "persons": [id per roster row]}.
    db["submissions"].add_column("entities", str)


@migrations()
def m003_user_pack_mode(db: Database) -> None:
    # How a member last chose to show form labels: bilingual, pack only or Vietnamese only.
    db["users"].add_column("pack_mode", str)


# Name search: one FTS5 document per household holding the folded names of its head and of
# every member, in order, kept up to date by triggers. A LIKE '%…%' scan of 200,000 persons
# costs 60-130 ms per keystroke; the prefix index answers in milliseconds. Keys are folded
# already (fieldapp.i18n.text.fold), so the tokenizer must not fold again. Tombstoned
# households have no document; tombstoned members are left out of it. The village is a token
# of its own ("v" + id without dashes) so that filtering by village uses the index too.
_HOUSEHOLD_DOC = """
    delete from household_names where rowid = (select rowid from households where id = {hid});
    insert into household_names(rowid, names, village)
        select h.rowid,
               h.head_name_key || ' ' || coalesce((select group_concat(p.name_key, ' ')
                   from persons p where p.household_id = h.id and p.deleted = 0), ''),
               'v' || replace(h.village_id, '-', '')
        from households h where h.id = {hid} and h.deleted = 0;
"""


@migrations()
def m004_name_search(db: Database) -> None:
    db.executescript(f"""
        create virtual table household_names using fts5(
            names, village,
            tokenize='unicode61 remove_diacritics 0', prefix='1 2 3');
        create trigger household_names_hi after insert on households begin
            {_HOUSEHOLD_DOC.format(hid="new.id")}
        end;
        create trigger household_names_hu after update of head_name_key, village_id, deleted
            on households begin
            {_HOUSEHOLD_DOC.format(hid="new.id")}
        end;
        create trigger household_names_hd after delete on households begin
            delete from household_names where rowid = old.rowid;
        end;
        create trigger household_names_pi after insert on persons begin
            {_HOUSEHOLD_DOC.format(hid="new.household_id")}
        end;
        create trigger household_names_pu after update of name_key, deleted, household_id
            on persons begin
            {_HOUSEHOLD_DOC.format(hid="old.household_id")}
            {_HOUSEHOLD_DOC.format(hid="new.household_id")}
        end;
        create trigger household_names_pd after delete on persons begin
            {_HOUSEHOLD_DOC.format(hid="old.household_id")}
        end;
        {ALL_HOUSEHOLD_DOCS}
    """)


@migrations()
def m005_live_count_indexes(db: Database) -> None:
    """Covering indexes for counting live (not tombstoned) households and persons by village:
    Home's counts read only these indexes, 4x faster than through the tables (bench_startup)."""
    db.executescript("""
        create index idx_households_village_live on households(village_id, deleted, id);
        create index idx_persons_household_live on persons(household_id, deleted);
    """)


@migrations()
def m006_change_log(db: Database) -> None:
    """The field-level change log becomes the authority; the tables its read model.

    Seeds the log from the current rows (and each submission's saved versions), gives repeat
    rows their keys, moves the per-laptop pack preferences out of the synced users rows, drops
    the foreign keys between synced tables (sync delivers records in any order; dangling
    references are reported by ``fieldapp check`` instead), then recomputes every table from
    the log so that tables and log agree from the start.
    """
    from fieldapp.storage.migrate_log import seed_change_log

    seed_change_log(db)


@migrations()
def m007_attachments(db: Database) -> None:
    """Files attached to answers (photos, audio, documents), synced like any record."""
    _synced_table(db, "attachments", {"submission_id": str, "filename": str, "media_type": str,
                                      "size": int, "sha256": str, "content": bytes},
                  not_null={"submission_id", "filename", "content"})
    db["attachments"].create_index(["submission_id", "filename"])


@migrations()
def m008_sync(db: Database) -> None:
    """Local bookkeeping of sync by file (never synced itself): this laptop's keys, the peers
    it exchanges packages with and how far each has acknowledged, and the import log."""
    db.execute("""create table sync_secrets (name text primary key, value blob not null)""")
    db.execute("""create table sync_peers (
        device text primary key,
        kind text not null,                 -- 'member': registered here; 'hub': our commune
        name text, user_id text, hub_id text,
        verify_key blob not null, box_key blob not null,
        registered_at text,
        their_seq integer not null default 0,   -- their log, received here up to
        our_acked integer not null default 0,   -- our log, acknowledged by them up to
        last_received_at text, last_package text, last_sent_at text,
        active integer not null default 1)""")
    db.execute("""create table sync_imports (
        package_id text primary key, file text, source_device text, kind text,
        imported_at text not null, imported_by text, counts text)""")
    db.execute("""create table duplicate_decisions (
        pair text primary key, decision text not null, decided_at text, decided_by text)""")
    # A household merged into another (probable duplicates, reviewed): its survivor's id.
    db["households"].add_column("merged_into", str)
    db.execute("create index idx_households_merged_into on households(merged_into) "
               "where merged_into is not null")


@migrations()
def m009_peer_commune(db: Database) -> None:
    """A peer registered at a province is a commune laptop: the commune whose records its
    return packages hold."""
    db.execute("alter table sync_peers add column commune_id text")


@migrations()
def m010_field_workflows(db: Database) -> None:
    """Teams and their members, support sessions and the persons helped, training classes,
    enrolments, attendance and progress: synced records (fieldapp.core.records)."""
    _synced_table(db, "teams", {"commune_id": str, "village_id": str, "name": str,
                                "name_key": str, "name_sort": str, "level": str, "notes": str},
                  not_null={"name"})
    _synced_table(db, "team_members", {"team_id": str, "user_id": str, "role": str,
                                       "affiliation": str, "joined_on": str, "left_on": str},
                  not_null={"team_id", "user_id"})
    _synced_table(db, "sessions", {"date": str, "village_id": str, "team_id": str,
                                   "members": str, "activities": str, "duration_min": int,
                                   "follow_up_date": str, "follow_up_of": str,
                                   "follow_up_done": str, "notes": str, "user_id": str},
                  not_null={"date", "village_id"})
    _synced_table(db, "session_persons", {"session_id": str, "person_id": str,
                                          "household_id": str, "outcomes": str,
                                          "outcome_other": str},
                  not_null={"session_id"})
    _synced_table(db, "classes", {"name": str, "name_key": str, "name_sort": str,
                                  "trainer_id": str, "place": str, "village_id": str,
                                  "start_date": str, "end_date": str, "skills": str,
                                  "learner_type": str, "notes": str},
                  not_null={"name", "start_date"})
    _synced_table(db, "enrolments", {"class_id": str, "person_id": str, "user_id": str},
                  not_null={"class_id"})
    _synced_table(db, "attendance", {"class_id": str, "enrolment_id": str, "date": str,
                                     "status": str},
                  not_null={"class_id", "enrolment_id", "date"})
    _synced_table(db, "progress", {"class_id": str, "enrolment_id": str, "skill": str,
                                   "level": str, "assessed_on": str},
                  not_null={"class_id", "enrolment_id", "skill"})
    db.executescript("""
        create index idx_teams_village on teams(village_id);
        create index idx_team_members_team on team_members(team_id, deleted);
        create index idx_team_members_user on team_members(user_id, deleted);
        -- the session list: newest first, by village, follow-ups due
        create index idx_sessions_date on sessions(deleted, date);
        create index idx_sessions_village_date on sessions(village_id, deleted, date);
        create index idx_sessions_follow_up on sessions(follow_up_date)
            where follow_up_date is not null;
        create index idx_sessions_follow_up_of on sessions(follow_up_of)
            where follow_up_of is not null;
        create index idx_session_persons_session on session_persons(session_id, deleted);
        create index idx_session_persons_person on session_persons(person_id, deleted);
        create index idx_session_persons_household on session_persons(household_id, deleted);
        create index idx_classes_start on classes(deleted, start_date);
        create index idx_enrolments_class on enrolments(class_id, deleted);
        create index idx_enrolments_person on enrolments(person_id, deleted);
        create index idx_enrolments_user on enrolments(user_id, deleted);
        create index idx_attendance_class on attendance(class_id, date);
        create index idx_attendance_enrolment on attendance(enrolment_id);
        create index idx_progress_class on progress(class_id);
        create index idx_progress_enrolment on progress(enrolment_id);
    """)


# Survey status of each household, kept by triggers from its household survey submissions
# (local and derived, never synced, like household_names): the last finalized round, how many
# rounds and drafts. The household list shows and filters by it without a scan of submissions.
_HOUSEHOLD_ROUNDS = """
    delete from household_rounds where household_id = {hid};
    insert into household_rounds(household_id, last_final_at, last_final_id, finals, drafts,
                                 last_draft_at)
        select s.household_id,
               max(case when s.status = 'final' then coalesce(s.finalized_at, s.updated_at) end),
               (select x.id from submissions x where x.household_id = s.household_id
                  and x.form_id = 'household_survey' and x.deleted = 0 and x.status = 'final'
                  order by coalesce(x.finalized_at, x.updated_at) desc, x.id limit 1),
               sum(s.status = 'final'), sum(s.status != 'final'),
               max(case when s.status != 'final' then s.updated_at end)
        from submissions s
        where s.household_id = {hid} and s.form_id = 'household_survey' and s.deleted = 0
        group by s.household_id;
"""


@migrations()
def m011_household_status(db: Database) -> None:
    """The household list at commune scale: survey status per household (household_rounds,
    kept by triggers) and indexes that page through live households in name order."""
    db.executescript(f"""
        create table household_rounds (
            household_id text primary key,
            last_final_at text, last_final_id text,
            finals integer not null default 0, drafts integer not null default 0,
            last_draft_at text);
        create index idx_household_rounds_last on household_rounds(last_final_at);
        create trigger household_rounds_si after insert on submissions
            when new.household_id is not null and new.form_id = 'household_survey' begin
            {_HOUSEHOLD_ROUNDS.format(hid="new.household_id")}
        end;
        create trigger household_rounds_su after update of status, household_id, deleted,
            finalized_at, form_id on submissions begin
            {_HOUSEHOLD_ROUNDS.format(hid="old.household_id")}
            {_HOUSEHOLD_ROUNDS.format(hid="new.household_id")}
        end;
        create trigger household_rounds_sd after delete on submissions
            when old.household_id is not null begin
            {_HOUSEHOLD_ROUNDS.format(hid="old.household_id")}
        end;
        insert into household_rounds(household_id, last_final_at, last_final_id, finals,
                                     drafts, last_draft_at)
            select s.household_id,
                   max(case when s.status = 'final'
                       then coalesce(s.finalized_at, s.updated_at) end),
                   (select x.id from submissions x where x.household_id = s.household_id
                      and x.form_id = 'household_survey' and x.deleted = 0
                      and x.status = 'final'
                      order by coalesce(x.finalized_at, x.updated_at) desc, x.id limit 1),
                   sum(s.status = 'final'), sum(s.status != 'final'),
                   max(case when s.status != 'final' then s.updated_at end)
            from submissions s
            where s.household_id is not null and s.form_id = 'household_survey'
              and s.deleted = 0
            group by s.household_id;
        create index idx_households_live_sort on households(deleted, head_sort, id);
        create index idx_households_village_live_sort
            on households(village_id, deleted, head_sort, id);
        create index idx_persons_live_sort on persons(deleted, name_sort, id);
        create index idx_persons_household_sort on persons(household_id, deleted, name_sort);
        create index idx_submissions_household on submissions(household_id, form_id, status);
    """)


# Person search: one FTS5 document per live person of a live household, holding the person's
# folded name and the household's village as a token ("v" + the village's local rowid), kept
# by triggers like household_names. Choosing a person (a form's persons.csv, the session log,
# enrolling learners) searches a commune's or a province's persons by word prefix in
# milliseconds.
_PERSON_DOC = """
    delete from person_names where rowid = {rowid};
    insert into person_names(rowid, name, village)
        select p.rowid, p.name_key,
               'v' || coalesce((select v.rowid from villages v where v.id = h.village_id), 0)
        from persons p join households h on h.id = p.household_id
        where p.rowid = {rowid} and p.deleted = 0 and h.deleted = 0;
"""
_HOUSEHOLD_PERSON_DOCS = """
    delete from person_names where rowid in
        (select p.rowid from persons p where p.household_id = {hid});
    insert into person_names(rowid, name, village)
        select p.rowid, p.name_key,
               'v' || coalesce((select v.rowid from villages v where v.id = h.village_id), 0)
        from persons p join households h on h.id = p.household_id
        where p.household_id = {hid} and p.deleted = 0 and h.deleted = 0;
"""


@migrations()
def m012_person_search(db: Database) -> None:
    db.executescript(f"""
        create virtual table person_names using fts5(
            name, village, tokenize='unicode61 remove_diacritics 0', prefix='1 2 3');
        create trigger person_names_pi after insert on persons begin
            {_PERSON_DOC.format(rowid="new.rowid")}
        end;
        create trigger person_names_pu after update of name_key, deleted, household_id
            on persons begin
            {_PERSON_DOC.format(rowid="new.rowid")}
        end;
        create trigger person_names_pd after delete on persons begin
            delete from person_names where rowid = old.rowid;
        end;
        create trigger person_names_hi after insert on households begin
            {_HOUSEHOLD_PERSON_DOCS.format(hid="new.id")}
        end;
        create trigger person_names_hu after update of village_id, deleted on households begin
            {_HOUSEHOLD_PERSON_DOCS.format(hid="new.id")}
        end;
        {ALL_PERSON_DOCS}
    """)


@migrations()
def m030_access_and_privacy(db: Database) -> None:
    """The audit log and erasures (synced, append-only), with the local bookkeeping of what
    erasures removed: records (``erased``) and answers inside a record (``erased_fields``,
    the roster row of an erased person), so their changes are refused when they arrive."""
    _synced_table(db, "audit_events", {"action": str, "user_id": str, "object_table": str,
                                       "object_id": str, "detail": str},
                  not_null={"action"})
    db["audit_events"].create_index(["created_at"])
    _synced_table(db, "erasures", {"target_table": str, "target_id": str, "reason": str,
                                   "user_id": str},
                  not_null={"target_table", "target_id"})
    db.execute("create table erased (rid text primary key, tbl text not null, "
               "erasure text not null)")
    db.execute("create table erased_fields (rid text not null, prefix text not null, "
               "erasure text not null, primary key (rid, prefix))")


@migrations()
def m031_export_order(db: Database) -> None:
    """A form's submissions in the order exports write them, read from an index: SQLCipher keeps
    temporary data in memory (so nothing of an encrypted database is written to disk
    unencrypted), so sorting 100,000 surveys there would hold them all in memory at once."""
    db.execute("create index idx_submissions_form_order on submissions(form_id, created_at, id)")


@migrations()
def m032_round_order(db: Database) -> None:
    """A form's finalized rounds in the order the indicators and reports read them, from an
    index (as m031 for exports: no sort of every round in SQLCipher's in-memory temp store)."""
    db.execute("create index idx_submissions_final_order "
               "on submissions(form_id, finalized_at, id)")


@migrations()
def m033_drop_prefix_indexes(db: Database) -> None:
    """Drop indexes that another makes redundant (it starts with the same columns, so it
    answers the same lookups): every index is written on every insert, and a
    commune's import writes 80,000 persons into keys of random ids (bench_sync)."""
    for name in ("idx_persons_household_id",       # idx_persons_household_live (m005)
                 # (household_id, deleted, name_sort): a household's few members are sorted
                 # in memory; m005's shorter index keeps Home's counts fast
                 "idx_persons_household_sort",
                 "idx_households_village_id",      # idx_households_village_live (m005)
                 "idx_submissions_form_id_household_id"):  # idx_submissions_household (m011)
        db.execute(f"drop index if exists [{name}]")


@migrations()
def m034_member_triggers_need_household(db: Database) -> None:
    """The search documents a new person's triggers write need the person's household: when it
    is not there yet (an import writes a package's persons before their households, so each
    household's documents are then written once, by the household's own triggers) the triggers
    do not run at all instead of running to find nothing."""
    present = "when exists (select 1 from households where id = new.household_id)"
    db.executescript(f"""
        drop trigger household_names_pi;
        create trigger household_names_pi after insert on persons {present} begin
            {_HOUSEHOLD_DOC.format(hid="new.household_id")}
        end;
        drop trigger person_names_pi;
        create trigger person_names_pi after insert on persons {present} begin
            {_PERSON_DOC.format(rowid="new.rowid")}
        end;
    """)


@migrations()
def m040_devices(db: Database) -> None:
    """The commune's register of laptops as synced records (fieldapp.core.kinds: devices), so
    that every laptop can tell who wrote a change it receives: a hub registers itself, its
    member laptops (with their team member, retired ones tombstoned) and the province it
    joined (fieldapp.storage.migrate_devices)."""
    from fieldapp.core.kinds import kind
    from fieldapp.storage.migrate_devices import seed_devices

    synced_table(db, kind("devices"))
    db.execute("create index idx_devices_device on devices(device)")
    seed_devices(db)


# The commune's indicators, kept as sums so that a report reads aggregates instead of every
# survey round (local and derived, never synced, like household_rounds). For each household and
# fixed period (year "2026", half "2026-H2", quarter "2026-Q4") the round that counts (the
# latest interviewed one) and its facts (fieldapp.core.tabulation); their sums per period and
# village; every visit with its day and result. Triggers only mark what changed (a household,
# a submission); fieldapp.services.indicator_cache recomputes those before a report reads.
# The facts of a round that counts somewhere are kept once (indicator_facts, a compact text),
# so taking a round out of the sums never needs its answers as they were.
_DIRTY_HOUSEHOLD = """
    insert or ignore into indicator_dirty(household_id) select {hid} where {hid} is not null;
"""


@migrations()
def m055_indicator_sums(db: Database) -> None:
    db.executescript(f"""
        create table indicator_dirty (household_id text primary key);
        create table indicator_visit_dirty (submission_id text primary key);
        create table indicator_rounds (
            period text not null, household_id text not null, submission_id text not null,
            village_id text not null, primary key (period, household_id));
        create index idx_indicator_rounds_household on indicator_rounds(household_id);
        create index idx_indicator_rounds_submission on indicator_rounds(submission_id);
        create table indicator_facts (submission_id text primary key, facts text not null);
        create table indicator_totals (
            period text not null, village_id text not null, facts text not null,
            primary key (period, village_id));
        create table indicator_visits (
            submission_id text primary key, form_id text not null, day text not null,
            village_id text not null, result text not null);
        create index idx_indicator_visits_day on indicator_visits(form_id, day);
        create trigger indicator_dirty_si after insert on submissions begin
            {_DIRTY_HOUSEHOLD.format(hid="new.household_id")}
            insert or ignore into indicator_visit_dirty(submission_id) values (new.id);
        end;
        create trigger indicator_dirty_su after update of status, household_id, deleted,
            finalized_at, form_id, village_id, answers on submissions begin
            {_DIRTY_HOUSEHOLD.format(hid="old.household_id")}
            {_DIRTY_HOUSEHOLD.format(hid="new.household_id")}
            insert or ignore into indicator_visit_dirty(submission_id) values (new.id);
        end;
        create trigger indicator_dirty_sd after delete on submissions begin
            {_DIRTY_HOUSEHOLD.format(hid="old.household_id")}
            insert or ignore into indicator_visit_dirty(submission_id) values (old.id);
        end;
        create trigger indicator_dirty_hu after update of merged_into, deleted on households
        begin
            {_DIRTY_HOUSEHOLD.format(hid="new.id")}
            {_DIRTY_HOUSEHOLD.format(hid="old.merged_into")}
            {_DIRTY_HOUSEHOLD.format(hid="new.merged_into")}
        end;
        insert or ignore into indicator_dirty(household_id)
            select distinct household_id from submissions where household_id is not null;
        insert or ignore into indicator_visit_dirty(submission_id) select id from submissions;
    """)


@migrations()
def m056_draft_index(db: Database) -> None:
    """The drafts a report counts, from a small index holding only them (not by reading every
    finalized survey of the commune)."""
    db.execute("create index idx_submissions_drafts on submissions(form_id) "
               "where status != 'final' and deleted = 0")


@migrations()
def m045_log_first_values_as_fields(db: Database) -> None:
    """Nothing to change in the tables: from this version a record's first values are stored
    as one {field: value} row (fieldapp.storage.changelog.FIELDS), which an earlier fieldapp
    cannot read. This migration's name makes an earlier version refuse the database ("made by a
    newer version", fieldapp.storage.db) rather than fail on such a row."""


@migrations()
def m060_pack_entries(db: Database) -> None:
    """Label pack entries as synced records (the step is in fieldapp.storage.schema_packs:
    this module is near the size a module may have)."""
    from fieldapp.storage.schema_packs import add_pack_entries

    add_pack_entries(db, synced_table)


@migrations()
def m061_numbers_sort_by_value(db: Database) -> None:
    """Stored sort keys made again: a number in a name now sorts by its value (Thôn 2 before
    Thôn 10), and check --deep compares them with what a replay derives."""
    from fieldapp.storage.derived import recompute_sort_keys

    recompute_sort_keys(db.conn)
