"""m040: a commune laptop that registered its member laptops before the register of laptops was
synced gets it from its local list of peers, and its members receive it with the next package;
the scope conditions of return packages, one device's records included."""

from __future__ import annotations

from fieldapp.core.authority import registration_id
from fieldapp.core.kinds import Field, Kind, Ref, Scope, grant
from fieldapp.services.sync import exchange, identity, province
from fieldapp.storage.scope import Reach, _kind_condition
from fieldapp.storage.store import Store
from sync_world import join_member, new_commune


def _before_m040(path) -> None:
    """The database as it was before m040: no devices table, no devices in the log."""
    store = Store.open(path)
    recs = [r["rec"] for r in store.query("select rec from sync_records where tbl = 'devices'")]
    with store.transaction():
        for rec in recs:
            store.conn.execute("delete from changes where rec = ?", [rec])
            store.conn.execute("delete from sync_records where rec = ?", [rec])
        store.conn.execute("drop table devices")
        store.conn.execute("delete from _sqlite_migrations where name = 'm040_devices'")
    store.close()


def test_the_register_of_laptops_is_made_from_the_peers(tmp_path):
    commune = new_commune(tmp_path / "commune.db")
    village = commune.villages.list()[0]["id"]
    user = commune.users.add_user("Nông Văn Một", "member", village_id=village)
    member = join_member(commune, tmp_path, "Laptop 1", user, file="m1")
    spare = identity.register_device(commune, "Laptop 2")
    commune.conn.execute("update sync_peers set active = 0 where device = ?", [spare.device_id])
    commune.conn.commit()
    office = new_commune(tmp_path / "province.db", ["(tỉnh)"], "Tỉnh Lạng Sơn")
    request = province.write_request(commune, tmp_path / "request.json")
    _name, hub = province.register_request(office, request, tmp_path / "hub.json")
    province.join_province(commune, hub)
    province_device = office.device_id
    commune.close()
    _before_m040(tmp_path / "commune.db")
    # A member laptop that acknowledged packages: what it sent before is not judged again.
    member.conn.execute("update sync_peers set our_acked = 7 where kind = 'hub'")
    member.conn.commit()
    member.close()
    _before_m040(tmp_path / "m1.db")
    member = Store.open(tmp_path / "m1.db")
    assert member.meta("own_changes_checked") == "7"

    commune = Store.open(tmp_path / "commune.db")
    hub_id = commune.meta("commune_id")
    rows = {r["device"]: r for r in commune.devices.list()}
    assert rows[commune.device_id]["role"] == "hub"
    assert rows[member.device_id]["role"] == "member"
    assert rows[member.device_id]["user_id"] == user
    assert rows[spare.device_id]["deleted"] == 1
    assert rows[province_device]["role"] == "province"
    assert all(r["id"] == registration_id(hub_id, r["device"]) for r in rows.values())
    # The member laptop's next package is taken, and the register reaches it.
    member.households.add_household(village, "Hộ sau khi nâng cấp")
    report = exchange.import_package(commune, exchange.export_package(
        member, tmp_path / "p.fieldsync").path)
    assert report.status == "applied" and not report.refused, report
    back = exchange.import_package(member, exchange.export_package(
        commune, tmp_path / "r.fieldsync", to="Laptop 1").path)
    assert back.status == "applied" and not back.refused, back
    assert {r["device"] for r in member.devices.list()} == set(rows)


def test_what_a_return_package_carries_of_each_scope(tmp_path):
    """The conditions the export runs, for each scope (a kind for one laptop included:
    declared here, over a table made for the test)."""
    store = new_commune(tmp_path / "c.db")
    store.conn.execute("create table notes (id text primary key, device text)")
    store.conn.executemany("insert into notes values (?, ?)", [("n1", "d1"), ("n2", "d2")])
    store.conn.execute("create table r (rid text, tbl text)")
    store.conn.executemany("insert into r values (?, 'notes')", [("n1",), ("n2",)])
    notes = Kind("notes", "Note", (Field("device", device=True, ref=Ref("devices")),),
                 Scope.DEVICE, (grant("commune_staff"),))
    sql, params = _kind_condition(notes, Reach("d1", frozenset()))
    chosen = [row[0] for row in store.conn.execute(f"select r.rid from r where {sql}", params)]
    assert chosen == ["n1"]
    upward = Kind("log", "Log", (Field("x"),), Scope.UPWARD, (grant("device", "create"),))
    assert _kind_condition(upward, Reach("d1", None)) is None
