"""Merge rules: per field the highest stamp wins, concurrent edits are flagged, tombstones win
only when newer, and the result does not depend on the order changes arrive in."""

import itertools
import json

from fieldapp.core.changes import Change, heads, record_state
from fieldapp.core.clock import Stamp
from fieldapp.core.kinds import record_type
from fieldapp.core.records import build_answers, flatten_answers

A, B, C = ("a" * 8, "b" * 8, "c" * 8)
HH = "households"


def s(ms, device=A, counter=0):
    return Stamp(1_700_000_000_000 + ms, counter, device)


def ch(field, value, stamp, prev=None, merges=()):
    return Change(HH, "h1", field, value, stamp, prev, merges)


def created():
    return [ch("head_name", "Lý Văn A", s(0)), ch("village_id", "v1", s(0))]


def test_highest_stamp_wins_and_sequential_edits_do_not_conflict():
    changes = created() + [ch("head_name", "Lý Văn B", s(10, B), prev=s(0)),
                           ch("head_name", "Lý Văn C", s(20), prev=s(10, B))]
    state = record_state(HH, "h1", changes)
    assert state.values()["head_name"] == "Lý Văn C"
    assert state.conflicts == []


def test_concurrent_edits_of_one_field_keep_a_winner_and_raise_a_conflict():
    changes = created() + [ch("head_name", "Lý Văn B", s(10, B), prev=s(0)),
                           ch("head_name", "Lý Văn C", s(5, C), prev=s(0))]
    for order in itertools.permutations(changes):
        state = record_state(HH, "h1", order)
        assert state.values()["head_name"] == "Lý Văn B"
        [conflict] = state.conflicts
        assert conflict.field == "head_name" and [o.value for o in conflict.others] == ["Lý Văn C"]


def test_concurrent_edits_to_the_same_value_are_no_conflict():
    changes = created() + [ch("head_name", "Lý Văn B", s(10, B), prev=s(0)),
                           ch("head_name", "Lý Văn B", s(5, C), prev=s(0))]
    assert record_state(HH, "h1", changes).conflicts == []


def test_different_fields_merge():
    changes = created() + [ch("head_name", "Lý Văn B", s(10, B), prev=s(0)),
                           ch("village_id", "v2", s(5, C), prev=s(0))]
    state = record_state(HH, "h1", changes)
    assert state.values() == {"head_name": "Lý Văn B", "village_id": "v2"}
    assert state.conflicts == []


def test_a_resolution_replaces_every_head():
    changes = created() + [ch("head_name", "Lý Văn B", s(10, B), prev=s(0)),
                           ch("head_name", "Lý Văn C", s(5, C), prev=s(0)),
                           ch("head_name", "Lý Văn C", s(30), prev=s(10, B), merges=(s(5, C),))]
    state = record_state(HH, "h1", changes)
    assert state.values()["head_name"] == "Lý Văn C" and state.conflicts == []
    assert [c.stamp for c in heads(c for c in changes if c.field == "head_name")] == [s(30)]


def test_tombstone_wins_only_when_newer():
    newer = created() + [ch("deleted", 1, s(20, B), prev=None), ch("head_name", "X", s(10), s(0))]
    state = record_state(HH, "h1", newer)
    assert state.deleted and state.conflicts == []
    older = created() + [ch("deleted", 1, s(10, B)), ch("head_name", "X", s(20), s(0))]
    state = record_state(HH, "h1", older)
    assert not state.deleted
    assert [c.field for c in state.conflicts] == ["deleted"]
    restored = older + [ch("deleted", 0, s(30), prev=s(10, B))]
    state = record_state(HH, "h1", restored)
    assert not state.deleted and state.conflicts == []


def test_metadata_comes_from_the_stamps():
    state = record_state(HH, "h1", created() + [ch("head_name", "B", s(10, B), s(0))])
    meta = state.metadata()
    assert meta["device_id"] == A and meta["rev"] == str(s(10, B))
    assert meta["created_at"] < meta["updated_at"]


def test_map_columns_are_one_field_per_key():
    rtype = record_type(HH)
    fields = rtype.fields_of({"properties": {"signal": "4g", "barriers": "", "fibre": "no"}})
    assert fields == {"properties.signal": "4g", "properties.barriers": None,
                      "properties.fibre": "no"}
    row = rtype.assemble({"properties.signal": "4g", "properties.fibre": None})
    assert json.loads(row["properties"]) == {"signal": "4g"}


def test_answers_round_trip_through_fields_with_row_keys():
    tree = {"village": "v1", "members": [
        {"@key": "k1", "member_name": "A", "kids": [{"@key": "c1", "n": "z"}]},
        {"@key": "k2", "member_name": "B"}]}
    fields = flatten_answers(tree)
    assert fields["answers/members@k2"] == 1
    assert fields["answers/members@k1/kids@c1/n"] == "z"
    assert build_answers(fields) == tree
    fields["answers/members@k1"] = None  # removed: its fields go with it
    assert build_answers(fields) == {"village": "v1", "members": [
        {"@key": "k2", "member_name": "B"}]}


def test_rows_added_on_two_laptops_at_one_position_are_both_kept_in_a_fixed_order():
    one = {"answers/members@k1": 0, "answers/members@zz": 1, "answers/members@zz/n": "X"}
    two = {"answers/members@k1": 0, "answers/members@aa": 1, "answers/members@aa/n": "Y"}
    merged = build_answers({**one, **two})
    assert [r["@key"] for r in merged["members"]] == ["k1", "aa", "zz"]
