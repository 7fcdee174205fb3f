"""The demo commune generator: structure, codes, names, determinism, rates, cancel, CLI."""

from __future__ import annotations

import json
import unicodedata

import pytest
from readback import rows as _rows

from fieldapp import cli
from fieldapp.core import codes
from fieldapp.core import demo_data as dd
from fieldapp.errors import UserError
from fieldapp.services.auth import check_pin
from fieldapp.services.demo import DemoCancelled, create_demo
from fieldapp.storage.store import Store


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "small.db"
    summary = create_demo(path, households=200, seed=5)
    return path, summary


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "large.db"
    create_demo(path, households=1500, seed=11)
    return path


def test_summary_matches_the_file(small):
    path, summary = small
    assert summary["households"] == 200
    assert summary["path"] == path
    store = Store.open(path)
    try:
        counts = store.counts()
        assert counts["households"] == 200
        assert counts["persons"] == summary["persons"]
        assert counts["villages"] == summary["villages"]
        assert 8 <= counts["villages"] <= 15
        assert store.is_demo and store.is_set_up
        assert store.commune()["name"] == summary["commune"]
        assert store.commune()["province"] == "Lạng Sơn"
        assert store.meta("language") == "vi"
        user = store.users.get(store.meta("current_user_id"))
        assert user is not None and user["role"] in codes.ROLES
    finally:
        store.close()
    assert 200 <= summary["persons"] <= 200 * dd.MAX_MEMBERS


def test_villages_have_legacy_names_remote_flags_and_varied_sizes(small):
    path, _summary = small
    villages = _rows(path, "select * from villages")
    assert all(v["kind"] in codes.VILLAGE_KINDS for v in villages)
    assert any(v["remote"] == 1 for v in villages)
    assert any(v["remote"] == 0 for v in villages)
    legacy = [json.loads(v["legacy_names"]) for v in villages]
    assert any(len(names) >= 2 for names in legacy)
    sizes = [r["n"] for r in _rows(path, "select count(*) n from households group by village_id")]
    assert len(set(sizes)) > 1


def test_every_household_has_exactly_one_head_and_consistent_ages(small):
    path, _summary = small
    households = _rows(path, "select * from households")
    persons = _rows(path, "select * from persons")
    by_household: dict[str, list[dict]] = {}
    for p in persons:
        by_household.setdefault(p["household_id"], []).append(p)
    assert set(by_household) == {h["id"] for h in households}
    for h in households:
        members = by_household[h["id"]]
        assert 1 <= len(members) <= dd.MAX_MEMBERS
        heads = [p for p in members if p["relation"] == "head"]
        assert len(heads) == 1
        head = heads[0]
        assert head["full_name"] == h["head_name"]
        assert head["ethnicity"] == h["ethnicity"]
        assert dd.DEMO_YEAR - head["birth_year"] >= 18
        for p in members:
            assert p["birth_year"] <= dd.DEMO_YEAR
            assert dd.DEMO_YEAR - p["birth_year"] <= 110
            gap = p["birth_year"] - head["birth_year"]
            if p["relation"] == "child":
                assert 18 <= gap <= 40, (h["head_name"], p)
            elif p["relation"] == "parent":
                assert 18 <= -gap <= 40, (h["head_name"], p)
            elif p["relation"] == "grandchild":
                assert gap >= 36, (h["head_name"], p)
            elif p["relation"] == "spouse":
                assert dd.DEMO_YEAR - p["birth_year"] >= 18
                assert p["sex"] != head["sex"]
                for child in (c for c in members if c["relation"] == "child"):
                    assert 18 <= child["birth_year"] - p["birth_year"] <= 40


def test_codes_are_valid_and_the_registry_holds_what_the_form_saves(small):
    path, _summary = small
    for h in _rows(path, "select * from households"):
        assert h["ethnicity"] in codes.ETHNICITIES
        assert h["poor_status"] in codes.POOR_STATUS
        assert h["phone"] is None or (len(h["phone"]) == 10 and h["phone"].startswith("0")
                                      and h["phone"].isdigit())
        # The shipped form saves only registry columns (save_to): no made-up property keys.
        assert json.loads(h["properties"]) == {}
        assert h["last_verified"]
    for p in _rows(path, "select * from persons"):
        assert p["sex"] in codes.SEXES
        assert p["relation"] in codes.RELATIONS
        assert p["ethnicity"] in codes.ETHNICITIES
        assert json.loads(p["properties"]) == {}
    for u in _rows(path, "select * from users"):
        assert u["role"] in codes.ROLES


def test_names_are_nfc_and_look_vietnamese(small):
    path, _summary = small
    names = [r["full_name"] for r in _rows(path, "select full_name from persons")]
    names += [r["name"] for r in _rows(path, "select name from users")]
    names += [r["name"] for r in _rows(path, "select name from villages")]
    for name in names:
        assert unicodedata.normalize("NFC", name) == name
        assert 2 <= len(name.split()) <= 4, name
    surnames = {n.split()[0] for n in names}
    assert {"Hoàng", "Nông"} & surnames
    assert any(n.split()[1] in ("Văn", "Thị") for n in names)


def test_teams_one_per_village_and_pins_are_1234(small):
    path, _summary = small
    users = _rows(path, "select * from users")
    villages = {v["id"] for v in _rows(path, "select id from villages")}
    members = [u for u in users if u["role"] == "member"]
    for village in villages:
        team = [u for u in members if u["village_id"] == village]
        assert dd.TEAM_SIZE[0] <= len(team) <= dd.TEAM_SIZE[1]
    assert sum(u["role"] == "commune_staff" for u in users) == dd.COMMUNE_STAFF
    assert dd.TRAINERS[0] <= sum(u["role"] == "trainer" for u in users) <= dd.TRAINERS[1]
    hashes = {u["pin_hash"] for u in users}
    assert len(hashes) == 1  # hashed once
    assert check_pin(hashes.pop(), "246813")


def _table(path, table):
    return _rows(path, f"select * from {table} order by id")


def test_same_seed_gives_identical_content(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    create_demo(a, households=150, seed=9)
    create_demo(b, households=150, seed=9)
    for table in ("communes", "villages", "households", "persons", "submissions"):
        assert _table(a, table) == _table(b, table)
    users_a = [{k: v for k, v in u.items() if k != "pin_hash"} for u in _table(a, "users")]
    users_b = [{k: v for k, v in u.items() if k != "pin_hash"} for u in _table(b, "users")]
    assert users_a == users_b  # the salted hash differs; everything else is the same


def test_different_seed_gives_different_content(tmp_path):
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    create_demo(a, households=150, seed=1)
    create_demo(b, households=150, seed=2)
    names_a = [r["full_name"] for r in _rows(a, "select full_name from persons order by rowid")]
    names_b = [r["full_name"] for r in _rows(b, "select full_name from persons order by rowid")]
    assert names_a != names_b
    assert _table(a, "households") != _table(b, "households")


def _first_round_people(path):
    """(age, remote, ethnicity, row answers, household answers) of every person of the first
    survey round, from the stored answers."""
    villages = {v["id"]: v["remote"] for v in _rows(path, "select id, remote from villages")}
    out = []
    for r in _rows(path, """select answers, village_id from submissions
                            where form_id = 'household_survey' and finalized_at < '2026'"""):
        answers = json.loads(r["answers"])
        for row in answers.get("members", []):
            out.append((int(row["age"]), villages[r["village_id"]], row["ethnicity"], row,
                        answers))
    return out


def _share(people, test, who=lambda age, row, answers: age >= dd.ADULT_AGE,
           ethnicities=tuple(codes.ETHNICITIES)):
    """Share of the people ``who`` selects (and who were asked: ``test`` gives None when not)
    for whom ``test`` is true, by village remote flag (0, 1) and overall ("all")."""
    groups = {0: [0, 0], 1: [0, 0], "all": [0, 0]}
    for age, remote, ethnicity, row, answers in people:
        if not who(age, row, answers) or ethnicity not in ethnicities:
            continue
        hit = test(row, answers)
        if hit is None:
            continue
        for g in (remote, "all"):
            groups[g][0] += bool(hit)
            groups[g][1] += 1
    return {g: hits / n for g, (hits, n) in groups.items() if n}


def _smartphone(row, answers):
    return row["smartphone"] in ("own", "shared") if row.get("smartphone") else None


def _epayment(row, answers):
    if row.get("epayment") in (None, "dont_know", "refused", "skipped"):
        return None  # not asked (under 15, nobody to answer) or no answer
    return row["epayment"] == "yes"


def _level2(row, answers):
    if row.get("vneid_level2") in (None, "dont_know", "refused", "skipped"):
        return None
    return row["vneid_level2"] == "yes"


def test_rates_roughly_as_configured(large):
    people = _first_round_people(large)
    assert 0.70 <= _share(people, _smartphone)["all"] <= 0.93
    assert 0.40 <= _share(people, _epayment)["all"] <= 0.80
    cccd = _share(people, lambda row, a: None if row.get("cccd") not in ("yes", "no")
                  else row["cccd"] == "yes")
    assert cccd["all"] > 0.9
    households = [json.loads(r["answers"]) for r in _rows(
        large, "select answers from submissions where form_id = 'household_survey' "
               "and finalized_at < '2026'")]
    fibre = sum(h["fibre"] == "yes" for h in households)
    assert 0.55 <= fibre / len(households) <= 0.85


def test_remote_villages_have_lower_rates(large):
    # Within the same groups, so the lower rates come from remoteness, not the ethnic mix.
    lowland = ("kinh", "tay", "nung")
    people = _first_round_people(large)
    for test in (_smartphone, _epayment, _level2):
        rates = _share(people, test, ethnicities=lowland)
        assert rates[1] < rates[0] - 0.05, test.__name__
    rows = _rows(large, """select h.poor_status, v.remote from households h
                           join villages v on v.id = h.village_id""")
    poor = {r: [x["poor_status"] != "neither" for x in rows if x["remote"] == r] for r in (0, 1)}
    assert sum(poor[1]) / len(poor[1]) > sum(poor[0]) / len(poor[0])


def test_older_people_use_less(large):
    people = _first_round_people(large)
    young = _share(people, _smartphone, who=lambda age, row, a: 20 <= age < 50)["all"]
    old = _share(people, _smartphone, who=lambda age, row, a: age >= 70)["all"]
    assert old < young - 0.2


def test_progress_reaches_total(tmp_path):
    seen = []
    create_demo(tmp_path / "p.db", households=250, seed=3,
                progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 250) and seen[-1] == (250, 250)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) >= 50


def test_cancel_removes_the_file(tmp_path):
    path = tmp_path / "c.db"
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(DemoCancelled):
        create_demo(path, households=500, seed=1, cancelled=cancelled)
    assert isinstance(DemoCancelled("x"), UserError)
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_refused(tmp_path):
    path = tmp_path / "exists.db"
    path.write_bytes(b"keep me")
    with pytest.raises(UserError):
        create_demo(path, households=10)
    assert path.read_bytes() == b"keep me"


def test_cli_check_accepts_a_demo_database(tmp_path, capsys):
    path = tmp_path / "d.db"
    create_demo(path, households=300, seed=7)
    assert cli.main(["check", "--db", str(path)]) == 0
    out = capsys.readouterr().out  # "Households: 300" or "Hộ gia đình: 300" (interface language)
    assert any(line.endswith(": 300") for line in out.splitlines())


def test_cli_demo_then_check(tmp_path, capsys):
    path = tmp_path / "d.db"
    assert cli.main(["demo", "--db", str(path), "--households", "300", "--seed", "7"]) == 0
    out = capsys.readouterr().out
    assert "300" in out
    assert cli.main(["check", "--db", str(path)]) == 0
    assert cli.main(["demo", "--db", str(path), "--households", "300"]) == 2


@pytest.mark.parametrize("total", [1, 7, 200, 4999, 50_000])
def test_household_split_sums_exactly(total):
    import random

    rng = random.Random(total)
    villages = dd.pick_villages(rng)
    counts = dd.split_households(rng, villages, total)
    assert sum(counts) == total and all(c >= 0 for c in counts)


def test_village_choice_keeps_the_core_villages():
    import random

    seen = set()
    for seed in range(40):
        villages = dd.pick_villages(random.Random(seed))
        assert dd.MIN_VILLAGES <= len(villages) <= dd.MAX_VILLAGES
        assert villages[: dd.CORE_VILLAGES] == list(dd.VILLAGE_TEMPLATES[: dd.CORE_VILLAGES])
        assert len({v.name for v in villages}) == len(villages)
        seen.add(len(villages))
    assert len(seen) > 3


def test_fewer_than_one_household_is_refused(tmp_path):
    with pytest.raises(UserError):
        create_demo(tmp_path / "none.db", households=0)
    assert not (tmp_path / "none.db").exists()


def test_the_demo_counts_its_indicator_sums(small):
    """The first report of a new demo reads aggregates: nothing is left for it to count."""
    path, _summary = small
    store = Store.open(path)
    try:
        assert store.indicator_sums.pending() == 0
        assert store.indicator_sums.digest()
    finally:
        store.close()
