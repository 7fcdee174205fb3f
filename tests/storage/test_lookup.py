"""Plans over the registry give the same rows, in the same order, whichever way they are read
(sorted matches, a walk in name order, index order), page by page, as a plain filter and sort
of every household and person."""

from __future__ import annotations

import random

import pytest

from fieldapp.core import demo_data as dd
from fieldapp.core.row_filter import And, Cmp, In
from fieldapp.i18n.text import fold, name_sort_text
from fieldapp.storage import lookup
from fieldapp.storage.lookup import query_words, words_match
from fieldapp.storage.registry import HouseholdFilter

QUERIES = ["", "n", "ng", "nguyen", "nguyen v", "thi", "hoang thi", "van a", "lan", "ĐẶNG",
           "y", "zz", "ma", "a b"]


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    from fieldapp.services.setup import SetupRequest, run_setup
    from fieldapp.storage.store import Store

    store = Store.open(tmp_path_factory.mktemp("lookup") / "registry.db")
    run_setup(store, SetupRequest("Xã", "Lạng Sơn", ["Bản A", "Bản B", "Bản C"],
                                  "Hoàng Thị Mai", "member", "246813"))
    villages = store.villages.list()
    rng = random.Random(11)
    with store.transaction():
        for i in range(240):
            village = villages[i % 3]["id"]
            ethnicity = dd.draw_ethnicity(rng, "tay")
            members = dd.household_members(rng, ethnicity, "tay")
            household = store.households.add_household(
                village, members[0].name, ethnicity=ethnicity,
                poor_status=rng.choice(["poor", "near_poor", "neither"]))
            for m in members:
                store.persons.add_person(household, m.name, birth_year=m.birth_year,
                                         relation=m.relation, sex=m.sex)
        gone = store.query("select id from households limit 7")
        for row in gone:
            store.households.tombstone(row["id"], "moved away")
    yield store
    store.close()


def expected_households(store, text, village=None, poor=None):
    words = query_words(text)
    rows = store.query("select * from households where deleted = 0")
    out = []
    for h in rows:
        if village and h["village_id"] != village:
            continue
        if poor and h["poor_status"] != poor:
            continue
        if words:
            members = [p["name_key"] for p in store.persons.of_household(h["id"])]
            if not words_match(" ".join([h["head_name_key"], *members]), words):
                continue
        out.append(h)
    out.sort(key=lambda h: (h["head_sort"], h["id"]))
    return [h["id"] for h in out]


def all_pages(lists, plan, page):
    rows, offset = [], 0
    while True:
        chunk = lists.households(plan, offset, page)
        if not chunk:
            return [r["id"] for r in rows]
        rows += chunk
        offset += page


@pytest.mark.parametrize("sparse_max, budget", [(6000, 2000), (3, 2000), (3, 5)])
@pytest.mark.parametrize("query", QUERIES)
def test_household_plans_match_a_plain_filter(registry, monkeypatch, query, sparse_max, budget):
    monkeypatch.setattr(lookup, "SPARSE_MAX", sparse_max)
    monkeypatch.setattr(lookup, "PROBE_BUDGET", budget)
    lists = registry.lists
    village = registry.villages.list()[1]["id"]
    for where, kwargs in ((HouseholdFilter(), {}),
                          (HouseholdFilter(village_id=village), {"village": village}),
                          (HouseholdFilter(poor="poor"), {"poor": "poor"})):
        expected = expected_households(registry, query, **kwargs)
        plan = lists.household_plan(query, where)
        assert plan.total == len(expected), (query, where, plan.kind)
        assert all_pages(lists, plan, 7) == expected
        # Pages asked out of order (a scroll bar dragged) give the same rows.
        if len(expected) > 20:
            fresh = lists.household_plan(query, where)
            assert [r["id"] for r in lists.households(fresh, 15, 5)] == expected[15:20]
            assert [r["id"] for r in lists.households(fresh, 3, 4)] == expected[3:7]


@pytest.mark.parametrize("query", ["", "th", "van", "lan", "nguyen v"])
def test_person_plans_match_a_plain_filter(registry, monkeypatch, query):
    monkeypatch.setattr(lookup, "SPARSE_MAX", 5)
    lists = registry.lists
    village = registry.villages.list()[2]["id"]
    words = query_words(query)
    rows = registry.query("""select p.*, h.village_id from persons p join households h
                             on h.id = p.household_id where p.deleted = 0 and h.deleted = 0""")
    expected = sorted((p for p in rows if p["village_id"] == village
                       and (not words or words_match(p["name_key"], words))),
                      key=lambda p: (p["name_sort"], p["id"]))
    plan = lists.person_plan(query, village_id=village)
    assert plan.total == len(expected)
    assert [p["id"] for p in lists.persons(plan, 0, 10_000)] == [p["id"] for p in expected]


def test_registry_lists_for_forms(registry):
    lists = registry.lists
    village = registry.villages.list()[0]["id"]
    households = registry.query("select id from households where village_id = ? "
                                "and deleted = 0 order by head_sort, id", [village])
    two = tuple(h["id"] for h in households[:2])
    rows = lists.query_rows("persons.csv", And((Cmp("village", "=", village),
                                                In("household", two))), "", 0, 100)
    assert rows and {r["household"] for r in rows} <= set(two)
    assert all(r["village"] == village for r in rows)
    # Text over the persons of chosen households: checked on those few rows.
    for text in ("a", "th", "van", "zz"):
        found = lists.query_rows("persons.csv", And((Cmp("village", "=", village),
                                                     In("household", two))), text, 0, 100)
        assert found == [r for r in rows
                         if words_match(fold(r["label"].split(" (")[0]), query_words(text))]
    first = rows[0]
    assert lists.rows_named("persons.csv", [first["name"]], Cmp("village", "=", village)) \
        == [first]
    assert lists.rows_named("persons.csv", [first["name"]], Cmp("village", "=", "x")) == []
    page = lists.query_rows("households.csv", Cmp("village", "=", village), "", 0, 5)
    assert [r["name"] for r in page] == [h["id"] for h in households[:5]]
    with pytest.raises(KeyError):
        lists.query_rows("persons.csv", Cmp("shoe_size", "=", "40"), "", 0, 5)
    with pytest.raises(KeyError):
        lists.rows_named("villages.csv", ["x"], Cmp("village", "=", "x"))


def test_words_match_as_the_full_text_index_does():
    doc = fold("Nguyễn Văn An Đặng Thị Lan")
    assert words_match(doc, ["nguyen", "v"]) and words_match(doc, ["an", "dang"])
    assert not words_match(doc, ["van", "lan"]) and not words_match(doc, ["guyen"])
    assert name_sort_text("An") < name_sort_text("Ân")
