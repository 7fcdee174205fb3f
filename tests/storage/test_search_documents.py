"""The search documents kept by triggers (household_names, person_names) are what writing them
all again from the tables gives, however the rows arrived: saved here one by one, or imported
with a package's persons before their households."""

from fieldapp.services.sync import exchange
from sync_world import join_member, new_commune

PERSON_DOCS = """
    select p.rowid, p.name_key,
           'v' || coalesce((select v.rowid from villages v where v.id = h.village_id), 0)
    from persons p join households h on h.id = p.household_id
    where p.deleted = 0 and h.deleted = 0 order by p.rowid"""
HOUSEHOLD_DOCS = """
    select h.rowid,
           h.head_name_key || ' ' || coalesce((select group_concat(p.name_key, ' ')
               from persons p where p.household_id = h.id and p.deleted = 0), ''),
           'v' || replace(h.village_id, '-', '')
    from households h where h.deleted = 0 order by h.rowid"""


def documents(store):
    rows = lambda sql: [tuple(r) for r in store.conn.execute(sql)]  # noqa: E731
    return (rows("select rowid, name, village from person_names order by rowid"),
            rows("select rowid, names, village from household_names order by rowid"))


def expected(store):
    rows = lambda sql: [tuple(r) for r in store.conn.execute(sql)]  # noqa: E731
    return rows(PERSON_DOCS), rows(HOUSEHOLD_DOCS)


def test_documents_after_local_saves_and_an_import(tmp_path):
    commune = new_commune(tmp_path / "commune.db", villages=("Bản Khuông", "Nà Pặc"))
    member = join_member(commune, tmp_path, "Laptop 1")
    villages = [v["id"] for v in member.villages.list()]
    for n, head in enumerate(["Hoàng Văn Sơn", "Nông Thị Lan", "Lục Văn Minh"]):
        hid = member.households.add_household(villages[n % 2], head)
        member.persons.add_person(hid, head)
        member.persons.add_person(hid, f"Vi Thị Hoa {n}")
    assert documents(member) == expected(member) and documents(member)[0]
    path = exchange.export_package(member, tmp_path / "m.fieldsync").path
    assert exchange.import_package(commune, path).status == "applied"
    people, households = documents(commune)
    assert (people, households) == expected(commune)
    assert len(people) == 6 and len(households) == 3
    # A person added at the commune to an imported household, and one removed.
    hid = commune.query("select id from households where head_name = 'Nông Thị Lan'")[0]["id"]
    commune.persons.add_person(hid, "Đặng Văn An")
    gone = commune.query("select id from persons where full_name = 'Vi Thị Hoa 0'")[0]["id"]
    commune.persons.tombstone(gone, "moved away")
    assert documents(commune) == expected(commune)
    assert any("dang van an" in names for _r, names, _v in documents(commune)[1])
