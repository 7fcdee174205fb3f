"""The declarations of record kinds (fieldapp.core.kinds): sound, complete, and what the
database holds."""

from __future__ import annotations

import pytest

from fieldapp.core import authority
from fieldapp.core.kinds import (
    BY_TABLE, CHANGE, CREATE, KINDS, MEMBER, REMOVE, STAFF, TRAINER, Field, Kind, Ref, Scope,
    check_declarations, erase_cascade, grant, merge_references)
from fieldapp.storage.schema import SYNC_COLUMNS

SYNC = set(SYNC_COLUMNS) | {"id"}


def test_the_declarations_are_sound():
    assert check_declarations() == []


def test_a_mistake_in_a_declaration_is_found():
    broken = Kind("things", "Thing", (Field("owner", ref=Ref("nowhere")),), Scope.VILLAGE,
                  (grant(MEMBER),))
    problems = check_declarations((*KINDS, broken))
    assert any("nowhere" in p for p in problems)
    assert any("village-scoped without" in p for p in problems)


def test_every_table_of_synced_rows_is_declared_and_matches_its_declaration(store):
    """A table that holds synced rows (it has the sync columns) without a declaration fails
    here, and so does a declared kind whose table is not what its fields say."""
    tables = [r["name"] for r in store.query(
        "select name from sqlite_master where type = 'table'")]
    synced = []
    for table in tables:
        columns = {r["name"]: r for r in store.query(f"pragma table_info([{table}])")}
        if SYNC <= set(columns):
            synced.append(table)
    assert sorted(synced) == sorted(BY_TABLE), "a synced table has no declaration (or the reverse)"
    for kind in KINDS:
        columns = {r["name"]: r for r in store.query(f"pragma table_info([{kind.table}])")}
        derived = {c for f in kind.search_fields for c in (f.search.key, f.search.sort) if c}
        assert set(columns) == SYNC | {f.name for f in kind.fields} | derived, kind.table
        for name in kind.required:
            assert columns[name]["notnull"], f"{kind.table}.{name} is required"


def test_what_is_derived_from_the_declarations():
    assert ("persons", "household_id", "households") in erase_cascade()
    assert ("attendance", "enrolment_id", "enrolments") in erase_cascade()
    assert ("households", "merged_into", "households") in erase_cascade()
    assert ("persons", "household_id") in merge_references()
    assert BY_TABLE["users"].secret == {"pin_hash"}
    assert "head_name" in BY_TABLE["households"].personal
    assert BY_TABLE["persons"].scope_ref[0] == "household_id"
    assert BY_TABLE["submissions"].village_field == "village_id"
    assert BY_TABLE["audit_events"].scope is Scope.UPWARD


def _author(role, villages=("v1",), **kwargs):
    return authority.Author("d1", role, frozenset(villages), commune="c1", **kwargs)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.table)
@pytest.mark.parametrize("action", (CREATE, CHANGE, REMOVE))
@pytest.mark.parametrize("role", (MEMBER, TRAINER, STAFF))
def test_may_write_follows_the_grants(kind, action, role):
    """For every kind, action and role: allowed exactly when a grant says so (a member in
    their own village; a grant's condition met)."""
    values = {"form_id": "training_progress"}
    target = authority.Target(action, ("x",), values, "v1" if action != CREATE else None, "v1",
                              "c1")
    reason = authority.may_write(kind, target, _author(role))
    assert (reason is None) == kind.may(role, action), reason
    if role == MEMBER and any(g.role == MEMBER and action in g.actions for g in kind.grants):
        elsewhere = authority.Target(action, ("x",), values, "v2", "v2", "c1")
        assert authority.may_write(kind, elsewhere, _author(role)) is not None


def test_a_secret_field_is_never_taken_and_a_problem_always_refuses():
    users = BY_TABLE["users"]
    change = authority.Target(CHANGE, ("pin_hash",), {}, None, None, "c1")
    assert "PIN" in authority.may_write(users, change, _author(STAFF))
    retired = _author(STAFF, problem="retired")
    households = BY_TABLE["households"]
    assert authority.may_write(households, authority.Target(CREATE, ("x",), {}, None, "v1"),
                               retired) == "retired"


def test_commune_staff_write_only_their_commune():
    villages = BY_TABLE["villages"]
    mine = authority.Target(CHANGE, ("name",), {}, None, None, "c1")
    theirs = authority.Target(CHANGE, ("name",), {}, None, None, "c2")
    assert authority.may_write(villages, mine, _author(STAFF)) is None
    assert authority.may_write(villages, theirs, _author(STAFF)) is not None


def test_a_registration_id_is_the_same_everywhere():
    assert authority.registration_id("c", "d") == authority.registration_id("c", "d")
    assert authority.registration_id("c", "d") != authority.registration_id("c2", "d")
